"""Many-to-many relations: collections stored as the rows of a link entity.

``WorkflowSchema.statuses`` is stored as ``WorkflowSchemaStatus`` rows: the
row's ``workflow_schema_id`` holds the owner's key and its ``status_id`` the
item's. Such link entities are found in the schemas: an entity whose primary key
is two foreign keys (``"Foreign key(s): Status.id"``), one to the owner (or a
supertype of it) and one to the items (``TaskTypeSchemaType``,
``ProjectSchemaObjectType``, ``WorkflowSchemaStatus``…). :data:`EXPLICIT_LINKS`
settles what the schemas cannot tell (``ListObject.entity_id`` has no foreign
key description; ``AssetVersionLink`` has two keys to the same type).

A few many-to-many relations have no link entity in the schemas at all
(``Context.scopes``, the security roles of custom attribute configurations): a
real server keeps them in tables it does not publish. :data:`HIDDEN_LINKS` lists
them; they are stored in one storage table, :data:`LINK_TABLE`, whose
``attribute`` column says which relation a row belongs to.
"""
from __future__ import annotations

import re
from typing import Dict, List, Mapping, Optional, Tuple

import attrs

from .schema import AttributeSchema, SchemaRegistry

_FK_DESCRIPTION = re.compile(r"Foreign key\(s\): (\w+)\.")

#: The storage table of the links the schemas publish no entity for.
LINK_TABLE = "_sandbox_links"
#: Its columns: the relation (``"<owner family>.<attribute>"``), the owner's key, the item's key.
LINK_TABLE_COLUMNS = ("attribute", "owner_id", "item_id")


@attrs.frozen
class Link:
    """How one many-to-many relation is stored.

    Rows of ``entity`` whose ``owner_fk`` is the owner's key, restricted to
    ``where``; each row's ``item_fk`` is the key of one item.
    """

    entity: str
    owner_fk: str
    item_fk: str
    where: Tuple[Tuple[str, object], ...] = ()


#: (owner type or one of its supertypes, attribute) → (link entity, owner key column, item key column).
EXPLICIT_LINKS: Mapping[Tuple[str, str], Tuple[str, str, str]] = {
    ("TypedContext", "lists"): ("ListObject", "entity_id", "list_id"),
    ("AssetVersion", "lists"): ("ListObject", "entity_id", "list_id"),
    ("TypedContextList", "items"): ("ListObject", "list_id", "entity_id"),
    ("AssetVersionList", "items"): ("ListObject", "list_id", "entity_id"),
    # An AssetVersionLink row says its ``to`` (alias ``version``) uses its ``from``
    # (alias ``linked_version``).
    ("AssetVersion", "uses_versions"): ("AssetVersionLink", "to_id", "from_id"),
    ("AssetVersion", "used_in_versions"): ("AssetVersionLink", "from_id", "to_id"),
}

#: (owner type or one of its supertypes, attribute): many-to-many kept in :data:`LINK_TABLE`.
HIDDEN_LINKS: Tuple[Tuple[str, str], ...] = (
    ("Context", "scopes"),
    ("CustomConfigurationBase", "read_security_roles"),
    ("CustomConfigurationBase", "write_security_roles"),
    ("CustomAttributeConfiguration", "read_security_roles"),
    ("CustomAttributeConfiguration", "write_security_roles"),
    ("CustomAttributeLinkConfiguration", "read_security_roles"),
    ("CustomAttributeLinkConfiguration", "write_security_roles"),
)


def fk_target(attribute: Optional[AttributeSchema]) -> Optional[str]:
    """The entity type a foreign-key attribute's description names (``None``: not described)."""
    if attribute is None:
        return None
    match = _FK_DESCRIPTION.match(attribute.description or "")
    return match.group(1) if match else None


class LinkFinder:
    """Finds the storage of many-to-many collections in a set of schemas."""

    def __init__(self, schemas: SchemaRegistry) -> None:
        self.schemas = schemas
        # link entity → its two key attributes with the types they point at
        self._links: Dict[str, List[Tuple[str, str]]] = {}
        for schema in schemas.schemas.values():
            keys = [(name, fk_target(schema.attributes.get(name))) for name in schema.primary_key]
            if len(keys) == 2 and all(target in schemas for _, target in keys):
                self._links[schema.name] = [(name, target or "") for name, target in keys]

    def find(self, owner: str, attribute: AttributeSchema) -> Optional[Link]:
        """The link storing collection ``owner.attribute`` (``None``: not a many-to-many)."""
        chain = [owner, *self.schemas.ancestors(owner)]
        for type_name in chain:
            explicit = EXPLICIT_LINKS.get((type_name, attribute.name))
            if explicit is not None:
                return Link(*explicit)
            if (type_name, attribute.name) in HIDDEN_LINKS:
                family = self.schemas.identity_type(owner)
                return Link(LINK_TABLE, "owner_id", "item_id", (("attribute", f"{family}.{attribute.name}"),))
        target = attribute.target or ""
        if target in self._links or target not in self.schemas:
            return None  # a collection of link rows themselves is one-to-many
        found = []
        for entity, keys in self._links.items():
            for (owner_fk, owner_type), (item_fk, item_type) in (keys, keys[::-1]):
                if owner_type in chain and self._related(item_type, target):
                    found.append(Link(entity, owner_fk, item_fk))
        return found[0] if len(found) == 1 else None

    def _related(self, one: str, other: str) -> bool:
        return self.schemas.is_subtype(one, other) or self.schemas.is_subtype(other, one)
