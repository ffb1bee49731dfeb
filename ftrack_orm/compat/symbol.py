"""The official client's symbols (``ftrack_api.symbol``): ``NOT_SET`` is ftrack_orm's
"not loaded" marker; the states ``inspection.state`` answers; the well-known location
ids (see PROTOCOL.md); ``JOB_SYNC_USERS_LDAP`` for ``session.delayed_job``."""
from __future__ import annotations

from typing import Any

from ..entity.state import NOT_LOADED


class Symbol:
    """A named constant (``str()`` is its name), as in the official client."""

    __slots__ = ("name", "value")

    def __init__(self, name: str, value: Any = True) -> None:
        self.name = name
        self.value = value

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"Symbol({self.name})"

    def __bool__(self) -> bool:
        return bool(self.value)


#: An attribute that was never loaded (ftrack_orm's ``NOT_LOADED``).
NOT_SET: Any = NOT_LOADED
CREATED = Symbol("CREATED")
MODIFIED = Symbol("MODIFIED")
DELETED = Symbol("DELETED")

COMPONENT_ADDED_TO_LOCATION_TOPIC = "ftrack.location.component-added"
COMPONENT_REMOVED_FROM_LOCATION_TOPIC = "ftrack.location.component-removed"
ORIGIN_LOCATION_ID = "ce9b348f-8809-11e3-821c-20c9d081909b"
UNMANAGED_LOCATION_ID = "cb268ecc-8809-11e3-a7e2-20c9d081909b"
REVIEW_LOCATION_ID = "cd41be70-8809-11e3-b98a-20c9d081909b"
CONNECT_LOCATION_ID = "07b82a97-8cf9-11e3-9383-20c9d081909b"
SERVER_LOCATION_ID = "3a372bde-05bc-11e4-8908-20c9d081909b"
CHUNK_SIZE = 1024 * 1024

JOB_SYNC_USERS_LDAP = Symbol("SYNC_USERS_LDAP")
