"""The object mapper: entity classes generated from schemas, their state and loading.

Modules, lowest first: ``state`` (per-entity change state), ``protocols`` (what the
lower modules need from the higher ones), ``loading``, ``collections``, ``base``
(the :class:`Entity` class), ``attributes`` (descriptors), ``changes`` (change sets),
``mixins``, ``factory`` (class generation), ``custom_attributes``, ``settings``
(lazy-load configuration), ``lifecycle`` (create/delete/detach/rollback, applying a
landed commit), ``identity`` (the identity map) and ``inspection`` (``inspect()``).
"""
from __future__ import annotations

from .base import Entity
from .changes import ChangeTracker, MappedChange, mapped_changes
from .collections import Collection, CustomAttributes, MappedCollection, collection_diff
from .custom_attributes import CustomAttributeConfig, CustomAttributeConfigurations
from .factory import RESERVED, TypeRegistry, python_name
from .identity import IdentityMap
from .inspection import EntityView, inspect
from .lifecycle import LandedCommit, Lifecycle, Move
from .loading import Loader, ResultGroup, parse_projections
from .mixins import MixinConflictError, register_mixin, unregister_mixin
from .protocols import Descriptor, EntityMap
from .settings import LoadSettings
from .state import MISSING, NOT_LOADED, DeletedEntityError, DetachedEntityError, EntityState, NotLoadedError

__all__ = [
    "Entity", "ChangeTracker", "MappedChange", "mapped_changes",
    "Collection", "CustomAttributes", "MappedCollection", "collection_diff",
    "CustomAttributeConfig", "CustomAttributeConfigurations",
    "RESERVED", "TypeRegistry", "python_name",
    "IdentityMap", "EntityView", "inspect", "LandedCommit", "Lifecycle", "Move",
    "Loader", "ResultGroup", "parse_projections",
    "MixinConflictError", "register_mixin", "unregister_mixin",
    "Descriptor", "EntityMap", "LoadSettings",
    "MISSING", "NOT_LOADED", "DeletedEntityError", "DetachedEntityError", "EntityState", "NotLoadedError",
]
