"""The sandbox's file storage over HTTP: uploads, multipart, checksums, downloads, deletes."""
from __future__ import annotations

import base64
import hashlib
import os
from typing import Any

import requests

from ftrack_orm.sandbox import Sandbox


def _api(sandbox: Sandbox, *operations: Any) -> Any:
    headers = {"ftrack-user": sandbox.api_user, "ftrack-api-key": sandbox.api_key}
    return requests.post(sandbox.url + "/api", headers=headers, json=list(operations)).json()


def _get(sandbox: Sandbox, component_id: str, key: str = "") -> requests.Response:
    return requests.get(sandbox.url + "/component/get",
                        params={"id": component_id, "username": sandbox.api_user, "apiKey": key or sandbox.api_key})


def test_single_upload_checksum_download_and_delete(ftrack_sandbox: Sandbox) -> None:
    data = os.urandom(5000)
    md5 = base64.b64encode(hashlib.md5(data).digest()).decode()
    created, meta = _api(ftrack_sandbox, {"action": "create", "entity_type": "FileComponent",
                                          "entity_data": {"id": "c1", "name": "x", "size": 5000}},
                         {"action": "get_upload_metadata", "component_id": "c1", "file_name": "x.bin",
                          "file_size": 5000, "checksum": md5})
    assert created["data"]["system_type"] == "file" and meta["headers"]["Content-MD5"] == md5
    headers = {k: v for k, v in meta["headers"].items() if k != "Content-Length"}
    bad = requests.put(meta["url"], data=data[:-1] + b"x", headers=headers)
    assert bad.status_code == 400 and bad.json()["exception"] == "BadDigest"
    assert _get(ftrack_sandbox, "c1").status_code == 404
    assert requests.put(meta["url"], data=data, headers=headers).status_code == 200
    assert _get(ftrack_sandbox, "c1").content == data
    assert _get(ftrack_sandbox, "c1", key="wrong").status_code == 401
    _api(ftrack_sandbox, {"action": "delete", "entity_type": "FileComponent", "entity_key": ["c1"]})
    assert _get(ftrack_sandbox, "c1").status_code == 404
    assert os.listdir(ftrack_sandbox.files.directory) == []


def test_multipart_parts_are_joined_after_their_etags_are_checked(ftrack_sandbox: Sandbox) -> None:
    data = os.urandom(3000)
    meta = _api(ftrack_sandbox, {"action": "get_upload_metadata", "component_id": "c2", "file_name": "x",
                                 "file_size": 3000, "parts": 3})[0]
    parts = []
    for url in reversed(meta["urls"]):  # any order
        number = url["part_number"]
        answer = requests.put(url["signed_url"], data=data[(number - 1) * 1000:number * 1000])
        parts.append({"part_number": number, "e_tag": answer.headers["ETag"].strip('"')})
    wrong = [dict(part, e_tag="0" * 32) if part["part_number"] == 2 else part for part in parts]
    refused = _api(ftrack_sandbox, {"action": "complete_multipart_upload", "upload_id": meta["upload_id"],
                                    "component_id": "c2", "parts": wrong})
    assert refused["exception"] == "ValidationError"
    _api(ftrack_sandbox, {"action": "complete_multipart_upload", "upload_id": meta["upload_id"],
                          "component_id": "c2", "parts": parts})
    assert _get(ftrack_sandbox, "c2").content == data
    assert [n for n in os.listdir(ftrack_sandbox.files.directory) if n.startswith(".")] == []


def test_components_built_in_locations_and_members(ftrack_sandbox: Sandbox) -> None:
    answers = _api(
        ftrack_sandbox,
        {"action": "create", "entity_type": "SequenceComponent", "entity_data": {"id": "s1", "name": "f", "padding": 4}},
        {"action": "create", "entity_type": "FileComponent", "entity_data": {"id": "m1", "name": "0001",
                                                                             "container_id": "s1"}},
        {"action": "create", "entity_type": "Component", "entity_data": {"id": "b1", "name": "base"}},
        {"action": "query", "expression": "select members.name from SequenceComponent where id is s1"},
        {"action": "query", "expression": "select name from Location where name like 'ftrack.%'"},
    )
    assert answers[0]["data"]["system_type"] == "sequence" and answers[2]["data"]["system_type"] == "file"
    assert [m["name"] for m in answers[3]["data"][0]["members"]] == ["0001"]
    assert {row["name"]: row["id"] for row in answers[4]["data"]}["ftrack.server"] == "3a372bde-05bc-11e4-8908-20c9d081909b"
    assert len(answers[4]["data"]) == 5
