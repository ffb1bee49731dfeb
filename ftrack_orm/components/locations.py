"""Locations as Python objects: where a component's bytes live, and how they get there.

A location has a ``name``, the ``id`` of its ``Location`` row and a ``priority``
(lower is preferred by :meth:`Locations.pick`). It turns a component into a
*resource identifier* (:meth:`Location.resource_identifier`) and moves data
(:meth:`Location.transfer`, which returns an undo callable used when the commit
that registers the data fails).

* :class:`ServerLocation` (``ftrack.server``): uploads to the server.
* :class:`UnmanagedLocation` (``ftrack.unmanaged``): records the source path, copies nothing.
* :class:`DiskLocation`: a studio disk under a ``prefix``, paths from a
  :class:`~ftrack_orm.components.structure.StandardStructure`.

Studios register their own kinds by name with :func:`register_location_plugin`
and configure sites in code (:meth:`Locations.add`) or with a JSON file named by
``FTRACK_ORM_LOCATIONS``: ``{"studio.disk": {"plugin": "disk", "prefix": "/mnt/projects",
"priority": 10}}``.
"""
from __future__ import annotations

import json
import os
import shutil
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from ..entity.base import Entity
from .progress import Progress
from .structure import StandardStructure
from .transfer import Transfers, Upload

SERVER_LOCATION_ID = "3a372bde-05bc-11e4-8908-20c9d081909b"
UNMANAGED_LOCATION_ID = "cb268ecc-8809-11e3-a7e2-20c9d081909b"
ORIGIN_LOCATION_ID = "ce9b348f-8809-11e3-821c-20c9d081909b"
REVIEW_LOCATION_ID = "cd41be70-8809-11e3-b98a-20c9d081909b"
CONNECT_LOCATION_ID = "07b82a97-8cf9-11e3-9383-20c9d081909b"

_BUILT_IN = frozenset({"ftrack.server", "ftrack.unmanaged", "ftrack.review", "ftrack.origin", "ftrack.connect"})

#: (component, source path or None for a container, resource identifier)
Item = Tuple[Entity, Optional[str], str]
Undo = Callable[[], None]


def file_name(component: Entity) -> str:
    """``name`` + ``file_type`` of a component (``main.exr``)."""
    return f"{component['name']}{component['file_type'] or ''}"


class Location:
    """A place components live; subclasses say how data gets there."""

    #: Whether :meth:`get_filesystem_path` answers a path on this machine.
    accessible_on_disk = False

    def __init__(self, name: str, location_id: Optional[str] = None, priority: int = 100) -> None:
        self.name = name
        self.id = location_id
        self.priority = priority

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"

    def resource_identifier(self, component: Entity, source: Optional[str]) -> str:
        """Where ``component`` will be in this location (default: its id)."""
        return str(component["id"])

    def transfer(self, items: Sequence[Item], progress: Optional[Progress]) -> Undo:
        """Put the data of ``items`` in place (before the commit registering them); returns its undo."""
        return lambda: None

    def remove_data(self, resource_identifiers: Sequence[str]) -> None:
        """Delete stored data (no-op for locations that do not manage data)."""

    def get_filesystem_path(self, resource_identifier: str) -> Optional[str]:
        """The path of a resource on this machine, or ``None`` when it has none."""
        return None


class UnmanagedLocation(Location):
    """``ftrack.unmanaged``: the resource identifier is the source path; nothing is copied."""

    accessible_on_disk = True

    def resource_identifier(self, component: Entity, source: Optional[str]) -> str:
        return os.path.abspath(source) if source else str(component["id"])

    def get_filesystem_path(self, resource_identifier: str) -> Optional[str]:
        return resource_identifier


class ServerLocation(Location):
    """``ftrack.server``: bytes uploaded to the server, resource identifier = component id."""

    def __init__(self, transfers: Transfers, name: str = "ftrack.server", location_id: str = SERVER_LOCATION_ID,
                 priority: int = 150) -> None:
        super().__init__(name, location_id, priority)
        self.transfers = transfers

    def transfer(self, items: Sequence[Item], progress: Optional[Progress]) -> Undo:
        uploads = [Upload(ri, source, file_name(component), os.path.getsize(source))
                   for component, source, ri in items if source is not None]
        self.transfers.upload(uploads, progress)
        return lambda: self.transfers.remove([upload.component_id for upload in uploads])

    def remove_data(self, resource_identifiers: Sequence[str]) -> None:
        self.transfers.remove(list(resource_identifiers))


