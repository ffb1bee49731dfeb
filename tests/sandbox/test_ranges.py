"""HTTP byte ranges of stored component data (sandbox/ranges.py), and served over real HTTP."""
from __future__ import annotations

import os

import pytest
import requests

from ftrack_orm import Session
from ftrack_orm.sandbox.ranges import ByteRange, UnsatisfiableRange, requested_range


@pytest.mark.parametrize("header, expected", [
    (None, None),
    ("bytes=0-", ByteRange(0, 99, 100)),
    ("bytes=40-", ByteRange(40, 99, 100)),
    ("bytes=10-19", ByteRange(10, 19, 100)),
    ("bytes=90-500", ByteRange(90, 99, 100)),
    ("bytes=-30", ByteRange(70, 99, 100)),
    ("bytes=0-1,5-6", None),  # several ranges: served whole
    ("items=0-5", None),
    ("bytes=20-10", None),
])
def test_requested_range(header, expected):
    assert requested_range(header, 100) == expected


@pytest.mark.parametrize("header", ["bytes=100-", "bytes=150-200", "bytes=-0"])
def test_a_range_past_the_end_is_unsatisfiable(header):
    with pytest.raises(UnsatisfiableRange):
        requested_range(header, 100)


def test_component_get_serves_ranges(ftrack_sandbox, tmp_path):
    data = os.urandom(5000)
    (tmp_path / "f.bin").write_bytes(data)
    with Session(ftrack_sandbox.url, ftrack_sandbox.api_user, ftrack_sandbox.api_key) as session:
        component = session.create_component(str(tmp_path / "f.bin"), location="ftrack.server")
        session.commit()
        url = session.get_component_url(component["id"])
    whole = requests.get(url, timeout=10)
    assert whole.status_code == 200 and whole.content == data and whole.headers["Accept-Ranges"] == "bytes"
    part = requests.get(url, headers={"Range": "bytes=1000-"}, timeout=10)
    assert part.status_code == 206 and part.content == data[1000:]
    assert part.headers["Content-Range"] == "bytes 1000-4999/5000"
    past = requests.get(url, headers={"Range": "bytes=5000-"}, timeout=10)
    assert past.status_code == 416 and past.headers["Content-Range"] == "bytes */5000"
    assert requests.get(url, timeout=10).content == data  # the connection is still usable after a 416
