"""Tests of the cassettes themselves: no credentials, strict matching, loud failures, reproducible.

These read the committed cassettes, so they are skipped while recording (the files are
being rewritten); the re-record check runs only when asked (it records the whole suite).
"""
from __future__ import annotations

import importlib
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml

from ftrack_orm import Session
from ftrack_orm.sandbox.seed import USERS, api_key

from tests.support.cassettes import (
    CASSETTES,
    CLIENT_TOKEN,
    RECORD_COMMAND,
    RECORDER,
    RECORDING,
    REPLAY_URL,
    SCRUBBED,
    CassetteMismatchError,
    CassetteTransport,
    prefilled_schema_cache,
    require_cassette,
)

REPO = Path(__file__).resolve().parents[2]
FILES = sorted(CASSETTES.glob("*.yaml"))
SANDBOX_KEYS = {username: api_key(username) for username, *_ in USERS}

pytestmark = pytest.mark.skipif(RECORDING, reason="the cassettes are being re-recorded")


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, bytes):
        yield value.decode("utf-8", "replace")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)


def _load(path: Path) -> Any:
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def test_there_are_cassettes_and_they_are_small():
    assert len(FILES) >= 25
    assert sum(path.stat().st_size for path in FILES) < 2 * 1024 * 1024


@pytest.mark.parametrize("path", FILES, ids=[path.name for path in FILES])
def test_cassette_holds_no_credential(path):
    text = path.read_text(encoding="utf-8")
    texts = [text, *list(_strings(_load(path)))]  # raw file, and every string as YAML decodes it
    secrets = dict(SANDBOX_KEYS)
    if os.environ.get("FTRACK_API_KEY"):
        secrets["$FTRACK_API_KEY"] = os.environ["FTRACK_API_KEY"]
    for owner, secret in secrets.items():
        assert not any(secret in part for part in texts), f"{path.name} holds the API key of {owner}"
    for part in texts:
        for value in re.findall(r"apiKey=([^&\"'\s]*)", part):
            assert value == SCRUBBED, f"{path.name} holds an un-scrubbed apiKey= value"
        assert "127.0.0.1" not in part, f"{path.name} holds the recording server's address"
    interactions = _load(path)["interactions"]
    assert interactions, f"{path.name} has no interaction"
    for interaction in interactions:
        request = interaction["request"]
        assert request["uri"] == f"{REPLAY_URL}/api"
        headers = {name.lower(): value for name, value in request["headers"].items()}
        assert headers["ftrack-api-key"] == [SCRUBBED] and headers["ftrack-user"] == [SCRUBBED]
        assert headers["ftrack-clienttoken"] == [CLIENT_TOKEN]


def test_the_credential_scan_would_catch_a_leak(tmp_path):
    leaked = tmp_path / "leak.yaml"
    clean = FILES[0].read_text(encoding="utf-8")
    leaked.write_text(clean.replace(SCRUBBED, SANDBOX_KEYS["admin"], 1), encoding="utf-8")
    with pytest.raises(AssertionError, match="API key of admin"):
        test_cassette_holds_no_credential(leaked)


@pytest.mark.parametrize("path", FILES, ids=[path.name for path in FILES])
def test_cassette_belongs_to_a_scenario(path):
    """A renamed or removed scenario must not leave its cassette behind."""
    module, _, test = path.stem.partition("__")
    test = "test_" + test.split("-", 1)[0]
    scenarios = importlib.import_module(f"tests.scenarios.test_{module}")
    assert callable(getattr(scenarios, test, None)), f"{path.name}: no scenario {test} in test_{module}.py"


def _replay_session(name: str) -> Session:
    return Session(REPLAY_URL, "replay-user", "replay-key", client_token=CLIENT_TOKEN,
                   transport=CassetteTransport(name), schema_cache=False)


def test_changed_request_fails_with_the_re_record_message():
    name = "session__session_start_downloads_schemas.yaml"
    with RECORDER.use_cassette(name, record_mode="none"):
        with _replay_session(name) as session:
            changed = [{"action": "query_server_information", "values": ["extra"]}, {"action": "query_schemas"}]
            with pytest.raises(CassetteMismatchError) as info:
                session.call(changed)
    message = str(info.value)
    assert name in message and "re-record" in message and RECORD_COMMAND in message
    assert "extra" in message  # shows the request that did not match


def test_request_bodies_match_as_json_not_as_bytes(tmp_path):
    """Same operations with another key order and spacing: still the recorded request."""
    name = "session__session_start_with_cached_schemas_asks_only_server_information.yaml"
    with RECORDER.use_cassette(name, record_mode="none"):
        session = Session(REPLAY_URL, "u", "k", client_token=CLIENT_TOKEN, transport=CassetteTransport(name),
                          schema_cache=prefilled_schema_cache(tmp_path))
        response = session.transport.post(f"{REPLAY_URL}/api", b'[ { "action" : "query_server_information" } ]',
                                          {"Content-Type": "application/json"}, read_only=True)
        assert response.status_code == 200 and b"schema_hash" in response.content
        with pytest.raises(CassetteMismatchError):  # each recorded answer plays once
            session.transport.post(f"{REPLAY_URL}/api", b'[{"action":"query_server_information"}]', {},
                                   read_only=True)


def test_missing_cassette_fails_with_how_to_record(tmp_path):
    with pytest.raises(pytest.fail.Exception, match=re.escape(RECORD_COMMAND)):
        require_cassette(tmp_path / "nope.yaml")


def _run_pytest(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items()
                   if not k.startswith(("FTRACK_ORM_", "FTRACK_SERVER", "FTRACK_API_"))}
    environment.update(env)
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args], cwd=REPO,
                          env=environment, capture_output=True, text=True, timeout=600)


def test_a_scenario_whose_cassette_is_deleted_fails_not_skips(tmp_path):
    run = _run_pytest("tests/scenarios/test_session.py::test_session_start_with_cached_schemas_asks_only_server_information[replay]",
                      "-rA", FTRACK_ORM_CASSETTE_DIR=str(tmp_path))
    assert run.returncode == 1, run.stdout + run.stderr
    assert "1 error" in run.stdout or "1 failed" in run.stdout
    assert "skipped" not in run.stdout
    assert "session__session_start_with_cached_schemas_asks_only_server_information.yaml is missing" in run.stdout
    assert RECORD_COMMAND in run.stdout


_DATETIME = re.compile(r'("__type__": "datetime", "value": )"[^"]*"')


def _without_varying_parts(text: str) -> str:
    return _DATETIME.sub(r"\1", text)


@pytest.mark.skipif(os.environ.get("FTRACK_ORM_CHECK_RERECORD") != "1",
                    reason="records the whole suite again; run with FTRACK_ORM_CHECK_RERECORD=1")
def test_re_recording_against_the_sandbox_reproduces_the_cassettes(tmp_path):
    run = _run_pytest("tests/scenarios", FTRACK_ORM_RECORD="1", FTRACK_ORM_CASSETTE_DIR=str(tmp_path))
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    fresh = sorted(tmp_path.glob("*.yaml"))
    assert [p.name for p in fresh] == [p.name for p in FILES]
    differing = []
    for old, new in zip(FILES, fresh):
        old_bytes, new_bytes = old.read_bytes(), new.read_bytes()
        if old_bytes == new_bytes:
            continue
        # allowed: timestamps (the sandbox's clock is fixed while recording, so none are expected)
        if _without_varying_parts(old_bytes.decode()) != _without_varying_parts(new_bytes.decode()):
            differing.append(old.name)
    assert differing == [], f"re-recording changed {differing}"
