"""GET /exercises and POST /exercises/check: an exercise per kind and seed, answers checked against the
engine, the solution only once solved or revealed, and hostile input refused with a message."""

from __future__ import annotations

import pytest

from app.tracing.exercises import KINDS, generate
from tests.api.conftest import API, ok, refused, strict_json


def _get(client, **params):
    response = client.get(f"{API}/exercises", params=params)
    assert response.status_code == 200, response.text[:500]
    return strict_json(response.content)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_an_exercise_names_its_blanks_and_keeps_its_answers(client, kind, lang):
    task = _get(client, kind=kind, seed=42, lang=lang)
    assert task["kind"] == kind and task["seed"] == 42 and task["lang"] == lang
    assert task["question"] and not task["question"].startswith("lessons.")
    assert [b["name"] for b in task["blanks"]] == [b.name for b in generate(kind, 42).blanks]
    assert "value" not in str(task["blanks"])  # answers stay on the server


def test_the_question_is_in_the_requested_language(client):
    english = _get(client, kind="partial", seed=3, lang="en")["question"]
    chinese = _get(client, kind="partial", seed=3, lang="zh-CN")["question"]
    assert english != chinese and "求" in chinese and "Find" in english


@pytest.mark.parametrize("kind", KINDS)
def test_right_answers_are_solved_with_a_worked_solution(client, kind):
    task = generate(kind, 9)
    answers = {blank.name: round(blank.value, 3) for blank in task.blanks}  # three decimals are enough
    result = ok(client, "/exercises/check", {"kind": kind, "seed": 9, "lang": "zh-CN", "answers": answers})
    assert result["solved"] is True
    assert all(r["verdict"] == "correct" for r in result["results"])
    assert [r["expected"] for r in result["results"]] == [b.value for b in task.blanks]
    assert len(result["solution"]) == len(task.solution)
    assert all(line["text"] and not line["text"].startswith("lessons.") for line in result["solution"])


def test_a_wrong_answer_keeps_the_solution_until_revealed(client):
    task = generate("descent", 5)
    right = task.blanks[0]
    answers = {right.name: right.value, task.blanks[1].name: task.blanks[1].value + 1}
    result = ok(client, "/exercises/check", {"kind": "descent", "seed": 5, "answers": answers})
    assert result["solved"] is False and result["solution"] is None
    assert [r["verdict"] for r in result["results"]] == ["correct", "wrong"]
    assert result["results"][0]["expected"] == right.value and result["results"][1]["expected"] is None
    revealed = ok(client, "/exercises/check", {"kind": "descent", "seed": 5, "answers": {}, "reveal": True})
    assert [r["verdict"] for r in revealed["results"]] == ["missing", "missing"]
    assert revealed["results"][1]["expected"] == task.blanks[1].value and revealed["solution"]


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"kind": "limit", "seed": 1, "answers": {"bogus": 1}}, ["bogus", "derivative"]),
        ({"kind": "integral", "seed": 1}, ["kind"]),
        ({"kind": "limit", "seed": -1}, ["seed"]),
        ({"kind": "limit", "seed": 2**31}, ["seed"]),
        ({"kind": "limit", "seed": 1, "lang": "fr"}, ["lang"]),
        ({"kind": "limit", "seed": 1, "answers": {"derivative": "two"}}, ["answers"]),
        ({"kind": "limit", "seed": 1, "answers": {f"a{'b' * n}": 1 for n in range(9)}}, ["answers"]),
        ({"kind": "limit", "seed": 1, "answers": {"x" * 40: 1}}, ["answers"]),
        ({"kind": "limit", "seed": 1, "extra": True}, ["extra"]),
    ],
)
def test_bad_checks_are_refused_with_what_to_fix(client, body, words):
    refused(client, "/exercises/check", body, 422, *words)


def test_non_finite_answers_are_refused(client):
    refused(client, "/exercises/check", b'{"kind": "limit", "seed": 1, "answers": {"derivative": NaN}}', 422)


@pytest.mark.parametrize(
    "params", [{"kind": "nope"}, {"kind": "limit", "seed": "x"}, {"kind": "limit", "seed": -5}, {"lang": "en"}]
)
def test_bad_exercise_queries_are_refused(client, params):
    response = client.get(f"{API}/exercises", params=params)
    assert response.status_code == 422
    assert strict_json(response.content)["detail"]
