"""Questions a teacher asks at a step, with the right answer computed here from the server's own numbers.

Kinds: ``value`` (predict a number, within a tolerance), ``gradient_sign`` (+, − or 0 of ∂L/∂w),
``weight_direction`` (up, down or stays under w ← w − η ∂L/∂w) and ``choice`` (a multiple-choice question
written into a lesson, :data:`LESSON_QUESTIONS`). A client's opinion of what is right is never asked for.
"""

from __future__ import annotations

import math
import secrets
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np

Kind = Literal["value", "gradient_sign", "weight_direction", "choice"]
Stage = Literal["open", "closed", "revealed"]
SIGNS = ("+", "-", "0")
DIRECTIONS = ("up", "down", "stays")
HISTOGRAM_BINS = 6
DEFAULT_TOLERANCE = 0.01
MAX_ANSWER_CHARS = 32
# translation keys (static/i18n/*/common.json): a student's screen words the question in its own language
PROMPTS = "common.classroom.prompt"
CHOICES = "common.classroom.choice"


@dataclass(frozen=True)
class LessonQuestion:
    lesson: str
    options: int  # option i is worded by the key common.classroom.choice.<id>.o<i>
    right: int


# Multiple-choice questions written into the lessons; their wording is in static/i18n (common.classroom.choice.<id>).
LESSON_QUESTIONS: dict[str, LessonQuestion] = {
    "derivative-slope": LessonQuestion("derivative", 3, 1),
    "partial-hold": LessonQuestion("partial-derivatives", 3, 0),
    "gradient-direction": LessonQuestion("gradient", 3, 2),
    "chain-multiply": LessonQuestion("chain-rule", 3, 1),
    "backprop-order": LessonQuestion("backpropagation", 3, 0),
    "feed-forward-sum": LessonQuestion("feed-forward", 3, 2),
}


@dataclass
class Question:
    """One question; ``answer`` stays on the server until the teacher reveals it."""

    id: str
    kind: Kind
    prompt: dict[str, Any]  # {"key": translation key, "params": what the sentence names}
    options: list[str]
    answer: str
    tolerance: float | None = None
    stage: Stage = "open"
    histogram: list[dict[str, Any]] = field(default_factory=list)
    answered: int = 0
    correct: int = 0

    def public(self) -> dict[str, Any]:
        """What a student's screen may show: the answer and the class's answers only once revealed."""
        shown = {"id": self.id, "kind": self.kind, "prompt": self.prompt, "options": self.options, "stage": self.stage}
        if self.stage == "revealed":
            shown.update(answer=self.answer, histogram=self.histogram, answered=self.answered, correct=self.correct)
        return shown

    def for_teacher(self) -> dict[str, Any]:
        return {
            **self.public(),
            "answer": self.answer,
            "tolerance": self.tolerance,
            "histogram": self.histogram,
            "answered": self.answered,
            "correct": self.correct,
        }

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Question:
        return cls(**data)


class BadQuestion(ValueError):
    """The question cannot be built from what was sent; the message says what to change."""


class BadAnswer(ValueError):
    """The answer is not one this question takes; the message says what it takes."""


def _question_id() -> str:
    return secrets.token_hex(6)


def _number(value: float) -> str:
    return repr(float(value))


def _pick(array: Any, where: str, *index: int) -> float:
    try:
        picked = np.asarray(array)[index]
    except IndexError:
        raise BadQuestion(f"{where} does not exist in this network") from None
    if np.ndim(picked) != 0:
        raise BadQuestion(f"{where} names more than one number")
    return float(picked)


def _layer(numbers: dict[str, Any], layer: int) -> None:
    depth = len(numbers["a"]) - 1
    if not 1 <= layer <= depth:
        raise BadQuestion(f"layer must be from 1 to {depth}: the layers after the input")


def value_question(
    numbers: dict[str, Any], quantity: str, layer: int, neuron: int, tolerance: float | None
) -> Question:
    """Predict a number of the pass: the loss, or a neuron's z, a or δ for the traced sample."""
    sample = numbers["sample"]
    if quantity == "loss":
        truth, params = float(numbers["loss"]), {}
    else:
        _layer(numbers, layer)
        source = {"z": "z", "a": "a", "delta": "delta"}[quantity]
        truth = _pick(numbers[source][layer], f"neuron {neuron} of layer {layer}", sample, neuron)
        params = {"layer": layer, "neuron": neuron}
    if not math.isfinite(truth):
        raise BadQuestion("this value overflowed in this pass; ask about another one")
    return Question(
        _question_id(),
        "value",
        {"key": f"{PROMPTS}.value_{quantity}", "params": params},
        [],
        _number(truth),
        DEFAULT_TOLERANCE if tolerance is None else tolerance,
    )


