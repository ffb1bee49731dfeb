"""Fault matrix and bad-input table: prints what survives, from the repository root::

    python -m benchmarks.faults              # both tables
    python -m benchmarks.faults --only faults
    python -m benchmarks.faults --only inputs

Faults: every fault kind of ``tests/support/faults.py`` (a loopback TCP proxy
between the session and a real sandbox) on a read, a commit and the second call of
a chunked commit; then a re-commit with the proxy healthy, checked through a fresh
session on the sandbox (``tests/support/fault_scenarios.py``). Printed: faults
tried, survived with nothing lost / no duplicate / a clear error, data lost,
duplicates, sessions left stuck.

Bad inputs: about 60 values and calls the client must refuse before sending (NaN,
infinities, JSON cycles, lone surrogates, huge integers, bad datetimes, wrong
types, self-parenting, assignment after delete, bad queries, ...). Printed: tried,
refused clearly before sending (an error of a clear class naming what was wrong,
and no request sent), and the ones that were not.
"""
from __future__ import annotations

import argparse
import datetime as dt
import decimal
import math
import sys
import time
from typing import Any, Callable, Dict, List, Optional, Tuple

from ftrack_orm import Session
from ftrack_orm.errors import FtrackOrmError
from ftrack_orm.sandbox import Sandbox

from tests.support.fault_scenarios import WHERE, run
from tests.support.faults import FAULTS, FaultProxy
from tests.support.live import RecordingTransport

#: Errors that say clearly what was wrong (a RecursionError, OverflowError or a bare
#: AttributeError from deep inside is not clear).
CLEAR = (ValueError, TypeError, KeyError, FtrackOrmError, AttributeError)
UNCLEAR = (RecursionError, OverflowError, UnicodeError)


def fault_matrix(sandbox: Sandbox) -> int:
    """Run every fault × place; print the matrix and the totals; the number not survived."""
    started = time.perf_counter()
    rows: List[Tuple[str, List[str]]] = []
    tried = survived = lost = duplicates = stuck = unclear = 0
    with FaultProxy(sandbox.url) as proxy:
        for fault in FAULTS:
            cells = []
            for where in WHERE:
                outcome = run(sandbox, proxy, fault, where)
                tried += 1
                survived += outcome.survived
                lost += outcome.lost
                duplicates += outcome.duplicates
                stuck += outcome.stuck
                unclear += not outcome.clear
                marks = [name for name, bad in (("LOST", outcome.lost), ("DUP", outcome.duplicates),
                                                ("STUCK", outcome.stuck), ("UNCLEAR", not outcome.clear)) if bad]
                error = type(outcome.error).__name__ if outcome.error is not None else "-"
                cells.append(f"{'ok' if not marks else '/'.join(marks)} ({error})")
            rows.append((fault, cells))
    width = max(len(fault) for fault in FAULTS)
    print(f"{'fault':<{width}}  " + "  ".join(f"{where:<36}" for where in WHERE))
    for fault, cells in rows:
        print(f"{fault:<{width}}  " + "  ".join(f"{cell:<36}" for cell in cells))
    print()
    print(f"faults tried: {tried} ({len(FAULTS)} kinds x {len(WHERE)}: {', '.join(WHERE)})")
    print(f"survived (nothing lost, no duplicate, clear error, re-commit landed): {survived}")
    print(f"data lost: {lost}   duplicates: {duplicates}   sessions left stuck: {stuck}   unclear errors: {unclear}")
    print(f"({time.perf_counter() - started:.1f} s)")
    return tried - survived


# -- bad inputs ---------------------------------------------------------------------

def _cycle_dict() -> Dict[str, Any]:
    value: Dict[str, Any] = {"a": []}
    value["a"].append(value)
    return value


def _cycle_list() -> List[Any]:
    value: List[Any] = []
    value.append(value)
    return value


def _json_attribute(session: Session) -> Tuple[str, str]:
    """An entity type with a settable JSON attribute, and the attribute."""
    for entity_type in session.schemas:
        schema = session.schemas[entity_type]
        for name, attribute in schema.attributes.items():
            if attribute.kind == "json" and not attribute.computed and not attribute.immutable:
                return entity_type, name
    raise LookupError("no settable JSON attribute")