class DiskLocation(Location):
    """A studio disk: files copied under ``prefix`` at paths from ``structure``."""

    accessible_on_disk = True

    def __init__(self, name: str, prefix: str, structure: Optional[StandardStructure] = None,
                 location_id: Optional[str] = None, priority: int = 50) -> None:
        super().__init__(name, location_id, priority)
        self.prefix = os.path.abspath(prefix)
        self.structure = structure or StandardStructure()

    def resource_identifier(self, component: Entity, source: Optional[str]) -> str:
        return self.structure.resource_identifier(component)

    def transfer(self, items: Sequence[Item], progress: Optional[Progress]) -> Undo:
        written: List[str] = []

        def undo() -> None:
            for path in written:
                if os.path.exists(path):
                    os.remove(path)

        if progress is not None:
            progress.start(sum(os.path.getsize(source) for _, source, _ in items if source))
        try:
            for component, source, resource_identifier in items:
                if source is None:
                    continue
                target = self.get_filesystem_path(resource_identifier)
                if os.path.exists(target):
                    raise FileExistsError(f"{self.name}: {target} already exists; a location never overwrites.")
                os.makedirs(os.path.dirname(target), exist_ok=True)
                written.append(target)
                shutil.copyfile(source, target)
                if progress is not None:
                    progress.advance(file_name(component), os.path.getsize(target))
        except BaseException:
            undo()
            raise
        finally:
            if progress is not None:
                progress.close()
        return undo

    def remove_data(self, resource_identifiers: Sequence[str]) -> None:
        for resource_identifier in resource_identifiers:
            path = self.get_filesystem_path(resource_identifier)
            if os.path.isfile(path):
                os.remove(path)

    def get_filesystem_path(self, resource_identifier: str) -> str:
        path = os.path.normpath(os.path.join(self.prefix, resource_identifier))
        if os.path.commonpath([path, self.prefix]) != self.prefix:
            raise ValueError(f"{self.name}: resource {resource_identifier!r} points outside {self.prefix}.")
        return path


#: Location kinds by plugin name: ``factory(name, **options) -> Location``.
_PLUGINS: Dict[str, Callable[..., Location]] = {"disk": DiskLocation, "unmanaged": UnmanagedLocation}


def register_location_plugin(plugin: str, factory: Callable[..., Location]) -> None:
    """Make ``{"plugin": plugin}`` in a locations config build locations with ``factory(name, **options)``."""
    _PLUGINS[plugin] = factory


class Locations:
    """The locations one session knows, by name; the built-in ones are always there."""

    def __init__(self, transfers: Transfers, config: Optional[str] = None) -> None:
        self._by_name: Dict[str, Location] = {}
        self.add(ServerLocation(transfers))
        self.add(UnmanagedLocation("ftrack.unmanaged", UNMANAGED_LOCATION_ID, priority=90))
        self.add(UnmanagedLocation("ftrack.review", REVIEW_LOCATION_ID, priority=110))
        self.add(UnmanagedLocation("ftrack.origin", ORIGIN_LOCATION_ID, priority=100))
        path = config or os.environ.get("FTRACK_ORM_LOCATIONS")
        if path:
            self.configure(_load(path))

    def configure(self, config: Mapping[str, Mapping[str, Any]]) -> None:
        """Add locations from ``{name: {"plugin": ..., **options}}`` (see the module docstring)."""
        for name, options in config.items():
            options = dict(options)
            plugin = options.pop("plugin", "disk")
            if plugin not in _PLUGINS:
                raise ValueError(f"Location {name!r}: no location plugin {plugin!r}; known: {sorted(_PLUGINS)}.")
            self.add(_PLUGINS[plugin](name, **options))

    def add(self, location: Location) -> Location:
        """Register ``location`` under its name (replacing one of that name)."""
        self._by_name[location.name] = location
        return location

    def get(self, name_or_id: str) -> Location:
        """The location of that name or id (``KeyError`` naming the known ones)."""
        found = self._by_name.get(name_or_id) or next(
            (location for location in self._by_name.values() if location.id == name_or_id), None)
        if found is None:
            raise KeyError(f"No location {name_or_id!r}; known: {sorted(self._by_name)}.")
        return found

    def by_priority(self) -> List[Location]:
        """Every location, preferred first (lowest priority number)."""
        return sorted(self._by_name.values(), key=lambda location: location.priority)

    def default(self) -> Location:
        """Where ``location="auto"`` puts new components: the preferred studio location, else the server."""
        studio = [loc for loc in self.by_priority() if loc.name not in _BUILT_IN]
        return studio[0] if studio else self.get("ftrack.server")


def _load(path: str) -> Dict[str, Dict[str, Any]]:
    with open(path, encoding="utf-8") as handle:
        config = json.load(handle)
    if not isinstance(config, dict):
        raise ValueError(f"{path}: a locations config is an object of name -> options.")
    return config
