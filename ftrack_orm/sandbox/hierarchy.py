"""The context tree stays a tree: a move under the entity itself or one of its descendants is refused.

Which column holds the parent is read from the relations (a family with an
``ancestors`` / ``descendants`` relation walks that relation's key column, the
contexts' ``parent_id``); see :meth:`Store.tree_column`.
"""
from __future__ import annotations

from typing import Any, Mapping, Set

from .errors import validation_error
from .store import Store


def refuse_cycle(store: Store, row: Any, values: Mapping[str, Any]) -> None:
    """Raise a ``ValidationError`` if writing ``values`` to the stored ``row`` would make it its own ancestor.

    ``row`` is the stored row (``sqlite3.Row`` with ``_type``); ``values`` the columns about to be written.
    """
    family = store.family(row["_type"])
    column = store.tree_column(family)
    if column is None or column not in values or values[column] is None or values[column] == row[column]:
        return
    moved, current = row["id"], values[column]
    seen: Set[Any] = set()
    while current is not None and current not in seen:
        if current == moved:
            parent = store.get(family, [values[column]])
            raise validation_error(
                f"Cannot move {_named(row)} under {_named(parent) if parent is not None else repr(values[column])}: "
                f"that is the {row['_type']} itself or one of its descendants, and a context cannot be "
                f"its own ancestor."
            )
        seen.add(current)
        found = store.get(family, [current])
        current = found[column] if found is not None else None


def _named(row: Any) -> str:
    """``Shot 'sh010' (<id>)`` for a stored row."""
    name = f" {row['name']!r}" if "name" in row.keys() and row["name"] is not None else ""
    return f"{row['_type']}{name} ({row['id']})"
