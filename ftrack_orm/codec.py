"""JSON <-> Python for the ftrack wire format.

Encoding: ``datetime`` becomes ``{"__type__": "datetime", "value": ISO}`` in UTC
and ``date`` becomes ``{"__type__": "date", ...}`` (the rules are
:mod:`ftrack_orm.times`), and an entity object is sent as its reference
(``{"__entity_type__": T, <primary key>}``) through its ``_ftrack_reference()``.

Decoding: typed values become aware UTC ``datetime`` and ``date`` objects, and every
object carrying ``"__entity_type__"`` goes through ONE entity hook, bottom-up (its
nested references are already decoded when the hook sees it). The entity layer
plugs its identity map into that hook; without one, entities stay plain dicts.

A hot entity hook may do the whole job itself, in one Python frame per object:
marked with :func:`object_hook`, it is handed to ``json.loads`` as it is and must
decode typed values too (its typed branch ends in :func:`decode_typed`). The
identity map's result-group hooks are such hooks.

With the ``fast`` extra (``pip install 'ftrack-orm[fast]'``: orjson) :func:`encode`
writes the UTF-8 bytes directly, about five times faster and without a ``str``
copy of the body; anything orjson refuses or may write differently (a NaN, which
it writes as ``null``; a lone surrogate; an integer beyond 64 bits; a cycle) goes
through the standard library encoder, so errors and output stay those of
``json.dumps``. (orjson also writes ``uuid.UUID`` and enum values, which the
standard library refuses.) Decoding always uses ``json.loads``: with the object
hook it is faster than either fast decoder followed by a Python walk.
"""
from __future__ import annotations

import datetime as _dt
import gc
import json
from typing import Any, Callable, Dict, Optional, Union

from .times import DATE_TYPE, DATETIME_TYPE, decode_date, decode_datetime, encode_date, encode_datetime

EntityHook = Callable[[Dict[str, Any]], Any]


def _default(value: Any) -> Any:
    if isinstance(value, _dt.datetime):
        return encode_datetime(value)
    if isinstance(value, _dt.date):
        return encode_date(value)
    reference = getattr(value, "_ftrack_reference", None)
    if reference is not None:
        return reference()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"Cannot send a value of type {type(value).__name__} to ftrack: {value!r}")


def _encode_stdlib(payload: Any) -> bytes:
    return json.dumps(payload, default=_default, ensure_ascii=False, allow_nan=False,
                      separators=(",", ":")).encode("utf-8")


def _orjson_encoder() -> Optional[Callable[[Any], bytes]]:
    """The orjson encoder (the ``fast`` extra), or ``None`` without orjson."""
    try:
        import orjson  # imported on the first call: it loads dataclasses and inspect
    except ImportError:  # pragma: no cover - depends on the environment
        return None
    dumps, encode_error = orjson.dumps, orjson.JSONEncodeError
    options = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS  # both through _default

    def encode_fast(payload: Any) -> bytes:
        try:
            body: bytes = dumps(payload, default=_default, option=options)
        except encode_error:  # the standard library copes (big integers) or names the problem
            return _encode_stdlib(payload)
        # orjson writes NaN and infinity as null: let the standard library refuse them
        return _encode_stdlib(payload) if b"null" in body else body

    return encode_fast


def _first_encode(payload: Any) -> bytes:
    global _encode
    _encode = _orjson_encoder() or _encode_stdlib
    return _encode(payload)


_encode: Callable[[Any], bytes] = _first_encode


def encoder() -> str:
    """Which encoder :func:`encode` uses first: ``"orjson"`` (the ``fast`` extra) or ``"json"``."""
    return "json" if _orjson_encoder() is None else "orjson"


def encode(payload: Any) -> bytes:
    """Serialise operations (or any value) to the UTF-8 JSON body of a call.

    Raises ``ValueError`` for NaN or infinity (not JSON), a cycle or a string that is
    not valid UTF-8 (a lone surrogate), ``TypeError`` for a value of unknown type."""
    return _encode(payload)


_TYPED_DECODERS: Dict[str, Callable[[str], Any]] = {
    DATETIME_TYPE: decode_datetime,
    DATE_TYPE: decode_date,
}


def decode_typed(obj: Dict[str, Any]) -> Any:
    """A decoded JSON object that is not an entity: its typed value, or ``obj`` itself."""
    kind = obj.get("__type__")
    if kind is not None and "value" in obj:
        decoder = _TYPED_DECODERS.get(kind)
        if decoder is not None and obj["value"] is not None:
            return decoder(obj["value"])
    return obj


#: The attribute marking an entity hook that is a whole object hook (see :func:`object_hook`).
_WHOLE = "ftrack_orm_object_hook"


def object_hook(hook: EntityHook) -> EntityHook:
    """Mark ``hook`` as a whole ``json.loads`` object hook: it gets EVERY decoded object
    (entities and typed values alike) and :func:`decode` uses it without a wrapper."""
    setattr(hook, _WHOLE, True)
    return hook


def make_object_hook(entity_hook: Optional[EntityHook]) -> Callable[[Dict[str, Any]], Any]:
    """The ``json.loads`` object hook: typed values, then entities through ``entity_hook``
    (a hook marked with :func:`object_hook` is returned as it is)."""
    if entity_hook is not None and getattr(entity_hook, _WHOLE, False):
        return entity_hook
    typed = _TYPED_DECODERS

    def hook(obj: Dict[str, Any]) -> Any:
        if "__entity_type__" in obj:
            return entity_hook(obj) if entity_hook is not None else obj
        kind = obj.get("__type__")
        if kind is not None and "value" in obj:
            decoder = typed.get(kind)
            if decoder is not None and obj["value"] is not None:
                return decoder(obj["value"])
        return obj

    return hook


#: Bodies at least this long decode with the cyclic GC paused: decoding allocates only
#: acyclic containers, and the collections it would trigger cost ~18 % of decoding 20,000 entities.
GC_PAUSE_BYTES = 256 * 1024


def text(body: bytes) -> Union[str, bytes]:
    """``body`` as text, decoded as ``json.loads`` would (UTF-8/16/32); ``body`` itself if
    it is not valid text (parsing then reports it). A caller that drops the bytes before
    parsing keeps one copy of a large answer alive instead of two."""
    try:
        return body.decode(json.detect_encoding(body), "surrogatepass")
    except (UnicodeDecodeError, LookupError):
        return body


def decode(body: Union[bytes, str], entity_hook: Optional[EntityHook] = None) -> Any:
    """Parse a response body; raises ``ValueError`` if it is not JSON."""
    object_hook = make_object_hook(entity_hook)
    if len(body) < GC_PAUSE_BYTES or not gc.isenabled():
        return json.loads(body, object_hook=object_hook)
    gc.disable()  # process-wide; only this call re-enables it, and only if it was on
    try:
        return json.loads(body, object_hook=object_hook)
    finally:
        gc.enable()

