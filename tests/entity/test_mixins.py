"""Studio mixins: placed before the supertype of generated classes."""
from __future__ import annotations

import pytest

from ftrack_orm import MixinConflictError, register_mixin, unregister_mixin
from ftrack_orm.entity.identity import IdentityMap


class TaskMixin:
    __slots__ = ()

    @property
    def label(self):
        return f"{self.name} ({self.id})"


class ContextMixin:
    __slots__ = ()

    def where(self):
        return "context"


class Clashing:
    def name(self):  # the schema's Task.name
        return "x"


def test_session_mixin_first_in_bases(schemas):
    imap = IdentityMap(schemas, mixins={"Task": [TaskMixin]})
    cls = imap.types["Task"]
    assert cls.__bases__ == (TaskMixin, imap.types["TypedContext"])
    task = imap.merge({"__entity_type__": "Task", "id": "t1", "name": "Comp"})
    assert task.label == "Comp (t1)"
    assert not hasattr(imap.types["Shot"], "label")


def test_registered_mixin_reaches_subtypes(schemas):
    register_mixin("Context", ContextMixin)
    try:
        imap = IdentityMap(schemas)
        shot = imap.merge({"__entity_type__": "Shot", "id": "s1"})
        assert shot.where() == "context"
    finally:
        unregister_mixin("Context", ContextMixin)
    assert not hasattr(IdentityMap(schemas).types["Shot"], "where")


def test_clashing_mixin_is_refused(schemas):
    imap = IdentityMap(schemas, mixins={"Task": [Clashing]})
    with pytest.raises(MixinConflictError, match="Clashing for Task defines 'name'"):
        imap.types["Task"]


def test_register_mixin_takes_a_class():
    with pytest.raises(TypeError):
        register_mixin("Task", TaskMixin())
