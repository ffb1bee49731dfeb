"""The warning for pending changes that are about to be dropped (a session closed,
reset or garbage-collected before ``commit()``): a ``ResourceWarning`` naming how many
entities had changes, so a script migrated from a client that wrote at once does not
lose data silently."""
from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:  # pragma: no cover
    from .entity.identity import IdentityMap


def pending_count(identity_map: Optional[IdentityMap]) -> int:
    """How many entities of ``identity_map`` have pending changes (0 without a map)."""
    return 0 if identity_map is None else len(identity_map.changes)


def warn_pending(identity_map: Optional[IdentityMap], what: str, stacklevel: int = 2) -> None:
    """Warn (``ResourceWarning``) when ``identity_map`` holds pending changes; ``what``
    happens to the session (``"closed"``, ``"reset"``...)."""
    count = pending_count(identity_map)
    if count:
        warnings.warn(
            f"Session {what} with {count} entit{'y' if count == 1 else 'ies'} with pending changes "
            "that were never committed: call session.commit() first (or rollback() to drop them).",
            ResourceWarning, stacklevel=stacklevel + 1,
        )
