"""Symbolic derivatives of parsed expressions, simplified and written as a textbook prints them.

The parser (:mod:`app.engine.expression`) gives a syntax tree of ``Number``, ``Constant``,
``Variable``, ``Negation``, ``Binary`` and ``Call`` nodes. Differentiating that tree rule by rule gives
correct but unreadable text (``2·(2·x^1·1)``), so the tree is first brought into a *normal form*
in which the simplifications a student does by hand happen as the terms are built:

    a sum        c + Σ cᵢ·tᵢ      like terms collected (x + x = 2x), a 0 coefficient drops the term
    a product    c · Π bᵢ^eᵢ      numbers multiplied into one coefficient c (0·x = 0, 1·x = x),
                                  equal bases merged by adding exponents (x·x = x², x·x⁻¹ = 1)
    a power      b^e              x^0 = 1, x^1 = x, 1^e = 1, (x^a)^n = x^(a·n) for whole n,
                                  whole powers of numbers folded exactly (2^3 = 8)
    a call       f(u)             sin(0) = 0, log(1) = 0, log(e) = 1, …

``u − v`` is ``u + (−1)·v`` and ``u / v`` is ``u·v⁻¹``. Numbers are exact fractions (the typed decimal
0.1 is 1/10), so 0.1 + 0.2 is 0.3, not 0.30000000000000004. Then the rules of differentiation
(d/dx, with u, v the parts and u′, v′ their derivatives):

    (c)′ = 0,   x′ = 1,   (u + v)′ = u′ + v′,   (u·v)′ = u′·v + u·v′     (product rule, n factors)
    (uⁿ)′ = n·uⁿ⁻¹·u′                      (a constant exponent n)
    (aᵛ)′ = aᵛ·ln(a)·v′                     (a constant base a; e^v gives e^v·v′)
    (uᵛ)′ = uᵛ·(v′·ln(u) + v·u′/u)          (both vary)
    f(u)′ = f′(u)·u′                        (the chain rule, with f′ from DERIVATIVE_RULES)

Quotients follow from the product and power rules: (u/v)′ = u′/v − u·v′/v².

Two printers write the normal form: :func:`to_text` gives text the parser reads back (``4*x``,
``-2*x*sin(x^2 - 1)``, ``1/(2*sqrt(x))``) and :func:`to_typeset` the form for display (``4x``,
``−2x·sin(x² − 1)``, ``1/(2√x)``, ``2πx``). In a product the sign and the number come first, then
constants, variables, powers with a variable exponent (and of numbers), function calls and sums in
parentheses, each group sorted by its text; factors with negative exponents go below the fraction bar. A sum lists its terms by falling degree
(x² before x before sin(x)) and its number last — first when every other term is negative, as in
1 − tanh(x)². Non-whole numbers with a small denominator are written as fractions (x/2, 2x/3), others
as decimals (0.3, 0.0625).

relu and abs have no derivative at 0; their derivatives are written relu(u)/u and u/|u|, which equal
the step and the sign everywhere else and are undefined (0/0) at the kink, where the engine's
backprop takes 0 as PyTorch does.

No ``eval`` anywhere: the derivative is built from the tree, and its text is parsed by the same parser.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from fractions import Fraction
from functools import cached_property
from typing import Literal

from app.engine.expression import (
    Binary,
    Call,
    Constant,
    Expression,
    Negation,
    Node,
    Number,
    Variable,
)

MAX_DERIVATIVE_NODES = 400
"""Derivatives larger than this (in nodes of the normal form) are not written out: see :class:`Omitted`."""

SMALL_DENOMINATOR = 12
"""Non-whole numbers whose denominator is at most this are written as fractions (1/2, 2/3), others as decimals."""

_MAX_FOLDED_BITS = 4096  # a power of a number is folded only when the exact result stays this small

OmittedReason = Literal["too_large", "non_finite_number"]


class Omitted(Exception):
    """Why a derivative is not written out.

    ``reason`` is ``"too_large"`` when the simplified derivative has more than ``max_nodes`` nodes
    (derivatives of long products and nested powers grow quickly), or ``"non_finite_number"`` when
    the expression holds a number no float can carry, such as 1e999 or 1/0 (the function is then
    infinite or undefined everywhere, and so is its derivative).
    """

    def __init__(self, reason: OmittedReason) -> None:
        super().__init__(reason)
        self.reason: OmittedReason = reason


# ---------------------------------------------------------------------------------------- normal form
class Term:
    """A node of the normal form. Immutable; equal terms compare and hash equal."""

    size: int  # nodes in the tree, counted as written out

    def __post_init__(self) -> None:
        object.__setattr__(self, "size", 1 + sum(child.size for child in self.children()))

    def children(self) -> tuple[Term, ...]:
        return ()

    @cached_property
    def text(self) -> str:
        """The term written for the parser (cached: parents are written from their children's texts)."""
        return _compose(self, _PLAIN)[0]

    @cached_property
    def _hash_value(self) -> int:
        return hash((type(self), *(getattr(self, f.name) for f in fields(self) if f.compare)))  # type: ignore[arg-type]

    def _hash(self) -> int:
        """Hashed once: terms are dictionary keys all the time, and hashing a tree walks all of it."""
        return self._hash_value

    @cached_property
    def variables(self) -> frozenset[str]:
        names: frozenset[str] = frozenset()
        for child in self.children():
            names |= child.variables
        return names


@dataclass(frozen=True, eq=True)
class Num(Term):
    """An exact rational number."""

    __hash__ = Term._hash

    value: Fraction
    size: int = field(default=1, init=False, compare=False, repr=False)

    @cached_property
    def variables(self) -> frozenset[str]:
        return frozenset()


@dataclass(frozen=True, eq=True)
class Symbol(Term):
    """A variable, or a named constant (pi, e) when ``constant``."""

    __hash__ = Term._hash

    name: str
    constant: bool = False
    size: int = field(default=1, init=False, compare=False, repr=False)

    @cached_property
    def variables(self) -> frozenset[str]:
        return frozenset() if self.constant else frozenset({self.name})


@dataclass(frozen=True, eq=True)
class Func(Term):
    """``name(argument)`` for one of the parser's functions."""

    __hash__ = Term._hash

    name: str
    argument: Term
    size: int = field(default=1, init=False, compare=False, repr=False)

    def children(self) -> tuple[Term, ...]:
        return (self.argument,)


@dataclass(frozen=True, eq=True)
class Power(Term):
    """``base ^ exponent``; never with exponent 0 or 1."""

    __hash__ = Term._hash

    base: Term
    exponent: Term
    size: int = field(default=1, init=False, compare=False, repr=False)

    def children(self) -> tuple[Term, ...]:
        return (self.base, self.exponent)


@dataclass(frozen=True, eq=True)
class Product(Term):
    """``coefficient · factors[0] · factors[1] · …``: no factor is a number or a product."""

    __hash__ = Term._hash

    coefficient: Fraction
    factors: tuple[Term, ...]
    size: int = field(default=1, init=False, compare=False, repr=False)

    def children(self) -> tuple[Term, ...]:
        return self.factors


@dataclass(frozen=True, eq=True)
class Sum(Term):
    """``terms[0] + terms[1] + … + constant``: no term is a number or a sum."""

    __hash__ = Term._hash

    terms: tuple[Term, ...]
    constant: Fraction
    size: int = field(default=1, init=False, compare=False, repr=False)

    def children(self) -> tuple[Term, ...]:
        return self.terms


ZERO, ONE, MINUS_ONE = Num(Fraction(0)), Num(Fraction(1)), Num(Fraction(-1))


def number(value: Fraction | int) -> Num:
    return Num(Fraction(value))


# ---------------------------------------------------------------------------------------- ordering
def _base_and_exponent(term: Term) -> tuple[Term, Term]:
    return (term.base, term.exponent) if isinstance(term, Power) else (term, ONE)


def _factor_rank(factor: Term) -> int:
    """Where a factor stands in a product: constants, variables, powers with a variable exponent, calls, sums."""
    base, exponent = _base_and_exponent(factor)
    if isinstance(base, Symbol):
        if base.constant:
            return 0 if isinstance(exponent, Num) else 3
        return 1 if isinstance(exponent, Num) else 2  # y·x^(y − 1): the plain variable first
    if isinstance(base, Num):
        return 3
    if isinstance(base, Sum):
        return 5
    return 4


def _factor_key(factor: Term) -> tuple[int, str, str]:
    base, exponent = _base_and_exponent(factor)
    return _factor_rank(factor), base.text, exponent.text


def _split_coefficient(term: Term) -> tuple[Fraction, Term]:
    """``3·x·y`` → (3, x·y); a term without a number → (1, term)."""
    if isinstance(term, Product):
        rest = term.factors[0] if len(term.factors) == 1 else Product(Fraction(1), term.factors)
        return term.coefficient, rest
    return Fraction(1), term


def _degree(term: Term) -> Fraction:
    """The total exponent of variables in a term: x²y has degree 3, sin(x) and 2 have degree 0."""
    factors = term.factors if isinstance(term, Product) else (term,)
    degree = Fraction(0)
    for factor in factors:
        base, exponent = _base_and_exponent(factor)
        if isinstance(base, Symbol) and not base.constant and isinstance(exponent, Num):
            degree += exponent.value
    return degree


def _term_key(term: Term) -> tuple[Fraction, str]:
    return -_degree(term), _split_coefficient(term)[1].text


# ---------------------------------------------------------------------------------------- building
def add(*terms: Term) -> Term:
    """The normal form of ``terms[0] + terms[1] + …``: like terms collected, numbers summed."""
    constant = Fraction(0)
    coefficients: dict[Term, Fraction] = {}
    pending = list(terms)
    while pending:
        term = pending.pop()
        if isinstance(term, Sum):
            pending.extend(term.terms)
            constant += term.constant
        elif isinstance(term, Num):
            constant += term.value
        else:
            coefficient, rest = _split_coefficient(term)
            coefficients[rest] = coefficients.get(rest, Fraction(0)) + coefficient
    collected = [multiply(Num(c), rest) for rest, c in coefficients.items() if c != 0]
    if not collected:
        return Num(constant)
    if len(collected) == 1 and constant == 0:
        return collected[0]
    return Sum(tuple(sorted(collected, key=_term_key)), constant)


def multiply(*terms: Term) -> Term:
    """The normal form of ``terms[0] · terms[1] · …``: one coefficient, equal bases merged."""
    coefficient = Fraction(1)
    by_base: dict[Term, list[Term]] = {}
    pending = list(reversed(terms))
    while pending:
        term = pending.pop()
        if isinstance(term, Product):
            coefficient *= term.coefficient
            pending.extend(reversed(term.factors))
        elif isinstance(term, Num):
            coefficient *= term.value
        else:
            by_base.setdefault(_base_and_exponent(term)[0], []).append(term)
    if coefficient == 0:
        return ZERO
    factors: list[Term] = []
    for base, same_base in by_base.items():
        if len(same_base) == 1:
            factors.append(same_base[0])
            continue
        merged = power(base, add(*(_base_and_exponent(t)[1] for t in same_base)))
        if merged == ZERO:
            return ZERO
        if isinstance(merged, Num | Product) or _base_and_exponent(merged)[0] != base:
            # x·x⁻¹ = 1, a power of a product came apart, or (x^½)^(−½)·(x^½)^(−½) = x^(−½) has a new
            # base that may meet its equal among the other factors: multiply again
            return multiply(Num(coefficient), *factors, merged, *_rest_of(by_base, base))
        factors.append(merged)
    if not factors:
        return Num(coefficient)
    if coefficient == 1 and len(factors) == 1:
        return factors[0]
    return Product(coefficient, tuple(sorted(factors, key=_factor_key)))


def _rest_of(by_base: dict[Term, list[Term]], after: Term) -> list[Term]:
    """The terms of the bases listed after ``after``."""
    bases = list(by_base)
    return [t for base in bases[bases.index(after) + 1 :] for t in by_base[base]]


def power(base: Term, exponent: Term) -> Term:
    """The normal form of ``base ^ exponent``."""
    if exponent == ZERO or base == ONE:
        return ONE
    if exponent == ONE:
        return base
    whole = isinstance(exponent, Num) and exponent.value.denominator == 1
    if isinstance(base, Num) and whole:
        folded = _folded_power(base.value, int(exponent.value))  # type: ignore[union-attr]
        if folded is not None:
            return Num(folded)
    if isinstance(base, Num) and base.value == 0 and isinstance(exponent, Num) and exponent.value > 0:
        return ZERO
    if whole and isinstance(base, Power):  # (x^a)^n = x^(a·n) for whole n
        return power(base.base, multiply(base.exponent, exponent))
    if whole and isinstance(base, Product):  # (c·x·y)^n = cⁿ·xⁿ·yⁿ
        return multiply(power(Num(base.coefficient), exponent), *(power(f, exponent) for f in base.factors))
    return Power(base, exponent)


def _folded_power(base: Fraction, exponent: int) -> Fraction | None:
    """``base ** exponent`` exactly, or None when it would be huge; 0 to a negative power is no number."""
    if base == 0 and exponent < 0:
        raise Omitted("non_finite_number")
    bits = max(base.numerator.bit_length(), base.denominator.bit_length())
    if bits * abs(exponent) > _MAX_FOLDED_BITS:
        return None
    return base**exponent


def negate(term: Term) -> Term:
    return multiply(MINUS_ONE, term)


def call(name: str, argument: Term) -> Term:
    """The normal form of ``name(argument)``, with the values a student knows by heart folded."""
    if isinstance(argument, Num):
        folded = _folded_call(name, argument.value)
        if folded is not None:
            return Num(folded)
    if name == "log" and argument == Symbol("e", constant=True):
        return ONE
    return Func(name, argument)


def _folded_call(name: str, value: Fraction) -> Fraction | None:
    if name in ("sin", "tan", "tanh", "sqrt") and value == 0:
        return Fraction(0)
    if name in ("cos", "exp") and value == 0:
        return Fraction(1)
    if name == "log" and value == 1:
        return Fraction(0)
    if name == "sigmoid" and value == 0:
        return Fraction(1, 2)
    if name == "abs":
        return abs(value)
    if name == "relu":
        return max(value, Fraction(0))
    if name == "sqrt" and value > 0:
        roots = [math.isqrt(part) for part in (value.numerator, value.denominator)]
        if roots[0] ** 2 == value.numerator and roots[1] ** 2 == value.denominator:
            return Fraction(roots[0], roots[1])
    return None


# ---------------------------------------------------------------------------------------- from the parser's tree
def _exact(node: Number) -> Fraction:
    if not math.isfinite(node.value):
        raise Omitted("non_finite_number")
    return Fraction(repr(node.value))  # the decimal as typed: 0.1 is 1/10, not the nearest binary fraction


def _leaf(node: Node) -> Term:
    if isinstance(node, Number):
        return Num(_exact(node))
    if isinstance(node, Constant):
        return Symbol(node.name, constant=True)
    assert isinstance(node, Variable)
    return Symbol(node.name)


_COMBINE: dict[str, Callable[[Term, Term], Term]] = {
    "+": lambda a, b: add(a, b),
    "-": lambda a, b: add(a, negate(b)),
    "*": lambda a, b: multiply(a, b),
    "/": lambda a, b: multiply(a, power(b, MINUS_ONE)),
    "^": power,
}


def _node_children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, Binary):
        return node.left, node.right
    if isinstance(node, Negation):
        return (node.operand,)
    if isinstance(node, Call):
        return (node.argument,)
    return ()


