"""Query results: lazy paged :class:`QueryResult`, pages and their source, tabular
output (dicts, HTML, DataFrame) and progress feedback.

The query *language* lives in :mod:`ftrack_orm.query`; this package runs queries
through a :class:`ResultSource` the session provides.

The names below load on first use (PEP 562): the session imports :mod:`.source` at
import time, and that must not load :mod:`.result` (and with it the query language
and the entity machinery) before the first query.
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, Dict, List

#: Public name -> the module (in this package) that defines it.
_EXPORTS: Dict[str, str] = {
    "DEFAULT_PAGE_SIZE": "source",
    "HTML_ROWS": "result",
    "IN_CHUNK_SIZE": "paging",
    "ClientSource": "source",
    "MultipleResultsFoundError": "result",
    "NoResultFoundError": "result",
    "Page": "source",
    "Progress": "progress",
    "ProgressCallback": "progress",
    "QueryResult": "result",
    "ResultSource": "source",
    "TextProgress": "progress",
    "TqdmProgress": "progress",
    "make_progress": "progress",
}

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "HTML_ROWS",
    "IN_CHUNK_SIZE",
    "ClientSource",
    "MultipleResultsFoundError",
    "NoResultFoundError",
    "Page",
    "Progress",
    "ProgressCallback",
    "QueryResult",
    "ResultSource",
    "TextProgress",
    "TqdmProgress",
    "make_progress",
]

if TYPE_CHECKING:  # pragma: no cover
    from .progress import Progress, ProgressCallback, TextProgress, TqdmProgress, make_progress
    from .paging import IN_CHUNK_SIZE
    from .result import HTML_ROWS, MultipleResultsFoundError, NoResultFoundError, QueryResult
    from .source import DEFAULT_PAGE_SIZE, ClientSource, Page, ResultSource


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> List[str]:
    return sorted(set(globals()) | set(__all__))
