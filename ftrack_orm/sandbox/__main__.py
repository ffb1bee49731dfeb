"""``python -m ftrack_orm.sandbox``: serve a sandbox until interrupted."""
from __future__ import annotations

import argparse
import sqlite3
import sys
from typing import List, Optional

from .server import Sandbox


def main(argv: Optional[List[str]] = None, prog: str = "python -m ftrack_orm.sandbox") -> int:
    """Serve a sandbox until interrupted; a failure to start is one line on stderr (status 1)."""
    parser = argparse.ArgumentParser(
        prog=prog, description=__doc__,
        epilog="examples:\n  python -m ftrack_orm.sandbox --port 8765\n"
               "  python -m ftrack_orm.sandbox --db studio.db --fixed-keys\n"
               "  python -m ftrack_orm.sandbox --schemas studio/schemas.json "
               "--server-information studio/server_information.json --db studio/sandbox.db",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (default: loopback)")
    parser.add_argument("--fixed-keys", action="store_true",
                        help="the same API keys on every run (default: random keys for a new database)")
    parser.add_argument("--allow-remote", action="store_true",
                        help="allow a --host other machines can reach (the sandbox is meant for local tests)")
    parser.add_argument("--port", type=int, default=0, help="port (default 0: a free one)")
    parser.add_argument("--db", default=None, help="SQLite file (default: in memory)")
    parser.add_argument("--seed", default="demo", choices=("demo", "empty"), help="data of a new database")
    parser.add_argument("--schemas", default=None, metavar="FILE",
                        help="query_schemas JSON file (default: the shipped one), e.g. studio/schemas.json "
                             "from 'ftrack-orm snapshot'")
    parser.add_argument("--server-information", default=None, metavar="FILE",
                        help="query_server_information JSON file (default: the shipped one), "
                             "e.g. studio/server_information.json")
    args = parser.parse_args(argv)
    try:
        sandbox = Sandbox(db=args.db, seed=args.seed, schemas=args.schemas,
                          server_information=args.server_information, host=args.host, port=args.port,
                          allow_remote=args.allow_remote, fixed_keys=args.fixed_keys).start()
    except (OSError, sqlite3.Error, ValueError) as error:  # busy port, missing file, unwritable database
        print(f"error: {_describe(error, args.db)}", file=sys.stderr)
        return 1
    print(f"ftrack sandbox serving on {sandbox.url}", flush=True)
    print(f"  FTRACK_SERVER={sandbox.url}", flush=True)
    print(f"  FTRACK_API_USER={sandbox.api_user}", flush=True)
    print(f"  FTRACK_API_KEY={sandbox.api_key}", flush=True)
    if sandbox.readonly_user:
        print(f"  read-only: {sandbox.readonly_user} / {sandbox.readonly_key}", flush=True)
    try:
        sandbox.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


def _describe(error: BaseException, db: Optional[str]) -> str:
    """One line naming what failed (``OSError`` text already names the file or address)."""
    text = " ".join(str(error).split())
    if isinstance(error, sqlite3.Error):
        return f"cannot use the database {db!r}: {text}"
    return text or type(error).__name__


if __name__ == "__main__":
    sys.exit(main())