Input = Tuple[str, Callable[[Dict[str, Any]], Any], str]


def _set(target: str, name: str, value: Any) -> Callable[[Dict[str, Any]], Any]:
    def attempt(context: Dict[str, Any]) -> Any:
        context[target][name] = value
    return attempt


def _call(method: str, *args: Any) -> Callable[[Dict[str, Any]], Any]:
    def attempt(context: Dict[str, Any]) -> Any:
        return getattr(context["session"], method)(*args)
    return attempt


def _query(expression: str) -> Callable[[Dict[str, Any]], Any]:
    return lambda context: context["session"].query(expression).all()


def bad_inputs() -> List[Input]:
    """(label, attempt(context), text the error must name)."""
    utc_plus5 = dt.timezone(dt.timedelta(hours=5))
    utc_minus5 = dt.timezone(dt.timedelta(hours=-5))
    inputs: List[Input] = []
    for label, value in (("NaN", math.nan), ("inf", math.inf), ("-inf", -math.inf), ("a string", "12"),
                         ("a list", [1.0]), ("a dict", {"a": 1}), ("an object", object()), ("a complex", 1j),
                         ("Decimal NaN", decimal.Decimal("nan")), ("bytes", b"1")):
        inputs.append((f"Task.bid = {label}", _set("task", "bid", value), "bid"))
    for label, value in (("a lone high surrogate", "\ud800"), ("a lone low surrogate", "a\udc80b"),
                         ("an int", 12), ("bytes", b"name"), ("a list", ["x"]), ("a dict", {"x": 1}),
                         ("NaN", math.nan)):
        inputs.append((f"Task.name = {label}", _set("task", "name", value), "name"))
    for label, value in (("year 1 at UTC+5", dt.datetime(1, 1, 1, tzinfo=utc_plus5)),
                         ("year 9999 at UTC-5", dt.datetime(9999, 12, 31, 23, tzinfo=utc_minus5)),
                         ("a string", "not a date"), ("month 13", "2024-13-01"), ("an int", 12345),
                         ("NaN", math.nan), ("a list", [2024, 1, 1])):
        inputs.append((f"Task.start_date = {label}", _set("task", "start_date", value), "start_date"))
    for label, value in (("2**63", 2 ** 63), ("-2**63 - 1", -2 ** 63 - 1), ("10**30", 10 ** 30),
                         ("NaN", math.nan), ("inf", math.inf), ("a string", "one"), ("a float 1.5", 1.5)):
        inputs.append((f"AssetVersion.version = {label}", _set("version", "version", value), "version"))
    for label, value in (("a cycle (dict)", _cycle_dict()), ("a cycle (list)", _cycle_list()),
                         ("an object", {"x": object()}), ("NaN inside", {"x": math.nan}),
                         ("inf inside", [math.inf]), ("a lone surrogate value", {"x": "\ud800"}),
                         ("a lone surrogate key", {"\udc80": 1}), ("a tuple key", {("a", 1): 1}),
                         ("bytes", {"x": b"raw"}), ("-inf deep inside", {"x": [{"y": [-math.inf]}]})):
        inputs.append((f"<json attribute> = {label}", _set("json", "json", value), "{json}"))
    inputs += [
        ("Task.parent = the task itself", lambda c: c["task"].__setitem__("parent", c["task"]), "parent"),
        ("Task.parent_id = its own id", lambda c: c["task"].__setitem__("parent_id", c["task"]["id"]), "parent_id"),
        ("new Task.parent = itself", lambda c: c["new"].__setitem__("parent", c["new"]), "parent"),
        ("Task.parent = a string", _set("task", "parent", "not an entity"), "parent"),
        ("Task.parent = 12", _set("task", "parent", 12), "parent"),
        ("Task.type = a Shot", lambda c: c["task"].__setitem__("type", c["shot"]), "type"),
        ("Task.name after its delete", lambda c: c["doomed"].__setitem__("name", "x"), "name"),
        ("Task.metadata[k] after its delete", lambda c: c["doomed"]["metadata"].__setitem__("k", "v"), "deleted"),
        ("Task.nonexistent = 1", _set("task", "nonexistent", 1), "nonexistent"),
        ("create Task with an unknown attribute", _call("create", "Task", {"bogus": 1}), "bogus"),
        ("create an unknown type", _call("create", "Nope", {}), "Nope"),
        ("create Task with bid NaN", _call("create", "Task", {"name": "n", "bid": math.nan}), "bid"),
        ("create Task with a lone surrogate name", _call("create", "Task", {"name": "\udfff"}), "name"),
        ("query 5,000 nested parentheses", _query("Task where " + "(" * 5000 + "name is x" + ")" * 5000),
         "nest"),
        ("query an unknown type", _query("Nope"), "Nope"),
        ("query an unknown attribute", _query("Task where nonexistent is 1"), "nonexistent"),
        ("query an unterminated string", _query('Task where name is "open'), "string"),
        ("order_by with garbage after the path",
         lambda c: c["session"].query("Task").order_by("name garbage").all(), "garbage"),
        ("where(bid=NaN) in the builder", lambda c: c["session"].query("Task").where(bid=math.nan).all(), "nan"),
    ]
    return inputs


