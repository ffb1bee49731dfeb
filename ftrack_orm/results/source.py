"""Where query results come from: pages, and the narrow source a session provides.

A :class:`~ftrack_orm.results.result.QueryResult` needs three things of its
session, declared by :class:`ResultSource`: the schemas (to build and check
criteria), result groups (so lazy loads batch across rows) and a blocking ``call``
that sends one batch (the query's pages are :mod:`~ftrack_orm.steps`; an asyncio
session drives the same steps with its own call). :class:`ClientSource` is the
session's: it sends through the wire client.
"""
from __future__ import annotations

from typing import (TYPE_CHECKING, Any, Callable, Iterable, Iterator, List, Mapping, Optional, Protocol, Sequence, Tuple,
                    Union, overload)

from ..steps import Hook

if TYPE_CHECKING:  # pragma: no cover
    from ..client import WireClient
    from ..entity.loading import ResultGroup
    from ..schema import SchemaRegistry

#: Default number of rows asked per page.
DEFAULT_PAGE_SIZE = 500


class Page(Sequence[Any]):
    """One page of a query: its rows (a sequence) and the server's ``metadata``; immutable.

    ``next_offset`` is where the next page starts, ``None`` when the server has no more.
    (A plain class, not attrs: this module loads with ``from ftrack_orm import Session``.)
    """

    __slots__ = ("rows", "metadata")
    rows: Tuple[Any, ...]
    metadata: Mapping[str, Any]

    def __init__(self, rows: Iterable[Any], metadata: Optional[Mapping[str, Any]] = None) -> None:
        object.__setattr__(self, "rows", tuple(rows))
        object.__setattr__(self, "metadata", {} if metadata is None else metadata)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"Page is immutable: cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"Page is immutable: cannot delete {name!r}")

    def __repr__(self) -> str:
        return f"Page(rows={self.rows!r}, metadata={self.metadata!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Page):
            return NotImplemented
        return self.rows == other.rows and self.metadata == other.metadata

    __hash__ = None  # type: ignore[assignment]  # metadata is a dict: as attrs made it, unhashable

    @classmethod
    def from_answer(cls, answer: Mapping[str, Any]) -> Page:
        """The page of one decoded ``query`` result (``{"data": [...], "metadata": {...}}``)."""
        return cls(answer.get("data") or (), answer.get("metadata") or {})

    @property
    def next_offset(self) -> Optional[int]:
        """The offset of the following page, ``None`` if this is the server's last."""
        following: Optional[int] = (self.metadata.get("next") or {}).get("offset")
        return following

    def with_rows(self, rows: Any) -> Page:
        """The same metadata with other rows (e.g. without duplicates)."""
        return Page(rows, self.metadata)

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[Any]:
        return iter(self.rows)

    @overload
    def __getitem__(self, index: int) -> Any: ...

    @overload
    def __getitem__(self, index: slice) -> Tuple[Any, ...]: ...

    def __getitem__(self, index: Union[int, slice]) -> Any:
        return self.rows[index]


class ResultSource(Protocol):
    """What a query result needs of its session."""

    @property
    def schemas(self) -> SchemaRegistry:
        """The server's entity schemas."""

    def result_group(self) -> ResultGroup:
        """A new group for the entities of one run of a query."""

    def call(self, batch: Sequence[Mapping[str, Any]], hook: Hook = None) -> List[Any]:
        """Send ``batch`` as one request; the decoded results (entities through ``hook``)."""


class ClientSource:
    """A :class:`ResultSource` over a wire client; schemas and groups come lazily
    from the given callables (the session loads schemas on first need)."""

    __slots__ = ("_client", "_schemas", "_result_group")

    def __init__(
        self,
        client: WireClient,
        schemas: Callable[[], SchemaRegistry],
        result_group: Callable[[], ResultGroup],
    ) -> None:
        self._client = client
        self._schemas = schemas
        self._result_group = result_group

    @property
    def schemas(self) -> SchemaRegistry:
        """The server's entity schemas."""
        return self._schemas()

    def result_group(self) -> ResultGroup:
        """A new result group of the session's identity map."""
        return self._result_group()

    def call(self, batch: Sequence[Mapping[str, Any]], hook: Hook = None) -> List[Any]:
        """One request through the wire client (the blocking driver of query pages)."""
        return self._client.call(batch, hook)
