"""Queries over HTTP against the demo studio: every operator, paging, ordering, relations."""
from __future__ import annotations

import pytest

from tests.support.sandbox_http import merged


def names(rows):
    return [row["name"] for row in rows]


def test_counts_and_subtypes(reader):
    assert len(reader.rows("select name from Task")) == 30
    assert names(reader.rows("select name from Shot")) == [f"sh{i * 10:03d}" for i in range(1, 11)]
    assert names(reader.rows("select name from Sequence")) == ["sq010", "sq020"]
    typed = reader.rows("select name from TypedContext")
    assert {row["__entity_type__"] for row in typed} == {"Sequence", "Shot", "Task"}
    assert len(typed) == 42
    context = reader.rows("select name from Context")
    assert [r for r in context if r["__entity_type__"] == "Project"][0]["name"] == "demo_vfx"
    assert len(context) == 43
    shot = reader.rows("select name from Shot limit 1")[0]
    assert shot["object_type_id"] == "bad911de-3bd6-47b9-8b46-3476e237cb36"
    assert shot["context_type"] == "task"


def test_bare_form_uses_default_projections(reader):
    row = reader.rows("Task where name is compositing limit 1")[0]
    assert set(row) == {"__entity_type__", "id", "name", "context_type", "object_type_id", "project_id"}


@pytest.mark.parametrize(
    "criteria, expected",
    [
        ("name is sh010", ["sh010"]),
        ("name = 'sh020'", ["sh020"]),
        ("name is_not sh010", [f"sh{i * 10:03d}" for i in range(2, 11)]),
        ("name != sh010 and name != sh020", [f"sh{i * 10:03d}" for i in range(3, 11)]),
        ("name > sh080", ["sh090", "sh100"]),
        ("name after sh080", ["sh090", "sh100"]),
        ("name greater_than sh080", ["sh090", "sh100"]),
        ("name < sh020", ["sh010"]),
        ("name before sh020", ["sh010"]),
        ("name less_than sh020", ["sh010"]),
        ("name >= sh090", ["sh090", "sh100"]),
        ("name <= sh020", ["sh010", "sh020"]),
        ("name like 'sh1%'", ["sh100"]),
        ("name like '%0_0'", [f"sh{i * 10:03d}" for i in range(1, 10)]),
        ("name not_like 'sh0%'", ["sh100"]),
        ("name in (sh010, 'sh030', \"nope\")", ["sh010", "sh030"]),
        ("name not_in (sh010, sh020, sh030, sh040, sh050, sh060, sh070, sh080)", ["sh090", "sh100"]),
        ("name in ()", []),
        ("description is none", []),
        ("description is_not none and name is sh010", ["sh010"]),
        ("not name is sh010 and name < sh040", ["sh020", "sh030"]),
        ("name is sh010 or name is sh020 and description like '%sq010'", ["sh010", "sh020"]),
        ("(name is sh010 or name is sh090) and description like '%sq020'", ["sh090"]),
        ("not (name < sh090)", ["sh090", "sh100"]),
        ("parent.name is sq020 and name < sh080", ["sh060", "sh070"]),
        ("parent has (name is sq020) and name <= sh060", ["sh060"]),
        ("parent[Sequence] has (name is sq010) and name > sh040", ["sh050"]),
        ("custom_attributes any (key is fend and value > 1100)", ["sh090", "sh100"]),
        ("custom_attributes any (key is fend and value >= 1105) and name < sh100", ["sh090"]),
        ("metadata any (key is camera and value is cam_B) and name < sh050", ["sh020"]),
        ("metadata.value is cam_C", ["sh030", "sh060", "sh090"]),
        ("children[Task] any (status.name is 'On hold') and name < sh030", ["sh020"]),
        ("not notes any ()", ["sh020", "sh040", "sh060", "sh080", "sh100"]),
        ("notes any (replies any ()) and name >= sh090", ["sh090"]),
        ("ancestors any (name is sq020) and name <= sh060", ["sh060"]),
        ("id in (select parent_id from Task where bid >= 6.0)", ["sh030", "sh060", "sh090"]),
        ("id in (select parent_id from Task where bid > 5.5)", ["sh030", "sh060", "sh090"]),
        ("id in (select parent_id from Task where bid is 6)", ["sh030", "sh060", "sh090"]),
        ("id in (select parent_id from Task where bid is 5 and type.name is Lighting)", ["sh020", "sh050", "sh080"]),
        ("id not_in (select parent_id from Task where type.name is Lighting and bid is_not 5)", ["sh020", "sh050", "sh080"]),
        ("created_at after '2024-01-08T09:30:00' and created_at before '2024-01-08T10:00:00'", ["sh010"]),
        ("created_at > '2024-01-08T11:30:00+02:00' and created_at < '2024-01-08 10:00:00.123Z'", ["sh010"]),
        ("project.name is demo_vfx and name is sh010", ["sh010"]),
        ("assets.versions any (version is 3) and name > sh040", ["sh050"]),
    ],
)
def test_where_operators(reader, criteria, expected):
    assert names(reader.rows(f"select name from Shot where {criteria} order by name")) == expected


def test_boolean_and_number_values(reader):
    assert len(reader.rows("select id from Status where is_active is true")) == 5
    assert len(reader.rows("select id from Status where is_active is FALSE")) == 0
    assert len(reader.rows("select id from AssetVersion where version is 3")) == 5
    assert len(reader.rows("select id from AssetVersion where version in (1, 2)")) == 20
    assert len(reader.rows("select id from Task where bid > 3.5")) == 19