def input_table(sandbox: Sandbox) -> int:
    """Try every bad input; print the ones not refused clearly and the totals; their number."""
    transport = RecordingTransport()
    with Session(sandbox.url, sandbox.api_user, sandbox.api_key, schema_cache=False, transport=transport) as session:
        json_type, json_name = _json_attribute(session)
        shot = session.query("Shot where name is sh010").one()
        task = session.query("select name, bid, start_date, parent, parent_id, type from Task").first()
        doomed = session.query(f"Task where id is_not {task['id']}").first()
        version = session.query("select version from AssetVersion").first()
        context: Dict[str, Any] = {"session": session, "task": task, "shot": shot, "version": version,
                                   "doomed": doomed, "new": session.create("Task", {"name": "fresh"})}
        context["json"] = _JsonTarget(session.create(json_type, {}), json_name)
        session.delete(doomed)
        inputs = bad_inputs()
        failures: List[Tuple[str, str]] = []
        for label, attempt, named in inputs:
            before = len(transport.writes())
            error: Optional[BaseException] = None
            try:
                attempt(context)
            except Exception as raised:  # noqa: BLE001 - every error is judged below
                error = raised
            sent = len(transport.writes()) - before
            verdict = _judge(error, named.replace("{json}", json_name), sent)
            if verdict:
                failures.append((label, verdict))
        session.rollback()
    print(f"{'bad input':<44}  not refused clearly")
    for label, verdict in failures:
        print(f"{label:<44}  {verdict}")
    print()
    print(f"bad inputs tried: {len(inputs)}")
    print(f"refused clearly before sending: {len(inputs) - len(failures)}")
    return len(failures)


class _JsonTarget:
    """``context["json"]["json"] = value`` sets the JSON attribute of an entity."""

    def __init__(self, entity: Any, name: str) -> None:
        self.entity, self.name = entity, name

    def __setitem__(self, _: str, value: Any) -> None:
        self.entity[self.name] = value


def _judge(error: Optional[BaseException], named: str, sent: int) -> str:
    """Why the outcome is not a clear refusal before sending ("" when it is)."""
    if sent:
        return f"{sent} write request(s) sent"
    if error is None:
        return "accepted"
    if isinstance(error, UNCLEAR) or not isinstance(error, CLEAR):
        return f"unclear {type(error).__name__}: {str(error)[:60]}"
    if named.lower() not in str(error).lower():
        return f"{type(error).__name__} not naming {named!r}: {str(error)[:60]}"
    return ""


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("faults", "inputs"))
    args = parser.parse_args(argv)
    bad = 0
    with Sandbox(seed="demo") as sandbox:
        if args.only in (None, "faults"):
            bad += fault_matrix(sandbox)
            print()
        if args.only in (None, "inputs"):
            bad += input_table(sandbox)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
