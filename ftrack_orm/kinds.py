"""Attribute kinds: the one table of what each schema attribute kind means.

:data:`KINDS` maps every ``AttributeSchema.kind`` (``string``, ``integer``,
``number``, ``boolean``, ``datetime``, ``date``, ``json``, ``object``,
``variable``, ``reference``, ``collection``, ``mapped_collection``) to one
:class:`Kind` row that says, for that kind:

* **schema** — which ``(type, format)`` pairs of the ``query_schemas`` JSON are of it;
* **assignment** — which Python values a user may assign and how they are
  converted (:attr:`Kind.convert`, called by the entity descriptors as
  ``kind.convert(value, attribute, entity)``);
* **stubs** — the annotation generated stubs use (:meth:`Kind.annotation_for`);
* **query literals** — which Python values the builder takes
  (:meth:`Kind.accepts_literal`) and what is wrong with a parsed literal
  (:attr:`Kind.literal_problem`); literals are made by :func:`to_literal`;
* **custom attributes** — the configuration types whose values are of it, with
  their converters (:attr:`Kind.custom_types`, :func:`custom_kind`);
* **the sandbox's SQLite storage** — column type, the expression compared in SQL,
  and the conversions wire value → column (:attr:`Kind.store`), column → wire
  value (:attr:`Kind.load`) and query literal → column (:attr:`Kind.coerce`).

Datetime rules are :mod:`ftrack_orm.times`. This module sits at the bottom of the
package, beside :mod:`ftrack_orm.schema`: it imports nothing of the package but
:mod:`~ftrack_orm.times`.
"""
from __future__ import annotations

import datetime as _dt
import json
from math import isfinite
from typing import Any, Callable, Dict, Iterable, Mapping, Optional, Protocol, Tuple

import attrs

from . import times

Converter = Callable[[Any, str], Any]  # (value, where) -> value; raises TypeError/ValueError


class AttributeLike(Protocol):
    """What a kind reads of an attribute's schema: its allowed values (``None``: any)."""

    @property
    def enum(self) -> Optional[Tuple[str, ...]]: ...


class Target(Protocol):
    """What :attr:`Kind.convert` needs of the attribute being assigned (the descriptor)."""

    @property
    def qualname(self) -> str: ...

    @property
    def schema(self) -> AttributeLike: ...

    def check_entity(self, value: Any, entity: Any, label: str) -> None:
        """Raise unless ``value`` is an entity ``entity`` may hold here (``label``: "a", "items of type")."""


Assign = Callable[[Any, Target, Any], Any]  # (value, attribute, entity) -> value to record


def accepts(types: Tuple[type, ...], value: Any) -> bool:
    """``isinstance(value, types)``, except that a bool is only an int when ``bool`` is listed."""
    return isinstance(value, types) and (bool in types or not isinstance(value, bool))


def _wrong(where: str, label: str, value: Any) -> TypeError:
    return TypeError(f"{where} expects {label}, got {type(value).__name__} {value!r}")


#: Integers the server stores: signed 64 bits.
INT64_MIN, INT64_MAX = -(2 ** 63), 2 ** 63 - 1


def _check_text(value: str, where: str) -> str:
    """``value`` unless it cannot be sent as UTF-8 (a lone surrogate)."""
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise ValueError(f"{where}: {value!r} is not valid UTF-8 text "
                             f"(lone surrogate at position {exc.start})") from None
    return value


def _check_finite(value: float, where: str) -> float:
    if not isfinite(value):
        raise ValueError(f"{where} expects a finite number, got {value!r} (JSON has no NaN or infinity)")
    return value


def _utc(value: _dt.datetime, where: str) -> _dt.datetime:
    try:
        return times.to_utc(value)
    except OverflowError:
        raise ValueError(f"{where}: {value!r} is out of range in UTC (years 1 to 9999)") from None


# --------------------------------------------------------------------------- assignment
def _convert_string(value: Any, attribute: Target, entity: Any) -> Any:
    if value is None:
        return None
    if not isinstance(value, str):
        raise _wrong(attribute.qualname, "a string", value)
    enum = attribute.schema.enum
    if enum is not None and value not in enum:
        raise ValueError(f"{attribute.qualname} must be one of {list(enum)}, got {value!r}")
    return value if value.isascii() else _check_text(value, attribute.qualname)


def _convert_integer(value: Any, attribute: Target, entity: Any) -> Any:
    if value is None:
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        if INT64_MIN <= value <= INT64_MAX:
            return value
        raise ValueError(f"{attribute.qualname}: {value!r} does not fit in a signed 64-bit integer")
    raise _wrong(attribute.qualname, "an integer", value)


