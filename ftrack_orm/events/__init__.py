"""The event hub: :class:`EventHub`, :class:`Event`, subscription expressions, actions
and typed ``ftrack.update`` records.

    hub = session.event_hub                      # or EventHub(server_url, api_user, api_key)
    hub.connect()
    hub.subscribe("topic=ftrack.update", lambda event: print(event["data"]["entities"]))

The hub needs the ``wsproto`` package: ``pip install 'ftrack-orm[events]'``.
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, Dict, List

#: Public name -> the module of this package that defines it. Imported on first use
#: (PEP 562), so that the sandbox can use the protocol modules (events, expressions,
#: socket.io framing) without loading the client hub and ``requests``.
_EXPORTS: Dict[str, str] = {
    "Action": "actions",
    "action": "actions",
    "Selected": "actions",
    "selection_of": "actions",
    "Event": "event",
    "EventHub": "hub",
    "EventHubError": "errors",
    "EventHubConnectionError": "errors",
    "Expression": "expression",
    "ExpressionError": "expression",
    "parse_expression": "expression",
    "AttributeChange": "updates",
    "EntityChange": "updates",
    "ParentRef": "updates",
    "Refresher": "updates",
    "Update": "updates",
    "parse_update": "updates",
    "watch_updates": "updates",
}

__all__ = ["Action", "action", "Selected", "selection_of", "Event", "EventHub", "EventHubError",
           "EventHubConnectionError", "Expression", "ExpressionError", "parse_expression", "AttributeChange",
           "EntityChange", "ParentRef", "Refresher", "Update", "parse_update", "watch_updates"]

if TYPE_CHECKING:  # pragma: no cover - what type checkers and IDEs see
    from .actions import Action, Selected, action, selection_of
    from .errors import EventHubConnectionError, EventHubError
    from .event import Event
    from .expression import Expression, ExpressionError, parse_expression
    from .hub import EventHub
    from .updates import AttributeChange, EntityChange, ParentRef, Refresher, Update, parse_update, watch_updates


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> List[str]:
    return sorted(set(globals()) | set(__all__))
