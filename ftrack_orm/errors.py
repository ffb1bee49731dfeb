"""The error classes of ftrack_orm, and the table mapping server exception names to them.

Every error a server call can raise derives from :class:`ServerError` and carries
what the server said: its exception name, content, ``error_code``, the HTTP status
and, when the server tells, the index of the failing operation in the batch.
"""
from __future__ import annotations

from typing import Any, Dict, Mapping, Optional, Sequence, Type


class FtrackOrmError(Exception):
    """Root of every error raised by ftrack_orm itself."""


class ConfigurationError(FtrackOrmError, ValueError):
    """A Session was created without something it needs (server URL, user, key)."""


class SessionClosedError(FtrackOrmError, RuntimeError):
    """The session was closed (``close()`` or its ``with`` block ended): nothing is sent."""


class WouldBlockError(FtrackOrmError, RuntimeError):
    """An :class:`~ftrack_orm.aio.AsyncSession` was asked for something that needs a
    blocking request (it would stall the event loop): use its awaitable API instead."""


class ServerCompatibilityError(FtrackOrmError):
    """The server is too old (or unknown) for what was asked."""


class NotUniqueError(FtrackOrmError, ValueError):
    """Something that must be unique already exists (e.g. a running timer of a user)."""


class ServerError(FtrackOrmError):
    """The server answered an error, or could not be reached or understood."""

    def __init__(
        self,
        content: str,
        *,
        exception_name: Optional[str] = None,
        error_code: Optional[str] = None,
        status_code: Optional[int] = None,
        operation_index: Optional[int] = None,
        operation: Optional[Mapping[str, Any]] = None,
        cause: Optional[BaseException] = None,
        entity: Any = None,
    ) -> None:
        super().__init__(content)
        self.content = content
        self.exception_name = exception_name
        self.error_code = error_code
        self.status_code = status_code
        self.operation_index = operation_index
        self.operation = operation
        self.cause = cause
        #: The entity whose operation failed, when known (set by the unit of work).
        self.entity = entity

    def __str__(self) -> str:
        text = self.content
        if self.exception_name:
            text = f"{self.exception_name}: {text}"
        if self.operation_index is not None:
            text += f" (operation {self.operation_index}"
            described = repr(self.entity) if self.entity is not None else _describe_operation(self.operation)
            text += f": {described})" if described else ")"
        return text


class ServerValidationError(ServerError):
    """The server refused the batch as invalid (``ValidationError``, ``ParseError``)."""


class ServerPermissionDeniedError(ServerError, PermissionError):
    """The user may not do this (``PermissionError``, ``FTAuthenticationError``)."""


class InvalidCredentialsError(ServerPermissionDeniedError):
    """The user name or API key was not accepted.

    ``server_url`` and ``api_user`` say what was tried (set by the wire client); the
    message adds them and a hint for code migrated from ftrack-python-api, whose
    ``Session`` takes ``(server_url, api_key, api_user)``: the key never appears.
    """

    server_url: Optional[str] = None
    api_user: Optional[str] = None

    def __str__(self) -> str:
        text = super().__str__()
        if self.server_url is None:
            return text
        return (f"{text} (server {self.server_url}, user {self.api_user!r}). Migrating from "
                "ftrack-python-api? Its Session takes (server_url, api_key, api_user); ftrack_orm's "
                "Session takes (server_url, api_user, api_key), and ftrack_orm.compat.Session "
                "takes the official order.")


class PartialCommitError(ServerError):
    """A commit split into several calls failed after some of them landed.

    ``landed`` counts the calls applied on the server, ``total`` all calls;
    ``error`` is the failure. Entities (and operations) by outcome:
    ``landed_entities`` are clean; ``unknown_entities`` had changes in the failed
    call whose outcome is unknown (then this is also an :class:`OutcomeUnknownError`);
    ``unsent_entities`` had changes that were not applied. All but the landed ones
    stay pending, and the next commit first asks the server what landed.
    """

    def __init__(self, content: str, *, landed: int, total: int, error: ServerError,
                 entities: Sequence[Sequence[Any]] = ((), (), ()), operations: Sequence[int] = (0, 0, 0)) -> None:
        super().__init__(content, exception_name=error.exception_name, error_code=error.error_code,
                         status_code=error.status_code, operation_index=error.operation_index,
                         operation=error.operation, cause=error, entity=error.entity)
        self.landed = landed
        self.total = total
        self.error = error
        self.landed_entities, self.unknown_entities, self.unsent_entities = (tuple(e) for e in entities)
        self.landed_operations, self.unknown_operations, self.unsent_operations = operations


class MalformedResponseError(ServerError):
    """The server answered something that is not a valid API response."""


class ServerConnectionError(ServerError):
    """The request failed on the network (connection refused, timeout, dropped)."""


class OutcomeUnknownError(ServerConnectionError):
    """A batch that writes failed in flight: it may or may not have been applied.

    Such a batch is never re-sent blindly: the next ``commit()`` first asks the server
    what landed (see :mod:`ftrack_orm.reconcile`; ``session.reconcile()`` on demand).
    """


class PartialCommitOutcomeUnknownError(PartialCommitError, OutcomeUnknownError):
    """A chunked commit whose last call failed with an unknown outcome (see both bases)."""


class MalformedWriteResponseError(MalformedResponseError, OutcomeUnknownError):
    """A batch that writes got an answer that does not fit it (wrong shape, entity or
    key): it may or may not have been applied, and nothing local was marked committed."""


#: Server exception name -> error class.
EXCEPTION_CLASSES: Dict[str, Type[ServerError]] = {
    "ValidationError": ServerValidationError,
    "ParseError": ServerValidationError,
    "PermissionError": ServerPermissionDeniedError,
    "FTAuthenticationError": ServerPermissionDeniedError,
    "InvalidCredentialsError": InvalidCredentialsError,
}


def error_from_payload(
    payload: Mapping[str, Any],
    *,
    status_code: Optional[int] = None,
    operations: Optional[Sequence[Mapping[str, Any]]] = None,
) -> ServerError:
    """Build the right :class:`ServerError` from an ``{"exception", "content"}`` object."""
    name = payload.get("exception")
    content = payload.get("content")
    if not isinstance(content, str):
        content = str(content) if content is not None else str(name or "Unknown server error")
    error_code = payload.get("error_code")
    if error_code == "api_credentials_invalid":
        cls: Type[ServerError] = InvalidCredentialsError
    else:
        cls = EXCEPTION_CLASSES.get(str(name), ServerError)
    index = payload.get("operation_index")
    index = index if isinstance(index, int) and not isinstance(index, bool) else None
    operation = None
    if index is not None and operations is not None and 0 <= index < len(operations):
        operation = operations[index]
    return cls(
        content,
        exception_name=name,
        error_code=error_code,
        status_code=status_code,
        operation_index=index,
        operation=operation,
    )


def _describe_operation(operation: Optional[Mapping[str, Any]]) -> str:
    if not operation:
        return ""
    action = operation.get("action", "?")
    entity_type = operation.get("entity_type")
    if entity_type is None:
        return str(action)
    key = operation.get("entity_key")
    if key is None:
        data = operation.get("entity_data") or {}
        key = data.get("id")
    return f"{action} {entity_type} {key}" if key is not None else f"{action} {entity_type}"
