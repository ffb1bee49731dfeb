"""Attributes a real ftrack server computes from other data: read, and filtered where ftrack allows it.

One table, :data:`COMPUTED`: each row names the entity type it applies to (with
its subtypes) and the attribute, and either an SQL expression over the row's
table alias ``{a}`` (read through it, and usable in ``where`` clauses:
``AssetVersion where is_latest_version is true``) or a Python reader that fills
a batch of rows (``link``, a list that cannot be compared). Writing a computed
attribute is refused, whether or not the schema marks it ``computed``.

A computed reference (``Asset.latest_version``, a ``latest`` relation of
:mod:`ftrack_orm.relations`) has its key computed in SQL: :meth:`ComputedAttributes.key_sql`
is the key column of any reference, :meth:`ComputedAttributes.load_latest` reads one.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any, Callable, Dict, List, Optional, Tuple
from urllib.parse import urlencode

import attrs

from ..relations import Relation
from .store import Store, quote

Row = Dict[str, Any]


@attrs.frozen
class Computed:
    """``entity_type.attribute`` is computed: by ``sql`` (an expression on alias ``{a}``), ``read``
    or ``read_url``."""

    entity_type: str
    attribute: str
    sql: Optional[str] = None
    read: Optional[Callable[[Store, List[Row]], None]] = None
    #: A reader that needs the server's URL (``http://host:port``): ``(url, rows)``.
    read_url: Optional[Callable[[str, List[Row]], None]] = None


def _context_links(store: Store, ids: List[Any]) -> Dict[Any, List[Dict[str, Any]]]:
    """Context id → its link: ``{"id", "name", "type"}`` from the project down to itself."""
    table = quote(store.table("Context").name)
    known: Dict[Any, Any] = {}
    wanted = set(ids) - {None}
    while wanted:
        marks = ", ".join("?" * len(wanted))
        found = store.connection.execute(
            f"SELECT id, name, parent_id, _type FROM {table} WHERE id IN ({marks})", list(wanted)
        ).fetchall()
        known.update((r["id"], r) for r in found)
        wanted = {r["parent_id"] for r in found} - {None} - set(known)
    links: Dict[Any, List[Dict[str, Any]]] = {}
    for context_id in ids:
        chain: List[Dict[str, Any]] = []
        current = known.get(context_id)
        while current is not None and len(chain) < 1000:
            kind = "Project" if current["_type"] == "Project" else "TypedContext"
            chain.append({"id": current["id"], "name": current["name"], "type": kind})
            current = known.get(current["parent_id"])
        links[context_id] = list(reversed(chain))
    return links


def _read_context_link(store: Store, rows: List[Row]) -> None:
    links = _context_links(store, [row.get("id") for row in rows])
    for row in rows:
        row["link"] = links.get(row.get("id"), [])


def _read_version_link(store: Store, rows: List[Row]) -> None:
    """An asset version's link: its asset's context's link, then the version itself."""
    assets = {r["id"]: r for r in store.rows_where("Asset", "id", [row.get("asset_id") for row in rows])}
    links = _context_links(store, [a["context_id"] for a in assets.values()])
    for row in rows:
        asset = assets.get(row.get("asset_id"))
        if asset is None:
            row["link"] = []
            continue
        name = f"{asset['name']} v{row.get('version')}"
        row["link"] = [*links.get(asset["context_id"], []), {"id": row.get("id"), "name": name, "type": "AssetVersion"}]


def _read_thumbnail_url(server_url: str, rows: List[Row]) -> None:
    """``{"url": ...}``: the thumbnail image of the entity's ``thumbnail_id`` (a note or setting
    component: of itself), or the server's placeholder image when it has none."""
    for row in rows:
        component_id = row.get("thumbnail_id", row.get("component_id"))
        url = (f"{server_url}/component/thumbnail?{urlencode({'id': component_id})}" if component_id
               else f"{server_url}/img/thumbnail2.png")
        row["thumbnail_url"] = {"url": url}


_NOW = "strftime('%Y-%m-%dT%H:%M:%S', 'now')"

#: Every computed attribute the sandbox answers.
COMPUTED: Tuple[Computed, ...] = (
    Computed("Context", "link", read=_read_context_link),
    Computed("AssetVersion", "link", read=_read_version_link),
    Computed("AssetVersion", "is_latest_version", sql=(
        '({a}."version" = (SELECT MAX(v."version") FROM "AssetVersion" v WHERE v.asset_id = {a}.asset_id))'
    )),
    Computed("TypedContext", "time_logged", sql=(
        '(SELECT COALESCE(SUM(t.duration), 0.0) FROM "Timelog" t WHERE t.context_id = {a}.id)'
    )),
    Computed("Context", "thumbnail_url", read_url=_read_thumbnail_url),
    Computed("AssetVersion", "thumbnail_url", read_url=_read_thumbnail_url),
    Computed("User", "thumbnail_url", read_url=_read_thumbnail_url),
    Computed("ReviewSession", "thumbnail_url", read_url=_read_thumbnail_url),
    Computed("NoteComponent", "thumbnail_url", read_url=_read_thumbnail_url),
    Computed("SettingComponent", "thumbnail_url", read_url=_read_thumbnail_url),
    Computed("ReviewSession", "is_open", sql=(
        f"(COALESCE({{a}}.start_date <= {_NOW}, 1) AND COALESCE({{a}}.end_date >= {_NOW}, 1))"
    )),
)


