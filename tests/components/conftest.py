from __future__ import annotations

import os
from typing import Any, Dict, Iterator

import pytest

from ftrack_orm import RetryPolicy, Session


@pytest.fixture
def session(ftrack_sandbox: Any) -> Iterator[Session]:
    with Session(ftrack_sandbox.url, ftrack_sandbox.api_user, ftrack_sandbox.api_key) as session:
        session.components.transfers.part_size = 256 * 1024  # multipart from 512 KiB: small test files
        session.components.transfers.retry = RetryPolicy(attempts=4, backoff=0.01, jitter=False)
        yield session


@pytest.fixture
def files(tmp_path: Any) -> Dict[str, str]:
    """A 2 MiB plate (multipart), a 100-frame sequence and a thumbnail, random bytes."""
    source = tmp_path / "src"
    source.mkdir()
    paths = {"plate": str(source / "plate.mov"), "thumb": str(source / "thumb.jpg"),
             "frames": str(source / "shot.%04d.exr [1001-1100]")}
    with open(paths["plate"], "wb") as handle:
        handle.write(os.urandom(2 * 1024 * 1024 + 17))
    with open(paths["thumb"], "wb") as handle:
        handle.write(os.urandom(3000))
    for frame in range(1001, 1101):
        with open(source / f"shot.{frame:04d}.exr", "wb") as handle:
            handle.write(os.urandom(100 + frame % 7))
    return paths
