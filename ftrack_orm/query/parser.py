"""Recursive-descent parser: ftrack query expression → :class:`~.ast.Query`.

Grammar (keywords case-insensitive)::

    query     := [ "select" item ("," item)* "from" ] TYPE [ "where" criteria ]
                 [ "group" "by" path ("," path)* ]
                 [ "order" "by" key ("," key)* ] [ offset | limit ]*   (each once)
    item      := path | FUNCTION "(" path ")"     FUNCTION: count sum avg min max
    key       := path [ "asc" | "ascending" | "desc" | "descending" ]
    criteria  := and_expr ( "or" and_expr )*
    and_expr  := not_expr ( "and" not_expr )*
    not_expr  := "not" not_expr | "(" criteria ")" | condition
    condition := path ( OP value | ("in"|"not_in") "(" (values | query) ")"
                      | "has" "(" criteria ")" | "any" "(" [criteria] ")" )
    path      := step ( "." step )*      step := NAME [ "[" TYPE "]" ]
    value     := STRING | NUMBER | "true" | "false" | "none" | WORD
"""
from __future__ import annotations

import re
from typing import List, Optional, Tuple

from . import ast
from .lexer import END, OPERATOR, STRING, SYMBOL, WORD, QueryParseError, Token, describe, tokenize

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\Z")
_INTEGER = re.compile(r"[+-]?\d+\Z")
_CLAUSE_WORDS = ("where", "order", "offset", "limit")
_LITERALS = {"true": True, "false": False, "none": None}
#: How deep parentheses, ``not``, ``has``/``any`` and subqueries may nest.
MAX_DEPTH = 64


def parse(expression: str) -> ast.Query:
    """Parse ``expression``; raise :class:`QueryParseError` pointing at the problem."""
    if not isinstance(expression, str):
        raise QueryParseError(f"Expected an expression string, got {type(expression).__name__}")
    parser = _Parser(expression)
    query = parser.query()
    parser.expect_end()
    return query


def parse_criteria(expression: str) -> ast.Criteria:
    """Parse a bare criteria string such as ``name is "x" and bid > 2``."""
    parser = _Parser(expression)
    criteria = parser.criteria()
    parser.expect_end()
    return criteria


def parse_value(text: str) -> ast.Scalar:
    """The value of a bare word: number, boolean, none or the word itself."""
    lowered = text.lower()
    if lowered in _LITERALS:
        return _LITERALS[lowered]
    if _NUMBER.match(text):
        return int(text) if _INTEGER.match(text) else float(text)
    return text


