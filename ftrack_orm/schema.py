"""Immutable views of the server's entity schemas, and the subtype graph.

The ``query_schemas`` JSON drives everything else: class generation, the query
checker and the sandbox all read these objects rather than the raw dicts.
"""
from __future__ import annotations

import functools
import json
from typing import Any, Dict, Iterable, Iterator, List, Mapping, Optional, Tuple

import attrs

from .didyoumean import no_attribute, unknown_type
from .errors import FtrackOrmError
from .kinds import KINDS, kind_of_property

#: Every attribute kind an :class:`AttributeSchema` can have (see :mod:`ftrack_orm.kinds`).
ATTRIBUTE_KINDS = frozenset(KINDS)

# Supertypes that the schema JSON does not state through ``alias_for``.
_EXPLICIT_SUPERTYPES = {
    "TypedContext": "Context",
    "Project": "Context",
    "FileComponent": "Component",
    "ContainerComponent": "Component",
    "SequenceComponent": "ContainerComponent",  # a sequence is a container of its frames
    # Users and groups are resources on the server (one key space, ``resource_type``).
    "User": "Resource",
    "Group": "Resource",
}

# (entity type, collection) → the type of the items a real server takes, where the schema JSON
# types them too narrowly. ``TypedContextList.items`` is served as ``{"$ref": "Task"}``, but a
# task list holds any typed context (shots, sequences, ...): ftrack-python-api's
# ``doc/example/list.rst`` ("one [type of list] for asset versions and one for other objects such
# as tasks") and the legacy API's list tutorial ("Sequence/Shot/Task or Asset versions").
_ITEM_TYPES = {
    ("TypedContextList", "items"): "TypedContext",
}


class UnknownEntityTypeError(FtrackOrmError, KeyError):
    """An entity type that the server's schemas do not define."""

    def __str__(self) -> str:  # KeyError quotes its message otherwise
        return str(self.args[0]) if self.args else ""


@attrs.frozen
class AttributeSchema:
    """One property of an entity type."""

    name: str
    kind: str
    target: Optional[str] = None  # entity type of a reference or collection items
    default: Any = None
    has_default: bool = False
    required: bool = False
    immutable: bool = False
    computed: bool = False
    restricted: bool = False
    foreign_key: bool = False
    key_attribute: Optional[str] = None  # mapped collections: item key / value names
    value_attribute: Optional[str] = None
    enum: Optional[Tuple[str, ...]] = None
    description: str = ""

    @property
    def is_relation(self) -> bool:
        """True for references, collections and mapped collections."""
        return self.target is not None

    @property
    def is_scalar(self) -> bool:
        return self.target is None

    @property
    def is_reference(self) -> bool:
        """True for a reference to one entity."""
        return KINDS[self.kind].is_reference

    @property
    def is_collection(self) -> bool:
        """True for collections and mapped collections."""
        return KINDS[self.kind].is_collection

    @classmethod
    def from_json(cls, name: str, prop: Mapping[str, Any], entity: Mapping[str, Any]) -> AttributeSchema:
        kind = kind_of_property(prop)
        if kind.is_reference:
            target: Optional[str] = prop["$ref"]
        elif kind.is_collection:
            target = _ITEM_TYPES.get((str(entity.get("id")), name), prop["items"]["$ref"])
        else:
            target = None
        key_value = prop.get("key_value_attributes") or {}
        return cls(
            name=name,
            kind=kind.name,
            target=target,
            default=prop.get("default"),
            has_default="default" in prop,
            required=name in entity.get("required", ()),
            immutable=name in entity.get("immutable", ()),
            computed=name in entity.get("computed", ()),
            restricted=bool(prop.get("restricted_projection")),
            foreign_key=prop.get("format") == "foreign_key",
            key_attribute=key_value.get("key"),
            value_attribute=key_value.get("value"),
            enum=tuple(prop["enum"]) if "enum" in prop else None,
            description=prop.get("description", ""),
        )


