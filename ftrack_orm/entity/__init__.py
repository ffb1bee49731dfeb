"""The object mapper: entity classes generated from schemas, their state and loading.

See :mod:`ftrack_orm.identity` for the identity map that ties these together.
"""
from __future__ import annotations

from .base import Entity
from .changes import ChangeTracker, MappedChange, Snapshot, mapped_changes
from .collections import Collection, CustomAttributes, MappedCollection, collection_diff
from .custom_attributes import CustomAttributeConfig, CustomAttributeConfigurations
from .factory import RESERVED, TypeRegistry, python_name
from .loading import Loader, ResultGroup, parse_projections
from .state import MISSING, NOT_LOADED, DetachedEntityError, EntityState, NotLoadedError

__all__ = [
    "Entity", "ChangeTracker", "MappedChange", "Snapshot", "mapped_changes",
    "Collection", "CustomAttributes", "MappedCollection", "collection_diff",
    "CustomAttributeConfig", "CustomAttributeConfigurations",
    "RESERVED", "TypeRegistry", "python_name",
    "Loader", "ResultGroup", "parse_projections",
    "MISSING", "NOT_LOADED", "DetachedEntityError", "EntityState", "NotLoadedError",
]
