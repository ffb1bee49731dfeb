"""Lazy loading: result groups, the loader protocol, batched fetches and ``populate``.

* The session provides a :class:`Loader`. ``load(entity_type, entities, attributes)``
  must run ``select <attributes> from <entity_type> where id in (...)`` (chunked as
  it sees fit) and decode the answers through the identity map, so that after the
  call those attributes are in the entities' server values.
* Entities decoded from one query page share a :class:`ResultGroup`. Reading an
  unloaded attribute on one of them asks the loader ONCE for every entity of the
  group that lacks it (no N+1). The query type is the most general type in the
  entity's class chain that has the attribute (``name`` -> ``Context``), and the
  batch is every group member of that type.
* ``auto_populate`` off (map-wide, or per thread with
  ``identity_map.auto_populating(False)``) makes reading an unloaded attribute
  raise :class:`NotLoadedError` instead of fetching; so does having no loader.
* A new (uncommitted) entity never fetches: an unset attribute reads as ``None``
  (empty for collections).

Concurrent lazy loads of the same attribute in two threads may both call the
loader; the merges are idempotent, so the only cost is a duplicate request.
"""
from __future__ import annotations

from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Protocol, Sequence, Tuple, Type, Union

from .protocols import Descriptor, EntityMap
from .state import NotLoadedError

#: An entity (its class is defined above this module, in :mod:`ftrack_orm.entity.base`).
Entity = Any


class Loader(Protocol):
    """What the session gives the identity map to fetch unloaded attributes."""

    def load(self, entity_type: str, entities: Sequence[Entity], attributes: Sequence[str]) -> None:
        """Fetch ``attributes`` of ``entities`` (all of ``entity_type`` or its subtypes).

        A loader may also offer ``load_many([(entity_type, entities, attributes), ...])``
        to serve several such requests in one round trip; ``populate`` uses it.
        """


class ResultGroup:
    """The entities decoded from one query result (one page), for batched lazy loads.

    ``group.merge`` is the identity map's fused object hook for ``json.loads`` (typed
    values too) that merges into the identity map and records membership; ``group.members`` lists weak
    references to the entities (in decoding order; an entity belongs to the group it
    was last seen in), the identity map's own ones: members keep their group alive,
    never the reverse, so an entity nobody holds is freed with its group.
    """

    __slots__ = ("members", "merge", "__weakref__")

    def __init__(self, identity_map: EntityMap) -> None:
        self.members: List[Callable[[], Optional[Entity]]] = []
        self.merge = identity_map.object_hook(self)

    def __len__(self) -> int:
        return len(self.members)

    def entities(self) -> List[Entity]:
        """The members still alive."""
        return [entity for entity in (member() for member in self.members) if entity is not None]

    def __repr__(self) -> str:
        return f"<ResultGroup of {len(self.members)} entities>"


def query_class(cls: type, name: str) -> type:
    """The most general class in ``cls``'s chain whose schema has attribute ``name``."""
    found = cls
    for klass in cls.__mro__:
        schema = klass.__dict__.get("_schema")
        if schema is not None and name in schema.attributes:
            found = klass
    return found


def _default(entity: Entity, attribute: Descriptor) -> Any:
    return attribute.empty()


def fetch(entity: Entity, attribute: Descriptor) -> Any:
    """Load ``attribute`` for ``entity`` (and its group), then return its value."""
    state = entity._state
    if state is not None and state.new:
        return _default(entity, attribute)
    identity_map = entity._map
    name = attribute.name
    if not identity_map.auto_populate_enabled:
        raise NotLoadedError(
            f"{entity!r}.{attribute.python_name} is not loaded and auto_populate is off; "
            f"load it with populate() or in the query's projections"
        )
    loader = identity_map.loader
    if loader is None:
        raise NotLoadedError(f"{entity!r}.{attribute.python_name} is not loaded and there is no loader to fetch it")
    base = identity_map.types.query_class(type(entity), name)
    batch: List[Entity] = [entity]
    group = entity._group
    if group is not None:
        seen = {id(entity)}
        for reference in group.members:
            member = reference()
            if (
                member is not None
                and id(member) not in seen
                and name not in member._values
                and isinstance(member, base)
                and (member._state is None or not (member._state.new or member._state.detached))
            ):
                seen.add(id(member))
                batch.append(member)
    loader.load(base.__entity_type__, batch, [name])
    try:
        return entity._values[name]
    except KeyError:
        raise NotLoadedError(
            f"{entity!r}.{attribute.python_name}: the server returned no value (deleted on the server?)"
        ) from None


