"""Uniqueness rules a real ftrack server enforces on writes, answered as ``DuplicateEntryError``.

One table, :data:`UNIQUE`: each row names the entity type (with its subtypes),
the attributes whose values together must be unique among the stored rows of
that type, and what the rule means. A row with a null in one of its attributes
is not constrained (a project has no parent). The official Python client reads
``DuplicateEntryError`` in the error (``User.start_timer`` turns it into
``NotUniqueError``).
"""
from __future__ import annotations

from typing import Any, Collection, Mapping, Optional, Tuple

import attrs

from .errors import SandboxError
from .store import Store, quote


@attrs.frozen
class Unique:
    """``attributes`` of ``entity_type`` (and subtypes) are unique together; ``meaning`` explains the refusal."""

    entity_type: str
    attributes: Tuple[str, ...]
    meaning: str


#: Every uniqueness rule the sandbox enforces.
UNIQUE: Tuple[Unique, ...] = (
    Unique("TypedContext", ("parent_id", "name"), "sibling objects must have different names"),
    Unique("Project", ("name",), "project names are unique on a server"),
    Unique("Timer", ("user_id",), "a user has at most one running timer; stop it first"),
)


def check_unique(store: Store, entity_type: str, values: Mapping[str, Any], rowid: Optional[int] = None,
                 changed: Optional[Collection[str]] = None) -> None:
    """Raise ``DuplicateEntryError`` if ``values`` (a whole row's stored values) break a rule of
    :data:`UNIQUE`; ``rowid`` is the row being updated (it does not conflict with itself) and
    ``changed`` the attributes the update writes (rules on none of them are not checked)."""
    schemas = store.schemas
    for rule in UNIQUE:
        if changed is not None and not any(name in changed for name in rule.attributes):
            continue
        if rule.entity_type not in schemas or not schemas.is_subtype(entity_type, rule.entity_type):
            continue
        wanted = [values.get(name) for name in rule.attributes]
        if any(value is None for value in wanted):
            continue
        condition, params = store.type_filter(rule.entity_type, "t")
        where = [f"t.{quote(name)} = ?" for name in rule.attributes] + ([condition] if condition else [])
        if rowid is not None:
            where.append("t.rowid != ?")
        found = store.connection.execute(
            f"SELECT t._type, t.id FROM {quote(store.table(rule.entity_type).name)} t WHERE {' AND '.join(where)} "
            "LIMIT 1",
            [*wanted, *params, *([rowid] if rowid is not None else [])],
        ).fetchone()
        if found is not None:
            shown = ", ".join(f"{name}={value!r}" for name, value in zip(rule.attributes, wanted))
            raise SandboxError(
                "DuplicateEntryError",
                f"Duplicate entry for {entity_type} ({shown}): {found[0]} {found[1]!r} already has it; {rule.meaning}.",
            )
