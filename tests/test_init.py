"""The package imports lazily: parts load only what they need; public names still resolve."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

import ftrack_orm


def modules_after(statement: str) -> set:
    """The modules loaded by a fresh interpreter after running ``statement`` (no proxy set)."""
    code = f"import sys\n{statement}\nimport json\nprint(json.dumps(sorted(sys.modules)))"
    environment = {name: value for name, value in os.environ.items() if not name.lower().endswith("_proxy")}
    output = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True,
                            env=environment).stdout
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
    assert {"ftrack_orm.session", "ftrack_orm.client"} <= loaded


#: What the first query does not need, or needs only once it runs: each loads on first use.
NOT_AT_IMPORT = {
    "requests", "urllib3", "http.client", "ssl",     # the first request loads them
    "attrs", "attr",                                 # the schemas load them (a fifth of the import)
    "ftrack_orm.events", "ftrack_orm.components", "ftrack_orm.helpers", "ftrack_orm.compat",
    "ftrack_orm.aio", "ftrack_orm.sandbox", "ftrack_orm.server_actions", "ftrack_orm.aggregates",
    "ftrack_orm.uow", "ftrack_orm.reconcile", "ftrack_orm.entity", "ftrack_orm.query", "ftrack_orm.schema",
    "ftrack_orm.results.result", "ftrack_orm.results.progress", "ftrack_orm.results.tabular",
    "pandas", "tqdm", "wsproto", "httpx", "asyncio", "concurrent.futures",
}


def test_importing_the_session_loads_none_of_what_the_first_query_can_do_without():
    loaded = modules_after("from ftrack_orm import Session")
    assert "ftrack_orm.session" in loaded
    assert {name for name in loaded if name in NOT_AT_IMPORT or name.rpartition(".")[0] in NOT_AT_IMPORT
            or any(name.startswith(f"{heavy}.") for heavy in NOT_AT_IMPORT)} == set()


def test_the_first_query_loads_what_it_needs_and_still_not_the_optional_parts(ftrack_sandbox):
    statement = (
        "from ftrack_orm import Session\n"
        f"session = Session({ftrack_sandbox.url!r}, {ftrack_sandbox.api_user!r}, {ftrack_sandbox.api_key!r},"
        " schema_cache=False)\n"
        "assert session.query('select name from Task').first().name\n"
    )
    loaded = modules_after(statement)
    assert {"urllib3", "ftrack_orm.entity.identity", "ftrack_orm.results.result", "ftrack_orm.helpers"} <= loaded
    # requests only when a proxy is set (its NO_PROXY rules) or a requests.Session is passed
    assert not {"ftrack_orm.events.hub", "ftrack_orm.components", "ftrack_orm.aio", "ftrack_orm.compat",
                "ftrack_orm.sandbox", "ftrack_orm.uow", "pandas", "tqdm", "requests"} & loaded


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
