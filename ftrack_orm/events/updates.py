"""Typed ``ftrack.update`` events, and refreshing the entities a session already holds.

:func:`parse_update` turns the event a server publishes after every commit into an
:class:`Update` of :class:`EntityChange` records (schema entity type, id, action,
changed attributes with old/new values under their schema names, parents).
:class:`Refresher` applies the changed server values to entities already loaded in
an identity map (local pending changes are never touched), and :func:`watch_updates`
wires both to a session's event hub, so a long-running tool sees other users'
changes without re-querying::

    watch_updates(session, lambda update: print(update.entities))

Events caused by the session itself carry its ``clientToken`` (:meth:`Update.caused_by`);
its own changes are already applied locally, so they are not refreshed.
"""
from __future__ import annotations

import logging
from types import MappingProxyType
from typing import Any, Callable, Dict, List, Mapping, Optional, Protocol, Tuple

import attrs

from ..entity.inspection import inspect
from ..relations import Relations
from ..schema import SchemaRegistry
from ..times import parse_datetime
from .event import Event
from .legacy import LEGACY_TYPES, SCHEMA_ATTRIBUTES

__all__ = ["AttributeChange", "EntityChange", "ParentRef", "Refresher", "Update", "parse_update", "watch_updates"]

logger = logging.getLogger(__name__)

TOPIC = "ftrack.update"
#: Legacy ``entityType`` → schema name, for events without ``entity_type``.
_SCHEMA_TYPES: Dict[str, str] = {"show": "Project", "task": "TypedContext",
                                 **{legacy: name for name, legacy in reversed(list(LEGACY_TYPES.items()))}}
#: Attribute kinds whose event values are refreshed as they come (datetimes are parsed).
_PLAIN_KINDS = frozenset({"string", "integer", "number", "boolean"})


def _frozen_changes(changes: Mapping[str, AttributeChange]) -> Mapping[str, AttributeChange]:
    return MappingProxyType(dict(changes))


@attrs.frozen
class AttributeChange:
    """One changed attribute: ``name`` as the schema names it (legacy event names such as
    ``statusid`` are translated; custom attribute keys stay as sent), ``key`` as the event
    named it, and the ``old`` / ``new`` values as the event carries them."""

    name: str
    old: Any
    new: Any
    key: str


@attrs.frozen
class ParentRef:
    """An entry of ``parents``: the entity itself first, then up to the project."""

    entity_type: str
    id: str
    parent_id: Optional[str]


@attrs.frozen
class EntityChange:
    """What a commit did to one entity.

    ``action`` is ``add``, ``update``, ``remove`` or ``move`` (a context got a new
    parent); ``entity_type`` is the schema name (``Shot``; ``TypedContext`` when an
    old server only says ``task``); ``attributes`` maps schema names to
    :class:`AttributeChange`.
    """

    entity_type: str
    id: str
    action: str
    attributes: Mapping[str, AttributeChange] = attrs.field(converter=_frozen_changes, hash=False)
    parent_id: Optional[str] = None
    parents: Tuple[ParentRef, ...] = ()
    legacy_type: str = ""

    def changed(self, name: str) -> bool:
        """Whether attribute ``name`` (schema name) changed."""
        return name in self.attributes


@attrs.frozen
class Update:
    """A typed ``ftrack.update`` event: its :class:`EntityChange` records, who caused it."""

    entities: Tuple[EntityChange, ...]
    client_token: Optional[str] = None
    user_id: Optional[str] = None
    username: Optional[str] = None
    event_id: Optional[str] = None

    def caused_by(self, client_token: Optional[str]) -> bool:
        """Whether the commit came from the session with this ``client_token``."""
        return client_token is not None and self.client_token == client_token

    def of_type(self, *entity_types: str) -> Tuple[EntityChange, ...]:
        """The records of these entity types (schema names)."""
        return tuple(change for change in self.entities if change.entity_type in entity_types)


def parse_update(event: Event) -> Update:
    """The :class:`Update` of an ``ftrack.update`` event (``ValueError`` for another topic).

    Tolerant of what older servers leave out: items without an ``entityId`` are skipped."""
    if event.topic != TOPIC:
        raise ValueError(f"Not an {TOPIC} event: {event.topic!r}.")
    data = event.data
    user = _mapping(data.get("user"))
    source_user = _mapping(event.source.get("user"))
    records = tuple(record for record in (_entity_change(item) for item in data.get("entities") or ())
                    if record is not None)
    return Update(records, data.get("clientToken"), user.get("userid") or source_user.get("id"),
                  user.get("name") or source_user.get("username"), event.id)


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _entity_change(item: Any) -> Optional[EntityChange]:
    if not isinstance(item, dict) or item.get("entityId") is None:
        return None
    legacy = str(item.get("entityType") or "")
    attributes: Dict[str, AttributeChange] = {}
    for key, value in _mapping(item.get("changes")).items():
        change = _mapping(value)
        name = SCHEMA_ATTRIBUTES.get(key, key)
        attributes[name] = AttributeChange(name, change.get("old"), change.get("new"), key)
    parents = tuple(
        ParentRef(str(parent.get("entity_type") or _SCHEMA_TYPES.get(str(parent.get("entityType")), "")),
                  str(parent["entityId"]), parent.get("parentId"))
        for parent in item.get("parents") or () if isinstance(parent, dict) and parent.get("entityId") is not None)
    entity_type = str(item.get("entity_type") or _SCHEMA_TYPES.get(legacy, legacy))
    return EntityChange(entity_type, str(item["entityId"]), str(item.get("action") or ""), attributes,
                        item.get("parentId"), parents, legacy)


