"""Computed attributes (sandbox/computed.py): read and filtered as a real server computes them."""
from __future__ import annotations

import datetime

from ftrack_orm.sandbox import Sandbox
from ftrack_orm.sandbox.computed import COMPUTED
from ftrack_orm.sandbox.seed import uid
from tests.support.sandbox_http import Client


def test_every_computed_row_is_tested_here():
    source = open(__file__, encoding="utf-8").read()
    for row in COMPUTED:
        assert f"computed {row.entity_type}.{row.attribute}" in source, row


def test_a_context_link_runs_from_the_project_down(reader):
    # computed Context.link
    task = reader.rows("select link, name from Task where name is compositing and parent.name is sh010")[0]
    assert task["link"] == [
        {"id": uid("Project", "demo_vfx"), "name": "demo_vfx", "type": "Project"},
        {"id": uid("Sequence", "sq010"), "name": "sq010", "type": "TypedContext"},
        {"id": uid("Shot", "sh010"), "name": "sh010", "type": "TypedContext"},
        {"id": task["id"], "name": "compositing", "type": "TypedContext"},
    ]
    project = reader.rows("select link from Project")[0]
    assert project["link"] == [{"id": uid("Project", "demo_vfx"), "name": "demo_vfx", "type": "Project"}]


def test_an_asset_version_link_ends_with_the_version(reader):
    # computed AssetVersion.link
    version = reader.rows("select link, version, asset.name from AssetVersion where id is "
                          + uid("AssetVersion", "sh010/v2"))[0]
    assert [item["name"] for item in version["link"][:-1]] == ["demo_vfx", "sq010", "sh010"]
    assert version["link"][-1] == {"id": version["id"], "name": "sh010_comp v2", "type": "AssetVersion"}


def test_is_latest_version_is_read_and_filtered(reader):
    # computed AssetVersion.is_latest_version
    rows = reader.rows("select version, is_latest_version from AssetVersion where asset.name is sh010_comp")
    assert {r["version"]: r["is_latest_version"] for r in rows} == {1: False, 2: False, 3: True}
    latest = reader.rows("select asset.name, version from AssetVersion where is_latest_version is true")
    every = reader.rows("select asset_id, version from AssetVersion")
    tops = {}
    for r in every:
        tops[r["asset_id"]] = max(tops.get(r["asset_id"], 0), r["version"])
    assert sorted((r["asset_id"], r["version"]) for r in latest) == sorted(tops.items())


def test_an_assets_latest_version_is_read_filtered_and_ordered_by(client):
    # computed Asset.latest_version: a reference to the version with the highest number
    asset = client.rows("select id, versions.version from Asset where name is sh010_comp")[0]
    newest = max(asset["versions"], key=lambda v: v["version"])
    assert client.rows(f"select latest_version.version from Asset where id is {asset['id']}")[0][
        "latest_version"]["version"] == newest["version"]
    client.call([{"action": "create", "entity_type": "AssetVersion", "entity_data": {
        "asset_id": asset["id"], "version": newest["version"] + 1, "is_published": True}}])
    now = client.rows(f"select latest_version.version from Asset where id is {asset['id']}")[0]
    assert now["latest_version"]["version"] == newest["version"] + 1
    found = client.rows(f"select id from Asset where latest_version.version is {newest['version'] + 1}")
    assert [r["id"] for r in found] == [asset["id"]]
    ordered = client.rows("select id, latest_version.version from Asset order by latest_version.version descending")
    assert ordered[0]["id"] == asset["id"]
    tops = [r["latest_version"]["version"] for r in ordered]
    assert tops == sorted(tops, reverse=True)


def test_computed_attributes_order_a_query(reader):
    # computed TypedContext.time_logged in order by
    rows = reader.rows("select id, time_logged from Task order by time_logged descending")
    logged = [r["time_logged"] for r in rows]
    assert logged == sorted(logged, reverse=True) and logged[0] > logged[-1]


