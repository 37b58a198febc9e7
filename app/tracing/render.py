"""Trace contract v2: turn a script's formula templates and a pass's numbers into the text of every step.

A formula template is a list of tokens, each one of

    "text"                                    literal text, written as is
    {"ref": name, "index": [i, …]}            a number of the pass, written as :func:`num` writes it
    {"ref": …, "index": …, "paren": true}     the same, in parentheses when negative: 0.5 × (−0.3)
    {"sum": [[token, …], …]}                  terms joined by " + ": the first ``max_terms_shown`` and "…"
    {"sum": …, "skip_zero": [ref, …]}          the same, leaving out each term whose ref is 0
                                              (a term of a sum may also be a loop of terms,
                                              {"for": "k", "count": n, "term": [token, …]})
    {"symbol": "weight", "layer": l, "index": [j, k]}   wⱼₖ⁽ˡ⁾, as :mod:`app.tracing.notation` writes it
    {"symbol": "neuron", "layer": l, "index": [k]}      xₖ, aₖ⁽ˡ⁾ or ŷₖ

A step's formula is a list of lines ``{lhs, symbolic, substituted, value}`` (lhs and symbolic are text or
token lists, substituted a token list, value a reference) and of line loops
``{"for": "k", "count": n, "line": line}``: n lines, with k = 0 … n − 1 wherever an index says "k".
A narration param is a value, a reference (its number as sent) or a token list (its text, e.g. a point).

A reference names an array of the numbers and indexes into it: ``{"ref": "W", "index": [1, 0, 2]}`` is
``numbers["W"][1][0][2]``. A number that was not finite travels as null, and ``numbers["non_finite"]``
says which it was, so the text (∞, −∞, NaN) is what the pass computed. This module is the one place that
rule is written in Python; ``static/js/core/trace-render.js`` is its twin for the browser.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from app.tracing.notation import neuron_symbol, num, weight_symbol

Token = str | dict[str, Any]
NON_FINITE_VALUES = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


def join_terms(terms: Sequence[str], max_terms_shown: int) -> str:
    """Terms of a sum as written: ``a + b + …`` after ``max_terms_shown`` of them, "0" for none."""
    if len(terms) > max_terms_shown:
        terms = [*terms[:max_terms_shown], "…"]
    return " + ".join(terms) if terms else "0"


class Renderer:
    """Writes a script's templates with one pass's numbers.

    ``numbers`` are the pass's arrays as nested lists, either as sent (a non-finite number as null, named in
    ``non_finite``) or as computed (NaN and ±∞ as floats).

    A loop is written a token at a time for all its values, not a line at a time: :meth:`texts` turns each
    token into a column (its text for k = 0 … n − 1; a number's column is a row of an array, one
    :func:`num` each) and joins the columns row by row. A large trace writes tens of thousands of lines
    from a few thousand loops, so the work per line is one join."""

    def __init__(self, script: Mapping[str, Any], numbers: Mapping[str, Any]) -> None:
        self.max_terms_shown: int = script["max_terms_shown"]
        self.sizes: list[int] = script["shape"]["sizes"]
        self.numbers = numbers
        self.non_finite = {
            (item["ref"], tuple(item["index"])): NON_FINITE_VALUES[item["value"]]
            for item in numbers.get("non_finite") or ()
        }
        self.variables: dict[str, int] = {}  # the loop variables bound while a loop is written

    def index(self, index: Sequence[int | str]) -> tuple[int, ...]:
        return tuple(i if isinstance(i, int) else self.variables[i] for i in index)

    def value(self, ref: Mapping[str, Any]) -> float | None:
        """The number a reference points at, as sent: null when it was not finite."""
        value: Any = self.numbers[ref["ref"]]
        for i in ref["index"]:
            value = value[i if i.__class__ is int else self.variables[i]]
        return value

    def value_at(self, name: str, index: Sequence[int]) -> float | None:
        """The number at a resolved index, as sent."""
        value: Any = self.numbers[name]
        for i in index:
            value = value[i]
        return value

    def number_at(self, name: str, index: tuple[int, ...]) -> float:
        """The number at a resolved index, as computed (NaN and ±∞ included)."""
        value = self.value_at(name, index)
        return self.non_finite[name, index] if value is None else value

    def _number(self, ref: Mapping[str, Any]) -> float:
        value = self.value(ref)
        if value is None:
            return self.non_finite[ref["ref"], self.index(ref["index"])]
        return value

    def values(self, ref: Mapping[str, Any], variable: str, count: int) -> list[Any]:
        """:meth:`value` for ``variable`` = 0 … count − 1: a row of the array when it is the last index."""
        index = ref["index"]
        if variable not in index:
            return [self.value(ref)] * count
        if index[-1] == variable and index.count(variable) == 1:
            row: Any = self.numbers[ref["ref"]]
            for i in self.index(index[:-1]):
                row = row[i]
            return row[:count]
        return self._each(variable, count, lambda: self.value(ref))

    def _numbers(self, ref: Mapping[str, Any], variable: str, count: int) -> list[float]:
        numbers = self.values(ref, variable, count)
        if None not in numbers:
            return numbers
        return self._each(variable, count, lambda: self._number(ref))

    def _each(self, variable: str, count: int, write: Any) -> list[Any]:
        """``write()`` once for each value of ``variable``, bound while it runs."""
        written = []
        for value in range(count):
            self.variables[variable] = value
            written.append(write())
        del self.variables[variable]
        return written

    def text(self, tokens: str | Sequence[Token]) -> str:
        if isinstance(tokens, str):
            return tokens
        return "".join(self._token(token) for token in tokens)

    def _token(self, token: Token) -> str:
        if isinstance(token, str):
            return token
        if "sum" in token:
            return self._sum(token)
        if "symbol" in token:
            return self._symbol(token)
        return _written(num(self._number(token)), token)

    def texts(self, tokens: str | Sequence[Token], variable: str, count: int) -> list[str]:
        """:meth:`text` for ``variable`` = 0 … count − 1, a column per token."""
        if isinstance(tokens, str):
            return [tokens] * count
        columns = [self._column(token, variable, count) for token in tokens]
        return ["".join(row) for row in zip(*columns, strict=True)] if columns else [""] * count

    def _column(self, token: Token, variable: str, count: int) -> list[str]:
        if isinstance(token, str):
            return [token] * count
        if "sum" in token:
            if token.get("skip_zero") is not None:  # which terms are written depends on each line's numbers
                return self._each(variable, count, lambda: self._sum(token))
            return self._sums(token, variable, count)
        if "symbol" in token:
            index = tuple(
                None if i == variable else i if isinstance(i, int) else self.variables[i] for i in token["index"]
            )
            return _symbol_column(token["symbol"], token["layer"], index, count, tuple(self.sizes))
        texts = list(map(num, self._numbers(token, variable, count)))
        if token.get("paren"):
            return [f"({text})" if text[0] == "−" else text for text in texts]
        return texts

    def _symbol(self, token: Mapping[str, Any]) -> str:
        return symbol_text(token["symbol"], token["layer"], self.index(token["index"]), self.sizes)

    def _terms(self, token: Mapping[str, Any], write: Any) -> list[Any]:
        """The terms of a sum that are written, each made by ``write(tokens)``; a loop of terms is
        written with ``write(tokens, variable, count)``, which gives one item per value."""
        enough = self.max_terms_shown + 1  # the rest would not be written
        skip_zero = token.get("skip_zero")
        terms: list[Any] = []
        for number, entry in enumerate(token["sum"]):
            if len(terms) >= enough:
                break
            if isinstance(entry, dict):  # a loop of terms
                terms += write(entry["term"], entry["for"], min(entry["count"], enough - len(terms)))
            elif skip_zero is None or self._number(skip_zero[number]) != 0:
                terms.append(write(entry))
        return terms

    def _sum(self, token: Mapping[str, Any]) -> str:
        def write(tokens: Any, variable: str | None = None, count: int = 1) -> Any:
            return self.text(tokens) if variable is None else self.texts(tokens, variable, count)

        return join_terms(self._terms(token, write), self.max_terms_shown)

    def _sums(self, token: Mapping[str, Any], variable: str, count: int) -> list[str]:
        """:meth:`_sum` for ``variable`` = 0 … count − 1: each term a column, joined row by row."""

        def write(tokens: Any, inner: str | None = None, inner_count: int = 1) -> Any:
            if inner is None:
                return self.texts(tokens, variable, count)
            return self._each(inner, inner_count, lambda: self.texts(tokens, variable, count))

        columns = self._terms(token, write)
        if not columns:
            return ["0"] * count
        return [join_terms(row, self.max_terms_shown) for row in zip(*columns, strict=True)]

    def line(self, template: Mapping[str, Any]) -> dict[str, Any]:
        """A formula line as v1 writes it: lhs, symbolic, substituted text, value and its text."""
        return {
            "lhs": self.text(template["lhs"]),
            "symbolic": self.text(template["symbolic"]),
            "substituted": self.text(template["substituted"]),
            "value": self.value(template["value"]),
            "result": num(self._number(template["value"])),
        }

    def line_loop(self, template: Mapping[str, Any], variable: str, count: int) -> list[dict[str, Any]]:
        """:meth:`line` for ``variable`` = 0 … count − 1."""
        values = self.values(template["value"], variable, count)
        results = map(num, self._numbers(template["value"], variable, count))
        rows = zip(
            self.texts(template["lhs"], variable, count),
            self.texts(template["symbolic"], variable, count),
            self.texts(template["substituted"], variable, count),
            values,
            results,
            strict=True,
        )
        return [
            {"lhs": lhs, "symbolic": symbolic, "substituted": substituted, "value": value, "result": result}
            for lhs, symbolic, substituted, value, result in rows
        ]

    def lines(self, formula: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        written = []
        for entry in formula:
            if "for" in entry:
                written += self.line_loop(entry["line"], entry["for"], entry["count"])
            else:
                written.append(self.line(entry))
        return written

    def narration(self, template: Mapping[str, Any]) -> dict[str, Any]:
        """The sentence's key and params: a reference is its number as sent, a token list its text."""
        params = {name: self._param(param) for name, param in template["params"].items()}
        return {"key": template["key"], "params": params}

    def _param(self, param: Any) -> Any:
        if isinstance(param, dict):
            return self.value(param)
        return self.text(param) if isinstance(param, list) else param

    def step(self, step: Mapping[str, Any]) -> dict[str, Any]:
        """A script step with its narration params and formulas filled in."""
        return {**step, "narration": self.narration(step["narration"]), "formula": self.lines(step["formula"])}


def symbol_text(symbol: str, layer: int, index: Sequence[int], sizes: list[int]) -> str:
    if symbol == "weight":
        return weight_symbol(layer, *index)
    return neuron_symbol(layer, index[0], sizes)


@lru_cache(maxsize=4096)  # a script asks for the same few columns in every pass
def _symbol_column(
    symbol: str, layer: int, index: tuple[int | None, ...], count: int, sizes: tuple[int, ...]
) -> list[str]:
    """A symbol for each value 0 … count − 1 of the index that is None."""
    at = index.index(None)
    return [symbol_text(symbol, layer, (*index[:at], i, *index[at + 1 :]), list(sizes)) for i in range(count)]


def _written(text: str, token: Mapping[str, Any]) -> str:
    """A number's text as the token asks: in parentheses when negative and ``paren`` is set."""
    return f"({text})" if token.get("paren") and text.startswith("−") else text


def render_steps(script: Mapping[str, Any], numbers: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every step of the script, its formulas written with the pass's numbers."""
    renderer = Renderer(script, numbers)
    return [renderer.step(step) for step in script["steps"]]
