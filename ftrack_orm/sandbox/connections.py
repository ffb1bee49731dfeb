"""The SQLite connections of one sandbox database: one writer, one reader per thread.

A batch that writes holds the single write connection (:meth:`Connections.writing`,
one thread at a time: SQLite has one writer anyway). A batch that only reads runs
in a read transaction on its thread's own connection (:meth:`Connections.reading`),
so reads proceed in parallel with each other and with a write batch, each on the
snapshot committed when it began (SQLite WAL: readers never wait for the writer,
nor see its uncommitted work). A read connection is ``query_only``.

A sandbox "in memory" is a temporary file in WAL mode, deleted on :meth:`close`
(or when the store is collected). The alternative, a shared-cache in-memory
database, cannot do this: shared cache has no WAL and locks whole tables, so a
reader either waits for (``SQLITE_LOCKED``) or, with ``read_uncommitted``, sees
the uncommitted writes of a batch that may still be rolled back. The temporary
file costs little: writes run with ``synchronous = OFF`` and stay in the OS page
cache.

Cleanup: a thread's read connection is closed when the thread ends (it lives in a
thread-local); :meth:`close` closes the writer and every idle reader, and a reader
in use closes itself when its batch ends.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import tempfile
import threading
import weakref
from typing import Iterator, Optional, Set


class _Connection(sqlite3.Connection):
    """A connection that can be weakly referenced (the registry of readers must not keep them alive)."""


class _ThreadState(threading.local):
    writing = 0  # depth of writing() blocks of this thread
    reader: Optional[_Connection] = None


def _remove(directory: str) -> None:
    shutil.rmtree(directory, ignore_errors=True)


class Connections:
    """The write connection and the per-thread read connections of the database at ``path``.

    ``path=None``: a temporary file, removed by :meth:`close`.
    """

    def __init__(self, path: Optional[str] = None) -> None:
        directory = None
        if path is None:
            directory = tempfile.mkdtemp(prefix="ftrack-sandbox-")
            path = os.path.join(directory, "sandbox.db")
        self.path = path
        self._remove = weakref.finalize(self, _remove, directory) if directory else None
        self._write_lock = threading.RLock()
        self._state = _ThreadState()
        self._registry = threading.Lock()
        self._readers: weakref.WeakSet[_Connection] = weakref.WeakSet()
        self._busy: Set[_Connection] = set()
        self._closed = False
        #: Advanced each time the write connection is released: what was read before may have changed.
        self.generation = 0
        self._writer = self._open()
        self._writer.execute("PRAGMA journal_mode = WAL")
        self._writer.execute("PRAGMA synchronous = OFF")

    def _open(self) -> _Connection:
        connection = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, factory=_Connection)
        connection.row_factory = sqlite3.Row
        return connection

    def current(self) -> sqlite3.Connection:
        """The write connection inside :meth:`writing`, else the calling thread's read connection."""
        state = self._state
        if state.writing:
            return self._writer
        return state.reader or self._new_reader(state)

    def _new_reader(self, state: _ThreadState) -> _Connection:
        connection = self._open()
        connection.execute("PRAGMA query_only = ON")
        with self._registry:
            if self._closed:
                connection.close()
                raise RuntimeError("The sandbox's database is closed.")
            self._readers.add(connection)
        state.reader = connection
        return connection

    @contextlib.contextmanager
    def writing(self) -> Iterator[sqlite3.Connection]:
        """Hold the write connection: other writers wait, readers do not. Reentrant."""
        with self._write_lock:
            if self._closed:
                raise RuntimeError("The sandbox's database is closed.")
            state = self._state
            state.writing += 1
            try:
                yield self._writer
            finally:
                state.writing -= 1
                if not state.writing:
                    self.generation += 1

    @contextlib.contextmanager
    def reading(self, snapshot: bool = True) -> Iterator[sqlite3.Connection]:
        """A read transaction (one snapshot) on the calling thread's read connection.

        Inside :meth:`writing` (or a read transaction already open) it just uses that.
        ``snapshot=False``: no transaction (each statement reads its own snapshot), for a
        caller that reads with a single statement: two statements fewer per request.
        """
        state = self._state
        connection = self.current()
        if state.writing or connection.in_transaction:
            yield connection
            return
        reader = state.reader
        assert reader is not None
        with self._registry:
            if self._closed:
                raise RuntimeError("The sandbox's database is closed.")
            self._busy.add(reader)
        try:
            if not snapshot:
                yield reader
            else:
                reader.execute("BEGIN")
                try:
                    yield reader
                finally:
                    reader.execute("COMMIT")  # ends the snapshot (a read transaction has nothing to write)
        finally:
            with self._registry:
                self._busy.discard(reader)
                closing, last = self._closed, not self._busy
            if closing:
                state.reader = None
                reader.close()
                if last:
                    self._drop_file()

    def close(self) -> None:
        """Close the writer and the idle readers; busy ones close as their batch ends, and the
        last of them removes a temporary database."""
        with self._write_lock, self._registry:
            if self._closed:
                return
            self._closed = True
            idle = [reader for reader in self._readers if reader not in self._busy]
            for reader in idle:
                reader.close()
            self._writer.close()
            last = not self._busy
        if last:
            self._drop_file()

    def _drop_file(self) -> None:
        """Remove a temporary database (once nothing uses it)."""
        if self._remove is not None:
            self._remove()
