"""The client hub against the sandbox hub over real WebSockets on loopback."""
from __future__ import annotations

import logging
import threading
import time

import pytest

from ftrack_orm.events import Event, EventHub, EventHubConnectionError, ExpressionError
from tests.support.eventhub import subscribed, until


def test_two_hubs_exchange_events(sandbox, make_hub):
    sender, receiver = make_hub(), make_hub()
    received = []
    receiver.subscribe("topic=studio.render.done and data.frames>100", received.append)
    subscribed(sandbox, 3)
    sender.publish(Event("studio.render.done", data={"frames": 50}))
    sender.publish(Event("studio.render.done", data={"frames": 240, "shot": "sh010"}))
    sender.publish(Event("studio.other", data={"frames": 240}))
    until(lambda: received)
    time.sleep(0.1)
    assert [e.data for e in received] == [{"frames": 240, "shot": "sh010"}]
    event = received[0]
    assert event["source"]["id"] == sender.id and event.source["user"] == {"username": sandbox.api_user}
    assert event.sent


def test_a_callbacks_return_value_is_the_reply(sandbox, make_hub):
    asker, answerer = make_hub(), make_hub()
    answerer.subscribe("topic=math.double", lambda event: {"value": event["data"]["value"] * 2})
    subscribed(sandbox, 3)
    replies = []
    question = Event("math.double", data={"value": 21})
    asker.publish(question, on_reply=replies.append)
    until(lambda: replies)
    assert replies[0].data == {"value": 42}
    assert replies[0].in_reply_to_event == question.id
    assert replies[0].target == f"id={asker.id}"


def test_publish_reply_and_target_reaches_only_the_targeted_subscriber(sandbox, make_hub):
    one, two, three = make_hub(), make_hub(), make_hub()
    got_two, got_three = [], []
    two.subscribe("topic=ping", got_two.append, subscriber={"id": "two", "role": "farm"})
    three.subscribe("topic=ping", got_three.append, subscriber={"id": "three", "role": "desk"})
    subscribed(sandbox, 5)
    one.publish(Event("ping", target="role=farm"))
    until(lambda: got_two)
    time.sleep(0.1)
    assert len(got_two) == 1 and got_three == []

    replies = []
    question = Event("ping", data={"n": 1}, target="id=three")
    one.publish(question, on_reply=replies.append)
    until(lambda: got_three)
    three.publish_reply(got_three[0], {"pong": True})
    until(lambda: replies)
    assert replies[0].data == {"pong": True} and replies[0].in_reply_to_event == question.id


def test_synchronous_publish_runs_local_callbacks_only(sandbox, make_hub):
    local, remote = make_hub(), make_hub()
    remote_seen = []
    remote.subscribe("topic=local.*", remote_seen.append)
    local.subscribe("topic=local.*", lambda event: "second", priority=200)
    local.subscribe("topic=local.*", lambda event: "first", priority=10)
    subscribed(sandbox, 4)
    assert local.publish(Event("local.thing"), synchronous=True) == ["first", "second"]
    time.sleep(0.2)
    assert remote_seen == []


def test_synchronous_publish_needs_no_connection(sandbox, make_hub):
    hub = make_hub(connect=False)
    hub.subscribe("topic=x", lambda event: event.data["n"] + 1)
    assert hub.publish(Event("x", data={"n": 1}), synchronous=True) == [2]
    with pytest.raises(EventHubConnectionError, match="connect"):
        hub.publish(Event("x"))


def test_stop_keeps_lower_priority_callbacks_from_running(make_hub):
    hub = make_hub(connect=False)
    calls = []
    hub.subscribe("topic=x", lambda event: (calls.append("late"), None)[1], priority=50)
    hub.subscribe("topic=x", lambda event: (calls.append("early"), event.stop())[1], priority=1)
    hub.publish(Event("x"), synchronous=True)
    assert calls == ["early"]


def test_a_failing_callback_is_logged_and_the_hub_goes_on(sandbox, make_hub, caplog):
    sender, receiver = make_hub(), make_hub()
    received = []

    def broken(event):
        raise RuntimeError("boom in a listener")

    receiver.subscribe("topic=work", broken, priority=1)
    receiver.subscribe("topic=work", received.append, priority=2)
    subscribed(sandbox, 4)
    with caplog.at_level(logging.ERROR, logger="ftrack_orm.events.hub"):
        sender.publish(Event("work", data={"n": 1}))
        sender.publish(Event("work", data={"n": 2}))
        until(lambda: len(received) == 2)
    assert [e.data["n"] for e in received] == [1, 2]
    assert sum("boom in a listener" in (r.exc_text or "") for r in caplog.records) == 2
    assert receiver.is_connected


def test_a_slow_callback_does_not_block_heartbeats(sandbox, make_hub):
    sandbox.events.heartbeat_interval, sandbox.events.heartbeat_timeout = 0.1, 0.6
    sender, receiver = make_hub(), make_hub()
    done = threading.Event()

    def slow(event):
        time.sleep(2.0)  # > 3 heartbeat timeouts
        done.set()

    receiver.subscribe("topic=slow", slow)
    subscribed(sandbox, 3)
    sender.publish(Event("slow"))
    until(done.is_set, timeout=6)
    assert receiver.is_connected and receiver.reconnects == 0 and sandbox.events.client_count == 2


def test_wait_dispatches_in_the_calling_thread(sandbox, make_hub):
    sender, receiver = make_hub(), make_hub(background=False)
    threads = []
    receiver.subscribe("topic=here", lambda event: threads.append(threading.current_thread()))
    subscribed(sandbox, 3)
    sender.publish(Event("here"))
    time.sleep(0.2)
    assert threads == []  # nothing runs until wait()
    receiver.wait(0.3)
    assert threads == [threading.current_thread()]


def test_unsubscribe_stops_delivery(sandbox, make_hub):
    sender, receiver = make_hub(), make_hub()
    received = []
    identifier = receiver.subscribe("topic=news", received.append)
    subscribed(sandbox, 3)
    receiver.unsubscribe(identifier)
    until(lambda: sandbox.events.subscriber_count == 2)
    sender.publish(Event("news"))
    time.sleep(0.2)
    assert received == []
    with pytest.raises(KeyError):
        receiver.unsubscribe(identifier)


def test_a_bad_subscription_fails_at_subscribe(make_hub):
    hub = make_hub(connect=False)
    with pytest.raises(ExpressionError, match="expected a value"):
        hub.subscribe("topic=", print)


def test_wrong_credentials_are_refused(sandbox):
    hub = EventHub(sandbox.url, sandbox.api_user, "not-the-key")
    with pytest.raises(EventHubConnectionError, match="HTTP 401"):
        hub.connect()
    assert not hub.is_connected


def test_disconnect_tells_the_server_and_stops(sandbox, make_hub):
    hub = make_hub()
    hub.subscribe("topic=x", print)
    subscribed(sandbox, 2)
    hub.disconnect()
    assert not hub.is_connected
    until(lambda: sandbox.events.client_count == 0)
    with pytest.raises(EventHubConnectionError):
        hub.disconnect()


def test_subscribe_returns_once_the_server_acknowledged_it(sandbox, make_hub):
    hub = make_hub(timeout=30)
    started = time.monotonic()
    hub.subscribe("topic=quick", lambda event: None)
    assert time.monotonic() - started < 2  # the acknowledgement, not the 5 s fallback wait
    assert sandbox.events.subscriber_count == 2
