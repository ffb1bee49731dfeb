"""Golden tests: real ftrack server answers decode through a Session into the right entities.

The answers are in ``tests/data/ftrack/responses/`` (recorded from a real server;
see ``tests/support/data.py``). Each is fed to a Session whose transport answers from those files, so
it goes through the same path as live traffic: codec, identity map, entity classes
built from the real ``schemas.json``. ``auto_populate=False``: an attribute the
server did not send is "not loaded" (``NotLoadedError``), never ``None``.
"""
from __future__ import annotations

import datetime
import json
from typing import Any, List, Mapping

import pytest

from ftrack_orm import Session
from ftrack_orm import operations as ops
from ftrack_orm.entity import NotLoadedError
from ftrack_orm.entity.base import Entity
from ftrack_orm.transport import HTTPResponse
from tests.support.data import RESPONSES, response_json, schemas_json, server_information_json

UTC = datetime.timezone.utc

TWICE = "query_select_version_asset.versions.version_from_assetversion_where_asset_id_is_not_none_limit_1.json"
NOT_STARTED = "query_select_status.state.short_from_task_where_status.state.short_is_not_started_limit_2.json"


class FileTransport:
    """Answers the schema load from the shared files, and every other batch with ``answers``."""

    def __init__(self) -> None:
        self.answers: List[Any] = []
        self.sent: List[Any] = []

    def post(self, url: str, body: bytes, headers: Mapping[str, str], *, read_only: bool) -> HTTPResponse:
        batch = json.loads(body)
        self.sent.append(batch)
        results = []
        for operation in batch:
            if operation["action"] == "query_server_information":
                results.append(server_information_json())
            elif operation["action"] == "query_schemas":
                results.append(schemas_json())
            else:
                results.append(self.answers.pop(0))
        return HTTPResponse(200, json.dumps(results).encode("utf-8"))

    def close(self) -> None:
        pass


@pytest.fixture
def session():
    with Session("https://ftrack.golden.invalid", "user", "key", schema_cache=False, auto_populate=False,
                 transport=FileTransport()) as session:
        session.schemas  # noqa: B018 - the real schemas, so entities decode into objects
        yield session


def answer(session: Session, name: str, operation: Mapping[str, Any]) -> Any:
    """Send ``operation``; the server answers with the real response file ``name``."""
    session.transport.answers.append(response_json(name))
    (result,) = session.call([operation])
    return result


def test_every_real_response_has_a_golden_test():
    covered = {
        "create_componentlocation.json", "create_filecomponent.json", "create_user.json", "get_upload_metadata.json",
        "query_select_name_created_at_from_task_limit_1.json", "query_select_name_from_task_limit_1.json",
        NOT_STARTED, TWICE, "update_user.json",
    }
    assert {path.name for path in RESPONSES.glob("*.json")} == covered


def test_repeated_entity_is_one_object_with_merged_attributes(session):
    result = answer(session, TWICE, ops.query(
        "select version, asset.versions.version from AssetVersion where asset_id is not none limit 1"))
    (version,) = result["data"]
    assert type(version).__name__ == "AssetVersion" and version.id == "01ac528a-c5ea-11e1-a6c6-f23c91df25eb"
    asset = version.asset
    assert type(asset).__name__ == "Asset" and asset.context_id == "cb92066e-9811-11e1-b32d-f23c91df25eb"
    versions = list(asset.versions)
    assert all(isinstance(v, Entity) for v in versions)
    assert versions[0] is version  # the nested occurrence (id only) IS the outer object ...
    assert (version.version, version.asset_id) == (1, asset.id)  # ... with the outer attributes merged in
    assert [v.version for v in versions] == [1, 2, 3]
    assert [v.id for v in versions[1:]] == ["115ffa42-c5ea-11e1-b5a7-f23c91df25eb", "18458c96-c5ea-11e1-a5d9-f23c91df25eb"]
    assert session.identity_map.get("AssetVersion", version.id) is version
    assert len([e for e in session.identity_map if type(e).__name__ == "AssetVersion"]) == 3
    assert result["metadata"] == {"next": {"offset": 1}}