class _Parser:
    def __init__(self, expression: str) -> None:
        self.expression = expression
        self.tokens = tokenize(expression)
        self.index = 0
        self.depth = 0

    # -- token helpers -------------------------------------------------------
    @property
    def token(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        if token.kind != END:
            self.index += 1
        return token

    def error(self, message: str, token: Optional[Token] = None) -> QueryParseError:
        token = token or self.token
        return QueryParseError(message, self.expression, token.pos)

    def accept_word(self, *keywords: str) -> Optional[Token]:
        if self.token.is_word(*keywords):
            return self.advance()
        return None

    def expect_word(self, keyword: str) -> Token:
        token = self.accept_word(keyword)
        if token is None:
            raise self.error(f"Expected '{keyword}' but found {describe(self.token)}")
        return token

    def accept_symbol(self, symbol: str) -> Optional[Token]:
        if self.token.kind == SYMBOL and self.token.text == symbol:
            return self.advance()
        return None

    def expect_symbol(self, symbol: str) -> Token:
        token = self.accept_symbol(symbol)
        if token is None:
            raise self.error(f"Expected '{symbol}' but found {describe(self.token)}")
        return token

    def expect_end(self) -> None:
        if self.token.kind != END:
            raise self.error(f"Unexpected {describe(self.token)}")

    # -- query ----------------------------------------------------------------
    def query(self) -> ast.Query:
        start = self.token.pos
        select: Optional[Tuple[ast.Path, ...]] = None
        aggregates: List[ast.Aggregate] = []
        if self.accept_word("select"):
            paths: List[ast.Path] = []
            self.select_item(paths, aggregates)
            while self.accept_symbol(","):
                self.select_item(paths, aggregates)
            select = tuple(paths)
            self.expect_word("from")
        type_token = self.token
        if type_token.kind != WORD or not _NAME.match(type_token.text):
            raise self.error(f"Expected an entity type but found {describe(type_token)}")
        self.advance()
        where = self.criteria() if self.accept_word("where") else None
        group_by: List[ast.Path] = []
        if self.accept_word("group"):
            self.expect_word("by")
            group_by.append(self.path())
            while self.accept_symbol(","):
                group_by.append(self.path())
        order_by: Tuple[ast.OrderKey, ...] = ()
        if self.accept_word("order"):
            self.expect_word("by")
            keys = [self.order_key()]
            while self.accept_symbol(","):
                keys.append(self.order_key())
            order_by = tuple(keys)
        offset = limit = None
        while self.token.is_word("offset", "limit"):
            word = self.advance()
            name = word.text.lower()
            if (offset if name == "offset" else limit) is not None:
                raise self.error(f"'{name}' given twice", word)
            number = self.advance()
            if number.kind != WORD or not re.match(r"\d+\Z", number.text):
                raise self.error(f"Expected a non-negative integer after '{name}'", number)
            if name == "offset":
                offset = int(number.text)
            else:
                limit = int(number.text)
        return ast.Query(
            type_token.text, select, where, order_by, offset, limit, tuple(aggregates), tuple(group_by),
            pos=start, type_pos=type_token.pos,
        )

    def select_item(self, paths: List[ast.Path], aggregates: List[ast.Aggregate]) -> None:
        """One item of a select list: ``path``, or ``function(path)`` (``count(id)``)."""
        token, following = self.token, self.tokens[min(self.index + 1, len(self.tokens) - 1)]
        opens = following.kind == SYMBOL and following.text == "("
        if token.kind == WORD and token.text.lower() in ast.AGGREGATE_FUNCTIONS and opens:
            self.advance()
            self.expect_symbol("(")
            aggregates.append(ast.Aggregate(token.text.lower(), self.path(), pos=token.pos))
            self.expect_symbol(")")
        elif token.is_word("from") and (following.is_word("from") or (following.kind == SYMBOL and following.text == ",")):
            paths.append(self.path(()))  # the attribute ``from`` (``select from, to from TypedContextLink``)
        else:
            paths.append(self.path(("from",)))

    def order_key(self) -> ast.OrderKey:
        path = self.path()
        descending = False
        if self.accept_word("desc", "descending"):
            descending = True
        else:
            self.accept_word("asc", "ascending")
        return ast.OrderKey(path, descending, pos=path.pos)

    # -- paths ------------------------------------------------------------------
    def path(self, reserved: Tuple[str, ...] = ("and", "or")) -> ast.Path:
        first = self.token
        if first.kind != WORD or first.text.lower() in reserved:
            raise self.error(f"Expected an attribute path but found {describe(first)}")
        steps: List[ast.PathStep] = []
        text, offset = first.text, first.pos
        self.advance()
        while True:
            if text.startswith(".") and steps:
                text, offset = text[1:], offset + 1
            parts = text.split(".")
            for part in parts:
                if not _NAME.match(part):
                    raise QueryParseError(
                        f"Invalid attribute name {part!r} in path", self.expression, offset
                    )
                steps.append(ast.PathStep(part, pos=offset))
                offset += len(part) + 1
            if not parts[-1] or not (self.token.kind == SYMBOL and self.token.text == "["):
                break
            # a cast on the last step: name[Type], possibly followed by .more
            if self.token.pos != offset - 1:
                break
            self.advance()
            cast = self.token
            if cast.kind != WORD or not _NAME.match(cast.text):
                raise self.error(f"Expected a type name in cast but found {describe(cast)}")
            self.advance()
            self.expect_symbol("]")
            steps[-1] = ast.PathStep(steps[-1].name, cast.text, pos=steps[-1].pos)
            nxt = self.token
            if nxt.kind == WORD and nxt.text.startswith(".") and nxt.pos == self.tokens[self.index - 1].pos + 1:
                self.advance()
                text, offset = nxt.text, nxt.pos
                continue
            break
        return ast.Path(tuple(steps), pos=first.pos)

    # -- criteria -----------------------------------------------------------------
    def criteria(self) -> ast.Criteria:
        start = self.token.pos
        items = [self.and_expr()]
        while self.accept_word("or"):
            items.append(self.and_expr())
        return items[0] if len(items) == 1 else ast.Or(tuple(items), pos=start)

    def and_expr(self) -> ast.Criteria:
        start = self.token.pos
        items = [self.not_expr()]
        while self.accept_word("and"):
            items.append(self.not_expr())
        return items[0] if len(items) == 1 else ast.And(tuple(items), pos=start)

    def not_expr(self) -> ast.Criteria:
        # every nesting (parentheses, not, has/any, subqueries) passes here
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(f"The expression nests too deep (more than {MAX_DEPTH} levels)")
        try:
            token = self.accept_word("not")
            if token is not None:
                return ast.Not(self.not_expr(), pos=token.pos)
            if self.accept_symbol("("):
                inner = self.criteria()
                self.expect_symbol(")")
                return inner
            if self.token.kind == END:
                raise self.error("Expected a condition but found end of expression")
            return self.condition()
        finally:
            self.depth -= 1

    def condition(self) -> ast.Criteria:
        path = self.path()
        token = self.token
        if token.is_word("has"):
            self.advance()
            self.expect_symbol("(")
            inner = self.criteria()
            self.expect_symbol(")")
            return ast.Has(path, inner, pos=path.pos)
        if token.is_word("any"):
            self.advance()
            self.expect_symbol("(")
            matching = None if self.accept_symbol(")") else self.criteria()
            if matching is not None:
                self.expect_symbol(")")
            return ast.Any(path, matching, pos=path.pos)
        if token.kind == OPERATOR or (token.kind == WORD and token.text.lower() in ast.OPERATOR_ALIASES):
            self.advance()
            op = ast.OPERATOR_ALIASES[token.text.lower()]
            if op == "=" and token.kind == WORD and self.token.is_word("not"):
                self.advance()  # "is not" is accepted as "is_not"
                op = "!="
            if op in ("in", "not_in"):
                return ast.Comparison(path, op, self.in_operand(), pos=path.pos)
            return ast.Comparison(path, op, self.value(), pos=path.pos)
        raise self.error(f"Expected an operator after '{path}' but found {describe(token)}")

    def in_operand(self) -> object:
        self.expect_symbol("(")
        if self.token.is_word("select"):
            sub = self.query()
            self.expect_symbol(")")
            return sub
        values: List[ast.Scalar] = []
        if not self.accept_symbol(")"):
            values.append(self.value())
            while self.accept_symbol(","):
                values.append(self.value())
            self.expect_symbol(")")
        return tuple(values)

    def value(self) -> ast.Scalar:
        token = self.token
        if token.kind == STRING:
            self.advance()
            return token.text
        if token.kind == WORD and token.text.lower() not in ("and", "or"):
            self.advance()
            return parse_value(token.text)
        raise self.error(f"Expected a value but found {describe(token)}")
