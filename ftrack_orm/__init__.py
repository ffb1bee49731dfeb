"""ftrack_orm: a fast, safe, ORM-style object mapper for the ftrack API.

The public names below are imported on first use (PEP 562), so that importing a
part such as ``ftrack_orm.sandbox`` or ``ftrack_orm.query`` does not load the
session, the wire client or ``requests``.
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, Dict, List

__version__ = "0.1.0"

#: Public name -> the module (in this package) that defines it.
_EXPORTS: Dict[str, str] = {
    "ConfigurationError": "errors",
    "FtrackOrmError": "errors",
    "InvalidCredentialsError": "errors",
    "MalformedResponseError": "errors",
    "OutcomeUnknownError": "errors",
    "ServerConnectionError": "errors",
    "ServerError": "errors",
    "ServerPermissionDeniedError": "errors",
    "ServerValidationError": "errors",
    "MultipleResultsFoundError": "results",
    "NoResultFoundError": "results",
    "QueryResult": "results",
    "RequestsTransport": "transport",
    "RetryPolicy": "transport",
    "Session": "session",
    "WireClient": "client",
    "EntityView": "entity.inspection",
    "inspect": "entity.inspection",
    "MixinConflictError": "entity.mixins",
    "PendingWorkError": "entity.release",
    "register_mixin": "entity.mixins",
    "unregister_mixin": "entity.mixins",
    "SessionClosedError": "errors",
    "NotUniqueError": "errors",
    "PartialCommitError": "errors",
    "MalformedWriteResponseError": "errors",
    "QueryError": "query.lexer",
    "QueryParseError": "query.lexer",
    "QueryValidationError": "query.lexer",
    "UnknownEntityTypeError": "schema",
    "ReferenceCycleError": "plan",
    "NotLoadedError": "entity.state",
    "DetachedEntityError": "entity.state",
    "DeletedEntityError": "entity.state",
    "EventHubError": "events.errors",
    "EventHubConnectionError": "events.errors",
    "ServerCompatibilityError": "errors",
    "UnknownTypeError": "query.paths",
    "UnknownAttributeError": "query.paths",
    "QueryTypeError": "query.paths",
    "WebSocketError": "events.websocket",
    "ExpressionError": "events.expression",
    "PartialCommitOutcomeUnknownError": "errors",
    "TransferError": "components.transfer",
    "WouldBlockError": "errors",
    "AsyncSession": "aio.session",
    "LocationError": "components.locations",
}

__all__ = [
    "AsyncSession",
    "ConfigurationError",
    "DeletedEntityError",
    "DetachedEntityError",
    "EntityView",
    "EventHubConnectionError",
    "EventHubError",
    "ExpressionError",
    "FtrackOrmError",
    "InvalidCredentialsError",
    "LocationError",
    "MalformedResponseError",
    "MalformedWriteResponseError",
    "MixinConflictError",
    "MultipleResultsFoundError",
    "NoResultFoundError",
    "NotLoadedError",
    "NotUniqueError",
    "OutcomeUnknownError",
    "PartialCommitError",
    "PartialCommitOutcomeUnknownError",
    "PendingWorkError",
    "QueryError",
    "QueryParseError",
    "QueryResult",
    "QueryTypeError",
    "QueryValidationError",
    "ReferenceCycleError",
    "RequestsTransport",
    "RetryPolicy",
    "ServerCompatibilityError",
    "ServerConnectionError",
    "ServerError",
    "ServerPermissionDeniedError",
    "ServerValidationError",
    "Session",
    "SessionClosedError",
    "TransferError",
    "UnknownAttributeError",
    "UnknownEntityTypeError",
    "UnknownTypeError",
    "WebSocketError",
    "WireClient",
    "WouldBlockError",
    "inspect",
    "register_mixin",
    "unregister_mixin",
]

if TYPE_CHECKING:  # pragma: no cover - what type checkers and IDEs see
    from .aio.session import AsyncSession
    from .client import WireClient
    from .components.locations import LocationError
    from .components.transfer import TransferError
    from .entity.inspection import EntityView, inspect
    from .entity.mixins import MixinConflictError, register_mixin, unregister_mixin
    from .entity.release import PendingWorkError
    from .entity.state import DeletedEntityError, DetachedEntityError, NotLoadedError
    from .errors import (
        ConfigurationError,
        FtrackOrmError,
        InvalidCredentialsError,
        MalformedResponseError,
        MalformedWriteResponseError,
        NotUniqueError,
        OutcomeUnknownError,
        PartialCommitError,
        PartialCommitOutcomeUnknownError,
        ServerCompatibilityError,
        ServerConnectionError,
        ServerError,
        ServerPermissionDeniedError,
        ServerValidationError,
        SessionClosedError,
        WouldBlockError,
    )
    from .events.errors import EventHubConnectionError, EventHubError
    from .events.expression import ExpressionError
    from .events.websocket import WebSocketError
    from .plan import ReferenceCycleError
    from .query.lexer import QueryError, QueryParseError, QueryValidationError
    from .query.paths import QueryTypeError, UnknownAttributeError, UnknownTypeError
    from .results import MultipleResultsFoundError, NoResultFoundError, QueryResult
    from .schema import UnknownEntityTypeError
    from .session import Session
    from .transport import RequestsTransport, RetryPolicy


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> List[str]:
    return sorted(set(globals()) | set(__all__))
