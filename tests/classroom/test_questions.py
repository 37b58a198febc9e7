"""Questions carry answers the server computes with the engine, and every sentence a question names exists
in both languages."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from app.classroom.questions import (
    DIRECTIONS,
    LESSON_QUESTIONS,
    SIGNS,
    BadAnswer,
    BadQuestion,
    checked_answer,
    choice_question,
    direction_question,
    histogram,
    is_right,
    sign_question,
    tally,
    value_question,
)
from app.nn.mlp import MLP
from app.pages import LESSONS
from app.tracing.contract import trace_numbers

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def numbers() -> dict:
    mlp = MLP.create([2, 3, 1], activation="tanh", output_activation="sigmoid", seed=1)
    return trace_numbers(mlp, np.array([[1.0, 0.5]]), np.array([[1.0]]), "bce", 0.5)


def _by_hand(numbers: dict) -> tuple[float, float, float]:
    """a₁⁽²⁾ and ∂L/∂w₀₁⁽¹⁾ again from W, b and x, without the trace's arrays of them."""
    x = np.array([1.0, 0.5])
    w1, b1, w2, b2 = numbers["W"][1], numbers["b"][1], numbers["W"][2], numbers["b"][2]
    h = np.tanh(w1 @ x + b1)
    y_hat = 1 / (1 + np.exp(-(w2 @ h + b2)))
    delta_out = y_hat - 1.0  # sigmoid with BCE against y = 1
    delta_hidden = (w2.T @ delta_out) * (1 - h**2)
    return float(y_hat[0]), float(delta_hidden[0] * x[1]), float(delta_out[0])


def test_a_value_question_holds_the_engine_value(numbers: dict) -> None:
    y_hat, _, delta_out = _by_hand(numbers)
    question = value_question(numbers, "a", 2, 0, None)
    assert float(question.answer) == pytest.approx(y_hat, abs=1e-12)
    assert is_right(question, checked_answer(question, f"{y_hat + 0.009:.6f}"))
    assert not is_right(question, checked_answer(question, f"{y_hat + 0.02:.6f}"))
    assert float(value_question(numbers, "delta", 2, 0, 0.1).answer) == pytest.approx(delta_out)
    assert float(value_question(numbers, "loss", 1, 0, None).answer) == pytest.approx(-np.log(y_hat))


def test_sign_and_direction_questions_follow_the_gradient(numbers: dict) -> None:
    _, gradient, _ = _by_hand(numbers)
    sign = sign_question(numbers, "w", 1, 0, 1)
    direction = direction_question(numbers, "w", 1, 0, 1)
    assert sign.answer == ("+" if gradient > 0 else "-")
    assert direction.answer == ("down" if gradient > 0 else "up")  # w ← w − η ∂L/∂w
    assert sign.options == list(SIGNS) and direction.options == list(DIRECTIONS)


def test_questions_about_what_is_not_there_are_refused(numbers: dict) -> None:
    for build in (
        lambda: value_question(numbers, "a", 3, 0, None),
        lambda: value_question(numbers, "a", 1, 7, None),
        lambda: sign_question(numbers, "w", 1, 0, 5),
        lambda: choice_question("no-such"),
    ):
        with pytest.raises(BadQuestion):
            build()


def test_answers_are_numbers_or_options_only() -> None:
    question = choice_question("chain-multiply")
    for text in ("3", "<b>1</b>", "x" * 100):
        with pytest.raises(BadAnswer):
            checked_answer(question, text)
    numeric = value_question({"a": [None, None], "sample": 0, "loss": 0.5}, "loss", 1, 0, 0.01)
    assert checked_answer(numeric, " −0,25 ") == "-0.25"
    for text in ("nan", "inf", "1e999", "one"):
        with pytest.raises(BadAnswer):
            checked_answer(numeric, text)


def test_histograms_count_options_and_bin_numbers_over_the_answers_only() -> None:
    question = choice_question("partial-hold")
    assert [b["count"] for b in histogram(question, ["0", "0", "2"])] == [2, 0, 1]
    numeric = value_question({"a": [None, None], "sample": 0, "loss": 0.5}, "loss", 1, 0, 0.01)
    bins = histogram(numeric, ["0", "1", "1", "3"])
    assert sum(b["count"] for b in bins) == 4 and bins[0]["low"] == 0 and bins[-1]["high"] == 3
    assert all(b["low"] <= 3 and b["high"] >= 0 for b in bins)
    done = tally(numeric, ["0.5", "0.505", "0.6"])
    assert (done.answered, done.correct) == (3, 2)


def _strings(lang: str) -> dict[str, str]:
    out: dict[str, str] = {}

    def flatten(prefix: str, value: object) -> None:
        if isinstance(value, dict):
            for key, child in value.items():
                flatten(f"{prefix}.{key}", child)
        else:
            out[prefix] = str(value)

    flatten("common", json.loads((ROOT / "static" / "i18n" / lang / "common.json").read_text(encoding="utf-8")))
    return out


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_every_question_is_worded_in_both_languages(numbers: dict, lang: str) -> None:
    strings = _strings(lang)
    questions = [value_question(numbers, q, 2, 0, None) for q in ("a", "z", "delta", "loss")]
    questions += [build(numbers, p, 1, 0, 0) for build in (sign_question, direction_question) for p in ("w", "b")]
    for question in questions:
        assert question.prompt["key"] in strings
        for option in question.options:
            assert f"common.classroom.option.{option}" in strings
    slugs = {lesson.slug for lesson in LESSONS}
    for name, written in LESSON_QUESTIONS.items():
        assert written.lesson in slugs
        question = choice_question(name)
        assert question.prompt["key"] in strings
        assert all(f"common.classroom.choice.{name}.o{i}" in strings for i in range(written.options))
