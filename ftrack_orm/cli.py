"""The ``ftrack-orm`` command line (also ``python -m ftrack_orm``).

Commands: ``demo``, ``schema [TYPE]``, ``query EXPRESSION [--json]``,
``stubs --out DIR``, ``snapshot --out DIR [--project NAME] [--no-people]``, ``sandbox [...]``. Connection: ``--server/--user/--key`` or the
``FTRACK_*`` variables, or ``--sandbox`` for an embedded demo sandbox. Errors are
printed as one readable line (exit status 1), not a traceback.
"""
from __future__ import annotations

import argparse
import contextlib
import datetime as _dt
import json
import os
import sys
from typing import Any, Dict, Iterator, List, Optional, Sequence, TextIO

from . import __version__
from .errors import ConfigurationError, FtrackOrmError
from .query import expand_default_projections
from .results import DEFAULT_PAGE_SIZE
from .results.progress import TextProgress
from .session import Session
from .times import display


def _connection_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("connection")
    group.add_argument("--server", metavar="URL", help="ftrack server URL (default: $FTRACK_SERVER), "
                       "e.g. https://studio.ftrackapp.com")
    group.add_argument("--user", help="API user (default: $FTRACK_API_USER), e.g. jane@studio.com")
    group.add_argument("--key", help="API key (default: $FTRACK_API_KEY)")
    group.add_argument("--sandbox", action="store_true",
                       help="use an embedded demo sandbox instead of a server (no account needed)")


def _require_connection(args: argparse.Namespace) -> None:
    """A missing setting named the command line's way (not ``Session()``'s)."""
    for option, variable in _CONNECTION:
        if not getattr(args, option) and not os.environ.get(variable):
            raise ConfigurationError(
                f"No {option} given: pass --{option} or set {variable} "
                "(--server, --user and --key, or FTRACK_SERVER, FTRACK_API_USER and FTRACK_API_KEY), "
                "or use --sandbox for a demo sandbox."
            )


_CONNECTION = (("server", "FTRACK_SERVER"), ("user", "FTRACK_API_USER"), ("key", "FTRACK_API_KEY"))


@contextlib.contextmanager
def _session(args: argparse.Namespace) -> Iterator[Session]:
    if args.sandbox:
        from .sandbox import Sandbox

        with Sandbox(seed="demo") as sandbox, Session(
            sandbox.url, sandbox.api_user, sandbox.api_key, schema_cache=False
        ) as session:
            yield session
    else:
        _require_connection(args)
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
        result = session.query(args.expression, page_size=args.page_size)
        if args.limit is not None:  # never widens the expression's own limit
            own = result.ast.limit
            result = result.limit(args.limit if own is None else min(own, args.limit))
        if not args.quiet:
            result = result.with_progress(PagesProgress(result.entity_type, sys.stderr))
        projected = expand_default_projections(result.ast, session.schemas).select or ()
        columns = [".".join(path.names) for path in projected]
        rows = [{column: row.get(column) for column in columns} for row in result.to_dicts(flat=True)]
        if args.json:
            json.dump(rows, out, indent=2, default=_json_value)
            print(file=out)
        else:
            print_table(rows, out)
    return 0


class PagesProgress:
    """``<type>: N rows`` on ``stream`` while a query fetches several pages (quiet for one)."""

    def __init__(self, description: str, stream: TextIO) -> None:
        self.text = TextProgress(description, stream)
        self.shown = False

    def __call__(self, rows: int, total: Optional[int]) -> None:
        if total is None or self.shown:  # more pages to come, or already showing
            self.shown = True
            self.text(rows, total)


def _json_value(value: Any) -> Any:
    return display(value) if isinstance(value, _dt.date) else str(value)


def cmd_stubs(args: argparse.Namespace, out: TextIO) -> int:
    from .stubs import write_stubs

    with _session(args) as session:
        path = write_stubs(session.schemas, args.out, session.identity_map.settings.custom_attribute_configurations)
    print(f"wrote {path} ({len(session.schemas)} entity types)", file=out)
    return 0


def cmd_snapshot(args: argparse.Namespace, out: TextIO) -> int:
    from .snapshot import take_snapshot

    with _session(args) as session:
        snapshot = take_snapshot(session, args.out, args.project,
                                 progress=None if args.quiet else TypeProgress(sys.stderr), people=not args.no_people)
    print(f"wrote {snapshot.schemas}, {snapshot.server_information} and {snapshot.database} "
          f"({sum(snapshot.counts.values())} entities)", file=out)
    print(f"serve it: python -m ftrack_orm.sandbox --schemas {snapshot.schemas} "
          f"--server-information {snapshot.server_information} --db {snapshot.database}", file=out)
    return 0