@attrs.frozen
class EntitySchema:
    """One entity type: its attributes, keys and projections."""

    name: str
    attributes: Mapping[str, AttributeSchema] = attrs.field(repr=False)
    primary_key: Tuple[str, ...]
    default_projections: Tuple[str, ...]
    required: Tuple[str, ...] = ()
    immutable: Tuple[str, ...] = ()
    computed: Tuple[str, ...] = ()
    storage_alias: Optional[str] = None  # server table name, or the type stored with
    classifiers: Mapping[str, str] = attrs.field(factory=dict, repr=False)
    raw: Mapping[str, Any] = attrs.field(factory=dict, repr=False, eq=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> EntitySchema:
        alias = data.get("alias_for")
        if isinstance(alias, dict):
            storage_alias, classifiers = alias.get("id"), dict(alias.get("classifiers") or {})
        else:
            storage_alias, classifiers = alias, {}
        attributes = {
            name: AttributeSchema.from_json(name, prop, data)
            for name, prop in data.get("properties", {}).items()
        }
        return cls(
            name=data["id"],
            attributes=attributes,
            primary_key=tuple(data.get("primary_key", ())),
            default_projections=tuple(data.get("default_projections", ())),
            required=tuple(data.get("required", ())),
            immutable=tuple(data.get("immutable", ())),
            computed=tuple(data.get("computed", ())),
            storage_alias=storage_alias,
            classifiers=classifiers,
            raw=data,
        )

    def attribute(self, name: str) -> AttributeSchema:
        """Return attribute ``name``; ``AttributeError`` with a did-you-mean otherwise."""
        try:
            return self.attributes[name]
        except KeyError:
            raise AttributeError(no_attribute(self.name, name, self.attributes)) from None

    def __contains__(self, name: object) -> bool:
        return name in self.attributes

    # -- derived facts, computed once per schema (the identity map's hot path reads them)
    @functools.cached_property
    def key_names(self) -> Tuple[str, ...]:
        """The primary-key attribute names (``("id",)`` when the schema states none)."""
        return self.primary_key or ("id",)

    @functools.cached_property
    def single_key(self) -> Optional[str]:
        """The key attribute's name for a single-attribute key, ``None`` for a composite one."""
        names = self.key_names
        return names[0] if len(names) == 1 else None

    @functools.cached_property
    def interned_attributes(self) -> Tuple[str, ...]:
        """String attributes whose values repeat across entities (foreign keys, ``*_type``):
        decoding interns them so equal values share one object."""
        return tuple(
            a.name for a in self.attributes.values()
            if a.kind == "string" and (a.foreign_key or a.name.endswith("_type"))
        )

    @functools.cached_property
    def scalar_defaults(self) -> Tuple[Tuple[str, Any, str], ...]:
        """``(name, default, how)`` of every scalar attribute with a default; ``how`` is
        ``uid`` (a new id per entity), ``copy`` (a mutable literal) or ``value``."""
        items = []
        for attribute in self.attributes.values():
            if attribute.has_default and not attribute.is_relation:
                default = attribute.default
                how = "uid" if default == "{uid}" else "copy" if isinstance(default, (list, dict)) else "value"
                items.append((attribute.name, default, how))
        return tuple(items)

    @functools.cached_property
    def create_template(self) -> Tuple[Dict[str, Any], Tuple[str, ...], Tuple[str, ...]]:
        """:attr:`scalar_defaults` ready for a create: every default by name, in schema
        order (a ``uid`` or ``copy`` default's value is replaced per entity), the names
        that get a new id, and the names whose default is copied."""
        defaults = self.scalar_defaults
        return ({name: default for name, default, _ in defaults},
                tuple(name for name, _, how in defaults if how == "uid"),
                tuple(name for name, _, how in defaults if how == "copy"))


@attrs.frozen
class SchemaRegistry:
    """All entity schemas of one server, with the subtype graph between them."""

    schemas: Mapping[str, EntitySchema]
    supertypes: Mapping[str, Optional[str]] = attrs.field(repr=False)
    schema_hash: Optional[str] = None

    @classmethod
    def from_json(cls, data: Iterable[Mapping[str, Any]], schema_hash: Optional[str] = None) -> SchemaRegistry:
        schemas = {item["id"]: EntitySchema.from_json(item) for item in data}
        by_table: Dict[Optional[str], str] = {
            s.storage_alias: s.name for s in schemas.values() if s.storage_alias and not s.classifiers
        }
        supertypes: Dict[str, Optional[str]] = {}
        for schema in schemas.values():
            parent = _EXPLICIT_SUPERTYPES.get(schema.name)
            if parent is None and schema.classifiers:
                # Stored with another type: its supertype is the schema mapped to that
                # table (Shot -> table Task -> TypedContext), else the schema of that name.
                parent = by_table.get(schema.storage_alias) or schema.storage_alias
            supertypes[schema.name] = parent if parent in schemas and parent != schema.name else None
        return cls(schemas=schemas, supertypes=supertypes, schema_hash=schema_hash)

    @classmethod
    def from_file(cls, path: str) -> SchemaRegistry:
        with open(path, encoding="utf-8") as handle:
            return cls.from_json(json.load(handle))

    def __getitem__(self, name: str) -> EntitySchema:
        try:
            return self.schemas[name]
        except KeyError:
            raise UnknownEntityTypeError(unknown_type(name, self.schemas)) from None

    def get(self, name: str) -> Optional[EntitySchema]:
        return self.schemas.get(name)

    def __contains__(self, name: object) -> bool:
        return name in self.schemas

    def __iter__(self) -> Iterator[str]:
        return iter(self.schemas)

    def __len__(self) -> int:
        return len(self.schemas)

    def ancestors(self, name: str) -> List[str]:
        """Supertypes of ``name``, nearest first (``Shot`` → ``TypedContext``, ``Context``)."""
        chain, parent = [], self.supertypes.get(name)
        while parent is not None:
            chain.append(parent)
            parent = self.supertypes.get(parent)
        return chain

    def is_subtype(self, name: str, of: str) -> bool:
        """True when ``name`` is ``of`` or one of its subtypes."""
        return name == of or of in self.ancestors(name)

    def subtypes(self, name: str) -> List[str]:
        """Every type that is ``name`` or below it, ``name`` first."""
        return [name] + [n for n in self.schemas if n != name and name in self.ancestors(n)]

    def identity_type(self, name: str) -> str:
        """The type whose key space an entity of ``name`` lives in (its topmost supertype)."""
        chain = self.ancestors(name)
        return chain[-1] if chain else name
