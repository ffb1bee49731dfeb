"""Actions registered on one hub, discovered and launched from another, over the sandbox."""
from __future__ import annotations

import time

import pytest

from ftrack_orm.events import Action, Event, action, selection_of
from tests.support.eventhub import subscribed, until


def _selection(*ids: str):
    return [{"entityId": entity_id, "entityType": "task"} for entity_id in ids]


def test_a_discover_from_another_hub_gets_the_items_of_applicable_actions(sandbox, make_hub):
    server, browser = make_hub(), make_hub()
    Action("Render", "studio.render", launch=lambda event: True, description="Send to the farm").register(server)
    Action("Only one", "studio.one", launch=lambda event: True,
           discover=lambda event: len(selection_of(event)) == 1).register(server)
    subscribed(sandbox, 5)
    replies = []
    browser.publish(Event("ftrack.action.discover", data={"selection": _selection("a", "b")}),
                    on_reply=replies.append)
    until(lambda: replies)
    time.sleep(0.2)  # "Only one" does not apply to two entities: it never replies
    assert [reply.data for reply in replies] == [{"items": [
        {"label": "Render", "actionIdentifier": "studio.render", "description": "Send to the farm"}]}]

    replies.clear()
    browser.publish(Event("ftrack.action.discover", data={"selection": _selection("a")}), on_reply=replies.append)
    until(lambda: len(replies) == 2)
    assert sorted(reply.data["items"][0]["actionIdentifier"] for reply in replies) == ["studio.one", "studio.render"]


def test_a_launch_runs_on_the_selection_of_its_own_action_only_and_replies(sandbox, make_hub):
    server, browser = make_hub(), make_hub()
    launched = []

    @action("Open", "studio.open")
    def open_shots(event):
        launched.append(selection_of(event))
        return {"message": f"opened {len(selection_of(event))}", "count": len(selection_of(event))}

    other = []
    open_shots.register(server)
    Action("Other", "studio.other", launch=other.append).register(server)
    subscribed(sandbox, 5)
    replies = []
    browser.publish(Event("ftrack.action.launch", data={"actionIdentifier": "studio.open",
                                                        "selection": _selection("s1", "s2")}),
                    on_reply=replies.append)
    until(lambda: replies)
    time.sleep(0.1)
    assert [tuple(s.entity_id for s in selection) for selection in launched] == [("s1", "s2")]
    assert launched[0][0].entity_type == "task"
    assert other == []
    assert replies[0].data == {"success": True, "message": "opened 2", "count": 2}


def test_a_failing_launch_replies_failure(sandbox, make_hub):
    server, browser = make_hub(), make_hub()

    def broken(event):
        raise RuntimeError("no farm")

    Action("Render", "studio.render", launch=broken).register(server)
    subscribed(sandbox, 4)
    replies = []
    browser.publish(Event("ftrack.action.launch", data={"actionIdentifier": "studio.render", "selection": []}),
                    on_reply=replies.append)
    until(lambda: replies)
    assert replies[0].data == {"success": False, "message": "Render failed: no farm"}


def test_synchronous_publish_discovers_and_launches_locally(make_hub):
    hub = make_hub(connect=False)
    render = Action("Render", "studio.render", launch=lambda event: False)
    render.register(hub)
    discovered = hub.publish(Event("ftrack.action.discover", data={"selection": _selection("x")}), synchronous=True)
    assert discovered == [{"items": [{"label": "Render", "actionIdentifier": "studio.render"}]}]
    launched = hub.publish(Event("ftrack.action.launch", data={"actionIdentifier": "studio.render"}), synchronous=True)
    assert launched == [{"success": False, "message": "Render failed."}]
    assert hub.publish(Event("ftrack.action.launch", data={"actionIdentifier": "studio.x"}), synchronous=True) == []
    render.unregister(hub)
    assert hub.publish(Event("ftrack.action.discover"), synchronous=True) == []
    with pytest.raises(KeyError):
        render.unregister(hub)


def test_an_action_without_launch_or_with_a_bad_result_says_so(make_hub):
    hub = make_hub(connect=False)
    Action("Nothing", "studio.nothing").register(hub)
    assert hub.publish(Event("ftrack.action.launch", data={"actionIdentifier": "studio.nothing"}),
                       synchronous=True) == [{"success": False, "message": "Nothing failed: <Action 'studio.nothing' "
                                              "'Nothing'> has no launch function."}]
    with pytest.raises(TypeError, match="expected a dict"):
        Action("Odd", "studio.odd", launch=lambda event: 3).on_launch(Event("ftrack.action.launch"))


def test_selection_of_skips_items_without_id():
    event = Event("ftrack.action.launch", data={"selection": [{"entityId": "1", "entityType": "show"}, {"x": 1}]})
    assert [(s.entity_type, s.entity_id) for s in selection_of(event)] == [("show", "1")]
    assert selection_of(Event("ftrack.action.launch")) == ()
