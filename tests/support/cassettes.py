"""Recorded traffic: vcrpy cassettes in ``cassettes/``, one per scenario (tests/scenarios/).

Replay (the default, and CI): record mode ``none``, no server, no network; a request
that does not match its cassette fails with a message saying how to re-record, and
a missing cassette fails (it is never skipped).

Re-record: ``FTRACK_ORM_RECORD=1 pytest tests/scenarios`` records against a fresh
demo sandbox (with a fixed clock, so re-recording gives the same bytes), or against
a real ftrack server when ``FTRACK_SERVER``, ``FTRACK_API_USER`` and
``FTRACK_API_KEY`` are also set (that WRITES to the server). Requests match on
method, path and JSON-normalised body; the credentials (``ftrack-api-key``,
``ftrack-user``, ``apiKey=``) are scrubbed and the server URL is replaced by
:data:`REPLAY_URL` before anything is written. ``FTRACK_ORM_CASSETTE_DIR`` points
the whole suite at another cassette directory (used by the re-record check).
"""
from __future__ import annotations

import contextlib
import datetime
import itertools
import json
import os
import re
import urllib.parse
import uuid
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional

import attrs
import pytest
import vcr
from vcr.errors import CannotOverwriteExistingCassetteException

from ftrack_orm.sandbox import Sandbox
from ftrack_orm.sandbox.server import DATA as SANDBOX_DATA
from ftrack_orm.schema_cache import SchemaCache
from ftrack_orm.transport import HTTPResponse, RetryPolicy
from tests.support.live import RecordingTransport

REPO = Path(__file__).resolve().parents[2]
CASSETTES = Path(os.environ.get("FTRACK_ORM_CASSETTE_DIR") or REPO / "cassettes")
RECORDING = os.environ.get("FTRACK_ORM_RECORD") == "1"
REAL_SERVER = RECORDING and bool(os.environ.get("FTRACK_SERVER"))
REPLAY_URL = "http://ftrack.replay.invalid"
CLIENT_TOKEN = "ftrack-orm--cassette"
SCRUBBED = "<scrubbed>"
RECORD_COMMAND = "FTRACK_ORM_RECORD=1 pytest tests/scenarios"
#: The sandbox's clock while recording: batch N is stamped CLOCK_START + N minutes.
CLOCK_START = datetime.datetime(2024, 6, 3, 9, 0, 0)

_API_KEY_IN_TEXT = re.compile(r"(apiKey=)[^&\"'\s]+")
_KEPT_REQUEST_HEADERS = ("content-type", "accept", "ftrack-user", "ftrack-api-key", "ftrack-clienttoken",
                         "ftrack-strict-api")
_CREDENTIAL_HEADERS = ("ftrack-api-key", "ftrack-user")
#: Server URLs of the current recording, replaced by REPLAY_URL in what is written.
LIVE_URLS: List[str] = []


class CassetteMismatchError(AssertionError):
    """A request was not found in its cassette."""


# -- scrubbing (runs on a copy of each request/response before it is matched or written) --
def _scrub_text(text: str) -> str:
    for url in LIVE_URLS:
        text = text.replace(url, REPLAY_URL)
    return _API_KEY_IN_TEXT.sub(r"\1" + SCRUBBED, text)


def scrub_request(request: Any) -> Any:
    """Credentials out, server URL normalised, only the protocol's headers kept."""
    headers = {}
    for name, value in request.headers.items():
        lowered = name.lower()
        if lowered in _KEPT_REQUEST_HEADERS:
            headers[name] = SCRUBBED if lowered in _CREDENTIAL_HEADERS else value
    request.headers = headers
    request.uri = REPLAY_URL + (urllib.parse.urlsplit(request.uri).path or "/")  # works on every vcrpy
    if request.body:
        body = request.body.decode("utf-8") if isinstance(request.body, bytes) else request.body
        request.body = _scrub_text(body).encode("utf-8")
    return request


def scrub_response(response: Mapping[str, Any]) -> Mapping[str, Any]:
    """Only Content-Type kept (Date, Server, cookies vary or leak); body scrubbed."""
    body = response.get("body", {})
    if isinstance(body.get("string"), bytes):
        body["string"] = _scrub_text(body["string"].decode("utf-8")).encode("utf-8")
    headers = response.get("headers", {})
    kept = {name: value for name, value in headers.items() if name.lower() == "content-type"}
    kept["Content-Length"] = [str(len(body.get("string") or b""))]
    response["headers"] = kept
    return response


def _json_body(one: Any, two: Any) -> None:
    def load(request: Any) -> Any:
        raw = request.body or b""
        try:
            return json.loads(raw)
        except ValueError:
            return raw

    if load(one) != load(two):
        raise AssertionError("JSON bodies differ")


RECORDER = vcr.VCR(
    cassette_library_dir=str(CASSETTES),
    serializer="yaml",
    match_on=("method", "path", "json_body"),
    before_record_request=scrub_request,
    before_record_response=scrub_response,
    decode_compressed_response=True,
    record_on_exception=False,
)
RECORDER.register_matcher("json_body", _json_body)


