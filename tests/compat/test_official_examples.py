"""The official client's documented examples (querying, creating, updating, deleting,
ensure, populate, metadata, custom attributes, notes, timers, project schema statuses,
get, reset) run unchanged through ``ftrack_orm.compat`` against the sandbox, with one
changed import, and the same script through the main API."""
from __future__ import annotations

import textwrap
import warnings

import pytest

from ftrack_orm.sandbox import Sandbox

#: Written as for ftrack-python-api: only the import and the Session line differ per run.
SCRIPT = textwrap.dedent('''
    {imports}
    session = {connect}
    session.check_server_compatibility()

    # querying
    tasks = session.query("select name, parent.name from Task where parent.name is sh010")
    first = tasks.first()
    assert len(tasks) == len(tasks.all()) and tasks[0] is first
    for task in tasks:
        assert task["parent"]["name"] == "sh010" and "name" in task and task.get("name") == task["name"]
    project = session.query("Project").one()
    assert project.entity_type == "Project" and project.session is session
    try:
        session.query("Task where name is nothing-like-this").one()
    except {errors}.NoResultFoundError:
        pass
    try:
        session.query("Task").one()
    except {errors}.MultipleResultsFoundError:
        pass

    # creating
    sequence = session.create("Sequence", {{"name": "sq999", "parent": project}})
    shot = session.create("Shot", {{"name": "sh999", "parent": sequence}})
    animation = session.query("Type where name is Animation").one()
    task = session.create("Task", {{"name": "anim", "parent": shot, "type": animation}})
    session.commit()
    assert {inspection}.state(task) == {not_set}

    # updating
    task["name"] = "anim_sh999"
    task["bid"] = 3600
    assert {inspection}.state(task) == {modified}
    session.commit()

    # metadata and custom attributes
    shot["metadata"]["lens"] = "35mm"
    shot_with_attributes = session.query("select custom_attributes from Shot where name is sh010").one()
    shot_with_attributes["custom_attributes"]["fstart"] = 1001
    session.commit()

    # populate: one request for every task
    everything = session.query("Task").all()
    session.populate(everything, "status.name")
    assert all(t["status"]["name"] for t in everything)

    # get
    assert session.get("Task", task["id"]) is task
    assert session.get("Shot", shot["id"])["name"] == "sh999"

    # ensure commits what it did
    ensured = session.ensure("Sequence", {{"name": "sq998", "parent_id": project["id"]}})
    assert session.ensure("Sequence", {{"name": "sq998", "parent_id": project["id"]}}) is ensured

    # notes and replies
    user = session.query("User where username is {user}").one()
    note = task.create_note("Looks good", author=user)
    note.create_reply("Thanks", author=user)
    session.commit()

    # timers
    user.start_timer(task, comment="blocking", force=True)
    timelog = user.stop_timer()
    assert timelog["context_id"] == task["id"]

    # project schema statuses and types
    project_schema = project["project_schema"]
    assert "In progress" in [status["name"] for status in project_schema.get_statuses("Shot")]
    assert animation["id"] in [kind["id"] for kind in project_schema.get_types("Task")]

    # deleting
    session.delete(task)
    session.commit()
    assert session.query("Task where name is anim_sh999").first() is None

    # reset forgets the session's state
    session.reset()
    assert session.query("Sequence where name is sq999").one()["name"] == "sq999"
    session.close()
''')

COMPAT = dict(
    imports="import ftrack_orm.compat as ftrack_api",
    connect="ftrack_api.Session(server_url=SERVER, api_key=KEY, api_user=USER)",
    errors="ftrack_api.exception", inspection="ftrack_api.inspection",
    not_set="ftrack_api.symbol.NOT_SET", modified="ftrack_api.symbol.MODIFIED",
)
MAIN = dict(
    imports="import ftrack_orm",
    connect="ftrack_orm.Session(SERVER, USER, KEY)",
    errors="ftrack_orm", inspection="INSPECT", not_set="'clean'", modified="'dirty'",
)


@pytest.mark.parametrize("names", [COMPAT, MAIN], ids=["compat", "main"])
def test_the_official_examples_run(names):
    import ftrack_orm

    with Sandbox(seed="demo") as sandbox, warnings.catch_warnings():
        warnings.simplefilter("error", ResourceWarning)  # nothing is left pending
        namespace = {"SERVER": sandbox.url, "KEY": sandbox.api_key, "USER": sandbox.api_user,
                     "INSPECT": type("Inspect", (), {"state": staticmethod(lambda e: ftrack_orm.inspect(e).state)})}
        script = SCRIPT.format(user=sandbox.api_user, **names)
        exec(compile(script, f"official examples ({names['imports']})", "exec"), namespace)


def test_one_changed_import_is_the_only_difference():
    official = SCRIPT.format(user="u", **COMPAT).replace("import ftrack_orm.compat as ftrack_api", "import ftrack_api")
    assert "ftrack_orm" not in official


def test_compat_session_refuses_what_it_cannot_do():
    import ftrack_orm.compat as ftrack_api

    with pytest.raises(TypeError, match="plugin_paths"):
        ftrack_api.Session("http://x", "key", "user", plugin_paths=["/studio/plugins"])
    session = ftrack_api.Session("http://x", "the-key", "the-user", schema_cache_path=False)
    assert (session.api_user, session.api_key) == ("the-user", "the-key")
    assert issubclass(ftrack_api.exception.ServerError, ftrack_api.exception.Error)
    assert str(ftrack_api.symbol.JOB_SYNC_USERS_LDAP) == "SYNC_USERS_LDAP"
    assert ftrack_api.event.base.Event("a.topic", data={"x": 1})["data"] == {"x": 1}
