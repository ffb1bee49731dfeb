"""Opt-in progress feedback for queries that fetch several pages.

A progress callback is called once per page received with ``(rows so far,
total)``; ``total`` is ``None`` until the last page, when it is the final count
(ftrack answers do not say how many rows a query has in all).

``progress=True`` shows a ``tqdm`` bar when tqdm is installed (it is not a
dependency), else a one-line counter on standard error.
"""
from __future__ import annotations

import sys
from typing import Any, Callable, Optional, Union

#: ``callback(rows_so_far, total_or_None)``.
ProgressCallback = Callable[[int, Optional[int]], None]
Progress = Union[None, bool, ProgressCallback]


class TqdmProgress:
    """A tqdm bar counting rows (made on the first page, closed on the last)."""

    def __init__(self, description: str) -> None:
        self.description = description
        self.bar: Any = None

    def __call__(self, rows: int, total: Optional[int]) -> None:
        if self.bar is None:
            from tqdm.auto import tqdm

            self.bar = tqdm(desc=self.description, unit=" rows", total=total)
        self.bar.update(rows - self.bar.n)
        if total is not None:
            self.bar.total = total
            self.bar.refresh()
            self.close()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


class TextProgress:
    """``<description>: N rows`` rewritten in place on standard error."""

    def __init__(self, description: str, stream: Any = None) -> None:
        self.description = description
        self.stream = stream

    def __call__(self, rows: int, total: Optional[int]) -> None:
        stream = self.stream or sys.stderr
        end = " (done)\n" if total is not None else ""
        stream.write(f"\r{self.description}: {rows} rows{end}")
        stream.flush()

    def close(self) -> None:
        pass


def make_progress(progress: Progress, description: str) -> Optional[ProgressCallback]:
    """The callback for one run of a query (``True``: tqdm or text; falsy: none)."""
    if progress is None or progress is False:
        return None
    if progress is True:
        try:
            import tqdm  # noqa: F401
        except ImportError:
            return TextProgress(description)
        return TqdmProgress(description)
    if not callable(progress):
        raise TypeError(f"progress must be a callable, True or None, not {progress!r}.")
    return progress
