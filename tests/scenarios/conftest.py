"""ORM scenarios, each written once and run against two backends (the ``open_session`` fixture):

- ``live``: a fresh demo sandbox on loopback, real HTTP;
- ``replay``: the scenario's vcrpy cassette from ``cassettes/``, no server, no network
  (tests/support/cassettes.py; ``FTRACK_ORM_RECORD=1`` records it instead, and the
  live runs are skipped while recording).

A scenario that cannot be recorded deterministically runs live only: mark it with
``tests.support.cassettes.live_only``.
"""
from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any, Callable, Iterator, List, Optional

import pytest

from ftrack_orm import Session
from ftrack_orm.sandbox import Sandbox
from tests.support.cassettes import (
    CASSETTES,
    CLIENT_TOKEN,
    LIVE_URLS,
    RECORDER,
    RECORDING,
    REPLAY_URL,
    CassetteTransport,
    Target,
    cassette_name,
    deterministic_ids,
    prefilled_schema_cache,
    recording_target,
    require_cassette,
)
from tests.support.live import RecordingTransport

BACKENDS = ("live", "replay")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: Any, call: Any) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed:
        item.cassette_call_failed = True


@contextlib.contextmanager
def _live_target() -> Iterator[Target]:
    with Sandbox(seed="demo") as sandbox:
        yield Target(sandbox.url, sandbox.api_user, sandbox.api_key, sandbox.readonly_user, sandbox.readonly_key,
                     sandbox=sandbox)


@pytest.fixture(params=BACKENDS)
def open_session(request: Any, tmp_path: Path) -> Iterator[Callable[..., Session]]:
    """Yield ``open_session(user="admin", api_key=None, **options)`` on this test's backend.

    ``user="readonly"`` opens the session as the sandbox's read-only user; ``api_key``
    replaces the key (a wrong key gives InvalidCredentialsError). ``schema_cache``
    defaults to a cache pre-filled with the sandbox's schemas (pass ``False`` to
    download them); ``id_factory`` defaults to ids seeded by the scenario's name, the
    same on every run. Each session's transport keeps the batches it sent
    (``session.transport.batches``, ``.request_count``, ``.writes()``).
    ``open_session.backend`` is ``"live"`` or ``"replay"``; ``open_session.sandbox``
    is the live sandbox (None on replay).
    """
    backend = request.param
    live = backend == "live"
    if live and RECORDING:
        pytest.skip("recording: the replay backend records against the sandbox")
    name = cassette_name(request.node.module.__name__, request.node.name)
    path = CASSETTES / name
    if live:
        pass
    elif RECORDING:
        CASSETTES.mkdir(parents=True, exist_ok=True)
        if path.exists():
            path.unlink()  # record mode "all" would keep stale interactions of the old file
    else:
        require_cassette(path)
    sessions: List[Session] = []
    with (_live_target() if live else recording_target()) as target:
        cache_directory = tmp_path / "schema-cache"

        def open_session(user: str = "admin", api_key: Optional[str] = None, **options: Any) -> Session:
            if user == "readonly":
                if target.readonly_user is None:
                    pytest.skip("Recording against a real server needs FTRACK_ORM_READONLY_USER/_KEY for this scenario.")
                username, key = target.readonly_user, target.readonly_key
            else:
                username, key = target.user, target.key
            if "schema_cache" not in options:
                options["schema_cache"] = prefilled_schema_cache(cache_directory)
            if "id_factory" not in options:
                options["id_factory"] = deterministic_ids(f"{name}/{len(sessions)}")
            transport = RecordingTransport() if live else CassetteTransport(name)
            session = Session(target.url, username, api_key or key, client_token=CLIENT_TOKEN,
                              transport=transport, **options)
            sessions.append(session)
            return session

        open_session.backend = backend  # type: ignore[attr-defined]
        open_session.sandbox = target.sandbox  # type: ignore[attr-defined]
        if live:
            try:
                yield open_session
            finally:
                for session in sessions:
                    session.close()
            return
        LIVE_URLS[:] = [target.url] if target.url != REPLAY_URL else []
        try:
            with RECORDER.use_cassette(name, record_mode="all" if RECORDING else "none"):
                yield open_session
        finally:
            for session in sessions:
                session.close()
            LIVE_URLS.clear()
    failed = getattr(request.node, "cassette_call_failed", False)
    if RECORDING and failed and path.exists():
        path.unlink()  # a failed scenario's recording is not kept
    elif RECORDING and not any(session.transport.request_count for session in sessions):
        pytest.fail(f"Scenario {request.node.name} sent no request, so it would have no cassette; make it send one.")
