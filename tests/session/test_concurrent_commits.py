"""Commits from several threads on one session serialize: each pending change is sent
once (live sandbox, real threads)."""
from __future__ import annotations

import threading

from tests.support.live import recording_session, server_rows

THREADS = 4


def commit_from_threads(session, rounds=1):
    barrier = threading.Barrier(THREADS)
    errors, results = [], []

    def run():
        barrier.wait()
        for _ in range(rounds):
            try:
                results.append(session.commit())
            except Exception as error:  # collected: a thread's failure must fail the test
                errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return errors, results


def test_concurrent_commits_send_each_create_once(ftrack_sandbox):
    with recording_session(ftrack_sandbox) as session:
        shot = session.query("select id from Shot").first()
        kind = session.query("select id from Type").first()
        tasks = [session.create("Task", {"name": f"thread-{n}", "parent": shot, "type": kind}) for n in range(150)]
        errors, results = commit_from_threads(session)
        assert errors == []
        assert sorted(result.counts["create"] for result in results) == [0] * (THREADS - 1) + [150]
        sent = [op for batch in session.transport.writes() for op in batch if op["action"] == "create"]
        assert len(sent) == 150
        assert not session.identity_map.changes
    stored = server_rows(ftrack_sandbox, 'select id from Task where name like "thread-%"')
    assert sorted(row["id"] for row in stored) == sorted(task.id for task in tasks)


def test_a_commit_waiting_for_another_sends_what_was_recorded_meanwhile(ftrack_sandbox):
    with recording_session(ftrack_sandbox) as session:
        shot = session.query("select id from Shot").first()
        kind = session.query("select id from Type").first()
        for n in range(50):
            session.create("Task", {"name": f"first-{n}", "parent": shot, "type": kind})
        started, release = threading.Event(), threading.Event()
        original = session.transport.post

        def slow_post(*args, **kwargs):
            started.set()
            release.wait(10)
            return original(*args, **kwargs)

        session.transport.post = slow_post
        first = threading.Thread(target=session.commit)
        first.start()
        started.wait(10)
        late = session.create("Task", {"name": "late", "parent": shot, "type": kind})  # recorded while the first commit is in flight
        second_result = []
        second = threading.Thread(target=lambda: second_result.append(session.commit()))
        second.start()
        release.set()
        first.join(30)
        second.join(30)
        del session.transport.post
        assert second_result and second_result[0].counts["create"] == 1  # only "late"
        session.commit()
        creates = [op["entity_data"]["name"] for batch in session.transport.writes() for op in batch]
        assert len(creates) == 51 and creates.count("late") == 1
        assert not session.identity_map.changes and late.id
