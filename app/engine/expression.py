"""A safe parser for formulas such as ``cos(x^2 − 1)``: text → tokens → syntax tree → engine graph.

Nothing is ever handed to ``eval``. A hand-written tokenizer feeds a recursive-descent parser whose
recursion is bounded by ``max_depth`` (checked as it descends) and whose input is bounded by
``max_length`` (checked first), so no text can exhaust the stack or the memory.

Grammar (EBNF; ``^`` may also be written ``**``):

    expression = sum ;
    sum        = product , { ( "+" | "-" ) , product } ;
    product    = signed , { ( "*" | "/" ) , signed | power } ;  (* bare power: implicit "*" *)
    signed     = ( "+" | "-" ) , signed | power ;
    power      = primary , { superscript } , [ "^" , signed ] ;  (* right-associative *)
    primary    = number | constant | variable | function , "(" , expression , ")"
               | "(" , expression , ")" ;
    number     = ( digits , [ "." , [ digits ] ] | "." , digits ) , [ ( "e" | "E" ) , [ "+" | "-" ] , digits ] ;
    variable   = letter , { letter | digit } ;  (* ASCII letters, digits and "_" *)

So ``-x^2`` is −(x²), ``2^3^2`` is 2⁹ and ``2x^2`` is 2·x². Implicit multiplication has the same
precedence as ``*`` and ``/`` (``1/2x`` is x/2) and applies only when the second factor starts with
a name or "(": ``2x``, ``3(x + 1)``, ``(x + 1)(x − 1)``, ``2 sin(x)``, and ``x y`` (two names need a
space between them, or they read as one name). A number after a value (``2 3``) is an error, as is a
variable directly followed by "(": ``x(x + 1)`` would be ambiguous, ``x*(x + 1)`` is not.

Typographic characters pasted from lesson text are accepted: ``−`` (minus), ``·`` ``×`` ``⋅``
(times), ``÷`` (divide), ``π``, and superscript exponents such as ``x²`` or ``x⁻¹``. ``ln`` is ``log``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple, TypeVar

import numpy as np

from app.engine import functions as F
from app.engine.tensor import Tensor

FUNCTIONS: tuple[str, ...] = ("sin", "cos", "tan", "exp", "log", "sqrt", "tanh", "sigmoid", "relu", "abs")
"""The functions an expression may call, each with one argument in parentheses."""

CONSTANTS: dict[str, float] = {"pi": math.pi, "e": math.e}
"""Named constants; they cannot be used as variable names."""

ALIASES: dict[str, str] = {"ln": "log", "π": "pi"}
"""Other spellings accepted in the input, and the canonical names they stand for."""

MAX_DEPTH_LIMIT = 100
"""The largest ``max_depth`` a caller may ask for: each level costs a few Python stack frames."""

LABEL_LENGTH = 40
"""Graph labels longer than this show the parts that do not fit as "…"."""

_FUNCTION_OPS: dict[str, Callable[[Tensor], Tensor]] = {
    "sin": F.sin,
    "cos": F.cos,
    "tan": F.tan,
    "exp": F.exp,
    "log": F.log,
    "sqrt": F.sqrt,
    "tanh": F.tanh,
    "sigmoid": F.sigmoid,
    "relu": F.relu,
    "abs": F.abs,
}
_BINARY_OPS: dict[str, Callable[[Tensor, Tensor], Tensor]] = {
    "+": F.add,
    "-": F.sub,
    "*": F.mul,
    "/": F.div,
    "^": F.power,  # a constant exponent becomes pow_const, which is defined for negative bases too
}


class ExpressionError(ValueError):
    """Why a text is not a valid expression (or cannot be evaluated), and where.

    Attributes:
        message: an English sentence that says what to fix.
        code: a short stable key for the kind of problem ("unknown_function", "too_deep", ...).
        column: the 1-based position in the text the problem is at, or None.
        params: the values the message mentions (name, operator, ...), for translating it.
    """

    def __init__(
        self, code: str, message: str, column: int | None = None, params: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.column = column
        self.params = params or {}


# ---------------------------------------------------------------------------------------- syntax tree
class Node:
    """A node of the syntax tree. ``column`` is where it starts in the text (not part of equality)."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({_fold(self, _render_plain)[0]!r})"


