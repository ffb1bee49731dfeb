"""Every relation of the real schemas has a storage: direct, reverse, or through a link entity."""
from __future__ import annotations

import pytest

from ftrack_orm.link_entities import LINK_TABLE, LinkFinder
from ftrack_orm.relations import Relations
from ftrack_orm.schema import SchemaRegistry
from tests.support.data import schemas_json

@pytest.fixture(scope="module")
def real_schemas():
    return SchemaRegistry.from_json(schemas_json())


@pytest.fixture(scope="module")
def relations(real_schemas):
    return Relations(real_schemas)


def test_every_relation_of_every_schema_has_a_storage(real_schemas, relations):
    unstored = {
        (name, attribute.name)
        for name, schema in real_schemas.schemas.items()
        for attribute in schema.attributes.values()
        if attribute.is_relation and relations.get(name, attribute.name) is None
    }
    assert unstored == set()


@pytest.mark.parametrize("owner, attribute, through, fk, item_fk", [
    ("WorkflowSchema", "statuses", "WorkflowSchemaStatus", "workflow_schema_id", "status_id"),
    ("TaskTypeSchema", "types", "TaskTypeSchemaType", "task_type_schema_id", "type_id"),
    ("Type", "task_type_schemas", "TaskTypeSchemaType", "type_id", "task_type_schema_id"),
    ("ProjectSchema", "object_types", "ProjectSchemaObjectType", "project_schema_id", "object_type_id"),
    ("ObjectType", "project_schemas", "ProjectSchemaObjectType", "object_type_id", "project_schema_id"),
])
def test_link_entities_are_derived_from_their_keys(real_schemas, owner, attribute, through, fk, item_fk):
    link = LinkFinder(real_schemas).find(owner, real_schemas[owner].attributes[attribute])
    assert link is not None and (link.entity, link.owner_fk, link.item_fk) == (through, fk, item_fk)


@pytest.mark.parametrize("owner, attribute, expected", [
    ("Shot", "lists", ("link", "TypedContextList", "ListObject", "entity_id", "list_id")),
    ("TypedContextList", "items", ("link", "TypedContext", "ListObject", "list_id", "entity_id")),  # any typed context
    ("AssetVersion", "uses_versions", ("link", "AssetVersion", "AssetVersionLink", "to_id", "from_id")),
    ("Task", "scopes", ("link", "Scope", LINK_TABLE, "owner_id", "item_id")),
    ("Task", "incoming_links", ("collection", "TypedContextLink", None, "to_id", None)),
    ("ProjectSchema", "_schemas", ("collection", "Schema", None, "project_schema_id", None)),
    ("Schema", "statuses", ("collection", "SchemaStatus", None, "schema_id", None)),
    ("SequenceComponent", "members", ("collection", "Component", None, "container_id", None)),
    ("User", "dashboard_resources", ("collection", "DashboardResource", None, "resource_id", None)),
    ("Shot", "custom_attribute_links", ("mapped", "ContextCustomAttributeLink", None, "from_id", None)),
    ("User", "custom_attribute_links_from", ("mapped", "UserCustomAttributeLinkFrom", None, "to_id", None)),
    ("DashboardResource", "dashboard", ("reference", "Dashboard", None, "dashboard_id", None)),
    ("Asset", "latest_version", ("latest", "AssetVersion", None, "asset_id", None)),
    ("SchemaStatus", "task_status", ("reference", "Status", None, "status_id", None)),
    ("SchemaType", "task_type", ("reference", "Type", None, "type_id", None)),
    ("Recipient", "recipient", ("reference", "Resource", None, "resource_id", None)),
])
def test_relations_the_schemas_cannot_tell(relations, owner, attribute, expected):
    relation = relations.get(owner, attribute)
    assert relation is not None
    assert (relation.kind, relation.target, relation.through, relation.fk, relation.item_fk) == expected


def test_hidden_links_are_kept_apart_per_relation(relations):
    read = relations.get("CustomAttributeConfiguration", "read_security_roles")
    write = relations.get("CustomAttributeConfiguration", "write_security_roles")
    assert read is not None and write is not None and read.where != write.where
