"""The shared scenarios, run on the blocking Session and on the AsyncSession against a real sandbox.

Each scenario is written once against a small driver (``Blocking`` or ``Awaiting``)
that turns the session's calls into awaitables, so both sessions answer the same
questions the same way; what only the asyncio session does (no lazy loads, a
responsive loop, requests in flight at once) is tested below them.
"""
from __future__ import annotations

import asyncio
import contextlib
from typing import Any, AsyncIterator, Callable, Coroutine, List

import pytest

from ftrack_orm import AsyncSession, NotLoadedError, ServerValidationError, Session, WouldBlockError
from ftrack_orm.sandbox import Sandbox

pytest.importorskip("httpx")


@pytest.fixture
def sandbox():
    with Sandbox(seed="demo") as running:
        yield running


class Blocking:
    """The blocking session behind the awaitable shape of the scenarios."""

    kind = "blocking"

    def __init__(self, session: Session) -> None:
        self.session = session

    async def all(self, result: Any) -> List[Any]:
        return result.all()

    async def first(self, result: Any) -> Any:
        return result.first()

    async def rows(self, result: Any) -> List[Any]:
        return [row for row in result]

    async def commit(self) -> Any:
        return self.session.commit()

    async def populate(self, entities: Any, projections: str) -> None:
        self.session.populate(entities, projections)

    async def get(self, entity_type: str, key: Any) -> Any:
        return self.session.get(entity_type, key)

    async def ensure(self, entity_type: str, data: Any, keys: Any = None) -> Any:
        return self.session.ensure(entity_type, data, keys)

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        with self.session.transaction():
            yield


class Awaiting(Blocking):
    """The asyncio session, awaited."""

    kind = "async"

    async def all(self, result: Any) -> List[Any]:
        return await result.all()

    async def first(self, result: Any) -> Any:
        return await result.first()

    async def rows(self, result: Any) -> List[Any]:
        return [row async for row in result]

    async def commit(self) -> Any:
        return await self.session.commit()

    async def populate(self, entities: Any, projections: str) -> None:
        await self.session.populate(entities, projections)

    async def get(self, entity_type: str, key: Any) -> Any:
        return await self.session.get(entity_type, key)

    async def ensure(self, entity_type: str, data: Any, keys: Any = None) -> Any:
        return await self.session.ensure(entity_type, data, keys)

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        async with self.session.transaction():
            yield


Scenario = Callable[[Any], Coroutine[Any, Any, Any]]


def run_on(kind: str, sandbox: Sandbox, scenario: Scenario) -> Any:
    async def main() -> Any:
        if kind == "blocking":
            with Session(sandbox.url, sandbox.api_user, sandbox.api_key, schema_cache=False) as session:
                return await scenario(Blocking(session))
        async with AsyncSession(sandbox.url, sandbox.api_user, sandbox.api_key, schema_cache=False) as session:
            return await scenario(Awaiting(session))
    return asyncio.run(main())


def stored(sandbox: Sandbox, expression: str) -> List[Any]:
    """What the sandbox holds, read by a separate blocking session."""
    with Session(sandbox.url, sandbox.api_user, sandbox.api_key, schema_cache=False) as session:
        return [row.name for row in session.query(expression).all()]


both = pytest.mark.parametrize("kind", ["blocking", "async"])


@both
def test_query_iterate_first_and_builder(kind, sandbox):
    async def scenario(s: Any) -> Any:
        Task = s.session.Task
        listed = await s.rows(s.session.query("select name from Task order by name").limit(7).with_page_size(3))
        built = await s.all(s.session.query(Task).where(Task.name.like("%")).order_by("name").limit(7))
        first = await s.first(s.session.query("Shot").order_by("name"))
        return [t.name for t in listed], [t.name for t in built], first.name

    listed, built, first = run_on(kind, sandbox, scenario)
    assert listed == built and len(listed) == 7 and listed == sorted(listed)
    assert first == "sh010"


@both
def test_commit_lands_and_a_failed_commit_keeps_everything(kind, sandbox):
    async def scenario(s: Any) -> Any:
        shot = await s.first(s.session.query("Shot where name is sh010"))
        task = s.session.create("Task", {"name": f"from_{kind}", "parent_id": "no-such-context"})
        with pytest.raises(ServerValidationError):
            await s.commit()
        task.parent = shot  # the failed create is still pending: fix it and commit again
        result = await s.commit()
        return result.counts["create"]

    assert run_on(kind, sandbox, scenario) == 1
    assert stored(sandbox, f"Task where name is from_{kind}") == [f"from_{kind}"]


