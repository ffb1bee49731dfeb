"""Upload and download throughput: ftrack_orm vs the official ``ftrack-python-api``.

    python -m benchmarks.transfer                   # a 200 MB file and 1,000 small files
    python -m benchmarks.transfer --big-mb 50 --small 200   # a quicker run

Both clients publish to the SAME sandbox (its server location, files stored in a
temporary directory) in the same run and download everything back; each side's
result is checked byte-identical. ftrack_orm downloads with ``session.download_many``
(one request finds every file, files fetched in parallel); the official client
downloads each component from ``location.get_url(component)``, as its users do.
Prints MB/s per workload and the ratio (ftrack_orm / official). The official
client is skipped when ``ftrack_api`` is not importable.
"""
from __future__ import annotations

import argparse
import filecmp
import os
import tempfile
import time
from typing import Callable, Dict, List

from ftrack_orm import Session
from ftrack_orm.sandbox import Sandbox

SERVER_LOCATION_ID = "3a372bde-05bc-11e4-8908-20c9d081909b"


def _timed(work: Callable[[], None]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def orm_side(sandbox: Sandbox, paths: List[str], out: str) -> Dict[str, float]:
    with Session(sandbox.url, sandbox.api_user, sandbox.api_key) as session:
        components = []

        def upload() -> None:
            components.extend(session.create_component(path, location="ftrack.server") for path in paths)
            session.commit()

        def download() -> None:
            session.download_many([(component, os.path.join(out, f"orm-{index}"))
                                   for index, component in enumerate(components)])

        result = {"upload": _timed(upload), "download": _timed(download)}
    assert all(filecmp.cmp(p, os.path.join(out, f"orm-{i}"), shallow=False) for i, p in enumerate(paths))
    return result


def official_side(sandbox: Sandbox, paths: List[str], out: str) -> Dict[str, float]:
    import ftrack_api
    import requests

    session = ftrack_api.Session(server_url=sandbox.url, api_user=sandbox.api_user, api_key=sandbox.api_key,
                                 auto_connect_event_hub=False)
    server = session.get("Location", SERVER_LOCATION_ID)
    components = []

    def upload() -> None:
        components.extend(session.create_component(path, location=server) for path in paths)

    def download() -> None:
        http = requests.Session()
        for index, component in enumerate(components):
            with http.get(server.get_url(component), stream=True) as response, \
                    open(os.path.join(out, f"official-{index}"), "wb") as handle:
                for chunk in response.iter_content(1024 * 1024):
                    handle.write(chunk)

    result = {"upload": _timed(upload), "download": _timed(download)}
    session.close()
    assert all(filecmp.cmp(p, os.path.join(out, f"official-{i}"), shallow=False) for i, p in enumerate(paths))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--big-mb", type=int, default=200)
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--small-kb", type=int, default=16)
    args = parser.parse_args()
    try:
        import ftrack_api  # noqa: F401
        official = True
    except ImportError:
        official = False
    with tempfile.TemporaryDirectory() as work:
        big = os.path.join(work, "big.bin")
        with open(big, "wb") as handle:
            for _ in range(args.big_mb):
                handle.write(os.urandom(1024 * 1024))
        small = []
        for index in range(args.small):
            small.append(os.path.join(work, f"small_{index:05d}.bin"))
            with open(small[-1], "wb") as handle:
                handle.write(os.urandom(args.small_kb * 1024))
        workloads = {f"1 file of {args.big_mb} MB": [big], f"{args.small} files of {args.small_kb} KB": small}
        sides = {"ftrack_orm": orm_side}
        if official:
            sides["ftrack_api"] = official_side
        with Sandbox(seed="empty") as sandbox:  # one sandbox for both clients and every workload
            for label, paths in workloads.items():
                megabytes = sum(os.path.getsize(p) for p in paths) / 1e6
                rates: Dict[str, Dict[str, float]] = {}
                for name, side in sides.items():
                    with tempfile.TemporaryDirectory() as out:
                        seconds = side(sandbox, paths, out)
                    rates[name] = {k: megabytes / v for k, v in seconds.items()}
                    print(f"{label:>24}  {name:<11} upload {rates[name]['upload']:8.1f} MB/s   "
                          f"download {rates[name]['download']:8.1f} MB/s", flush=True)
                if official:
                    orm, api = rates["ftrack_orm"], rates["ftrack_api"]
                    print(f"{label:>24}  ratio       upload {orm['upload'] / api['upload']:8.2f}x        "
                          f"download {orm['download'] / api['download']:8.2f}x", flush=True)


if __name__ == "__main__":
    main()
