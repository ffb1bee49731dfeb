"""The ftrack query language: one parser, shared by the client and the sandbox.

``parse(text)`` → immutable :class:`Query` tree; ``render(node)`` → canonical
text that parses back to an equal tree; ``check(query, schemas)`` validates
types and attribute paths (walked by :mod:`~ftrack_orm.query.paths`, shared with
the builder); ``expand_default_projections`` makes the bare form
(``Task where …``) explicit.
"""
from .ast import (
    OPERATOR_ALIASES,
    OPERATORS,
    And,
    Any,
    Comparison,
    Criteria,
    Has,
    Not,
    Or,
    OrderKey,
    Path,
    PathStep,
    Query,
)
from .checker import check, expand_default_projections
from .lexer import QueryError, QueryParseError, QueryValidationError, Token, tokenize
from .parser import parse, parse_criteria, parse_value
from .paths import (
    QueryTypeError,
    ResolvedStep,
    UnknownAttributeError,
    UnknownTypeError,
    resolve_path,
    resolve_step,
    resolve_type,
)
from .render import render, render_value

__all__ = [
    "OPERATORS",
    "OPERATOR_ALIASES",
    "And",
    "Any",
    "Comparison",
    "Criteria",
    "Has",
    "Not",
    "Or",
    "OrderKey",
    "Path",
    "PathStep",
    "Query",
    "QueryError",
    "QueryParseError",
    "QueryTypeError",
    "QueryValidationError",
    "ResolvedStep",
    "Token",
    "UnknownAttributeError",
    "UnknownTypeError",
    "check",
    "expand_default_projections",
    "parse",
    "parse_criteria",
    "parse_value",
    "render",
    "render_value",
    "resolve_path",
    "resolve_step",
    "resolve_type",
    "tokenize",
]