@both
def test_rollback_and_a_transaction_savepoint(kind, sandbox):
    async def scenario(s: Any) -> Any:
        shot = await s.first(s.session.query("Shot where name is sh010"))
        s.session.create("Task", {"name": f"discarded_{kind}", "parent": shot})
        s.session.rollback()
        s.session.create("Task", {"name": f"kept_{kind}", "parent": shot})  # pending before the block
        with pytest.raises(RuntimeError):
            async with s.transaction():
                s.session.create("Task", {"name": f"undone_{kind}", "parent": shot})
                raise RuntimeError("the block fails")
        return (await s.commit()).counts["create"]

    assert run_on(kind, sandbox, scenario) == 1
    assert stored(sandbox, f"Task where name like '%_{kind}'") == [f"kept_{kind}"]


@both
def test_populate_get_and_ensure(kind, sandbox):
    async def scenario(s: Any) -> Any:
        tasks = await s.all(s.session.query("select id from Task order by name").limit(4))
        await s.populate(tasks, "name, parent.name")
        names = [(t.name, t.parent.name) for t in tasks]  # loaded: no request, no error
        again = await s.get("Task", tasks[0].id)
        made = await s.ensure("Sequence", {"name": f"ensured_{kind}", "parent_id": tasks[0].parent.project_id})
        return names, again is tasks[0], made.name

    names, same, made = run_on(kind, sandbox, scenario)
    assert len(names) == 4 and all(name and parent for name, parent in names) and same
    assert made == f"ensured_{kind}" and stored(sandbox, f"Sequence where name is ensured_{kind}") == [made]


@both
def test_aggregates(kind, sandbox):
    async def scenario(s: Any) -> Any:
        rows = s.session.aggregate("select count(id) from Task group by status_id")
        return await rows if asyncio.iscoroutine(rows) else rows

    rows = run_on(kind, sandbox, scenario)
    with Session(sandbox.url, sandbox.api_user, sandbox.api_key, schema_cache=False) as session:
        tasks = session.query("select status_id from Task").all()
    counts = {row["status_id"]: row["count_id"] for row in rows}
    assert sum(counts.values()) == len(tasks) and set(counts) == {task.status_id for task in tasks}


@both
def test_reading_an_unloaded_attribute(kind, sandbox):
    async def scenario(s: Any) -> Any:
        task = await s.first(s.session.query("select name from Task"))
        try:
            return task.parent.name
        except NotLoadedError as error:
            return error

    answer = run_on(kind, sandbox, scenario)
    if kind == "blocking":
        assert isinstance(answer, str) and answer  # a lazy load
    else:
        assert isinstance(answer, NotLoadedError)
        assert "await session.populate(" in str(answer) and ".select('parent')" in str(answer)


def test_the_loop_stays_responsive_during_a_long_query(sandbox):
    async def main() -> Any:
        async with AsyncSession(sandbox.url, sandbox.api_user, sandbox.api_key, schema_cache=False) as session:
            ticks = 0

            async def ticker() -> None:
                nonlocal ticks
                while True:
                    ticks += 1
                    await asyncio.sleep(0)

            task = asyncio.get_running_loop().create_task(ticker())
            pages = [page async for page in session.query("select name from Task").with_page_size(2).pages()]
            task.cancel()
            return ticks, len(pages)

    ticks, pages = asyncio.run(main())
    assert pages > 10
    assert ticks >= pages  # the ticker ran while every page was awaited


def test_queries_run_concurrently_and_give_what_one_at_a_time_gives(sandbox):
    async def main() -> Any:
        async with AsyncSession(sandbox.url, sandbox.api_user, sandbox.api_key, schema_cache=False,
                                max_connections=4) as session:
            expressions = [f"select name from Task order by name offset {n} limit 3" for n in range(0, 24, 3)]
            together = await asyncio.gather(*(session.query(e).all() for e in expressions))
            alone = [await session.query(e).all() for e in expressions]
            return [[t.name for t in rows] for rows in together], [[t.name for t in rows] for rows in alone]

    together, alone = asyncio.run(main())
    assert together == alone and sum(len(rows) for rows in together) == 24


def test_using_it_before_open_or_blocking_is_refused_clearly(sandbox):
    session = AsyncSession(sandbox.url, sandbox.api_user, sandbox.api_key, schema_cache=False)
    with pytest.raises(WouldBlockError, match="await session.open"):
        session.query("Task")
    with pytest.raises(TypeError, match="async for"):
        async def opened() -> None:
            await session.open()
            iter(session.query("Task"))
        asyncio.run(opened())


@both
def test_server_helpers(kind, sandbox):
    async def scenario(s: Any) -> Any:
        session = s.session
        user = await s.first(session.query(f"User where username is {sandbox.api_user}"))

        async def maybe(value: Any) -> Any:
            return await value if asyncio.iscoroutine(value) else value

        url = await maybe(session.get_widget_url("tasks", theme="light"))
        await maybe(session.send_user_invite(user))
        job = await maybe(session.delayed_job("SYNC_USERS_LDAP"))
        return url, job

    url, job = run_on(kind, sandbox, scenario)
    assert url.startswith(sandbox.url + "/widget/") and "theme=light" in url
    assert job.status == "queued" and sandbox.actions.invited
