"""The command line and the demo: real sandbox, real output, readable errors."""
from __future__ import annotations

import io
import json
import py_compile
import subprocess
import sys

import pytest

from ftrack_orm.cli import main


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
    mypy = pytest.importorskip("mypy.api")
    user_code = tmp_path / "use.py"
    user_code.write_text(
        "import ftrack_types\n"
        "def label(task: ftrack_types.Task) -> str:\n"
        "    name: str = task.name\n"
        "    if task.parent is not None:\n"
        "        return task.parent.name + '/' + name\n"
        "    return name\n"
    )
    out, err, status = mypy.run(["--strict", "--no-incremental", "--cache-dir", str(tmp_path / ".mypy"), str(user_code)],)
    assert status == 0, out + err
    user_code.write_text("import ftrack_types\ndef f(task: ftrack_types.Task) -> int:\n    return task.name\n")
    out, err, status = mypy.run(["--strict", "--no-incremental", "--cache-dir", str(tmp_path / ".mypy"), str(user_code)])
    assert status == 1 and "Incompatible return value" in out


def test_broken_pipe_is_quiet():
    reader = subprocess.Popen(
        [sys.executable, "-m", "ftrack_orm", "schema", "Task", "--sandbox"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    reader.stdout.readline()
    reader.stdout.close()  # like `| head -1`
    reader.wait(60)
    assert b"Traceback" not in reader.stderr.read()
