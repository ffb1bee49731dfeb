"""Client CPU per small request: a one-row query by id, as event listeners and tools make them.

    python -m benchmarks.request_overhead [--queries 1000] [--repeat 5] [--extra-variables 300]

Each client looks up ``--queries`` Tasks one by one (``Task where id is "..."`` then
``first()``) on the canned server (its own process), with this process's environment,
then again with ``--extra-variables`` more environment variables (a DCC host carries
hundreds, and ``requests`` scans the environment on every request). Beside the clients,
the same POST made by a bare ``requests.Session`` and by ``http.client``: what the HTTP
layer alone costs. Figures are this process's CPU time per request (medians of
``--repeat`` runs); the server's time is not in them.
"""
from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import statistics
import sys
import time
from typing import Any, Callable, Dict, Iterator, List

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from benchmarks.run import KEY, OFFICIAL, ORM, USER, CannedServer, ftrack_api  # noqa: E402


@contextlib.contextmanager
def extra_environment(count: int) -> Iterator[None]:
    names = [f"BENCH_DCC_VARIABLE_{index}" for index in range(count)]
    for name in names:
        os.environ[name] = "/opt/studio/tools/" + name.lower()
    try:
        yield
    finally:
        for name in names:
            os.environ.pop(name, None)


def lookup(session: Any, ids: Iterator[str]) -> Callable[[], Any]:
    """One small request: the next Task by id (the same words in both clients)."""
    return lambda: session.query(f'Task where id is "{next(ids)}"').first()


def cpu_per_call(call: Callable[[], Any], count: int) -> float:
    started = time.process_time()
    for _ in range(count):
        call()
    return (time.process_time() - started) / count * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--extra-variables", type=int, default=300)
    args = parser.parse_args()
    server = CannedServer(max(args.queries, 2000), 5000)
    try:
        clients: Dict[str, Any] = {"ftrack_orm": ORM}
        if ftrack_api is not None:
            clients["ftrack-python-api"] = OFFICIAL
        probe = ORM.session(server.url)
        ids = [row["id"] for row in probe.query(f"select id from Task limit {args.queries}").all()]
        probe.close()
        body = json.dumps([{"action": "query", "expression": f'select id from Task where id is "{ids[0]}"'}]).encode()
        headers = {"ftrack-user": USER, "ftrack-api-key": KEY, "Content-Type": "application/json"}
        host, port = server.url.rsplit("//", 1)[1].split(":")
        print(f"client CPU per request, us ({args.queries} requests; medians of {args.repeat}); "
              f"environment: {len(os.environ)} variables, then {len(os.environ) + args.extra_variables}")
        print(f"{'client':24s} {'as is':>8s} {'+' + str(args.extra_variables) + ' vars':>10s}")
        for name, client in clients.items():
            session = client.session(server.url)
            client.ready(session)
            figures = []
            for extra in (0, args.extra_variables):
                with extra_environment(extra):
                    runs: List[float] = []
                    for _ in range(args.repeat):
                        runs.append(cpu_per_call(lookup(session, iter(ids * 2)), args.queries))
                    figures.append(statistics.median(runs))
            client.close(session)
            print(f"{name:24s} {figures[0]:8.0f} {figures[1]:10.0f}")
        import requests

        bare = requests.Session()
        connection = http.client.HTTPConnection(host, int(port))

        def plain() -> None:
            connection.request("POST", "/api", body=body, headers=headers)
            connection.getresponse().read()

        for name, call in (("requests.Session().post", lambda: bare.post(server.url + "/api", data=body,
                                                                          headers=headers).content),
                           ("http.client", plain)):
            figures = []
            for extra in (0, args.extra_variables):
                with extra_environment(extra):
                    figures.append(statistics.median(cpu_per_call(call, args.queries) for _ in range(args.repeat)))
            print(f"{name:24s} {figures[0]:8.0f} {figures[1]:10.0f}")
    finally:
        server.close()


if __name__ == "__main__":
    main()
