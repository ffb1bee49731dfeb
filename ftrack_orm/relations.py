"""How each relation attribute of the schemas is stored.

A reference is read through a foreign-key attribute of its own entity
(``parent`` → ``parent_id``); a collection is the reverse of a reference on its
items (``Context.children`` ↔ ``Context.parent_id``, ``Asset.versions`` ↔
``AssetVersion.asset_id``); a mapped collection (``metadata``,
``custom_attributes``) is a collection of key/value items. All of it is derived
from the schemas by naming convention; :data:`EXPLICIT` settles the few cases
the convention cannot. Many-to-many collections are stored as link rows
(:mod:`ftrack_orm.link_entities`). A relation that cannot be derived is ``None``:
the sandbox refuses to read, filter or write it, naming it.
"""
from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Tuple

import attrs

from .link_entities import LinkFinder, fk_target
from .schema import AttributeSchema, EntitySchema, SchemaRegistry


@attrs.frozen
class Relation:
    """A stored relation.

    ``kind`` is ``reference`` (this entity's ``fk`` holds the target's key) or
    ``collection`` / ``mapped`` (the items' ``fk`` holds this entity's key).
    ``where`` adds fixed column values the items must have. ``link`` is a
    many-to-many: rows of ``through`` whose ``fk`` holds this entity's key and
    whose ``item_fk`` holds an item's key (``where`` restricts those rows), see
    :mod:`ftrack_orm.link_entities`. ``latest`` is a reference the server computes:
    of the items whose ``fk`` holds this entity's key, the one with the greatest ``key``
    attribute (:data:`LATEST`).
    """

    kind: str  # reference, collection, mapped, link, latest, ancestors or descendants
    target: str  # entity type of the target / items
    fk: str  # column holding the key (on the owner for references, on the items otherwise)
    where: Tuple[Tuple[str, object], ...] = ()
    key: Optional[str] = None  # mapped collections: item key / value attributes
    value: Optional[str] = None
    hidden: bool = False  # ``fk`` is a storage column that is not a schema attribute
    through: Optional[str] = None  # link: the link entity (or storage table)
    item_fk: Optional[str] = None  # link: its column holding the item's key


#: (entity type or one of its supertypes, attribute) → relation, for what naming cannot tell.
EXPLICIT: Mapping[Tuple[str, str], Tuple[str, str, Tuple[Tuple[str, object], ...]]] = {
    ("Context", "notes"): ("Note", "parent_id", ()),
    ("AssetVersion", "notes"): ("Note", "parent_id", ()),
    ("Context", "assignments"): ("Appointment", "context_id", (("type", "assignment"),)),
    ("Context", "allocations"): ("Appointment", "context_id", (("type", "allocation"),)),
    ("Context", "appointments"): ("Appointment", "context_id", ()),
    ("Resource", "assignments"): ("Appointment", "resource_id", (("type", "assignment"),)),
    ("Resource", "allocations"): ("Appointment", "resource_id", (("type", "allocation"),)),
    ("Resource", "appointments"): ("Appointment", "resource_id", ()),
    ("Context", "custom_attributes"): ("ContextCustomAttributeValue", "entity_id", ()),
    ("TypedContext", "status_changes"): ("StatusChange", "parent_id", ()),
    ("AssetVersion", "status_changes"): ("StatusChange", "parent_id", ()),
    ("TypedContext", "incoming_links"): ("TypedContextLink", "to_id", ()),
    ("TypedContext", "outgoing_links"): ("TypedContextLink", "from_id", ()),
    ("AssetVersion", "incoming_links"): ("AssetVersionLink", "to_id", ()),
    ("AssetVersion", "outgoing_links"): ("AssetVersionLink", "from_id", ()),
    ("ReviewSession", "settings"): ("EntitySetting", "parent_id", ()),
    ("ReviewSessionObject", "notes"): ("Note", "parent_id", ()),
    ("ContainerComponent", "members"): ("Component", "container_id", ()),
    ("SequenceComponent", "members"): ("Component", "container_id", ()),
}

#: (entity type, reference) → the attribute holding its key, where neither the name nor the
#: alias tells (``SchemaStatus.task_status`` is aliased ``taskstatus``, its key ``statusid``).
EXPLICIT_REFERENCES: Mapping[Tuple[str, str], str] = {
    ("SchemaStatus", "task_status"): "status_id",
    ("SchemaType", "task_type"): "type_id",
    ("Recipient", "recipient"): "resource_id",
    ("Recipient", "user"): "resource_id",
}

#: References a server computes as the greatest item of a collection: (entity type or one of
#: its supertypes, attribute) → (items, column holding the owner's key, attribute ordering them).
LATEST: Mapping[Tuple[str, str], Tuple[str, str, str]] = {
    ("Asset", "latest_version"): ("AssetVersion", "asset_id", "version"),
}

#: Custom attribute links live in one entity per owner family, named for it
#: (``ContextCustomAttributeLink``, ``AssetVersionCustomAttributeLinkFrom``): attribute →
#: (suffix of that entity's name, column holding the owner's key).
CUSTOM_ATTRIBUTE_LINKS: Mapping[str, Tuple[str, str]] = {
    "custom_attribute_links": ("CustomAttributeLink", "from_id"),
    "custom_attribute_links_from": ("CustomAttributeLinkFrom", "to_id"),
}

#: Collections walking the ``parent_id`` tree of contexts, transitively.
TREE: Mapping[Tuple[str, str], str] = {
    ("TypedContext", "ancestors"): "ancestors",
    ("TypedContext", "descendants"): "descendants",
    ("Project", "descendants"): "descendants",
}

#: Owner-key columns tried, in order, on the items of a mapped collection.
_MAPPED_OWNER_KEYS = ("parent_id", "entity_id")


