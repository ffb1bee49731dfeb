"""``python -m ftrack_orm demo``: a pipeline flow on an embedded sandbox, printed readably.

No ftrack account and no network beyond loopback: the sandbox starts in-process
with the demo studio, and every step below talks to it over real HTTP.
"""
from __future__ import annotations

import sys
import threading
import time
from typing import Any, Callable, List, TextIO

from .errors import ServerValidationError
from .events.errors import EventHubError
from .events.updates import Update, watch_updates
from .events.websocket import require_wsproto
from .query.builder import or_
from .sandbox import Sandbox
from .session import Session


#: The longest the demo waits for the event hub (connecting, then the update): it never hangs.
EVENT_WAIT = 5.0


def _listen(sandbox: Sandbox, artist: Session, say: Callable[[str], None]) -> None:
    """A second session listens to ``ftrack.update``; ``artist`` commits; the listener's
    loaded shot sees the new description (refreshed, not re-queried)."""
    try:
        require_wsproto()
    except ImportError as error:
        say(f"skipped: {error}")
        return
    with Session(sandbox.url, sandbox.api_user, sandbox.api_key, schema_cache=False,
                 event_hub_options={"timeout": EVENT_WAIT}) as listener:
        try:
            listener.event_hub.connect()
        except EventHubError as error:
            say(f"skipped: {error}")
            return
        shot = listener.query("select name, description from Shot where name is sh010").one()
        arrived = threading.Event()
        received: List[Update] = []

        def react(update: Update) -> None:
            received.append(update)
            arrived.set()

        watch_updates(listener, react)
        started = time.perf_counter()
        theirs = artist.query("select description from Shot where name is sh010").one()
        theirs.description = "locked for comp"
        artist.commit()
        if not arrived.wait(EVENT_WAIT):
            say(f"no ftrack.update within {EVENT_WAIT:.0f} s (the listener gave up waiting)")
            return
        change = received[0].entities[0]
        say(f"the listener got ftrack.update {(time.perf_counter() - started) * 1000:.0f} ms after commit(): "
            f"{change.action} {change.entity_type} {', '.join(change.attributes)} "
            f"(by {received[0].username}, another session: {not received[0].caused_by(listener.client_token)})")
        say(f"its loaded shot, refreshed without a query: {shot.name}.description = {shot.description!r}")


def run_demo(out: TextIO = sys.stdout) -> int:
    """Run the demo; returns the exit status (0)."""
    started = time.perf_counter()

    def say(text: str = "") -> None:
        print(text, file=out)

    def step(title: str) -> None:
        say()
        say(f"== {title}")

    with Sandbox(seed="demo") as sandbox, Session(
        sandbox.url, sandbox.api_user, sandbox.api_key, schema_cache=False
    ) as session:
        def requests_for(action: Callable[[], Any]) -> int:
            sandbox.reset_counters()
            action()
            return sandbox.request_count

        step("1. Open a session on the embedded sandbox")
        say(f"{session!r}  (sandbox at {sandbox.url}, no ftrack account needed)")
        say(f"{len(session.schemas)} entity types from the server's schemas, e.g.:")
        for name in ("Project", "Sequence", "Shot", "Task", "AssetVersion"):
            schema = session.schemas[name]
            chain = " -> ".join([name] + session.schemas.ancestors(name))
            say(f"  {chain:<34} {len(schema.attributes):>3} attributes, key {', '.join(schema.primary_key)}")

        step("2. Query with the builder (schema-checked, values escaped)")
        Shot, Task = session.Shot, session.Task
        shots = (session.query(Shot).where(Shot.parent.name == "sq010")
                 .select(Shot.name, Shot.custom_attributes).order_by(Shot.name).all())
        say(f"{len(shots)} shots in sq010:")
        for shot in shots[:5]:
            say(f"  {shot.name}  frames {shot.custom_attributes['fstart']}-{shot.custom_attributes['fend']}")
        query = (session.query(Task)
                 .where(or_(Task.status.name == "In progress", Task.status.name == "Pending review"),
                        Task.parent[Shot].parent.name == "sq010")
                 .select(Task.name, Task.parent.name, Task.status.name)
                 .order_by(Task.parent.name, Task.name))
        say(f"query sent: {query}")
        for task in query.all()[:6]:
            say(f"  {task.parent.name}/{task.name:<12} {task.status.name}")
        try:
            Task.nmae  # noqa: B018 - the error is the point
        except AttributeError as error:
            say(f"a typo fails before anything is sent: {error}")

        step("3. Create a sequence, shots, tasks and a version in ONE transaction")
        project = session.query("Project where name is demo_vfx").one()
        comp = session.query("Type where name is Compositing").one()
        asset_type = session.query("AssetType").first()
        with session.transaction():
            sequence = session.create("Sequence", {"name": "sq900", "parent": project})
            for number in (10, 20, 30):
                shot = session.create("Shot", {"name": f"sh9{number:02d}", "parent": sequence})
                shot.custom_attributes["fstart"] = 1001
                task = session.create("Task", {"name": "comp", "parent": shot, "type": comp})
            asset = session.create("Asset", {"name": "sh930_comp", "parent": shot, "type": asset_type})
            version = session.create("AssetVersion", {"asset": asset, "version": 1, "task": task})
            version.metadata["colorspace"] = "ACEScg"
            planned = session.unit_of_work.plan()
            sandbox.reset_counters()  # count only what leaving the block sends
        say(f"committed {len(planned)} operations in {sandbox.request_count} request(s): "
            + ", ".join(f"{op.action} {op.entity_type}" for op in planned.changes[:6]) + ", ...")
        say(f"the server filled defaults: task status = {task.status.name!r}, created_at = {task.created_at:%Y-%m-%d %H:%M}")

        step("4. A commit that fails validation: nothing applied, nothing lost")
        tasks = [session.create("Task", {"name": f"roto{i}", "parent": shot, "type": comp}) for i in range(3)]
        tasks[2].parent_id = "00000000-0000-0000-0000-000000000000"  # a parent that does not exist
        try:
            session.commit()
        except ServerValidationError as error:
            say(f"commit refused: {error.content.split(' (operation')[0]}")
            say(f"  failing operation: #{error.operation_index}, entity {error.entity!r}")
        on_server = session.query('select id from Task where name like "roto%"').all()
        say(f"on the server: {len(on_server)} roto tasks; still pending locally: {len(session.identity_map.changes)}")
        tasks[2].parent = shot  # also re-points parent_id
        result = session.commit()
        say(f"fixed and committed again: {dict(result.counts)}")

        step("5. Lazy loading without N+1")
        all_tasks = session.query("select name from Task").all()
        count = requests_for(lambda: {t.parent.name for t in all_tasks})
        say(f"read task.parent.name on {len(all_tasks)} tasks: {count} requests (not {len(all_tasks)})")
        count = requests_for(lambda: session.populate(all_tasks, "status.name, type.name"))
        say(f"session.populate(tasks, 'status.name, type.name'): {count} requests")

        step("6. A listener reacting to another session's commit (event hub)")
        _listen(sandbox, session, say)

    say()
    say(f"Demo finished in {time.perf_counter() - started:.1f} s.")
    return 0