def normal_form(root: Node) -> Term:
    """The parser's tree brought into normal form, bottom-up without recursion (chains are deep trees)."""
    results: list[Term] = []
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        children = _node_children(node)
        if not children_done and children:
            stack.append((node, True))
            stack.extend((child, False) for child in reversed(children))
            continue
        parts = results[len(results) - len(children) :]
        del results[len(results) - len(children) :]
        if isinstance(node, Binary):
            results.append(_COMBINE[node.operator](*parts))
        elif isinstance(node, Negation):
            results.append(negate(parts[0]))
        elif isinstance(node, Call):
            results.append(call(node.function, parts[0]))
        else:
            results.append(_leaf(node))
    return results[0]


# ---------------------------------------------------------------------------------------- differentiation
def _half(term: Term) -> Term:
    return multiply(Num(Fraction(1, 2)), term)


# f′(u) for each function f the parser knows, as a term in u
DERIVATIVE_RULES: dict[str, Callable[[Term], Term]] = {
    "sin": lambda u: call("cos", u),  # sin′ = cos
    "cos": lambda u: negate(call("sin", u)),  # cos′ = −sin
    "tan": lambda u: add(ONE, power(call("tan", u), number(2))),  # tan′ = 1 + tan²
    "exp": lambda u: call("exp", u),  # exp′ = exp
    "log": lambda u: power(u, MINUS_ONE),  # ln′(u) = 1/u
    "sqrt": lambda u: _half(power(call("sqrt", u), MINUS_ONE)),  # √′(u) = 1/(2√u)
    "tanh": lambda u: add(ONE, negate(power(call("tanh", u), number(2)))),  # tanh′ = 1 − tanh²
    "sigmoid": lambda u: multiply(call("sigmoid", u), add(ONE, negate(call("sigmoid", u)))),  # σ′ = σ(1 − σ)
    "relu": lambda u: multiply(call("relu", u), power(u, MINUS_ONE)),  # the step: 1 for u > 0, 0 for u < 0
    "abs": lambda u: multiply(u, power(call("abs", u), MINUS_ONE)),  # the sign: u/|u|
}


