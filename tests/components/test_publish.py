"""Publishing to the sandbox's server location and back, with real files and real HTTP."""
from __future__ import annotations

import filecmp
import os
from typing import Any, Dict

import pytest

from ftrack_orm import Session
from ftrack_orm.components import DiskLocation, TransferError
from ftrack_orm.components.locations import SERVER_LOCATION_ID, UNMANAGED_LOCATION_ID
from ftrack_orm.errors import ServerError


def _version(session: Session) -> Any:
    return session.create("AssetVersion", {"asset": session.query("Asset").first()})


def _stored(sandbox: Any) -> list:
    return [name for name in os.listdir(sandbox.files.directory) if not name.startswith(".")]


def test_a_version_with_a_file_a_sequence_and_a_thumbnail_is_one_commit_and_comes_back_identical(
        ftrack_sandbox: Any, session: Session, files: Dict[str, str], tmp_path: Any) -> None:
    version = _version(session)
    seen = []
    plate = session.create_component(files["plate"], {"version": version}, location="ftrack.server",
                                     progress=lambda *a: seen.append(a))
    frames = session.create_component(files["frames"], {"version": version}, location="ftrack.server")
    version.create_thumbnail(files["thumb"])
    ftrack_sandbox.reset_counters()
    session.commit()
    # get_upload_metadata for all 102 files, complete_multipart_upload, then the ONE commit
    assert ftrack_sandbox.request_count == 3
    assert seen[-1][2:] == (os.path.getsize(files["plate"]) + os.path.getsize(files["thumb"])
                            + sum(100 + f % 7 for f in range(1001, 1101)),) * 2

    with Session(ftrack_sandbox.url, ftrack_sandbox.api_user, ftrack_sandbox.api_key) as other:
        stored = other.query(f"select name, file_type, size, system_type from Component where id is {plate['id']}").one()
        assert (stored["name"], stored["file_type"], stored["system_type"]) == ("plate", ".mov", "file")
        assert other.download(stored, str(tmp_path / "plate.mov")) == str(tmp_path / "plate.mov")
        assert filecmp.cmp(tmp_path / "plate.mov", files["plate"], shallow=False)
        sequence = other.query(f"select name, padding, system_type from SequenceComponent where id is {frames['id']}").one()
        assert (sequence["padding"], sequence["system_type"]) == (4, "sequence")
        other.download(sequence, str(tmp_path / "frames"))
        source = os.path.dirname(files["plate"])
        assert sorted(os.listdir(tmp_path / "frames")) == [f"shot.{f:04d}.exr" for f in range(1001, 1101)]
        assert all(filecmp.cmp(tmp_path / "frames" / f"shot.{f:04d}.exr", os.path.join(source, f"shot.{f:04d}.exr"),
                               shallow=False) for f in range(1001, 1101))
        thumb = other.query(f"select thumbnail_id from AssetVersion where id is {version['id']}").one()["thumbnail_id"]
        other.download(other.query(f"select name, file_type from Component where id is {thumb}").one(),
                       str(tmp_path / "thumb.jpg"))
        assert filecmp.cmp(tmp_path / "thumb.jpg", files["thumb"], shallow=False)


def test_the_official_client_downloads_what_ftrack_orm_uploaded_and_publishes_its_own(
        ftrack_sandbox: Any, session: Session, files: Dict[str, str]) -> None:
    ftrack_api = pytest.importorskip("ftrack_api")
    import requests

    plate = session.create_component(files["plate"], {"version": _version(session)}, location="ftrack.server")
    session.commit()
    official = ftrack_api.Session(server_url=ftrack_sandbox.url, api_user=ftrack_sandbox.api_user,
                                  api_key=ftrack_sandbox.api_key, auto_connect_event_hub=False)
    try:
        server = official.get("Location", SERVER_LOCATION_ID)
        with open(files["plate"], "rb") as handle:
            expected = handle.read()
        assert requests.get(server.get_url(official.get("FileComponent", plate["id"]))).content == expected
        theirs = official.create_component(files["thumb"], {"name": "theirs"}, location=server)
        sequence = official.create_component(files["frames"], {"name": "their_frames"}, location=server)
        assert sequence["system_type"] == "sequence" and len(sequence["members"]) == 100
    finally:
        official.close()
    mine = session.query(f"select name, file_type from Component where id is {theirs['id']}").one()
    path = session.download(mine, os.path.join(os.path.dirname(files["plate"]), "theirs.jpg"))
    assert filecmp.cmp(path, files["thumb"], shallow=False)


def test_a_part_answered_500_once_is_retried(ftrack_sandbox: Any, session: Session, files: Dict[str, str]) -> None:
    ftrack_sandbox.files.fail_next_puts(1)
    component = session.create_component(files["plate"], location="ftrack.server")
    session.commit()
    assert _stored(ftrack_sandbox) == [component["id"]]


