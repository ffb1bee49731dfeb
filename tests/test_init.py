"""The package imports lazily: parts load only what they need; public names still resolve."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

import ftrack_orm


def modules_after(statement: str) -> set:
    """The modules loaded by a fresh interpreter after running ``statement``."""
    code = f"import sys\n{statement}\nimport json\nprint(json.dumps(sorted(sys.modules)))"
    output = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    return set(json.loads(output.splitlines()[-1]))


HEAVY = {"requests", "urllib3", "ftrack_orm.session", "ftrack_orm.client", "ftrack_orm.transport",
         "ftrack_orm.results", "ftrack_orm.uow", "ftrack_orm.entity.identity"}


def test_importing_the_sandbox_loads_no_client_session_or_requests():
    loaded = modules_after("import ftrack_orm.sandbox")
    assert "ftrack_orm.sandbox" in loaded
    assert not HEAVY & loaded


def test_importing_the_package_or_the_query_language_loads_little():
    assert not {name for name in modules_after("import ftrack_orm") if name.startswith("ftrack_orm.")}
    assert not HEAVY & modules_after("import ftrack_orm.query")


def test_a_public_name_loads_its_module_on_first_use():
    loaded = modules_after("import ftrack_orm\nftrack_orm.Session")
    assert {"ftrack_orm.session", "ftrack_orm.client", "requests"} <= loaded


@pytest.mark.parametrize("name", ftrack_orm.__all__)
def test_every_public_name_resolves_to_its_definition(name):
    value = getattr(ftrack_orm, name)
    assert value.__module__.startswith("ftrack_orm.")
    assert getattr(sys.modules[value.__module__], name) is value
    assert name in dir(ftrack_orm)


def test_unknown_names_raise_and_submodules_still_import():
    with pytest.raises(AttributeError, match="no attribute 'Sesion'"):
        ftrack_orm.Sesion  # noqa: B018
    from ftrack_orm import operations

    assert operations.query("Task") == {"action": "query", "expression": "Task"}