class _Differentiator:
    """d/d``variable`` of normal-form terms, memoized (a term often appears many times) and size-capped."""

    def __init__(self, variable: str, max_nodes: int) -> None:
        self.variable = variable
        self.max_nodes = max_nodes
        self._done: dict[Term, Term] = {}

    def __call__(self, term: Term) -> Term:
        if self.variable not in term.variables:
            return ZERO
        derivative = self._done.get(term)
        if derivative is None:
            derivative = self._differentiate(term)
            if derivative.size > 4 * self.max_nodes:  # stop early: later simplification rarely shrinks it this much
                raise Omitted("too_large")
            self._done[term] = derivative
        return derivative

    def _differentiate(self, term: Term) -> Term:
        if isinstance(term, Symbol):
            return ONE  # the variable itself: constants and other variables were 0 above
        if isinstance(term, Sum):
            return add(*(self(t) for t in term.terms))
        if isinstance(term, Product):
            return multiply(Num(term.coefficient), self._product_rule(term.factors))
        if isinstance(term, Power):
            return self._power_rule(term)
        assert isinstance(term, Func)
        return multiply(DERIVATIVE_RULES[term.name](term.argument), self(term.argument))

    def _product_rule(self, factors: tuple[Term, ...]) -> Term:
        """(f₁·f₂·…·fₙ)′ = Σᵢ f₁·…·fᵢ′·…·fₙ."""
        terms = []
        for i, factor in enumerate(factors):
            derivative = self(factor)
            if derivative != ZERO:
                terms.append(multiply(*factors[:i], derivative, *factors[i + 1 :]))
        return add(*terms)

    def _power_rule(self, term: Power) -> Term:
        base, exponent = term.base, term.exponent
        if self.variable not in exponent.variables:  # (uⁿ)′ = n·uⁿ⁻¹·u′
            return multiply(exponent, power(base, add(exponent, MINUS_ONE)), self(base))
        if self.variable not in base.variables:  # (aᵛ)′ = aᵛ·ln(a)·v′
            return multiply(term, call("log", base), self(exponent))
        # (uᵛ)′ = uᵛ·(v′·ln(u) + v·u′/u)
        inner = add(
            multiply(self(exponent), call("log", base)),
            multiply(exponent, self(base), power(base, MINUS_ONE)),
        )
        return multiply(term, inner)


