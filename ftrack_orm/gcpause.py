"""Holding Python's cyclic garbage collector off during one large, short piece of work.

Building or settling a commit of thousands of entities allocates tens of thousands
of small containers (change records, operation dicts, tuples) that are all alive
until the commit ends: every collection the allocations trigger walks them, and
every entity already loaded, for nothing. Pausing the collector for the span of
that work (never across a server call) saves about a third of the unit of work's
CPU time for 5,000 updates. The pause is process-wide; only the code that paused
re-enables, and only if the collector was on.
"""
from __future__ import annotations

import contextlib
import gc
from typing import Iterator

#: Pending entities from which the unit of work pauses the collector.
LARGE = 1000


@contextlib.contextmanager
def paused(large: bool) -> Iterator[None]:
    """Run the ``with`` body with the collector paused when ``large`` (else as it is)."""
    if not large or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
