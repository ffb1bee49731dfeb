"""Progress of transfers: a callback, a tqdm bar, or nothing.

``progress`` arguments take a callable ``callback(name, file_bytes, done_bytes,
total_bytes)`` (``name``: the file a chunk belongs to, ``file_bytes``: that
file's bytes so far; ``done_bytes``/``total_bytes``: of the whole transfer), or
``True`` for a tqdm bar (``pip install tqdm``), or ``None``/``False`` for none.
Callbacks may come from several upload threads; they are serialised.
"""
from __future__ import annotations

import threading
from typing import Any, Callable, Dict, Optional, Union

ProgressCallback = Callable[[str, int, int, int], None]
ProgressArgument = Union[None, bool, ProgressCallback]


class Progress:
    """Counts bytes of one transfer and reports them."""

    def __init__(self, callback: Optional[ProgressCallback] = None, bar: bool = False, label: str = "") -> None:
        self._callback = callback
        self._bar_wanted = bar
        self._label = label
        self._bar: Any = None
        self._lock = threading.Lock()
        self._files: Dict[str, int] = {}
        self.done = 0
        self.total = 0

    def start(self, total: int) -> None:
        """A transfer of ``total`` bytes begins."""
        with self._lock:
            self.total, self.done = total, 0
            self._files.clear()
            if self._bar_wanted and self._bar is None:
                from tqdm import tqdm  # optional: only with progress=True

                self._bar = tqdm(total=total, unit="B", unit_scale=True, desc=self._label or None)

    def advance(self, name: str, count: int) -> None:
        """``count`` more bytes of file ``name`` moved."""
        with self._lock:
            self.done += count
            self._files[name] = self._files.get(name, 0) + count
            if self._bar is not None:
                self._bar.update(count)
            if self._callback is not None:
                self._callback(name, self._files[name], self.done, self.total)

    def close(self) -> None:
        """The transfer ended (a bar is closed)."""
        with self._lock:
            if self._bar is not None:
                self._bar.close()
                self._bar = None


def progress_for(argument: ProgressArgument, label: str = "") -> Optional[Progress]:
    """The :class:`Progress` a ``progress=`` argument asks for."""
    if argument is None or argument is False:
        return None
    if argument is True:
        try:
            import tqdm  # noqa: F401
        except ImportError:
            raise ImportError("progress=True needs tqdm: pip install tqdm") from None
        return Progress(bar=True, label=label)
    if callable(argument):
        return Progress(callback=argument, label=label)
    raise TypeError(f"progress must be a callable(name, file_bytes, done, total), True or None; got {argument!r}.")
