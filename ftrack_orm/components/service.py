"""The component API of a session: publish, locate, download, thumbnails, review encodes.

:class:`Components` is what ``Session.create_component``, ``download``,
``pick_location``, ``get_component_availability``, ``create_thumbnail`` and
``encode_media`` delegate to. It needs only a narrow view of the session
(:class:`SessionView`).
"""
from __future__ import annotations

import os
import shutil
from typing import Any, Dict, List, Mapping, Optional, Protocol, Sequence, Set, Tuple, Union

from .. import operations as ops
from ..client import WireClient
from ..entity.base import Entity
from ..events.event import Event
from ..events.hub import EventHub
from .locations import CONTAINER_TYPES, SERVER_LOCATION_ID, Location, Locations, file_name
from .progress import ProgressArgument, progress_for
from .publish import PathOrPaths, Publisher
from .registry import LocationRegistry
from .transfer import Download, TransferError, Transfers


class SessionView(Protocol):
    """What :class:`Components` uses of a session."""

    @property
    def client(self) -> WireClient: ...

    @property
    def event_hub(self) -> EventHub: ...

    def create(self, entity_type: str, data: Optional[Mapping[str, Any]] = None) -> Entity: ...

    def delete(self, entity_or_type: Any, keys: Any = None) -> None: ...

    def call(self, operations: Sequence[Mapping[str, Any]]) -> List[Any]: ...

    def commit(self, chunk_size: Optional[int] = None) -> Any: ...


