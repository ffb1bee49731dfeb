"""Studio mixins: user classes placed in front of generated entity classes.

A mixin for ``"Task"`` becomes a base of the ``Task`` class a session generates
(before the supertype), so its methods and properties are available on every
``session.Task`` instance (and on subtypes of the type it is registered for).
Mixins come from two places, applied in this order: the module-level registry
(:func:`register_mixin`, every session) and ``Session(mixins={...})`` (one session).

A mixin may not define a name the schema gives the entity type (its attribute
names, as Python names): the class factory raises :class:`MixinConflictError`.
A mixin should declare ``__slots__ = ()``, or its instances get a ``__dict__``.
"""
from __future__ import annotations

import threading
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

from ..errors import FtrackOrmError

_registry: Dict[str, List[type]] = {}
_lock = threading.Lock()


class MixinConflictError(FtrackOrmError, TypeError):
    """A mixin defines a name that is an attribute of the entity type's schema."""


def register_mixin(entity_type: str, mixin: type) -> None:
    """Add ``mixin`` to the classes generated for ``entity_type`` from now on, in
    every session (classes a session already generated are not changed)."""
    if not isinstance(mixin, type):
        raise TypeError(f"register_mixin({entity_type!r}, ...) takes a class, got {mixin!r}")
    with _lock:
        mixins = _registry.setdefault(entity_type, [])
        if mixin not in mixins:
            mixins.append(mixin)


def unregister_mixin(entity_type: str, mixin: type) -> None:
    """Undo :func:`register_mixin` (for sessions created afterwards)."""
    with _lock:
        mixins = _registry.get(entity_type, [])
        if mixin in mixins:
            mixins.remove(mixin)


def mixins_for(entity_type: str, extra: Optional[Mapping[str, Sequence[type]]] = None) -> Tuple[type, ...]:
    """The mixins of ``entity_type``: registered ones, then ``extra`` (a session's)."""
    with _lock:
        found = list(_registry.get(entity_type, ()))
    for mixin in (extra or {}).get(entity_type, ()):
        if mixin not in found:
            found.append(mixin)
    return tuple(found)


def check_mixin(entity_type: str, mixin: type, taken: Mapping[str, str]) -> None:
    """Raise :class:`MixinConflictError` if ``mixin`` (or its bases) defines a name in
    ``taken`` (Python name -> wire name of the schema's attributes)."""
    for klass in mixin.__mro__:
        if klass is object:
            continue
        for name in vars(klass):
            if name in taken:
                raise MixinConflictError(
                    f"Mixin {mixin.__qualname__} for {entity_type} defines {name!r}, which is the "
                    f"schema attribute {entity_type}.{taken[name]}; rename it in the mixin."
                )
