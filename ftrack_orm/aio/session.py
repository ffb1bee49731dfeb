"""The asyncio session: :class:`AsyncSession`, the blocking session's API with every I/O method a coroutine.

It shares everything but the sending with :class:`~ftrack_orm.session.Session`:
the schemas, entity classes, identity map, change tracking, commit planning and
the query language are the blocking session's own objects (an inner ``Session``
that is never allowed to block); the work that needs the server is the same
:mod:`~ftrack_orm.steps` the blocking session runs, driven here by
:func:`~ftrack_orm.steps.run_async` over an httpx transport::

    async with AsyncSession(url, user, key) as session:     # loads the schemas
        async for task in session.query(session.Task).where(session.Task.name.like("sh%")):
            print(task.name)
        shot = await session.query("Shot").first()
        session.create("Task", {"name": "comp", "parent": shot})
        await session.commit()

Reading an unloaded attribute cannot fetch (that would block the loop): it raises
:class:`~ftrack_orm.errors.NotLoadedError` naming ``await session.populate(...)``
and the query's ``select(...)``; ``populate`` batches as in the blocking session.
Requests in flight at once are bounded by ``max_connections`` (default 8).
"""
from __future__ import annotations

import asyncio
import contextlib
from typing import Any, AsyncIterator, Callable, Dict, List, Mapping, Optional, Sequence, Type, TypeVar, Union, overload

from .. import server_actions
from ..aggregates import aggregate_steps
from ..entity.base import Entity
from ..entity.factory import TypeRegistry
from ..entity.identity import IdentityMap
from ..entity.loading import populate_levels
from ..entity.state import NotLoadedError
from ..errors import WouldBlockError
from ..loader import SessionLoader
from ..reconcile import Reconciliation
from ..results import DEFAULT_PAGE_SIZE
from ..schema import SchemaRegistry
from ..session import Key, Session
from ..steps import Steps, run_async
from ..transport import HTTPResponse, RetryPolicy, Timeout
from ..uow import CommitResult
from .client import AsyncWireClient
from .hub import AsyncEventHub
from .results import AsyncQueryResult
from .transport import AsyncTransport, HttpxTransport

__all__ = ["AsyncSession"]

E = TypeVar("E", bound=Entity)
T = TypeVar("T")

_BLOCKING = ("An AsyncSession does not send blocking requests (they would stall the event loop): "
             "open it first (`async with AsyncSession(...)` or `await session.open()`) and use its "
             "awaitable API (`await session.query(...).all()`, `await session.populate(...)`).")


class _NoBlockingTransport:
    """The inner session's transport: any blocking request is refused with :class:`WouldBlockError`."""

    def post(self, url: str, body: bytes, headers: Mapping[str, str], *, read_only: bool) -> HTTPResponse:
        raise WouldBlockError(_BLOCKING)

    def close(self) -> None:
        pass


class _NoLazyLoads:
    """The identity map's loader in an asyncio session: lazy loads are refused (clearly);
    ``populate`` uses :meth:`load_steps` through the asyncio driver."""

    def __init__(self, loader: SessionLoader) -> None:
        self.load_steps = loader.load_steps

    def load(self, entity_type: str, entities: Sequence[Entity], attributes: Sequence[str]) -> None:
        names = ", ".join(attributes)
        raise NotLoadedError(
            f"{entity_type}.{names} is not loaded, and an AsyncSession does not load lazily (it would block "
            f"the event loop): `await session.populate(entities, {names!r})`, or select it in the query "
            f"(`.select({names!r})`).")


