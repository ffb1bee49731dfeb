"""Collections in the sandbox: many-to-many link rows, and collections written as lists.

A ``link`` relation (:mod:`ftrack_orm.link_entities`) is read through the rows
of its link entity (or of :data:`~ftrack_orm.link_entities.LINK_TABLE`), one SQL
statement per level; in criteria it is an ``IN (SELECT …)`` over those rows.

The official clients write a collection as the list of its items' references
(``{"metadata": [{"__entity_type__": "Metadata", "parent_id": …, "key": …}]}``,
``notes``, ``components``, ``members``, ``scopes``…). :class:`CollectionWriter`
applies such a write: a many-to-many gets exactly the listed items (link rows of
items no longer listed are deleted, new ones inserted); a one-to-many points
each listed item at the owner; items it no longer lists are left as they are
(the official client deletes or re-points them with operations of their own).
"""
from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any, Dict, List, Sequence, Tuple

from ..link_entities import LINK_TABLE
from ..relations import Relation
from ..schema import EntitySchema
from .errors import validation_error
from .store import Store, quote, to_column

Sql = Tuple[str, List[Any]]

def link_table(store: Store, relation: Relation) -> str:
    """The quoted table holding the link rows of ``relation``."""
    through = relation.through or ""
    return quote(LINK_TABLE if through == LINK_TABLE else store.table(through).name)


def _where(relation: Relation, alias: str) -> Sql:
    conditions = [f"{alias}.{quote(column)} = ?" for column, _ in relation.where]
    return "".join(" AND " + c for c in conditions), [value for _, value in relation.where]


def item_keys(store: Store, relation: Relation, owners: Sequence[Any]) -> Dict[Any, List[Any]]:
    """Owner key → the keys of its items, in link-row order."""
    found: Dict[Any, List[Any]] = defaultdict(list)
    owners = list(dict.fromkeys(o for o in owners if o is not None))
    extra, params = _where(relation, "l")
    fk, item_fk = quote(relation.fk), quote(relation.item_fk or "")
    for start in range(0, len(owners), 500):
        chunk = owners[start:start + 500]
        for owner, item in store.connection.execute(
            f"SELECT l.{fk}, l.{item_fk} FROM {link_table(store, relation)} l "
            f"WHERE l.{fk} IN ({', '.join('?' * len(chunk))}){extra} ORDER BY l.rowid",
            [*chunk, *params],
        ):
            found[owner].append(item)
    return found


def owners_matching(store: Store, relation: Relation, items_sql: str, params: List[Any]) -> Sql:
    """SQL selecting the owner keys of the link rows whose item key is among ``items_sql``."""
    extra, extra_params = _where(relation, "l")
    return (
        f"SELECT l.{quote(relation.fk)} FROM {link_table(store, relation)} l "
        f"WHERE l.{quote(relation.item_fk or '')} IN ({items_sql}){extra}",
        [*params, *extra_params],
    )


class CollectionWriter:
    """Writes collections given as lists of entity references."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.schemas = store.schemas

    def check(self, schema: EntitySchema, name: str, value: Any) -> Relation:
        """The relation of collection ``name``, once ``value`` is known to be a list it can take."""
        relation = self.store.relations.get(schema.name, name)
        if relation is None or relation.kind not in ("collection", "mapped", "link"):
            raise validation_error(
                f"Collection {name!r} of {schema.name} is computed by the server and cannot be written."
            )
        if not isinstance(value, list):
            raise validation_error(
                f"{schema.name}.{name} must be written as a list of entity references. Got {value!r}.")
        return relation

    def write(self, schema: EntitySchema, owner: Any, name: str, value: Any) -> None:
        """Make ``schema.name`` ``owner``'s collection ``name`` hold the referenced items."""
        relation = self.check(schema, name, value)
        keys = [self._item_key(relation.target, item, f"{schema.name}.{name}") for item in value]
        if relation.kind == "link":
            self._write_links(relation, owner, keys)
            return
        connection = self.store.connection
        assignments = [(relation.fk, owner), *relation.where]
        sets = ", ".join(f"{quote(column)} = ?" for column, _ in assignments)
        for entity_type, key in keys:
            table = self.store.table(entity_type)
            condition = " AND ".join(f"{quote(c)} = ?" for c in table.primary_key)
            connection.execute(f"UPDATE {quote(table.name)} SET {sets} WHERE {condition}",
                               [*(v for _, v in assignments), *key])

    def _item_key(self, target: str, item: Any, label: str) -> Tuple[str, List[Any]]:
        if not isinstance(item, dict):
            raise validation_error(f"{label}: each item must be an entity reference object. Got {item!r}.")
        given = item.get("__entity_type__") or target
        if given not in self.schemas or not self.schemas.is_subtype(given, target):
            raise validation_error(f"{label} holds {target} entities, not {given!r}.")
        primary = self.schemas[given].primary_key or self.store.table(given).primary_key
        key = [item.get(name) for name in primary]
        if None in key:
            raise validation_error(f"{label}: the {given} reference has no {', '.join(primary)!s}.")
        if self.store.get(given, key) is None:
            raise validation_error(f"{label}: no {given} with key {key!r} exists.")
        return given, key

    def _write_links(self, relation: Relation, owner: Any, keys: List[Tuple[str, List[Any]]]) -> None:
        wanted = list(dict.fromkeys(key[0] for _, key in keys))
        present = set(item_keys(self.store, relation, [owner]).get(owner, []))
        table = link_table(self.store, relation)
        extra, params = _where(relation, "l")
        gone = [k for k in present if k not in wanted]
        connection = self.store.connection
        for item in gone:
            connection.execute(
                f"DELETE FROM {table} WHERE rowid IN (SELECT l.rowid FROM {table} l "
                f"WHERE l.{quote(relation.fk)} = ? AND l.{quote(relation.item_fk or '')} = ?{extra})",
                [owner, item, *params],
            )
        for item in wanted:
            if item in present:
                continue
            row: Dict[str, Any] = {relation.fk: owner, relation.item_fk or "": item, **dict(relation.where)}
            if relation.through != LINK_TABLE:
                link = self.schemas[relation.through or ""]
                row = {"_type": link.name, **row}
                for attribute in link.attributes.values():
                    if attribute.is_scalar and attribute.has_default and attribute.name not in row:
                        default = attribute.default
                        row[attribute.name] = str(uuid.uuid4()) if default == "{uid}" else to_column(
                            attribute.kind, default, f"{link.name}.{attribute.name}")
            connection.execute(
                f"INSERT INTO {table} ({', '.join(quote(c) for c in row)}) VALUES ({', '.join('?' * len(row))})",
                list(row.values()),
            )
