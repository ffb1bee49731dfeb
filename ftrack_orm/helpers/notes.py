"""``entity.create_note(...)`` and ``note.create_reply(...)``, as in ftrack-python-api
(``ftrack_api.entity.note``): they record creates (sent by ``session.commit()``)."""
from __future__ import annotations

import warnings
from typing import Any, Optional, Sequence


class CreateNote:
    """``create_note`` for entity types that have ``notes``."""

    __slots__ = ()

    def create_note(self, content: str, author: Any, recipients: Optional[Sequence[Any]] = None,
                    category: Any = None, labels: Optional[Sequence[Any]] = None) -> Any:
        """A new ``Note`` with ``content`` by ``author`` (a ``User``), added to this
        entity's notes. ``recipients``: users or groups to notify (``Recipient``s);
        ``labels``: ``NoteLabel``s (``category`` is the deprecated single label). Pending
        until ``session.commit()``."""
        session: Any = self.session  # type: ignore[attr-defined]
        label_support = "NoteLabel" in session.types
        labels = list(labels or [])
        if labels and not label_support:
            raise ValueError("NoteLabel is not supported by the current server version.")
        if category is not None and labels:
            raise ValueError("Both category and labels cannot be set at the same time.")
        data = {"content": content, "author": author}
        if category is not None:
            if label_support:
                labels = [category]
                warnings.warn("create_note(category=...) will go: use labels=[...] instead.",
                              PendingDeprecationWarning, stacklevel=2)
            else:
                data["category_id"] = category["id"]
        note = session.create("Note", data)
        self["notes"].append(note)  # type: ignore[index]
        for resource in recipients or ():
            recipient = session.create("Recipient", {"note_id": note["id"], "resource_id": resource["id"]})
            note["recipients"].append(recipient)
        for label in labels:
            session.create("NoteLabelLink", {"label_id": label["id"], "note_id": note["id"]})
        return note


class NoteReplies:
    """``create_reply`` for ``Note``."""

    __slots__ = ()

    def create_reply(self, content: str, author: Any) -> Any:
        """A new ``Note`` replying to this one. Pending until ``session.commit()``."""
        reply = self.session.create("Note", {"author": author, "content": content})  # type: ignore[attr-defined]
        self["replies"].append(reply)  # type: ignore[index]
        return reply
