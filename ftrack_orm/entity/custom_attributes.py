"""Custom attribute configurations: which keys an entity has, and their value types.

The session loads the ``CustomAttributeConfiguration`` entities (with ``key``,
``entity_type``, ``object_type_id``, ``project_id``, ``is_hierarchical``,
``config``, ``default`` and ``type.name``) and hands them to
:meth:`CustomAttributeConfigurations.from_entities`; the identity map keeps the
result in ``identity_map.custom_attribute_configurations`` (or a zero-argument
callable returning it, resolved on first use).

Matching an entity to configurations (facts about ftrack servers):
``entity_type`` is ``"task"`` for typed contexts (then ``object_type_id`` must
match the entity's object type), ``"show"`` for projects, ``"assetversion"``,
``"asset"``, ``"user"``, ``"list"``; hierarchical configurations apply to every
context; a project-specific configuration shadows a global one with the same key.

Values are converted by the configuration type name through the kind table
(:func:`ftrack_orm.kinds.convert_custom`).
"""
from __future__ import annotations

import json
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Set, Tuple

import attrs

from ..kinds import convert_custom

# Entity type (or a supertype) -> configuration entity_type.
_CONFIG_ENTITY_TYPES: Dict[str, str] = {
    "TypedContext": "task",
    "Project": "show",
    "AssetVersion": "assetversion",
    "Asset": "asset",
    "User": "user",
    "List": "list",
    "TypedContextList": "list",
    "AssetVersionList": "list",
}
#: ``project_id`` meaning "whatever the project" (configurations of every project apply).
_ANY_PROJECT = object()


@attrs.frozen
class CustomAttributeConfig:
    """One custom attribute configuration, normalised."""

    id: str
    key: str
    type_name: str = "text"
    entity_type: Optional[str] = None
    object_type_id: Optional[str] = None
    project_id: Optional[str] = None
    is_hierarchical: bool = False
    default: Any = None
    config: Mapping[str, Any] = attrs.field(factory=dict)

    def convert(self, value: Any, where: str) -> Any:
        """Convert a user value per this configuration's type (``None`` clears it)."""
        value = convert_custom(self.type_name, value, where)
        if value is not None and self.type_name == "enumerator":
            self._check_enumerator(value, where)
        return value

    def _check_enumerator(self, value: List[str], where: str) -> None:
        allowed = _enumerator_values(self.config)
        if allowed is not None:
            unknown = [v for v in value if v not in allowed]
            if unknown:
                raise ValueError(f"{where}: {unknown} not among {sorted(allowed)}")
        if len(value) > 1 and not self.config.get("multiSelect", False):
            raise ValueError(f"{where} takes one value, got {value}")


def _enumerator_values(config: Mapping[str, Any]) -> Optional[Set[Any]]:
    data = config.get("data")
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except ValueError:
            return None
    if not isinstance(data, list):
        return None
    return {item.get("value") for item in data if isinstance(item, dict)}


def _get(source: Any, name: str) -> Any:
    if isinstance(source, Mapping):
        return source.get(name)
    try:
        return source[name]
    except (KeyError, TypeError):
        return None


