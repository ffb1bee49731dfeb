"""Run a query expression against the store and encode the answer like ftrack.

Rows are selected in SQL (where, order by, offset/limit); the projections are
then loaded level by level, one SQL statement per relation and level, and
encoded. Like a real server, each entity of an answer carries
``__entity_type__``, its primary key, its system projections (``project_id``,
``context_type``…) and its classifier (``object_type_id``) along with what was
projected, and an entity's attributes are written once per answer: a later
occurrence only carries what was not written yet (see the real
``query_select_status.state.short…`` response).
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any, Callable, Dict, List, Optional, Set, Tuple

from ..kinds import KINDS
from ..query import QueryParseError, QueryValidationError, ast
from ..query.paths import resolve_path
from ..relations import Relation
from .aggregates import aggregate
from .computed import ComputedAttributes
from .custom_values import BASE as VALUES_BASE, CustomValues
from .errors import SandboxError, unstored, validation_error
from .expressions import ParsedExpressions
from .links import item_keys
from .plans import Plan, QueryPlans
from .sqlwhere import Sql, SqlCompiler
from .store import Store, from_column, quote

REL = "\x00"  # prefix of loaded relations inside a row dict

Row = Dict[str, Any]


class Node:
    """A node of the projection tree: the cast of the step and the attributes below it."""

    __slots__ = ("cast", "children")

    def __init__(self, cast: Optional[str] = None) -> None:
        self.cast = cast
        self.children: Dict[str, Node] = {}


class Evaluator:
    """Answers ``query`` operations and encodes entities for every action."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.schemas = store.schemas
        self._always: Dict[str, Tuple[str, ...]] = {}
        self.expressions = ParsedExpressions(self.schemas)
        self.plans: QueryPlans[Node] = QueryPlans()
        #: The attributes a server computes (``link``, ``is_latest_version``, ...).
        self.computed = ComputedAttributes(store)
        #: Custom attribute values: one store, typed collections list every applicable configuration.
        self.values = CustomValues(store)

    # -- queries -----------------------------------------------------------------------------------
    def parse(self, expression: Any) -> ast.Query:
        """Parse and check ``expression``; any problem is a ``ValidationError``."""
        if not isinstance(expression, str):
            raise validation_error("A query operation needs an 'expression' string.")
        try:
            return self.expressions.get(expression)
        except QueryParseError as error:
            raise validation_error(f"Failed to parse: {error}") from None
        except QueryValidationError as error:
            raise validation_error(str(error)) from None

    def query(self, expression: Any) -> Dict[str, Any]:
        """The result of a ``query`` operation."""
        query = self.parse(expression)
        if query.group_by:
            return aggregate(self.store, self.computed, query)
        plan = self.plan(query)
        rows, next_offset = self.select_rows(query, plan.select)
        if plan.one_statement:  # nothing to load, each entity once
            return {"action": "query", "data": self.emit_flat(rows, plan), "metadata": {"next": {"offset": next_offset}}}
        if query.entity_type == VALUES_BASE:  # typed values read as the base type asked for
            for row in rows:
                row["_type"] = VALUES_BASE
        tree = plan.tree
        self.load(rows, query.entity_type, tree)
        emitted: Dict[Any, Set[Any]] = {}
        data = [self.emit(row, tree, emitted) for row in rows]
        return {"action": "query", "data": data, "metadata": {"next": {"offset": next_offset}}}

    def plan(self, query: ast.Query) -> Plan[Node]:
        """The SQL and projection tree of ``query`` (made once per cached expression)."""
        plan = self.plans.get(query)
        if plan is None:
            tree = self.projection_tree(query.entity_type, query.select or ())
            schema = self.schemas[query.entity_type]
            flat = query.entity_type != VALUES_BASE and all(
                name not in self.computed.names and (name not in schema.attributes or schema.attributes[name].is_scalar)
                for name in tree.children)
            columns = self._emitted_columns(query.entity_type, tree) if flat else None
            plan = self.plans.put(query, self.select_sql(query, columns), tree, flat)
        return plan

    def _emitted_columns(self, entity_type: str, tree: Node) -> List[str]:
        """The columns :meth:`emit` reads of a row of ``entity_type`` (or a subtype) for a ``tree`` of
        stored scalars: type, key, what every entity carries, what is projected (no others are read)."""
        table = self.store.table(entity_type)
        wanted = dict.fromkeys(table.primary_key)
        for name in self.store.subtypes(entity_type):
            wanted.update(dict.fromkeys(self.always(name)))
        wanted.update(dict.fromkeys(tree.children))
        return [name for name in wanted if name in table.columns]

    def one_statement(self, expression: Any) -> bool:
        """Whether the query ``expression`` reads with a single SQL statement (a valid expression
        without grouping whose projections are stored scalars): it needs no transaction for one snapshot."""
        try:
            query = self.parse(expression)
        except SandboxError:
            return False  # answered by query(), which raises it again
        return not query.group_by and self.plan(query).one_statement

    def select_rows(self, query: ast.Query, select: Optional[Sql] = None) -> Tuple[List[Row], Optional[int]]:
        """The rows of ``query`` (its page) and the next page's offset; ``select``: its :meth:`select_sql`."""
        sql, params = select or self.select_sql(query)
        offset = query.offset or 0
        limit = -1 if query.limit is None else query.limit + 1
        rows = self.store.dicts(sql, [*params, limit, offset])
        next_offset = None
        if query.limit is not None and len(rows) > query.limit:
            rows = rows[: query.limit]
            next_offset = offset + query.limit
        return rows, next_offset

    def select_sql(self, query: ast.Query, columns: Optional[List[str]] = None) -> Sql:
        """The SQL selecting the rows of ``query`` (LIMIT and OFFSET left as the last two parameters):
        every column, or ``_rowid``, ``_type`` and ``columns``."""
        compiler = SqlCompiler(self.store, self.computed)
        table = self.store.table(query.entity_type)
        conditions, params = compiler.root_conditions(query, "a0")
        order = []
        for key in query.order_by:
            expression, _ = compiler.value_of(query.entity_type, "a0", key.path)
            if key.descending:
                order.append(f"({expression}) IS NULL DESC, {expression} DESC")
            else:
                order.append(f"({expression}) IS NULL, {expression}")
        order.append("a0.rowid")
        sql = (
            f"SELECT a0.rowid AS _rowid, {self._column_list(columns)} FROM {quote(table.name)} a0 "
            f"WHERE {' AND '.join(conditions) or '1'} ORDER BY {', '.join(order)} LIMIT ? OFFSET ?"
        )
        return sql, params

    @staticmethod
    def _column_list(columns: Optional[List[str]]) -> str:
        if columns is None:
            return "a0.*"
        return ", ".join(["a0._type", *(f"a0.{quote(name)}" for name in columns)])

    # -- projections -------------------------------------------------------------------------------
    def projection_tree(self, entity_type: str, paths: Any) -> Node:
        """Merge projection paths into a tree; a mapped collection also projects key and value."""
        root = Node()
        for path in paths:
            if isinstance(path, str):
                path = ast.Path.of(path)
            steps = resolve_path(self.schemas, entity_type, path)
            node = root
            for step in path.steps:
                node = node.children.setdefault(step.name, Node(step.cast))
                node.cast = step.cast or node.cast
            last = steps[-1].attribute
            if last.kind == "mapped_collection":
                for name in (last.key_attribute, last.value_attribute):
                    if name:
                        node.children.setdefault(name, Node())
        return root

    def load(self, rows: List[Row], entity_type: str, node: Node) -> None:
        """Attach the related rows that ``node`` projects to each of ``rows``."""
        if not rows:
            return
        self.computed.fill(rows, node.children)
        schema = self.schemas[entity_type]
        for name, child in node.children.items():
            attribute = schema.attributes.get(name)
            if attribute is None or attribute.is_scalar:
                continue
            relation = self.store.relations.get(entity_type, name)
            # A cast in a projection says how to read further; items of other types stay.
            target = attribute.target or ""
            key = REL + name
            loaded: List[Row] = []
            if relation is None:
                raise unstored(entity_type, name)
            elif relation.kind == "reference":
                target_key = self.store.table(target).primary_key[0]
                found = {
                    r[target_key]: dict(r)
                    for r in self.store.rows_where(target, target_key, (row.get(relation.fk) for row in rows))
                }
                for row in rows:
                    row[key] = found.get(row.get(relation.fk))
                loaded = list(found.values())
            elif relation.kind in ("collection", "mapped"):
                owner_key = self.store.table(entity_type).primary_key[0]
                groups: Dict[Any, List[Row]] = defaultdict(list)
                for stored in self.store.rows_where(
                    target, relation.fk, (row.get(owner_key) for row in rows), relation.where
                ):
                    item = dict(stored)
                    groups[item[relation.fk]].append(item)
                    loaded.append(item)
                if relation.target in self.values.types:
                    loaded.extend(self.values.add_defaults(entity_type, rows, owner_key, groups, relation))
                for row in rows:
                    row[key] = groups.get(row.get(owner_key), [])
            elif relation.kind == "link":
                loaded = self._load_links(rows, entity_type, relation, target, key)
            elif relation.kind == "latest":
                loaded = self.computed.load_latest(rows, entity_type, relation, key)
            else:
                loaded = self._load_tree(rows, relation.kind, target, key)
            if child.children:
                self.load(loaded, child.cast or target, child)

    def _load_tree(self, rows: List[Row], kind: str, target: str, key: str) -> List[Row]:
        """``ancestors`` (root first) or ``descendants`` (breadth first) of each row."""
        family = self.store.family(target)
        known: Dict[Any, Row] = {}
        if kind == "ancestors":
            wanted = {row.get("parent_id") for row in rows} - {None}
            while wanted:
                found = [dict(r) for r in self.store.rows_where(family, "id", wanted)]
                known.update((r["id"], r) for r in found)
                wanted = {r.get("parent_id") for r in found} - {None} - set(known)
            for row in rows:
                chain: List[Row] = []
                parent = row.get("parent_id")
                while parent in known and len(chain) < 1000:
                    chain.append(known[parent])
                    parent = known[parent].get("parent_id")
                row[key] = [r for r in reversed(chain) if self.schemas.is_subtype(r["_type"], target)]
        else:
            children: Dict[Any, List[Row]] = defaultdict(list)
            frontier = {row.get("id") for row in rows} - {None}
            seen = set(frontier)
            while frontier:
                following = set()
                for stored in self.store.rows_where(family, "parent_id", frontier):
                    r = dict(stored)
                    if r["id"] in known:
                        continue
                    known[r["id"]] = r
                    children[r["parent_id"]].append(r)
                    if r["id"] not in seen:
                        seen.add(r["id"])
                        following.add(r["id"])
                frontier = following
            for row in rows:
                result, queue = [], list(children.get(row.get("id"), []))
                while queue:
                    item = queue.pop(0)
                    result.append(item)
                    queue.extend(children.get(item["id"], []))
                row[key] = [r for r in result if self.schemas.is_subtype(r["_type"], target)]
        return [r for r in known.values() if self.schemas.is_subtype(r["_type"], target)]

    def _load_links(self, rows: List[Row], entity_type: str, relation: Relation, target: str,
                    key: str) -> List[Row]:
        owner_key = self.store.table(entity_type).primary_key[0]
        keys = item_keys(self.store, relation, [row.get(owner_key) for row in rows])
        target_key = self.store.table(target).primary_key[0]
        found = {r[target_key]: dict(r) for r in self.store.rows_where(
            target, target_key, (k for ks in keys.values() for k in ks))}
        for row in rows:
            row[key] = [found[k] for k in keys.get(row.get(owner_key), ()) if k in found]
        return list(found.values())

    # -- encoding ------------------------------------------------------------------------------------
    def always(self, entity_type: str) -> Tuple[str, ...]:
        """Attributes written with every entity of ``entity_type``: system projections, classifier."""
        cached = self._always.get(entity_type)
        if cached is None:
            schema = self.schemas[entity_type]
            by_alias: Dict[str, str] = {}
            for name, prop in schema.raw.get("properties", {}).items():
                alias = prop.get("alias_for")
                if isinstance(alias, str):
                    by_alias.setdefault(alias, name)
            names = []
            for server_name in [*schema.raw.get("system_projections", ()), *schema.classifiers]:
                name = server_name if server_name in schema.attributes else by_alias.get(server_name)
                if name and schema.attributes[name].is_scalar and name not in names:
                    names.append(name)
            cached = self._always[entity_type] = tuple(names)
        return cached

    def emit(self, row: Row, node: Node, emitted: Dict[Any, Set[Any]]) -> Dict[str, Any]:
        """Encode one row with the attributes of ``node`` not yet written in this answer."""
        entity_type = row["_type"]
        schema = self.schemas[entity_type]
        table = self.store.table(entity_type)
        out: Dict[str, Any] = {"__entity_type__": entity_type}
        for name in table.primary_key:
            out[name] = row[name]
        done = emitted.setdefault((table.name, tuple(out[n] for n in table.primary_key)), set())
        attributes = schema.attributes
        for name in self.always(entity_type):
            if name not in done:
                done.add(name)
                out[name] = from_column(attributes[name].kind, row.get(name))
        for name, child in node.children.items():
            attribute = attributes.get(name)
            if attribute is None or name in table.primary_key:
                continue
            if attribute.is_scalar:
                if name not in done:
                    done.add(name)
                    out[name] = from_column(attribute.kind, row.get(name))
                continue
            mark = (name, id(child))
            if mark in done:
                continue
            done.add(mark)
            value = row.get(REL + name)
            if isinstance(value, list):
                out[name] = [self.emit(item, child, emitted) for item in value]
            else:
                out[name] = None if value is None else self.emit(value, child, emitted)
        return out

    def emit_flat(self, rows: List[Row], plan: Plan[Node]) -> List[Dict[str, Any]]:
        """:meth:`emit` for the rows of a one-statement plan: every entity occurs once and only
        stored scalars are written, so what to write of a row type is worked out once per plan."""
        fields: Dict[str, Tuple[Tuple[str, ...], List[Tuple[str, Callable[[Any], Any]]]]] = plan.fields
        data = []
        for row in rows:
            entity_type = row["_type"]
            known = fields.get(entity_type)
            if known is None:
                known = fields[entity_type] = self._flat_fields(entity_type, plan.tree)
            key, loads = known
            out: Dict[str, Any] = {"__entity_type__": entity_type}
            for name in key:
                out[name] = row[name]
            for name, load in loads:
                value = row.get(name)
                out[name] = None if value is None else load(value)
            data.append(out)
        return data

    def _flat_fields(self, entity_type: str,
                     tree: Node) -> Tuple[Tuple[str, ...], List[Tuple[str, Callable[[Any], Any]]]]:
        """The key and the ``(name, column -> wire)`` pairs :meth:`emit` writes of a first occurrence."""
        attributes = self.schemas[entity_type].attributes
        key = self.store.table(entity_type).primary_key
        names = list(dict.fromkeys(self.always(entity_type)))
        for name in tree.children:
            attribute = attributes.get(name)
            if attribute is not None and attribute.is_scalar and name not in key and name not in names:
                names.append(name)
        return key, [(name, KINDS[attributes[name].kind].load) for name in names]

    def encode(self, entity_type: str, key: List[Any], attributes: List[str]) -> Dict[str, Any]:
        """One stored entity with ``attributes`` (scalar or relation paths), freshly read."""
        row = self.store.get(entity_type, key)
        if row is None:
            raise validation_error(f"{entity_type} {key!r} does not exist.")
        rows = [dict(row)]
        if entity_type == VALUES_BASE:
            rows[0]["_type"] = VALUES_BASE
        tree = self.projection_tree(rows[0]["_type"], attributes)
        self.load(rows, rows[0]["_type"], tree)
        return self.emit(rows[0], tree, {})
