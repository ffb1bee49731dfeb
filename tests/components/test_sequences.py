from __future__ import annotations

import pytest

from ftrack_orm.components.sequences import from_paths, parse


def test_patterns() -> None:
    sequence = parse("/s/shot.%04d.exr [1001-1003, 1005]")
    assert sequence is not None and sequence.paths == ["/s/shot.1001.exr", "/s/shot.1002.exr", "/s/shot.1003.exr",
                                                       "/s/shot.1005.exr"]
    assert str(sequence) == "/s/shot.%04d.exr [1001-1003, 1005]"
    assert parse("/s/shot.####.exr [1-2]").paths == ["/s/shot.0001.exr", "/s/shot.0002.exr"]  # type: ignore[union-attr]
    assert parse("/s/shot.%d.exr [9-10]").paths == ["/s/shot.9.exr", "/s/shot.10.exr"]  # type: ignore[union-attr]
    assert parse("/s/plate.mov") is None
    with pytest.raises(ValueError, match="ends before"):
        parse("/s/a.%04d.exr [5-1]")


def test_lists_of_paths() -> None:
    sequence = from_paths(["/s/a.0002.exr", "/s/a.0001.exr"])
    assert sequence is not None and (sequence.head, sequence.padding, sequence.frames) == ("/s/a.", 4, (1, 2))
    assert from_paths(["/s/a.exr", "/s/b.mov"]) is None
    assert from_paths(["/s/a.0001.exr"]) is None