class ComputedAttributes:
    """:data:`COMPUTED` resolved for the store's schemas."""

    def __init__(self, store: Store) -> None:
        self.store = store
        #: The server's URL, for the attributes that are URLs (set by the server once it listens).
        self.server_url: Callable[[], str] = lambda: ""
        self._rules: Dict[Tuple[str, str], Computed] = {}
        for name in store.schemas:
            for rule in COMPUTED:
                if (rule.attribute in store.schemas[name].attributes and rule.entity_type in store.schemas
                        and store.schemas.is_subtype(name, rule.entity_type)):
                    self._rules.setdefault((name, rule.attribute), rule)
        self.names = frozenset(attribute for _, attribute in self._rules)

    def get(self, entity_type: str, attribute: str) -> Optional[Computed]:
        """The rule computing ``entity_type.attribute`` (``None``: stored as written)."""
        return self._rules.get((entity_type, attribute))

    def sql(self, entity_type: str, attribute: str, alias: str) -> Optional[str]:
        """The SQL expression of a computed attribute on ``alias`` (``None`` if it has none)."""
        rule = self._rules.get((entity_type, attribute))
        return rule.sql.format(a=alias) if rule is not None and rule.sql else None

    def fill(self, rows: List[Row], names: Any) -> None:
        """Set every computed attribute of ``names`` on ``rows`` (mixed types allowed)."""
        wanted = [n for n in names if n in self.names]
        for name in wanted:
            groups: Dict[Computed, List[Row]] = defaultdict(list)
            for row in rows:
                rule = self._rules.get((row["_type"], name))
                if rule is not None:
                    groups[rule].append(row)
            for rule, members in groups.items():
                if rule.read is not None:
                    rule.read(self.store, members)
                elif rule.read_url is not None:
                    rule.read_url(self.server_url(), members)
                elif rule.sql is not None:
                    self._fill_sql(rule, name, members)

    def key_sql(self, relation: Relation, alias: str) -> str:
        """SQL for the target's key of reference ``relation`` on the row aliased ``alias``:
        its key column, or for a ``latest`` relation the key of the greatest item."""
        if relation.kind != "latest":
            return f"{alias}.{quote(relation.fk)}"
        items, owner = self.store.table(relation.target), "id"
        inner = f"{alias}_latest"
        _, types = self.store.type_filter(relation.target, inner)  # type names: identifiers, inlined
        restrict = f" AND {inner}._type IN ({', '.join(repr(str(t)) for t in types)})" if types else ""
        return (
            f"(SELECT {inner}.{quote(items.primary_key[0])} FROM {quote(items.name)} {inner} "
            f"WHERE {inner}.{quote(relation.fk)} = {alias}.{quote(owner)}{restrict} "
            f"ORDER BY {inner}.{quote(relation.key or 'rowid')} DESC, {inner}.rowid DESC LIMIT 1)"
        )

    def load_latest(self, rows: List[Row], entity_type: str, relation: Relation, key: str) -> List[Row]:
        """Set ``row[key]`` to the greatest item of ``latest`` ``relation`` for each of ``rows``;
        return the items read."""
        owners = self.store.table(entity_type)
        by_rowid = {row["_rowid"]: row for row in rows}
        listed, wanted = list(by_rowid), {}  # type: Tuple[List[Any], Dict[Any, Any]]
        for start in range(0, len(listed), 500):
            chunk = listed[start:start + 500]
            wanted.update(self.store.connection.execute(
                f"SELECT o.rowid, {self.key_sql(relation, 'o')} FROM {quote(owners.name)} o "
                f"WHERE o.rowid IN ({', '.join('?' * len(chunk))})", chunk
            ).fetchall())
        item_key = self.store.table(relation.target).primary_key[0]
        found = {r[item_key]: dict(r) for r in self.store.rows_where(relation.target, item_key, set(wanted.values()) - {None})}
        for rowid, row in by_rowid.items():
            row[key] = found.get(wanted.get(rowid))
        return list(found.values())

    def _fill_sql(self, rule: Computed, name: str, rows: List[Row]) -> None:
        table = quote(self.store.table(rows[0]["_type"]).name)
        by_rowid = {row["_rowid"]: row for row in rows}
        listed = list(by_rowid)
        for start in range(0, len(listed), 500):
            chunk = listed[start:start + 500]
            for rowid, value in self.store.connection.execute(
                f"SELECT c.rowid, {rule.sql.format(a='c')} FROM {table} c "  # type: ignore[union-attr]
                f"WHERE c.rowid IN ({', '.join('?' * len(chunk))})", chunk
            ):
                by_rowid[rowid][name] = value
