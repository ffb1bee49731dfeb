"""Batches on the server: reads run beside a long batch instead of behind it (real threads, real HTTP)."""
from __future__ import annotations

import os
import threading
import time

from ftrack_orm.sandbox import Sandbox
from ftrack_orm.sandbox.limits import Limits

from tests.support.sandbox_http import Client

WAIT = 120  # seconds: only reached when something blocks that must not


def in_background(function):
    """Run ``function`` in a thread; the returned event is set when it has returned."""
    finished, failures = threading.Event(), []

    def run():
        try:
            function()
        except BaseException as error:  # reported to the test thread
            failures.append(error)
        finally:
            finished.set()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, finished, failures


def counted(owner, name):
    """Count the calls of ``owner.name`` (the real method still runs): the server's progress."""
    calls, method = [], getattr(owner, name)

    def counting(*args, **kwargs):
        calls.append(None)
        return method(*args, **kwargs)

    setattr(owner, name, counting)
    return calls


def wait_until_running(calls):
    deadline = time.monotonic() + WAIT
    while not calls:
        assert time.monotonic() < deadline, "the long batch never started"
        time.sleep(0.001)


def test_a_read_only_users_long_query_batch_does_not_stall_an_admins_one_row_query():
    count = 8_000
    with Sandbox(limits=Limits(max_operations=30_000)) as sandbox:
        readonly = Client(sandbox, sandbox.readonly_user, sandbox.readonly_key)
        admin = Client(sandbox)
        long_batch = [{"action": "query", "expression": "select id, name from Shot"}] * count
        evaluated = counted(sandbox.evaluator, "query")
        thread, finished, failures = in_background(lambda: readonly.call(long_batch))
        wait_until_running(evaluated)
        project = admin.rows("select name from Project")
        progress = len(evaluated) - 1  # the long batch's queries evaluated when the admin had its answer
        thread.join(WAIT)
        assert not failures, failures
        assert [p["name"] for p in project] == ["demo_vfx"]
        assert 0 < progress < count, f"the admin's query waited for the read-only batch ({progress} of {count})"
        assert len(evaluated) == count + 1


def test_reads_do_not_wait_behind_a_long_write_batch_nor_see_it_before_it_commits():
    count = 3_000
    with Sandbox() as sandbox:
        writer, reader = Client(sandbox), Client(sandbox)
        shot = reader.rows("select id from Shot where name is sh010")[0]["id"]
        kind = reader.rows("select id from Type where name is Compositing")[0]["id"]
        batch = [{"action": "create", "entity_type": "Task", "entity_data": {
            "__entity_type__": "Task", "name": f"bulk{i}", "parent_id": shot, "type_id": kind}} for i in range(count)]
        created = counted(sandbox.writer, "create")
        thread, finished, failures = in_background(lambda: writer.call(batch))
        wait_until_running(created)
        during = reader.rows('select id from Task where name like "bulk%"')
        progress = len(created)  # creates done when the read had its answer
        thread.join(WAIT)
        assert not failures, failures
        assert progress < count, "the read waited for the whole write batch"
        assert during == []  # the batch had not committed: nothing of it was visible
        assert len(reader.rows('select id from Task where name like "bulk%"')) == count


def test_concurrent_clients_each_get_their_own_answers():
    with Sandbox() as sandbox:
        names = [s["name"] for s in Client(sandbox).rows("select name from Shot")]
        results, failures = {}, []

        def ask(name):
            try:
                client = Client(sandbox)
                for _ in range(20):
                    rows = client.rows(f'select name from Shot where name is "{name}"')
                    assert [r["name"] for r in rows] == [name]
                results[name] = True
            except BaseException as error:
                failures.append(error)

        threads = [threading.Thread(target=ask, args=(name,)) for name in names]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(WAIT)
        assert not failures, failures
        assert sorted(results) == sorted(names)


def test_an_in_memory_sandbox_is_a_temporary_file_removed_on_stop():
    sandbox = Sandbox().start()
    path = sandbox.store.connections.path
    assert os.path.exists(path)
    Client(sandbox).rows("select id from Project")
    sandbox.stop()
    assert not os.path.exists(os.path.dirname(path))
