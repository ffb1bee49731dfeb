"""The public :class:`Session`: configuration, wiring of the parts, and the seed API.

The session itself does little: it builds the headers, hands batches to the
transport, decodes answers through the codec, and loads schemas at first need.
"""
from __future__ import annotations

import logging
import os
import threading
import time
import urllib.parse
import uuid
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from . import codec
from . import operations as ops
from .query import Query, check, parse
from .query.builder import type_name
from .query.result import DEFAULT_PAGE_SIZE, QueryResult
from .errors import ConfigurationError, MalformedResponseError, ServerError, error_from_payload
from .schema import SchemaRegistry
from .schema_cache import SchemaCache
from .transport import RequestsTransport, RetryPolicy, Timeout, Transport

logger = logging.getLogger(__name__)

_DEFAULT = object()

Key = Union[str, int, Sequence[Any], Mapping[str, Any]]


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
    HTTP connection pool.
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
    ) -> None:
        if auto_connect_event_hub:
            raise NotImplementedError(
                "The event hub is not implemented yet in ftrack_orm; create the Session with "
                "auto_connect_event_hub=False (the default)."
            )
        self.server_url = _setting(server_url, "server_url", "FTRACK_SERVER").rstrip("/")
        self.api_user = _setting(api_user, "api_user", "FTRACK_API_USER")
        self.__api_key = _setting(api_key, "api_key", "FTRACK_API_KEY")
        self.client_token = client_token or f"ftrack-orm--{uuid.uuid4()}"
        self.strict_api = strict_api
        self.event_hub_options = dict(event_hub_options or {})
        self._api_url = f"{self.server_url}/api"
        self._headers = {
            "ftrack-user": self.api_user,
            "ftrack-api-key": self.__api_key,
            "ftrack-clienttoken": self.client_token,
            "Content-Type": "application/json",
            "Accept": "application/json",
        }
        if strict_api:
            self._headers["ftrack-strict-api"] = "true"
        self._headers.update(headers or {})
        self._transport: Transport = transport or RequestsTransport(timeout=timeout, retry=retry, verify=verify)
        if schema_cache is _DEFAULT or schema_cache is True:
            schema_cache = SchemaCache()
        elif isinstance(schema_cache, (str, os.PathLike)):
            schema_cache = SchemaCache(schema_cache)
        self._schema_cache: Optional[SchemaCache] = schema_cache or None
        self._schemas: Optional[SchemaRegistry] = None
        self._server_information: Optional[Dict[str, Any]] = None
        self._schema_lock = threading.Lock()
        self.closed = False

    # -- lifecycle -----------------------------------------------------------------
    def __repr__(self) -> str:
        return f"<Session server_url={self.server_url!r} api_user={self.api_user!r}>"

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def close(self) -> None:
        """Close the HTTP connection pool. The session cannot be used afterwards."""
        if not self.closed:
            self.closed = True
            self._transport.close()

    @property
    def api_key(self) -> str:
        """The API key (never shown in reprs or logs)."""
        return self.__api_key

    @property
    def transport(self) -> Transport:
        return self._transport

    # -- the wire --------------------------------------------------------------------
    def call(self, operations: Sequence[Mapping[str, Any]]) -> List[Any]:
        """Send ``operations`` as ONE batch and return the decoded results, in order.

        Raises a :class:`~ftrack_orm.errors.ServerError` subclass naming the server's
        exception, and the failing operation when the server tells which.
        """
        if self.closed:
            raise ServerError("This session is closed.")
        batch = list(operations)
        if not batch:
            return []
        body = codec.encode(batch)
        started = time.perf_counter()
        response = self._transport.post(self._api_url, body, self._headers, read_only=ops.is_read_only(batch))
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "call %s: %d operation(s) %s, %d bytes sent, HTTP %d, %d bytes received, %.1f ms",
                self._api_url, len(batch), sorted({str(op.get("action")) for op in batch}),
                len(body), response.status_code, len(response.content), (time.perf_counter() - started) * 1000,
            )
        return self._decode(response.status_code, response.content, batch)

    def _entity_hook(self) -> codec.EntityHook:
        registry = self._schemas
        if registry is None:
            return codec.PayloadMerger()
        return codec.PayloadMerger(lambda name: registry[name].primary_key if name in registry else ("id",))

    def _decode(self, status: int, content: bytes, batch: List[Mapping[str, Any]]) -> List[Any]:
        try:
            payload = codec.decode(content, self._entity_hook())
        except ValueError as exc:
            snippet = content[:200].decode("utf-8", "replace")
            raise MalformedResponseError(
                f"The server answered HTTP {status} with a body that is not JSON: {snippet!r}",
                status_code=status, cause=exc,
            ) from exc
        if isinstance(payload, dict) and "exception" in payload:
            raise error_from_payload(payload, status_code=status, operations=batch)
        if not isinstance(payload, list) or len(payload) != len(batch) or not 200 <= status < 300:
            raise MalformedResponseError(
                f"The server answered HTTP {status} with {type(payload).__name__} "
                f"where a list of {len(batch)} result(s) was expected.",
                status_code=status,
            )
        return payload

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
            if self._schemas is not None:
                return
            cache = self._schema_cache
            schemas = None
            if cache is not None and cache.has(self.server_url):
                info = self.call([ops.query_server_information()])[0]
                schemas = cache.load(self.server_url, info.get("schema_hash"))
                if schemas is None:
                    schemas = self.call([ops.query_schemas()])[0]
                    cache.store(self.server_url, info.get("schema_hash"), schemas)
            else:
                info, schemas = self.call([ops.query_server_information(), ops.query_schemas()])
                if cache is not None:
                    cache.store(self.server_url, info.get("schema_hash"), schemas)
            self._server_information = info
            self._schemas = SchemaRegistry.from_json(schemas, schema_hash=info.get("schema_hash"))

    # -- seed API ------------------------------------------------------------------
    def entity_key(self, entity_type: str, key: Key) -> List[Any]:
        """Primary-key values of ``entity_type`` in ``primary_key`` order.

        ``key`` is a value (single-key types), a sequence, or a mapping of key names.
        """
        if isinstance(key, Mapping):
            names = self.schemas[entity_type].primary_key
            missing = [name for name in names if name not in key]
            if missing:
                raise ValueError(f"{entity_type} key is missing {', '.join(missing)} (primary key: {', '.join(names)}).")
            return [key[name] for name in names]
        if isinstance(key, (str, int)):
            return [key]
        return list(key)

    def query(self, expression: Any, page_size: int = DEFAULT_PAGE_SIZE) -> QueryResult:
        """A lazy :class:`QueryResult` from an expression string or an entity class/type name.

        An expression is parsed and checked against the schemas before anything is
        sent: an unknown type or attribute raises ``QueryValidationError`` at once.
        """
        if isinstance(expression, str):
            tree = parse(expression)
            check(tree, self.schemas, expression)
        else:
            tree = Query(type_name(expression))
            check(tree, self.schemas)
        return QueryResult(self, tree, page_size)

    def _fetch_page(self, expression: str) -> Tuple[List[Any], Dict[str, Any]]:
        """Send one query; return its rows and metadata."""
        result = self.call([ops.query(expression)])[0]
        return result.get("data") or [], result.get("metadata") or {}

    def create(self, entity_type: str, data: Mapping[str, Any]) -> Any:
        """Create an entity and return the server's answer data."""
        return self.call([ops.create(entity_type, data)])[0]["data"]

    def update(self, entity_type: str, keys: Key, data: Mapping[str, Any]) -> Any:
        """Update an entity and return the server's answer data."""
        return self.call([ops.update(entity_type, self.entity_key(entity_type, keys), data)])[0]["data"]

    def delete(self, entity_type: str, keys: Key) -> bool:
        """Delete an entity; returns the server's answer (``True``)."""
        return self.call([ops.delete(entity_type, self.entity_key(entity_type, keys))])[0]["data"]

    def get_component_url(self, component_id: Optional[str]) -> Optional[str]:
        """Download URL of a component (no request is made). It carries the API key: never log it."""
        if not component_id:
            return None
        return self._component_url("component/get", {"id": component_id})

    def thumbnail_url(self, component_id: Optional[str], size: int = 300) -> str:
        """Thumbnail URL of a component, or the server's default image when there is none."""
        if not component_id:
            return f"{self.server_url}/img/thumbnail2.png"
        return self._component_url("component/thumbnail", {"id": component_id, "size": size})

    def _component_url(self, path: str, params: Dict[str, Any]) -> str:
        params = dict(params, username=self.api_user, apiKey=self.__api_key)
        return f"{self.server_url}/{path}?{urllib.parse.urlencode(params)}"
