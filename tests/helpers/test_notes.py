"""``entity.create_note`` and ``note.create_reply`` as in ftrack-python-api: registered
mixins, recording creates that one commit sends."""
from __future__ import annotations

import pytest

import ftrack_orm
from ftrack_orm import Session
from ftrack_orm.helpers import CreateNote
from ftrack_orm.sandbox import Sandbox
from tests.support.live import server_rows


@pytest.fixture
def studio():
    with Sandbox(seed="demo") as sandbox, Session(sandbox.url, sandbox.api_user, sandbox.api_key) as session:
        yield sandbox, session


def test_note_with_recipients_and_a_reply(studio):
    sandbox, session = studio
    task = session.query("Task").first()
    author, other = session.query("User").limit(2).all()
    note = task.create_note("Please check the edge", author, recipients=[other])
    reply = note.create_reply("Done", other)
    assert note.is_dirty and reply.is_dirty and note in task.notes and reply in note.replies
    session.commit()
    rows = server_rows(sandbox, f"select content, parent_id from Note where id is {note.id}")
    assert rows[0]["content"] == "Please check the edge" and rows[0]["parent_id"] == task.id
    assert server_rows(sandbox, f"select resource_id from Recipient where note_id is {note.id}")[0]["resource_id"] == other.id
    assert server_rows(sandbox, f"select content from Note where in_reply_to_id is {note.id}")[0]["content"] == "Done"


def test_labels_and_category_rules(studio):
    _, session = studio
    task = session.query("Task").first()
    author = session.query("User").first()
    label = session.create("NoteLabel", {"name": "Client", "color": "#fff"})
    with pytest.raises(ValueError, match="Both category and labels"):
        task.create_note("x", author, category=label, labels=[label])
    note = task.create_note("labelled", author, labels=[label])
    session.commit()
    assert session.query(f"select label_id from NoteLabelLink where note_id is {note.id}").one().label_id == label.id


def test_helpers_come_through_the_mixin_hook():
    assert CreateNote in ftrack_orm.helpers.HELPERS["Context"]
    from ftrack_orm.entity.mixins import mixins_for

    assert CreateNote in mixins_for("Context")