def test_a_failed_upload_registers_nothing_and_leaves_no_data(ftrack_sandbox: Any, session: Session,
                                                                files: Dict[str, str]) -> None:
    before = len(session.query("select id from ComponentLocation").all())
    ftrack_sandbox.files.fail_next_puts(1000)
    component = session.create_component(files["plate"], {"version": _version(session)}, location="ftrack.server")
    session.create_component(files["thumb"], location="ftrack.server")
    with pytest.raises(TransferError, match="HTTP 500"):
        session.commit()
    ftrack_sandbox.files.fail_next_puts(0)
    assert _stored(ftrack_sandbox) == []
    with Session(ftrack_sandbox.url, ftrack_sandbox.api_user, ftrack_sandbox.api_key) as other:
        assert len(other.query("select id from ComponentLocation").all()) == before
        assert other.query(f"Component where id is {component['id']}").first() is None
    session.commit()  # still pending: a retry publishes
    assert component["id"] in _stored(ftrack_sandbox) and len(_stored(ftrack_sandbox)) == 2


def test_a_commit_failing_after_the_upload_removes_the_uploaded_data(ftrack_sandbox: Any, session: Session,
                                                                      files: Dict[str, str]) -> None:
    session.create_component(files["plate"], {"version_id": "no-such-version"}, location="ftrack.server")
    with pytest.raises(ServerError):
        session.commit()
    assert _stored(ftrack_sandbox) == [] and session.components.publisher.orphans == []


def test_rollback_drops_pending_transfers(ftrack_sandbox: Any, session: Session, files: Dict[str, str]) -> None:
    session.create_component(files["plate"], location="ftrack.server")
    session.rollback()
    session.commit()
    assert _stored(ftrack_sandbox) == []


def test_missing_files_and_bad_patterns_are_refused_before_anything_is_recorded(session: Session, tmp_path: Any) -> None:
    with pytest.raises(FileNotFoundError, match="no file"):
        session.create_component(str(tmp_path / "nope.exr"))
    with pytest.raises(FileNotFoundError, match="99 more"):
        session.create_component(str(tmp_path / "f.%04d.exr [1-100]"))
    with pytest.raises(ValueError, match="frame range"):
        session.create_component(str(tmp_path / "f.%04d.exr [a-b]"))
    assert not session.components.publisher.has_pending


def test_unmanaged_records_the_path_and_copies_nothing(ftrack_sandbox: Any, session: Session,
                                                        files: Dict[str, str]) -> None:
    component = session.create_component(files["thumb"], location="ftrack.unmanaged")
    session.commit()
    assert _stored(ftrack_sandbox) == []
    location = session.components.locations.get("ftrack.unmanaged")
    assert location.get_filesystem_path(component) == os.path.abspath(files["thumb"])
    availability = session.get_component_availability([component])[0]
    assert availability[UNMANAGED_LOCATION_ID] == 100.0 and availability[SERVER_LOCATION_ID] == 0.0
    assert session.pick_location(component) is location


def test_a_disk_location_copies_files_into_the_standard_structure(ftrack_sandbox: Any, session: Session,
                                                                   files: Dict[str, str], tmp_path: Any) -> None:
    disk = session.components.locations.add(DiskLocation("studio.disk", str(tmp_path / "projects")))
    version = session.query("select version, asset.name from AssetVersion where asset.parent.name is sh010").first()
    plate = session.create_component(files["plate"], {"version": version})  # auto: the studio location
    frames = session.create_component(files["frames"], {"version": version})
    session.commit()
    path = disk.get_filesystem_path(plate)
    expected = tmp_path / "projects" / "demo_vfx" / "sq010" / "sh010" / "sh010_comp" / f"v{version['version']:03d}"
    assert path == str(expected / "plate.mov") and filecmp.cmp(path, files["plate"], shallow=False)
    assert os.path.isfile(expected / "shot" / "shot.1001.exr")
    assert session.get_component_availability([frames])[0][disk.id] == 100.0
    assert _stored(ftrack_sandbox) == []


def test_availability_of_many_components_is_one_request(ftrack_sandbox: Any, session: Session,
                                                        files: Dict[str, str]) -> None:
    server = session.create_component(files["thumb"], location="ftrack.server")
    frames = session.create_component(files["frames"], location="ftrack.server")
    session.commit()
    ftrack_sandbox.reset_counters()
    server_share, frame_share = session.get_component_availability([server, frames])
    assert ftrack_sandbox.request_count == 1
    assert server_share[SERVER_LOCATION_ID] == frame_share[SERVER_LOCATION_ID] == 100.0


def test_encode_media_answers_a_job_with_registered_outputs(ftrack_sandbox: Any, session: Session,
                                                           files: Dict[str, str]) -> None:
    version = session.query("AssetVersion").first()
    job = session.encode_media(files["plate"], version=version)
    assert job["status"] == "done" and len(job["job_components"]) == 2
    outputs = {item["component_id"] for item in job["job_components"]}
    assert set(_stored(ftrack_sandbox)) >= outputs
