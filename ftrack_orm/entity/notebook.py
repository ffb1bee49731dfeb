"""HTML of entities and collections for notebooks (nothing here fetches).

An entity is a table of its loaded attributes: ``name`` first, then its primary key,
then the others alphabetically; a reference shows as ``<Status 'In progress'>`` (its
type and name, when loaded; else its repr), a datetime in ISO 8601, a collection as a
short list of such labels, a mapped collection as ``key=value`` pairs.
"""
from __future__ import annotations

import datetime
import html
from typing import Any, List

from ..times import display

#: Items of a collection shown before "… (N more)".
SHOWN_ITEMS = 5


def label(value: Any) -> str:
    """A short text for one value: entities by type and name, ISO dates, lists shortened."""
    reference = getattr(value, "_ftrack_reference", None)
    if reference is not None:
        name = value.to_dict().get("name") if hasattr(value, "to_dict") else None
        return f"<{value.__entity_type__} {name!r}>" if isinstance(name, str) else repr(value)
    if isinstance(value, (datetime.datetime, datetime.date)):
        return display(value)
    if isinstance(value, dict):
        return ", ".join(f"{key}={label(item)}" for key, item in value.items())
    if isinstance(value, (list, tuple)):
        shown = [label(item) for item in value[:SHOWN_ITEMS]]
        more = len(value) - len(shown)
        return "[" + ", ".join(shown) + (f", \u2026 ({more} more)" if more > 0 else "") + "]"
    return repr(value)


def entity_html(entity: Any, values: List[Any]) -> str:
    """The table of ``entity``: ``values`` are ``(wire name, current value)`` pairs of what is loaded."""
    primary = list(type(entity)._schema.primary_key)
    rank = {name: index for index, name in enumerate(["name", *primary])}
    ordered = sorted(values, key=lambda pair: (rank.get(pair[0], len(rank)), pair[0]))
    rows = "".join(f"<tr><th>{html.escape(name)}</th><td>{html.escape(label(value))}</td></tr>"
                   for name, value in ordered)
    return f"<table><caption>{html.escape(repr(entity))}</caption>{rows}</table>"


def collection_html(caption: str, items: List[Any]) -> str:
    """A collection: its caption and one line per item (the first :data:`SHOWN_ITEMS`)."""
    shown = "".join(f"<li>{html.escape(label(item))}</li>" for item in items[:SHOWN_ITEMS])
    more = len(items) - SHOWN_ITEMS
    tail = f"<li>\u2026 ({more} more)</li>" if more > 0 else ""
    return f"<div>{html.escape(caption)} ({len(items)} items)<ul>{shown}{tail}</ul></div>"
