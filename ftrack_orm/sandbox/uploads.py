"""Signed, expiring upload URLs, as real ftrack servers hand out for file storage.

``get_upload_metadata`` answers a URL that carries its own proof: an expiry time and
an HMAC of the component id and that time under a secret only this sandbox knows.
A PUT is accepted only with a valid, unexpired signature, checked before the body
is read, so nobody can push data to a sandbox without first asking it through the
authenticated API.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import time
import urllib.parse
from typing import Callable, List, Mapping, Optional

UPLOAD_PREFIX = "/upload/"


class UploadSigner:
    """Signs and checks upload URLs for one sandbox: a fresh random secret each unless
    ``secret`` is given; ``clock`` gives the time in seconds since the epoch."""

    def __init__(self, lifetime: float, clock: Callable[[], float] = time.time, secret: Optional[bytes] = None) -> None:
        self._secret = secret if secret is not None else secrets.token_bytes(32)
        self.lifetime = lifetime
        self._clock = clock

    def __repr__(self) -> str:
        return f"<UploadSigner lifetime={self.lifetime}s>"

    def _signature(self, component_id: str, expires: int) -> str:
        message = f"{component_id}\n{expires}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    def path(self, component_id: str) -> str:
        """``/upload/<id>?expires=...&signature=...`` (append to the server URL)."""
        expires = int(self._clock() + self.lifetime)
        query = urllib.parse.urlencode({"expires": expires, "signature": self._signature(component_id, expires)})
        return f"{UPLOAD_PREFIX}{urllib.parse.quote(component_id, safe='')}?{query}"

    def verify(self, path: str) -> Optional[str]:
        """Why ``path`` may not be uploaded to (a sentence), or ``None`` when it may."""
        parsed = urllib.parse.urlsplit(path)
        if not parsed.path.startswith(UPLOAD_PREFIX):
            return "not an upload URL"
        component_id = urllib.parse.unquote(parsed.path[len(UPLOAD_PREFIX):])
        query: Mapping[str, List[str]] = urllib.parse.parse_qs(parsed.query)
        try:
            expires = int(query["expires"][0])
            signature = query["signature"][0]
        except (KeyError, IndexError, ValueError):
            return "the upload URL is not signed; ask for one with get_upload_metadata"
        if not hmac.compare_digest(signature, self._signature(component_id, expires)):
            return "the upload URL's signature is not valid"
        if self._clock() > expires:
            return "the upload URL has expired; ask for a new one with get_upload_metadata"
        return None
