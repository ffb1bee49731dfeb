"""``user.start_timer(...)`` and ``user.stop_timer()``, as in ftrack-python-api
(``ftrack_api.entity.user``): both commit at once, like the official client."""
from __future__ import annotations

import datetime
from typing import Any, Optional

from ..errors import NotUniqueError, ServerError
from ..results import NoResultFoundError
from ..times import UTC


class UserTimers:
    """``start_timer`` / ``stop_timer`` for ``User``."""

    __slots__ = ()

    def start_timer(self, context: Any = None, comment: str = "", name: Optional[str] = None,
                    force: bool = False) -> Any:
        """Start a ``Timer`` of this user on ``context`` and commit. A running timer
        raises :class:`~ftrack_orm.errors.NotUniqueError` unless ``force=True``, which
        stops it first (turning it into a ``Timelog``)."""
        session: Any = self.session  # type: ignore[attr-defined]
        if force:
            try:
                self.stop_timer()
            except NoResultFoundError:
                pass
        elif session.query("Timer").where(user_id=self["id"]).select("id").first() is not None:  # type: ignore[index]
            raise self._running()
        timer = session.create("Timer", {"user": self, "context": context, "name": name, "comment": comment,
                                         "start": datetime.datetime.now(UTC).replace(microsecond=0)})
        try:
            session.commit()
        except ServerError as error:
            if "DuplicateEntryError" in str(error) or "duplicate" in str(error).lower():
                session.delete(timer)
                raise self._running() from error
            raise
        return timer

    def _running(self) -> NotUniqueError:
        return NotUniqueError(
            f"Failed to start a timer for user {self['id']}: a timer is already running. "  # type: ignore[index]
            "Use force=True or stop the timer first."
        )

    def stop_timer(self) -> Any:
        """Stop the running ``Timer`` of this user, commit, and return the ``Timelog``
        made of it (its duration in whole seconds). ``NoResultFoundError`` if none runs."""
        session: Any = self.session  # type: ignore[attr-defined]
        timer = session.query("Timer").where(user_id=self["id"]).select(  # type: ignore[index]
            "user_id", "context_id", "comment", "start", "name").one()
        delta = datetime.datetime.now(UTC) - timer["start"]
        timelog = session.create("Timelog", {
            "user_id": timer["user_id"], "context_id": timer["context_id"], "comment": timer["comment"],
            "start": timer["start"], "duration": delta.days * 86400 + delta.seconds, "name": timer["name"],
        })
        session.delete(timer)
        session.commit()
        return timelog
