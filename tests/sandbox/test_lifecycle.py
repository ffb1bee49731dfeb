"""Seeds, file databases, the command line and the pytest fixture."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import requests

from ftrack_orm.sandbox import Sandbox

from tests.support.sandbox_http import Client

ROOT = Path(__file__).resolve().parents[2]


def dump(sandbox):
    connection = sandbox.store.connection
    tables = [r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
    return {t: [tuple(row) for row in connection.execute(f'SELECT * FROM "{t}" ORDER BY rowid')] for t in tables}


def test_demo_seed_is_deterministic():
    first, second = Sandbox(fixed_keys=True), Sandbox(fixed_keys=True)
    try:
        one, two = dump(first), dump(second)
        assert one == two
        assert len(one["Context"]) == 43 and len(one["AssetVersion"]) == 25
        assert (first.api_user, first.api_key) == (second.api_user, second.api_key)
        data = {table: rows for table, rows in dump(Sandbox()).items() if table != "_sandbox_credentials"}
        assert data == {table: rows for table, rows in one.items() if table != "_sandbox_credentials"}
        assert first.readonly_user == "readonly" and first.readonly_key != first.api_key
    finally:
        first.stop()
        second.stop()


def test_demo_studio_contents(reader):
    assert len(reader.rows("select id from Project")) == 1
    assert len(reader.rows("select id from User")) == 5
    assert {r["name"] for r in reader.rows("select name from Type")} >= {"Compositing", "Animation", "Lighting"}
    assert len({r["status"]["id"] for r in reader.rows("select status.name from Task")}) >= 4
    assert len(reader.rows("select id from FileComponent")) == 25
    assert len(reader.rows("select id from Note")) == 10
    assert [r["key"] for r in reader.rows("select key from CustomAttributeConfiguration")] == ["fstart", "fend"]
    object_types = {r["name"]: r["id"] for r in reader.rows("select name from ObjectType")}
    assert object_types["Shot"] == "bad911de-3bd6-47b9-8b46-3476e237cb36"
    assert object_types["Sequence"] == "e5139355-61da-4c8f-9db4-3abc870166bc"


def test_empty_seed_has_users_and_reference_data_only():
    with Sandbox(seed="empty") as sandbox:
        client = Client(sandbox)
        assert client.rows("select id from Context") == []
        assert len(client.rows("select id from ObjectType")) == 7
        project_schema = client.rows("select id from ProjectSchema")[0]["id"]
        project = client.call([{"action": "create", "entity_type": "Project", "entity_data": {
            "name": "p", "full_name": "P", "project_schema_id": project_schema}}])[0]["data"]
        assert project["context_type"] == "show"


def test_file_database_persists_and_is_not_seeded_twice(tmp_path):
    path = str(tmp_path / "sandbox.db")
    with Sandbox(db=path) as sandbox:
        Client(sandbox).call([{"action": "update", "entity_type": "Shot", "entity_key": [
            Client(sandbox).rows("select id from Shot where name is sh010")[0]["id"]], "entity_data": {"description": "kept"}}])
        key = sandbox.api_key
    with Sandbox(db=path) as again:
        client = Client(again)
        assert again.api_key == key
        assert client.rows("select description from Shot where name is sh010")[0]["description"] == "kept"
        assert len(client.rows("select id from Shot")) == 10


def test_command_line_serves_and_prints_credentials():
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    process = subprocess.Popen(
        [sys.executable, "-m", "ftrack_orm.sandbox", "--port", "0", "--seed", "empty"],
        stdout=subprocess.PIPE, text=True, env=env, cwd=str(ROOT),
    )
    try:
        lines = [process.stdout.readline() for _ in range(4)]
        url = lines[0].strip().rsplit(" ", 1)[-1]
        assert url.startswith("http://127.0.0.1:")
        user = lines[2].strip().split("=", 1)[1]
        key = lines[3].strip().split("=", 1)[1]
        answer = requests.post(url + "/api", json=[{"action": "query_server_information"}],
                               headers={"ftrack-user": user, "ftrack-api-key": key}, timeout=10).json()
        assert answer[0]["schema_hash"] == "23a1157b8b1730fd91c76f63dcd67a8f"
    finally:
        process.terminate()
        process.wait(10)


def test_pytest_fixture(tmp_path):
    (tmp_path / "test_user_code.py").write_text(textwrap.dedent('''
        import os
        import requests
        from ftrack_orm import Session

        def test_with_sandbox(ftrack_sandbox):
            answer = requests.post(ftrack_sandbox.url + "/api", json=[{"action": "query", "expression": "select name from Shot"}],
                                   headers={"ftrack-user": ftrack_sandbox.api_user, "ftrack-api-key": ftrack_sandbox.api_key}).json()
            assert len(answer[0]["data"]) == 10
            assert ftrack_sandbox.request_count == 1

        def test_sessions_cache_schemas_in_a_temporary_directory(ftrack_sandbox):
            with Session(ftrack_sandbox.url, ftrack_sandbox.api_user, ftrack_sandbox.api_key) as session:
                assert len(session.query("Shot").all()) == 10
            cached = os.listdir(os.environ["FTRACK_ORM_CACHE_DIR"])
            assert len(cached) == 1 and cached[0].startswith("schemas-")
    '''))
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("FTRACK_ORM_CACHE_DIR", "XDG_CACHE_HOME")}
    env.update(PYTHONPATH=str(ROOT), HOME=str(home))
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:ftrack_sandbox",
         "-p", "ftrack_orm.sandbox.pytest_plugin", "--basetemp", str(tmp_path / "base"),
         str(tmp_path / "test_user_code.py")],
        capture_output=True, text=True, env=env, cwd=str(tmp_path), timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout
    assert list(home.iterdir()) == []


def test_schema_hash_follows_the_schemas_served(tmp_path):
    from tests.support.data import schemas_json

    shipped = Sandbox(seed="empty")
    assert shipped.server_information["schema_hash"] == "23a1157b8b1730fd91c76f63dcd67a8f"
    fewer = [schema for schema in schemas_json() if schema["id"] != "Timer"]
    path = tmp_path / "schemas.json"
    path.write_text(json.dumps(fewer))
    other = Sandbox(seed="empty", schemas=str(path))
    assert other.server_information["schema_hash"] not in ("", "23a1157b8b1730fd91c76f63dcd67a8f")
    assert Sandbox(seed="empty", schemas=str(path)).server_information["schema_hash"] == \
        other.server_information["schema_hash"]


def test_api_keys_are_random_unless_fixed_keys_are_asked_for():
    from ftrack_orm.sandbox.seed import api_key

    first, second = Sandbox(seed="empty"), Sandbox(seed="empty")
    assert first.api_key != second.api_key and first.readonly_key != second.readonly_key
    assert first.api_key != api_key(first.api_user)
    fixed = Sandbox(seed="empty", fixed_keys=True)
    assert fixed.api_key == api_key("admin") == Sandbox(seed="empty", fixed_keys=True).api_key


def test_a_file_database_keeps_its_keys(tmp_path):
    path = str(tmp_path / "studio.db")
    created = Sandbox(db=path, seed="empty")
    key = created.api_key
    created.stop()
    reopened = Sandbox(db=path, seed="empty")
    assert reopened.api_key == key
    reopened.stop()
