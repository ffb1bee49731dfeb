"""Where the test data lives: the one place in ``tests/`` that knows.

Real ftrack answers are under ``tests/data/ftrack`` (see its README); the real
schemas and server information are the copies the sandbox ships.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import ftrack_orm.sandbox

TESTS = Path(__file__).resolve().parents[1]
REPOSITORY = TESTS.parent
RESPONSES = TESTS / "data" / "ftrack" / "responses"
SANDBOX_DATA = Path(ftrack_orm.sandbox.__file__).resolve().parent / "data"
SCHEMAS = SANDBOX_DATA / "schemas.json"
SERVER_INFORMATION = SANDBOX_DATA / "server_information.json"
#: A test CA and a server certificate for 127.0.0.1 it signed (see tests/data/README.md).
TLS = TESTS / "data" / "tls"
TEST_CA, SERVER_CERTIFICATE, SERVER_KEY = TLS / "ca.pem", TLS / "server.pem", TLS / "server.key"


def response_path(name: str) -> Path:
    """The file of the real server answer ``name`` (``"create_user.json"``)."""
    return RESPONSES / name


def load_json(path: Path) -> Any:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def schemas_json() -> Any:
    """The real ``query_schemas`` answer (116 entity types)."""
    return load_json(SCHEMAS)


def server_information_json() -> Any:
    """The real ``query_server_information`` answer."""
    return load_json(SERVER_INFORMATION)


def response_json(name: str) -> Any:
    """The real server answer ``name``, parsed."""
    return load_json(response_path(name))
