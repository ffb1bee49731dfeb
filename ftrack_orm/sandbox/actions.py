"""The sandbox's answers to the server actions beyond query/create/update/delete.

``get_widget_url``, ``reset_remote``, ``delayed_job`` and ``send_user_invite``, with the answer shapes
of a real server (PROTOCOL.md, "More actions"; the official Python client's
``Session.get_widget_url``, ``Session.reset_remote`` / ``User.reset_api_key``).
:data:`ACTIONS` maps each action name to its handler; :data:`WRITING` are those
a read-only user may not call.
"""
from __future__ import annotations

import json
import secrets
import uuid
from typing import Any, Callable, Dict, List, Optional
from urllib.parse import urlencode

from .errors import permission_error, validation_error
from .writes import Writer

#: Widgets a server serves (``Session.get_widget_url``).
WIDGETS = ("info", "tasks", "tasks_browser")
#: ``reset_remote`` reset types the sandbox knows.
RESET_TYPES = ("api_key",)
#: ``delayed_job`` job types the sandbox knows (``ftrack_api.symbol.JOB_SYNC_USERS_LDAP``).
JOB_TYPES = ("SYNC_USERS_LDAP",)


class Actions:
    """Runs the extra actions against ``writer``'s store; ``base_url()`` is the server's URL."""

    def __init__(self, writer: Writer, base_url: Callable[[], str]) -> None:
        self.writer = writer
        self.store = writer.store
        self.base_url = base_url
        #: User ids sent an invitation (``send_user_invite``), in order: the sandbox sends no mail.
        self.invited: List[str] = []

    def __contains__(self, action: object) -> bool:
        return action in ACTIONS

    def run(self, action: str, operation: Dict[str, Any], user_id: Optional[str], readonly: bool,
            now: str) -> Any:
        """The answer of ``operation`` (whose ``action`` is in :data:`ACTIONS`)."""
        if readonly and action in WRITING:
            raise permission_error(f"Permission denied: the user may only read; {action} is not allowed.")
        return ACTIONS[action](self, operation, user_id, now)

    # -- the actions ------------------------------------------------------------------------
    def get_widget_url(self, operation: Dict[str, Any], user_id: Optional[str], now: str) -> Dict[str, Any]:
        """``{"widget_url": ...}``: an authenticated URL of widget ``name``."""
        name = operation.get("name")
        if name not in WIDGETS:
            raise validation_error(f"get_widget_url: unknown widget {name!r}; choose one of {list(WIDGETS)}.")
        theme = operation.get("theme")
        query: Dict[str, str] = {"view": str(name), "theme": theme if theme in ("light", "dark") else "dark"}
        if operation.get("entity_type") is not None:
            row = self._row(operation, "get_widget_url")
            query.update(entityType=row["_type"], entityId=str(row["id"]))
        query["auth"] = secrets.token_urlsafe(24)
        return {"widget_url": f"{self.base_url()}/widget/?{urlencode(query)}"}

    def reset_remote(self, operation: Dict[str, Any], user_id: Optional[str], now: str) -> Dict[str, Any]:
        """``reset_type`` ``api_key`` of a ``User``: a new key (the old one stops working)."""
        reset_type = operation.get("reset_type")
        if reset_type not in RESET_TYPES:
            raise validation_error(f"reset_remote: unknown reset_type {reset_type!r}; choose one of {list(RESET_TYPES)}.")
        row = self._row(operation, "reset_remote")
        if row["_type"] != "User":
            raise validation_error(f"reset_remote {reset_type!r} needs a User, not {row['_type']!r}.")
        key = str(uuid.UUID(bytes=secrets.token_bytes(16), version=4))
        connection = self.store.connection
        found = connection.execute("SELECT readonly FROM _sandbox_credentials WHERE username = ?",
                                   [row["username"]]).fetchone()
        connection.execute(
            "INSERT OR REPLACE INTO _sandbox_credentials (username, api_key, readonly) VALUES (?, ?, ?)",
            [row["username"], key, found[0] if found is not None else 0],
        )
        # a plain object, not an entity: the official client reads ``data["api_key"]``
        return {"action": "reset_remote", "data": {"api_key": key}}

    def delayed_job(self, operation: Dict[str, Any], user_id: Optional[str], now: str) -> Dict[str, Any]:
        """A queued ``Job`` for ``job_type``."""
        job_type = operation.get("job_type")
        if job_type not in JOB_TYPES:
            raise validation_error(f"delayed_job: unknown job_type {job_type!r}; choose one of {list(JOB_TYPES)}.")
        data = {"status": "queued", "user_id": user_id, "data": json.dumps({"job_type": job_type})}
        answer = self.writer.create("Job", data, user_id, now)
        return {"action": "delayed_job", "data": answer["data"]}

    def send_user_invite(self, operation: Dict[str, Any], user_id: Optional[str], now: str) -> Dict[str, Any]:
        """``{}``; the invited user is recorded in :attr:`invited` (no mail is sent)."""
        invited = operation.get("user_id")
        if not isinstance(invited, str) or self.store.get("User", [invited]) is None:
            raise validation_error(f"send_user_invite: no User with id {invited!r} exists.")
        self.invited.append(invited)
        return {}

    # -- helpers ----------------------------------------------------------------------------
    def _row(self, operation: Dict[str, Any], action: str) -> Any:
        entity_type, key = operation.get("entity_type"), operation.get("entity_key")
        if not isinstance(entity_type, str) or entity_type not in self.store.schemas:
            raise validation_error(f"{action}: unknown entity_type {entity_type!r}.")
        keys: List[Any] = list(key) if isinstance(key, (list, tuple)) else [key]
        row = self.store.get(entity_type, keys)
        if row is None:
            raise validation_error(f"{action}: no {entity_type} with key {keys!r} exists.")
        return row


#: Action name → handler.
ACTIONS: Dict[str, Callable[[Actions, Dict[str, Any], Optional[str], str], Any]] = {
    "get_widget_url": Actions.get_widget_url,
    "reset_remote": Actions.reset_remote,
    "delayed_job": Actions.delayed_job,
    "send_user_invite": Actions.send_user_invite,
}
#: Actions that write.
WRITING = frozenset({"reset_remote", "delayed_job", "send_user_invite"})