def _convert_number(value: Any, attribute: Target, entity: Any) -> Any:
    if value is None:
        return value
    if type(value) is float:
        return value if isfinite(value) else _check_finite(value, attribute.qualname)
    if isinstance(value, bool):
        raise _wrong(attribute.qualname, "a number", value)
    if isinstance(value, int):
        try:
            converted = float(value)
        except OverflowError:
            converted = 0.0  # beyond any float: reported as not lossless below
        if int(converted) != value:  # not lossless (beyond 2**53)
            raise TypeError(f"{attribute.qualname}: {value!r} cannot be stored as a number without loss")
        return converted
    if isinstance(value, float):
        return _check_finite(float(value), attribute.qualname)
    raise _wrong(attribute.qualname, "a number", value)


def _convert_boolean(value: Any, attribute: Target, entity: Any) -> Any:
    if value is None or isinstance(value, bool):
        return value
    raise _wrong(attribute.qualname, "a boolean", value)


def _convert_datetime(value: Any, attribute: Target, entity: Any) -> Any:
    if value is None:
        return None
    if not isinstance(value, _dt.datetime):
        raise _wrong(attribute.qualname, "a datetime", value)
    return _utc(value, attribute.qualname)


def _convert_date(value: Any, attribute: Target, entity: Any) -> Any:
    if value is None or (isinstance(value, _dt.date) and not isinstance(value, _dt.datetime)):
        return value
    raise _wrong(attribute.qualname, "a date", value)


_JSON_TYPES: Tuple[type, ...] = (str, int, float, bool, list, dict, tuple, _dt.date)


def _convert_json(value: Any, attribute: Target, entity: Any) -> Any:
    if value is None:
        return value
    if not isinstance(value, _JSON_TYPES):
        raise _wrong(attribute.qualname, "a JSON value", value)
    _check_encodes(value, attribute.qualname)
    return value


def _check_encodes(value: Any, where: str) -> None:
    """Raise ``ValueError`` naming ``where`` unless ``value`` encodes as the wire's JSON
    (as :func:`ftrack_orm.codec.encode` does it: no NaN, UTF-8, dates and tuples allowed)."""
    try:
        json.dumps(value, default=_json_default, ensure_ascii=False, allow_nan=False).encode("utf-8")
    except (TypeError, ValueError, OverflowError, RecursionError) as exc:
        reason = "a cycle" if "ircular" in str(exc) else str(exc)
        raise ValueError(f"{where}: {_short(value)} cannot be encoded as JSON ({reason})") from None


def _json_default(value: Any) -> Any:
    if isinstance(value, _dt.datetime):  # typed values, as the codec sends them
        return times.encode_datetime(value)
    if isinstance(value, _dt.date):
        return times.encode_date(value)
    reference = getattr(value, "_ftrack_reference", None)
    if reference is not None:
        return reference()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"a value of type {type(value).__name__} is not JSON")


def _short(value: Any) -> str:
    try:
        text = repr(value)
    except RecursionError:  # pragma: no cover - repr handles cycles of lists and dicts
        text = f"a {type(value).__name__}"
    return text if len(text) <= 80 else text[:77] + "..."


def _convert_reference(value: Any, attribute: Target, entity: Any) -> Any:
    if value is not None:
        attribute.check_entity(value, entity, "a")
        if value is entity:
            raise ValueError(f"{attribute.qualname}: {entity!r} cannot reference itself")
    return value


def _convert_collection(value: Any, attribute: Target, entity: Any) -> Any:
    if isinstance(value, (str, bytes, dict)) or not isinstance(value, Iterable) or hasattr(value, "__entity_type__"):
        raise _wrong(attribute.qualname, "a list of entities", value)
    items = list(value)
    seen = set()
    for item in items:
        attribute.check_entity(item, entity, "items of type")
        if id(item) in seen:
            raise ValueError(f"{attribute.qualname}: {item!r} appears twice")
        seen.add(id(item))
    return items


def _convert_any(value: Any, attribute: Target, entity: Any) -> Any:
    return value


# --------------------------------------------------------------------------- custom attribute values
def _custom_number(value: Any, where: str) -> Any:
    if not accepts((int, float), value):
        raise _wrong(where, "a number", value)
    return _check_finite(value, where) if isinstance(value, float) else value


def _custom_text(value: Any, where: str) -> Any:
    if not isinstance(value, str):
        raise _wrong(where, "a text", value)
    return _check_text(value, where)


