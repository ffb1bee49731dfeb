"""Plain HTTP to a sandbox with ``requests``: a client posting operation batches as a user,
and ``merged`` (every attribute seen per entity in an answer, as a client merges them)."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

import requests

from ftrack_orm.sandbox import Sandbox


def merged(data: Any, into: Optional[Dict[str, Dict[str, Any]]] = None) -> Dict[str, Dict[str, Any]]:
    """id → all attributes seen for that entity anywhere in ``data`` (as a client merges them)."""
    into = {} if into is None else into
    if isinstance(data, list):
        for item in data:
            merged(item, into)
    elif isinstance(data, dict) and "__entity_type__" in data:
        key = data.get("id") or repr(sorted((k, str(v)) for k, v in data.items() if not isinstance(v, (dict, list))))
        entry = into.setdefault(key, {})
        for name, value in data.items():
            merged(value, into)
            if not isinstance(value, (dict, list)) or name not in entry or isinstance(value, list):
                entry[name] = value
    return into


class Client:
    """POSTs operation batches to a sandbox as a given user."""

    def __init__(self, sandbox: Sandbox, user: Optional[str] = None, key: Optional[str] = None) -> None:
        self.sandbox = sandbox
        self.user = user or sandbox.api_user
        self.key = key or sandbox.api_key
        self.http = requests.Session()

    def post(self, operations: Any, strict: bool = False, headers: Optional[Dict[str, str]] = None) -> Tuple[int, Any]:
        sent = {"ftrack-user": self.user, "ftrack-api-key": self.key, "ftrack-clienttoken": "tests-token"}
        if strict:
            sent["ftrack-strict-api"] = "true"
        sent.update(headers or {})
        response = self.http.post(self.sandbox.url + "/api", json=operations, headers=sent, timeout=30)
        return response.status_code, response.json()

    def call(self, operations: List[Dict[str, Any]]) -> List[Any]:
        """Post and expect success."""
        status, body = self.post(operations)
        assert status == 200 and isinstance(body, list), body
        return body

    def error(self, operations: Any, **kwargs: Any) -> Dict[str, Any]:
        """Post and expect an error object."""
        _, body = self.post(operations, **kwargs)
        assert isinstance(body, dict) and "exception" in body, body
        return body

    def query(self, expression: str) -> Dict[str, Any]:
        return self.call([{"action": "query", "expression": expression}])[0]

    def rows(self, expression: str) -> List[Dict[str, Any]]:
        return self.query(expression)["data"]
