"""asyncio: :class:`AsyncSession`, :class:`AsyncEventHub` and the httpx transport.

Needs the ``async`` extra (``pip install 'ftrack-orm[async]'``: httpx; the event hub
also needs wsproto, the ``events`` extra). Names are imported on first use (PEP 562).
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, Dict, List

_EXPORTS: Dict[str, str] = {
    "AsyncSession": "session",
    "AsyncQueryResult": "results",
    "AsyncEventHub": "hub",
    "EventStream": "hub",
    "AsyncTransport": "transport",
    "HttpxTransport": "transport",
}

__all__ = ["AsyncEventHub", "AsyncQueryResult", "AsyncSession", "AsyncTransport", "EventStream", "HttpxTransport"]

if TYPE_CHECKING:  # pragma: no cover
    from .hub import AsyncEventHub, EventStream
    from .results import AsyncQueryResult
    from .session import AsyncSession
    from .transport import AsyncTransport, HttpxTransport


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> List[str]:
    return sorted(set(globals()) | set(__all__))
