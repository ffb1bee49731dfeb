"""The public :class:`Session`: configuration, wiring of the parts, and the seed API.

The session itself does little: it builds the :class:`~ftrack_orm.client.WireClient`
(headers, encode → transport → decode), loads schemas at first need, and hands
each collaborator only what it needs: the unit of work and the loader get the
client, query results a narrow :class:`~ftrack_orm.results.ResultSource`. Finding
entities (query trees, keys, ``get``, ``ensure``) is :mod:`~ftrack_orm.lookup`'s, what
is read of the server first :mod:`~ftrack_orm.discovery`'s, the server-side helpers
:mod:`~ftrack_orm.server_actions`' and the component API :mod:`~ftrack_orm.components`'.
"""
from __future__ import annotations

import contextlib
import os
import threading
import uuid
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterator, List, Mapping, Optional, Sequence, Type, TypeVar, Union, overload

from .client import WireClient
from .errors import ConfigurationError, FtrackOrmError
from .pending import warn_pending
from .results.source import DEFAULT_PAGE_SIZE, ClientSource
from .transport import RequestsTransport, RetryPolicy, Timeout, Transport
from .steps import Steps, run
from .lookup import Key as Key  # the seed API's key type, public here

# The rest loads on first use (function-level imports below): the entity machinery with the
# schemas, the event hub, components, helpers... when they are used, so that
# ``from ftrack_orm import Session`` stays cheap (tests/test_init.py).
if TYPE_CHECKING:  # pragma: no cover
    from . import codec
    from .components import Components
    from .entity.base import Entity
    from .entity.factory import TypeRegistry
    from .entity.identity import IdentityMap
    from .entity.loading import ResultGroup
    from .events.hub import EventHub
    from .reconcile import Reconciliation
    from .results import QueryResult
    from .schema import SchemaRegistry
    from .schema_cache import SchemaCache
    from .uow import CommitResult, UnitOfWork

_DEFAULT = object()


def _schema_cache(directory: Union[str, os.PathLike[str], None]) -> SchemaCache:
    from .schema_cache import SchemaCache  # hashlib, tempfile, pathlib: loaded when a session starts

    return SchemaCache(directory)

#: An entity class, for the typed ``query`` (``session.query(Task)`` is ``QueryResult[Task]``).
E = TypeVar("E")
T = TypeVar("T")


def _setting(value: Optional[str], argument: str, variable: str) -> str:
    value = value if value is not None else os.environ.get(variable)
    if not value:
        raise ConfigurationError(
            f"No {argument} given: pass {argument}=... to Session() or set the {variable} environment variable."
        )
    return value


