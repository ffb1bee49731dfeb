"""ftrack_orm: a fast, safe, ORM-style object mapper for the ftrack API."""
from .errors import (
    ConfigurationError,
    FtrackOrmError,
    InvalidCredentialsError,
    MalformedResponseError,
    OutcomeUnknownError,
    ServerConnectionError,
    ServerError,
    ServerPermissionDeniedError,
    ServerValidationError,
)
from .entity.inspection import EntityView, inspect
from .entity.mixins import MixinConflictError, register_mixin, unregister_mixin
from .session import Session
from .transport import RequestsTransport, RetryPolicy

__version__ = "0.1.0"

__all__ = [
    "ConfigurationError",
    "EntityView",
    "FtrackOrmError",
    "InvalidCredentialsError",
    "MalformedResponseError",
    "MixinConflictError",
    "OutcomeUnknownError",
    "RequestsTransport",
    "RetryPolicy",
    "ServerConnectionError",
    "ServerError",
    "ServerPermissionDeniedError",
    "ServerValidationError",
    "Session",
    "inspect",
    "register_mixin",
    "unregister_mixin",
]
