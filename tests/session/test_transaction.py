"""``session.transaction()``: a block that raises undoes only what it recorded (a
savepoint); work pending before it stays and commits later (live sandbox)."""
from __future__ import annotations

import pytest

from tests.support.live import recording_session, server_rows


def test_failed_block_keeps_earlier_pending_work(ftrack_sandbox):
    with recording_session(ftrack_sandbox) as session:
        shot = session.query("select name, description, custom_attributes, metadata from Shot "
                             "where name is sh020").one()
        kind = session.query("select id from Type").first()
        before = session.create("Task", {"name": "before-block", "parent": shot, "type": kind})
        shot.description = "before the block"
        fstart = shot.custom_attributes["fstart"]
        with pytest.raises(RuntimeError, match="boom"):
            with session.transaction():
                shot.description = "inside"
                shot.custom_attributes["fstart"] = 1234
                shot.metadata["inside"] = "yes"
                before.name = "renamed inside"
                inside = session.create("Task", {"name": "inside-block", "parent": shot, "type": kind})
                raise RuntimeError("boom")
        assert session.transport.writes() == []
        assert shot.description == "before the block" and shot.custom_attributes["fstart"] == fstart
        assert "inside" not in shot.metadata and before.name == "before-block" and before.is_dirty
        assert inside not in session.identity_map
        with session.transaction():
            pass  # the outermost block commits everything pending
        rows = server_rows(ftrack_sandbox, f"select name from Task where parent_id is {shot.id}")
        assert "before-block" in {row["name"] for row in rows} and "inside-block" not in {r["name"] for r in rows}
        assert server_rows(ftrack_sandbox, f"select description from Shot where id is {shot.id}")[0][
            "description"] == "before the block"


def test_failed_inner_block_keeps_the_outer_blocks_work(ftrack_sandbox):
    with recording_session(ftrack_sandbox) as session:
        task = session.query("select name, description from Task").first()
        with session.transaction():
            task.description = "outer"
            with pytest.raises(ValueError):
                with session.transaction():
                    task.name = "inner"
                    raise ValueError("inner failure")
            assert task.name != "inner" and task.description == "outer"
        assert len(session.transport.writes()) == 1 and not task.is_dirty
        assert server_rows(ftrack_sandbox, f"select description from Task where id is {task.id}")[0][
            "description"] == "outer"