class AsyncSession:
    """A connection to one ftrack server as one user, for asyncio code (see the module docstring).

    The arguments are :class:`~ftrack_orm.session.Session`'s; ``transport`` is an
    :class:`~ftrack_orm.aio.transport.AsyncTransport` (default: httpx with
    ``timeout``, ``retry``, ``verify`` and ``max_connections``).
    """

    def __init__(
        self,
        server_url: Optional[str] = None,
        api_user: Optional[str] = None,
        api_key: Optional[str] = None,
        *,
        timeout: Timeout = 60,
        retry: Optional[RetryPolicy] = None,
        verify: Union[bool, str] = True,
        max_connections: int = 8,
        transport: Optional[AsyncTransport] = None,
        client_token: Optional[str] = None,
        strict_api: bool = False,
        headers: Optional[Mapping[str, str]] = None,
        schema_cache: Any = True,
        id_factory: Optional[Callable[[], str]] = None,
        mixins: Optional[Mapping[str, Sequence[type]]] = None,
        event_hub_options: Optional[Mapping[str, Any]] = None,
    ) -> None:
        self._session = Session(server_url, api_user, api_key, transport=_NoBlockingTransport(),
                                client_token=client_token, strict_api=strict_api, headers=headers,
                                schema_cache=schema_cache, id_factory=id_factory, mixins=mixins,
                                verify=verify, event_hub_options=event_hub_options)
        self._transport = transport or HttpxTransport(timeout=timeout, retry=retry, verify=verify,
                                                      max_connections=max_connections)
        self._client = AsyncWireClient(self._session.client, self._transport)
        self._headers = dict(headers or {})
        self._verify = verify
        self._open_lock: Optional[asyncio.Lock] = None
        self._commit_lock: Optional[asyncio.Lock] = None
        self._opened = False
        self._transaction_depth = 0
        self._event_hub: Optional[AsyncEventHub] = None

    # -- lifecycle -----------------------------------------------------------------------------
    def __repr__(self) -> str:
        return f"<AsyncSession server_url={self.server_url!r} api_user={self.api_user!r}>"

    async def __aenter__(self) -> AsyncSession:
        return await self.open()

    async def __aexit__(self, *exc_info: Any) -> None:
        await self.close()

    async def open(self) -> AsyncSession:
        """Load the server information, the schemas (one call on a cold start) and the custom
        attribute configurations; done once, by the first caller. Returns the session."""
        if self._opened:
            return self
        if self._open_lock is None:
            self._open_lock = asyncio.Lock()
        async with self._open_lock:
            if not self._opened:
                await run_async(self._session.schema_steps(), self._client.call)
                identity = self._session.identity_map
                loader = identity.loader
                if isinstance(loader, SessionLoader):
                    identity.loader = _NoLazyLoads(loader)
                configurations = await run_async(Session.custom_attribute_configuration_steps(), self._client.call)
                identity.settings.custom_attribute_configurations = configurations
                self._opened = True
        return self

    async def close(self) -> None:
        """Close the event hub and the HTTP connections (a session with pending changes warns)."""
        if self._event_hub is not None:
            await self._event_hub.close()
        self._session.close()
        await self._client.aclose()

    @property
    def closed(self) -> bool:
        """True once :meth:`close` was called."""
        return self._client.closed

    @property
    def server_url(self) -> str:
        return self._session.server_url

    @property
    def api_user(self) -> str:
        return self._session.api_user

    @property
    def client_token(self) -> str:
        return self._session.client_token

    @property
    def event_hub(self) -> AsyncEventHub:
        """The session's :class:`~ftrack_orm.aio.AsyncEventHub` (created on first use; ``await hub.connect()``)."""
        if self._event_hub is None:
            wire = self._session.client
            self._event_hub = AsyncEventHub(wire.server_url, wire.api_user, wire.api_key,
                                            client_token=wire.client_token, headers=self._headers,
                                            verify=self._verify, **self._session.event_hub_options)
        return self._event_hub

    # -- the wire --------------------------------------------------------------------------------
    async def call(self, operations: Sequence[Mapping[str, Any]]) -> List[Any]:
        """Send ``operations`` as ONE batch; the decoded results (entities from the identity map)."""
        await self.open()
        return await self._client.call(list(operations), self._session.identity_map.merge)

    # -- schemas and entities (no I/O once open) ---------------------------------------------------
    @property
    def schemas(self) -> SchemaRegistry:
        """Every entity schema of the server (after :meth:`open`)."""
        return self._session.schemas

    @property
    def server_information(self) -> Dict[str, Any]:
        """The server's ``query_server_information`` answer (after :meth:`open`)."""
        return self._session.server_information

    @property
    def identity_map(self) -> IdentityMap:
        """The session's entities: one object per (type, primary key)."""
        return self._session.identity_map

    @property
    def types(self) -> TypeRegistry:
        """Entity classes by schema name: ``session.types["Task"]`` (also ``session.Task``)."""
        return self._session.types

    def __getattr__(self, name: str) -> Any:
        if name[:1].isupper():  # entity types: session.Task
            return self._session.types[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __dir__(self) -> List[str]:
        names = set(super().__dir__())
        if self._opened:  # completion offers the entity types (session.Ta<TAB>)
            names.update(name for name in self._session.schemas if name.isidentifier())
        return sorted(names)

    def get_schema(self, entity_type: str) -> Optional[Dict[str, Any]]:
        """The raw schema dict of ``entity_type``, or ``None``."""
        return self._session.get_schema(entity_type)

    def entity_key(self, entity_type: str, key: Key) -> List[Any]:
        """Primary-key values of ``entity_type`` in ``primary_key`` order (see :meth:`Session.entity_key`)."""
        return self._session.entity_key(entity_type, key)

    def create(self, entity_type: str, data: Optional[Mapping[str, Any]] = None) -> Entity:
        """A new entity, pending until :meth:`commit`."""
        return self._session.create(entity_type, data)

    def update(self, entity_type: str, keys: Key, data: Mapping[str, Any]) -> Entity:
        """Record an update; sent by :meth:`commit`."""
        return self._session.update(entity_type, keys, data)

    def delete(self, entity_or_type: Any, keys: Optional[Key] = None) -> None:
        """Record a deletion; sent by :meth:`commit`."""
        self._session.delete(entity_or_type, keys)

    def rollback(self) -> None:
        """Discard pending work: changed entities revert, new ones are detached."""
        self._session.rollback()

    def expunge(self, entity: Entity, force: bool = False) -> None:
        """See :meth:`Session.expunge`."""
        self._session.expunge(entity, force)

    def expunge_all(self, force: bool = False) -> None:
        """See :meth:`Session.expunge_all`."""
        self._session.expunge_all(force)

    def get_component_url(self, component_id: Optional[str]) -> Optional[str]:
        """See :meth:`Session.get_component_url` (no request is made)."""
        return self._session.get_component_url(component_id)

    def thumbnail_url(self, component_id: Optional[str], size: int = 300) -> str:
        """See :meth:`Session.thumbnail_url` (no request is made)."""
        return self._session.thumbnail_url(component_id, size)

    # -- queries and loading ------------------------------------------------------------------------
    @overload
    def query(self, expression: Type[E], page_size: int = ...) -> AsyncQueryResult[E]: ...

    @overload
    def query(self, expression: Any, page_size: int = ...) -> AsyncQueryResult[Any]: ...

    def query(self, expression: Any, page_size: int = DEFAULT_PAGE_SIZE) -> AsyncQueryResult[Any]:
        """A lazy :class:`~ftrack_orm.aio.results.AsyncQueryResult`, checked against the schemas
        before anything is sent (the session must be open)."""
        return AsyncQueryResult(self._session.query(expression, page_size), self._client.call)

    async def aggregate(self, expression: str) -> List[Dict[str, Any]]:
        """Rows of an aggregate query (see :meth:`Session.aggregate`)."""
        await self.open()
        return await run_async(aggregate_steps(expression, self._session.schemas), self._client.call)

    async def populate(self, entities: Any, projections: Union[str, Sequence[str]]) -> None:
        """Load dotted ``projections`` for all ``entities``: one request per level of the paths."""
        await self.open()
        if not isinstance(entities, (list, tuple)):
            entities = [entities] if isinstance(entities, Entity) else list(entities)
        identity = self._session.identity_map
        loader = identity.loader
        assert isinstance(loader, _NoLazyLoads)
        for requests in populate_levels(identity, entities, projections):
            await run_async(loader.load_steps(requests), self._client.call)

    async def get(self, entity_type: str, key: Key) -> Optional[Entity]:
        """The entity with that key: the identity map first, else one query; ``None`` when there is none."""
        await self.open()
        return await run_async(self._session.get_steps(entity_type, key), self._client.call)

    async def ensure(self, entity_type: str, data: Mapping[str, Any],
                     identifying_keys: Optional[Sequence[str]] = None) -> Entity:
        """See :meth:`Session.ensure`: commits at once, except inside :meth:`transaction`."""
        await self.open()
        entity = await run_async(self._session.ensure_steps(entity_type, data, identifying_keys), self._client.call)
        if self._transaction_depth == 0:
            await self.commit()
        return entity

    # -- server-side helpers (see ftrack_orm.server_actions) ---------------------------------------
    async def _run_action(self, steps: Steps[T]) -> T:
        await self.open()

        async def call(batch: Sequence[Mapping[str, Any]], hook: Any) -> List[Any]:
            return await self.call(batch)

        return await run_async(steps, call)

    def _server_version(self) -> Any:
        return self._session.server_information.get("version")

    async def get_widget_url(self, name: str, entity: Optional[Entity] = None, theme: Optional[str] = None) -> str:
        """See :meth:`Session.get_widget_url`."""
        return await self._run_action(server_actions.get_widget_url(self._server_version, name, entity, theme))

    async def send_user_invite(self, user: Entity) -> None:
        """See :meth:`Session.send_user_invite`."""
        await self._run_action(server_actions.send_user_invites(self._server_version, [user]))

    async def send_user_invites(self, users: Sequence[Entity]) -> None:
        """See :meth:`Session.send_user_invites`."""
        await self._run_action(server_actions.send_user_invites(self._server_version, users))

    async def reset_remote(self, reset_type: str, entity: Optional[Entity] = None) -> Any:
        """See :meth:`Session.reset_remote`."""
        return await self._run_action(server_actions.reset_remote(self._server_version, reset_type, entity))

    async def delayed_job(self, job_type: Any) -> Any:
        """See :meth:`Session.delayed_job`."""
        return await self._run_action(server_actions.delayed_job(self._server_version, job_type))

    async def check_server_compatibility(self) -> None:
        """See :meth:`Session.check_server_compatibility`."""
        await self.open()
        server_actions.check_server_compatibility(self._session.server_information)

    # -- the unit of work ---------------------------------------------------------------------------
    def _lock(self) -> asyncio.Lock:
        if self._commit_lock is None:
            self._commit_lock = asyncio.Lock()
        return self._commit_lock

    async def commit(self, chunk_size: Optional[int] = None,
                     progress: Optional[Callable[[int, int], None]] = None) -> CommitResult:
        """Send every pending change as ONE call (see :meth:`Session.commit`); concurrent commits
        of one session wait for each other, and each sends what is still pending."""
        if not self._opened:
            return CommitResult()
        async with self._lock():
            steps = self._session.unit_of_work.commit_steps(chunk_size, progress)
            return await run_async(steps, self._client.call)

    async def reconcile(self) -> Reconciliation:
        """See :meth:`Session.reconcile`."""
        if not self._opened:
            return Reconciliation()
        async with self._lock():
            return await run_async(self._session.unit_of_work.reconcile_steps(), self._client.call)

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """``async with session.transaction():`` commits when the outermost block succeeds; a block
        that raises undoes only what it recorded (a savepoint; see :meth:`Session.transaction`)."""
        await self.open()
        savepoint = self._session.identity_map.lifecycle.savepoint()
        self._transaction_depth += 1
        try:
            yield self
        except BaseException:
            self._transaction_depth -= 1
            savepoint.rollback()
            raise
        self._transaction_depth -= 1
        savepoint.release()
        if self._transaction_depth == 0:
            await self.commit()