def test_paging_next_offset(reader):
    everything = names(reader.rows("select name from Task order by parent.name, name"))
    seen, offset, pages = [], 0, 0
    while offset is not None:
        answer = reader.query(f"select name from Task order by parent.name, name offset {offset} limit 7")
        seen += names(answer["data"])
        assert answer["metadata"]["next"]["offset"] == (offset + 7 if offset + 7 < 30 else None)
        offset = answer["metadata"]["next"]["offset"]
        pages += 1
    assert pages == 5 and seen == everything and len(seen) == 30
    assert reader.query("select name from Task limit 30")["metadata"]["next"]["offset"] is None
    assert reader.query("select name from Task limit 29")["metadata"]["next"]["offset"] == 29
    assert reader.query("select name from Task")["metadata"]["next"]["offset"] is None
    assert reader.query("select name from Task limit 5 offset 28")["data"].__len__() == 2
    assert reader.query("select name from Task limit 0")["metadata"]["next"]["offset"] == 0


def test_ordering(reader):
    rows = reader.rows("select name, parent.name, bid from Task where parent.name in (sh010, sh020) order by parent.name desc, bid desc, name")
    entities = merged(rows)
    keys = [(entities[r["parent"]["id"]]["name"], r["bid"], r["name"]) for r in rows]
    assert keys == [
        ("sh020", 5.0, "lighting"), ("sh020", 4.0, "animation"), ("sh020", 3.0, "compositing"),
        ("sh010", 4.0, "lighting"), ("sh010", 3.0, "animation"), ("sh010", 2.0, "compositing"),
    ]
    assert names(reader.rows("select name from Shot order by name descending limit 2")) == ["sh100", "sh090"]
    assert names(reader.rows("select name from Shot order by name ascending limit 2")) == ["sh010", "sh020"]
    ascending = reader.rows("select name, project_id from Context order by project_id, name")
    assert ascending[-1]["name"] == "demo_vfx" and ascending[0]["project_id"] is not None  # nulls last
    descending = reader.rows("select name, project_id from Context order by project_id desc, name")
    assert descending[0]["name"] == "demo_vfx"  # nulls first when descending


def test_projections_through_references_and_collections(reader):
    shot = reader.rows("select name, parent.name, parent.parent.name, children.name, children[Task].type.name, assets.versions.version from Shot where name is sh010")[0]
    assert shot["parent"]["name"] == "sq010"
    assert shot["parent"]["parent"] == {"__entity_type__": "Project", "id": shot["parent"]["parent"]["id"], "context_type": "show", "name": "demo_vfx"}
    assert sorted(c["name"] for c in shot["children"]) == ["animation", "compositing", "lighting"]
    assert {c["type"]["name"] for c in shot["children"]} == {"Animation", "Compositing", "Lighting"}
    assert [v["version"] for v in shot["assets"][0]["versions"]] == [1, 2, 3]
    project = reader.rows("select children, descendants.name from Project")[0]
    assert [c["__entity_type__"] for c in project["children"]] == ["Sequence", "Sequence"]
    assert len(project["descendants"]) == 42
    task = reader.rows("select ancestors.name, thumbnail from Task where parent.name is sh020 limit 1")[0]
    assert [a["name"] for a in task["ancestors"]] == ["sq010", "sh020"]
    assert task["thumbnail"] is None


def test_mapped_collections_project_key_and_value(reader):
    shot = reader.rows("select metadata, custom_attributes from Shot where name is sh020")[0]
    assert {m["key"]: m["value"] for m in shot["metadata"]} == {"camera": "cam_B", "lens": "50mm"}
    assert {c["key"]: c["value"] for c in shot["custom_attributes"]} == {"fstart": 1001, "fend": 1049}
    assert all(m["__entity_type__"] == "Metadata" and m["parent_id"] == shot["id"] for m in shot["metadata"])


def test_typed_values(reader):
    task = reader.rows("select created_at, start_date, bid, created_by.username from Task limit 1")[0]
    assert task["created_at"] == {"__type__": "datetime", "value": "2024-01-08T09:58:00"}
    assert task["start_date"]["__type__"] == "datetime"
    assert isinstance(task["bid"], float)
    assert task["created_by"]["username"] == "admin"
    status = reader.rows("select is_active, sort from Status limit 1")[0]
    assert status["is_active"] is True and status["sort"] == 0


@pytest.mark.parametrize(
    "expression, fragments",
    [
        ("select name from Task where", ["Failed to parse", "Expected a condition", "position 27"]),
        ("select name from Tsak", ["Unknown entity type 'Tsak'", "Did you mean 'Task'?", "position 17"]),
        ("select nmae from Task", ["No attribute 'nmae' exists for schema 'Task'", "Did you mean 'name'?", "position 7"]),
        ("Task where bid > lots", ["Invalid value 'lots'"]),
        ("Task where children has (name is x)", ["'has' needs a reference"]),
    ],
)
def test_expression_errors_are_validation_errors(reader, expression, fragments):
    error = reader.error([{"action": "query", "expression": expression}])
    assert error["exception"] == "ValidationError"
    for fragment in fragments:
        assert fragment in error["content"]
    assert error["operation_index"] == 0


def test_relation_filter_is_fast_enough_for_ten_thousand_rows(reader):
    # the full benchmark is benchmarks/sandbox_speed.py; here: the query plan uses indexes
    plan = reader.sandbox.store.connection.execute(
        "EXPLAIN QUERY PLAN SELECT 1 FROM Context a0 WHERE a0.parent_id IN (SELECT a1.id FROM Context a1 WHERE a1.name = 'x')"
    ).fetchall()
    assert any("INDEX" in str(tuple(row)) for row in plan)