class CassetteTransport(RecordingTransport):
    """Keeps every batch sent; turns vcrpy's "no match" into a failure telling to re-record."""

    def __init__(self, cassette_name: str) -> None:
        super().__init__(retry=RetryPolicy(attempts=1))
        self.cassette_name = cassette_name

    def post(self, url: str, body: bytes, headers: Any, *, read_only: bool) -> HTTPResponse:
        try:
            return super().post(url, body, headers, read_only=read_only)
        except CannotOverwriteExistingCassetteException as exc:
            raise CassetteMismatchError(
                f"This request is not in cassette {self.cassette_name!r} (or was already played): the code "
                f"now sends something the recording does not have. If the change is intended, re-record with\n"
                f"    {RECORD_COMMAND}\n"
                f"and review the cassette diff. Request body: {body[:300]!r}"
            ) from exc


def deterministic_ids(seed: str) -> Callable[[], str]:
    """An id factory giving the same ids on every run (uuid5 of a counter)."""
    namespace = uuid.uuid5(uuid.NAMESPACE_URL, f"ftrack-orm-cassette/{seed}")
    counter = itertools.count()
    return lambda: str(uuid.uuid5(namespace, str(next(counter))))


def cassette_name(module: str, test: str) -> str:
    """``test_writes`` + ``test_rollback[x]`` -> ``writes__rollback-x.yaml`` (the backend's
    parameter, ``replay``, is not part of the name)."""
    module = module.rsplit(".", 1)[-1]
    module = module[5:] if module.startswith("test_") else module
    test = test[5:] if test.startswith("test_") else test
    name, _, params = test.partition("[")
    kept = [part for part in params.rstrip("]").split("-") if part and part != "replay"]
    return f"{module}__" + "-".join([name, *kept]).replace("/", "-") + ".yaml"


def require_cassette(path: Path) -> None:
    """Fail (never skip) when a scenario's cassette is missing."""
    if not path.is_file():
        pytest.fail(
            f"Cassette {path.name} is missing from {path.parent}: this scenario cannot replay. "
            f"Record it with\n    {RECORD_COMMAND}\n(against the sandbox; see README.md, \"Recorded traffic\").",
            pytrace=False,
        )


# -- recording targets ---------------------------------------------------------------
@attrs.frozen
class Target:
    url: str
    user: str
    key: str
    readonly_user: Optional[str] = None
    readonly_key: Optional[str] = None
    sandbox: Optional[Sandbox] = None


class RecordingClock:
    """The sandbox's clock while recording: its N-th reading is ``CLOCK_START + N minutes``
    (it is read once per batch and once per signed upload URL), so ``created_at`` and
    friends, hence the cassettes, are the same on every run."""

    def __init__(self) -> None:
        self.readings = 0

    def __call__(self) -> datetime.datetime:
        self.readings += 1
        return CLOCK_START + datetime.timedelta(minutes=self.readings)


def recording_sandbox() -> Sandbox:
    """A demo sandbox whose every answer is the same on every run: fixed API keys, a
    recording clock, a fixed upload-signing secret."""
    return Sandbox(seed="demo", fixed_keys=True, clock=RecordingClock(), upload_secret=b"ftrack-orm recording")


@contextlib.contextmanager
def recording_target() -> Iterator[Target]:
    if REAL_SERVER:
        yield Target(os.environ["FTRACK_SERVER"].rstrip("/"), os.environ["FTRACK_API_USER"],
                     os.environ["FTRACK_API_KEY"], os.environ.get("FTRACK_ORM_READONLY_USER"),
                     os.environ.get("FTRACK_ORM_READONLY_KEY"))
    elif RECORDING:
        with recording_sandbox() as sandbox:
            yield Target(sandbox.url, sandbox.api_user, sandbox.api_key, sandbox.readonly_user, sandbox.readonly_key,
                         sandbox=sandbox)
    else:
        yield Target(REPLAY_URL, "replay-user", "replay-key", "replay-readonly", "replay-readonly-key")


_PACKAGED: Dict[str, Any] = {}


def packaged_schemas() -> Any:
    """(server information, schemas) shipped with the sandbox."""
    if not _PACKAGED:
        for name in ("server_information", "schemas"):
            with open(os.path.join(SANDBOX_DATA, f"{name}.json"), encoding="utf-8") as handle:
                _PACKAGED[name] = json.load(handle)
    return _PACKAGED["server_information"], _PACKAGED["schemas"]


def prefilled_schema_cache(directory: Path) -> SchemaCache:
    """A cache holding the sandbox's schemas under its schema_hash: a session start then
    records only the small ``query_server_information`` (a real server with another hash
    makes the session download and record its schemas, as it should)."""
    info, schemas = packaged_schemas()
    cache = SchemaCache(directory)
    cache.store(info["schema_hash"], schemas)
    return cache


#: Marks a scenario that runs against the live sandbox only (it cannot be recorded
#: deterministically: threads, failure injection, or a volume too big for a cassette).
live_only = pytest.mark.parametrize("open_session", ["live"], indirect=True)
