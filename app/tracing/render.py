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

A reference names an array of the numbers and indexes into it: ``{"ref": "W", "index": [1, 0, 2]}`` is
``numbers["W"][1][0][2]``. A number that was not finite travels as null, and ``numbers["non_finite"]``
says which it was, so the text (∞, −∞, NaN) is what the pass computed. This module is the one place that
rule is written in Python; ``static/js/core/trace-render.js`` is its twin for the browser.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
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
    """Writes a script's templates with one pass's numbers."""

    def __init__(self, script: Mapping[str, Any], numbers: Mapping[str, Any]) -> None:
        self.max_terms_shown: int = script["max_terms_shown"]
        self.sizes: list[int] = script["shape"]["sizes"]
        self.numbers = numbers
        self.non_finite = {
            (item["ref"], tuple(item["index"])): NON_FINITE_VALUES[item["value"]]
            for item in numbers.get("non_finite") or ()
        }
        self.variables: dict[str, int] = {}  # the loop variables bound while a line loop is written

    def index(self, index: Sequence[int | str]) -> tuple[int, ...]:
        return tuple(i if isinstance(i, int) else self.variables[i] for i in index)

    def value(self, ref: Mapping[str, Any]) -> float | None:
        """The number a reference points at, as sent: null when it was not finite."""
        value: Any = self.numbers[ref["ref"]]
        for i in self.index(ref["index"]):
            value = value[i]
        return value

    def _number(self, ref: Mapping[str, Any]) -> float:
        value = self.value(ref)
        if value is None:
            return self.non_finite[ref["ref"], self.index(ref["index"])]
        return value

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
        text = num(self._number(token))
        return f"({text})" if token.get("paren") and text.startswith("−") else text

    def _symbol(self, token: Mapping[str, Any]) -> str:
        index = self.index(token["index"])
        if token["symbol"] == "weight":
            return weight_symbol(token["layer"], *index)
        return neuron_symbol(token["layer"], index[0], self.sizes)

    def _sum(self, token: Mapping[str, Any]) -> str:
        skip_zero = token.get("skip_zero")
        enough = self.max_terms_shown + 1  # the rest would not be written
        terms: list[str] = []
        for number, entry in enumerate(token["sum"]):
            if len(terms) == enough:
                break
            if isinstance(entry, dict):  # a loop of terms
                for value in range(min(entry["count"], enough - len(terms))):
                    self.variables[entry["for"]] = value
                    terms.append(self.text(entry["term"]))
                del self.variables[entry["for"]]
            elif skip_zero is None or self._number(skip_zero[number]) != 0:
                terms.append(self.text(entry))
        return join_terms(terms, self.max_terms_shown)

    def line(self, template: Mapping[str, Any]) -> dict[str, Any]:
        """A formula line as v1 writes it: lhs, symbolic, substituted text, value and its text."""
        return {
            "lhs": self.text(template["lhs"]),
            "symbolic": self.text(template["symbolic"]),
            "substituted": self.text(template["substituted"]),
            "value": self.value(template["value"]),
            "result": num(self._number(template["value"])),
        }

    def lines(self, formula: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        written = []
        for entry in formula:
            if "for" not in entry:
                written.append(self.line(entry))
                continue
            for value in range(entry["count"]):
                self.variables[entry["for"]] = value
                written.append(self.line(entry["line"]))
            del self.variables[entry["for"]]
        return written

    def narration(self, template: Mapping[str, Any]) -> dict[str, Any]:
        params = {
            name: self.value(param) if isinstance(param, dict) else param for name, param in template["params"].items()
        }
        return {"key": template["key"], "params": params}

    def step(self, step: Mapping[str, Any]) -> dict[str, Any]:
        """A script step with its narration params and formulas filled in."""
        return {**step, "narration": self.narration(step["narration"]), "formula": self.lines(step["formula"])}


def render_steps(script: Mapping[str, Any], numbers: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every step of the script, its formulas written with the pass's numbers."""
    renderer = Renderer(script, numbers)
    return [renderer.step(step) for step in script["steps"]]
