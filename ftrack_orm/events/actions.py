"""Actions: what ftrack's web UI lists for a selection (``ftrack.action.discover``) and runs
(``ftrack.action.launch``).

    def open_shots(event):
        return {"success": True, "message": f"{len(selection_of(event))} shot(s) opened"}

    publish = Action("Open shots", "studio.open-shots", launch=open_shots,
                     discover=lambda event: all(s.entity_type == "task" for s in selection_of(event)))
    publish.register(session.event_hub)

or, as a decorator, ``@action("Open shots", "studio.open-shots")`` on the launch
function. Subclasses may override :meth:`Action.discover` and :meth:`Action.launch`
instead. Registering subscribes to ``ftrack.action.discover`` (replied to with
``{"items": [{"label", "actionIdentifier", ...}]}`` when :meth:`Action.discover`
accepts the selection) and to ``ftrack.action.launch`` filtered on
``data.actionIdentifier`` (replied to with ``{"success", "message", ...}``).
"""
from __future__ import annotations

import json
import logging
from typing import Any, Callable, Dict, Optional, Protocol, Tuple

import attrs

from .event import Event

__all__ = ["Action", "Selected", "action", "selection_of"]

logger = logging.getLogger(__name__)

DISCOVER = "ftrack.action.discover"
LAUNCH = "ftrack.action.launch"


class Subscribing(Protocol):
    """What :meth:`Action.register` needs of a hub (:class:`~ftrack_orm.events.hub.EventHub`)."""

    def subscribe(self, subscription: str, callback: Callable[[Event], Any],
                  subscriber: Optional[Dict[str, Any]] = None, priority: int = 100) -> str:
        """Subscribe; the subscriber id."""

    def unsubscribe(self, subscriber_id: str) -> None:
        """Remove a subscriber."""


@attrs.frozen
class Selected:
    """One selected entity of an action event: its legacy ``entityType`` (``task`` for
    every typed context, ``show``, ``assetversion``, ...) and ``entityId``."""

    entity_type: str
    entity_id: str


def selection_of(event: Event) -> Tuple[Selected, ...]:
    """The ``data.selection`` of an action event, as :class:`Selected` values."""
    found = []
    for item in event.data.get("selection") or ():
        if isinstance(item, dict) and item.get("entityId") is not None:
            found.append(Selected(str(item.get("entityType") or ""), str(item["entityId"])))
    return tuple(found)


class Action:
    """An action: ``label`` shown in the UI, ``identifier`` (``actionIdentifier``) naming it.

    ``launch(event)`` runs it; its result becomes the reply: a mapping (``success`` and
    ``message`` are filled in when missing), ``True``/``None`` (success) or ``False``
    (failure). An exception is logged and replied as a failure with its message.
    ``discover(event)`` tells whether the action applies to the event's selection
    (default: always). ``description``, ``variant`` and ``icon`` are shown by the UI.
    """

    def __init__(self, label: str, identifier: str, launch: Optional[Callable[[Event], Any]] = None,
                 discover: Optional[Callable[[Event], bool]] = None, *, description: str = "",
                 variant: Optional[str] = None, icon: Optional[str] = None) -> None:
        self.label = label
        self.identifier = identifier
        self.description = description
        self.variant = variant
        self.icon = icon
        self._launch = launch
        self._discover = discover
        self._subscribers: Dict[int, Tuple[Any, Tuple[str, str]]] = {}

    def __repr__(self) -> str:
        return f"<Action {self.identifier!r} {self.label!r}>"

    # -- what subclasses or the constructor define -------------------------------------------
    def discover(self, event: Event) -> bool:
        """Whether the action applies to ``event``'s selection (see :func:`selection_of`)."""
        return True if self._discover is None else bool(self._discover(event))

    def launch(self, event: Event) -> Any:
        """Run the action on ``event``'s selection; the result (see the class docstring)."""
        if self._launch is None:
            raise NotImplementedError(f"{self!r} has no launch function.")
        return self._launch(event)

    # -- the items and replies ---------------------------------------------------------------
    def item(self) -> Dict[str, Any]:
        """The discover item of this action: ``{"label", "actionIdentifier", ...}``."""
        item: Dict[str, Any] = {"label": self.label, "actionIdentifier": self.identifier}
        for name in ("description", "variant", "icon"):
            value = getattr(self, name)
            if value:
                item[name] = value
        return item

    def on_discover(self, event: Event) -> Optional[Dict[str, Any]]:
        """The reply to a discover event: ``{"items": [item]}``, or ``None`` (no reply)."""
        try:
            applies = self.discover(event)
        except Exception:
            logger.exception("action %s: discover failed", self.identifier)
            return None
        return {"items": [self.item()]} if applies else None

    def on_launch(self, event: Event) -> Dict[str, Any]:
        """The reply to a launch event: ``{"success", "message", ...}``."""
        try:
            result = self.launch(event)
        except Exception as error:
            logger.exception("action %s: launch failed", self.identifier)
            return {"success": False, "message": f"{self.label} failed: {error}"}
        if result is None or isinstance(result, bool):
            success = result is not False
            return {"success": success, "message": f"{self.label} {'launched' if success else 'failed'}."}
        if isinstance(result, dict):
            reply = dict(result)
            reply.setdefault("success", True)
            reply.setdefault("message", f"{self.label} {'launched' if reply['success'] else 'failed'}.")
            return reply
        raise TypeError(f"{self!r}: launch returned {result!r}; expected a dict, a bool or None.")

    # -- registration --------------------------------------------------------------------------
    def register(self, hub: Subscribing, priority: int = 100) -> Tuple[str, str]:
        """Subscribe to discover and launch events on ``hub``; the two subscriber ids."""
        if id(hub) in self._subscribers:
            raise ValueError(f"{self!r} is already registered on {hub!r}.")
        subscriber = {"action": self.identifier}
        ids = (
            hub.subscribe(f"topic={DISCOVER}", self.on_discover, dict(subscriber), priority),
            hub.subscribe(f"topic={LAUNCH} and data.actionIdentifier={json.dumps(self.identifier)}",
                          self.on_launch, dict(subscriber), priority),
        )
        self._subscribers[id(hub)] = (hub, ids)
        return ids

    def unregister(self, hub: Subscribing) -> None:
        """Remove the subscriptions :meth:`register` made on ``hub``."""
        _, ids = self._subscribers.pop(id(hub))
        for subscriber_id in ids:
            hub.unsubscribe(subscriber_id)


def action(label: str, identifier: str, *, discover: Optional[Callable[[Event], bool]] = None,
           description: str = "", variant: Optional[str] = None,
           icon: Optional[str] = None) -> Callable[[Callable[[Event], Any]], Action]:
    """Decorator: ``@action("Open shots", "studio.open-shots")`` turns a launch function
    into an :class:`Action` (register it with ``.register(hub)``)."""
    def decorate(launch: Callable[[Event], Any]) -> Action:
        return Action(label, identifier, launch, discover, description=description, variant=variant, icon=icon)
    return decorate
