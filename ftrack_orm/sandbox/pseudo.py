"""Server pseudo-attributes (``__permissions``) in a query: refused, naming why.

A real ftrack server answers ``select name, __permissions.status_id from Task``
with each entity's permissions for the current user (the official JavaScript
client's generated entity types carry ``__permissions?: Record<string, any>``);
no public source shows the shape of that value. The sandbox has no security roles
to compute it from, so instead of answering null it refuses the query with a
``ValidationError`` that says so.
"""
from __future__ import annotations

from ..query import QueryValidationError, ast
from ..query.paths import is_pseudo


def refuse_pseudo_attributes(query: ast.Query, expression: str) -> None:
    """Raise ``QueryValidationError`` when ``query`` selects a server pseudo-attribute."""
    for path in query.select or ():
        if is_pseudo(path):
            raise QueryValidationError(
                f"The sandbox does not model permissions or other server pseudo-attributes: cannot select "
                f"{str(path)!r} of schema {query.entity_type!r} (a real ftrack server answers it).",
                expression,
                path.pos,
            )
