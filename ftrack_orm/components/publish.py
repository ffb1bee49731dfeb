"""Publishing files: components recorded in the unit of work, bytes moved around the commit.

:meth:`Publisher.create_component` records (nothing is sent) a ``FileComponent``
for a file, a ``SequenceComponent`` with one member per frame for a sequence
(``shot.%04d.exr [1001-1100]`` or a list of frame paths), or a
``ContainerComponent`` for several files; size, file type and name come from the
data on disk, and a ``ComponentLocation`` in the target location is recorded too.

:meth:`Publisher.commit` wraps the session's commit: first every pending
transfer runs (uploads in parallel, copies to disk locations); if one fails, the
data already moved is removed and nothing is committed (the recorded entities stay
pending, so the commit can be retried). Then the ONE commit registers components
and locations together; if it fails, the moved data is removed again. Data that
could not be removed (the server unreachable by then) is listed in
:attr:`Publisher.orphans` (and logged) for :meth:`Publisher.clean_orphans`.
Removals recorded by ``location.remove_component`` delete their data only after
the commit that deregisters them succeeded. After a commit, the official client's
events ``ftrack.location.component-added`` / ``-removed`` (``{component_id,
location_id}``) are announced. Pending transfers are dropped by a rollback.

Every component made from a path is remembered in ``ftrack.origin`` (the session's
memory, as in the official client), so ``location.add_component(component, origin)``
works for it later.
"""
from __future__ import annotations

import logging
import os
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple, TypeVar, Union

import attrs

from ..entity.base import Entity
from .locations import Item, Location, Locations, file_name
from .progress import ProgressArgument, progress_for
from .sequences import FileSequence, from_paths, parse

PathOrPaths = Union[str, "os.PathLike[str]", Sequence[Union[str, "os.PathLike[str]"]]]
Create = Callable[[str, Dict[str, Any]], Entity]
#: ``announce(topic, [(component_id, location_id), ...])`` after a commit.
Announce = Callable[[str, Sequence[Tuple[str, str]]], None]
T = TypeVar("T")

ADDED_TOPIC = "ftrack.location.component-added"
REMOVED_TOPIC = "ftrack.location.component-removed"

logger = logging.getLogger(__name__)


@attrs.define
class _Pending:
    location: Location
    items: List[Item]
    progress: ProgressArgument


