"""What the entity layer's lower modules need from the higher ones, as protocols.

Entities reach their identity map through the class attribute ``_map``, and
collection views and lazy loading reach attribute descriptors. Both are defined
higher up (:mod:`ftrack_orm.entity.identity`, :mod:`ftrack_orm.entity.attributes`);
these protocols name exactly the members used, so that imports only go down.
"""
from __future__ import annotations

from typing import Any, Dict, Optional, Protocol, Tuple

from ..schema import AttributeSchema, SchemaRegistry


class ChangeSets(Protocol):
    """The session's change sets, as entity state sees them."""

    def sync(self, entity: Any) -> None:
        """Put ``entity`` in the set its state calls for."""


class EntityTypes(Protocol):
    """The generated entity classes of one map."""

    def __getitem__(self, name: str) -> type:
        """The class of entity type ``name``."""

    def query_class(self, cls: type, name: str) -> type:
        """The most general class in ``cls``'s chain whose schema has attribute ``name``."""


class EntityMap(Protocol):
    """What entities, descriptors, views and lazy loading need from their identity map."""

    @property
    def schemas(self) -> SchemaRegistry:
        """The schemas of the map's entity types."""

    @property
    def types(self) -> EntityTypes:
        """The generated entity classes."""

    @property
    def changes(self) -> ChangeSets:
        """The change sets."""

    @property
    def loader(self) -> Any:
        """The loader of unloaded attributes, or ``None``."""

    @property
    def auto_populate_enabled(self) -> bool:
        """Whether reading an unloaded attribute fetches it, for the calling thread."""

    @property
    def session(self) -> Any:
        """The session owning the map (``entity.session``), or ``None``."""

    @property
    def custom_attribute_configurations(self) -> Any:
        """The custom attribute configurations, or ``None``."""

    def get(self, entity_type: str, key: Any) -> Optional[Any]:
        """The entity of that key already in the map, or ``None``."""

    def key_of(self, entity: Any) -> Tuple[Any, ...]:
        """``(identity type, *primary key values)`` of ``entity``."""

    def create(self, entity_type: str, data: Optional[Dict[str, Any]] = None) -> Any:
        """A new, pending entity."""

    def merge_into(self, payload: Dict[str, Any], group: Any) -> Any:
        """Merge one decoded entity dict, recording it in result group ``group``."""

    def object_hook(self, group: Any) -> Any:
        """The fused ``json.loads`` object hook decoding into result group ``group``."""


class Descriptor(Protocol):
    """An attribute descriptor, as entities, collection views and loading use it."""

    name: str
    python_name: str
    qualname: str
    schema: AttributeSchema

    def raw(self, instance: Any) -> Any:
        """The current value: local change, else server value, else fetched."""

    def empty(self) -> Any:
        """The value of a never-set attribute of a new entity."""

    def prepare(self, instance: Any, value: Any) -> Any:
        """Check and convert ``value`` for ``instance``; changes nothing."""

    def record(self, instance: Any, prepared: Any) -> None:
        """Record what :meth:`prepare` returned as a local change."""

    def __get__(self, instance: Any, owner: Any = None) -> Any: ...

    def __set__(self, instance: Any, value: Any) -> None: ...
