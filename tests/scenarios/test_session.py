"""Session start, schema load, raw ``call`` and the URL helpers, over recorded traffic."""
from __future__ import annotations

import datetime
import urllib.parse

from ftrack_orm import operations as ops
from ftrack_orm.sandbox.seed import uid

SCHEMA_HASH = "23a1157b8b1730fd91c76f63dcd67a8f"
SH010_V1_MAIN = uid("FileComponent", "sh010/v1/main")


def test_session_start_downloads_schemas(open_session):
    session = open_session(schema_cache=False)
    assert session.transport.request_count == 0  # the constructor sends nothing
    task = session.get_schema("Task")
    assert session.transport.request_count == 1
    assert session.transport.batches[0] == [{"action": "query_server_information"}, {"action": "query_schemas"}]
    assert session.server_information["schema_hash"] == SCHEMA_HASH
    assert session.server_information["is_timezone_support_enabled"] is True
    assert len(session.schemas) == 116
    assert task["primary_key"] == ["id"] and "parent" in task["properties"]
    assert session.get_schema("Metadata")["primary_key"] == ["parent_id", "key"]
    assert session.get_schema("NoSuchType") is None
    assert session.schemas["Shot"].name == "Shot"
    assert session.transport.request_count == 1  # everything above came from one call


def test_session_start_with_cached_schemas_asks_only_server_information(open_session):
    session = open_session()
    assert session.get_schema("Task")["primary_key"] == ["id"]
    assert session.transport.batches == [[{"action": "query_server_information"}]]
    assert session.server_information["schema_hash"] == SCHEMA_HASH


def test_raw_call_answers_every_operation_in_order(open_session):
    session = open_session()
    session.schemas  # noqa: B018 - entities decode into objects once the schemas are loaded
    info, shots, upload = session.call([
        ops.query_server_information(),
        ops.query('select name, parent.name from Shot where name in ("sh010", "sh020") order by name'),
        ops.get_upload_metadata(SH010_V1_MAIN, "main.exr", 1024),
    ])
    assert info["version"] == "dev"
    assert [shot.name for shot in shots["data"]] == ["sh010", "sh020"]
    assert {shot.parent.name for shot in shots["data"]} == {"sq010"}
    assert shots["data"][0].parent is shots["data"][1].parent  # one object per entity
    assert shots["metadata"] == {"next": {"offset": None}}
    url = urllib.parse.urlsplit(upload.pop("url"))
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{session.server_url}/upload/{SH010_V1_MAIN}"
    assert sorted(urllib.parse.parse_qs(url.query)) == ["expires", "signature"]  # signed, expiring
    assert upload == {
        "headers": {"Content-Length": "1024", "Content-Type": "application/octet-stream"},
        "component_id": SH010_V1_MAIN,
    }
    assert session.transport.request_count == 2  # schemas (server information), then the batch


def test_raw_call_decodes_datetimes_aware_utc(open_session):
    session = open_session()
    session.schemas  # noqa: B018 - load the schemas first (see test_raw_call_answers_every_operation_in_order)
    (result,) = session.call([ops.query("select name, start_date, created_at from Project")])
    (project,) = result["data"]
    assert project.name == "demo_vfx"
    assert project.start_date == datetime.datetime(2024, 1, 8, 9, 0, tzinfo=datetime.timezone.utc)
    assert project.created_at.tzinfo is not None


def test_component_and_thumbnail_urls_make_no_request(open_session):
    session = open_session()
    component = session.query("select name, file_type from FileComponent where id is " + SH010_V1_MAIN).one()
    assert (component.name, component.file_type) == ("main", ".exr")
    sent = session.transport.request_count
    url = urllib.parse.urlsplit(session.get_component_url(component.id))
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{session.server_url}/component/get"
    assert urllib.parse.parse_qs(url.query) == {
        "id": [SH010_V1_MAIN], "username": [session.api_user], "apiKey": [session.api_key],
    }
    thumbnail = urllib.parse.urlsplit(session.thumbnail_url(component.id, size=120))
    assert thumbnail.path == "/component/thumbnail"
    assert urllib.parse.parse_qs(thumbnail.query)["size"] == ["120"]
    assert session.thumbnail_url(None) == f"{session.server_url}/img/thumbnail2.png"
    assert session.get_component_url(None) is None
    assert session.transport.request_count == sent
