"""Locations as Python objects: where a component's bytes live, and how they get there.

A location has a ``name``, the ``id`` of its ``Location`` row and a ``priority``
(lower is preferred, as in the official client: ``session.pick_location`` and
``location="auto"``, see :meth:`Locations.auto`). It turns a component into a
*resource identifier* (:meth:`Location.resource_identifier`) and moves data
(:meth:`Location.transfer`, which returns an undo callable used when the commit
that registers the data fails). Its component-level API (``add_component``,
``remove_component``, ``get_filesystem_path``, ``get_url``) is the official client's.

* :class:`ServerLocation` (``ftrack.server``): uploads to the server.
* :class:`UnmanagedLocation` (``ftrack.unmanaged``): records the source path, copies nothing.
* :class:`OriginLocation` (``ftrack.origin``): where components made from paths come
  from, kept in the session's memory as the official client does.
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
from typing import Any, Callable, Dict, List, Mapping, Optional, Protocol, Sequence, Tuple

from ..entity.base import Entity
from ..errors import FtrackOrmError
from .progress import Progress
from .structure import StandardStructure
from .transfer import Transfers, Upload

SERVER_LOCATION_ID = "3a372bde-05bc-11e4-8908-20c9d081909b"
UNMANAGED_LOCATION_ID = "cb268ecc-8809-11e3-a7e2-20c9d081909b"
ORIGIN_LOCATION_ID = "ce9b348f-8809-11e3-821c-20c9d081909b"
REVIEW_LOCATION_ID = "cd41be70-8809-11e3-b98a-20c9d081909b"
CONNECT_LOCATION_ID = "07b82a97-8cf9-11e3-9383-20c9d081909b"

#: Component names that ``location="auto"`` puts in ``ftrack.review`` (as the official client does).
REVIEW_NAMES = frozenset({"ftrackreview-mp4", "ftrackreview-webm", "ftrackreview-image"})
#: Component types whose data is their members' data.
CONTAINER_TYPES = frozenset({"ContainerComponent", "SequenceComponent"})

#: (component, source path or None for a container, resource identifier)
Item = Tuple[Entity, Optional[str], str]
#: Undoes a transfer; returns what it could not remove (``"<location>: <resource>"``), for cleanup.
Undo = Callable[[], List[str]]


class LocationError(FtrackOrmError):
    """A component is not (or already) in a location, or a location cannot do what was asked."""


class Registry(Protocol):
    """What a location asks of the session about the components it holds (see :mod:`.registry`)."""

    def resource_identifiers(self, location: Location, components: Sequence[Entity]) -> List[str]: ...

    def add(self, location: Location, components: Sequence[Entity], source: Location) -> None: ...

    def remove(self, location: Location, components: Sequence[Entity]) -> None: ...


def file_name(component: Entity) -> str:
    """``name`` + ``file_type`` of a component (``main.exr``)."""
    return f"{component['name']}{component['file_type'] or ''}"


class Location:
    """A place components live; subclasses say how data gets there.

    The component-level methods (``add_component``, ``remove_component``,
    ``get_resource_identifier``, ``get_filesystem_path``, ``get_url``) are those of the
    official client's locations; they work once the location is in a session's
    :class:`Locations` (``session.components.locations``). Unlike the official client,
    adding and removing are recorded: the next ``session.commit()`` moves the data and
    registers it (one commit), then publishes ``ftrack.location.component-added`` /
    ``-removed`` events on a connected event hub.
    """

    #: Whether :meth:`path_of` answers a path on this machine.
    accessible_on_disk = False
    #: Resource identifiers kept in memory by the session instead of the server (``ftrack.origin``).
    memory: Optional[Dict[str, str]] = None

    def __init__(self, name: str, location_id: Optional[str] = None, priority: int = 100) -> None:
        self.name = name
        self.id = location_id
        self.priority = priority
        self._registry: Optional[Registry] = None

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"

    def bind(self, registry: Registry) -> None:
        """Attach the session side (done by :meth:`Locations.add`)."""
        self._registry = registry

    @property
    def registry(self) -> Registry:
        """The session side of this location (``LocationError`` when it is in no session)."""
        if self._registry is None:
            raise LocationError(f"Location {self.name!r} is not in a session: add it with "
                                "session.components.locations.add(location).")
        return self._registry

    # -- components (the official client's location API) --------------------------------------
    def add_component(self, component: Entity, source: Location) -> None:
        """Record ``component`` (a container with its members) in this location, its data taken
        from ``source`` (e.g. ``ftrack.origin`` for a component made from a path) at the next commit."""
        self.registry.add(self, [component], source)

    def add_components(self, components: Sequence[Entity], source: Location) -> None:
        """:meth:`add_component` for several components (one request to check them all)."""
        self.registry.add(self, list(components), source)

    def remove_component(self, component: Entity) -> None:
        """Record the removal of ``component`` (and a container's members) from this location: the next
        commit deletes its ``ComponentLocation`` rows, then the stored data is removed."""
        self.registry.remove(self, [component])

    def get_resource_identifier(self, component: Entity) -> str:
        """Where ``component`` is in this location (``LocationError`` when it is not here)."""
        return self.registry.resource_identifiers(self, [component])[0]

    def get_resource_identifiers(self, components: Sequence[Entity]) -> List[str]:
        """:meth:`get_resource_identifier` for several components, in one request."""
        return self.registry.resource_identifiers(self, components)

    def get_filesystem_path(self, component: Entity) -> Optional[str]:
        """The path of ``component`` on this machine (``None`` when this location has no paths)."""
        return self.path_of(self.get_resource_identifier(component))

    def get_url(self, component: Entity) -> str:
        """A URL of ``component``'s data (the server's carries the API key: never log it)."""
        return self.url_of(self.get_resource_identifier(component))

    # -- data (what subclasses define) ---------------------------------------------------------
    def resource_identifier(self, component: Entity, source: Optional[str]) -> str:
        """Where ``component`` will be in this location (default: its id)."""
        return str(component["id"])

    def transfer(self, items: Sequence[Item], progress: Optional[Progress]) -> Undo:
        """Put the data of ``items`` in place (before the commit registering them); returns its undo."""
        return lambda: []

    def remove_data(self, resource_identifiers: Sequence[str]) -> List[str]:
        """Delete stored data; returns the resources it could not delete (none for unmanaged data)."""
        return []

    def path_of(self, resource_identifier: str) -> Optional[str]:
        """The path of a resource on this machine, or ``None`` when it has none."""
        return None

    def url_of(self, resource_identifier: str) -> str:
        """The URL of a resource (a ``file://`` URL for a location with paths)."""
        path = self.path_of(resource_identifier)
        if path is None:
            raise LocationError(f"Location {self.name!r} has no URL for its resources.")
        return "file://" + os.path.abspath(path).replace(os.sep, "/")


class UnmanagedLocation(Location):
    """``ftrack.unmanaged``: the resource identifier is the source path; nothing is copied."""

    accessible_on_disk = True

    def resource_identifier(self, component: Entity, source: Optional[str]) -> str:
        return os.path.abspath(source) if source else str(component["id"])

    def path_of(self, resource_identifier: str) -> Optional[str]:
        return resource_identifier


class OriginLocation(UnmanagedLocation):
    """``ftrack.origin``: where a component made from a path comes from. As in the official client
    it lives in the session's memory (component id -> source path), never on the server; a
    container remembers its members so it can be added to other locations before it is committed."""

    def __init__(self, name: str = "ftrack.origin", location_id: str = ORIGIN_LOCATION_ID,
                 priority: int = 100) -> None:
        super().__init__(name, location_id, priority)
        self.memory: Dict[str, str] = {}
        self._members: Dict[str, List[Entity]] = {}

    def remember(self, component: Entity, path: Optional[str], members: Sequence[Entity] = ()) -> None:
        """Record that ``component``'s data is at ``path`` (a container: ``members``)."""
        self.memory[str(component["id"])] = os.path.abspath(path) if path else ""
        if members:
            self._members[str(component["id"])] = list(members)

    def forget(self, component_ids: Sequence[str]) -> None:
        """Drop what is remembered of ``component_ids``."""
        for component_id in component_ids:
            self.memory.pop(component_id, None)
            self._members.pop(component_id, None)

    def members_of(self, component_id: str) -> Optional[List[Entity]]:
        """The members of a container made in this session (``None``: not known here)."""
        return self._members.get(component_id)


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
        return lambda: self.remove_data([upload.component_id for upload in uploads])

    def remove_data(self, resource_identifiers: Sequence[str]) -> List[str]:
        return [f"{self.name}: {ri}" for ri in self.transfers.remove(list(resource_identifiers))]

    def url_of(self, resource_identifier: str) -> str:
        return self.transfers.client.component_url("component/get", {"id": resource_identifier})


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

        def undo() -> List[str]:
            return self._remove_paths(written)

        if progress is not None:
            progress.start(sum(os.path.getsize(source) for _, source, _ in items if source))
        try:
            for component, source, resource_identifier in items:
                if source is None:
                    continue
                target = self.path_of(resource_identifier)
                if os.path.exists(target):
                    raise LocationError(f"{self.name}: {target} already exists; a location never overwrites.")
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

    def remove_data(self, resource_identifiers: Sequence[str]) -> List[str]:
        return self._remove_paths([self.path_of(ri) for ri in resource_identifiers])

    def _remove_paths(self, paths: Sequence[str]) -> List[str]:
        left = []
        for path in paths:
            try:
                if os.path.isfile(path):
                    os.remove(path)
            except OSError:
                left.append(f"{self.name}: {path}")
        return left

    def path_of(self, resource_identifier: str) -> str:
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
        self._registry: Optional[Registry] = None
        # the official client's built-in locations and priorities
        self.add(ServerLocation(transfers))
        self.add(UnmanagedLocation("ftrack.unmanaged", UNMANAGED_LOCATION_ID, priority=90))
        self.add(UnmanagedLocation("ftrack.review", REVIEW_LOCATION_ID, priority=110))
        self.origin = OriginLocation()
        self.add(self.origin)
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

    def bind(self, registry: Registry) -> None:
        """Attach the session side to every location, now and when added."""
        self._registry = registry
        for location in self._by_name.values():
            location.bind(registry)

    def add(self, location: Location) -> Location:
        """Register ``location`` under its name (replacing one of that name)."""
        self._by_name[location.name] = location
        if self._registry is not None:
            location.bind(self._registry)
        return location

    def get(self, name_or_id: str) -> Location:
        """The location of that name or id (``LocationError`` naming the known ones)."""
        found = self._by_name.get(name_or_id) or next(
            (location for location in self._by_name.values() if location.id == name_or_id), None)
        if found is None:
            raise LocationError(f"No location {name_or_id!r}; known: {sorted(self._by_name)}.")
        return found

    def by_priority(self) -> List[Location]:
        """Every location, preferred first (lowest priority number)."""
        return sorted(self._by_name.values(), key=lambda location: location.priority)

    def auto(self, data: Mapping[str, Any]) -> Location:
        """Where ``location="auto"`` puts a new component with ``data``, as the official client's
        ``create_component`` does: ``ftrack.review`` for the ``ftrackreview-*`` names, else the
        preferred location (lowest priority number: a studio disk at 50, else ``ftrack.unmanaged``
        at 90; ``ftrack.server`` is 150, so it is used only when named)."""
        if data.get("name") in REVIEW_NAMES:
            return self.get("ftrack.review")
        return self.by_priority()[0]


def _load(path: str) -> Dict[str, Dict[str, Any]]:
    with open(path, encoding="utf-8") as handle:
        config = json.load(handle)
    if not isinstance(config, dict):
        raise ValueError(f"{path}: a locations config is an object of name -> options.")
    return config