def parse_projections(projections: Union[str, Iterable[str]]) -> Dict[str, Any]:
    """``"name, parent.name"`` -> ``{"name": {}, "parent": {"name": {}}}``."""
    if isinstance(projections, str):
        projections = projections.split(",")
    tree: Dict[str, Any] = {}
    for path in projections:
        path = path.strip()
        if not path:
            continue
        node = tree
        for step in path.split("."):
            step = step.strip()
            if not step:
                raise ValueError(f"Empty step in projection {path!r}")
            node = node.setdefault(step, {})
    return tree


def _related(entity: Entity, name: str) -> List[Entity]:
    value = entity._current_value(name)
    if value is None:
        return []
    if isinstance(value, list):
        return list(value)
    return [value]


def populate(identity_map: EntityMap, entities: Iterable[Entity], projections: Union[str, Iterable[str]]) -> None:
    """Fetch the dotted ``projections`` for all ``entities`` with as few loader calls as possible.

    Level by level: for ``"name, parent.name"`` one call for ``name`` and ``parent``
    of every entity lacking them (per query type), then one for the parents' names.
    Entities already holding an attribute are not asked again; new entities are skipped.
    """
    loader = identity_map.loader
    for requests in populate_levels(identity_map, entities, projections):
        if loader is None:
            raise NotLoadedError("populate() needs a loader and the identity map has none")
        load_many = getattr(loader, "load_many", None)
        if load_many is not None:
            load_many(requests)  # one round trip for the whole level
        else:
            for request in requests:
                loader.load(*request)


#: One load request: (query type, entities, attribute names).
LoadRequest = Tuple[str, List[Entity], List[str]]


def populate_levels(identity_map: EntityMap, entities: Iterable[Entity],
                    projections: Union[str, Iterable[str]]) -> Iterator[List[LoadRequest]]:
    """The load requests of :func:`populate`, one list per level of the projection tree.

    The caller serves each list (in one round trip) before asking for the next: the
    next level reads what the previous one loaded. Levels with nothing to load are skipped.
    """
    tree = parse_projections(projections)
    level: List[Tuple[List[Entity], Dict[str, Any]]] = [(list({id(e): e for e in entities}.values()), tree)]
    while level:
        requests = _level_requests(identity_map, level)
        if requests:
            yield requests
        following = []
        for members, subtree_of in level:
            for name, subtree in subtree_of.items():
                if subtree:
                    related: Dict[int, Entity] = {}
                    for entity in members:
                        for item in _related(entity, name):
                            related[id(item)] = item
                    if related:
                        following.append((list(related.values()), subtree))
        level = following


def _level_requests(identity_map: EntityMap, level: List[Tuple[List[Entity], Dict[str, Any]]]) -> List[LoadRequest]:
    """Every attribute one level of the projection tree needs, grouped per query type."""
    plan: Dict[Type[Entity], Tuple[Dict[int, Entity], Dict[str, None]]] = {}
    for entities, tree in level:
        for entity in entities:
            cls = type(entity)
            state = entity._state
            skip = state is not None and (state.new or state.detached)
            for name in tree:
                cls._attribute(name)  # AttributeError with did-you-mean for a wrong path
                if skip or name in entity._values:
                    continue
                base = identity_map.types.query_class(cls, name)
                members, names = plan.setdefault(base, ({}, {}))
                members[id(entity)] = entity
                names[name] = None
    return [(base.__entity_type__, list(members.values()), list(names)) for base, (members, names) in plan.items()]
