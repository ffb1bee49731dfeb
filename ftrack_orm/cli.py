"""The ``ftrack-orm`` command line (also ``python -m ftrack_orm``).

Commands: ``demo``, ``schema [TYPE]``, ``query EXPRESSION [--json]``,
``stubs --out DIR``, ``sandbox [...]``. Connection: ``--server/--user/--key`` or the
``FTRACK_*`` variables, or ``--sandbox`` for an embedded demo sandbox. Errors are
printed as one readable line (exit status 1), not a traceback.
"""
from __future__ import annotations

import argparse
import contextlib
import datetime as _dt
import json
import sys
from typing import Any, Dict, Iterator, List, Optional, Sequence, TextIO

from .errors import FtrackOrmError
from .query import expand_default_projections
from .session import Session
from .times import display


def _connection_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("connection")
    group.add_argument("--server", help="ftrack server URL (default: $FTRACK_SERVER)")
    group.add_argument("--user", help="API user (default: $FTRACK_API_USER)")
    group.add_argument("--key", help="API key (default: $FTRACK_API_KEY)")
    group.add_argument("--sandbox", action="store_true", help="use an embedded demo sandbox instead")


@contextlib.contextmanager
def _session(args: argparse.Namespace) -> Iterator[Session]:
    if args.sandbox:
        from .sandbox import Sandbox

        with Sandbox(seed="demo") as sandbox, Session(
            sandbox.url, sandbox.api_user, sandbox.api_key, schema_cache=False
        ) as session:
            yield session
    else:
        with Session(args.server, args.user, args.key) as session:
            yield session


def print_table(rows: Sequence[Dict[str, Any]], out: TextIO, width: int = 40) -> None:
    """Print ``rows`` as an aligned text table."""
    if not rows:
        print("(no rows)", file=out)
        return
    columns: List[str] = []
    for row in rows:
        columns.extend(key for key in row if key not in columns)

    def cell(value: Any) -> str:
        text = "" if value is None else _json_value(value)
        return text if len(text) <= width else text[: width - 1] + "\u2026"

    widths = {c: max(len(c), *(len(cell(r.get(c))) for r in rows)) for c in columns}
    print("  ".join(c.ljust(widths[c]) for c in columns).rstrip(), file=out)
    print("  ".join("-" * widths[c] for c in columns), file=out)
    for row in rows:
        print("  ".join(cell(row.get(c)).ljust(widths[c]) for c in columns).rstrip(), file=out)


def cmd_schema(args: argparse.Namespace, out: TextIO) -> int:
    with _session(args) as session:
        registry = session.schemas
        if not args.type:
            rows = [
                {"type": name, "supertype": registry.supertypes.get(name) or "", "attributes": len(registry[name].attributes)}
                for name in sorted(registry)
            ]
            print_table(rows, out)
            return 0
        schema = registry[args.type]
        rows = []
        for name, attribute in sorted(schema.attributes.items()):
            flags = [flag for flag in ("required", "immutable", "computed") if getattr(attribute, flag)]
            rows.append({
                "attribute": name,
                "kind": attribute.kind + (f" -> {attribute.target}" if attribute.target else ""),
                "flags": ",".join(flags),
                "default": "" if not attribute.has_default else repr(attribute.default),
            })
        print(f"{schema.name}  (primary key: {', '.join(schema.primary_key)})", file=out)
        print_table(rows, out)
    return 0


def cmd_query(args: argparse.Namespace, out: TextIO) -> int:
    with _session(args) as session:
        result = session.query(args.expression)
        if args.limit:
            result = result.limit(args.limit)
        projected = expand_default_projections(result.ast, session.schemas).select or ()
        columns = [".".join(path.names) for path in projected]
        rows = [{column: row.get(column) for column in columns} for row in result.to_dicts(flat=True)]
        if args.json:
            json.dump(rows, out, indent=2, default=_json_value)
            print(file=out)
        else:
            print_table(rows, out)
    return 0


def _json_value(value: Any) -> Any:
    return display(value) if isinstance(value, _dt.date) else str(value)


def cmd_stubs(args: argparse.Namespace, out: TextIO) -> int:
    from .stubs import write_stubs

    with _session(args) as session:
        path = write_stubs(session.schemas, args.out)
    print(f"wrote {path} ({len(session.schemas)} entity types)", file=out)
    return 0


def cmd_demo(args: argparse.Namespace, out: TextIO) -> int:
    from .demo import run_demo

    return run_demo(out)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ftrack-orm", description="ftrack_orm command line")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("demo", help="walk a pipeline flow on an embedded sandbox").set_defaults(run=cmd_demo)
    schema = commands.add_parser("schema", help="list entity types, or one type's attributes")
    schema.add_argument("type", nargs="?")
    _connection_options(schema)
    schema.set_defaults(run=cmd_schema)
    query = commands.add_parser("query", help="run a query and print a table")
    query.add_argument("expression")
    query.add_argument("--json", action="store_true", help="print JSON for scripts")
    query.add_argument("--limit", type=int, default=None)
    _connection_options(query)
    query.set_defaults(run=cmd_query)
    stubs = commands.add_parser("stubs", help="write .pyi stubs of the entity classes")
    stubs.add_argument("--out", required=True)
    _connection_options(stubs)
    stubs.set_defaults(run=cmd_stubs)
    commands.add_parser("sandbox", help="start the sandbox server (see its --help)", add_help=False)
    return parser


def main(argv: Optional[Sequence[str]] = None, out: TextIO = sys.stdout) -> int:
    """Run the command line; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["sandbox"]:
        from .sandbox.__main__ import main as sandbox_main

        return sandbox_main(argv[1:]) or 0
    args = build_parser().parse_args(argv)
    try:
        code: int = args.run(args, out)
        return code
    except (FtrackOrmError, ValueError, KeyError, AttributeError, TypeError) as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        print(f"error: {message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader went away (| head): not an error
        sys.stderr.close()
        return 0