def _custom_boolean(value: Any, where: str) -> Any:
    if not isinstance(value, bool):
        raise _wrong(where, "a boolean", value)
    return value


def _custom_date(value: Any, where: str) -> Any:
    if isinstance(value, _dt.datetime):
        return _utc(value, where)
    if isinstance(value, _dt.date):
        return times.date_to_utc(value)
    raise _wrong(where, "a date", value)


def _custom_enumerator(value: Any, where: str) -> Any:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise TypeError(f"{where} expects an enumerator (a string or a list of strings), got {value!r}")
    return list(value)


def _custom_read_only(value: Any, where: str) -> Any:
    raise AttributeError(f"{where} is an expression computed by the server and cannot be set")


# --------------------------------------------------------------------------- query literals
def _number_problem(value: Any, bool_ok: bool) -> Optional[str]:
    if isinstance(value, bool):
        return None if bool_ok else "expected a number"
    if isinstance(value, (int, float)):
        return None
    try:
        float(str(value))
    except ValueError:
        return "expected a number"
    return None


def _boolean_problem(value: Any) -> Optional[str]:
    if isinstance(value, bool) or value in (0, 1):
        return None
    if isinstance(value, str) and value.lower() in ("true", "false", "1", "0"):
        return None
    return "expected true or false"


def _time_problem(value: Any) -> Optional[str]:
    if isinstance(value, _dt.date) or times.is_iso_text(value):
        return None
    return "expected an ISO 8601 date or datetime"


def _no_problem(value: Any) -> Optional[str]:
    return None


