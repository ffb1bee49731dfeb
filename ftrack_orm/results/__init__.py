"""Query results: lazy paged :class:`QueryResult`, pages and their source, tabular
output (dicts, HTML, DataFrame) and progress feedback.

The query *language* lives in :mod:`ftrack_orm.query`; this package runs queries
through a :class:`ResultSource` the session provides.
"""
from .progress import Progress, ProgressCallback, TextProgress, TqdmProgress, make_progress
from .result import DEFAULT_PAGE_SIZE, HTML_ROWS, IN_CHUNK_SIZE, MultipleResultsFoundError, NoResultFoundError, QueryResult
from .source import ClientSource, Page, ResultSource

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