def differentiate(term: Term, variable: str, max_nodes: int = MAX_DERIVATIVE_NODES) -> Term:
    """d term / d variable in normal form; raises :class:`Omitted` ("too_large") past ``max_nodes``."""
    derivative = _Differentiator(variable, max_nodes)(term)
    if derivative.size > max_nodes:
        raise Omitted("too_large")
    return derivative


# ---------------------------------------------------------------------------------------- printing
@dataclass(frozen=True)
class _Printer:
    minus: str
    times: str
    juxtapose: bool  # 4x and 2(x + 1) rather than 4*x
    superscripts: bool  # x² rather than x^2
    symbols: Mapping[str, str]  # how functions and constants are written: sqrt → √, pi → π
    values: Mapping[str, float] = field(default_factory=dict)  # variables replaced by numbers


_PLAIN = _Printer(minus="-", times="*", juxtapose=False, superscripts=False, symbols={})
_TYPESET = _Printer(
    minus="−",
    times="·",
    juxtapose=True,
    superscripts=True,
    symbols={"pi": "π", "log": "ln", "sigmoid": "σ", "sqrt": "√", "abs": "|"},
)
_SUPERSCRIPTS = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")

# how tightly a written term binds, loosest first: a part looser than its place allows gets parentheses
_SUM, _PRODUCT, _SIGNED, _POWER, _ATOM = 1, 2, 3, 4, 5