class UpdatableMap(Protocol):
    """What :class:`Refresher` needs of an identity map
    (:class:`~ftrack_orm.entity.identity.IdentityMap`)."""

    @property
    def schemas(self) -> SchemaRegistry:
        """The schemas of the map's entity types."""

    def get(self, entity_type: str, key: Any) -> Optional[Any]:
        """The entity of that key already in the map, or ``None`` (never fetches)."""

    def merge(self, payload: Dict[str, Any]) -> Any:
        """Merge server values (``{"__entity_type__", key, name: value}``); local changes keep winning."""


class Refresher:
    """``refresher(update)``: apply an :class:`Update`'s new server values to the entities
    of ``identity_map`` that are already loaded; returns those it refreshed.

    Only attributes the entity has loaded are refreshed, and only when the entity has
    no pending local change of that attribute (local changes are never touched).
    Refreshed: strings, numbers, booleans, datetimes, and foreign keys together with
    their loaded reference (``status_id`` and ``status``). Not refreshed: custom
    attributes, collections and JSON values (query them again), and removed entities
    (they stay in the map; the record says ``remove``). Runs on the hub's thread:
    for a single-threaded tool, use ``event_hub_options={"background": False}`` and
    ``event_hub.wait()``.
    """

    def __init__(self, identity_map: UpdatableMap) -> None:
        self.identity_map = identity_map
        self._relations: Optional[Relations] = None

    def __call__(self, update: Update) -> List[Any]:
        refreshed = []
        for change in update.entities:
            if change.action in ("update", "move") and change.attributes:
                entity = self._refresh(change)
                if entity is not None:
                    refreshed.append(entity)
        return refreshed

    def _refresh(self, change: EntityChange) -> Any:
        schemas = self.identity_map.schemas
        if change.entity_type not in schemas:
            return None
        entity = self.identity_map.get(change.entity_type, change.id)
        if entity is None:
            return None
        view = inspect(entity)
        if view.state in ("new", "detached") or view.schema.single_key is None:
            return None
        attributes, loaded, pending = view.schema.attributes, view.loaded, view.pending
        values: Dict[str, Any] = {}
        for name, attribute_change in change.attributes.items():
            attribute = attributes.get(name)
            if attribute is None or name not in loaded or name in pending:
                continue
            new = attribute_change.new
            if attribute.kind == "datetime" and new is not None:
                try:
                    new = parse_datetime(new)
                except ValueError:
                    continue
            elif attribute.kind not in _PLAIN_KINDS:
                continue
            values[name] = new
            if attribute.foreign_key:
                values.update(self._references(view.schema.name, name, new, loaded, pending))
        if not values:
            return None
        values["__entity_type__"] = view.schema.name
        values[view.schema.single_key] = change.id
        return self.identity_map.merge(values)

    def _references(self, entity_type: str, fk: str, new: Any, loaded: Any, pending: Any) -> Dict[str, Any]:
        """The loaded references stored in ``fk``, pointed at the entity of key ``new``."""
        if self._relations is None:
            self._relations = Relations(self.identity_map.schemas)
        found: Dict[str, Any] = {}
        schemas = self.identity_map.schemas
        for name, attribute in schemas[entity_type].attributes.items():
            if not attribute.is_reference or name not in loaded or name in pending:
                continue
            relation = self._relations.get(entity_type, name)
            if relation is None or relation.fk != fk or relation.target not in schemas:
                continue
            key = schemas[relation.target].single_key
            if key is None:
                continue
            found[name] = None if new is None else self.identity_map.merge(
                {"__entity_type__": relation.target, key: new})
        return found


class Watchable(Protocol):
    """What :func:`watch_updates` needs of a session (:class:`~ftrack_orm.Session`)."""

    @property
    def event_hub(self) -> Any:
        """The session's event hub."""

    @property
    def identity_map(self) -> Any:
        """The session's identity map."""

    @property
    def client_token(self) -> str:
        """The token the server puts on updates this session caused."""


def watch_updates(session: Watchable, callback: Optional[Callable[[Update], Any]] = None, *,
                  refresh: bool = True, include_own: bool = False, priority: int = 100) -> str:
    """Subscribe ``session``'s event hub to ``ftrack.update``; the subscriber id.

    For every update, first (``refresh``) the entities the session holds get the new
    server values (:class:`Refresher`; not for the session's own commits), then
    ``callback(update)`` runs, for others' commits and, with ``include_own``, the
    session's own. An update that cannot be read is logged and skipped.
    """
    refresher = Refresher(session.identity_map) if refresh else None
    token = session.client_token

    def on_update(event: Event) -> None:
        update = parse_update(event)
        own = update.caused_by(token)
        if refresher is not None and not own:
            refresher(update)
        if callback is not None and (include_own or not own):
            callback(update)

    hub_id: str = session.event_hub.subscribe(f"topic={TOPIC}", on_update, priority=priority)
    return hub_id
