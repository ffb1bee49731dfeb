"""HubCore's dispatch, without I/O: the order of subscribers, what is replied, stopping, failures."""
from __future__ import annotations

import logging

from ftrack_orm.events.core import HubCore
from ftrack_orm.events.event import Event

logger = logging.getLogger("tests.events.dispatch")


def incoming(topic: str = "studio.render") -> Event:
    event = Event(topic, data={"frame": 1})
    event.source["id"] = "another-hub"
    return event


def run(core: HubCore, event: Event, synchronous: bool = False):
    """Every subscriber's callback in the order the dispatch gives them: (results, replies)."""
    dispatch = core.dispatch(event, synchronous, logger)
    replies = [dispatch.returned(subscriber, subscriber.callback(event)) for subscriber in dispatch]
    return dispatch.results, [reply for reply in replies if reply is not None]


def test_subscribers_run_by_priority_and_results_other_than_none_are_replied_to_the_sender():
    core = HubCore("hub", "jane")
    core.subscribe("topic=studio.render", lambda event: "late", {"id": "b"}, 200)
    core.subscribe("topic=studio.render", lambda event: {"done": True}, {"id": "a"}, 10)
    core.subscribe("topic=studio.render", lambda event: None, {"id": "c"}, 300)
    core.subscribe("topic=other", lambda event: "never", {"id": "d"}, 1)
    event = incoming()
    results, replies = run(core, event)
    assert results == [{"done": True}, "late", None]
    assert [(reply.topic, reply.data, reply.target, reply.in_reply_to_event, reply.source["id"]) for reply in replies] == [
        ("ftrack.meta.reply", {"done": True}, "id=another-hub", event.id, "a"),
        ("ftrack.meta.reply", {"result": "late"}, "id=another-hub", event.id, "b"),
    ]
    assert run(core, incoming(), synchronous=True) == ([{"done": True}, "late", None], [])


def test_the_hubs_own_subscriber_gets_no_reply():
    core = HubCore("hub", "jane")
    core.add_subscriber("topic=studio.render", lambda event: "mine", {"id": "hub"}, 100)
    assert run(core, incoming()) == (["mine"], [])


def test_a_stopped_event_reaches_no_later_subscriber_and_a_failure_is_logged_and_skipped(caplog):
    core = HubCore("hub", "jane")
    calls = []

    def stopping(event: Event) -> str:
        calls.append("stopping")
        event.stop()
        return "stopped"

    def failing(event: Event) -> None:
        calls.append("failing")
        raise RuntimeError("listener broke")

    core.subscribe("topic=studio.render", failing, {"id": "f"}, 1)
    core.subscribe("topic=studio.render", stopping, {"id": "s"}, 2)
    core.subscribe("topic=studio.render", lambda event: calls.append("after"), {"id": "x"}, 3)
    event = incoming()
    dispatch = core.dispatch(event, False, logger)
    order = iter(dispatch)
    first = next(order)
    with caplog.at_level(logging.ERROR, logger=logger.name):
        try:
            first.callback(event)
        except RuntimeError:
            dispatch.failed(first)
    second = next(order)  # a failure does not end the dispatch
    assert dispatch.returned(second, second.callback(event)) is not None
    assert next(order, None) is None  # the event was stopped: the third is not called
    assert calls == ["failing", "stopping"] and dispatch.results == ["stopped"]
    [record] = caplog.records
    assert record.name == logger.name and "subscriber f (topic=studio.render) failed on studio.render" in record.getMessage()
    assert "listener broke" in (record.exc_text or "")