@dataclass(frozen=True, repr=False)
class Number(Node):
    value: float
    text: str = field(default="", compare=False)  # as typed, e.g. ".5" or "1e999"
    column: int | None = field(default=None, compare=False)


@dataclass(frozen=True, repr=False)
class Constant(Node):
    name: str  # a key of CONSTANTS
    column: int | None = field(default=None, compare=False)


@dataclass(frozen=True, repr=False)
class Variable(Node):
    name: str
    column: int | None = field(default=None, compare=False)


@dataclass(frozen=True, repr=False)
class Negation(Node):
    operand: Node
    column: int | None = field(default=None, compare=False)


@dataclass(frozen=True, repr=False)
class Binary(Node):
    operator: str  # one of + - * / ^
    left: Node
    right: Node
    column: int | None = field(default=None, compare=False)


@dataclass(frozen=True, repr=False)
class Call(Node):
    function: str  # one of FUNCTIONS
    argument: Node
    column: int | None = field(default=None, compare=False)


def _children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, Binary):
        return node.left, node.right
    if isinstance(node, Negation):
        return (node.operand,)
    if isinstance(node, Call):
        return (node.argument,)
    return ()


T = TypeVar("T")


def _fold(root: Node, visit: Callable[[Node, list[T]], T]) -> T:
    """``visit(node, results of its children)`` bottom-up, left to right.

    Iterative, like ``topological_order``: a long chain such as ``x + x + … + x`` is a deep tree.
    """
    results: list[T] = []
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        children = _children(node)
        if not children_done:
            stack.append((node, True))
            stack.extend((child, False) for child in reversed(children))
            continue
        start = len(results) - len(children)
        parts = results[start:]
        del results[start:]
        results.append(visit(node, parts))
    return results[0]


def _walk(root: Node) -> Iterator[Node]:
    """Every node of the tree, parents before children, left to right."""
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(_children(node)))


# ---------------------------------------------------------------------------------------- rendering
# Binding strength, loosest first: a child looser than its place allows is put in parentheses.
SUM, PRODUCT, SIGNED, POWER, ATOM = 1, 2, 3, 4, 5
_PRECEDENCE = {"+": SUM, "-": SUM, "*": PRODUCT, "/": PRODUCT}

Rendered = tuple[str, int]  # text and how tightly it binds


@dataclass(frozen=True)
class _Style:
    minus: str
    times: str
    pi: str


_PLAIN = _Style(minus="-", times="*", pi="pi")  # what to_string writes: parses back to the same tree
_TYPESET = _Style(minus="−", times="·", pi="π")  # what the graph shows
_ELLIPSIS: Rendered = ("…", ATOM)


def _format_number(node: Number) -> str:
    if not math.isfinite(node.value):
        return node.text  # e.g. "1e999", which reads back as the same infinity
    if node.value.is_integer() and abs(node.value) < 1e16:
        return str(int(node.value))
    return repr(node.value)


def _grouped(part: Rendered, weakest_allowed: int) -> str:
    text, precedence = part
    return text if precedence >= weakest_allowed else f"({text})"


def _render(node: Node, parts: Sequence[Rendered], style: _Style) -> Rendered:
    """One node written out from its rendered children, with only the parentheses it needs."""
    if isinstance(node, Number):
        return _format_number(node), ATOM
    if isinstance(node, Constant):
        return (style.pi if node.name == "pi" else node.name), ATOM
    if isinstance(node, Variable):
        return node.name, ATOM
    if isinstance(node, Call):
        return f"{node.function}({parts[0][0]})", ATOM
    if isinstance(node, Negation):
        return style.minus + _grouped(parts[0], SIGNED), SIGNED
    assert isinstance(node, Binary)
    left, right = parts
    if node.operator == "^":  # right-associative; the exponent may carry a sign: 2^-x
        return f"{_grouped(left, ATOM)}^{_grouped(right, SIGNED)}", POWER
    precedence = _PRECEDENCE[node.operator]
    symbol = {"-": style.minus, "*": style.times}.get(node.operator, node.operator)
    # left-associative: a − (b − c) keeps its parentheses, (a − b) − c loses them
    return f"{_grouped(left, precedence)} {symbol} {_grouped(right, precedence + 1)}", precedence


