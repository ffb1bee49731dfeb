"""Image sequences: ``shot.%04d.exr [1001-1100]`` patterns and lists of frame paths.

A :class:`FileSequence` is a head, a padding, a tail and the frame numbers; its
``paths`` are the files on disk. :func:`parse` reads a pattern (``%04d``, ``%d``
or ``####`` with a ``[ranges]`` suffix such as ``[1-5, 7, 10-20]``) and
:func:`from_paths` recognises a list of paths that differ only by a frame number.
"""
from __future__ import annotations

import os
import re
from typing import List, Optional, Sequence

import attrs

_PATTERN = re.compile(r"^(?P<head>.*?)(?:%(?P<width>0\d+|)d|(?P<hashes>#+))(?P<tail>[^%#\[]*?)\s*\[(?P<ranges>[^\]]*)\]\s*$")
_RANGE = re.compile(r"^\s*(-?\d+)\s*(?:-\s*(-?\d+))?\s*$")
_FRAME = re.compile(r"^(?P<head>.*?)(?P<index>\d+)(?P<tail>\D*)$")


@attrs.frozen
class FileSequence:
    """Frames ``head + str(frame).zfill(padding) + tail``; ``padding`` 0 means unpadded."""

    head: str
    padding: int
    tail: str
    frames: Sequence[int]

    def path(self, frame: int) -> str:
        """The path of ``frame``."""
        return f"{self.head}{str(frame).zfill(self.padding) if self.padding else frame}{self.tail}"

    @property
    def paths(self) -> List[str]:
        """Every frame's path, in frame order."""
        return [self.path(frame) for frame in self.frames]

    def index(self, frame: int) -> str:
        """The frame number as it is written in the file name (a member component's name)."""
        return str(frame).zfill(self.padding) if self.padding else str(frame)

    @property
    def pattern(self) -> str:
        """``head%04dtail`` (``%d`` when unpadded)."""
        return f"{self.head}%{self.padding:02d}d{self.tail}" if self.padding else f"{self.head}%d{self.tail}"

    def __str__(self) -> str:
        return f"{self.pattern} [{_ranges_text(self.frames)}]"


def parse(text: str) -> Optional[FileSequence]:
    """The sequence ``text`` describes, or ``None`` when it is not a sequence pattern.

    Raises ``ValueError`` for a pattern whose ranges cannot be read.
    """
    match = _PATTERN.match(text)
    if match is None:
        return None
    width = match.group("width")
    padding = len(match.group("hashes")) if match.group("hashes") else int(width) if width else 0
    frames: List[int] = []
    for item in filter(None, (part.strip() for part in match.group("ranges").split(","))):
        found = _RANGE.match(item)
        if found is None:
            raise ValueError(f"Cannot read the frame range {item!r} in {text!r}; expected e.g. [1001-1100, 1105].")
        start = int(found.group(1))
        end = int(found.group(2)) if found.group(2) is not None else start
        if end < start:
            raise ValueError(f"The frame range {item!r} in {text!r} ends before it starts.")
        frames.extend(range(start, end + 1))
    if not frames:
        raise ValueError(f"The sequence {text!r} lists no frames.")
    return FileSequence(match.group("head"), padding, match.group("tail"), tuple(sorted(set(frames))))


def from_paths(paths: Sequence[str]) -> Optional[FileSequence]:
    """The sequence formed by ``paths`` (same head and tail, a frame number between), or ``None``."""
    if len(paths) < 2:
        return None
    found = [_FRAME.match(os.fspath(path)) for path in paths]
    if any(match is None for match in found):
        return None
    matches = [match for match in found if match is not None]
    head, tail = matches[0].group("head"), matches[0].group("tail")
    widths = {len(match.group("index")) for match in matches}
    if any(match.group("head") != head or match.group("tail") != tail for match in matches) or len(widths) != 1:
        return None
    padding = widths.pop()
    frames = sorted(int(match.group("index")) for match in matches)
    if len(set(frames)) != len(frames):
        return None
    return FileSequence(head, padding, tail, tuple(frames))


def _ranges_text(frames: Sequence[int]) -> str:
    parts: List[str] = []
    start = previous = None
    for frame in [*frames, None]:
        if start is None:
            start = previous = frame
        elif frame is not None and previous is not None and frame == previous + 1:
            previous = frame
        else:
            parts.append(f"{start}" if start == previous else f"{start}-{previous}")
            start = previous = frame
    return ", ".join(parts)
