"""A user's own pipeline test, run by CI against the installed wheel (not the sources).

It uses the ``ftrack_sandbox`` fixture that the wheel registers with pytest.
"""
import os

from ftrack_orm import Session


def publish_shot_note(session: Session, shot_name: str, text: str) -> None:
    """The "tool" under test: sets a shot's description."""
    shot = session.query(f"Shot where name is {shot_name}").one()
    shot.description = text
    session.commit()


def test_my_tool(ftrack_sandbox):
    with Session(ftrack_sandbox.url, ftrack_sandbox.api_user, ftrack_sandbox.api_key) as session:
        publish_shot_note(session, "sh010", "approved")
    with Session(ftrack_sandbox.url, ftrack_sandbox.api_user, ftrack_sandbox.api_key) as fresh:
        assert fresh.query("select description from Shot where name is sh010").one().description == "approved"
    assert "site-packages" in os.path.dirname(__import__("ftrack_orm").__file__)
