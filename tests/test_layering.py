"""The package's import graph: no cycles (typing-only imports count), and no module
imports one that is meant to sit above it.

Imports are read from the source (``ast``), wherever they stand: module level,
inside functions, under ``if TYPE_CHECKING``. A package's ``__init__`` counts as
a module of its own (``ftrack_orm.entity``).
"""
from __future__ import annotations

import ast
from pathlib import Path
from typing import Dict, List, Set

import ftrack_orm

PACKAGE = Path(ftrack_orm.__file__).resolve().parent

#: Floors, lowest first: a module may import only modules on its own floor or below.
#: A module is placed by its longest matching prefix (``ftrack_orm.entity`` covers the
#: entity package). The top-level ``ftrack_orm`` (the public face) sits on top; a
#: module listed nowhere fails the test until it is placed.
FLOORS: List[List[str]] = [
    # the vocabulary: wire values, errors, schemas, kinds, times, did-you-mean
    ["ftrack_orm.didyoumean", "ftrack_orm.times", "ftrack_orm.errors", "ftrack_orm.operations", "ftrack_orm.connections",
     "ftrack_orm.transport", "ftrack_orm.steps",
     "ftrack_orm.aio.transport", "ftrack_orm.gcpause"],
    ["ftrack_orm.schema", "ftrack_orm.kinds", "ftrack_orm.codec", "ftrack_orm.schema_cache", "ftrack_orm.answers",
     "ftrack_orm.discovery"],
    # the query language and pure planning
    ["ftrack_orm.query", "ftrack_orm.link_entities", "ftrack_orm.relations", "ftrack_orm.plan"],
    # entities: classes, state, identity, lifecycle, lazy loading
    ["ftrack_orm.entity"],
    # the wire client and what the session hands it to
    ["ftrack_orm.client", "ftrack_orm.events", "ftrack_orm.loader", "ftrack_orm.aggregates", "ftrack_orm.uow", "ftrack_orm.results",
     "ftrack_orm.reconcile", "ftrack_orm.components", "ftrack_orm.pending", "ftrack_orm.server_actions",
     "ftrack_orm.helpers", "ftrack_orm.aio.websocket", "ftrack_orm.aio.hub", "ftrack_orm.aio.client",
     "ftrack_orm.aio.results", "ftrack_orm.lookup"],
    ["ftrack_orm.session", "ftrack_orm.aio"],
    ["ftrack_orm.stubs", "ftrack_orm.sandbox", "ftrack_orm.compat"],
    ["ftrack_orm.demo", "ftrack_orm.snapshot", "ftrack_orm.cli", "ftrack_orm.__main__", "ftrack_orm"],
]

#: Packages that stand apart from the client: the sandbox is a server, it never
#: imports the client side (session, wire client, entities, results).
SANDBOX_MAY_NOT_IMPORT = ("ftrack_orm.session", "ftrack_orm.client", "ftrack_orm.entity",
                          "ftrack_orm.uow", "ftrack_orm.loader", "ftrack_orm.results")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> Dict[str, Path]:
    return {module_name(path): path for path in PACKAGE.rglob("*.py")}


def imports_of(name: str, path: Path, known: Set[str]) -> Set[str]:
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: Set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            # ``from .x import y``: y may be a submodule of x
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name and target.startswith("ftrack_orm"):
                found.add(target)
    return found


def graph() -> Dict[str, Set[str]]:
    known = modules()
    return {name: imports_of(name, path, set(known)) for name, path in known.items()}


def floor_of(name: str) -> int:
    best, floor = -1, None
    for number, prefixes in enumerate(FLOORS):
        for prefix in prefixes:
            covers = name == prefix or (prefix != "ftrack_orm" and name.startswith(prefix + "."))
            if covers and len(prefix) > best:
                best, floor = len(prefix), number
    assert floor is not None, f"{name} has no floor in FLOORS: place it"
    return floor


def cycles(edges: Dict[str, Set[str]]) -> List[List[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: Dict[str, int] = {}
    low: Dict[str, int] = {}
    stack: List[str] = []
    on_stack: Set[str] = set()
    found: List[List[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in edges.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_the_graph_is_read():
    edges = graph()
    assert "ftrack_orm.query.parser" in edges["ftrack_orm.lookup"] or any(
        target.startswith("ftrack_orm.query") for target in edges["ftrack_orm.lookup"])
    assert cycles({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [["a", "b"]]


def test_no_import_cycles():
    assert cycles(graph()) == []


def test_no_module_imports_one_above_it():
    upward = [
        f"{name} (floor {floor_of(name)}) imports {target} (floor {floor_of(target)})"
        for name, targets in sorted(graph().items())
        for target in sorted(targets)
        if floor_of(target) > floor_of(name)
    ]
    assert upward == []


def test_the_sandbox_stands_apart_from_the_client():
    leaks = [
        f"{name} imports {target}"
        for name, targets in sorted(graph().items()) if name.startswith("ftrack_orm.sandbox")
        for target in sorted(targets) if target.startswith(SANDBOX_MAY_NOT_IMPORT)
    ]
    assert leaks == []