def _gradient(numbers: dict[str, Any], parameter: str, layer: int, to: int, source: int) -> tuple[float, dict]:
    _layer(numbers, layer)
    if parameter == "w":
        return _pick(numbers["grad_W"][layer], f"weight {to}←{source} of layer {layer}", to, source), {
            "layer": layer,
            "to": to,
            "from": source,
        }
    return _pick(numbers["grad_b"][layer], f"bias {to} of layer {layer}", to), {"layer": layer, "to": to}


def _sign(value: float) -> str:
    return "+" if value > 0 else "-" if value < 0 else "0"


def sign_question(numbers: dict[str, Any], parameter: str, layer: int, to: int, source: int) -> Question:
    """The sign of ∂L/∂w (or ∂L/∂b) in this pass."""
    grad, params = _gradient(numbers, parameter, layer, to, source)
    if not math.isfinite(grad):
        raise BadQuestion("this gradient overflowed in this pass; ask about another one")
    prompt = {"key": f"{PROMPTS}.sign_{parameter}", "params": params}
    return Question(_question_id(), "gradient_sign", prompt, list(SIGNS), _sign(grad))


def direction_question(numbers: dict[str, Any], parameter: str, layer: int, to: int, source: int) -> Question:
    """Which way the parameter moves in the update w ← w − η ∂L/∂w."""
    grad, params = _gradient(numbers, parameter, layer, to, source)
    step = -float(numbers["learning_rate"]) * grad
    if not math.isfinite(step):
        raise BadQuestion("this update overflowed in this pass; ask about another one")
    answer = "up" if step > 0 else "down" if step < 0 else "stays"
    prompt = {"key": f"{PROMPTS}.direction_{parameter}", "params": params}
    return Question(_question_id(), "weight_direction", prompt, list(DIRECTIONS), answer)


def choice_question(question_id: str) -> Question:
    written = LESSON_QUESTIONS.get(question_id)
    if written is None:
        raise BadQuestion(f"no lesson question named {question_id!r}; see the lessons' questions")
    prompt = {"key": f"{CHOICES}.{question_id}.prompt", "params": {"lesson": written.lesson}}
    options = [str(i) for i in range(written.options)]
    return Question(_question_id(), "choice", prompt, options, str(written.right))


def checked_answer(question: Question, text: str) -> str:
    """The answer as kept: a number written the shortest exact way, or one of the question's options."""
    text = text.strip()
    if len(text) > MAX_ANSWER_CHARS:
        raise BadAnswer(f"an answer has at most {MAX_ANSWER_CHARS} characters")
    if question.kind != "value":
        if text not in question.options:
            raise BadAnswer(f"answer one of {', '.join(question.options)}")
        return text
    try:
        number = float(text.replace("−", "-").replace(",", "."))
    except ValueError:
        raise BadAnswer("answer a number, e.g. 0.25 or -1.5") from None
    if not math.isfinite(number):
        raise BadAnswer("answer a finite number")
    return _number(number)


def is_right(question: Question, answer: str) -> bool:
    if question.kind == "value":
        return abs(float(answer) - float(question.answer)) <= (question.tolerance or 0.0) + 1e-12
    return answer == question.answer


def _label(value: float) -> str:
    return f"{value:.3g}"


def histogram(question: Question, answers: list[str]) -> list[dict[str, Any]]:
    """The class's answers: a count per option, or for numbers up to 6 equal bins over the answers given.

    Bins span the answers only (never the right value), so the teacher can project them before revealing.
    """
    if question.kind != "value":
        return [{"label": option, "count": answers.count(option)} for option in question.options]
    values = sorted(float(answer) for answer in answers)
    if not values:
        return []
    low, high = values[0], values[-1]
    if high - low < 1e-9:
        return [{"label": _label(low), "low": low, "high": high, "count": len(values)}]
    width = (high - low) / HISTOGRAM_BINS
    counts = [0] * HISTOGRAM_BINS
    for value in values:
        counts[min(HISTOGRAM_BINS - 1, int((value - low) / width))] += 1
    return [
        {
            "label": f"{_label(low + i * width)} … {_label(low + (i + 1) * width)}",
            "low": low + i * width,
            "high": low + (i + 1) * width,
            "count": count,
        }
        for i, count in enumerate(counts)
    ]


def tally(question: Question, answers: list[str]) -> Question:
    """``question`` with the counts of ``answers`` filled in."""
    question.histogram = histogram(question, answers)
    question.answered = len(answers)
    question.correct = sum(is_right(question, answer) for answer in answers)
    return question
