"""Sandbox speed: relation filters over 10,000 tasks, and a batch of 1,000 creates.

    PYTHONPATH=. python benchmarks/sandbox_speed.py

Targets (issue 3, point 8): a query with a relation filter over 10,000 tasks
answers in under 1 s; a batch of 1,000 creates in under 2 s. Timed end to end
over HTTP on loopback with plain ``requests``.
"""
from __future__ import annotations

import time

import requests

from ftrack_orm.sandbox import Sandbox


def main() -> None:
    with Sandbox(seed="demo") as sandbox:
        http = requests.Session()
        headers = {"ftrack-user": sandbox.api_user, "ftrack-api-key": sandbox.api_key}

        def post(operations):
            started = time.perf_counter()
            answer = http.post(sandbox.url + "/api", json=operations, headers=headers, timeout=600).json()
            assert isinstance(answer, list), answer
            return answer, time.perf_counter() - started

        (shots,), _ = post([{"action": "query", "expression": "select id, name from Shot"}])
        (types,), _ = post([{"action": "query", "expression": "select id from Type where name is Compositing"}])
        type_id = types["data"][0]["id"]
        shot_ids = [shot["id"] for shot in shots["data"]]
        batches = []
        for batch in range(10):
            operations = [
                {"action": "create", "entity_type": "Task", "entity_data": {
                    "__entity_type__": "Task", "name": f"task{batch:02d}_{i:04d}",
                    "parent_id": shot_ids[(batch * 1000 + i) % len(shot_ids)], "type_id": type_id}}
                for i in range(1000)
            ]
            _, seconds = post(operations)
            batches.append(seconds)
        print(f"1,000 creates in one batch: first {batches[0]:.3f} s, mean of 10 {sum(batches) / len(batches):.3f} s  (target < 2 s)")
        (count,), _ = post([{"action": "query", "expression": "select id from Task"}])
        print(f"tasks stored: {len(count['data'])}")
        expressions = [
            'select name, parent.name from Task where parent.name is "sh050" and status.state.short is NOT_STARTED',
            "select name from Task where parent.parent.name is sq020 limit 500",
            'select name, status.name from Task where parent has (custom_attributes any (key is fend and value > 1100)) limit 500',
            'select id from Task where ancestors any (name is "sq010") limit 100',
            "select name, parent.name, status.state.short from Task where parent.name is sh050",
        ]
        for expression in expressions:
            times = []
            for _ in range(3):
                (result,), seconds = post([{"action": "query", "expression": expression}])
                times.append(seconds)
            print(f"{min(times):.3f} s  {len(result['data']):5d} rows  {expression}  (target < 1 s)")


if __name__ == "__main__":
    main()
