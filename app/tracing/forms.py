"""A script's formulas written once per shape with their text fixed and their numbers left open.

Rendering a small network's trace token by token (:mod:`app.tracing.render`) costs more than its pass, and
a classroom asks for the same small shape again and again. So a small script is also written into *forms*:
per formula line, lhs and symbolic as text, ``substituted`` as a %-format with one ``%s`` per number, and
the reference of each of those numbers. A pass then only writes its numbers into the forms. A line whose
words depend on the pass's numbers (the cross-entropy loss writes only the classes a target holds) stays a
template and is rendered with the pass. Filled forms write what the renderer writes, token for token.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from threading import Lock
from typing import Any

from app.tracing.notation import num
from app.tracing.render import Renderer, Token, join_terms, symbol_text

FORMS_KEPT = 32  # shapes whose forms are kept, least recently used first out

Place = tuple[str, tuple[int, ...]]  # a number of the pass: the array's name and the index into it


@dataclass(frozen=True, slots=True)
class LineForm:
    lhs: str
    symbolic: str
    substituted: str  # a %-format, one %s per number
    numbers: tuple[tuple[str, tuple[int, ...], bool], ...]  # each %s: name, index, in parentheses if negative
    value: Place


@dataclass(frozen=True, slots=True)
class StepForm:
    step: Mapping[str, Any]  # the script's step: its fields other than the formula are filled as they are
    lines: list[LineForm | Mapping[str, Any]]  # a mapping: a line template rendered with each pass


class _PassDependent(Exception):
    """The line's words depend on the pass's numbers."""


class _FormWriter:
    def __init__(self, script: Mapping[str, Any]) -> None:
        self.max_terms_shown: int = script["max_terms_shown"]
        self.sizes: list[int] = script["shape"]["sizes"]
        self.variables: dict[str, int] = {}

    def index(self, index: Sequence[int | str]) -> tuple[int, ...]:
        return tuple(i if isinstance(i, int) else self.variables[i] for i in index)

    def form(self, tokens: str | Sequence[Token]) -> tuple[str, list[tuple[str, tuple[int, ...], bool]]]:
        """The tokens as a %-format and the numbers its %s stand for, in order."""
        if isinstance(tokens, str):
            return tokens.replace("%", "%%"), []
        parts, numbers = [], []
        for token in tokens:
            if isinstance(token, str):
                parts.append(token.replace("%", "%%"))
            elif "sum" in token:
                text, inner = self.sum(token)
                parts.append(text)
                numbers += inner
            elif "symbol" in token:
                symbol = symbol_text(token["symbol"], token["layer"], self.index(token["index"]), self.sizes)
                parts.append(symbol.replace("%", "%%"))
            else:
                parts.append("%s")
                numbers.append((token["ref"], self.index(token["index"]), bool(token.get("paren"))))
        return "".join(parts), numbers

    def sum(self, token: Mapping[str, Any]) -> tuple[str, list[tuple[str, tuple[int, ...], bool]]]:
        if token.get("skip_zero") is not None:
            raise _PassDependent
        terms: list[tuple[str, list[Any]]] = []
        for entry in token["sum"]:
            if isinstance(entry, dict):  # a loop of terms
                for value in range(entry["count"]):
                    self.variables[entry["for"]] = value
                    terms.append(self.form(entry["term"]))
                del self.variables[entry["for"]]
            else:
                terms.append(self.form(entry))
        written = terms[: self.max_terms_shown]  # the numbers of the terms cut for "…" are not written
        text = join_terms([text for text, _ in terms], self.max_terms_shown)
        return text, [number for _, numbers in written for number in numbers]

    def line(self, template: Mapping[str, Any]) -> LineForm | Mapping[str, Any]:
        try:
            (lhs, lhs_numbers), (symbolic, symbolic_numbers), (substituted, numbers) = (
                self.form(template[field]) for field in ("lhs", "symbolic", "substituted")
            )
        except _PassDependent:
            return template
        if lhs_numbers or symbolic_numbers:  # not in any script yet: such a line is rendered per pass
            return template
        value = template["value"]
        return LineForm(
            lhs % (), symbolic % (), substituted, tuple(numbers), (value["ref"], self.index(value["index"]))
        )

    def step(self, step: Mapping[str, Any]) -> StepForm:
        lines: list[LineForm | Mapping[str, Any]] = []
        for entry in step["formula"]:
            if "for" not in entry:
                lines.append(self.line(entry))
                continue
            for value in range(entry["count"]):
                self.variables[entry["for"]] = value
                lines.append(self.line(entry["line"]))
            del self.variables[entry["for"]]
        return StepForm(step, lines)


class _FormCache:
    def __init__(self, kept: int) -> None:
        self.kept = kept
        self._forms: OrderedDict[str, list[StepForm]] = OrderedDict()
        self._lock = Lock()  # large traces are written in the threadpool

    def get(self, script: Mapping[str, Any]) -> list[StepForm]:
        script_id = script["script_id"]
        with self._lock:
            forms = self._forms.get(script_id)
            if forms is not None:
                self._forms.move_to_end(script_id)
                return forms
        writer = _FormWriter(script)
        forms = [writer.step(step) for step in script["steps"]]
        with self._lock:
            self._forms[script_id] = forms
            if len(self._forms) > self.kept:
                self._forms.popitem(last=False)
        return forms

    def clear(self) -> None:
        with self._lock:
            self._forms.clear()


forms = _FormCache(FORMS_KEPT)


def fill_steps(script: Mapping[str, Any], renderer: Renderer) -> Iterator[dict[str, Any]]:
    """The script's steps written with the renderer's numbers, from the script's forms."""
    for step_form in forms.get(script):
        step = step_form.step
        yield {
            **step,
            "narration": renderer.narration(step["narration"]),
            "formula": [_fill(line, renderer) for line in step_form.lines],
        }


def _fill(line: LineForm | Mapping[str, Any], renderer: Renderer) -> dict[str, Any]:
    if not isinstance(line, LineForm):
        return renderer.line(line)
    numbers, texts = renderer.numbers, []
    for name, index, paren in line.numbers:  # a renderer.number_at written out: most of a small trace's time
        number = numbers[name]
        for i in index:
            number = number[i]
        text = num(renderer.non_finite[name, index] if number is None else number)
        texts.append(f"({text})" if paren and text[0] == "−" else text)
    name, index = line.value
    value = renderer.value_at(name, index)
    return {
        "lhs": line.lhs,
        "symbolic": line.symbolic,
        "substituted": line.substituted % tuple(texts),
        "value": value,
        "result": num(renderer.non_finite[name, index] if value is None else value),
    }
