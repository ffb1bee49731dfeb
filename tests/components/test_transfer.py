"""Uploads and downloads at the issue's sizes, with real files, real HTTP and real socket faults
(tests/support/faults.py's FaultProxy between the client and the sandbox's storage)."""
from __future__ import annotations

import filecmp
import os
import threading
from typing import Any, Dict, Iterator, List

import pytest

from ftrack_orm import RetryPolicy, Session
from ftrack_orm.components import TransferError
from ftrack_orm.errors import ServerError
from tests.support.faults import FaultProxy

MB = 1000 * 1000
MIB = 1024 * 1024


def _stored(sandbox: Any) -> List[str]:
    return sorted(name for name in os.listdir(sandbox.files.directory) if not name.startswith("."))


def _random_file(path: Any, size: int) -> str:
    with open(path, "wb") as handle:
        for start in range(0, size, MIB):
            handle.write(os.urandom(min(MIB, size - start)))
    return str(path)


@pytest.fixture
def big(tmp_path: Any) -> str:
    return _random_file(tmp_path / "plate.mov", 50 * MB)


@pytest.fixture
def storage_proxy(ftrack_sandbox: Any) -> Iterator[FaultProxy]:
    """Upload URLs point at a FaultProxy in front of the sandbox (as a real server's storage is another host)."""
    with FaultProxy(ftrack_sandbox.url) as proxy:
        ftrack_sandbox.storage_url = proxy.url
        try:
            yield proxy
        finally:
            ftrack_sandbox.storage_url = None


@pytest.mark.parametrize("part_size, puts", [(64 * MIB, 1), (8 * MIB, 6)], ids=["single-part", "multipart"])
def test_a_50_mb_file_goes_up_and_comes_back_byte_identical(ftrack_sandbox: Any, session: Session, big: str,
                                                            tmp_path: Any, part_size: int, puts: int) -> None:
    session.components.transfers.part_size = part_size
    threads = set()

    def seen(name: str, file_bytes: int, done: int, total: int) -> None:
        threads.add(threading.current_thread().name)

    with FaultProxy(ftrack_sandbox.url) as proxy:
        ftrack_sandbox.storage_url = proxy.url  # only to count the PUTs
        component = session.create_component(big, location="ftrack.server", progress=seen)
        session.commit()
        ftrack_sandbox.storage_url = None
    assert len([fault for actions, fault in proxy.log]) == puts
    assert len(threads) == 1 if puts == 1 else len(threads) >= 2  # parts in parallel
    assert _stored(ftrack_sandbox) == [component["id"]]
    with Session(ftrack_sandbox.url, ftrack_sandbox.api_user, ftrack_sandbox.api_key) as other:
        mine = other.query(f"select name, file_type, size from FileComponent where id is {component['id']}").one()
        assert mine["size"] == 50 * MB
        other.download(mine, str(tmp_path / "back.mov"))
    assert filecmp.cmp(big, tmp_path / "back.mov", shallow=False)
    assert [name for name in os.listdir(tmp_path) if name.endswith(".part")] == []


def test_a_connection_dropped_mid_put_is_retried(ftrack_sandbox: Any, session: Session, big: str,
                                                 storage_proxy: FaultProxy) -> None:
    session.components.transfers.part_size = 8 * MIB
    storage_proxy.arm("reset_mid_request", match="upload")  # RST with half a part read
    component = session.create_component(big, location="ftrack.server")
    session.commit()
    faults = [fault for _, fault in storage_proxy.log]
    assert faults.count("reset_mid_request") == 1 and faults.count("none") == 6  # 6 parts, one sent twice
    assert _stored(ftrack_sandbox) == [component["id"]]


def test_a_connection_dropped_on_every_attempt_fails_and_registers_nothing(
        ftrack_sandbox: Any, session: Session, files: Dict[str, str], storage_proxy: FaultProxy) -> None:
    storage_proxy.arm("reset_mid_request", match="upload", count=100)
    component = session.create_component(files["thumb"], location="ftrack.server")
    with pytest.raises(TransferError, match="connection failed .* 4 time"):
        session.commit()
    assert _stored(ftrack_sandbox) == []
    assert session.query(f"Component where id is {component['id']}").first() is None