class Publisher:
    """Creates components and runs their transfers around commits (one per session)."""

    def __init__(self, create: Create, locations: Locations, location_id: Callable[[Location], str],
                 announce: Optional[Announce] = None) -> None:
        self._create = create
        self.locations = locations
        self._location_id = location_id
        self._announce = announce or (lambda topic, pairs: None)
        self._pending: List[_Pending] = []
        self._removals: List[Tuple[Location, List[Tuple[str, str]]]] = []
        #: Stored data a failed publish could not remove (``"<location>: <resource>"``).
        self.orphans: List[str] = []

    # -- recording --------------------------------------------------------------------------
    def create_component(self, path: PathOrPaths, data: Optional[Mapping[str, Any]] = None,
                         location: Union[str, Location, None] = "auto", progress: ProgressArgument = None) -> Entity:
        """Record the component(s) for ``path`` (see the module docstring); returns the top component.

        ``location``: ``"auto"`` (as the official client: see :meth:`Locations.auto`), a
        location name or object, or ``None`` (only ``ftrack.origin``, the session's memory). Raises ``FileNotFoundError`` /
        ``ValueError`` before anything is recorded when a file is missing or a pattern is bad.
        """
        data = dict(data or {})
        target = self._target(location, data)
        if isinstance(path, (str, os.PathLike)):
            text = os.fspath(path)
            sequence = parse(text)
            if sequence is None:
                _check_files([text])
                component = self._file(text, data)
                self._record(target, [(component, text)], progress)
                return component
        else:
            paths = [os.fspath(p) for p in path]
            if not paths:
                raise ValueError("create_component() needs a path, a sequence pattern or a list of paths.")
            sequence = from_paths(paths)
            if sequence is None:
                _check_files(paths)
                return self._container(paths, data, target, progress)
        _check_files(sequence.paths)
        return self._sequence(sequence, data, target, progress)

    def _target(self, location: Union[str, Location, None], data: Mapping[str, Any]) -> Optional[Location]:
        if location is None or isinstance(location, Location):
            return location
        return self.locations.auto(data) if location == "auto" else self.locations.get(location)

    def _file(self, path: str, data: Dict[str, Any]) -> Entity:
        base, extension = os.path.splitext(os.path.basename(path))
        values = {"name": base, "file_type": extension, "size": os.path.getsize(path), **data}
        return self._create("FileComponent", values)

    def _sequence(self, sequence: FileSequence, data: Dict[str, Any], target: Optional[Location],
                  progress: ProgressArgument) -> Entity:
        sizes = [os.path.getsize(path) for path in sequence.paths]
        file_type = os.path.splitext(sequence.tail)[1] or sequence.tail
        name = os.path.basename(sequence.head).rstrip("._-") or "sequence"
        container = self._create("SequenceComponent", {
            "name": name, "file_type": file_type, "padding": sequence.padding, "size": sum(sizes), **data})
        container["metadata"]["frame_range"] = f"{sequence.frames[0]}-{sequence.frames[-1]}"
        container["metadata"]["pattern"] = str(sequence)
        members: List[Tuple[Entity, Optional[str]]] = [(container, None)]
        for frame, path, size in zip(sequence.frames, sequence.paths, sizes):
            member = self._create("FileComponent", {"name": sequence.index(frame), "file_type": file_type,
                                                    "size": size, "container": container})
            members.append((member, path))
        self._record(target, members, progress)
        return container

    def _container(self, paths: Sequence[str], data: Dict[str, Any], target: Optional[Location],
                   progress: ProgressArgument) -> Entity:
        sizes = [os.path.getsize(path) for path in paths]
        container = self._create("ContainerComponent", {"name": "container", "size": sum(sizes), **data})
        members: List[Tuple[Entity, Optional[str]]] = [(container, None)]
        for path in paths:
            members.append((self._file(path, {"container": container}), path))
        self._record(target, members, progress)
        return container

    def _record(self, location: Optional[Location], components: Sequence[Tuple[Entity, Optional[str]]],
                progress: ProgressArgument) -> None:
        container = components[0][0] if components[0][1] is None else None
        members = [component for component, _ in components[1:]] if container is not None else []
        for component, path in components:
            self.locations.origin.remember(component, path, members if component is container else ())
        if location is not None and location is not self.locations.origin:
            self.add_components(location, components, progress)

    def add_components(self, location: Location, components: Sequence[Tuple[Entity, Optional[str]]],
                       progress: ProgressArgument = None) -> None:
        """Record ``(component, source path or None)`` pairs in ``location``: their data moves at commit."""
        location_id = self._location_id(location)
        items: List[Item] = []
        for component, source in components:
            resource_identifier = location.resource_identifier(component, source)
            self._create("ComponentLocation", {"component_id": component["id"], "location_id": location_id,
                                               "resource_identifier": resource_identifier})
            items.append((component, source, resource_identifier))
        self._pending.append(_Pending(location, items, progress))

    def remove_after_commit(self, location: Location, removed: Sequence[Tuple[str, str]]) -> None:
        """Remove the data of ``(component_id, resource_identifier)`` pairs from ``location`` once the
        next commit (which deletes their ``ComponentLocation`` rows) succeeded."""
        self._removals.append((location, list(removed)))

    # -- around the commit --------------------------------------------------------------------
    @property
    def has_pending(self) -> bool:
        """Whether a commit has transfers to run first (or data to remove after it)."""
        return bool(self._pending or self._removals)

    def commit(self, run_commit: Callable[[], T]) -> T:
        """Run pending transfers, then ``run_commit()``; undo the transfers if either fails."""
        pending, undo = list(self._pending), []
        grouped: Dict[int, _Pending] = {}  # one transfer per location: one metadata call, one thread pool
        for entry in pending:
            group = grouped.setdefault(id(entry.location), _Pending(entry.location, [], entry.progress))
            group.items.extend(entry.items)
            group.progress = group.progress or entry.progress
        try:
            for group in grouped.values():
                label = f"{group.location.name}: {len(group.items)} component(s)"
                undo.append(group.location.transfer(group.items, progress_for(group.progress, label)))
            result = run_commit()
        except BaseException:
            left = [resource for step in reversed(undo) for resource in step()]
            if left:
                self.orphans.extend(left)
                logger.warning("A failed publish left %d stored file(s) it could not remove; see "
                               "session.components.publisher.orphans and clean_orphans().", len(left))
            raise
        self._pending = [entry for entry in self._pending if entry not in pending]
        removals, self._removals = self._removals, []
        for location, removed in removals:
            self.orphans.extend(location.remove_data([resource for _, resource in removed]))
            self._announce(REMOVED_TOPIC, [(component_id, str(location.id)) for component_id, _ in removed])
        for group in grouped.values():
            self._announce(ADDED_TOPIC, [(str(component["id"]), str(group.location.id))
                                         for component, _, _ in group.items])
        return result

    def clean_orphans(self) -> List[str]:
        """Try again to remove :attr:`orphans`; returns (and keeps) those still left."""
        by_name: Dict[str, List[str]] = {}
        for orphan in self.orphans:
            name, _, resource = orphan.partition(": ")
            by_name.setdefault(name, []).append(resource)
        self.orphans = [left for name, resources in by_name.items()
                        for left in self.locations.get(name).remove_data(resources)]
        return list(self.orphans)

    def discard(self) -> None:
        """Forget pending transfers and removals (the session rolled back)."""
        self._pending.clear()
        self._removals.clear()


def _check_files(paths: Sequence[str]) -> None:
    missing = [path for path in paths if not os.path.isfile(path)]
    if missing:
        more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
        raise FileNotFoundError(f"create_component(): no file {missing[0]!r}{more}.")


__all__ = ["Publisher", "file_name"]
