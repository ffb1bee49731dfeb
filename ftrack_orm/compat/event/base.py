"""``ftrack_api.event.base``: :class:`Event` is ftrack_orm's event."""
from __future__ import annotations

from ...events.event import Event

__all__ = ["Event"]
