"""``entity.create_thumbnail(path, data=None)``, as in ftrack-python-api
(``ftrack_api.entity.component.CreateThumbnailMixin``), on every type with a ``thumbnail_id``.

Unlike the official client it does not commit: the thumbnail component is recorded
in ``ftrack.server`` and the entity's thumbnail set, and the next ``session.commit()``
uploads the image and registers everything in one commit.
"""
from __future__ import annotations

from typing import Any, Mapping, Optional


class CreateThumbnail:
    """``create_thumbnail`` for entity types that have ``thumbnail_id``."""

    __slots__ = ()

    def create_thumbnail(self, path: str, data: Optional[Mapping[str, Any]] = None) -> Any:
        """Record an image component from ``path`` (named ``thumbnail`` unless ``data`` names it) in the
        server location and make it this entity's thumbnail; returns the component. Pending until
        ``session.commit()``."""
        session: Any = self.session  # type: ignore[attr-defined]
        return session.create_thumbnail(self, path, data)
