"""SQLite storage generated from the schemas.

One table per *family* (the types that share a key space, see
``SchemaRegistry.identity_type``): ``Context`` holds projects and every typed
context, ``Component`` every component kind, and so on. A row's concrete type
is in the ``_type`` column (and, for typed contexts, follows ``object_type_id``
as on a real server). Each scalar attribute of the family is a column:
strings, datetimes (``YYYY-MM-DDTHH:MM:SS[.ffffff]``, UTC) and dates as TEXT, integers
and booleans as INTEGER, numbers as REAL, and ``object``/``json``/``variable``
values as JSON text (compared through ``json_extract``): the column type and the
conversions of each kind are in :data:`ftrack_orm.kinds.KINDS`.

Connections (see :mod:`.connections`): the database is always a file in WAL mode
(a sandbox "in memory" is a temporary file removed on :meth:`Store.close`), so a
batch that writes runs on the one write connection (:meth:`Store.writing`) while
batches that only read run in parallel on per-thread read connections
(:meth:`Store.reading`), each on the snapshot committed when it began.
"""
from __future__ import annotations

import sqlite3
from typing import Any, ContextManager, Dict, Iterable, List, Optional, Sequence, Tuple

import attrs

from ..kinds import KINDS
from ..schema import EntitySchema, SchemaRegistry
from .connections import Connections
from .errors import validation_error
from ..relations import Relations
from ..link_entities import LINK_TABLE, LINK_TABLE_COLUMNS
from .custom_values import shared_families

_CHUNK = 500


