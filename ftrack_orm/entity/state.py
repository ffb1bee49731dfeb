"""Per-entity change state: what the user changed since the server last confirmed.

An entity keeps the values the server sent in a plain dict (``entity._values``,
adopted from the decoded JSON). Everything the *user* changes lives apart, in an
:class:`EntityState` that exists only once something happened to the entity
(``entity._state is None`` for the thousands of untouched loaded entities):

* ``local``: wire name -> current local value (for a mapped collection:
  key -> value of the changed keys only);
* ``originals``: wire name -> the value the attribute had when it was FIRST
  changed (``NOT_LOADED`` if it was never loaded; for a mapped collection:
  key -> first original value, ``MISSING`` for a key that did not exist);
* flags ``new`` (created locally, not yet committed), ``deleted`` (deletion
  pending) and ``detached`` (no longer part of the session: rolled back while
  new, or deleted on the server).

Server refreshes write ``entity._values`` only, so they never clobber local
changes: reads look at ``local`` first.
"""
from __future__ import annotations

from typing import Any, Dict, Optional

from ..errors import FtrackOrmError


class _Sentinel:
    __slots__ = ("_name",)

    def __init__(self, name: str) -> None:
        self._name = name

    def __repr__(self) -> str:
        return self._name

    def __bool__(self) -> bool:
        return False

    def __reduce__(self) -> str:
        return self._name


#: The value of an attribute that was never loaded (in ``changes`` of new entities).
NOT_LOADED: Any = _Sentinel("NOT_LOADED")
#: A mapped-collection key that does not exist (an added key's old value, a removed key's new value).
MISSING: Any = _Sentinel("MISSING")


class NotLoadedError(FtrackOrmError, RuntimeError):
    """An attribute is not loaded and may not (or cannot) be fetched now."""


class DetachedEntityError(FtrackOrmError, RuntimeError):
    """The entity is no longer part of its session (rolled back or deleted)."""


class DeletedEntityError(FtrackOrmError, ValueError):
    """A value was assigned to an entity whose deletion is pending (revert the delete first)."""


def deleted_error(entity: Any, qualname: str) -> DeletedEntityError:
    """The error for assigning ``qualname`` of ``entity`` while its deletion is pending."""
    return DeletedEntityError(f"{qualname}: {entity!r} is deleted (pending); an assignment would be lost. "
                              "Roll back or revert the deletion first.")


_new_object = object.__new__


class EntityState:
    """Local changes and lifecycle flags of one entity (see the module docstring)."""

    __slots__ = ("local", "originals", "new", "deleted", "detached")

    def __init__(self, new: bool = False) -> None:
        self.local: Dict[str, Any] = {}
        self.originals: Dict[str, Any] = {}
        self.new = new
        self.deleted = False
        self.detached: Optional[str] = None  # reason, when detached

    @classmethod
    def created(cls, local: Dict[str, Any]) -> EntityState:
        """The state of a new entity whose local values start as ``local`` (none loaded)."""
        state = _new_object(cls)
        state.local = local
        state.originals = dict.fromkeys(local, NOT_LOADED)
        state.new = True
        state.deleted = False
        state.detached = None
        return state

    @property
    def is_pristine(self) -> bool:
        """True when nothing distinguishes the entity from its server values."""
        return not (self.local or self.new or self.deleted or self.detached)


def same_value(a: Any, b: Any) -> bool:
    """Equality used to decide whether an assignment is a change (identity for entities)."""
    if a is b:
        return True
    if a is NOT_LOADED or b is NOT_LOADED or a is MISSING or b is MISSING:
        return False
    if isinstance(a, bool) is not isinstance(b, bool):
        return False
    try:
        return bool(a == b)
    except Exception:  # pragma: no cover - exotic values
        return False
