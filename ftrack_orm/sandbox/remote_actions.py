"""The sandbox's answers to the server-side helper actions of the API (PROTOCOL.md,
"More actions"): ``get_widget_url``, ``delayed_job``, ``reset_remote`` and
``send_user_invite``, answered in the shapes the official clients read.

* ``get_widget_url``: ``{"widget_url": ...}`` (a URL on the sandbox carrying the
  widget name, the theme and the entity, never the API key);
* ``delayed_job``: a ``Job`` entity (``status`` ``"queued"``) of the user; only
  ``SYNC_USERS_LDAP`` is a known job type;
* ``reset_remote``: ``{"data": {...}}``; the one reset type served is ``api_key``
  of a ``User`` (a new key replaces the old one; the answer carries it);
* ``send_user_invite``: ``{}``; the invited user ids are kept in :attr:`RemoteActions.invited`.
"""
from __future__ import annotations

import json
import urllib.parse
import uuid
from typing import Any, Callable, Dict, List, Mapping, Optional

from .errors import validation_error
from .seed import random_api_key
from .store import Store
from .writes import Writer

ACTIONS = ("get_widget_url", "delayed_job", "reset_remote", "send_user_invite")
JOB_TYPES = ("SYNC_USERS_LDAP",)
THEMES = ("light", "dark")


class RemoteActions:
    """Runs the helper actions inside the caller's batch transaction."""

    def __init__(self, store: Store, writer: Writer, url: Callable[[], str]) -> None:
        self.store = store
        self.writer = writer
        self._url = url
        #: User ids sent an invitation, in order.
        self.invited: List[str] = []

    def handles(self, action: Any) -> bool:
        """True when ``action`` is one of :data:`ACTIONS`."""
        return action in ACTIONS

    def run(self, operation: Mapping[str, Any], user_id: Optional[str], now: str) -> Any:
        """The answer to one helper ``operation``."""
        action = operation["action"]
        if action == "get_widget_url":
            return self._widget_url(operation)
        if action == "delayed_job":
            return self._delayed_job(operation, user_id, now)
        if action == "reset_remote":
            return self._reset_remote(operation)
        return self._invite(operation)

    def _widget_url(self, operation: Mapping[str, Any]) -> Dict[str, Any]:
        name = operation.get("name")
        if not isinstance(name, str) or not name:
            raise validation_error("get_widget_url needs a widget name.")
        theme = operation.get("theme")
        params = {"view": name, "theme": theme if theme in THEMES else "dark", "token": uuid.uuid4().hex}
        if operation.get("entity_type"):
            key = operation.get("entity_key") or []
            params.update(entityType=str(operation["entity_type"]), entityId=",".join(map(str, key)))
        return {"widget_url": f"{self._url()}/widget/?{urllib.parse.urlencode(params)}"}

    def _delayed_job(self, operation: Mapping[str, Any], user_id: Optional[str], now: str) -> Any:
        job_type = operation.get("job_type")
        if job_type not in JOB_TYPES:
            raise validation_error(f"Unknown job type {job_type!r}; known: {', '.join(JOB_TYPES)}.")
        data = {"id": str(uuid.uuid4()), "status": "queued", "type": "api_job", "user_id": user_id,
                "data": json.dumps({"job_type": job_type})}
        return self.writer.create("Job", data, user_id, now)

    def _reset_remote(self, operation: Mapping[str, Any]) -> Dict[str, Any]:
        reset_type = operation.get("reset_type")
        if reset_type != "api_key" or operation.get("entity_type") != "User":
            raise validation_error(f"Unknown reset type {reset_type!r} for {operation.get('entity_type')!r}.")
        key = operation.get("entity_key")
        user_id = key[0] if isinstance(key, list) and key else key
        connection = self.store.connection
        row = connection.execute(
            f'SELECT username FROM "{self.store.family("User")}" WHERE _type = ? AND id = ?', ["User", user_id]
        ).fetchone()
        if row is None:
            raise validation_error(f"No User with id {user_id!r}.")
        fresh = random_api_key(row["username"])
        connection.execute("UPDATE _sandbox_credentials SET api_key = ? WHERE username = ?", [fresh, row["username"]])
        return {"data": {"api_key": fresh}}

    def _invite(self, operation: Mapping[str, Any]) -> Dict[str, Any]:
        user_id = operation.get("user_id")
        if not isinstance(user_id, str):
            raise validation_error("send_user_invite needs a user_id.")
        self.invited.append(user_id)
        return {}
