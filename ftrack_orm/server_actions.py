"""The session's server-side helpers beyond queries and writes, as the official
ftrack-python-api ``Session`` offers them: widget URLs, user invitations, remote
resets, delayed jobs and the server compatibility check.

Each is :mod:`~ftrack_orm.steps` (it yields the one batch it sends; a session drives it
with its call, entities decoded through its identity map) and reads entities through
:func:`ftrack_orm.inspect`; both sessions delegate here.
A server that does not know an action answers a validation error naming it: that is
raised as :class:`~ftrack_orm.errors.ServerCompatibilityError`, as the official client does.
"""
from __future__ import annotations

import re
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Tuple

from . import operations as ops
from .entity.base import Entity
from .entity.inspection import inspect
from .errors import ServerCompatibilityError, ServerValidationError
from .steps import Call, Steps

#: Oldest server version the API works with (the official client's check).
MIN_SERVER_VERSION: Tuple[int, int, int] = (3, 3, 11)
#: Delayed job types a server knows.
JOB_TYPES = ("SYNC_USERS_LDAP",)


def _send(batch: List[Dict[str, Any]], server_version: Callable[[], Any]) -> Steps[List[Any]]:
    try:
        results: List[Any] = yield Call(batch)
        return results
    except ServerValidationError as error:
        action = batch[0]["action"]
        if re.search(rf"(Invalid|Unknown) action u?'{action}'", error.content):
            raise ServerCompatibilityError(
                f"Server version {server_version()!r} does not support {action!r}: update the server."
            ) from error
        raise


def _key(entity: Entity) -> List[Any]:
    return list(inspect(entity).primary_key)


def get_widget_url(server_version: Callable[[], Any], name: str, entity: Optional[Entity] = None,
                   theme: Optional[str] = None) -> Steps[str]:
    """The authenticated URL of widget ``name`` (``info``, ``tasks``, ``tasks_browser``),
    for ``entity`` when the widget shows one; ``theme`` ``"light"`` or ``"dark"``."""
    operation = ops.get_widget_url(name, theme, entity.entity_type if entity is not None else None,
                                   _key(entity) if entity is not None else None)
    url: str = (yield from _send([operation], server_version))[0]["widget_url"]
    return url


def send_user_invites(server_version: Callable[[], Any], users: Iterable[Entity]) -> Steps[None]:
    """Send each of ``users`` (``User`` entities) an invitation email, in one batch."""
    batch = [ops.send_user_invite(str(inspect(user).primary_key[0])) for user in users]
    if batch:
        yield from _send(batch, server_version)


def reset_remote(server_version: Callable[[], Any], reset_type: str, entity: Optional[Entity] = None) -> Steps[Any]:
    """Run the server-side reset ``reset_type`` (e.g. ``"api_key"`` of a ``User``); its ``data``."""
    operation = ops.reset_remote(reset_type, entity.entity_type if entity is not None else None,
                                 inspect(entity).primary_key[0] if entity is not None else None)
    return (yield from _send([operation], server_version))[0]["data"]


def delayed_job(server_version: Callable[[], Any], job_type: Any) -> Steps[Any]:
    """Start the server-side job ``job_type`` (``"SYNC_USERS_LDAP"`` or the official
    client's ``symbol.JOB_SYNC_USERS_LDAP``); the ``Job`` entity the server answers."""
    name = str(getattr(job_type, "name", job_type))
    if name not in JOB_TYPES:
        raise ValueError(f"Invalid job type {job_type!r}: one of {', '.join(JOB_TYPES)}.")
    result = (yield from _send([ops.delayed_job(name)], server_version))[0]
    return result["data"] if isinstance(result, dict) and "data" in result else result


def check_server_compatibility(server_information: Mapping[str, Any]) -> None:
    """Raise :class:`ServerCompatibilityError` when the server's version is unknown or
    older than :data:`MIN_SERVER_VERSION` (``"dev"`` and unparsable versions pass)."""
    version = server_information.get("version")
    if version is None:
        raise ServerCompatibilityError("Could not determine the server version.")
    match = re.match(r"(\d+)\.(\d+)\.(\d+)", str(version))
    if version == "dev" or not match:
        return
    found = tuple(int(part) for part in match.groups())
    if found < MIN_SERVER_VERSION:
        wanted = ".".join(map(str, MIN_SERVER_VERSION))
        raise ServerCompatibilityError(f"Server version {version} is incompatible: the API needs {wanted} or newer.")
