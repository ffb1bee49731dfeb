"""Event hub through the sandbox: throughput (1 publisher, 10 subscribers) and the latency
from ``commit()`` returning to the ``ftrack.update`` callback running.

    python benchmarks/event_hub.py [--events 2000] [--commits 50]

Everything runs on this machine over loopback WebSockets (real sockets, real framing).
"""
from __future__ import annotations

import argparse
import statistics
import threading
import time
from typing import List, Tuple

from ftrack_orm import Session
from ftrack_orm.events import Event, EventHub
from ftrack_orm.sandbox import Sandbox


def throughput(sandbox: Sandbox, events: int, subscribers: int) -> float:
    """Events per second published by one hub and received by every one of ``subscribers`` hubs."""
    hubs = [EventHub(sandbox.url, sandbox.api_user, sandbox.api_key) for _ in range(subscribers + 1)]
    for hub in hubs:
        hub.connect()
    publisher, receivers = hubs[0], hubs[1:]
    counts = [0] * subscribers
    done = threading.Event()
    lock = threading.Lock()

    def counter(index: int):
        def count(event: Event) -> None:
            with lock:
                counts[index] += 1
                if all(c >= events for c in counts):
                    done.set()
        return count

    for index, hub in enumerate(receivers):
        hub.subscribe("topic=bench.tick", counter(index))
    while sandbox.events.subscriber_count < len(hubs) + subscribers:
        time.sleep(0.01)
    started = time.perf_counter()
    for n in range(events):
        publisher.publish(Event("bench.tick", data={"n": n}))
    done.wait(120)
    elapsed = time.perf_counter() - started
    for hub in hubs:
        hub.close()
    return events / elapsed


def commit_latency(sandbox: Sandbox, commits: int) -> Tuple[List[float], List[float]]:
    """Milliseconds from ``commit()`` returning (and from its call) to the listener's ftrack.update
    callback. Negative: the callback ran before ``commit()`` returned (the sandbox publishes
    right after its COMMIT, before it answers the HTTP request)."""
    arrived = threading.Event()
    stamps: List[float] = []
    with Session(sandbox.url, sandbox.api_user, sandbox.api_key, schema_cache=False,
                 auto_connect_event_hub=True) as session:
        def on_update(event: Event) -> None:
            stamps.append(time.perf_counter())
            arrived.set()

        session.event_hub.subscribe(f"topic=ftrack.update and data.clientToken={session.client_token}", on_update)
        while sandbox.events.subscriber_count < 2:
            time.sleep(0.01)
        task = session.query("select description from Task").first()
        after_return, after_call = [], []
        for n in range(commits):
            arrived.clear()
            task.description = f"take {n}"
            called = time.perf_counter()
            session.commit()
            returned = time.perf_counter()
            arrived.wait(10)
            after_return.append((stamps[-1] - returned) * 1000)
            after_call.append((stamps[-1] - called) * 1000)
    return after_return, after_call


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--subscribers", type=int, default=10)
    parser.add_argument("--commits", type=int, default=50)
    args = parser.parse_args()
    with Sandbox(seed="demo") as sandbox:
        rate = throughput(sandbox, args.events, args.subscribers)
        print(f"throughput: {rate:,.0f} events/s published, each delivered to {args.subscribers} subscribers "
              f"({rate * args.subscribers:,.0f} deliveries/s)")
        for label, latencies in zip(("commit() returned", "commit() called"), commit_latency(sandbox, args.commits)):
            latencies.sort()
            print(f"{label} -> ftrack.update callback: median {statistics.median(latencies):.2f} ms, "
                  f"p90 {latencies[int(len(latencies) * 0.9)]:.2f} ms, max {latencies[-1]:.2f} ms "
                  f"({args.commits} commits)")


if __name__ == "__main__":
    main()