class Components:
    """Component operations of one session (see the module docstring)."""

    def __init__(self, session: SessionView, locations_config: Optional[str] = None, **transfer_options: Any) -> None:
        self._session = session
        self.transfers = Transfers(session.client, **transfer_options)
        self.locations = Locations(self.transfers, locations_config)
        self.publisher = Publisher(session.create, self.locations, self._location_id, self._announce)
        self.locations.bind(LocationRegistry(session.call, session.delete, self.publisher, self.locations,
                                             self._location_id))
        self._location_ids: Dict[str, str] = {}

    def close(self) -> None:
        """Close the transfer connection pool."""
        self.transfers.close()

    def _announce(self, topic: str, pairs: Sequence[Tuple[str, str]]) -> None:
        """Publish location events as the official client does (``on_error="ignore"``: only on a
        connected hub, never failing the commit that already succeeded)."""
        hub = self._session.event_hub
        if not pairs or not hub.is_connected:
            return
        for component_id, location_id in pairs:
            try:
                hub.publish(Event(topic, data={"component_id": component_id, "location_id": location_id}))
            except Exception:  # noqa: BLE001 - as the official client: an event never fails a publish
                return

    def _location_id(self, location: Location) -> str:
        if location.id is not None:
            return location.id
        known = self._location_ids.get(location.name)
        if known is None:
            rows = self._session.call([ops.query(f'select id from Location where name is "{location.name}"')])[0]["data"]
            if rows:
                known = str(rows[0]["id"])
            else:  # a studio location seen for the first time: its row is created with the publish
                known = str(self._session.create("Location", {"name": location.name, "label": location.name})["id"])
            self._location_ids[location.name] = known
        location.id = known
        return known

    # -- publish ---------------------------------------------------------------------------
    def create_component(self, path: PathOrPaths, data: Optional[Mapping[str, Any]] = None,
                         location: Union[str, Location, None] = "auto", progress: ProgressArgument = None) -> Entity:
        """See :meth:`Publisher.create_component`."""
        return self.publisher.create_component(path, data, location, progress)

    def create_thumbnail(self, entity: Entity, path: str, data: Optional[Mapping[str, Any]] = None) -> Entity:
        """Record an image component named ``thumbnail`` in the server location and set ``entity.thumbnail``."""
        component = self.publisher.create_component(path, {**dict(data or {}), "name": (data or {}).get("name")
                                                           or "thumbnail"}, location="ftrack.server")
        entity["thumbnail"] = component
        return component

    def encode_media(self, media: Union[str, Entity], version: Optional[Entity] = None,
                     keep_original: Union[bool, str] = "auto") -> Entity:
        """Ask the server to encode ``media`` (a path, uploaded and committed first, or a component in
        ``ftrack.server``) for review; returns the ``Job``. The sandbox answers a finished job
        whose outputs hold the source bytes (it cannot transcode)."""
        if isinstance(media, Entity):
            component = media
            keep = True if keep_original == "auto" else bool(keep_original)
        else:
            keep = False if keep_original == "auto" else bool(keep_original)
            component = self.create_component(media, {"version_id": version["id"]} if version is not None and keep
                                              else None, location="ftrack.server")
            self._session.commit()
        answer = self._session.call([{"action": "encode_media", "component_id": component["id"],
                                      "version_id": version["id"] if version is not None else None,
                                      "keep_original": keep}])[0]
        job: Entity = self._session.call([ops.query(
            f"select id, status, type, data, job_components.component_id from Job where id is {answer['job_id']}"
        )])[0]["data"][0]
        return job

    # -- where components are ----------------------------------------------------------------
    def get_component_availability(self, components: Sequence[Entity]) -> List[Dict[str, float]]:
        """For each component, ``{location_id: percent}`` over every ``Location`` (ONE request).

        A container's availability is the share of its members present in each location."""
        ids = [str(component["id"]) for component in components]
        if not ids:
            return []
        listed = ", ".join(f'"{i}"' for i in ids)
        locations, placed, members = self._session.client.call([
            ops.query("select id from Location"),
            ops.query(f"select component_id, location_id from ComponentLocation where component_id in ({listed}) "
                      f"or component.container_id in ({listed})"),
            ops.query(f"select id, container_id from Component where container_id in ({listed})"),
        ])
        where: Dict[str, Set[str]] = {}
        for row in placed["data"]:
            where.setdefault(row["component_id"], set()).add(row["location_id"])
        children: Dict[str, List[str]] = {}
        for row in members["data"]:
            children.setdefault(row["container_id"], []).append(row["id"])
        answers = []
        for component_id in ids:
            availability = {}
            for location in locations["data"]:
                location_id = location["id"]
                parts = children.get(component_id)
                if parts:
                    share = sum(location_id in where.get(part, ()) for part in parts) / len(parts)
                else:
                    share = 1.0 if location_id in where.get(component_id, ()) else 0.0
                availability[location_id] = 100.0 * share
            answers.append(availability)
        return answers

    def pick_location(self, component: Optional[Entity] = None) -> Optional[Location]:
        """As the official client: the preferred location (lowest priority number) the server lists
        ``component`` in (a container: any of its members; ``ftrack.origin`` is memory, never
        listed), or with no component the preferred one; ``None`` when none of this session's has it."""
        if component is None:
            return self.locations.by_priority()[0]
        availability = self.get_component_availability([component])[0]
        for location in self.locations.by_priority():
            if location.id is not None and availability.get(location.id, 0.0) > 0.0:
                return location
        return None

    def get_filesystem_path(self, component: Entity, location: Location) -> Optional[str]:
        """``location.get_filesystem_path(component)`` (``None`` for the server)."""
        return location.get_filesystem_path(component)

    # -- download ------------------------------------------------------------------------------
    def download(self, component: Entity, path: str, progress: ProgressArgument = None) -> str:
        """Fetch a component's bytes to ``path`` (a container's members into the directory ``path``,
        as ``<container name>.<member name><file type>``). Returns ``path``."""
        self.download_many([(component, path)], progress)
        return path

    def download_many(self, targets: Sequence[Tuple[Entity, str]], progress: ProgressArgument = None) -> List[str]:
        """:meth:`download` for many ``(component, path)`` pairs: ONE request finds where every file
        is, then the files come in parallel (see :meth:`Transfers.download_all`). Returns the paths."""
        ids = [str(component["id"]) for component, _ in targets]
        if not ids:
            return []
        listed = ", ".join(f'"{i}"' for i in ids)
        members, placed = self._session.client.call([
            ops.query(f"select id, name, file_type, size, container_id from Component where container_id in ({listed})"),
            ops.query(f"select component_id, location_id, resource_identifier from ComponentLocation "
                      f"where component_id in ({listed}) or component.container_id in ({listed})"),
        ])
        children: Dict[str, List[Mapping[str, Any]]] = {}
        for row in members["data"]:
            children.setdefault(str(row["container_id"]), []).append(row)
        where: Dict[str, Dict[str, str]] = {}
        for row in placed["data"]:
            where.setdefault(str(row["component_id"]), {})[str(row["location_id"])] = str(row["resource_identifier"])
        files: List[Tuple[str, str, str, int]] = []  # component id, target path, name, size
        for component, path in targets:
            component_id = str(component["id"])
            parts = children.get(component_id)
            if parts or component.__entity_type__ in CONTAINER_TYPES:
                os.makedirs(path, exist_ok=True)
                for member in parts or ():
                    name = f"{component['name']}.{member['name']}{member['file_type'] or ''}"
                    files.append((str(member["id"]), os.path.join(path, name), name, int(member["size"] or 0)))
            else:
                files.append((component_id, path, file_name(component), int(component["size"] or 0)))
        downloads = []
        for component_id, path, name, size in files:
            by_location = where.get(component_id, {})
            if SERVER_LOCATION_ID in by_location:
                downloads.append(Download(by_location[SERVER_LOCATION_ID], path, name, size))
            else:
                self._copy_from_disk(component_id, by_location, path)
        label = f"download: {len(downloads)} file(s)"
        self.transfers.download_all(downloads, progress_for(progress, label))
        return [path for _, path in targets]

    def _copy_from_disk(self, component_id: str, by_location: Mapping[str, str], path: str) -> None:
        for location in self.locations.by_priority():
            resource = by_location.get(location.id or "")
            source = location.path_of(resource) if resource is not None and location.accessible_on_disk else None
            if source and os.path.isfile(source):
                shutil.copyfile(source, path)
                return
        raise TransferError(f"Component {component_id} is in no location this session can read "
                            f"(locations: {sorted(by_location) or 'none'}).", [component_id])
