"""Tokenizer of the ftrack query language, and the errors of the query package.

Tokens are deliberately coarse: a *word* is any run of characters that are not
blanks, quotes, brackets, commas or comparison symbols, so bare values such as
UUIDs, dates (``2024-06-01``) and dotted paths (``status.state.short``) are
single words; the parser gives them meaning from their position.
"""
from __future__ import annotations

from typing import List, Optional

import attrs

from ..errors import FtrackOrmError

WORD = "word"
STRING = "string"
SYMBOL = "symbol"  # ( ) [ ] ,
OPERATOR = "operator"  # = != > < >= <=
END = "end"

_SYMBOLS = "()[],"
_OPERATOR_START = "=!<>"
_BREAK = set(" \t\r\n\f\v\"'") | set(_SYMBOLS) | set(_OPERATOR_START)


def _pointer(expression: str, position: int) -> str:
    """The expression on one line and a caret under ``position``."""
    line = expression.replace("\n", " ").replace("\r", " ").replace("\t", " ")
    position = max(0, min(position, len(line)))
    return f"\n  {line}\n  {' ' * position}^"


class QueryError(FtrackOrmError, ValueError):
    """Base of the errors about a query expression; points at a position in it."""

    def __init__(self, message: str, expression: str = "", position: int = -1) -> None:
        self.reason = message
        self.expression = expression
        self.position = position
        text = message
        if position >= 0:
            text += f" (at position {position})"
            text += _pointer(expression, position)
        super().__init__(text)


class QueryParseError(QueryError):
    """The expression is not valid ftrack query syntax."""


class QueryValidationError(QueryError):
    """The expression names an unknown type or attribute, or misuses one."""


@attrs.frozen
class Token:
    kind: str
    text: str  # a string token's decoded value; else the source text
    pos: int

    def is_word(self, *keywords: str) -> bool:
        """True for a word equal (case-insensitively) to one of ``keywords``."""
        return self.kind == WORD and self.text.lower() in keywords


def tokenize(expression: str) -> List[Token]:
    """Split ``expression`` into tokens, ending with one ``END`` token."""
    tokens: List[Token] = []
    i, n = 0, len(expression)
    while i < n:
        char = expression[i]
        if char.isspace():
            i += 1
        elif char in _SYMBOLS:
            tokens.append(Token(SYMBOL, char, i))
            i += 1
        elif char in _OPERATOR_START:
            two = expression[i:i + 2]
            if two in ("!=", ">=", "<="):
                tokens.append(Token(OPERATOR, two, i))
                i += 2
            elif char == "!":
                raise QueryParseError("Unexpected '!' (did you mean '!='?)", expression, i)
            else:
                tokens.append(Token(OPERATOR, char, i))
                i += 1
        elif char in "\"'":
            value, end = _read_string(expression, i)
            tokens.append(Token(STRING, value, i))
            i = end
        else:
            start = i
            while i < n and expression[i] not in _BREAK:
                i += 1
            tokens.append(Token(WORD, expression[start:i], start))
    tokens.append(Token(END, "", n))
    return tokens


def _read_string(expression: str, start: int) -> tuple[str, int]:
    """Decode the quoted string at ``start``; a backslash escapes the next character."""
    quote = expression[start]
    parts: List[str] = []
    i, n = start + 1, len(expression)
    while i < n:
        char = expression[i]
        if char == "\\":
            if i + 1 >= n:
                break
            parts.append(expression[i + 1])
            i += 2
        elif char == quote:
            return "".join(parts), i + 1
        else:
            parts.append(char)
            i += 1
    raise QueryParseError("Unterminated string", expression, start)


def describe(token: Optional[Token]) -> str:
    """A human description of a token for error messages."""
    if token is None or token.kind == END:
        return "end of expression"
    if token.kind == STRING:
        return f"string {token.text!r}"
    return repr(token.text)
