"""A disk cache of server schemas, keyed by server URL and ``schema_hash``.

A restart then costs one small ``query_server_information`` call instead of the
~200 KB schema download. A corrupt or foreign cache file is ignored (and rewritten
after the next download); writes are atomic (temporary file + rename).
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


def default_cache_dir() -> Path:
    """``$FTRACK_ORM_CACHE_DIR``, else ``$XDG_CACHE_HOME/ftrack_orm``, else ``~/.cache/ftrack_orm``."""
    explicit = os.environ.get("FTRACK_ORM_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "ftrack_orm"


class SchemaCache:
    """Schemas of each server on disk, one JSON file per server URL."""

    def __init__(self, directory: Union[str, Path, None] = None) -> None:
        self.directory = Path(directory) if directory is not None else default_cache_dir()

    def __repr__(self) -> str:
        return f"SchemaCache({str(self.directory)!r})"

    def path_for(self, server_url: str) -> Path:
        digest = hashlib.sha256(server_url.encode("utf-8")).hexdigest()[:24]
        return self.directory / f"schemas-{digest}.json"

    def has(self, server_url: str) -> bool:
        """True when a cache file exists for this server (valid or not)."""
        return self.path_for(server_url).is_file()

    def load(self, server_url: str, schema_hash: Optional[str]) -> Optional[List[Dict[str, Any]]]:
        """The cached schemas when they match ``schema_hash``; otherwise ``None``."""
        if not schema_hash:
            return None
        path = self.path_for(server_url)
        try:
            with open(path, encoding="utf-8") as handle:
                data = json.load(handle)
            if (
                isinstance(data, dict)
                and data.get("server_url") == server_url
                and data.get("schema_hash") == schema_hash
                and isinstance(data.get("schemas"), list)
            ):
                return data["schemas"]
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            logger.debug("ignoring unreadable schema cache %s: %s", path, exc)
        return None

    def store(self, server_url: str, schema_hash: Optional[str], schemas: List[Dict[str, Any]]) -> None:
        """Write the schemas for this server; failures are logged at debug level, not raised."""
        if not schema_hash:
            return
        path = self.path_for(server_url)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".schemas-", dir=str(path.parent))
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump({"server_url": server_url, "schema_hash": schema_hash, "schemas": schemas}, handle)
            os.replace(tmp, path)
        except OSError as exc:
            logger.debug("could not write schema cache %s: %s", path, exc)
