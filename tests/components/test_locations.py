"""Locations as objects, with the official client's rules: auto placement, ftrack.origin,
add_component / remove_component / get_filesystem_path / get_url, and location events."""
from __future__ import annotations

import filecmp
import os
from typing import Any, Dict, List

import pytest
import requests

from ftrack_orm import LocationError, Session
from ftrack_orm.components import DiskLocation
from ftrack_orm.components.locations import ORIGIN_LOCATION_ID, SERVER_LOCATION_ID
from tests.support.eventhub import until


def _stored(sandbox: Any) -> List[str]:
    return sorted(name for name in os.listdir(sandbox.files.directory) if not name.startswith("."))


def test_auto_follows_the_official_priorities(session: Session, files: Dict[str, str], tmp_path: Any) -> None:
    locations = session.components.locations
    assert [loc.name for loc in locations.by_priority()] == [
        "ftrack.unmanaged", "ftrack.origin", "ftrack.review", "ftrack.server"]
    assert session.pick_location().name == "ftrack.unmanaged"
    plain = session.create_component(files["thumb"])
    review = session.create_component(files["thumb"], {"name": "ftrackreview-image"})
    disk = locations.add(DiskLocation("studio.disk", str(tmp_path / "disk")))
    studio = session.create_component(files["thumb"], {"name": "studio"})
    session.commit()
    assert locations.get("ftrack.unmanaged").get_resource_identifier(plain) == os.path.abspath(files["thumb"])
    assert locations.get("ftrack.review").get_resource_identifier(review) == os.path.abspath(files["thumb"])
    assert disk.get_filesystem_path(studio) == str(tmp_path / "disk" / "unversioned" / studio["id"] / "studio.jpg")
    assert session.pick_location(studio) is disk


def test_components_made_from_paths_are_remembered_in_origin_without_requests(
        ftrack_sandbox: Any, session: Session, files: Dict[str, str]) -> None:
    origin = session.components.locations.get(ORIGIN_LOCATION_ID)
    component = session.create_component(files["thumb"], location=None)
    frames = session.create_component(files["frames"], location=None)
    ftrack_sandbox.reset_counters()
    assert origin.get_filesystem_path(component) == os.path.abspath(files["thumb"])
    assert ftrack_sandbox.request_count == 0
    assert session.pick_location(component) is None  # as the official client: origin is never picked
    assert origin.get_resource_identifier(frames) == ""  # a sequence has no single path
    with pytest.raises(LocationError, match="not in location 'ftrack.server'"):
        session.components.locations.get("ftrack.server").get_filesystem_path(component)


def test_add_component_from_origin_uploads_at_commit_and_get_url_serves_it(
        ftrack_sandbox: Any, session: Session, files: Dict[str, str]) -> None:
    locations = session.components.locations
    server, origin = locations.get("ftrack.server"), locations.origin
    component = session.create_component(files["thumb"], location=None)
    frames = session.create_component(files["frames"], location=None)
    server.add_components([component, frames], origin)
    assert _stored(ftrack_sandbox) == []  # recorded: nothing moves before the commit
    session.commit()
    assert len(_stored(ftrack_sandbox)) == 101  # the thumb and 100 frames
    with open(files["thumb"], "rb") as handle:
        assert requests.get(server.get_url(component), timeout=10).content == handle.read()
    assert server.get_filesystem_path(component) is None
    assert session.get_component_availability([frames])[0][SERVER_LOCATION_ID] == 100.0
    with pytest.raises(LocationError, match="already in location 'ftrack.server'"):
        server.add_component(component, origin)


