"""Which component is in which location: the session side of :class:`~.locations.Location`.

:class:`LocationRegistry` answers a location's component-level calls with as few
requests as possible: the resource identifiers of many components in ONE query
(``ftrack.origin`` answers from the session's memory, no request), ``add`` checks
that none of the components is there yet and finds the members of committed
containers in ONE request, then records them with the
:class:`~.publish.Publisher` (data moved at the next commit); ``remove`` finds the
``ComponentLocation`` rows of the components and their members in ONE query, records
their deletion and has the publisher remove the data after the commit.
"""
from __future__ import annotations

from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from .. import operations as ops
from ..entity.base import Entity
from .locations import CONTAINER_TYPES, Location, LocationError, Locations
from .publish import Publisher

#: Runs a batch of operations (one request), answering one result per operation.
Call = Callable[[Sequence[Mapping[str, Any]]], List[Any]]


def _listed(ids: Sequence[str]) -> str:
    return ", ".join(f'"{i}"' for i in ids)


def _ids(components: Sequence[Entity]) -> List[str]:
    return [str(component["id"]) for component in components]


def _named(ids: Sequence[str]) -> str:
    return ", ".join(ids[:3]) + (f" (and {len(ids) - 3} more)" if len(ids) > 3 else "")


class LocationRegistry:
    """Implements :class:`~.locations.Registry` for one session (see the module docstring)."""

    def __init__(self, call: Call, delete: Callable[[Entity], None], publisher: Publisher,
                 locations: Locations, location_id: Callable[[Location], str]) -> None:
        self._call = call
        self._delete = delete
        self._publisher = publisher
        self._locations = locations
        self._location_id = location_id

    def resource_identifiers(self, location: Location, components: Sequence[Entity]) -> List[str]:
        """The resource identifiers of ``components`` in ``location``, in order (one request at most)."""
        ids = _ids(components)
        if not ids:
            return []
        if location.memory is not None:
            found = {i: location.memory[i] for i in ids if i in location.memory}
        else:
            rows = self._call([ops.query(
                f"select component_id, resource_identifier from ComponentLocation where location_id is "
                f"{self._location_id(location)} and component_id in ({_listed(ids)})")])[0]["data"]
            found = {str(row["component_id"]): str(row["resource_identifier"]) for row in rows}
        missing = [i for i in ids if i not in found]
        if missing:
            raise LocationError(f"Component(s) {_named(missing)} not in location {location.name!r}.")
        return [found[i] for i in ids]

    def add(self, location: Location, components: Sequence[Entity], source: Location) -> None:
        """Record ``components`` (containers with their members) in ``location``, data from ``source``."""
        if not components:
            return
        pairs = self._with_members(location, components)
        files = [component for component, is_container in pairs if not is_container]
        if not source.accessible_on_disk:
            raise LocationError(f"Cannot add components to {location.name!r} from {source.name!r}: it has no "
                                "paths on this machine (download them first, then add from ftrack.origin).")
        paths = dict(zip(_ids(files), (source.path_of(ri) for ri in self.resource_identifiers(source, files))))
        if location.memory is not None:
            for component, is_container in pairs:
                location.memory[str(component["id"])] = "" if is_container else str(paths[str(component["id"])])
            return
        self._publisher.add_components(location, [(component, None if is_container else paths[str(component["id"])])
                                                  for component, is_container in pairs])

    def _with_members(self, location: Location, components: Sequence[Entity]) -> List[Tuple[Entity, bool]]:
        """``(component, is container)``, members before their container; ONE request checks that none
        is in ``location`` yet and fetches the members of containers made before this session."""
        origin = self._locations.origin
        unknown = [str(c["id"]) for c in components
                   if c.__entity_type__ in CONTAINER_TYPES and origin.members_of(str(c["id"])) is None]
        members: Dict[str, List[Entity]] = {}
        operations = []
        if location.memory is None:
            operations.append(ops.query(
                f"select component_id from ComponentLocation where location_id is {self._location_id(location)} "
                f"and (component_id in ({_listed(_ids(components))}) or component.container_id in "
                f"({_listed(_ids(components))}))"))
        if unknown:
            operations.append(ops.query(
                f"select id, name, file_type, container_id, container.id from Component where container_id in "
                f"({_listed(unknown)})"))
        answers = self._call(operations) if operations else []
        if location.memory is None and answers[0]["data"]:
            present = sorted({str(row["component_id"]) for row in answers[0]["data"]})
            raise LocationError(f"Component(s) {_named(present)} already in location {location.name!r}.")
        if unknown:
            for row in answers[-1]["data"]:
                members.setdefault(str(row["container_id"]), []).append(row)
        pairs: List[Tuple[Entity, bool]] = []
        for component in components:
            component_id = str(component["id"])
            if component.__entity_type__ in CONTAINER_TYPES:
                known: Optional[List[Entity]] = origin.members_of(component_id)
                pairs.extend((member, False) for member in (known if known is not None else members.get(component_id, [])))
                pairs.append((component, True))
            else:
                pairs.append((component, False))
        return pairs

    def remove(self, location: Location, components: Sequence[Entity]) -> None:
        """Record the removal of ``components`` (and members) from ``location`` (see the module)."""
        ids = _ids(components)
        if not ids:
            return
        if location.memory is not None:
            missing = [i for i in ids if i not in location.memory]
            if missing:
                raise LocationError(f"Component(s) {_named(missing)} not in location {location.name!r}.")
            if location is self._locations.origin:
                self._locations.origin.forget(ids)
            return
        rows = self._call([ops.query(
            f"select id, component_id, resource_identifier, component.container_id from ComponentLocation "
            f"where location_id is {self._location_id(location)} and (component_id in ({_listed(ids)}) "
            f"or component.container_id in ({_listed(ids)}))")])[0]["data"]
        present = {str(row["component_id"]) for row in rows}
        missing = [i for i in ids if i not in present]
        if missing:
            raise LocationError(f"Component(s) {_named(missing)} not in location {location.name!r}.")
        for row in rows:
            self._delete(row)
        self._publisher.remove_after_commit(
            location, [(str(row["component_id"]), str(row["resource_identifier"])) for row in rows])