class Session:
    """A connection to one ftrack server as one user.

    ``server_url``, ``api_user`` and ``api_key`` fall back to ``FTRACK_SERVER``,
    ``FTRACK_API_USER`` and ``FTRACK_API_KEY``. The constructor does no network
    I/O; schemas load on first need (from the disk cache when the server's
    ``schema_hash`` has not changed). Use it as a context manager to close the
    HTTP connection pool. ``mixins``: entity type -> studio classes placed first in
    the bases of that type's generated class (see :mod:`ftrack_orm.entity.mixins`).
    """

    def __init__(
        self,
        server_url: Optional[str] = None,
        api_user: Optional[str] = None,
        api_key: Optional[str] = None,
        *,
        auto_connect_event_hub: bool = False,
        event_hub_options: Optional[Mapping[str, Any]] = None,
        client_token: Optional[str] = None,
        timeout: Timeout = 60,
        strict_api: bool = False,
        headers: Optional[Mapping[str, str]] = None,
        schema_cache: Any = _DEFAULT,
        transport: Optional[Transport] = None,
        retry: Optional[RetryPolicy] = None,
        verify: Union[bool, str] = True,
        auto_populate: bool = True,
        id_factory: Optional[Callable[[], str]] = None,
        mixins: Optional[Mapping[str, Sequence[type]]] = None,
    ) -> None:
        if auto_connect_event_hub:
            from .events.websocket import require_wsproto
            require_wsproto()  # says exactly what to pip install
        self.server_url = _setting(server_url, "server_url", "FTRACK_SERVER").rstrip("/")
        self.api_user = _setting(api_user, "api_user", "FTRACK_API_USER")
        self.client_token = client_token or f"ftrack-orm--{uuid.uuid4()}"
        self.strict_api = strict_api
        self.event_hub_options = dict(event_hub_options or {})
        self._client = WireClient(
            self.server_url, self.api_user, _setting(api_key, "api_key", "FTRACK_API_KEY"),
            transport=transport or RequestsTransport(timeout=timeout, retry=retry, verify=verify),
            client_token=self.client_token, strict_api=strict_api, headers=headers,
        )
        if schema_cache is _DEFAULT or schema_cache is True:
            schema_cache = _schema_cache(None)
        elif isinstance(schema_cache, (str, os.PathLike)):
            schema_cache = _schema_cache(schema_cache)
        self._schema_cache: Optional[SchemaCache] = schema_cache or None
        self._schemas: Optional[SchemaRegistry] = None
        self._server_information: Optional[Dict[str, Any]] = None
        self._schema_lock = threading.RLock()
        self._identity: Optional[IdentityMap] = None
        self._uow: Optional[UnitOfWork] = None
        self._transaction_depth = 0
        self._auto_populate = auto_populate
        self._id_factory = id_factory
        self._mixins = {name: list(classes) for name, classes in (mixins or {}).items()}
        self._custom_attribute_configurations = self._load_custom_attribute_configurations
        self._results = ClientSource(self._client, lambda: self.schemas, self._result_group)
        self._event_hub: Optional[EventHub] = None
        self._event_hub_settings = (dict(headers or {}), verify)
        self._components: Optional[Components] = None
        if auto_connect_event_hub:
            self.event_hub.connect()

    # -- lifecycle -----------------------------------------------------------------
    def __repr__(self) -> str:
        return f"<Session server_url={self.server_url!r} api_user={self.api_user!r}>"

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def close(self) -> None:
        """Close the HTTP connection pool. The session cannot be used afterwards
        (:class:`~ftrack_orm.errors.SessionClosedError`). Pending changes are not sent:
        a ``ResourceWarning`` says how many entities had some."""
        if not self.closed:
            warn_pending(self._identity, "closed", stacklevel=3)
        if self._event_hub is not None:
            self._event_hub.close()
        if self._components is not None:
            self._components.close()
        self._client.close()

    def __del__(self) -> None:
        if not getattr(self, "_client", None) or self.closed:
            return
        warn_pending(self._identity, "garbage-collected without close()", stacklevel=2)

    @property
    def closed(self) -> bool:
        """True once :meth:`close` was called."""
        return self._client.closed

    @property
    def event_hub(self) -> EventHub:
        """The session's :class:`~ftrack_orm.events.EventHub` (created on first use, connected by
        ``auto_connect_event_hub=True`` or its ``connect()``); ``event_hub_options`` are its options."""
        if self._event_hub is None:
            headers, verify = self._event_hub_settings
            client = self._client
            from .events.hub import EventHub
            self._event_hub = EventHub(client.server_url, client.api_user, client.api_key,
                                       client_token=client.client_token, headers=headers, verify=verify,
                                       **self.event_hub_options)
        return self._event_hub

    @property
    def api_key(self) -> str:
        """The API key (never shown in reprs or logs)."""
        return self._client.api_key

    @property
    def transport(self) -> Transport:
        """The HTTP transport (see :mod:`ftrack_orm.transport`)."""
        return self._client.transport

    @property
    def client(self) -> WireClient:
        """The wire client: batches of operations in, decoded results out."""
        return self._client

    # -- the wire --------------------------------------------------------------------
    def call(self, operations: Sequence[Mapping[str, Any]]) -> List[Any]:
        """Send ``operations`` as ONE batch and return the decoded results, in order.

        Entities in the answer come back as entity objects from the identity map.
        Raises a :class:`~ftrack_orm.errors.ServerError` subclass naming the server's
        exception, and the failing operation when the server tells which.
        """
        return self._client.call(list(operations), self._entity_hook())

    def _entity_hook(self) -> codec.EntityHook:
        if self._identity is not None:
            return self._identity.merge

        def first_entity(payload: Dict[str, Any]) -> Any:
            # The first entity of an answer loads the schemas (the identity map needs them).
            if self._identity is None:
                self._load_schemas()
            assert self._identity is not None
            return self._identity.merge(payload)

        return first_entity

    # -- schemas -------------------------------------------------------------------
    @property
    def schemas(self) -> SchemaRegistry:
        """Every entity schema of the server (loaded on first use)."""
        if self._schemas is None:
            self._load_schemas()
        assert self._schemas is not None
        return self._schemas

    @property
    def server_information(self) -> Dict[str, Any]:
        """The server's ``query_server_information`` answer (loaded with the schemas)."""
        if self._server_information is None:
            self._load_schemas()
        assert self._server_information is not None
        return self._server_information

    def get_schema(self, entity_type: str) -> Optional[Dict[str, Any]]:
        """The raw schema dict of ``entity_type``, or ``None`` if the server has none."""
        schema = self.schemas.get(entity_type)
        return dict(schema.raw) if schema is not None else None

    def _load_schemas(self) -> None:
        with self._schema_lock:
            if self._schemas is None:
                run(self.schema_steps(), self._client.call)

    def schema_steps(self) -> Steps[None]:
        """Load the server information and the schemas (from the cache when its hash matches),
        then build the identity map: one call on a cold start. As :mod:`~ftrack_orm.steps`,
        for drivers (the asyncio session); the caller makes sure it runs once."""
        from .discovery import schema_steps
        self._server_information, registry = yield from schema_steps(self._schema_cache)
        self._identity = self._new_identity_map(registry)
        self._schemas = registry

    def _new_identity_map(self, registry: SchemaRegistry) -> IdentityMap:
        from . import helpers  # noqa: F401 - registers the entity helper mixins before classes are built
        from .entity.identity import IdentityMap
        from .loader import SessionLoader
        loader = SessionLoader(self._client.call, registry, self._result_group)
        identity = IdentityMap(registry, loader=loader, auto_populate=self._auto_populate,
                               custom_attribute_configurations=self._custom_attribute_configurations,
                               mixins=self._mixins)
        if self._id_factory is not None:
            identity.id_factory = self._id_factory
        identity.session = self
        return identity

    # -- the object mapper ------------------------------------------------------------
    @property
    def identity_map(self) -> IdentityMap:
        """The session's entities: one object per (type, primary key)."""
        if self._identity is None:
            self._load_schemas()
        assert self._identity is not None
        return self._identity

    @property
    def types(self) -> TypeRegistry:
        """Entity classes by schema name: ``session.types["Task"]`` (also ``session.Task``)."""
        return self.identity_map.types

    def __getattr__(self, name: str) -> Any:
        # Only reached for names the Session does not have: entity types (session.Task).
        if name[:1].isupper():
            return self.types[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __dir__(self) -> List[str]:
        # Completion offers the entity types (session.Ta<TAB>): loads the schemas if need be;
        # an unreachable server only leaves them out.
        names = set(super().__dir__())
        if not self.closed:
            with contextlib.suppress(FtrackOrmError):
                names.update(name for name in self.schemas if name.isidentifier())
        return sorted(names)

    @property
    def auto_populate(self) -> bool:
        """Whether reading an unloaded attribute fetches it (else ``NotLoadedError``)."""
        return self.identity_map.auto_populate

    @auto_populate.setter
    def auto_populate(self, enabled: bool) -> None:
        self.identity_map.auto_populate = enabled

    def auto_populating(self, enabled: bool) -> Any:
        """Context manager switching lazy loading on or off in this thread."""
        return self.identity_map.auto_populating(enabled)

    def populate(self, entities: Any, projections: Union[str, Sequence[str]]) -> None:
        """Load dotted ``projections`` (``"name, parent.name"``) for all ``entities`` at once."""
        if not isinstance(entities, (list, tuple)):
            from .entity.base import Entity
            entities = [entities] if isinstance(entities, Entity) else list(iter(entities))
        self.identity_map.populate(entities, projections)

    @overload
    def query(self, expression: Type[E], page_size: int = ..., progress: Any = ...) -> QueryResult[E]: ...
    @overload
    def query(self, expression: Any, page_size: int = ..., progress: Any = ...) -> QueryResult[Any]: ...

    def query(self, expression: Any, page_size: int = DEFAULT_PAGE_SIZE, progress: Any = None) -> QueryResult[Any]:
        """A lazy :class:`QueryResult` from an expression string or an entity class/type name.

        An expression is parsed and checked against the schemas before anything is
        sent: an unknown type or attribute raises ``QueryValidationError`` at once.
        ``progress``: ``callback(rows_so_far, total_or_None)`` called per page, or
        ``True`` for a tqdm bar (see :meth:`QueryResult.with_progress`).
        """
        from .lookup import query_tree
        from .results import QueryResult
        return QueryResult(self._results, query_tree(expression, self.schemas), page_size).with_progress(progress)

    def aggregate(self, expression: str) -> List[Dict[str, Any]]:
        """Rows of an aggregate query (``select count(id) from Task group by status_id``).

        Checked against the schemas before anything is sent. Each row is a dict with
        each group-by path (``"status_id"``) and ``"<function>_<path>"`` per aggregate
        (``"count_id"``), as ftrack names them.
        """
        from .aggregates import aggregate_steps
        return run(aggregate_steps(expression, self.schemas), self._client.call)

    def _result_group(self) -> ResultGroup:
        from .entity.loading import ResultGroup
        return ResultGroup(self.identity_map)

    def entity_key(self, entity_type: str, key: Key) -> List[Any]:
        """Primary-key values of ``entity_type`` in ``primary_key`` order.

        ``key`` is a value (single-key types), a sequence, or a mapping of key names.
        """
        from .lookup import entity_key
        return entity_key(self.schemas, entity_type, key)

    def _entity(self, entity_type: str, key: Key) -> Entity:
        """The entity of that key from the identity map, or a reference-only one."""
        from .lookup import reference
        return reference(self.identity_map, entity_type, key)

    def get(self, entity_type: str, key: Key) -> Optional[Entity]:
        """The entity of ``entity_type`` with primary key ``key``: from the identity map
        when it is there (no request), else ONE query (its default projections); ``None``
        when the server has none."""
        return run(self.get_steps(entity_type, key), self._client.call)

    def get_steps(self, entity_type: str, key: Key) -> Steps[Optional[Entity]]:
        """:meth:`get` as :mod:`~ftrack_orm.steps` (for drivers such as the asyncio session)."""
        from .lookup import get_steps
        return get_steps(self.identity_map, self.query, entity_type, key)

    def reset(self) -> None:
        """Start over as a new session on the same connection and schemas: pending
        changes are discarded (a ``ResourceWarning`` says how many) and the identity map
        is emptied. Entities from before belong to no session any more: do not use them."""
        if self._identity is None:
            return
        warn_pending(self._identity, "reset", stacklevel=3)
        self._identity.rollback()
        self._identity = self._new_identity_map(self.schemas)
        self._uow = None

    def create(self, entity_type: str, data: Optional[Mapping[str, Any]] = None) -> Entity:
        """A new entity, pending until :meth:`commit` (its primary key is already set)."""
        identity = self._identity  # not ``or``: the truth of a map is its (costly) length
        if identity is None:
            identity = self.identity_map
        return identity.create(entity_type, dict(data or {}))

    def update(self, entity_type: str, keys: Key, data: Mapping[str, Any]) -> Entity:
        """Record an update of the entity with primary key ``keys``; sent by :meth:`commit`.

        All of ``data`` is recorded, or none of it (every value is checked first)."""
        entity = self._entity(entity_type, keys)
        from .entity.attributes import assign
        assign(entity, data)
        return entity

    def delete(self, entity_or_type: Any, keys: Optional[Key] = None) -> None:
        """Record the deletion of an entity (or of ``type`` with ``keys``); sent by :meth:`commit`."""
        entity = entity_or_type if keys is None else self._entity(entity_or_type, keys)
        from .entity.base import Entity
        if not isinstance(entity, Entity):
            raise TypeError("delete() takes an entity, or an entity type and its primary key.")
        self.identity_map.mark_deleted(entity)

    def ensure(self, entity_type: str, data: Mapping[str, Any], identifying_keys: Optional[Sequence[str]] = None) -> Entity:
        """The entity matching ``data`` on ``identifying_keys`` (default: all keys of ``data``).

        None found: one is created; one found: its differing values are updated;
        several: ``MultipleResultsFoundError``. Like both official clients, it commits
        (everything pending) at once; inside :meth:`transaction` it joins the transaction.
        """
        entity = run(self.ensure_steps(entity_type, data, identifying_keys), self._client.call)
        if self._transaction_depth == 0:
            self.commit()
        return entity

    def ensure_steps(self, entity_type: str, data: Mapping[str, Any],
                     identifying_keys: Optional[Sequence[str]] = None) -> Steps[Entity]:
        """:meth:`ensure` as :mod:`~ftrack_orm.steps`, without its commit (the driver commits)."""
        from .lookup import ensure_steps
        return ensure_steps(self.identity_map, self.query, self.create, entity_type, data, identifying_keys)

    def _load_custom_attribute_configurations(self) -> List[Dict[str, Any]]:
        # read once, on first use of custom_attributes
        return run(self.custom_attribute_configuration_steps(), self._client.call)

    @staticmethod
    def custom_attribute_configuration_steps() -> Steps[List[Dict[str, Any]]]:
        """The server's custom attribute configurations as plain dicts (no identity map), as steps."""
        from .discovery import custom_attribute_configuration_steps
        return custom_attribute_configuration_steps()

    @property
    def unit_of_work(self) -> UnitOfWork:
        if self._uow is None:
            from .uow import UnitOfWork
            self._uow = UnitOfWork(self._client, self.identity_map)
        return self._uow

    def commit(self, chunk_size: Optional[int] = None,
               progress: Optional[Callable[[int, int], None]] = None) -> CommitResult:
        """Send every pending change as ONE call (see :class:`~ftrack_orm.uow.UnitOfWork`).

        ``progress``: ``callback(operations_sent, operations_total)`` for big commits."""
        from .uow import CommitResult
        if self._identity is None:
            return CommitResult()
        if self._components is not None and self._components.publisher.has_pending:
            return self._components.publisher.commit(lambda: self.unit_of_work.commit(chunk_size, progress))
        return self.unit_of_work.commit(chunk_size, progress)

    def reconcile(self) -> Reconciliation:
        """Ask the server which pending creates already exist and which pending deletes are
        already applied (after an unknown outcome), and settle those; nothing else is sent.
        ``commit()`` does this by itself after an unknown outcome. Returns what it settled."""
        from .reconcile import Reconciliation
        if self._identity is None:
            return Reconciliation()
        return self.unit_of_work.reconcile()

    def rollback(self) -> None:
        """Discard pending work: changed entities revert, new ones are detached."""
        if self._identity is not None:
            self._identity.rollback()
        if self._components is not None:
            self._components.publisher.discard()

    def expunge(self, entity: Entity, force: bool = False) -> None:
        """Remove ``entity`` from the session (it becomes detached). An entity with pending
        work (new, dirty, deleted) is refused with ``PendingWorkError`` unless ``force=True``."""
        self.identity_map.expunge(entity, force)

    def expunge_all(self, force: bool = False) -> None:
        """Forget every entity of the session (``identity_map.clear``). Refused with
        ``PendingWorkError`` (naming how many entities have pending work) unless
        nothing is pending or ``force=True`` (then the pending ones are detached)."""
        if self._identity is not None:
            self._identity.clear(force)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Session]:
        """Commit when the outermost block succeeds; when a block raises, undo only what
        it recorded (a savepoint) and re-raise.

        Work pending before the block stays pending and intact; a nested block is a
        savepoint inside its outer one. The outermost block commits everything pending
        (see :mod:`ftrack_orm.entity.savepoint`).
        """
        savepoint = self._identity.lifecycle.savepoint() if self._identity is not None else None
        self._transaction_depth += 1
        try:
            yield self
        except BaseException:
            self._transaction_depth -= 1
            if savepoint is not None:
                savepoint.rollback()
            else:  # no entity existed before the block: all pending work is the block's
                self.rollback()
            raise
        self._transaction_depth -= 1
        if savepoint is not None:
            savepoint.release()
        if self._transaction_depth == 0:
            self.commit()

    # -- server-side helpers (see ftrack_orm.server_actions) ---------------------------------
    def _run_action(self, steps: Steps[T]) -> T:
        return run(steps, lambda batch, hook: self.call(batch))

    def _server_version(self) -> Any:
        return self.server_information.get("version")

    def get_widget_url(self, name: str, entity: Optional[Entity] = None, theme: Optional[str] = None) -> str:
        """An authenticated URL of widget ``name`` (``info``, ``tasks``, ``tasks_browser``)."""
        from . import server_actions
        return self._run_action(server_actions.get_widget_url(self._server_version, name, entity, theme))

    def send_user_invite(self, user: Entity) -> None:
        """Send ``user`` an invitation email."""
        from . import server_actions
        self._run_action(server_actions.send_user_invites(self._server_version, [user]))

    def send_user_invites(self, users: Sequence[Entity]) -> None:
        """Send each of ``users`` an invitation email (one request)."""
        from . import server_actions
        self._run_action(server_actions.send_user_invites(self._server_version, users))

    def reset_remote(self, reset_type: str, entity: Optional[Entity] = None) -> Any:
        """A server-side reset (``"api_key"`` of a ``User``...); the server's ``data``."""
        from . import server_actions
        return self._run_action(server_actions.reset_remote(self._server_version, reset_type, entity))

    def delayed_job(self, job_type: Any) -> Any:
        """Start a server-side job (``"SYNC_USERS_LDAP"``); the ``Job`` entity."""
        from . import server_actions
        return self._run_action(server_actions.delayed_job(self._server_version, job_type))

    def check_server_compatibility(self) -> None:
        """Raise ``ServerCompatibilityError`` when the server is too old for the API."""
        from . import server_actions
        server_actions.check_server_compatibility(self.server_information)

    def get_component_url(self, component_id: Optional[str]) -> Optional[str]:
        """Download URL of a component (no request is made). It carries the API key: never log it."""
        if not component_id:
            return None
        return self._client.component_url("component/get", {"id": component_id})

    def thumbnail_url(self, component_id: Optional[str], size: int = 300) -> str:
        """Thumbnail URL of a component, or the server's default image when there is none."""
        if not component_id:
            return f"{self.server_url}/img/thumbnail2.png"
        return self._client.component_url("component/thumbnail", {"id": component_id, "size": size})

    # -- components (see ftrack_orm.components) -----------------------------------------------
    @property
    def components(self) -> Components:
        """The component API: publishing, locations, transfers (created on first use)."""
        if self._components is None:
            from .components import Components
            self._components = Components(self, verify=self._event_hub_settings[1])
        return self._components

    def create_component(self, path: Any, data: Optional[Mapping[str, Any]] = None, location: Any = "auto",
                         progress: Any = None) -> Entity:
        """Record a component for a file, an image sequence (``shot.%04d.exr [1001-1100]`` or a list of
        frames) or several files, in ``location``; its data moves when :meth:`commit` runs (see
        :mod:`ftrack_orm.components.publish`)."""
        return self.components.create_component(path, data, location, progress)

    def download(self, component: Entity, path: str, progress: Any = None) -> str:
        """Fetch ``component``'s bytes to ``path`` (streamed to a temporary file, then renamed)."""
        return self.components.download(component, path, progress)

    def download_many(self, targets: Sequence[Any], progress: Any = None) -> List[str]:
        """:meth:`download` for many ``(component, path)`` pairs: one request, files in parallel."""
        return self.components.download_many(targets, progress)

    def pick_location(self, component: Optional[Entity] = None) -> Any:
        """The preferred location holding ``component`` (``None``: none known here); without a
        component, the preferred location (the official client's rules)."""
        return self.components.pick_location(component)

    def get_component_availability(self, components: Sequence[Entity]) -> List[Dict[str, float]]:
        """``{location_id: percent}`` for each component, in ONE request."""
        return self.components.get_component_availability(components)

    def create_thumbnail(self, entity: Entity, path: str, data: Optional[Mapping[str, Any]] = None) -> Entity:
        """Record a thumbnail component for ``entity`` (uploaded and set by the next :meth:`commit`)."""
        return self.components.create_thumbnail(entity, path, data)

    def encode_media(self, media: Any, version: Optional[Entity] = None, keep_original: Any = "auto") -> Entity:
        """Ask the server for a review encode of ``media`` (a path or a component); returns the ``Job``."""
        return self.components.encode_media(media, version, keep_original)
