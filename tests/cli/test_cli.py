"""The command line and the demo: real sandbox, real output, readable errors."""
from __future__ import annotations

import argparse
import io
import json
import py_compile
import socket
import subprocess
import sys

import pytest

import ftrack_orm


from ftrack_orm.cli import build_parser, main


def run(*argv):
    out = io.StringIO()
    code = main(list(argv), out=out)
    return code, out.getvalue()


def test_demo_runs_to_the_end():
    code, text = run("demo")
    assert code == 0
    assert "committed 13 operations in 1 request(s)" in text
    assert "on the server: 0 roto tasks; still pending locally: 3" in text
    assert "2 requests (not 36)" in text
    assert "Did you mean 'name'" in text
    assert "update Shot description (by admin, another session: True)" in text
    assert "refreshed without a query: sh010.description = 'locked for comp'" in text
    assert "Demo finished" in text


def test_demo_as_a_module_command():
    completed = subprocess.run([sys.executable, "-m", "ftrack_orm", "demo"], capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    assert "Demo finished" in completed.stdout


def test_schema_lists_types_and_attributes():
    code, text = run("schema", "--sandbox")
    assert code == 0
    assert "TypedContext" in text and "AssetVersion" in text
    code, text = run("schema", "Task", "--sandbox")
    assert code == 0
    lines = {line.split()[0]: line for line in text.splitlines()[3:] if line.strip()}
    assert "number" in lines["bid"] and "required" in lines["bid"]
    assert "reference -> Context" in lines["parent"]


def test_query_table_and_json():
    code, text = run("query", "select name, parent.name from Shot where name like 'sh01%' order by name", "--sandbox")
    assert code == 0
    lines = text.splitlines()
    assert lines[0].split() == ["name", "parent.name"]
    assert [line.split() for line in lines[2:]] == [["sh010", "sq010"]]
    code, text = run("query", "select name from Shot order by name", "--limit", "2", "--json", "--sandbox")
    rows = json.loads(text)
    assert rows == [{"name": "sh010"}, {"name": "sh020"}]


def test_errors_are_one_line(capsys, monkeypatch):
    code, _ = run("query", "Tsk where name is x", "--sandbox")
    err = capsys.readouterr().err
    assert code == 1 and err.startswith("error: ") and "Did you mean 'Task'" in err
    assert "Traceback" not in err
    for name in ("FTRACK_SERVER", "FTRACK_API_USER", "FTRACK_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    code, _ = run("schema")
    err = capsys.readouterr().err
    assert code == 1 and "FTRACK_SERVER" in err and len(err.strip().splitlines()) == 1


def test_stubs_compile_and_type_check(tmp_path):
    code, text = run("stubs", "--out", str(tmp_path), "--sandbox")
    assert code == 0 and "116 entity types" in text
    stub = tmp_path / "ftrack_types.pyi"
    py_compile.compile(str(stub), doraise=True)
    content = stub.read_text()
    assert "class Shot(TypedContext):" in content and "class TypedContext(Context):" in content
    assert "    from_: Optional[str]" in content or "from_:" in content
    assert "ShotCustomAttributes = TypedDict(" in content  # the CLI passes the configurations
    # type checkers over the stubs: tests/test_stubs.py


def test_broken_pipe_is_quiet():
    reader = subprocess.Popen(
        [sys.executable, "-m", "ftrack_orm", "schema", "Task", "--sandbox"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    reader.stdout.readline()
    reader.stdout.close()  # like `| head -1`
    reader.wait(60)
    assert b"Traceback" not in reader.stderr.read()


# -- issue 19: exact limits, one-line errors, help, version, hints, progress ---------------


def test_limit_zero_prints_no_rows():
    code, text = run("query", "select name from Shot", "--limit", "0", "--json", "--sandbox", "--quiet")
    assert code == 0 and json.loads(text) == []


def test_limit_never_widens_the_expressions_own_limit():
    code, text = run("query", "select name from Shot order by name limit 2", "--limit", "5", "--json", "--sandbox")
    assert code == 0 and [row["name"] for row in json.loads(text)] == ["sh010", "sh020"]
    code, text = run("query", "select name from Shot order by name limit 5", "--limit", "3", "--json", "--sandbox")
    assert code == 0 and len(json.loads(text)) == 3


def test_negative_limit_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_:
        run("query", "Shot", "--limit", "-1", "--sandbox")
    assert exit_.value.code == 2 and "expected 0 or more" in capsys.readouterr().err


def one_line_error(capsys, *argv):
    code, _ = run(*argv)
    err = capsys.readouterr().err
    assert code == 1, err
    assert err.startswith("error: ") and len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    return err


def test_stubs_into_an_existing_file_or_unwritable_place(tmp_path, capsys):
    existing = tmp_path / "file.txt"
    existing.write_text("x")
    assert "file.txt" in one_line_error(capsys, "stubs", "--out", str(existing), "--sandbox")
    one_line_error(capsys, "stubs", "--out", "/proc/x", "--sandbox")


def test_sandbox_start_failures_are_one_line(tmp_path, capsys):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        one_line_error(capsys, "sandbox", "--port", str(port))
    missing = tmp_path / "missing.json"
    assert "missing.json" in one_line_error(capsys, "sandbox", "--schemas", str(missing))
    assert "/proc/x.db" in one_line_error(capsys, "sandbox", "--db", "/proc/x.db")


def test_sandbox_failure_as_a_process_has_no_traceback(tmp_path):
    completed = subprocess.run([sys.executable, "-m", "ftrack_orm", "sandbox", "--schemas", str(tmp_path / "no.json")],
                               capture_output=True, text=True, timeout=120)
    assert completed.returncode == 1 and completed.stderr.startswith("error: ")
    assert "Traceback" not in completed.stderr


def test_every_command_and_argument_has_help_and_an_example():
    parser = build_parser()
    subcommands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name, command in subcommands.choices.items():
        if name == "sandbox":  # its own parser: python -m ftrack_orm.sandbox
            continue
        assert command.description and "examples:" in (command.epilog or ""), name
        for action in command._actions:
            assert action.help, (name, action.dest)
    code, _ = sandbox_help()
    assert code == 0


def sandbox_help():
    completed = subprocess.run([sys.executable, "-m", "ftrack_orm", "sandbox", "--help"],
                               capture_output=True, text=True, timeout=120)
    text = completed.stdout
    assert "examples:" in text and "ftrack-orm sandbox" in text
    return completed.returncode, text


def test_version():
    completed = subprocess.run([sys.executable, "-m", "ftrack_orm", "--version"], capture_output=True, text=True,
                               timeout=120)
    assert completed.returncode == 0 and completed.stdout.strip() == f"ftrack-orm {ftrack_orm.__version__}"


def test_connection_hint_names_the_command_line_options(capsys, monkeypatch):
    for name in ("FTRACK_SERVER", "FTRACK_API_USER", "FTRACK_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    err = one_line_error(capsys, "query", "Task")
    assert "--server" in err and "FTRACK_SERVER" in err and "--sandbox" in err and "server_url=" not in err


def test_progress_on_stderr_for_multi_page_queries(capsys):
    code, text = run("query", "select name from Shot", "--page-size", "3", "--sandbox")
    err = capsys.readouterr().err
    assert code == 0 and "Shot: 3 rows" in err and "(done)" in err
    rows = len(text.splitlines()) - 2
    assert f"Shot: {rows} rows (done)" in err
    code, _ = run("query", "select name from Shot", "--sandbox")  # one page: nothing to report
    assert code == 0 and capsys.readouterr().err == ""
    code, _ = run("query", "select name from Shot", "--page-size", "3", "--quiet", "--sandbox")
    assert code == 0 and capsys.readouterr().err == ""


# -- issue 15 item 6: bring your own server's shape ----------------------------------------


def test_snapshot_of_a_server_is_served_by_the_sandbox_command(tmp_path, capsys):
    from ftrack_orm import Session
    from ftrack_orm.sandbox import Sandbox

    out = tmp_path / "studio"
    with Sandbox() as server:
        code, text = run("snapshot", "--server", server.url, "--user", server.api_user, "--key", server.api_key,
                         "--out", str(out), "--project", "demo_vfx")
        assert code == 0 and "serve it: python -m ftrack_orm.sandbox --schemas" in text
        assert "TypedContext: " in capsys.readouterr().err
        with Session(server.url, server.api_user, server.api_key, schema_cache=False) as theirs:
            task = theirs.query("select name, parent.name from Task").first()
            expected = (task.id, task.name, task.parent.name)
        assert "already exists" in one_line_error(capsys, "snapshot", "--server", server.url, "--user",
                                                  server.api_user, "--key", server.api_key, "--out", str(out))
    assert server.api_key not in text
    serving = subprocess.Popen(
        [sys.executable, "-m", "ftrack_orm.sandbox", "--schemas", str(out / "schemas.json"),
         "--server-information", str(out / "server_information.json"), "--db", str(out / "sandbox.db")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert serving.stdout.readline().startswith("ftrack sandbox serving on ")
        settings = {}
        for line in [serving.stdout.readline() for _ in range(3)]:
            name, _, value = line.strip().partition("=")
            settings[name] = value
        with Session(settings["FTRACK_SERVER"], settings["FTRACK_API_USER"], settings["FTRACK_API_KEY"],
                     schema_cache=False) as ours:
            task = ours.query(f"select name, parent.name from Task where id is {expected[0]}").one()
            assert (task.id, task.name, task.parent.name) == expected
    finally:
        serving.terminate()
        serving.wait(30)


def test_snapshot_without_people_copies_no_users(tmp_path, capsys):
    from ftrack_orm.sandbox import Sandbox

    with Sandbox() as server:
        code, _ = run("snapshot", "--server", server.url, "--user", server.api_user, "--key", server.api_key,
                      "--out", str(tmp_path / "studio"), "--project", "demo_vfx", "--no-people")
    progress = capsys.readouterr().err
    assert code == 0 and "Note: " in progress and "User: " not in progress and "Timelog: " not in progress