def _render_plain(node: Node, parts: list[Rendered]) -> Rendered:
    return _render(node, parts, _PLAIN)


def _label(node: Node, parts: Sequence[Rendered | None]) -> tuple[Rendered | None, str]:
    """The node's typeset rendering (None once longer than LABEL_LENGTH) and its graph label."""
    complete = [part for part in parts if part is not None]
    if len(complete) == len(parts):
        full = _render(node, complete, _TYPESET)
        if len(full[0]) <= LABEL_LENGTH:
            return full, full[0]
    shortened = [part if part and len(part[0]) <= LABEL_LENGTH // 2 else _ELLIPSIS for part in parts]
    return None, _render(node, shortened, _TYPESET)[0]


# ---------------------------------------------------------------------------------------- the result
@dataclass(frozen=True)
class Expression:
    """A parsed expression.

    ``root`` is the syntax tree; ``variables`` lists the variable names in order of first appearance.
    Equality and hashing go by ``source`` (the tree follows from it).
    """

    source: str
    root: Node = field(compare=False, repr=False)
    variables: tuple[str, ...]

    def evaluate(
        self, values: Mapping[str, float | np.ndarray], requires_grad: bool = True
    ) -> tuple[Tensor, dict[str, Tensor]]:
        """Build the engine graph: return the output tensor and the tensor of each variable.

        Each variable becomes one leaf ``Tensor(value, requires_grad, name=variable)``, shared by all
        its occurrences, so ``output.backward()`` leaves ∂output/∂variable in its ``grad``. Every other
        tensor gets a readable ``label`` such as "x^2 − 1". Values for other names are ignored.
        """
        for name in self.variables:
            if name not in values:
                raise ExpressionError(
                    "missing_value",
                    f"Give a value for the variable '{name}'.",
                    self._first_column(name),
                    {"name": name},
                )
        inputs = {name: Tensor(values[name], requires_grad=requires_grad, name=name) for name in self.variables}

        def build(node: Node, parts: list[tuple[Tensor, Rendered | None]]) -> tuple[Tensor, Rendered | None]:
            tensor = _tensor_of(node, [tensor for tensor, _ in parts], inputs)
            rendered, label = _label(node, [rendered for _, rendered in parts])
            if not isinstance(node, Variable):
                tensor.label = label
            return tensor, rendered

        output, _ = _fold(self.root, build)
        return output, inputs

    def to_string(self) -> str:
        """The canonical text: explicit operators, ASCII, only the parentheses needed.

        ``parse(e.to_string())`` has the same tree as ``e``.
        """
        return _fold(self.root, _render_plain)[0]

    def _first_column(self, variable: str) -> int | None:
        columns = [n.column for n in _walk(self.root) if isinstance(n, Variable) and n.name == variable]
        return min((c for c in columns if c is not None), default=None)


def _tensor_of(node: Node, inputs_of_node: list[Tensor], variables: dict[str, Tensor]) -> Tensor:
    if isinstance(node, Number):
        return Tensor(node.value)
    if isinstance(node, Constant):
        return Tensor(CONSTANTS[node.name])
    if isinstance(node, Variable):
        return variables[node.name]
    if isinstance(node, Negation):
        return F.neg(inputs_of_node[0])
    if isinstance(node, Call):
        return _FUNCTION_OPS[node.function](inputs_of_node[0])
    assert isinstance(node, Binary)
    return _BINARY_OPS[node.operator](*inputs_of_node)


# ---------------------------------------------------------------------------------------- tokenizer
class _Token(NamedTuple):
    kind: str  # "number", "name", "superscript", "end", or the symbol itself: + - * / ^ ( )
    text: str  # as typed
    column: int
    spaced: bool = False  # whitespace right before it
    value: float = 0.0  # of a number or superscript


_DIGITS = frozenset("0123456789")
_NAME_START = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")
_NAME_CHARS = _NAME_START | _DIGITS
_SYMBOLS = {
    "+": "+", "-": "-", "−": "-",
    "*": "*", "·": "*", "×": "*", "⋅": "*",
    "/": "/", "÷": "/",
    "^": "^", "(": "(", ")": ")",
}  # fmt: skip
_SUPERSCRIPT_DIGITS = {s: str(d) for d, s in enumerate("⁰¹²³⁴⁵⁶⁷⁸⁹")}
_SUPERSCRIPT_MINUS = "⁻"
_OPERATORS = frozenset("+-*/^")


def _skip(text: str, i: int, allowed: Collection[str]) -> int:
    while i < len(text) and text[i] in allowed:
        i += 1
    return i


def _exponent_end(text: str, i: int) -> int | None:
    """Where an exponent part "e-3" starting at ``i`` ends, or None: a lone "2e" is 2 times e."""
    if i >= len(text) or text[i] not in "eE":
        return None
    j = i + 1
    if j < len(text) and text[j] in "+-−":
        j += 1
    if j < len(text) and text[j] in _DIGITS:
        return _skip(text, j, _DIGITS)
    return None


def _scan_number(text: str, start: int) -> tuple[int, float]:
    end = _skip(text, start, _DIGITS)
    if end < len(text) and text[end] == ".":
        end = _skip(text, end + 1, _DIGITS)
    digits_seen = any(ch in _DIGITS for ch in text[start:end])
    if digits_seen:
        end = _exponent_end(text, end) or end
    if not digits_seen or (end < len(text) and text[end] == "."):
        shown = text[start : _skip(text, end, _DIGITS | {"."})]
        raise ExpressionError(
            "bad_number",
            f"'{shown}' at column {start + 1} is not a number; write numbers like 2, 0.5 or 1e-3.",
            start + 1,
            {"text": shown},
        )
    return end, float(text[start:end].replace("−", "-"))  # 1e999 is inf, which the engine handles


def _scan_superscript(text: str, start: int) -> int:
    digits_start = start + 1 if text[start] == _SUPERSCRIPT_MINUS else start
    end = _skip(text, digits_start, _SUPERSCRIPT_DIGITS)
    if end == digits_start:
        raise ExpressionError(
            "bad_number",
            f"'{_SUPERSCRIPT_MINUS}' at column {start + 1} needs superscript digits after it, as in x⁻¹.",
            start + 1,
            {"text": _SUPERSCRIPT_MINUS},
        )
    return end


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, spaced = 0, False
    while i < len(text):
        ch, start, value = text[i], i, 0.0
        if ch.isspace():
            i, spaced = i + 1, True
            continue
        if ch in _DIGITS or ch == ".":
            kind = "number"
            i, value = _scan_number(text, i)
        elif ch in _NAME_START:
            kind, i = "name", _skip(text, i, _NAME_CHARS)
        elif ch == "π":
            kind, i = "name", i + 1
        elif text.startswith("**", i):
            kind, i = "^", i + 2
        elif ch in _SYMBOLS:
            kind, i = _SYMBOLS[ch], i + 1
        elif ch in _SUPERSCRIPT_DIGITS or ch == _SUPERSCRIPT_MINUS:
            kind, i = "superscript", _scan_superscript(text, i)
            value = float("".join(_SUPERSCRIPT_DIGITS.get(c, "") for c in text[start:i]))
        else:
            raise ExpressionError(
                "bad_character",
                f"'{ch}' at column {i + 1} cannot be used; write numbers, variables such as x, "
                "+ - * / ^, parentheses and functions such as sin(x).",
                i + 1,
                {"character": ch},
            )
        tokens.append(_Token(kind, text[start:i], start + 1, spaced, value))
        spaced = False
    tokens.append(_Token("end", "", len(text) + 1, spaced))
    return tokens


def _check_parentheses(tokens: list[_Token]) -> None:
    """Report the first ")" without a "(", or else the innermost "(" left open."""
    open_columns: list[int] = []
    for token in tokens:
        if token.kind == "(":
            open_columns.append(token.column)
        elif token.kind == ")" and open_columns:
            open_columns.pop()
        elif token.kind == ")":
            raise ExpressionError(
                "unbalanced_parenthesis",
                f"The ')' at column {token.column} has no matching '('; remove it or add a '(' before it.",
                token.column,
                {"parenthesis": ")"},
            )
    if open_columns:
        column = open_columns[-1]
        raise ExpressionError(
            "unbalanced_parenthesis",
            f"The '(' at column {column} is never closed; add a ')'.",
            column,
            {"parenthesis": "("},
        )


# ---------------------------------------------------------------------------------------- parser
class _Parser:
    """Recursive descent, one method per grammar rule; ``_depth`` counts the open nesting levels."""

    def __init__(self, tokens: list[_Token], max_depth: int, allowed: frozenset[str] | None) -> None:
        self._tokens = tokens
        self._position = 0
        self._depth = 0
        self._max_depth = max_depth
        self._allowed = allowed
        self.variables: dict[str, None] = {}  # an ordered set: order of first appearance

    def parse(self) -> Node:
        root = self._sum()
        token = self._peek()
        if token.kind != "end":
            raise self._unexpected(token)
        return root

    # -------------------------------------------------------------------- grammar rules
    def _sum(self) -> Node:
        left = self._product()
        while self._peek().kind in ("+", "-"):
            operator = self._advance()
            left = Binary(operator.kind, left, self._product(), operator.column)
        return left

    def _product(self) -> Node:
        left = self._signed()
        while True:
            token = self._peek()
            if token.kind in ("*", "/"):
                self._advance()
                left = Binary(token.kind, left, self._signed(), token.column)
            elif token.kind in ("name", "("):  # implicit multiplication: 2x, 3(x + 1), x y
                left = Binary("*", left, self._power(), token.column)
            elif token.kind == "number":
                raise ExpressionError(
                    "missing_operator",
                    f"Put an operator such as '*' before '{token.text}' at column {token.column}.",
                    token.column,
                    {"text": token.text},
                )
            else:
                return left

    def _signed(self) -> Node:
        sign = self._peek()
        if sign.kind not in ("+", "-"):
            return self._power()
        self._advance()
        self._descend(sign)
        operand = self._signed()
        self._depth -= 1
        return operand if sign.kind == "+" else Negation(operand, sign.column)

    def _power(self) -> Node:
        base = self._primary()
        while self._peek().kind == "superscript":
            token = self._advance()
            exponent: Node = Number(token.value, token.text, token.column)
            if token.text.startswith(_SUPERSCRIPT_MINUS):
                exponent = Negation(exponent, token.column)
            base = Binary("^", base, exponent, token.column)
        if self._peek().kind != "^":
            return base
        operator = self._advance()
        self._descend(operator)
        exponent = self._signed()
        self._depth -= 1
        return Binary("^", base, exponent, operator.column)

    def _primary(self) -> Node:
        token = self._peek()
        if token.kind == "number":
            self._advance()
            return Number(token.value, token.text, token.column)
        if token.kind == "name":
            return self._name()
        if token.kind == "(":
            self._advance()
            self._descend(token)
            inner = self._parenthesised(token)
            self._depth -= 1
            return inner
        raise self._missing_operand(token)

    def _name(self) -> Node:
        token = self._advance()
        name = ALIASES.get(token.text, token.text)
        if name in CONSTANTS:
            return Constant(name, token.column)
        following = self._peek()
        if name in FUNCTIONS:
            if following.kind != "(":
                raise ExpressionError(
                    "function_without_parenthesis",
                    f"The function '{token.text}' at column {token.column} needs parentheses right "
                    f"after its name, as in {token.text}(x) or {token.text}(x)^2.",
                    token.column,
                    {"name": token.text},
                )
            self._advance()
            self._descend(token)
            argument = self._parenthesised(following)
            self._depth -= 1
            return Call(name, argument, token.column)
        if following.kind == "(" and not following.spaced:
            raise ExpressionError(
                "unknown_function",
                f"'{name}' at column {token.column} is not a function; use one of {', '.join(FUNCTIONS)}, "
                f"or to multiply write {name}*(…).",
                token.column,
                {"name": name},
            )
        if self._allowed is not None and name not in self._allowed:
            allowed = ", ".join(sorted(self._allowed)) or "no variables"
            raise ExpressionError(
                "unknown_variable",
                f"'{name}' at column {token.column} is not a variable here; use {allowed}.",
                token.column,
                {"name": name, "variables": sorted(self._allowed)},
            )
        self.variables[name] = None
        return Variable(name, token.column)

    def _parenthesised(self, opening: _Token) -> Node:
        """What stands between ``opening`` (already consumed) and its ")" (balance is checked)."""
        if self._peek().kind == ")":
            raise ExpressionError(
                "empty_parentheses",
                f"The parentheses at column {opening.column} are empty; put an expression inside.",
                opening.column,
            )
        inner = self._sum()
        closing = self._advance()
        if closing.kind != ")":
            raise self._unexpected(closing)
        return inner

    # -------------------------------------------------------------------- helpers
    def _peek(self) -> _Token:
        return self._tokens[self._position]

    def _advance(self) -> _Token:
        token = self._tokens[self._position]
        self._position = min(self._position + 1, len(self._tokens) - 1)  # "end" is never passed
        return token

    def _descend(self, token: _Token) -> None:
        self._depth += 1
        if self._depth > self._max_depth:
            raise ExpressionError(
                "too_deep",
                f"The expression nests more than {self._max_depth} levels deep at column {token.column}; simplify it.",
                token.column,
                {"max_depth": self._max_depth},
            )

    def _missing_operand(self, token: _Token) -> ExpressionError:
        previous = self._tokens[self._position - 1] if self._position else None
        if token.kind in ("end", ")") and previous is not None and previous.kind in _OPERATORS:
            return ExpressionError(
                "missing_operand",
                f"'{previous.text}' at column {previous.column} needs a value after it.",
                previous.column,
                {"operator": previous.text, "side": "after"},
            )
        if token.kind in _OPERATORS or token.kind == "superscript":
            return ExpressionError(
                "missing_operand",
                f"'{token.text}' at column {token.column} needs a value before it.",
                token.column,
                {"operator": token.text, "side": "before"},
            )
        return self._unexpected(token)

    @staticmethod
    def _unexpected(token: _Token) -> ExpressionError:
        shown = token.text or "the end"
        return ExpressionError(
            "unexpected_token",
            f"'{shown}' at column {token.column} is not expected here.",
            token.column,
            {"text": token.text},
        )


# ---------------------------------------------------------------------------------------- entry point
def parse(
    text: str, max_length: int = 500, max_depth: int = 40, variables: Collection[str] | None = None
) -> Expression:
    """Parse ``text`` into an :class:`Expression`, or raise :class:`ExpressionError`.

    ``max_length`` caps the characters and ``max_depth`` the nesting of parentheses, signs, powers
    and function calls. With ``variables`` given, any other name is an "unknown_variable" error.
    """
    if not 1 <= max_depth <= MAX_DEPTH_LIMIT:
        raise ValueError(f"max_depth must be between 1 and {MAX_DEPTH_LIMIT}, not {max_depth}")
    if len(text) > max_length:
        raise ExpressionError(
            "too_long",
            f"The expression has {len(text)} characters; shorten it to at most {max_length}.",
            None,
            {"length": len(text), "max_length": max_length},
        )
    if not text.strip():
        raise ExpressionError("empty", "Type an expression, for example x^2 + 1.")
    allowed = None if variables is None else _allowed_variables(variables)
    tokens = _tokenize(text)
    _check_parentheses(tokens)
    parser = _Parser(tokens, max_depth, allowed)
    try:
        root = parser.parse()
    except RecursionError:  # only when the caller is itself already deep in the stack
        raise ExpressionError(
            "too_deep", "The expression nests too deeply; simplify it.", None, {"max_depth": max_depth}
        ) from None
    return Expression(text, root, tuple(parser.variables))


def _allowed_variables(variables: Collection[str]) -> frozenset[str]:
    for name in variables:
        if name in FUNCTIONS or name in CONSTANTS or name in ALIASES:
            raise ExpressionError(
                "reserved_name",
                f"'{name}' is the name of a function or constant and cannot be a variable.",
                None,
                {"name": name},
            )
    return frozenset(variables)