class TypeProgress:
    """``<type>: N rows`` on ``stream`` as each entity type is read."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def __call__(self, entity_type: str, rows: int) -> None:
        print(f"{entity_type}: {rows} rows", file=self.stream, flush=True)


def cmd_demo(args: argparse.Namespace, out: TextIO) -> int:
    from .demo import run_demo

    return run_demo(out)


def _non_negative(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, not {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected 0 or more, not {value}")
    return value


def _positive(text: str) -> int:
    value = _non_negative(text)
    if value == 0:
        raise argparse.ArgumentTypeError("expected 1 or more, not 0")
    return value


def _command(commands: Any, name: str, summary: str, examples: str) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = commands.add_parser(
        name, help=summary, description=summary, epilog="examples:\n" + examples,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    return parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ftrack-orm", description="ftrack_orm command line: query, inspect and type an ftrack server.",
        epilog="examples:\n  ftrack-orm demo\n  ftrack-orm query 'select name from Shot' --sandbox\n"
               "  ftrack-orm sandbox --port 8765\n\nRun 'ftrack-orm COMMAND --help' for a command's options.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"ftrack-orm {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _command(commands, "demo", "walk a pipeline flow on an embedded sandbox",
             "  ftrack-orm demo").set_defaults(run=cmd_demo)
    schema = _command(commands, "schema", "list entity types, or one type's attributes",
                      "  ftrack-orm schema --sandbox\n  ftrack-orm schema Task --sandbox")
    schema.add_argument("type", nargs="?", help="an entity type, e.g. Task (default: list every type)")
    _connection_options(schema)
    schema.set_defaults(run=cmd_schema)
    query = _command(commands, "query", "run a query and print a table",
                     "  ftrack-orm query 'select name, parent.name from Task' --sandbox\n"
                     "  ftrack-orm query 'Shot where name like \"sh0%\"' --limit 5 --json --sandbox")
    query.add_argument("expression", help="an ftrack query, e.g. 'select name from Task where bid > 0'")
    query.add_argument("--json", action="store_true", help="print JSON for scripts")
    query.add_argument("--limit", type=_non_negative, default=None, metavar="N",
                       help="at most N rows (never more than the expression's own limit)")
    query.add_argument("--page-size", type=_positive, default=DEFAULT_PAGE_SIZE, metavar="N",
                       help=f"rows per request (default {DEFAULT_PAGE_SIZE})")
    query.add_argument("--quiet", action="store_true", help="no progress on standard error")
    _connection_options(query)
    query.set_defaults(run=cmd_query)
    stubs = _command(commands, "stubs", "write .pyi stubs of the entity classes (for mypy, pyright, editors)",
                     "  ftrack-orm stubs --out typings --sandbox")
    stubs.add_argument("--out", required=True, metavar="DIR",
                       help="directory to write ftrack_types.pyi into (created if missing)")
    _connection_options(stubs)
    stubs.set_defaults(run=cmd_stubs)
    snapshot = _command(commands, "snapshot", "save a server's schemas and reference data (optionally one "
                        "project) as a sandbox database, to test against its shape offline",
                        "  ftrack-orm snapshot --out studio --server https://studio.ftrackapp.com "
                        "--user jane@studio.com --key $KEY\n"
                        "  ftrack-orm snapshot --out studio --project demo_vfx --sandbox\n"
                        "  python -m ftrack_orm.sandbox --schemas studio/schemas.json "
                        "--server-information studio/server_information.json --db studio/sandbox.db")
    snapshot.add_argument("--out", required=True, metavar="DIR",
                          help="directory for schemas.json, server_information.json and sandbox.db "
                               "(created if missing; sandbox.db must not exist yet), e.g. studio")
    snapshot.add_argument("--project", metavar="NAME",
                          help="also copy this project and every context under it, e.g. demo_vfx")
    snapshot.add_argument("--no-people", action="store_true",
                          help="copy no users (nor assignments and timelogs); notes get the sandbox's admin as author")
    snapshot.add_argument("--quiet", action="store_true", help="no progress on standard error")
    _connection_options(snapshot)
    snapshot.set_defaults(run=cmd_snapshot)
    commands.add_parser("sandbox", help="start the sandbox server (see 'ftrack-orm sandbox --help')", add_help=False)
    return parser


#: Failures of the user's input or environment: one line, exit status 1.
_USER_ERRORS = (FtrackOrmError, ValueError, KeyError, AttributeError, TypeError, OSError)


def main(argv: Optional[Sequence[str]] = None, out: TextIO = sys.stdout) -> int:
    """Run the command line; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv[:1] == ["sandbox"]:
            from .sandbox.__main__ import main as sandbox_main

            return sandbox_main(argv[1:], prog="ftrack-orm sandbox") or 0
        args = build_parser().parse_args(argv)
        code: int = args.run(args, out)
        return code
    except BrokenPipeError:  # the reader went away (| head): not an error
        sys.stderr.close()
        return 0
    except _USER_ERRORS as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        print(f"error: {one_line(message)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def one_line(message: Any) -> str:
    """``message`` as one line (an error's own line breaks become ``; ``)."""
    return "; ".join(part.strip() for part in str(message).splitlines() if part.strip())
