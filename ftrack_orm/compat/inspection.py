"""The official client's inspection functions (``ftrack_api.inspection``) over
:func:`ftrack_orm.inspect`."""
from __future__ import annotations

from collections import OrderedDict
from typing import Any, Dict, Iterable, List, Tuple

from ..entity.base import Entity
from ..entity.inspection import inspect
from . import symbol

#: ftrack_orm's entity states -> the official symbols (a detached entity is ``NOT_SET``).
_STATES: Dict[str, Any] = {"new": symbol.CREATED, "dirty": symbol.MODIFIED, "deleted": symbol.DELETED}


def primary_key(entity: Entity) -> OrderedDict[str, str]:
    """``{name: value as str}`` of the primary key, in schema order."""
    view = inspect(entity)
    return OrderedDict((name, str(value)) for name, value in zip(view.schema.primary_key, view.primary_key))


def identity(entity: Entity) -> Tuple[str, List[str]]:
    """``(entity type, [primary key values as str])``."""
    return entity.entity_type, list(primary_key(entity).values())


def state(entity: Entity) -> Any:
    """``symbol.CREATED``, ``MODIFIED``, ``DELETED``, or ``NOT_SET`` (nothing pending)."""
    return _STATES.get(inspect(entity).state, symbol.NOT_SET)


def states(entities: Iterable[Entity]) -> List[Any]:
    """:func:`state` of each entity."""
    return [state(entity) for entity in entities]
