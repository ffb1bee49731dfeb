"""A disk cache of server schemas, keyed by content: the server's ``schema_hash``.

Servers that serve the same schemas (every sandbox, a studio's staging and
production sites) share one file, so the cache does not grow with the number of
servers or ports. A restart then costs one small ``query_server_information``
call instead of the ~200 KB schema download. A corrupt or foreign cache file is
ignored (and rewritten after the next download); writes are atomic (temporary
file + rename).
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any, Dict, List, Optional, Union

logger = logging.getLogger(__name__)

_PREFIX = "schemas-"


def default_cache_dir() -> Path:
    """``$FTRACK_ORM_CACHE_DIR``, else ``$XDG_CACHE_HOME/ftrack_orm``, else ``~/.cache/ftrack_orm``."""
    explicit = os.environ.get("FTRACK_ORM_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "ftrack_orm"


class SchemaCache:
    """Schemas on disk, one JSON file per ``schema_hash``."""

    def __init__(self, directory: Union[str, os.PathLike[str], None] = None) -> None:
        self.directory = Path(directory) if directory is not None else default_cache_dir()

    def __repr__(self) -> str:
        return f"SchemaCache({str(self.directory)!r})"

    def path_for(self, schema_hash: str) -> Path:
        """The file holding the schemas of ``schema_hash`` (the hash is hashed again:
        a server's string never becomes a path of its own choosing)."""
        digest = hashlib.sha256(schema_hash.encode("utf-8")).hexdigest()[:32]
        return self.directory / f"{_PREFIX}{digest}.json"

    def is_empty(self) -> bool:
        """True when no schemas are cached at all: a session then downloads the
        server information and the schemas in one call instead of asking first."""
        try:
            return not any(path.name.startswith(_PREFIX) for path in self.directory.iterdir())
        except OSError:
            return True

    def load(self, schema_hash: Optional[str]) -> Optional[List[Dict[str, Any]]]:
        """The cached schemas of ``schema_hash``, or ``None``."""
        if not schema_hash:
            return None
        path = self.path_for(schema_hash)
        try:
            with open(path, encoding="utf-8") as handle:
                data = json.load(handle)
            schemas = data.get("schemas") if isinstance(data, dict) else None
            if isinstance(schemas, list) and data.get("schema_hash") == schema_hash:
                return schemas
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            logger.debug("ignoring unreadable schema cache %s: %s", path, exc)
        return None

    def store(self, schema_hash: Optional[str], schemas: List[Dict[str, Any]]) -> None:
        """Write the schemas of ``schema_hash``; failures are logged at debug level, not raised."""
        if not schema_hash:
            return
        path = self.path_for(schema_hash)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".schemas-", dir=str(path.parent))
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    json.dump({"schema_hash": schema_hash, "schemas": schemas}, handle)
                os.replace(tmp, path)
            except BaseException:
                os.unlink(tmp)
                raise
        except OSError as exc:
            logger.debug("could not write schema cache %s: %s", path, exc)