def test_datetimes_are_aware_utc(session):
    (task,) = answer(session, "query_select_name_created_at_from_task_limit_1.json",
                     ops.query("select name, created_at from Task limit 1"))["data"]
    assert task.created_at == datetime.datetime(2022, 10, 10, 10, 12, 9, tzinfo=UTC)
    assert task.created_at.utcoffset() == datetime.timedelta(0)
    assert task.name == 'Filters via "At a glance" rendered with different paddings in Filters panel'


def test_only_projected_attributes_are_loaded(session):
    (task,) = answer(session, "query_select_name_from_task_limit_1.json",
                     ops.query("select name from Task limit 1"))["data"]
    assert type(task).__name__ == "Task" and task.id == "00a574b0-1c44-11e2-a9da-f23c91df25eb"
    assert (task.context_type, task.project_id) == ("task", "95f5c536-4e65-11e1-afaa-f23c91df25eb")
    with pytest.raises(NotLoadedError):
        task.created_at  # absent means "not loaded", not null
    assert len(session.transport.sent) == 2  # schemas, then the query: nothing fetched


def test_nested_references_are_entities_shared_by_key(session):
    first, second = answer(session, NOT_STARTED, ops.query(
        "select status.state.short from Task where status.state.short is NOT_STARTED limit 2"))["data"]
    assert type(first.status).__name__ == "Status" and type(first.status.state).__name__ == "State"
    assert first.status is second.status  # the same status, met twice: one object, attributes merged
    assert second.status.state.short == "NOT_STARTED"
    assert first.status.state.id == "6c59abf8-4dbf-11e1-9902-f23c91df25eb"


def test_create_answers_are_entities(session):
    created = answer(session, "create_filecomponent.json", ops.create("FileComponent", {"name": "data"}))["data"]
    assert type(created).__name__ == "FileComponent"
    assert (created.name, created.file_type, created.size, created.system_type) == ("data", ".json", 13, "file")
    (location,) = list(created.component_locations)
    assert type(location).__name__ == "ComponentLocation" and location.id == "beedc0e5-95f1-4902-a43e-6df5cc0ccf48"
    assert location.component is created  # the back reference is the same object
    assert location.resource_identifier == created.id == location.component_id
    alone = answer(session, "create_componentlocation.json", ops.create("ComponentLocation", {}))["data"]
    assert alone is location  # same key: the identity map hands back the same object

    user = answer(session, "create_user.json", ops.create("User", {"first_name": "first"}))["data"]
    assert type(user).__name__ == "User" and user.id == "5c6060d1-2dc7-11ec-b3b6-1e00da110726"
    assert (user.first_name, user.last_name, user.is_active) == ("first", "last", False)
    assert user.user_type_id == "ac9fa5aa-4361-11e0-b7cc-0019bb4983d8"


def test_update_answer_is_the_entity(session):
    user = answer(session, "update_user.json",
                  ops.update("User", ["8b0cabd6-2b93-4a6e-9aff-e163bea8844e"], {"username": "x"}))["data"]
    assert type(user).__name__ == "User"
    assert user.username == "testName-3e21c60e-33ac-4242-aaf8-b04a089821c7" and user.resource_type == "user"
    assert not user.is_dirty  # a server value, not a local change


def test_upload_metadata_is_a_plain_dict(session):
    component_id = "702b7e69-f6ef-4d13-8193-dcbb480f57f5"
    result = answer(session, "get_upload_metadata.json", ops.get_upload_metadata(component_id, "data.json", 13))
    assert type(result) is dict
    assert result == {
        "url": "http://ftrack.test/file-url",
        "headers": {"Content-Length": "13", "Content-Type": "application/json"},
        "component_id": component_id,
    }
