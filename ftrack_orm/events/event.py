"""The :class:`Event`: one message on the event hub."""
from __future__ import annotations

import datetime
import uuid
from typing import Any, Dict, Iterator, Mapping, Optional

import attrs

__all__ = ["Event"]

_FIELDS = ("id", "topic", "data", "source", "target", "in_reply_to_event", "sent")


def _new_id() -> str:
    return uuid.uuid4().hex


@attrs.define(eq=False)
class Event:
    """An event: ``Event("my.topic", data={"x": 1})``.

    ``source`` tells who sent it (``{"id": <hub id>, "user": {"username"}}``, filled
    when published); ``target`` is an expression matched against subscriber
    metadata (``""``: everyone); ``in_reply_to_event`` is the id of the event this
    one answers. Item access (``event["data"]``) works as in ftrack's own clients,
    so listener code written for them runs unchanged. A callback may call
    :meth:`stop` to keep lower-priority callbacks of this hub from seeing it.
    """

    topic: str
    data: Dict[str, Any] = attrs.field(factory=dict)
    id: str = attrs.field(factory=_new_id)
    source: Dict[str, Any] = attrs.field(factory=dict)
    target: str = ""
    in_reply_to_event: Optional[str] = None
    sent: Optional[str] = None
    _stopped: bool = attrs.field(default=False, init=False, repr=False)

    # -- wire --------------------------------------------------------------------------
    def to_wire(self) -> Dict[str, Any]:
        """The JSON object sent on the wire (``inReplyToEvent``, as ftrack servers use)."""
        return {
            "id": self.id, "topic": self.topic, "data": self.data, "source": self.source,
            "target": self.target, "inReplyToEvent": self.in_reply_to_event, "sent": self.sent,
        }

    @classmethod
    def from_wire(cls, payload: Mapping[str, Any]) -> Event:
        """An event from its JSON object (accepts ``inReplyToEvent`` or ``in_reply_to_event``)."""
        topic = payload.get("topic")
        if not isinstance(topic, str):
            raise ValueError(f"An event needs a string 'topic'; got {topic!r}.")
        reply_to = payload.get("inReplyToEvent", payload.get("in_reply_to_event"))
        return cls(
            topic=topic, data=dict(payload.get("data") or {}), id=str(payload.get("id") or _new_id()),
            source=dict(payload.get("source") or {}), target=payload.get("target") or "",
            in_reply_to_event=reply_to, sent=payload.get("sent"),
        )

    def stamp(self) -> None:
        """Set ``sent`` to now (UTC, ISO 8601) if it is not set."""
        if self.sent is None:
            self.sent = datetime.datetime.now(datetime.timezone.utc).isoformat()

    # -- control -----------------------------------------------------------------------
    def stop(self) -> None:
        """Stop further local processing of this event (lower-priority callbacks)."""
        self._stopped = True

    def is_stopped(self) -> bool:
        """Whether :meth:`stop` was called."""
        return self._stopped

    # -- mapping access ----------------------------------------------------------------
    def __getitem__(self, key: str) -> Any:
        if key not in _FIELDS:
            raise KeyError(key)
        return getattr(self, key)

    def __setitem__(self, key: str, value: Any) -> None:
        if key not in _FIELDS:
            raise KeyError(key)
        setattr(self, key, value)

    def __contains__(self, key: object) -> bool:
        return key in _FIELDS

    def __iter__(self) -> Iterator[str]:
        return iter(_FIELDS)

    def get(self, key: str, default: Any = None) -> Any:
        """``event.get("data")``: the field, or ``default`` for unknown names."""
        return getattr(self, key) if key in _FIELDS else default

    def keys(self) -> Any:
        return _FIELDS