def _decimal(value: Fraction) -> str:
    """A number as the parser reads it back: whole numbers as integers, others as the shortest float text."""
    try:
        as_float = float(value)
    except OverflowError:
        raise Omitted("non_finite_number") from None
    if not math.isfinite(as_float):
        raise Omitted("non_finite_number")
    if value.denominator == 1 and abs(value) < 10**16:
        return str(value.numerator)
    text = repr(as_float)
    return text[:-2] if text.endswith(".0") else text


def _is_fraction(value: Fraction) -> bool:
    """Written as p/q (halves, thirds, …) rather than as a decimal; fifths and tenths are decimals (0.2, 0.3)."""
    return 1 < value.denominator <= SMALL_DENOMINATOR and value.denominator not in (5, 10)


def _number(value: Fraction, printer: _Printer) -> tuple[str, int]:
    """A non-negative number and how it binds."""
    if _is_fraction(value):
        return f"{value.numerator}/{value.denominator}", _PRODUCT
    return _decimal(value), _ATOM


def _grouped(part: tuple[str, int], weakest_allowed: int) -> str:
    text, binding = part
    return text if binding >= weakest_allowed else f"({text})"


def _write(term: Term, printer: _Printer) -> str:
    return _compose(term, printer)[0]


def _part(term: Term, printer: _Printer) -> tuple[str, int]:
    """A child's text and binding; the parser's text is cached on each term, so parents reuse it."""
    if printer is _PLAIN:
        return term.text, _binding(term)
    return _compose(term, printer)


