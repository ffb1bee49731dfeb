"""Generated stubs against real type checkers: mypy and pyright over a user's script.

Both must accept the code people write (typed session, typed query results, builder
paths, custom attributes) with the right inferred types, and reject the listed mistakes.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict, List

import pytest

import ftrack_orm
from ftrack_orm import Session
from ftrack_orm.sandbox import Sandbox
from ftrack_orm.stubs import render_stubs, write_stubs

REPO = Path(ftrack_orm.__file__).resolve().parent.parent

PRELUDE = """\
from typing import TYPE_CHECKING, cast
from ftrack_orm import Session
if TYPE_CHECKING:
    import ftrack_types

session = cast("ftrack_types.Session", Session("http://x.invalid", "u", "k"))
Task, Shot = session.Task, session.Shot
"""

#: Correct code, and what each revealed expression must be (as both checkers spell it).
GOOD = PRELUDE + """\
for t in session.query(Task).where(Task.parent.name.like("sh%")):
    reveal_type(t)  # Task
    reveal_type(t.parent)  # Context
    reveal_type(Task.parent.name)  # AttributePath[str]
    print(t.name)
    print(t.parent.name)  # a TypedContext always has a parent
    reveal_type(t.status)  # Status | None
reveal_type(session.query(Task).first())  # Task | None
reveal_type(session.query(Task).one())  # Task
reveal_type(session.query(Task).all())  # list[Task]
reveal_type(session.types["Shot"])  # type[Shot]
reveal_type(session.create("Task", {"name": "x"}))  # Task
shot = session.query(Shot).where(Shot.name == "sh010").one()
shot.custom_attributes["fstart"] = 1101
reveal_type(shot.custom_attributes["fend"])  # str | None
task = session.query(Task).where(Task.bid >= 3, Task.name.not_like("x%")).order_by(Task.name.desc()).one()
task.bid = 3600
task.name = "layout"
untyped = session.query("Task where name is x").first()
"""

#: Mistakes, each on its own line: a checker must flag every one of these lines.
BAD: Dict[str, str] = {
    "assign a string to a number": 'task.bid = "abc"',
    "typo on an instance": "task.nmae",
    "typo in a builder path": "Task.parent.nmae",
    "order a string with a number": "Task.name > 3",
    "custom attribute of the wrong type": 'shot.custom_attributes["fstart"] = "early"',
    "first() may be None": "number: int = session.query(Task).first()",
    "a status may be None": "print(task.status.name)",
}

EXPECTED_REVEALS = {
    "Task": r"(ftrack_types\.)?Task",
    "Context": r"(ftrack_types\.)?Context",
    "Status | None": r"(ftrack_types\.)?Status \| None",
    "AttributePath[str]": r"(ftrack_orm\.query\.builder\.)?AttributePath\[(builtins\.)?str\]",
    "Task | None": r"(ftrack_types\.)?Task \| None",
    "list[Task]": r"(builtins\.)?[lL]ist\[(ftrack_types\.)?Task\]",
    "type[Shot]": r"type\[(ftrack_types\.)?Shot\]",
    "str | None": r"(builtins\.)?str \| None",
}


@pytest.fixture(scope="module")
def stub_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("stubs")
    with Sandbox(seed="demo") as sandbox, Session(sandbox.url, sandbox.api_user, sandbox.api_key,
                                                   schema_cache=False) as session:
        write_stubs(session.schemas, directory, session.identity_map.settings.custom_attribute_configurations)
    return directory


def bad_script() -> str:
    prelude = PRELUDE + 'task = session.query(Task).one()\nshot = session.query(Shot).one()\n'
    return prelude + "".join(line + "\n" for line in BAD.values())


def bad_lines() -> Dict[int, str]:
    first = len(bad_script().splitlines()) - len(BAD) + 1
    return {first + index: what for index, what in enumerate(BAD)}


def reveals_expected() -> Dict[int, str]:
    return {number: line.split("# ")[-1] for number, line in enumerate(GOOD.splitlines(), 1) if "reveal_type" in line}


def run_mypy(directory: Path, script: Path) -> List[str]:
    api = pytest.importorskip("mypy.api")
    env_path = os.pathsep.join([str(REPO), str(directory)])
    previous = os.environ.get("MYPYPATH")
    os.environ["MYPYPATH"] = env_path
    try:
        out, err, _ = api.run(["--strict", "--no-incremental", "--cache-dir", str(directory / ".mypy"),
                               "--python-version", "3.10", str(script)])
    finally:
        if previous is None:
            del os.environ["MYPYPATH"]
        else:
            os.environ["MYPYPATH"] = previous
    return (out + err).splitlines()


def run_pyright(directory: Path, script: Path) -> List[str]:
    pytest.importorskip("pyright", reason="pyright is a test extra: pip install -e '.[test]'")
    if shutil.which("node") is None:
        pytest.skip("pyright needs node on PATH (else it would download it)")
    (directory / "pyrightconfig.json").write_text(json.dumps({
        "extraPaths": [str(REPO), str(directory)], "pythonVersion": "3.9", "typeCheckingMode": "strict",
        "reportMissingModuleSource": False, "reportUnusedExpression": False,
    }))
    env = dict(os.environ, PYRIGHT_PYTHON_IGNORE_WARNINGS="1")  # no version check over the network
    completed = subprocess.run([sys.executable, "-m", "pyright", "--outputjson", str(script)], cwd=directory,
                               capture_output=True, text=True, timeout=600, env=env)
    try:
        report = json.loads(completed.stdout)
    except ValueError:
        pytest.skip(f"pyright did not run: {completed.stderr.strip()[:300]}")
    return [f"{script.name}:{d['range']['start']['line'] + 1}: {d['severity']}: {d['message']}"
            for d in report["generalDiagnostics"]]


def reveals(lines: List[str], checker: str) -> Dict[int, str]:
    found = {}
    for line in lines:
        if checker == "mypy":
            match = re.match(r".*?use\.py:(\d+): note: Revealed type is \"(.*)\"", line)
        else:
            match = re.match(r"use\.py:(\d+): information: Type of \".*\" is \"(.*)\"", line)
        if match:
            found[int(match.group(1))] = match.group(2)
    return found


def errors(lines: List[str], name: str) -> List[int]:
    numbers = []
    for line in lines:
        match = re.match(rf".*?{name}:(\d+): error", line)
        if match:
            numbers.append(int(match.group(1)))
    return numbers


@pytest.mark.parametrize("checker", ["mypy", "pyright"])
def test_checkers_accept_typed_user_code(stub_dir: Path, checker: str) -> None:
    script = stub_dir / "use.py"
    script.write_text(GOOD)
    lines = run_mypy(stub_dir, script) if checker == "mypy" else run_pyright(stub_dir, script)
    assert errors(lines, "use.py") == [] and not any("ftrack_types.pyi" in line and "error" in line
                                                      for line in lines), "\n".join(lines)
    revealed = reveals(lines, checker)
    for number, expected in reveals_expected().items():
        assert re.fullmatch(EXPECTED_REVEALS[expected], revealed.get(number, "")), (number, expected, revealed)


@pytest.mark.parametrize("checker", ["mypy", "pyright"])
def test_checkers_reject_the_listed_mistakes(stub_dir: Path, checker: str) -> None:
    script = stub_dir / "bad.py"
    script.write_text(bad_script())
    lines = run_mypy(stub_dir, script) if checker == "mypy" else run_pyright(stub_dir, script)
    flagged = set(errors(lines, "bad.py"))
    missed = [what for number, what in bad_lines().items() if number not in flagged]
    assert not missed, "\n".join(lines)
    assert flagged <= set(bad_lines()), "\n".join(lines)  # nothing else is flagged


def test_stub_text_declares_paths_session_and_custom_attributes(stub_dir: Path) -> None:
    text = (stub_dir / "ftrack_types.pyi").read_text()
    assert "class _ContextPath(AttributePath[Context]):" in text and "    name: AttributePath[str]" in text
    assert "    parent: _Field[Optional[Context], _ContextPath]" in text  # Context: a Project has none
    typed_context = text[text.index("class TypedContext(Context):"):]
    assert "    parent: _Field[Context, _ContextPath]" in typed_context.split("\nclass ")[0]
    assert "ShotCustomAttributes = TypedDict('ShotCustomAttributes', {'fend': Optional[str], 'fstart': Optional[float]})" in text
    assert "class Session(_Session):" in text and "    Task: _TaskClass" in text
    # attribute names the path object has itself (entity_type) are not declared as steps
    assert "    entity_type: AttributePath" not in text


def test_without_configurations_custom_attributes_stay_mappings(stub_dir: Path) -> None:
    with Sandbox(seed="demo") as sandbox, Session(sandbox.url, sandbox.api_user, sandbox.api_key,
                                                   schema_cache=False) as session:
        text = render_stubs(session.schemas)
    assert "CustomAttributes = TypedDict" not in text
    assert "custom_attributes: _Field[MutableMapping[str, Any], AttributePath[Any]]" in text