class Relations:
    """Every relation of every schema, resolved once."""

    def __init__(self, schemas: SchemaRegistry) -> None:
        self.schemas = schemas
        self._cache: Dict[Tuple[str, str], Optional[Relation]] = {}
        self._links = LinkFinder(schemas)
        for schema in schemas.schemas.values():
            for attribute in schema.attributes.values():
                if attribute.is_relation:
                    self._cache[(schema.name, attribute.name)] = self._resolve(schema, attribute)

    def get(self, entity_type: str, attribute: str) -> Optional[Relation]:
        """The relation of ``entity_type.attribute`` (``None`` when it is not stored)."""
        return self._cache.get((entity_type, attribute))

    def references(self) -> List[Tuple[str, str, Relation]]:
        """Every resolved reference as ``(entity type, attribute, relation)``."""
        return [(t, a, r) for (t, a), r in self._cache.items() if r is not None and r.kind == "reference"]

    def reference_for_fk(self, entity_type: str, fk: str) -> Optional[Relation]:
        """The reference whose key is stored in attribute ``fk`` of ``entity_type``."""
        schema = self.schemas[entity_type]
        for attribute in schema.attributes.values():
            if attribute.is_reference:
                relation = self.get(entity_type, attribute.name)
                if relation is not None and relation.fk == fk:
                    return relation
        target = fk_target(schema.attributes.get(fk))
        if target and target in self.schemas and schema.attributes[fk].foreign_key:
            return Relation("reference", target, fk)
        return None

    # -- resolution -------------------------------------------------------------
    def _explicit(self, schema: EntitySchema, name: str) -> Optional[Tuple[str, str, Tuple[Tuple[str, Any], ...]]]:
        for type_name in [schema.name, *self.schemas.ancestors(schema.name)]:
            found = EXPLICIT.get((type_name, name))
            if found:
                return found
        return None

    def _resolve(self, schema: EntitySchema, attribute: AttributeSchema) -> Optional[Relation]:
        target = attribute.target or ""
        if target not in self.schemas:
            return None
        explicit = self._explicit(schema, attribute.name)
        for type_name in [schema.name, *self.schemas.ancestors(schema.name)]:
            latest = LATEST.get((type_name, attribute.name))
            if latest is not None:
                return Relation("latest", latest[0], latest[1], key=latest[2])
        if attribute.is_reference:
            fk = EXPLICIT_REFERENCES.get((schema.name, attribute.name)) or _reference_fk(schema, attribute)
            if fk:
                return Relation("reference", target, fk)
            if attribute.computed or attribute.name + "_id" in schema.attributes:
                return None
            # The server keeps this key in a column it does not publish (Status.state).
            return Relation("reference", target, attribute.name + "_id", hidden=True)
        for type_name in [schema.name, *self.schemas.ancestors(schema.name)]:
            if (type_name, attribute.name) in TREE:
                return Relation(TREE[(type_name, attribute.name)], target, "parent_id")
        if explicit:
            items, fk, where = explicit
            kind = "mapped" if attribute.kind == "mapped_collection" else "collection"
            return Relation(kind, items, fk, where, attribute.key_attribute, attribute.value_attribute)
        custom_link = CUSTOM_ATTRIBUTE_LINKS.get(attribute.name)
        if custom_link is not None:
            for type_name in [schema.name, *self.schemas.ancestors(schema.name)]:
                if type_name + custom_link[0] in self.schemas:
                    return Relation("mapped", type_name + custom_link[0], custom_link[1])
            return None
        link = self._links.find(schema.name, attribute)
        if link is not None:
            return Relation("link", target, link.owner_fk, link.where, through=link.entity, item_fk=link.item_fk)
        item_schema = self.schemas[target]
        if attribute.kind == "mapped_collection":
            if not attribute.key_attribute:
                return None
            for owner_key in _MAPPED_OWNER_KEYS:
                if owner_key in item_schema.attributes:
                    return Relation(
                        "mapped", target, owner_key, (), attribute.key_attribute, attribute.value_attribute
                    )
            return None
        candidates = []
        for item_attribute in item_schema.attributes.values():
            if not item_attribute.is_reference or item_attribute.target not in self.schemas:
                continue
            if not self.schemas.is_subtype(schema.name, item_attribute.target or ""):
                continue
            fk = _reference_fk(item_schema, item_attribute)
            if fk:
                candidates.append(fk)
        if not candidates:  # keys without a reference attribute: "Foreign key(s): Owner.id"
            chain = [schema.name, *self.schemas.ancestors(schema.name)]
            candidates = [a.name for a in item_schema.attributes.values()
                          if a.is_scalar and a.foreign_key and fk_target(a) in chain]
        if len(set(candidates)) == 1:
            return Relation("collection", target, candidates[0])
        return None


def _reference_fk(schema: EntitySchema, attribute: AttributeSchema) -> Optional[str]:
    """The scalar attribute of ``schema`` holding the key of reference ``attribute``."""
    attributes = schema.attributes
    direct = attributes.get(attribute.name + "_id")
    if direct is not None and direct.is_scalar:
        return direct.name
    alias = (schema.raw.get("properties", {}).get(attribute.name) or {}).get("alias_for")
    if isinstance(alias, str):
        for candidate in attributes.values():
            candidate_alias = (schema.raw.get("properties", {}).get(candidate.name) or {}).get("alias_for")
            if candidate.is_scalar and candidate_alias in (alias + "id", alias + "_id"):
                return candidate.name
    if attribute.computed:
        return None
    by_description = [
        a.name for a in attributes.values()
        if a.is_scalar and a.foreign_key and a.name not in schema.primary_key
        and fk_target(a) == attribute.target
    ]
    return by_description[0] if len(by_description) == 1 else None
