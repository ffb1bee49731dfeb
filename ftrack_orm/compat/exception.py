"""The official client's exception names (``ftrack_api.exception``) as ftrack_orm's classes."""
from __future__ import annotations

import builtins

from ..entity.mixins import MixinConflictError
from ..entity.state import DetachedEntityError, NotLoadedError
from ..errors import (
    FtrackOrmError,
    InvalidCredentialsError,
    NotUniqueError,
    ServerCompatibilityError,
    ServerError,
    ServerPermissionDeniedError,
    SessionClosedError,
)
from ..events.errors import EventHubConnectionError, EventHubError
from ..query.lexer import QueryParseError
from ..results import MultipleResultsFoundError, NoResultFoundError
from ..schema import UnknownEntityTypeError

#: The root of every error (``except ftrack_api.exception.Error``).
Error = FtrackOrmError
AuthenticationError = InvalidCredentialsError
PermissionDeniedError = ServerPermissionDeniedError
IncorrectResultError = (NoResultFoundError, MultipleResultsFoundError)
EntityTypeError = UnknownEntityTypeError
UnrecognisedEntityTypeError = UnknownEntityTypeError
ParseError = QueryParseError
InvalidStateError = DetachedEntityError
ConnectionClosedError = SessionClosedError
PluginError = MixinConflictError

__all__ = [
    "AuthenticationError", "ConnectionClosedError", "EntityTypeError", "Error", "EventHubConnectionError",
    "EventHubError", "ImmutableAttributeError", "IncorrectResultError", "InvalidStateError", "MultipleResultsFoundError",
    "NoResultFoundError", "NotLoadedError", "NotUniqueError", "ParseError", "PermissionDeniedError",
    "PluginError", "ServerCompatibilityError", "ServerError", "UnrecognisedEntityTypeError",
]

#: ftrack_orm refuses an assignment to an immutable attribute with the built-in error.
ImmutableAttributeError = builtins.AttributeError
