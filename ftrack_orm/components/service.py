"""The component API of a session: publish, locate, download, thumbnails, review encodes.

:class:`Components` is what ``Session.create_component``, ``download``,
``pick_location``, ``get_component_availability``, ``create_thumbnail`` and
``encode_media`` delegate to. It needs only a narrow view of the session
(:class:`SessionView`).
"""
from __future__ import annotations

import os
from typing import Any, Dict, List, Mapping, Optional, Protocol, Sequence, Set, Union

from .. import operations as ops
from ..client import WireClient
from ..entity.base import Entity
from .locations import SERVER_LOCATION_ID, Location, Locations, file_name
from .progress import ProgressArgument, progress_for
from .publish import PathOrPaths, Publisher
from .transfer import TransferError, Transfers


class SessionView(Protocol):
    """What :class:`Components` uses of a session."""

    @property
    def client(self) -> WireClient: ...

    def create(self, entity_type: str, data: Optional[Mapping[str, Any]] = None) -> Entity: ...

    def call(self, operations: Sequence[Mapping[str, Any]]) -> List[Any]: ...

    def commit(self, chunk_size: Optional[int] = None) -> Any: ...


class Components:
    """Component operations of one session (see the module docstring)."""

    def __init__(self, session: SessionView, locations_config: Optional[str] = None, **transfer_options: Any) -> None:
        self._session = session
        self.transfers = Transfers(session.client, **transfer_options)
        self.locations = Locations(self.transfers, locations_config)
        self.publisher = Publisher(session.create, self.locations, self._location_id)
        self._location_ids: Dict[str, str] = {}

    def close(self) -> None:
        """Close the transfer connection pool."""
        self.transfers.close()

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
        component = self.publisher.create_component(path, {"name": "thumbnail", **dict(data or {})},
                                                    location="ftrack.server")
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

    def pick_location(self, component: Entity) -> Optional[Location]:
        """The preferred known location holding all of ``component``, or ``None``."""
        availability = self.get_component_availability([component])[0]
        for location in self.locations.by_priority():
            if location.id is not None and availability.get(location.id, 0.0) >= 100.0:
                return location
        return None

    def resource_identifier(self, component: Entity, location: Location) -> str:
        """The resource identifier of ``component`` in ``location`` (``KeyError`` if it is not there)."""
        location_id = self._location_id(location)
        rows = self._session.client.call([ops.query(
            f"select resource_identifier from ComponentLocation where component_id is {component['id']} "
            f"and location_id is {location_id}")])[0]["data"]
        if not rows:
            raise KeyError(f"Component {component['id']} is not in location {location.name!r}.")
        return str(rows[0]["resource_identifier"])

    def get_filesystem_path(self, component: Entity, location: Location) -> Optional[str]:
        """The path of ``component`` in ``location`` on this machine (``None`` for the server)."""
        return location.get_filesystem_path(self.resource_identifier(component, location))

    # -- download ------------------------------------------------------------------------------
    def download(self, component: Entity, path: str, progress: ProgressArgument = None) -> str:
        """Fetch a component's bytes to ``path`` (a container's members into the directory ``path``,
        as ``<container name>.<member name><file type>``). Returns ``path``."""
        members = self._session.client.call([ops.query(
            f"select id, name, file_type from Component where container_id is {component['id']}")])[0]["data"]
        if members:
            os.makedirs(path, exist_ok=True)
            for member in members:
                target = os.path.join(path, f"{component['name']}.{member['name']}{member['file_type'] or ''}")
                self._download_file(str(member["id"]), target, progress)
            return path
        return self._download_file(str(component["id"]), path, progress, file_name(component))

    def _download_file(self, component_id: str, path: str, progress: ProgressArgument, name: str = "") -> str:
        rows = self._session.client.call([ops.query(
            f"select location_id, resource_identifier from ComponentLocation where component_id is {component_id}"
        )])[0]["data"]
        by_location = {row["location_id"]: row["resource_identifier"] for row in rows}
        if SERVER_LOCATION_ID in by_location:
            return self.transfers.download(str(by_location[SERVER_LOCATION_ID]), path,
                                           progress_for(progress, name or os.path.basename(path)), name)
        for location in self.locations.by_priority():
            source = location.get_filesystem_path(by_location[location.id]) \
                if location.id in by_location and location.accessible_on_disk else None
            if source and os.path.isfile(source):
                import shutil

                shutil.copyfile(source, path)
                return path
        raise TransferError(f"Component {component_id} is in no location this session can read "
                            f"(locations: {sorted(by_location) or 'none'}).", [component_id])
