"""What a valid answer to each operation looks like, checked before anyone uses it.

The wire client checks every decoded result against the operation it answers:

* ``query``: an object with ``data``, a list of entities (objects carrying an
  ``__entity_type__``, decoded or not) or plain objects, and ``metadata``, an object;
* ``create`` / ``update``: an object whose ``data`` is an entity;
* ``delete``: an object whose ``data`` is ``true``;
* other actions (schemas, server information, upload metadata, ...): not checked here.

Anything else raises :class:`~ftrack_orm.errors.MalformedResponseError`; when the
batch writes, a :class:`~ftrack_orm.errors.MalformedWriteResponseError` (also an
:class:`~ftrack_orm.errors.OutcomeUnknownError`): the batch may have been applied.
Whether a create/update answer is the entity of the sent key is the unit of work's
check (it knows the entities), through :func:`malformed`.
"""
from __future__ import annotations

from typing import Any, Mapping, Optional, Sequence, Type

from .errors import MalformedResponseError, MalformedWriteResponseError

#: Appended to the text of a malformed answer to a batch that writes.
OUTCOME_UNKNOWN = (" The batch writes: it may or may not have been applied on the server, so nothing"
                   " was marked committed; check the server before committing again.")


def is_entity(value: Any) -> bool:
    """True for a decoded entity object or an undecoded entity dict."""
    return hasattr(value, "__entity_type__") or (type(value) is dict and "__entity_type__" in value)


def _row_type_ok(cls: type) -> bool:
    return issubclass(cls, dict) or hasattr(cls, "__entity_type__")


def problem(operation: Mapping[str, Any], result: Any) -> Optional[str]:
    """What is wrong with ``result`` as the answer to ``operation``, or ``None``."""
    action = operation.get("action")
    if action == "query":
        if type(result) is not dict:
            return f"{_shown(result)} where a query result object was expected"
        data = result.get("data")
        if type(data) is not list:
            return f"a query result whose data is {_shown(data)}, not a list of entities"
        bad = [cls for cls in set(map(type, data)) if not _row_type_ok(cls)]
        if bad:
            return f"a query result whose rows include {', '.join(sorted(c.__name__ for c in bad))} values"
        if type(result.get("metadata")) is not dict:
            return "a query result without metadata"
        return None
    if action == "create" or action == "update":
        data = result.get("data") if type(result) is dict else None
        if data is None or not is_entity(data):
            shown = _shown(result) if type(result) is not dict else f"data {_shown(data)}"
            return f"{shown} where the {'created' if action == 'create' else 'updated'} entity was expected"
        return None
    if action == "delete":
        if type(result) is not dict or result.get("data") is not True:
            shown = _shown(result) if type(result) is not dict else f"data {_shown(result.get('data'))}"
            return f"{shown} where true (deleted) was expected"
    return None


def check(batch: Sequence[Mapping[str, Any]], results: Sequence[Any], *, writes: bool,
          status: Optional[int] = None) -> None:
    """Raise :func:`malformed` for the first result that does not answer its operation."""
    for index, (operation, result) in enumerate(zip(batch, results)):
        action = operation.get("action")
        if action in _CHECKED:
            # the commit path's common answers pass inline (no call per operation)
            if action == "delete":
                if type(result) is dict and result.get("data") is True:
                    continue
            elif action != "query" and type(result) is dict and hasattr(result.get("data"), "__entity_type__"):
                continue
            found = problem(operation, result)
            if found is not None:
                raise malformed(found, writes=writes, index=index, operation=operation, status=status)


_CHECKED = frozenset(("query", "create", "update", "delete"))


def malformed(found: str, *, writes: bool, index: Optional[int] = None, operation: Optional[Mapping[str, Any]] = None,
              status: Optional[int] = None, entity: Any = None) -> MalformedResponseError:
    """The error for a bad answer: ``found`` says what was wrong; ``writes`` makes it an
    unknown outcome (:class:`MalformedWriteResponseError`)."""
    cls: Type[MalformedResponseError] = MalformedWriteResponseError if writes else MalformedResponseError
    content = f"The server answered {found}." + (OUTCOME_UNKNOWN if writes else "")
    error = cls(content, status_code=status, operation_index=index, operation=operation)
    error.entity = entity
    return error


def _shown(value: Any) -> str:
    if value is None:
        return "null"
    if value is True or value is False:
        return str(value).lower()
    return type(value).__name__