def quote(name: str) -> str:
    """An SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


@attrs.frozen
class Table:
    """The storage of one family of types."""

    name: str
    columns: Dict[str, str]  # column → attribute kind ("string" for hidden keys)
    primary_key: Tuple[str, ...]
    types: Tuple[str, ...]  # every type stored here


class Store:
    """The database: tables, connections and the value conversions.

    ``path``: the SQLite file (``None``: a temporary file, removed by :meth:`close`).
    """

    def __init__(self, schemas: SchemaRegistry, path: Optional[str] = None) -> None:
        self.schemas = schemas
        self.relations = Relations(schemas)
        self.connections = Connections(path)
        self._families = {name: schemas.identity_type(name) for name in schemas}
        self._families.update(shared_families(schemas))  # base and typed custom attribute values: one store
        self._subtypes: Dict[str, Tuple[str, ...]] = {name: (name,) for name in schemas}
        for name in schemas:
            for supertype in schemas.ancestors(name):
                self._subtypes[supertype] += (name,)
        self._tree_columns: Dict[str, str] = {}
        for name, schema in schemas.schemas.items():
            for attribute in schema.attributes.values():
                relation = self.relations.get(name, attribute.name) if attribute.is_relation else None
                if relation is not None and relation.kind in ("ancestors", "descendants"):
                    self._tree_columns.setdefault(self.family(name), relation.fk)
        self.tables: Dict[str, Table] = self._layout()
        self._create_tables()

    # -- connections -------------------------------------------------------------------
    @property
    def connection(self) -> sqlite3.Connection:
        """The calling thread's connection: the write connection inside :meth:`writing`, else its read one."""
        return self.connections.current()

    @property
    def generation(self) -> int:
        """Advanced each time a write batch releases the write connection (see :mod:`.credentials`)."""
        return self.connections.generation

    def writing(self) -> ContextManager[sqlite3.Connection]:
        """Hold the write connection (one thread at a time); the caller begins and ends transactions."""
        return self.connections.writing()

    def reading(self, snapshot: bool = True) -> ContextManager[sqlite3.Connection]:
        """A read transaction on the calling thread's read connection: one consistent snapshot
        (``snapshot=False``: no transaction, for a caller that reads with one statement)."""
        return self.connections.reading(snapshot)

    def close(self) -> None:
        """Close every connection (those in use as their batch ends) and remove a temporary database."""
        self.connections.close()

    # -- per-type facts ------------------------------------------------------------------
    def tree_column(self, family: str) -> Optional[str]:
        """The column holding the parent of a row of ``family`` in a tree (contexts: ``parent_id``), or ``None``."""
        return self._tree_columns.get(family)

    def subtypes(self, entity_type: str) -> Tuple[str, ...]:
        """``entity_type`` and every type below it, ``entity_type`` first (computed once)."""
        found = self._subtypes.get(entity_type)
        return found if found is not None else tuple(self.schemas.subtypes(entity_type))

    # -- layout ---------------------------------------------------------------------
    def family(self, entity_type: str) -> str:
        """The table (family) of ``entity_type`` (computed once per type)."""
        found = self._families.get(entity_type)
        return found if found is not None else self.schemas.identity_type(entity_type)

    def table(self, entity_type: str) -> Table:
        return self.tables[self.family(entity_type)]

    def _layout(self) -> Dict[str, Table]:
        families: Dict[str, List[EntitySchema]] = {}
        for name, schema in self.schemas.schemas.items():
            families.setdefault(self.family(name), []).append(schema)
        tables = {}
        for family, members in families.items():
            columns: Dict[str, str] = {}
            for schema in members:
                for attribute in schema.attributes.values():
                    if attribute.is_scalar:
                        columns.setdefault(attribute.name, attribute.kind)
                    else:
                        relation = self.relations.get(schema.name, attribute.name)
                        if relation is not None and relation.hidden:
                            columns.setdefault(relation.fk, "string")
            root = self.schemas.get(family) or members[0]
            primary_key = root.primary_key or ("id",)
            tables[family] = Table(family, columns, primary_key, tuple(s.name for s in members))
        return tables

    def _create_tables(self) -> None:
        with self.writing() as connection:
            existing = {r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        statements = [
            "CREATE TABLE IF NOT EXISTS _sandbox_credentials "
            "(username TEXT PRIMARY KEY, api_key TEXT NOT NULL, readonly INTEGER NOT NULL DEFAULT 0)",
            f"CREATE TABLE IF NOT EXISTS {quote(LINK_TABLE)} "
            f"({', '.join(quote(c) + ' TEXT NOT NULL' for c in LINK_TABLE_COLUMNS)})",
            f"CREATE INDEX IF NOT EXISTS {quote('ix' + LINK_TABLE)} ON {quote(LINK_TABLE)} "
            f"({', '.join(quote(c) for c in LINK_TABLE_COLUMNS)})",
        ]
        for table in self.tables.values():
            if table.name in existing:
                continue
            columns = ", ".join(
                f"{quote(c)} {KINDS[kind].column}" for c, kind in table.columns.items()
            )
            name = quote(table.name)
            statements.append(f"CREATE TABLE {name} (_type TEXT NOT NULL, {columns})")
            key = ", ".join(quote(c) for c in table.primary_key)
            statements.append(f"CREATE UNIQUE INDEX {quote('pk_' + table.name)} ON {name} ({key})")
            if len(table.types) > 1:
                statements.append(f"CREATE INDEX {quote('type_' + table.name)} ON {name} (_type)")
            for column in table.columns:
                if column.endswith("_id") and (column,) != table.primary_key:
                    index = quote(f"ix_{table.name}_{column}")
                    statements.append(f"CREATE INDEX {index} ON {name} ({quote(column)})")
        with self.writing() as connection:
            connection.execute("BEGIN")
            for statement in statements:
                connection.execute(statement)
            connection.execute("COMMIT")

    # -- reading ---------------------------------------------------------------------
    def type_filter(self, entity_type: str, alias: str) -> Tuple[str, List[Any]]:
        """SQL restricting rows of ``alias`` to ``entity_type`` and its subtypes ("" if none needed)."""
        table = self.table(entity_type)
        if entity_type == table.name and self.schemas.get(table.name) is not None:
            return "", []
        types = list(self.subtypes(entity_type))
        return f"{alias}._type IN ({', '.join('?' * len(types))})", types

    def rows_where(
        self, entity_type: str, column: str, values: Iterable[Any], extra: Sequence[Tuple[str, Any]] = ()
    ) -> List[sqlite3.Row]:
        """Rows of ``entity_type`` (and subtypes) whose ``column`` is one of ``values``, by rowid."""
        table = self.table(entity_type)
        values = list(dict.fromkeys(v for v in values if v is not None))
        condition, params = self.type_filter(entity_type, "t")
        conditions = [condition] if condition else []
        for name, value in extra:
            conditions.append(f"t.{quote(name)} = ?")
            params.append(value)
        rows: List[sqlite3.Row] = []
        for start in range(0, len(values), _CHUNK):
            chunk = values[start:start + _CHUNK]
            where = " AND ".join([f"t.{quote(column)} IN ({', '.join('?' * len(chunk))})", *conditions])
            rows.extend(self.connection.execute(
                f"SELECT t.rowid AS _rowid, t.* FROM {quote(table.name)} t WHERE {where}", [*chunk, *params]
            ))
        rows.sort(key=lambda r: r["_rowid"])
        return rows

    def dicts(self, sql: str, params: Sequence[Any]) -> List[Dict[str, Any]]:
        """The rows of ``sql`` as new dicts by column name (on the calling thread's connection).

        Built from plain tuples with the column names read once per statement: about a
        third of the cost of ``dict(sqlite3.Row)`` per row."""
        cursor = self.connection.cursor()
        cursor.row_factory = None
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row)) for row in cursor]

    def get(self, entity_type: str, key: Sequence[Any]) -> Optional[sqlite3.Row]:
        """The row of ``entity_type`` (or a subtype) with primary key ``key``."""
        table = self.table(entity_type)
        if len(key) != len(table.primary_key):
            return None
        condition, params = self.type_filter(entity_type, "t")
        where = " AND ".join(
            [f"t.{quote(c)} = ?" for c in table.primary_key] + ([condition] if condition else [])
        )
        row: Optional[sqlite3.Row] = self.connection.execute(
            f"SELECT t.rowid AS _rowid, t.* FROM {quote(table.name)} t WHERE {where}", [*key, *params]
        ).fetchone()
        return row


# -- value conversion ---------------------------------------------------------------------
def to_column(kind: str, value: Any, label: str) -> Any:
    """Check and convert a wire value of attribute ``label`` to its stored form."""
    if value is None:
        return None
    try:
        return KINDS[kind].store(value, label)
    except ValueError as error:
        raise validation_error(str(error)) from None


def from_column(kind: str, value: Any) -> Any:
    """A stored value → its wire form (typed datetimes, decoded JSON)."""
    return None if value is None else KINDS[kind].load(value)
