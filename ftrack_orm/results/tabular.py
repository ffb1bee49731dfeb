"""Rows of a query as plain data: dicts, an HTML table, a pandas DataFrame.

Nothing here fetches: values are read from what the query loaded (and local,
uncommitted changes). The shape of a row follows the query's projections:

* every loaded attribute of the row entity is a key (as ``Entity.to_dict()``:
  wire names, ``__entity_type__`` first, mapped collections as ``{key: value}``);
* a reference or collection that the query *projected* through (``select
  parent.name``) is a nested dict (a list of them for collections) built the same
  way, following the projection further down;
* any other loaded reference is a reference dict ``{"__entity_type__", <primary
  key>}``, a collection a list of those.

``flatten`` turns nested dicts into dotted keys (``"parent.name"``) for tables.
"""
from __future__ import annotations

import datetime
import html
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

from ..entity.base import Entity
from ..entity.inspection import inspect
from ..query import ast
from ..times import display

#: A projection tree: attribute name -> what is projected below it.
Tree = Dict[str, "Tree"]

_MISSING = object()
#: What :func:`cell` gives for a path the answer did not carry.
MISSING = _MISSING


def projection_tree(paths: Iterable[ast.Path]) -> Tree:
    """Merge projection paths into a tree of attribute names."""
    root: Tree = {}
    for path in paths:
        node = root
        for name in path.names:
            node = node.setdefault(name, {})
    return root


def row_dict(entity: Any, tree: Tree) -> Dict[str, Any]:
    """One entity as a plain dict, nested along ``tree`` (see the module docstring)."""
    result: Dict[str, Any] = entity.to_dict()
    for name, below in tree.items():
        if name not in result or not below:
            continue
        value = _current(entity, name)
        if isinstance(value, list):
            result[name] = [row_dict(item, below) if hasattr(item, "to_dict") else item for item in value]
        elif hasattr(value, "to_dict"):
            result[name] = row_dict(value, below)
    return result


def _current(entity: Any, name: str) -> Any:
    """The local or loaded value of ``name`` without fetching (``_MISSING`` when absent)."""
    return inspect(entity).value(name, _MISSING)


def flatten(row: Dict[str, Any], prefix: str = "") -> Dict[str, Any]:
    """Nested dicts as dotted keys; ``__entity_type__`` keys of nested dicts dropped."""
    flat: Dict[str, Any] = {}
    for key, value in row.items():
        if prefix and key == "__entity_type__":
            continue
        name = prefix + key
        if isinstance(value, dict) and "__entity_type__" in value:
            flat.update(flatten(value, name + "."))
        else:
            flat[name] = value
    return flat


def cell(entity: Any, names: Sequence[str], schemas: Any = None) -> Any:
    """The loaded value at a dotted path (a list through collections; ``_MISSING`` if not loaded)."""
    value: Any = entity
    for index, name in enumerate(names):
        if isinstance(value, list):
            items = [cell(item, names[index:], schemas) for item in value]
            return [item for item in items if item is not _MISSING]
        if value is None:
            return None
        if not isinstance(value, Entity):
            return _MISSING
        view = inspect(value)
        attribute = view.schema.attributes.get(name)
        if attribute is not None and attribute.kind == "mapped_collection":
            if name not in view.loaded:
                return _MISSING
            value = value.to_dict().get(name, _MISSING)
            continue
        value = _current(value, name)
        if value is _MISSING:
            return _MISSING
    return value


def text(value: Any) -> str:
    """A short display text for a table cell."""
    if value is _MISSING or value is None:
        return ""
    if hasattr(value, "_ftrack_reference"):
        return repr(value)
    if isinstance(value, (datetime.datetime, datetime.date)):
        return display(value)
    if isinstance(value, list):
        return ", ".join(text(item) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{key}={text(item)}" for key, item in value.items())
    return str(value)


def html_table(
    caption: str, columns: Sequence[ast.Path], rows: List[Any], more: bool, show_type: bool
) -> str:
    """An escaped HTML table of ``rows`` with one column per projected path."""
    headers: List[Tuple[str, Optional[Tuple[str, ...]]]] = []
    if show_type:
        headers.append(("type", None))
    headers.extend((str(path), path.names) for path in columns)
    head = "".join(f"<th>{html.escape(title)}</th>" for title, _ in headers)
    body = []
    for entity in rows:
        cells = []
        for _, names in headers:
            value = entity.__entity_type__ if names is None else cell(entity, names)
            cells.append(f"<td>{html.escape(text(value))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    if not rows:
        footer = "<p>No rows.</p>"
    elif more:
        footer = f"<p>First {len(rows)} rows (more not fetched).</p>"
    else:
        footer = f"<p>{len(rows)} row{'s' if len(rows) != 1 else ''}.</p>"
    return (
        f"<table><caption>{html.escape(caption)}</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>{footer}"
    )


def dataframe(rows: List[Dict[str, Any]], first: Sequence[str] = ()) -> Any:
    """A pandas DataFrame of flattened rows (``ImportError`` with a hint without pandas).

    Columns named in ``first`` come first, in that order; then the others as met.
    """
    try:
        import pandas
    except ImportError as error:
        raise ImportError(
            "QueryResult.to_dataframe() needs pandas, which ftrack_orm does not install: "
            "pip install pandas (or use to_dicts())."
        ) from error
    flat = [flatten(row) for row in rows]
    columns = list(dict.fromkeys(key for row in flat for key in row))
    ordered = [name for name in first if name in columns]
    ordered += [name for name in columns if name not in ordered]
    return pandas.DataFrame(flat, columns=ordered)
