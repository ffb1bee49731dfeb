"""Errors of the event hub."""
from __future__ import annotations

from ..errors import FtrackOrmError

__all__ = ["EventHubError", "EventHubConnectionError"]


class EventHubError(FtrackOrmError):
    """Base of the event hub's errors."""


class EventHubConnectionError(EventHubError, ConnectionError):
    """The hub is not connected, or could not connect (the message says why)."""
