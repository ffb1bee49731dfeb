"""Structures: a component's relative path in a managed location.

:class:`StandardStructure` builds ``project/parents.../asset/v001/name.ext`` from
the component's version (``project/sq010/sh010/sh010_comp/v003/main.exr``); a
sequence member goes into a folder named after its sequence with the frame in its
file name (``.../v003/render/render.1001.exr``); a component without a version is
kept under ``unversioned/<id>``. Names are made safe for file systems. Reading
the version, asset and parents may load them (one request per level).
"""
from __future__ import annotations

import re
from typing import Any, List

from ..entity.base import Entity

_UNSAFE = re.compile(r"[^\w.\-]+")


def _safe(name: Any) -> str:
    text = _UNSAFE.sub("_", str(name)).strip("._")
    return text or "_"


class StandardStructure:
    """``project/parents/asset/vNNN/component`` (see the module docstring)."""

    def resource_identifier(self, component: Entity) -> str:
        """The relative path of ``component``."""
        container = component["container"]
        owner = container if container is not None else component
        version = owner["version"]
        if version is None:
            folder = ["unversioned", _safe(owner["id"])]
        else:
            asset = version["asset"]
            number = version["version"]
            folder = [*self._context_names(asset["parent"]), _safe(asset["name"]),
                      f"v{number:03d}" if isinstance(number, int) else _safe(version["id"])]
        file_type = component["file_type"] or ""
        if container is not None:
            return "/".join([*folder, _safe(container["name"]),
                             f"{_safe(container['name'])}.{_safe(component['name'])}{file_type}"])
        return "/".join([*folder, f"{_safe(component['name'])}{file_type}"])

    def _context_names(self, context: Any) -> List[str]:
        names: List[str] = []
        while context is not None:
            names.append(_safe(context["name"]))
            context = context["parent"]
        return list(reversed(names))
