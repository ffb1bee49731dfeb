"""Concurrent paging with the AsyncSession: 20 pages at once versus one after another.

Run from the repository root::

    python -m benchmarks.async_paging                 # 50 ms per request, 20 pages
    python -m benchmarks.async_paging --latency 0.1 --pages 40

A real server sits across a network: every request pays a round trip. The
benchmark puts a loopback TCP proxy in front of a demo sandbox (in its own
process) that holds each request for ``--latency`` seconds before passing it on,
then loads ``--pages`` pages of Tasks with one AsyncSession: first sequentially
(``await`` each page), then concurrently (``asyncio.gather``, bounded by the
session's ``max_connections``). It prints both times and the speed-up; the rows
must be the same.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
from typing import Any, List, Set, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from ftrack_orm.aio import AsyncSession  # noqa: E402

SANDBOX = """
import sys
from ftrack_orm.sandbox import Sandbox
with Sandbox(seed="demo", fixed_keys=True) as sandbox:
    print(sandbox.url, sandbox.api_user, sandbox.api_key, flush=True)
    sys.stdin.read()
"""


async def delaying_proxy(upstream: Tuple[str, int], latency: float,
                         pipes: Set[asyncio.Task[None]]) -> asyncio.AbstractServer:
    """A TCP proxy holding every chunk the client sends for ``latency`` seconds (a network's round trip);
    its forwarding tasks are kept in ``pipes`` (to be cancelled at the end)."""

    async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, delay: float) -> None:
        try:
            while True:
                data = await reader.read(65536)
                if not data:
                    break
                if delay:
                    await asyncio.sleep(delay)
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()

    async def handle(client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        server_reader, server_writer = await asyncio.open_connection(*upstream)
        loop = asyncio.get_running_loop()
        pipes.update((loop.create_task(pipe(client_reader, server_writer, latency)),
                      loop.create_task(pipe(server_reader, client_writer, 0.0))))

    return await asyncio.start_server(handle, "127.0.0.1", 0)


async def measure(url: str, user: str, key: str, pages: int, page_size: int, connections: int) -> Tuple[float, float]:
    expressions = [f"select name, parent.name from Task order by name offset {n * page_size} limit {page_size}"
                   for n in range(pages)]
    async with AsyncSession(url, user, key, schema_cache=False, max_connections=connections) as session:
        await session.query("select id from Task").first()  # connections and classes warm
        started = time.perf_counter()
        one_by_one: List[Any] = [await session.query(e).all() for e in expressions]
        sequential = time.perf_counter() - started
        started = time.perf_counter()
        together = await asyncio.gather(*(session.query(e).all() for e in expressions))
        concurrent = time.perf_counter() - started
        if [[t.id for t in rows] for rows in together] != [[t.id for t in rows] for rows in one_by_one]:
            raise RuntimeError("concurrent pages differ from sequential ones")
    return sequential, concurrent


async def main_async(args: argparse.Namespace) -> None:
    process = subprocess.Popen([sys.executable, "-c", SANDBOX], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               text=True, cwd=ROOT)
    try:
        assert process.stdout is not None
        url, user, key = process.stdout.readline().split()
        host, port = url.split("//", 1)[1].split(":")
        pipes: Set[asyncio.Task[None]] = set()
        proxy = await delaying_proxy((host, int(port)), args.latency, pipes)
        proxy_url = f"http://127.0.0.1:{proxy.sockets[0].getsockname()[1]}"
        sequential, concurrent = await measure(proxy_url, user, key, args.pages, args.page_size, args.connections)
        print(f"{args.pages} pages of {args.page_size} Tasks, {args.latency * 1000:.0f} ms per request, "
              f"max_connections={args.connections}")
        print(f"  sequential (await each): {sequential * 1000:8.0f} ms")
        print(f"  concurrent (gather):     {concurrent * 1000:8.0f} ms")
        print(f"  speed-up: {sequential / concurrent:.1f}x")
        proxy.close()
        for task in pipes:
            task.cancel()
        await asyncio.gather(*pipes, return_exceptions=True)
        await proxy.wait_closed()
    finally:
        if process.stdin is not None:
            process.stdin.close()
        process.wait(10)


def main(argv: Any = None) -> int:
    parser = argparse.ArgumentParser(description="AsyncSession: concurrent vs sequential paging")
    parser.add_argument("--latency", type=float, default=0.05, help="seconds added to every request")
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--page-size", type=int, default=2)
    parser.add_argument("--connections", type=int, default=8, help="the session's max_connections")
    asyncio.run(main_async(parser.parse_args(argv)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
