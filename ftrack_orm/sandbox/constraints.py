"""Uniqueness rules a real ftrack server enforces on writes, answered as ``DuplicateEntryError``.

One table, :data:`UNIQUE`: each row names the entity type (with its subtypes),
the attributes whose values together must be unique among the stored rows of
that type, and what the rule means. A row with a null in one of its attributes
is not constrained (a project has no parent). The official Python client reads
``DuplicateEntryError`` in the error (``User.start_timer`` turns it into
``NotUniqueError``).
"""
from __future__ import annotations

from typing import Any, Collection, Dict, List, Mapping, Optional, Tuple

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
    Unique("User", ("username",), "a username names one user on a server"),
    Unique("Timer", ("user_id",), "a user has at most one running timer; stop it first"),
)


class UniqueRules:
    """:data:`UNIQUE` prepared for one store: an index per rule, one SQL probe per entity type and rule."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._checks: Dict[str, List[Tuple[Unique, str, List[Any]]]] = {}
        for rule in UNIQUE:
            if rule.entity_type not in store.schemas:
                continue
            table = store.table(rule.entity_type)
            if not all(name in table.columns for name in rule.attributes):
                continue
            index = quote(f"uq_{table.name}_{'_'.join(rule.attributes)}")
            columns = ", ".join(quote(name) for name in rule.attributes)
            with store.writing() as connection:
                connection.execute(f"CREATE INDEX IF NOT EXISTS {index} ON {quote(table.name)} ({columns})")

    def _for(self, entity_type: str) -> List[Tuple[Unique, str, List[Any]]]:
        checks = self._checks.get(entity_type)
        if checks is None:
            checks = []
            schemas = self.store.schemas
            for rule in UNIQUE:
                if rule.entity_type not in schemas or not schemas.is_subtype(entity_type, rule.entity_type):
                    continue
                condition, params = self.store.type_filter(rule.entity_type, "t")
                where = [f"t.{quote(name)} = ?" for name in rule.attributes] + ([condition] if condition else [])
                table = quote(self.store.table(rule.entity_type).name)
                checks.append((rule, f"SELECT t._type, t.id FROM {table} t WHERE {' AND '.join(where)}", params))
            self._checks[entity_type] = checks
        return checks

    def check(self, entity_type: str, values: Mapping[str, Any], rowid: Optional[int] = None,
              changed: Optional[Collection[str]] = None) -> None:
        """Raise ``DuplicateEntryError`` if ``values`` (a whole row's stored values) break a rule of
        :data:`UNIQUE`; ``rowid`` is the row being updated (it does not conflict with itself) and
        ``changed`` the attributes the update writes (rules on none of them are not checked)."""
        for rule, sql, params in self._for(entity_type):
            if changed is not None and not any(name in changed for name in rule.attributes):
                continue
            wanted = [values.get(name) for name in rule.attributes]
            if any(value is None for value in wanted):
                continue
            tail, extra = (" AND t.rowid != ? LIMIT 1", [rowid]) if rowid is not None else (" LIMIT 1", [])
            found = self.store.connection.execute(sql + tail, [*wanted, *params, *extra]).fetchone()
            if found is not None:
                shown = ", ".join(f"{name}={value!r}" for name, value in zip(rule.attributes, wanted))
                raise SandboxError(
                    "DuplicateEntryError",
                    f"Duplicate entry for {entity_type} ({shown}): {found[0]} {found[1]!r} already has it; "
                    f"{rule.meaning}.",
                )