def test_a_checksum_mismatch_is_refused_and_nothing_is_registered(
        ftrack_sandbox: Any, session: Session, files: Dict[str, str], storage_proxy: FaultProxy) -> None:
    storage_proxy.arm("corrupt_body", match="upload")
    component = session.create_component(files["plate"], location="ftrack.server")  # multipart: 9 parts
    session.create_component(files["thumb"], location="ftrack.server")
    with pytest.raises(TransferError, match="HTTP 400: The Content-MD5 you specified did not match"):
        session.commit()
    assert _stored(ftrack_sandbox) == []
    assert [name for name in os.listdir(ftrack_sandbox.files.directory) if name.startswith(".multipart")] == []
    assert session.query(f"Component where id is {component['id']}").first() is None


def test_a_download_cut_off_resumes_with_a_range_request(ftrack_sandbox: Any, big: str, tmp_path: Any) -> None:
    with Session(ftrack_sandbox.url, ftrack_sandbox.api_user, ftrack_sandbox.api_key) as session:
        component = session.create_component(big, location="ftrack.server")
        session.commit()
    with FaultProxy(ftrack_sandbox.url) as proxy, \
            Session(proxy.url, ftrack_sandbox.api_user, ftrack_sandbox.api_key) as session:
        session.components.transfers.retry = RetryPolicy(attempts=3, backoff=0.01, jitter=False)
        counted: List[int] = []
        proxy.arm("truncated_body", match="download")  # half the file, then the connection closes
        session.download(component, str(tmp_path / "back.mov"), progress=lambda n, f, d, t: counted.append(d))
        assert [fault for actions, fault in proxy.log if not actions] == ["truncated_body", "none"]  # the GETs
        assert counted[-1] == 50 * MB and counted == sorted(counted)  # the resumed half was not counted twice

        proxy.arm("truncated_body", match="download", count=2)  # cut twice: the call gives up, keeps the part
        session.components.transfers.retry = RetryPolicy(attempts=2, backoff=0.01, jitter=False)
        with pytest.raises(TransferError, match="connection failed"):
            session.download(component, str(tmp_path / "again.mov"))
        partial = [name for name in os.listdir(tmp_path) if name.endswith(".part")]
        assert len(partial) == 1 and 0 < os.path.getsize(tmp_path / partial[0]) < 50 * MB
        assert not os.path.exists(tmp_path / "again.mov")
        session.download(component, str(tmp_path / "again.mov"))  # the next call resumes
    assert filecmp.cmp(big, tmp_path / "back.mov", shallow=False)
    assert filecmp.cmp(big, tmp_path / "again.mov", shallow=False)
    assert [name for name in os.listdir(tmp_path) if name.endswith(".part")] == []


def test_a_failed_commit_whose_cleanup_also_fails_lists_the_orphans(
        ftrack_sandbox: Any, files: Dict[str, str]) -> None:
    with FaultProxy(ftrack_sandbox.url) as proxy, \
            Session(proxy.url, ftrack_sandbox.api_user, ftrack_sandbox.api_key) as session:
        session.components.transfers.retry = RetryPolicy(attempts=1)
        component = session.create_component(files["thumb"], {"version_id": "no-such-version"},
                                             location="ftrack.server")
        proxy.arm("reset_before", match="download", count=1)  # component/remove never arrives
        with pytest.raises(ServerError):
            session.commit()
        assert session.components.publisher.orphans == [f"ftrack.server: {component['id']}"]
        assert _stored(ftrack_sandbox) == [component["id"]]
        assert session.components.publisher.clean_orphans() == []
    assert _stored(ftrack_sandbox) == []


def test_many_small_files_download_with_one_request(ftrack_sandbox: Any, session: Session, tmp_path: Any) -> None:
    paths = [_random_file(tmp_path / f"small_{i:03d}.bin", 1000 + i) for i in range(60)]
    components = [session.create_component(path, location="ftrack.server") for path in paths]
    session.commit()
    ftrack_sandbox.reset_counters()
    out = tmp_path / "out"
    session.download_many([(c, str(out / f"{i:03d}.bin")) for i, c in enumerate(components)])
    assert ftrack_sandbox.request_count == 1  # API requests; the bytes come from component/get
    assert all(filecmp.cmp(p, out / f"{i:03d}.bin", shallow=False) for i, p in enumerate(paths))
