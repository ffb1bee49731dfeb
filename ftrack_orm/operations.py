"""Operations of the ftrack API: the wire dicts ``Session.call`` sends (the unit of
work builds its operations with them too).

>>> from ftrack_orm import operations
>>> operations.update("Task", ["3f2c"], {"name": "Layout"})
{'action': 'update', 'entity_type': 'Task', 'entity_key': ['3f2c'], 'entity_data': {'name': 'Layout'}}
"""
from __future__ import annotations

from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Union

Key = Union[str, int, Sequence[Any]]

#: Actions that never change server data (a batch of only these may be re-sent).
READ_ONLY_ACTIONS = frozenset({"query", "query_schemas", "query_server_information", "get_upload_metadata",
                               "get_widget_url"})


def _key_list(key: Key) -> List[Any]:
    if isinstance(key, (str, int)):
        return [key]
    return list(key)


def query(expression: str) -> Dict[str, Any]:
    """A ``query`` operation."""
    return {"action": "query", "expression": expression}


def query_schemas() -> Dict[str, Any]:
    """A ``query_schemas`` operation."""
    return {"action": "query_schemas"}


def query_server_information(values: Optional[Iterable[str]] = None) -> Dict[str, Any]:
    """A ``query_server_information`` operation, optionally asking for extra ``values``."""
    operation: Dict[str, Any] = {"action": "query_server_information"}
    if values:
        operation["values"] = list(values)
    return operation


def create(entity_type: str, data: Mapping[str, Any]) -> Dict[str, Any]:
    """A ``create`` operation; ``data`` may hold the primary key (a client-made id)."""
    return create_from(entity_type, dict(data))


def create_from(entity_type: str, entity_data: Dict[str, Any]) -> Dict[str, Any]:
    """:func:`create` that takes ``entity_data`` over instead of copying it (the caller
    built it for this operation; it gains ``__entity_type__``)."""
    entity_data["__entity_type__"] = entity_type
    return {"action": "create", "entity_type": entity_type, "entity_data": entity_data}


def update(entity_type: str, key: Key, data: Mapping[str, Any]) -> Dict[str, Any]:
    """An ``update`` operation; ``key`` is the primary-key value(s) in ``primary_key`` order."""
    return update_from(entity_type, key, dict(data))


def update_from(entity_type: str, key: Key, entity_data: Dict[str, Any]) -> Dict[str, Any]:
    """:func:`update` that takes ``entity_data`` over instead of copying it."""
    return {"action": "update", "entity_type": entity_type, "entity_key": _key_list(key), "entity_data": entity_data}


def delete(entity_type: str, key: Key) -> Dict[str, Any]:
    """A ``delete`` operation."""
    return {"action": "delete", "entity_type": entity_type, "entity_key": _key_list(key)}


def get_upload_metadata(component_id: str, file_name: str, file_size: int) -> Dict[str, Any]:
    """A ``get_upload_metadata`` operation."""
    return {"action": "get_upload_metadata", "component_id": component_id, "file_name": file_name, "file_size": file_size}


def get_widget_url(name: str, theme: Optional[str] = None, entity_type: Optional[str] = None,
                   entity_key: Optional[Key] = None) -> Dict[str, Any]:
    """A ``get_widget_url`` operation (an entity's type and key for widgets that show one)."""
    operation: Dict[str, Any] = {"action": "get_widget_url", "name": name, "theme": theme}
    if entity_type is not None and entity_key is not None:
        operation.update(entity_type=entity_type, entity_key=_key_list(entity_key))
    return operation


def delayed_job(job_type: str) -> Dict[str, Any]:
    """A ``delayed_job`` operation (``job_type`` such as ``"SYNC_USERS_LDAP"``)."""
    return {"action": "delayed_job", "job_type": job_type}


def reset_remote(reset_type: str, entity_type: Optional[str] = None, entity_key: Any = None) -> Dict[str, Any]:
    """A ``reset_remote`` operation, optionally on one entity (``entity_key``: its id, as
    the official client sends it)."""
    operation: Dict[str, Any] = {"action": "reset_remote", "reset_type": reset_type}
    if entity_type is not None and entity_key is not None:
        operation.update(entity_type=entity_type, entity_key=entity_key)
    return operation


def send_user_invite(user_id: str) -> Dict[str, Any]:
    """A ``send_user_invite`` operation."""
    return {"action": "send_user_invite", "user_id": user_id}


def is_read_only(batch: Iterable[Mapping[str, Any]]) -> bool:
    """True when every operation of ``batch`` only reads."""
    return all(op.get("action") in READ_ONLY_ACTIONS for op in batch)