def to_literal(value: Any, where: str = "") -> Any:
    """A Python value as a query literal (datetimes as UTC ISO text); ``TypeError`` otherwise."""
    if isinstance(value, _dt.datetime):
        return times.utc_text(value)
    if isinstance(value, _dt.date):
        return times.date_text(value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(f"{where or 'query'}: cannot compare with a {type(value).__name__} ({value!r}).")


# --------------------------------------------------------------------------- sandbox columns
def _store_string(value: Any, label: str) -> Any:
    if not isinstance(value, str):
        raise ValueError(f"{label} must be of type string. Got {value!r}.")
    return value


def _store_integer(value: Any, label: str) -> Any:
    if accepts((int,), value):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raise ValueError(f"{label} must be of type integer. Got {value!r}.")


def _store_number(value: Any, label: str) -> Any:
    if not accepts((int, float), value):
        raise ValueError(f"{label} must be of type number. Got {value!r}.")
    return float(value)


def _store_boolean(value: Any, label: str) -> Any:
    if not isinstance(value, bool):
        raise ValueError(f"{label} must be of type boolean. Got {value!r}.")
    return int(value)


def _moment(value: Any) -> _dt.datetime:
    try:
        return times.parse_datetime(value)
    except ValueError:
        text = value.get("value") if isinstance(value, dict) else value
        hint = ": expected ISO 8601" if isinstance(text, str) else ""
        raise ValueError(f"Invalid datetime {text!r}{hint}.") from None


def _store_datetime(value: Any, label: str = "") -> str:
    return times.utc_text(_moment(value))


def _store_date(value: Any, label: str = "") -> str:
    return times.date_text(_moment(value))


def _store_json(value: Any, label: str) -> Any:
    if isinstance(value, dict) and value.get("__type__") in (times.DATETIME_TYPE, times.DATE_TYPE):
        value = _store_datetime(value)
    return json.dumps(value, sort_keys=True)


def _store_same(value: Any, label: str) -> Any:
    return value


def _load_datetime(value: Any) -> Any:
    return {"__type__": times.DATETIME_TYPE, "value": value}


def _load_date(value: Any) -> Any:
    return {"__type__": times.DATE_TYPE, "value": value}


def _load_json(value: Any) -> Any:
    try:
        return json.loads(value)
    except (TypeError, ValueError):
        return value


def _load_same(value: Any) -> Any:
    return value


def _coerce_string(value: Any) -> Any:
    if isinstance(value, str):
        return value
    return str(value).lower() if isinstance(value, bool) else str(value)


def _coerce_integer(value: Any) -> Any:
    if isinstance(value, int):
        return value
    return int(value) if str(value).lstrip("+-").isdigit() else float(value)


def _coerce_boolean(value: Any) -> Any:
    if isinstance(value, str):
        return 1 if value.lower() in ("true", "1") else 0
    return int(bool(value))


# --------------------------------------------------------------------------- the table
@attrs.frozen
class Kind:
    """Everything one attribute kind means (see the module docstring)."""

    name: str
    #: ``(type, format)`` pairs of schema properties of this kind.
    schema_types: Tuple[Tuple[Optional[str], Optional[str]], ...]
    #: Python types a user may assign (``None`` always clears); ``convert`` has the details.
    python_types: Tuple[type, ...]
    #: ``convert(value, attribute, entity)`` → the value to record; raises ``TypeError``/``ValueError``.
    convert: Assign = attrs.field(repr=False)
    #: Words for the values of this kind in error messages ("a string").
    label: str
    #: Stub annotation; ``{target}`` is the related entity type.
    annotation: str
    #: Python types the query builder takes for a literal (``None``: any).
    literal_types: Optional[Tuple[type, ...]]
    #: Why a parsed literal cannot be compared with this kind (``None`` when it can).
    literal_problem: Callable[[Any], Optional[str]] = attrs.field(repr=False)
    #: Custom attribute configuration types whose values are of this kind → their converter.
    custom_types: Mapping[str, Converter] = attrs.field(factory=dict, repr=False)
    #: JSON types a wire value of this kind may have (``None``: any).
    wire_types: Optional[Tuple[type, ...]] = None
    #: Sandbox: SQLite column type, and the SQL compared for a column (``{}`` is the column).
    column: str = "TEXT"
    column_expression: str = "{}"
    #: Sandbox: wire value → column value (``store(value, label)``; ``ValueError`` names ``label``).
    store: Callable[[Any, str], Any] = attrs.field(default=_store_same, repr=False)
    #: Sandbox: column value → wire value.
    load: Callable[[Any], Any] = attrs.field(default=_load_same, repr=False)
    #: Sandbox: query literal → column value (``TypeError``/``ValueError`` if it cannot be).
    coerce: Callable[[Any], Any] = attrs.field(default=_load_same, repr=False)
    #: ``"reference"``, ``"collection"`` (mapped or not) or ``None`` for a scalar.
    relation: Optional[str] = None
    #: The pandas dtype of a column of this kind (``None``: as pandas infers it).
    dtype: Optional[str] = None

    @property
    def is_scalar(self) -> bool:
        return self.relation is None

    @property
    def is_reference(self) -> bool:
        return self.relation == "reference"

    @property
    def is_collection(self) -> bool:
        """Collections and mapped collections."""
        return self.relation == "collection"

    def fail(self, value: Any, attribute: Target) -> TypeError:
        """The error for assigning ``value`` of the wrong type to ``attribute``."""
        return _wrong(attribute.qualname, self.label, value)

    def annotation_for(self, target: Optional[str], required: bool) -> str:
        """The stub annotation; a scalar that is not required may be ``None``."""
        text = self.annotation.format(target=target)
        if self.relation is not None or required or text == "Any":
            return text
        return f"Optional[{text}]"

    def accepts_literal(self, value: Any) -> bool:
        """True when the builder may compare this kind with the Python value ``value``."""
        return self.literal_types is None or value is None or accepts(self.literal_types, value)

    def accepts_wire(self, value: Any) -> bool:
        """True when ``value`` has a JSON type a wire value of this kind may have."""
        return self.wire_types is None or value is None or accepts(self.wire_types, value)


def _json_kind(name: str, schema_type: Tuple[Optional[str], Optional[str]],
               custom_types: Optional[Mapping[str, Converter]] = None) -> Kind:
    return Kind(
        name=name, schema_types=(schema_type,), python_types=_JSON_TYPES, convert=_convert_json,
        label="a JSON value", annotation="Any", literal_types=None, literal_problem=_no_problem,
        custom_types=custom_types or {}, column_expression="json_extract({}, '$')",
        store=_store_json, load=_load_json,
    )


def _relation_kind(name: str, schema_types: Tuple[Tuple[Optional[str], Optional[str]], ...], convert: Assign,
                   label: str, annotation: str, relation: str) -> Kind:
    return Kind(
        name=name, schema_types=schema_types, python_types=(object,), convert=convert, label=label,
        annotation=annotation, literal_types=None, literal_problem=_no_problem, relation=relation,
    )


def _integer_problem(value: Any) -> Optional[str]:
    return _number_problem(value, bool_ok=False)


def _float_problem(value: Any) -> Optional[str]:
    return _number_problem(value, bool_ok=True)


#: Attribute kind name → its :class:`Kind`. THE table; nothing else tells kinds apart.
KINDS: Dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind(
            name="string", schema_types=(("string", None), ("string", "foreign_key"), (None, "foreign_key")),
            python_types=(str,), convert=_convert_string, label="a string", annotation="str",
            literal_types=(str,), literal_problem=_no_problem,
            custom_types={"text": _custom_text, "url": _custom_text}, wire_types=(str,),
            store=_store_string, coerce=_coerce_string,
        ),
        Kind(
            name="integer", schema_types=(("integer", None), ("integer", "foreign_key")),
            python_types=(int,), convert=_convert_integer, label="an integer", annotation="int",
            literal_types=(int,), literal_problem=_integer_problem, wire_types=(int,),
            column="INTEGER", store=_store_integer, coerce=_coerce_integer, dtype="Int64",
        ),
        Kind(
            name="number", schema_types=(("number", None),),
            python_types=(int, float), convert=_convert_number, label="a number", annotation="float",
            literal_types=(int, float), literal_problem=_float_problem,
            custom_types={"number": _custom_number}, wire_types=(int, float),
            column="REAL", store=_store_number, load=float, coerce=float, dtype="float64",
        ),
        Kind(
            name="boolean", schema_types=(("boolean", None),),
            python_types=(bool,), convert=_convert_boolean, label="a boolean", annotation="bool",
            literal_types=(bool,), literal_problem=_boolean_problem,
            custom_types={"boolean": _custom_boolean}, wire_types=(bool,),
            column="INTEGER", store=_store_boolean, load=bool, coerce=_coerce_boolean, dtype="boolean",
        ),
        Kind(
            name="datetime", schema_types=(("string", "date-time"),),
            python_types=(_dt.datetime,), convert=_convert_datetime, label="a datetime", annotation="datetime",
            literal_types=(_dt.datetime, _dt.date, str), literal_problem=_time_problem,
            custom_types={"date": _custom_date}, wire_types=(dict, str),
            store=_store_datetime, load=_load_datetime, coerce=_store_datetime, dtype="datetime64[ns, UTC]",
        ),
        Kind(
            name="date", schema_types=(("string", "date"),),
            python_types=(_dt.date,), convert=_convert_date, label="a date", annotation="date",
            literal_types=(_dt.date, str), literal_problem=_time_problem, wire_types=(dict, str),
            store=_store_date, load=_load_date, coerce=_store_date,
        ),
        _json_kind("json", ("string", "json")),
        _json_kind("object", ("object", None)),
        _json_kind("variable", ("variable", None), {
            "enumerator": _custom_enumerator,
            "dynamic enumerator": _custom_enumerator,
            "expression": _custom_read_only,
        }),
        _relation_kind("reference", (), _convert_reference, "an entity", "Optional[{target}]", "reference"),
        _relation_kind("collection", (("array", None),), _convert_collection, "a list of entities",
                       "MutableSequence[{target}]", "collection"),
        _relation_kind("mapped_collection", (("mapped_array", None),), _convert_any, "a mapping",
                       "MutableMapping[str, Any]", "collection"),
    )
}

