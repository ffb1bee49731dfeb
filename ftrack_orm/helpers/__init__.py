"""Entity helpers of the official ftrack-python-api, as studio-style mixins.

Each helper is a mixin class registered for its entity type through
:func:`ftrack_orm.register_mixin` (the same hook studios use for their own mixins)
when this package is imported, which the session does:

* :mod:`.notes`: ``create_note(content, author, recipients=None, category=None,
  labels=None)`` on every type with ``notes`` (``Task``, ``Shot``, ``Project``,
  ``AssetVersion``...), ``note.create_reply(content, author)``;
* :mod:`.schemas`: ``project_schema.get_statuses(schema, type_id=None)`` and
  ``get_types(schema)``;
* :mod:`.timers`: ``user.start_timer(context=None, comment="", name=None,
  force=False)`` and ``user.stop_timer()`` (both commit, as in the official client);
* :mod:`.thumbnails`: ``create_thumbnail(path, data=None)`` on every type with
  ``thumbnail_id`` (``Task``, ``Shot``, ``Project``, ``AssetVersion``, ``User``...).

``ftrack_orm.unregister_mixin(type, mixin)`` takes one away for sessions created afterwards.
"""
from __future__ import annotations

from typing import Dict, Sequence

from ..entity.mixins import register_mixin
from .notes import CreateNote, NoteReplies
from .schemas import ProjectSchemaStatuses
from .thumbnails import CreateThumbnail
from .timers import UserTimers

#: Entity type -> the helper mixins registered for it.
HELPERS: Dict[str, Sequence[type]] = {
    # the official client adds create_note to every type whose schema has "notes";
    # registered on the roots, subtypes (Shot, Task, Sequence...) inherit it
    # create_thumbnail: every type whose schema has "thumbnail_id" (the roots of those types)
    "Context": (CreateNote, CreateThumbnail),
    "AssetVersion": (CreateNote, CreateThumbnail),
    "ReviewSessionObject": (CreateNote,),
    "ReviewSession": (CreateThumbnail,),
    "Note": (NoteReplies,),
    "ProjectSchema": (ProjectSchemaStatuses,),
    "User": (UserTimers, CreateThumbnail),
}

for _entity_type, _mixins in HELPERS.items():
    for _mixin in _mixins:
        register_mixin(_entity_type, _mixin)

__all__ = ["HELPERS", "CreateNote", "CreateThumbnail", "NoteReplies", "ProjectSchemaStatuses", "UserTimers"]
