"""Datetimes and dates: the one set of UTC/ISO 8601 rules of the package.

Rules (see the wire format in the protocol notes):

* a naive ``datetime`` is taken to be UTC; an aware one is converted to UTC;
* in Python, datetimes are aware UTC (:func:`to_utc`, :func:`decode_datetime`);
* in text (the wire, query literals, the sandbox's columns) a datetime is naive
  UTC ISO 8601, ``2024-06-01T09:30:00``, with microseconds kept when it has any
  (``2024-06-01T09:30:00.250000``) (:func:`utc_text`);
* a date is ``YYYY-MM-DD``.

The codec decodes every datetime of every answer through :func:`decode_datetime`
(the identity map's fused decode hook inlines its first line): what servers send,
naive UTC text, costs one ``fromisoformat`` of ``text + UTC_SUFFIX`` (appending the
offset is ~6x cheaper than ``.replace(tzinfo=UTC)`` after parsing, same aware value).
"""
from __future__ import annotations

import datetime as _dt
from typing import Any, Dict

UTC = _dt.timezone.utc
_fromisoformat = _dt.datetime.fromisoformat

#: ``{"__type__": ...}`` names of typed values on the wire.
DATETIME_TYPE = "datetime"
DATE_TYPE = "date"
#: Appended to naive UTC text so that ``fromisoformat`` makes an aware UTC value at once.
UTC_SUFFIX = "+00:00"


def to_utc(value: _dt.datetime) -> _dt.datetime:
    """``value`` as an aware UTC datetime (a naive value is taken to be UTC)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def date_to_utc(value: _dt.date) -> _dt.datetime:
    """Midnight UTC of ``value`` (a datetime is only made UTC)."""
    if isinstance(value, _dt.datetime):
        return to_utc(value)
    return _dt.datetime(value.year, value.month, value.day, tzinfo=UTC)


def utc_text(value: _dt.datetime) -> str:
    """Naive UTC ISO 8601 text of ``value``; microseconds are kept when present."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat()


def date_text(value: _dt.date) -> str:
    """``YYYY-MM-DD`` of a date (of a datetime: its UTC date)."""
    if isinstance(value, _dt.datetime):
        return to_utc(value).date().isoformat()
    return value.isoformat()


def encode_datetime(value: _dt.datetime) -> Dict[str, str]:
    """Wire form of a datetime: ``{"__type__": "datetime", "value": <UTC text>}``."""
    return {"__type__": DATETIME_TYPE, "value": utc_text(value)}


def encode_date(value: _dt.date) -> Dict[str, str]:
    """Wire form of a date: ``{"__type__": "date", "value": "YYYY-MM-DD"}``."""
    return {"__type__": DATE_TYPE, "value": value.isoformat()}


def decode_datetime(text: str) -> _dt.datetime:
    """Parse ISO 8601 text to an aware UTC datetime; a value without offset is UTC.

    Also takes what Python 3.9's ``fromisoformat`` does not: ``Z``, a space for
    ``T`` and fractions of any length. Raises ``ValueError`` for other text.
    """
    try:
        value = _fromisoformat(text + UTC_SUFFIX)  # naive UTC text: the wire's own form
        if value.tzinfo is UTC:
            return value
    except ValueError:
        pass
    try:
        value = _fromisoformat(text)
    except ValueError:
        value = _fromisoformat(_normalise_iso(text))
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


decode_date = _dt.date.fromisoformat


def _normalise_iso(text: str) -> str:
    text = text.strip().replace(" ", "T", 1)
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    head, sep, frac = text.partition(".")
    if sep:
        digits = len(frac) - len(frac.lstrip("0123456789"))
        text = f"{head}.{(frac[:digits] + '000000')[:6]}{frac[digits:]}"
    return text


def parse_datetime(value: Any) -> _dt.datetime:
    """A datetime given any way (``datetime``, ``date``, ISO text or its wire form) → aware UTC.

    Raises ``ValueError`` when ``value`` is none of these.
    """
    if isinstance(value, dict) and value.get("__type__") in (DATETIME_TYPE, DATE_TYPE):
        value = value.get("value")
    if isinstance(value, _dt.datetime):
        return to_utc(value)
    if isinstance(value, _dt.date):
        return date_to_utc(value)
    if isinstance(value, str):
        return decode_datetime(value.strip())
    raise ValueError(f"not a datetime: {value!r}")


def is_iso_text(value: Any) -> bool:
    """True when ``value`` is ISO 8601 date or datetime text."""
    if not isinstance(value, str):
        return False
    try:
        decode_datetime(value.strip())
    except ValueError:
        return False
    return True


def display(value: _dt.date) -> str:
    """The text shown for a date or datetime in tables and CLI output (ISO 8601)."""
    return value.isoformat()