def _binding(term: Term) -> int:
    """How tightly the term binds as the plain printer writes it (what :func:`_compose` returns)."""
    if isinstance(term, Sum):
        return _SUM
    if isinstance(term, Product):
        return _SIGNED if term.coefficient < 0 else _PRODUCT
    if isinstance(term, Power):
        return _PRODUCT if _is_reciprocal(term) else _POWER
    if isinstance(term, Num):
        return _SIGNED if term.value < 0 else (_PRODUCT if _is_fraction(term.value) else _ATOM)
    return _ATOM


def _is_reciprocal(term: Power) -> bool:
    return isinstance(term.exponent, Num) and term.exponent.value < 0


def _compose(term: Term, printer: _Printer) -> tuple[str, int]:
    """The term's text and how tightly it binds, written from its children's parts."""
    if isinstance(term, Num):
        text, binding = _number(abs(term.value), printer)
        return (printer.minus + text, _SIGNED) if term.value < 0 else (text, binding)
    if isinstance(term, Symbol):
        if term.name in printer.values:
            return _compose(Num(Fraction(repr(printer.values[term.name]))), printer)
        return printer.symbols.get(term.name, term.name), _ATOM
    if isinstance(term, Func):
        return _write_call(term, printer), _ATOM
    if isinstance(term, Power) and _is_reciprocal(term):  # y⁻¹ is written 1/y
        return _write_product(Product(Fraction(1), (term,)), printer)
    if isinstance(term, Power):
        return _write_power(term.base, term.exponent, printer), _POWER
    if isinstance(term, Product):
        return _write_product(term, printer)
    assert isinstance(term, Sum)
    return _write_sum(term, printer), _SUM


