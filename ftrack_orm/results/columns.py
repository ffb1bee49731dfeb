"""A query's rows as columns: the primary key once, then exactly the projected paths.

The shape depends on the query only, never on what the session loaded before: a path
the answer did not carry is ``None``; attributes loaded by other queries are left out
(``all_loaded=True`` on the result asks for them: :func:`ftrack_orm.results.tabular.row_dict`).
Values keep their Python types; a path ending at a reference gives its reference dict
(``{"__entity_type__", <primary key>}``), through a collection a list.
"""
from __future__ import annotations

from typing import Any, Dict, List, Sequence, Tuple

from ..entity.base import Entity
from ..kinds import KINDS
from ..query import ast
from ..query.paths import resolve_path
from ..schema import SchemaRegistry
from . import tabular

#: A column: its dotted name and its path.
Column = Tuple[str, ast.Path]


def columns(query: ast.Query, schemas: SchemaRegistry) -> List[Column]:
    """The key of the queried type, then the projected paths in order (each once)."""
    found: Dict[str, ast.Path] = {name: ast.Path.of(name) for name in schemas[query.entity_type].primary_key}
    for path in query.select or ():
        found.setdefault(".".join(path.names), path)
    return list(found.items())


def _plain(value: Any) -> Any:
    if value is tabular.MISSING:
        return None
    if isinstance(value, Entity):
        return value._ftrack_reference()
    if type(value) is list:
        return [_plain(item) for item in value]
    return value


def flat_row(entity: Any, wanted: Sequence[Column]) -> Dict[str, Any]:
    """One row: dotted column name -> value (``None`` when the answer lacks it)."""
    return {name: _plain(tabular.cell(entity, path.names)) for name, path in wanted}


def nested_row(entity: Any, wanted: Sequence[Column]) -> Dict[str, Any]:
    """One row with relations as nested dicts (lists of them through collections)."""
    return _nested(entity, tabular.projection_tree(path for _, path in wanted))


def _nested(entity: Any, tree: tabular.Tree) -> Dict[str, Any]:
    row: Dict[str, Any] = {}
    for name, below in tree.items():
        value = tabular.cell(entity, (name,))
        if below and isinstance(value, Entity):
            row[name] = _nested(value, below)
        elif below and type(value) is list:
            row[name] = [_nested(item, below) if isinstance(item, Entity) else _plain(item) for item in value]
        else:
            row[name] = _plain(value)
    return row


def dtypes(query: ast.Query, schemas: SchemaRegistry, wanted: Sequence[Column]) -> Dict[str, str]:
    """Column -> pandas dtype, from the kind of the path's last attribute (none through collections)."""
    result: Dict[str, str] = {}
    for name, path in wanted:
        steps = resolve_path(schemas, query.entity_type, path, "")
        if any(step.attribute.is_collection for step in steps[:-1]):
            continue
        dtype = KINDS[steps[-1].attribute.kind].dtype
        if dtype is not None:
            result[name] = dtype
    return result
