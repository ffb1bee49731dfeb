"""One write connection, a read connection per thread (WAL): real threads on a real SQLite file."""
from __future__ import annotations

import gc
import os
import threading
import weakref

import pytest

from ftrack_orm.sandbox.connections import Connections

WAIT = 30  # seconds: only reached when something blocks that must not


@pytest.fixture
def connections():
    made = Connections()
    with made.writing() as connection:
        connection.execute("CREATE TABLE item (name TEXT)")
        connection.execute("INSERT INTO item VALUES ('first')")
    yield made
    made.close()


def in_thread(target):
    errors = []

    def run():
        try:
            target()
        except BaseException as error:  # reported to the test thread
            errors.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, errors


def test_reads_run_in_parallel(connections):
    # Both threads must be inside a read transaction at the same time to pass the barrier:
    # if reads were serialized, the barrier would break.
    barrier = threading.Barrier(2, timeout=WAIT)
    counts = []

    def read():
        with connections.reading() as connection:
            barrier.wait()
            counts.append(connection.execute("SELECT COUNT(*) FROM item").fetchone()[0])
            barrier.wait()

    threads = [in_thread(read) for _ in range(2)]
    for thread, errors in threads:
        thread.join(WAIT)
        assert not errors, errors
    assert counts == [1, 1]


def test_a_read_does_not_wait_for_a_write_in_progress_nor_see_it(connections):
    inserted, read_done = threading.Event(), threading.Event()

    def write():
        with connections.writing() as connection:
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("INSERT INTO item VALUES ('second')")
            inserted.set()
            assert read_done.wait(WAIT), "the read waited for the write"
            connection.execute("COMMIT")

    writer, errors = in_thread(write)
    assert inserted.wait(WAIT)
    with connections.reading() as connection:
        seen = [r[0] for r in connection.execute("SELECT name FROM item")]
    read_done.set()
    writer.join(WAIT)
    assert not errors, errors
    assert seen == ["first"]  # the write had not committed
    with connections.reading() as connection:
        assert connection.execute("SELECT COUNT(*) FROM item").fetchone()[0] == 2


def test_a_read_transaction_keeps_its_snapshot(connections):
    with connections.reading() as connection:
        assert connection.execute("SELECT COUNT(*) FROM item").fetchone()[0] == 1
        thread, errors = in_thread(lambda: _insert(connections, "later"))
        thread.join(WAIT)
        assert not errors, errors
        assert connection.execute("SELECT COUNT(*) FROM item").fetchone()[0] == 1
    assert connections.current().execute("SELECT COUNT(*) FROM item").fetchone()[0] == 2


def _insert(connections, name):
    with connections.writing() as connection:
        connection.execute("INSERT INTO item VALUES (?)", [name])


def test_writers_take_turns(connections):
    inside, release = threading.Event(), threading.Event()
    order = []

    def first():
        with connections.writing():
            order.append("first in")
            inside.set()
            assert release.wait(WAIT)
            order.append("first out")

    def second():
        with connections.writing():
            order.append("second in")

    one, errors_one = in_thread(first)
    assert inside.wait(WAIT)
    two, errors_two = in_thread(second)
    two.join(0.2)  # it cannot enter while the first holds the write connection
    release.set()
    for thread in (one, two):
        thread.join(WAIT)
    assert not errors_one and not errors_two
    assert order == ["first in", "first out", "second in"]


def test_read_connections_refuse_writes(connections):
    with pytest.raises(Exception, match="readonly"):
        connections.current().execute("INSERT INTO item VALUES ('x')")


def test_a_thread_read_connection_is_closed_when_the_thread_ends(connections):
    opened = []

    def read():
        with connections.reading() as connection:
            opened.append(weakref.ref(connection))

    thread, errors = in_thread(read)
    thread.join(WAIT)
    assert not errors
    gc.collect()
    assert opened[0]() is None  # released, so closed (a sqlite3 connection closes when collected)


def test_close_closes_idle_readers_at_once_and_busy_ones_when_their_batch_ends():
    connections = Connections()
    with connections.writing() as connection:
        connection.execute("CREATE TABLE item (name TEXT)")
    path = connections.path
    idle = connections.current()
    started, finish = threading.Event(), threading.Event()
    busy = []

    def long_read():
        with connections.reading() as connection:
            busy.append(connection)
            started.set()
            assert finish.wait(WAIT)
            connection.execute("SELECT COUNT(*) FROM item").fetchone()  # still usable mid-batch

    thread, errors = in_thread(long_read)
    assert started.wait(WAIT)
    connections.close()
    with pytest.raises(Exception, match="closed"):
        idle.execute("SELECT 1")
    finish.set()
    thread.join(WAIT)
    assert not errors, errors
    with pytest.raises(Exception, match="closed"):
        busy[0].execute("SELECT 1")
    assert not os.path.exists(os.path.dirname(path))  # the temporary database is gone
    with pytest.raises(RuntimeError, match="closed"):
        with connections.writing():
            pass


def test_a_given_file_is_kept(tmp_path):
    path = str(tmp_path / "kept.db")
    connections = Connections(path)
    _insert_table(connections)
    connections.close()
    assert os.path.exists(path)


def _insert_table(connections):
    with connections.writing() as connection:
        connection.execute("CREATE TABLE item (name TEXT)")


def test_the_generation_advances_as_the_write_connection_is_released(connections):
    before = connections.generation
    with connections.reading() as reader:
        reader.execute("SELECT * FROM item").fetchall()
    assert connections.generation == before
    with connections.writing():
        with connections.writing():  # reentrant: released once, by the outer block
            pass
        assert connections.generation == before
    assert connections.generation == before + 1
