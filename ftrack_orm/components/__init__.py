"""Components, locations and file transfers (publishing files).

* :mod:`.sequences`: image sequence patterns and frame lists.
* :mod:`.transfer`: uploads to and downloads from the ``ftrack.server`` location.
* :mod:`.progress`: progress callbacks and tqdm bars.
* :mod:`.structure`: relative paths of components in managed locations.
* :mod:`.locations`: locations as objects (server, unmanaged, origin, disk, plugins).
* :mod:`.registry`: which component is in which location (the session side of locations).
* :mod:`.publish`: recording components and running transfers around the commit.
* :mod:`.service`: the session's component API.
"""
from __future__ import annotations

from .locations import (
    DiskLocation,
    Location,
    LocationError,
    Locations,
    OriginLocation,
    ServerLocation,
    UnmanagedLocation,
    register_location_plugin,
)
from .progress import Progress
from .sequences import FileSequence
from .service import Components
from .structure import StandardStructure
from .transfer import TransferError, Transfers

__all__ = [
    "Components", "DiskLocation", "FileSequence", "Location", "LocationError", "Locations", "OriginLocation",
    "Progress", "ServerLocation",
    "StandardStructure", "TransferError", "Transfers", "UnmanagedLocation", "register_location_plugin",
]
