"""socket.io 0.9 framing: ``type:id:endpoint:data`` text packets and the handshake answer."""
from __future__ import annotations

import json
from typing import Any, List, NamedTuple, Optional, Tuple

__all__ = ["DISCONNECT", "CONNECT", "HEARTBEAT", "EVENT", "ACK", "ERROR", "Packet", "Handshake",
           "EVENT_NAME", "encode", "decode", "event_packet", "ack_packet", "parse_ack", "parse_handshake"]

DISCONNECT, CONNECT, HEARTBEAT, MESSAGE, JSON, EVENT, ACK, ERROR = "0", "1", "2", "3", "4", "5", "6", "7"
#: The socket.io event name under which ftrack events travel.
EVENT_NAME = "ftrack.event"


class Packet(NamedTuple):
    """One socket.io packet; ``id`` is ``"<n>+"`` when the sender wants an acknowledgement."""

    type: str
    id: str = ""
    endpoint: str = ""
    data: str = ""


class Handshake(NamedTuple):
    """The answer to ``GET /socket.io/1/``."""

    session_id: str
    heartbeat_timeout: float
    close_timeout: float
    transports: Tuple[str, ...]


def encode(packet: Packet) -> str:
    """The text frame of ``packet``."""
    return f"{packet.type}:{packet.id}:{packet.endpoint}:{packet.data}" if packet.data else \
        f"{packet.type}:{packet.id}:{packet.endpoint}"


def decode(text: str) -> Packet:
    """Parse a text frame; raises ``ValueError`` for one that is not a packet."""
    parts = text.split(":", 3)
    if not parts[0] or parts[0] not in "01234567" or len(parts[0]) != 1:
        raise ValueError(f"Not a socket.io packet: {text[:80]!r}")
    parts += [""] * (4 - len(parts))
    return Packet(*parts)


def event_packet(event: Any, packet_id: Optional[int] = None) -> Packet:
    """A ``5`` packet carrying one ftrack event object (``args: [event]``)."""
    data = json.dumps({"name": EVENT_NAME, "args": [event]}, ensure_ascii=False)
    return Packet(EVENT, f"{packet_id}+" if packet_id is not None else "", "", data)


def ack_packet(packet_id: str, *args: Any) -> Packet:
    """The acknowledgement of the packet with id ``packet_id`` (``"<n>+"`` or ``"<n>"``)."""
    data = packet_id.rstrip("+")
    if args:
        data += "+" + json.dumps(list(args), ensure_ascii=False)
    return Packet(ACK, "", "", data)


def parse_ack(data: str) -> Tuple[int, List[Any]]:
    """``(packet id, arguments)`` of an acknowledgement's data."""
    number, _, rest = data.partition("+")
    return int(number), (json.loads(rest) if rest else [])


def parse_handshake(text: str) -> Handshake:
    """Parse ``<session id>:<heartbeat s>:<close s>:<transports>``."""
    parts = text.strip().split(":")
    if len(parts) != 4 or not parts[0]:
        raise ValueError(f"Not a socket.io handshake answer: {text[:80]!r}")
    return Handshake(parts[0], float(parts[1] or 0), float(parts[2] or 0), tuple(parts[3].split(",")))