class CustomAttributeConfigurations:
    """All custom attribute configurations of a server, matched to entities."""

    def __init__(self, configs: Iterable[CustomAttributeConfig]) -> None:
        self.configs: Tuple[CustomAttributeConfig, ...] = tuple(configs)
        self._cache: Dict[Tuple[Any, ...], Dict[str, CustomAttributeConfig]] = {}

    @classmethod
    def from_entities(cls, entities: Iterable[Any]) -> CustomAttributeConfigurations:
        """From ``CustomAttributeConfiguration`` entities or plain dicts (``type`` may be
        an entity/dict with ``name``, or ``type_name`` a string)."""
        configs = []
        for source in entities:
            type_name = _get(source, "type_name")
            if type_name is None:
                type_ref = _get(source, "type")
                type_name = _get(type_ref, "name") if type_ref is not None else "text"
            raw_config = _get(source, "config")
            if isinstance(raw_config, str):
                try:
                    raw_config = json.loads(raw_config)
                except ValueError:
                    raw_config = {}
            default = _get(source, "default")
            configs.append(
                CustomAttributeConfig(
                    id=_get(source, "id"),
                    key=_get(source, "key"),
                    type_name=type_name or "text",
                    entity_type=_get(source, "entity_type"),
                    object_type_id=_get(source, "object_type_id"),
                    project_id=_get(source, "project_id"),
                    is_hierarchical=bool(_get(source, "is_hierarchical")),
                    default=default,
                    config=raw_config if isinstance(raw_config, dict) else {},
                )
            )
        return cls(configs)

    def for_entity(self, entity: Any) -> Dict[str, CustomAttributeConfig]:
        """Key -> configuration for ``entity`` (project-specific before global)."""
        cls = type(entity)
        config_type = None
        for klass in cls.__mro__:
            config_type = _CONFIG_ENTITY_TYPES.get(getattr(klass, "__entity_type__", ""))
            if config_type is not None:
                break
        is_context = any(getattr(k, "__entity_type__", "") == "Context" for k in cls.__mro__)
        object_type_id = _peek(entity, "object_type_id")
        project_id = entity._current_value("id") if config_type == "show" else _project_of(entity)
        return self._matching(config_type, object_type_id, project_id, is_context)

    def for_type(self, lineage: Sequence[str], object_type_id: Optional[str]) -> Dict[str, CustomAttributeConfig]:
        """Key -> configuration an entity type may have in any project (for generated stubs).

        ``lineage``: the type and its supertypes (``["Shot", "TypedContext", "Context"]``);
        ``object_type_id``: its schema default (typed contexts).
        """
        config_type = next((_CONFIG_ENTITY_TYPES[name] for name in lineage if name in _CONFIG_ENTITY_TYPES), None)
        return self._matching(config_type, object_type_id, _ANY_PROJECT, "Context" in lineage)

    def _matching(
        self, config_type: Optional[str], object_type_id: Any, project_id: Any, is_context: bool
    ) -> Dict[str, CustomAttributeConfig]:
        cache_key = (config_type, object_type_id, project_id, is_context)
        found = self._cache.get(cache_key)
        if found is not None:
            return found
        chosen: Dict[str, CustomAttributeConfig] = {}
        ranked = sorted(self.configs, key=lambda c: c.project_id is None)  # project-specific first
        for config in ranked:
            if config.project_id not in (None, project_id) and project_id is not _ANY_PROJECT:
                continue
            applies = (config.is_hierarchical and is_context) or (
                config.entity_type == config_type
                and (config_type != "task" or config.object_type_id in (None, object_type_id))
            )
            if applies and config.key not in chosen:
                chosen[config.key] = config
        self._cache[cache_key] = chosen
        return chosen

    def by_id(self, config_id: str) -> Optional[CustomAttributeConfig]:
        for config in self.configs:
            if config.id == config_id:
                return config
        return None


def _project_of(entity: Any) -> Any:
    """The project id of ``entity``: its ``project_id``, else found up its (new) parents."""
    for _ in range(64):  # a parent chain is never that deep; guards against cycles
        project_id = entity._current_value("project_id")
        if project_id is not None or "parent" not in type(entity)._attributes:
            return project_id
        parent = entity._current_value("parent")
        if parent is None:
            return None
        if parent.__entity_type__ == "Project":
            return parent._current_value("id")
        entity = parent
    return None


def _peek(entity: Any, name: str) -> Any:
    """A loaded/local value without fetching; else the schema default (object_type_id)."""
    value = entity._current_value(name)
    if value is None:
        attribute = type(entity)._schema.attributes.get(name)
        if attribute is not None and attribute.has_default:
            return attribute.default
    return value