def _write_call(term: Func, printer: _Printer) -> str:
    argument = _part(term.argument, printer)
    if printer.superscripts and term.name == "abs":
        return f"|{argument[0]}|"
    if printer.superscripts and term.name == "sqrt":
        return f"√{_grouped(argument, _ATOM)}"
    return f"{printer.symbols.get(term.name, term.name)}({argument[0]})"


def _write_power(base: Term, exponent: Term, printer: _Printer) -> str:
    base_text = _grouped(_part(base, printer), _ATOM)
    if printer.superscripts and isinstance(exponent, Num) and exponent.value.denominator == 1:
        return base_text + str(exponent.value.numerator).translate(_SUPERSCRIPTS)
    return f"{base_text}^{_grouped(_part(exponent, printer), _ATOM)}"  # x^(1/2), x^(y + 1), 2^x


def _product_parts(term: Product) -> tuple[list[Term], list[Term]]:
    """The factors above and below the fraction bar (x⁻² goes below as x²)."""
    above: list[Term] = []
    below: list[Term] = []
    for factor in term.factors:
        base, exponent = _base_and_exponent(factor)
        if isinstance(exponent, Num) and exponent.value < 0:
            below.append(power(base, Num(-exponent.value)))
        else:
            above.append(factor)
    return above, below


_JUXTAPOSED_STARTS = ("(", "√")  # besides letters: 2(x + 1), 2√x


def _letter(term: Term, printer: _Printer) -> str | None:
    """The one-letter symbol a factor is a power of (x for x², π for π), or None: xy and πx are written
    side by side, but w1·x, x·sin(x) and a variable whose number is put in (2·3) are not."""
    base = _base_and_exponent(term)[0]
    if not isinstance(base, Symbol) or base.name in printer.values:
        return None
    written = printer.symbols.get(base.name, base.name)
    return written if len(written) == 1 else None


def _separator(previous: Term | None, current: Term, current_text: str, printer: _Printer) -> str:
    """What stands between two factors (``previous`` None: the numeral): "·", or nothing in 4x, 2πx, xy."""
    if not printer.juxtapose or (isinstance(current, Symbol) and current.name in printer.values):
        return printer.times
    if previous is None or _letter(previous, printer) == "π":
        starts_like_a_factor = current_text[:1].isalpha() or current_text.startswith(_JUXTAPOSED_STARTS)
        return "" if starts_like_a_factor else printer.times
    if _letter(previous, printer) and _letter(current, printer) and not isinstance(current, Func):
        return ""
    return printer.times


def _join_factors(numeral: Fraction, factors: list[Term], printer: _Printer) -> tuple[str, int]:
    """``numeral · factors`` as a product; the numeral is left out when it is 1 and there are factors."""
    if not factors:
        return _number(numeral, printer)
    if numeral == 1 and len(factors) == 1:
        return _part(factors[0], printer)
    text = "" if numeral == 1 else _number(numeral, printer)[0]
    previous: Term | None = None
    for factor in factors:
        factor_text = _grouped(_part(factor, printer), _POWER)
        if text:
            text += _separator(previous, factor, factor_text, printer)
        text += factor_text
        previous = factor
    return text, _PRODUCT