def test_a_committed_sequence_is_added_to_a_disk_location_from_the_server_location_of_another_session(
        ftrack_sandbox: Any, session: Session, files: Dict[str, str], tmp_path: Any) -> None:
    frames = session.create_component(files["frames"], location="ftrack.unmanaged")
    session.commit()
    with Session(ftrack_sandbox.url, ftrack_sandbox.api_user, ftrack_sandbox.api_key) as other:
        disk = other.components.locations.add(DiskLocation("studio.disk", str(tmp_path / "disk")))
        theirs = other.query(f"SequenceComponent where id is {frames['id']}").one()
        ftrack_sandbox.reset_counters()
        disk.add_component(theirs, other.components.locations.get("ftrack.unmanaged"))
        assert ftrack_sandbox.request_count < 10  # not one per frame (100 frames)
        other.commit()
        first = other.query(f"Component where container_id is {frames['id']} and name is 1001").one()
        assert filecmp.cmp(disk.get_filesystem_path(first), files["frames"].replace("%04d", "1001").split(" [")[0],
                           shallow=False)


def test_remove_component_deregisters_at_commit_then_removes_the_data(
        ftrack_sandbox: Any, session: Session, files: Dict[str, str], tmp_path: Any) -> None:
    locations = session.components.locations
    server = locations.get("ftrack.server")
    disk = locations.add(DiskLocation("studio.disk", str(tmp_path / "disk")))
    plate = session.create_component(files["thumb"], location=server)
    frames = session.create_component(files["frames"], location=disk)
    session.commit()
    on_disk = disk.get_filesystem_path(session.query(f"Component where container_id is {frames['id']}").first())
    server.remove_component(plate)
    disk.remove_component(frames)
    assert _stored(ftrack_sandbox) == [plate["id"]] and os.path.isfile(on_disk)  # nothing before the commit
    session.commit()
    assert _stored(ftrack_sandbox) == [] and not os.path.exists(on_disk)
    assert session.query("select id from ComponentLocation where component_id is "
                         f"{plate['id']} or component.container_id is {frames['id']}").all() == []
    with pytest.raises(LocationError, match="not in location"):
        server.get_resource_identifier(plate)
    with pytest.raises(LocationError, match="not in location"):
        server.remove_component(plate)


def test_a_rolled_back_removal_keeps_the_data(ftrack_sandbox: Any, session: Session, files: Dict[str, str]) -> None:
    server = session.components.locations.get("ftrack.server")
    plate = session.create_component(files["thumb"], location=server)
    session.commit()
    server.remove_component(plate)
    session.rollback()
    session.commit()
    assert _stored(ftrack_sandbox) == [plate["id"]]
    assert server.get_resource_identifier(plate) == plate["id"]


def test_location_events_are_published_as_the_official_client_does(
        ftrack_sandbox: Any, files: Dict[str, str]) -> None:
    pytest.importorskip("wsproto")
    seen: List[Any] = []
    with Session(ftrack_sandbox.url, ftrack_sandbox.api_user, ftrack_sandbox.api_key,
                 auto_connect_event_hub=True) as listener, \
            Session(ftrack_sandbox.url, ftrack_sandbox.api_user, ftrack_sandbox.api_key,
                    auto_connect_event_hub=True) as publisher:
        listener.event_hub.subscribe("topic=ftrack.location.*", seen.append)
        component = publisher.create_component(files["thumb"], location="ftrack.server")
        publisher.commit()
        until(lambda: seen)
        publisher.components.locations.get("ftrack.server").remove_component(component)
        publisher.commit()
        until(lambda: len(seen) == 2)
    assert [(event["topic"], dict(event["data"])) for event in seen] == [
        ("ftrack.location.component-added", {"component_id": component["id"], "location_id": SERVER_LOCATION_ID}),
        ("ftrack.location.component-removed", {"component_id": component["id"], "location_id": SERVER_LOCATION_ID}),
    ]


def test_a_location_outside_a_session_says_how_to_attach_it(session: Session, files: Dict[str, str],
                                                            tmp_path: Any) -> None:
    component = session.create_component(files["thumb"], location=None)
    with pytest.raises(LocationError, match="locations.add"):
        DiskLocation("loose", str(tmp_path)).add_component(component, session.components.locations.origin)
