"""The did-you-mean: every "unknown name" message of the package is built here.

:func:`did_you_mean` is the phrase (``" Did you mean 'name'?"`` for the closest
candidate, or nothing); the other functions are the whole messages that carry it,
so that an unknown type or attribute reads the same from the entities, the
schemas, the query checker and builder, the sandbox and the CLI.
"""
from __future__ import annotations

import difflib
from typing import Any, Iterable


def did_you_mean(name: Any, candidates: Iterable[Any]) -> str:
    """``" Did you mean 'x'?"`` for the candidate closest to ``name``, or ``""``."""
    close = difflib.get_close_matches(str(name), [str(c) for c in candidates], n=1, cutoff=0.6)
    return f" Did you mean {close[0]!r}?" if close else ""


def unknown_type(name: Any, candidates: Iterable[str]) -> str:
    """``Unknown entity type 'X'. Did you mean 'Y'?``"""
    return f"Unknown entity type {name!r}.{did_you_mean(name, candidates)}"


def no_attribute(owner: str, name: str, candidates: Iterable[str]) -> str:
    """``<owner> has no attribute 'x'. Did you mean 'y'?`` (the client's wording)."""
    return f"{owner} has no attribute {name!r}.{did_you_mean(name, candidates)}"


def no_schema_attribute(name: str, schema: str, candidates: Iterable[str]) -> str:
    """``No attribute 'x' exists for schema 'S'. Did you mean 'y'?`` (the server's wording)."""
    return f"No attribute {name!r} exists for schema {schema!r}.{did_you_mean(name, candidates)}"


def no_key(what: str, key: Any, candidates: Iterable[Any]) -> str:
    """``<what> 'k'. Did you mean 'j'?``: an unknown key of a mapping (``what`` may be empty)."""
    prefix = f"{what} " if what else ""
    return f"{prefix}{key!r}.{did_you_mean(key, candidates)}"


#: Word starts that make a name look like a method call (``create_note``, ``get_statuses``).
METHOD_PREFIXES = ("create_", "get_", "set_", "start_", "stop_", "send_", "reset_", "add_", "remove_",
                   "delete_", "update_", "make_", "find_", "fetch_", "load_")


def no_member(owner: str, name: str, attributes: Iterable[str], methods: Iterable[str]) -> str:
    """:func:`no_attribute` over ``attributes`` and ``methods``; a method-like ``name``
    (see :data:`METHOD_PREFIXES`) is matched against ``methods`` only, so ``create_note``
    never suggests the attribute ``created_at``."""
    if name.startswith(METHOD_PREFIXES):
        return no_attribute(owner, name, methods)
    return no_attribute(owner, name, [*attributes, *methods])
