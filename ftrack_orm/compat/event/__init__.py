"""``ftrack_api.event``: the event module names (``event.base.Event``)."""
from __future__ import annotations

from . import base

__all__ = ["base"]