def _write_product(term: Product, printer: _Printer) -> tuple[str, int]:
    above, below = _product_parts(term)
    magnitude = abs(term.coefficient)
    numerator, denominator = magnitude, Fraction(1)
    if _is_fraction(magnitude):  # 3x/2 rather than 3/2*x
        numerator, denominator = Fraction(magnitude.numerator), Fraction(magnitude.denominator)
    part = _join_factors(numerator, above, printer)
    if below or denominator != 1:
        # a denominator of one factor needs no parentheses (a/x², a/sin(x)); a product or sum does
        under = _join_factors(denominator, below, printer)
        part = f"{_grouped(part, _PRODUCT)}/{_grouped(under, _POWER)}", _PRODUCT
    if term.coefficient < 0:
        return printer.minus + _grouped(part, _PRODUCT), _SIGNED
    return part[0], _PRODUCT


def _ordered_terms(term: Sum) -> list[Term]:
    terms = list(term.terms)
    if term.constant == 0:
        return terms
    constant = Num(term.constant)
    all_negative = all(_split_coefficient(t)[0] < 0 for t in terms)
    return [constant, *terms] if term.constant > 0 and all_negative else [*terms, constant]


def _is_negative(term: Term) -> bool:
    return term.value < 0 if isinstance(term, Num) else _split_coefficient(term)[0] < 0


def _write_sum(term: Sum, printer: _Printer) -> str:
    pieces: list[str] = []
    for t in _ordered_terms(term):
        negative = _is_negative(t)
        text = _grouped(_part(negate(t) if negative else t, printer), _PRODUCT)
        if not pieces:
            pieces.append(printer.minus + text if negative else text)
        else:
            pieces.append(f" {printer.minus} {text}" if negative else f" + {text}")
    return "".join(pieces)


def to_text(term: Term) -> str:
    """The term as text the parser reads back: ``4*x``, ``-2*x*sin(x^2 - 1)``, ``1/(2*sqrt(x))``."""
    return term.text


def to_typeset(term: Term, values: Mapping[str, float] | None = None) -> str:
    """The term for display: ``4x``, ``−2x·sin(x² − 1)``, ``1/(2√x)``.

    With ``values``, each variable named there is written as its number: ``4·3`` for 4x at x = 3.
    """
    printer = _TYPESET
    if values:
        finite = {name: value for name, value in values.items() if math.isfinite(value)}
        printer = _Printer(_TYPESET.minus, _TYPESET.times, True, True, _TYPESET.symbols, finite)
    return _write(term, printer)


# ---------------------------------------------------------------------------------------- entry point
@dataclass(frozen=True)
class SymbolicDerivative:
    """∂f/∂variable written out: ``text`` for the parser, ``typeset`` for display, ``at_values`` with the
    variables' numbers put in; all None with ``omitted`` saying why when it is not written out."""

    text: str | None
    typeset: str | None
    at_values: str | None
    omitted: OmittedReason | None = None


def symbolic_gradient(
    expression: Expression,
    values: Mapping[str, float] | None = None,
    max_nodes: int = MAX_DERIVATIVE_NODES,
) -> dict[str, SymbolicDerivative]:
    """∂f/∂v for every variable v of ``expression``, simplified, in the order of ``expression.variables``."""
    try:
        function = normal_form(expression.root)
    except Omitted as omitted:
        return {name: SymbolicDerivative(None, None, None, omitted.reason) for name in expression.variables}
    return {name: _derivative(function, name, values, max_nodes) for name in expression.variables}


def _derivative(
    function: Term, variable: str, values: Mapping[str, float] | None, max_nodes: int
) -> SymbolicDerivative:
    try:
        derivative = differentiate(function, variable, max_nodes)
        return SymbolicDerivative(
            to_text(derivative), to_typeset(derivative), None if values is None else to_typeset(derivative, values)
        )
    except Omitted as omitted:
        return SymbolicDerivative(None, None, None, omitted.reason)