#: The kind of a schema property whose type the table does not know.
FALLBACK = KINDS["variable"]

_BY_SCHEMA_TYPE: Dict[Tuple[Optional[str], Optional[str]], Kind] = {
    key: kind for kind in KINDS.values() for key in kind.schema_types
}
_BY_CUSTOM_TYPE: Dict[str, Tuple[Kind, Converter]] = {
    type_name: (kind, converter) for kind in KINDS.values() for type_name, converter in kind.custom_types.items()
}


def kind_of_property(prop: Mapping[str, Any]) -> Kind:
    """The kind of one ``query_schemas`` property (a ``$ref`` without a ``type`` is a reference).

    As in the official client, a ``type`` wins: ``DashboardResource.dashboard_id``
    carries both and is a string key.
    """
    if "$ref" in prop and "type" not in prop:
        return KINDS["reference"]
    type_, format_ = prop.get("type"), prop.get("format")
    return _BY_SCHEMA_TYPE.get((type_, format_)) or _BY_SCHEMA_TYPE.get((type_, None)) or FALLBACK


def custom_kind(type_name: str) -> Optional[Kind]:
    """The kind of the values of custom attribute configuration type ``type_name`` (``None``: unknown)."""
    found = _BY_CUSTOM_TYPE.get(type_name)
    return found[0] if found is not None else None


def convert_custom(type_name: str, value: Any, where: str) -> Any:
    """Convert a user value for a custom attribute of configuration type ``type_name``.

    ``None`` clears the value; an unknown type takes any value.
    """
    if value is None:
        return None
    found = _BY_CUSTOM_TYPE.get(type_name)
    return value if found is None else found[1](value, where)
