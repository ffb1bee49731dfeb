"""Where query results come from: pages, and the narrow source a session provides.

A :class:`~ftrack_orm.results.result.QueryResult` needs three things of its
session, declared by :class:`ResultSource`: the schemas (to build and check
criteria), result groups (so lazy loads batch across rows) and a blocking ``call``
that sends one batch (the query's pages are :mod:`~ftrack_orm.steps`; an asyncio
session drives the same steps with its own call). :class:`ClientSource` is the
session's: it sends through the wire client.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Iterator, List, Mapping, Optional, Protocol, Sequence, Tuple, Union, overload

import attrs


from ..steps import Hook

if TYPE_CHECKING:  # pragma: no cover
    from ..client import WireClient
    from ..entity.loading import ResultGroup
    from ..schema import SchemaRegistry

#: Default number of rows asked per page.
DEFAULT_PAGE_SIZE = 500


@attrs.frozen
class Page(Sequence[Any]):
    """One page of a query: its rows (a sequence) and the server's ``metadata``.

    ``next_offset`` is where the next page starts, ``None`` when the server has no more.
    """

    rows: Tuple[Any, ...] = attrs.field(converter=tuple)
    metadata: Mapping[str, Any] = attrs.field(factory=dict)

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