def test_time_logged_sums_the_timelogs(client):
    # computed TypedContext.time_logged
    task = uid("Task", "sh010/Compositing")
    before = client.rows(f"select time_logged from Task where id is {task}")[0]["time_logged"]
    client.call([{"action": "create", "entity_type": "Timelog", "entity_data": {
        "user_id": uid("User", "jane.doe"), "context_id": task, "duration": 1800.0,
        "start": {"__type__": "datetime", "value": "2024-01-09T10:00:00"}}}])
    assert client.rows(f"select time_logged from Task where id is {task}")[0]["time_logged"] == before + 1800.0
    assert task in [r["id"] for r in client.rows(f"select id from Task where time_logged >= {before + 1800}")]


def test_a_review_session_is_open_between_its_start_and_end(client):
    # computed ReviewSession.is_open
    now = datetime.datetime.now(datetime.timezone.utc)
    ids = {}
    for name, start, end in (("open", -1, 1), ("over", -3, -2)):
        ids[name] = client.call([{"action": "create", "entity_type": "ReviewSession", "entity_data": {
            "name": name, "description": "", "project_id": uid("Project", "demo_vfx"),
            "start_date": {"__type__": "datetime", "value": (now + datetime.timedelta(days=start)).isoformat()},
            "end_date": {"__type__": "datetime", "value": (now + datetime.timedelta(days=end)).isoformat()},
        }}])[0]["data"]["id"]
    rows = client.rows("select name, is_open from ReviewSession")
    assert {r["name"]: r["is_open"] for r in rows} == {"open": True, "over": False}
    assert [r["id"] for r in client.rows("select id from ReviewSession where is_open is true")] == [ids["open"]]


def test_computed_attributes_cannot_be_written(client):
    body = client.error([{"action": "create", "entity_type": "Shot",
                          "entity_data": {"name": "sh900", "parent_id": uid("Sequence", "sq010"), "link": "sh900"}}])
    assert "computed" in body["content"] and "'link'" in body["content"]


def test_the_official_client_reads_link():
    import pytest
    ftrack_api = pytest.importorskip("ftrack_api")
    with Sandbox() as sandbox:
        session = ftrack_api.Session(server_url=sandbox.url, api_key=sandbox.api_key, api_user=sandbox.api_user,
                                     auto_connect_event_hub=False, plugin_paths=[])
        try:
            shot = session.query("Shot where name is sh010").one()
            assert [item["name"] for item in shot["link"]] == ["demo_vfx", "sq010", "sh010"]
            assert Client(sandbox).rows("select id from Shot where name is sh010")
        finally:
            session.close()


def test_thumbnail_url_points_at_the_thumbnail_component_or_the_placeholder(client, sandbox):
    # computed Context.thumbnail_url, computed AssetVersion.thumbnail_url, computed User.thumbnail_url,
    # computed ReviewSession.thumbnail_url, computed NoteComponent.thumbnail_url,
    # computed SettingComponent.thumbnail_url
    image = client.call([{"action": "create", "entity_type": "FileComponent", "entity_data": {
        "__entity_type__": "FileComponent", "name": "thumbnail", "file_type": ".jpg"}}])[0]["data"]["id"]
    shot, version = uid("Shot", "sh010"), uid("AssetVersion", "sh010/v2")
    client.call([{"action": "update", "entity_type": "Shot", "entity_key": [shot], "entity_data": {"thumbnail_id": image}},
                 {"action": "update", "entity_type": "AssetVersion", "entity_key": [version],
                  "entity_data": {"thumbnail_id": image}}])
    wanted = {"url": f"{sandbox.url}/component/thumbnail?id={image}"}
    placeholder = {"url": f"{sandbox.url}/img/thumbnail2.png"}
    assert client.rows(f"select thumbnail_url from Shot where id is {shot}")[0]["thumbnail_url"] == wanted
    assert client.rows(f"select thumbnail_url from AssetVersion where id is {version}")[0]["thumbnail_url"] == wanted
    assert client.rows("select thumbnail_url from Project")[0]["thumbnail_url"] == placeholder
    assert client.rows(f"select thumbnail_url from User where id is {uid('User', 'jane.doe')}")[0][
        "thumbnail_url"] == placeholder
    # through a relation, as pipeline code reads it
    task = client.rows(f"select parent.thumbnail_url from Task where parent_id is {shot}")[0]
    assert task["parent"]["thumbnail_url"] == wanted
