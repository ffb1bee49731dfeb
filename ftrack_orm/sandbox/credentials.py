"""Who a request's credentials name: checked in the database, remembered until the next write.

Every ``/api`` request names its caller (``ftrack-user``, ``ftrack-api-key``); the
answer (the user's id, and whether the key may only read) changes only when the
database does. A checked pair is kept with the store's write generation
(:attr:`Store.generation`, advanced as each write batch of this sandbox releases the write
connection) and served while that generation lasts: a request of a quiet sandbox
pays a dict lookup instead of an SQL statement, and any write (a new key, a
renamed or deleted user) makes the next request ask the database again. Only pairs
that authenticated are kept, so wrong guesses cannot grow the cache, and a wrong
key is never remembered as right.
"""
from __future__ import annotations

from typing import Dict, Optional, Tuple

from .errors import INVALID_CREDENTIALS, SandboxError
from .store import Store, quote

Caller = Tuple[Optional[str], bool]  # (the user's id, read-only)


class Credentials:
    """``check(username, api_key)``: the caller's ``(user id, read-only)``, or ``InvalidCredentialsError``."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._known: Dict[Tuple[str, str], Tuple[int, Caller]] = {}
        # one statement (its own snapshot, no transaction around it), read to its end (no statement left open)
        self._sql = (f'SELECT c.api_key, c.readonly, (SELECT u.id FROM {quote(store.family("User"))} u '
                     "WHERE u._type = 'User' AND u.username = c.username) AS user_id "
                     "FROM _sandbox_credentials c WHERE c.username = ?")

    def check(self, username: Optional[str], api_key: Optional[str]) -> Caller:
        """The caller named by ``username`` and ``api_key``; raises ``SandboxError`` when they do not match."""
        generation = self.store.generation  # read before the database: a write after it retires the entry
        known = self._known.get((username or "", api_key or ""))
        if known is not None and known[0] == generation:
            return known[1]
        rows = self.store.connection.execute(self._sql, [username or ""]).fetchall()
        row = rows[0] if rows else None
        if row is None or not api_key or row["api_key"] != api_key:
            raise SandboxError("InvalidCredentialsError", INVALID_CREDENTIALS, "api_credentials_invalid")
        caller = (row["user_id"], bool(row["readonly"]))
        if len(self._known) > 1024:  # only valid pairs are kept; a bound all the same
            self._known.clear()
        self._known[(username or "", api_key)] = (generation, caller)
        return caller
