"""``entity.create_thumbnail(path)`` as in ftrack-python-api: a registered mixin on every type with
``thumbnail_id``; the image is uploaded to ftrack.server and set by ONE commit."""
from __future__ import annotations

import json
import os
from importlib import resources

import pytest

from ftrack_orm import Session
from ftrack_orm.helpers import HELPERS, CreateThumbnail
from ftrack_orm.sandbox import Sandbox


@pytest.fixture
def studio():
    with Sandbox(seed="demo") as sandbox, Session(sandbox.url, sandbox.api_user, sandbox.api_key) as session:
        yield sandbox, session


def test_every_type_with_a_thumbnail_has_create_thumbnail(studio):
    _, session = studio
    schemas = json.loads(resources.files("ftrack_orm.sandbox").joinpath("data/schemas.json").read_text())
    with_thumbnail = [schema["id"] for schema in schemas if "thumbnail_id" in schema.get("properties", {})]
    assert with_thumbnail
    for entity_type in with_thumbnail:
        assert issubclass(session.types[entity_type], CreateThumbnail), entity_type
    assert not issubclass(session.types["Note"], CreateThumbnail)
    assert sum(CreateThumbnail in mixins for mixins in HELPERS.values()) == 4


def test_create_thumbnail_uploads_and_sets_it_in_one_commit(studio, tmp_path):
    sandbox, session = studio
    image = tmp_path / "thumb.jpg"
    image.write_bytes(os.urandom(4096))
    task = session.query("Task").first()
    component = task.create_thumbnail(str(image))
    assert component["name"] == "thumbnail" and task["thumbnail"] is component
    sandbox.reset_counters()
    session.commit()
    assert sandbox.request_count == 2  # get_upload_metadata, then the one commit
    with Session(sandbox.url, sandbox.api_user, sandbox.api_key) as other:
        assert other.query(f"select thumbnail_id from Task where id is {task['id']}").one()["thumbnail_id"] == \
            component["id"]
        other.download(component, str(tmp_path / "back.jpg"))
    assert (tmp_path / "back.jpg").read_bytes() == image.read_bytes()
    named = session.query("AssetVersion").first().create_thumbnail(str(image), {"name": "poster"})
    assert named["name"] == "poster"
