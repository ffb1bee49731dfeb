"""Subscription expressions: ``topic=ftrack.update and not source.user.username="jane"``.

Grammar (keywords are case-insensitive)::

    expression := or
    or         := and ("or" and)*
    and        := not ("and" not)*
    not        := "not" not | primary
    primary    := "(" expression ")" | condition
    condition  := field operator value
    field      := name ("." name)*            (a path into the event: data.entities)
    operator   := "=" | "!=" | "<" | ">" | "<=" | ">="
    value      := a quoted string ("..." or '...') or a bare word

A condition whose field is missing from the candidate does not match. ``*`` in a
value of ``=`` / ``!=`` is a wildcard for any run of characters
(``topic=ftrack.action.*``). Ordering operators compare numbers when both sides
are numbers, else text. An empty expression matches everything.
"""
from __future__ import annotations

import operator
import re
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

from ..errors import FtrackOrmError

__all__ = ["Expression", "ExpressionError", "parse_expression"]


class ExpressionError(FtrackOrmError, ValueError):
    """A subscription expression that cannot be parsed; the message points at the position."""


_TOKEN = re.compile(
    r"""\s*(?:
        (?P<paren>[()])
      | (?P<op>!=|<=|>=|=|<|>)
      | (?P<quoted>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
      | (?P<word>[^\s()=!<>"']+)
    )""",
    re.VERBOSE,
)
_KEYWORDS = {"and", "or", "not"}
_FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*$")

_COMPARE: Dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq, "!=": operator.ne, "<": operator.lt, ">": operator.gt, "<=": operator.le, ">=": operator.ge,
}


class Expression:
    """A parsed expression: :meth:`match` tests a mapping (an event, or subscriber metadata)."""

    def match(self, candidate: Any) -> bool:
        """Whether ``candidate`` satisfies the expression."""
        raise NotImplementedError


class _Everything(Expression):
    def match(self, candidate: Any) -> bool:
        return True

    def __repr__(self) -> str:
        return "<all>"


class _All(Expression):
    def __init__(self, parts: List[Expression]) -> None:
        self.parts = parts

    def match(self, candidate: Any) -> bool:
        return all(part.match(candidate) for part in self.parts)

    def __repr__(self) -> str:
        return "(" + " and ".join(map(repr, self.parts)) + ")"


class _Any(Expression):
    def __init__(self, parts: List[Expression]) -> None:
        self.parts = parts

    def match(self, candidate: Any) -> bool:
        return any(part.match(candidate) for part in self.parts)

    def __repr__(self) -> str:
        return "(" + " or ".join(map(repr, self.parts)) + ")"


class _Not(Expression):
    def __init__(self, part: Expression) -> None:
        self.part = part

    def match(self, candidate: Any) -> bool:
        return not self.part.match(candidate)

    def __repr__(self) -> str:
        return f"not {self.part!r}"


_MISSING = object()


class _Condition(Expression):
    def __init__(self, field: str, op: str, value: str) -> None:
        self.path = field.split(".")
        self.op = op
        self.value = value
        self.pattern: Optional[re.Pattern[str]] = None
        if op in ("=", "!=") and "*" in value:
            self.pattern = re.compile(".*".join(re.escape(part) for part in value.split("*")), re.DOTALL)
        self.number = _number(value)

    def match(self, candidate: Any) -> bool:
        value: Any = candidate
        for name in self.path:
            if isinstance(value, Mapping):
                value = value.get(name, _MISSING)
            else:
                value = getattr(value, "get", lambda *_: _MISSING)(name, _MISSING)
            if value is _MISSING:
                return False
        if self.pattern is not None:
            found = self.pattern.fullmatch(_text(value)) is not None
            return found if self.op == "=" else not found
        if isinstance(value, (int, float)) and not isinstance(value, bool) and self.number is not None:
            return _COMPARE[self.op](value, self.number)
        try:
            return _COMPARE[self.op](_text(value), self.value)
        except TypeError:
            return False

    def __repr__(self) -> str:
        return f"{'.'.join(self.path)}{self.op}{self.value!r}"


def _text(value: Any) -> str:
    if value is None:
        return "None"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _number(text: str) -> Optional[float]:
    try:
        return float(text)
    except ValueError:
        return None


def _tokens(text: str) -> List[Tuple[str, str, int]]:
    tokens: List[Tuple[str, str, int]] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        found = _TOKEN.match(text, position)
        if found is None or found.end() == position:
            raise ExpressionError(_pointing(text, position, "unexpected character"))
        kind = found.lastgroup or ""
        start = found.start(kind)
        tokens.append((kind, found.group(kind), start))
        position = found.end()
    return tokens


def _pointing(text: str, position: int, message: str) -> str:
    return f"Cannot parse subscription {text!r}: {message} at position {position}:\n  {text}\n  {' ' * position}^"


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.index = 0

    def peek(self) -> Optional[Tuple[str, str, int]]:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def keyword(self, name: str) -> bool:
        token = self.peek()
        if token is not None and token[0] == "word" and token[1].lower() == name:
            self.index += 1
            return True
        return False

    def fail(self, message: str) -> ExpressionError:
        token = self.peek()
        position = token[2] if token is not None else len(self.text)
        return ExpressionError(_pointing(self.text, position, message))

    def parse(self) -> Expression:
        result = self.disjunction()
        if self.peek() is not None:
            raise self.fail(f"expected 'and', 'or' or the end, found {self.peek()[1]!r}")  # type: ignore[index]
        return result

    def disjunction(self) -> Expression:
        parts = [self.conjunction()]
        while self.keyword("or"):
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else _Any(parts)

    def conjunction(self) -> Expression:
        parts = [self.negation()]
        while self.keyword("and"):
            parts.append(self.negation())
        return parts[0] if len(parts) == 1 else _All(parts)

    def negation(self) -> Expression:
        if self.keyword("not"):
            return _Not(self.negation())
        return self.primary()

    def primary(self) -> Expression:
        token = self.peek()
        if token is None:
            raise self.fail("expected a condition (field=value) or '('")
        if token[1] == "(":
            self.index += 1
            inner = self.disjunction()
            closing = self.peek()
            if closing is None or closing[1] != ")":
                raise self.fail("expected ')'")
            self.index += 1
            return inner
        if token[0] != "word" or token[1].lower() in _KEYWORDS or not _FIELD.match(token[1]):
            raise self.fail(f"expected a field name (like topic or data.name), found {token[1]!r}")
        self.index += 1
        op = self.peek()
        if op is None or op[0] != "op":
            raise self.fail(f"expected an operator ({', '.join(_COMPARE)}) after {token[1]!r}")
        self.index += 1
        value = self.peek()
        if value is None or value[0] not in ("word", "quoted"):
            raise self.fail(f"expected a value after {token[1]}{op[1]}")
        self.index += 1
        text = value[1]
        if value[0] == "quoted":
            text = re.sub(r"\\(.)", r"\1", text[1:-1])
        return _Condition(token[1], op[1], text)


_CACHE: Dict[str, Expression] = {}


def parse_expression(text: str) -> Expression:
    """Parse a subscription (or ``target``) expression; raises :class:`ExpressionError`."""
    if not isinstance(text, str):
        raise ExpressionError(f"A subscription expression must be a string, not {type(text).__name__}.")
    found = _CACHE.get(text)
    if found is None:
        found = _Parser(text).parse() if text.strip() else _Everything()
        if len(_CACHE) < 4096:
            _CACHE[text] = found
    return found
