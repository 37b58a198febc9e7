"""Generated exercises: every expected answer equals what the engine (or PyTorch) computes from the task as
given, the worked solution ends on that answer, and a seed always gives the same exercise."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.engine.expression import parse
from app.tracing.calculus import value_and_gradient
from app.tracing.exercises import KINDS, generate, is_close
from app.tracing.notation import num

seeds = st.integers(min_value=0, max_value=2**31 - 1)


def _answers(kind: str, seed: int) -> dict[str, float]:
    return {blank.name: blank.value for blank in generate(kind, seed).blanks}  # type: ignore[arg-type]


@settings(max_examples=60, deadline=None)
@given(seeds)
def test_limit_answer_is_the_engines_derivative_of_the_given_function(seed: int) -> None:
    task = generate("limit", seed)
    _, gradient = value_and_gradient(parse(task.expressions["f"]), {"x": task.values["x"]})
    assert _answers("limit", seed)["derivative"] == pytest.approx(gradient["x"], abs=1e-12)
    assert task.given[0].startswith("f(x) = ")


@settings(max_examples=60, deadline=None)
@given(seeds)
def test_partial_answer_is_the_engines_partial_derivative(seed: int) -> None:
    task = generate("partial", seed)
    variable = task.params["variable"]
    _, gradient = value_and_gradient(parse(task.expressions["z"], variables=["x", "y"]), task.values)
    assert _answers("partial", seed)["partial"] == pytest.approx(gradient[variable], abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(seeds)
def test_descent_answer_is_one_step_against_the_engines_gradient(seed: int) -> None:
    task = generate("descent", seed)
    point = {"x": task.values["x"], "y": task.values["y"]}
    _, gradient = value_and_gradient(parse(task.expressions["f"], variables=["x", "y"]), point)
    rate = task.values["learning_rate"]
    answers = _answers("descent", seed)
    for name in ("x", "y"):
        assert answers[name] == pytest.approx(point[name] - rate * gradient[name], abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(seeds)
def test_chain_answer_is_the_derivative_of_the_composed_function(seed: int) -> None:
    task = generate("chain", seed)
    composed = parse(task.expressions["f"].replace("u", f"({task.expressions['u']})"), variables=["x"])
    _, gradient = value_and_gradient(composed, {"x": task.values["x"]})
    answers = _answers("chain", seed)
    assert answers["total"] == pytest.approx(gradient["x"], abs=1e-9)
    assert answers["total"] == pytest.approx(answers["outer"] * answers["inner"], abs=1e-9)


@settings(max_examples=40, deadline=None)
@given(seeds)
def test_network_answers_match_pytorch(seed: int) -> None:
    torch = pytest.importorskip("torch")
    v = generate("network", seed).values
    weight = torch.tensor([[v["w1"], v["w2"]]], dtype=torch.float64, requires_grad=True)
    bias = torch.tensor([v["b"]], dtype=torch.float64, requires_grad=True)
    z = torch.tensor([[v["x1"], v["x2"]]], dtype=torch.float64) @ weight.T + bias
    z.retain_grad()
    loss = torch.nn.functional.mse_loss(torch.sigmoid(z), torch.tensor([[v["y"]]], dtype=torch.float64))
    loss.backward()
    answers = _answers("network", seed)
    assert answers["delta"] == pytest.approx(z.grad.item(), abs=1e-12)
    assert answers["weight"] == pytest.approx(v["w1"] - v["learning_rate"] * weight.grad[0, 0].item(), abs=1e-12)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("seed", [0, 1, 7, 123456])
def test_solution_ends_on_each_answer_and_a_seed_repeats(kind: str, seed: int) -> None:
    task = generate(kind, seed)  # type: ignore[arg-type]
    again = generate(kind, seed)  # type: ignore[arg-type]
    assert [b.value for b in task.blanks] == [b.value for b in again.blanks]
    assert task.given == again.given
    finals = [line.math.rsplit(" = ", 1)[-1] for line in task.solution]
    for blank in task.blanks:
        assert num(blank.value) in finals, (blank, finals)
    assert all(np.isfinite(b.value) for b in task.blanks)


@pytest.mark.parametrize("kind", KINDS)
def test_seeds_give_different_exercises(kind: str) -> None:
    tasks = {tuple(generate(kind, seed).given) for seed in range(20)}  # type: ignore[arg-type]
    assert len(tasks) > 10


@pytest.mark.parametrize(
    ("given", "expected", "right"),
    [(2.0, 2.0, True), (1.9995, 2.0, True), (1.99, 2.0, False), (1000.9, 1000.0, True), (float("nan"), 1.0, False)],
)
def test_tolerance_accepts_three_decimals(given: float, expected: float, right: bool) -> None:
    assert is_close(given, expected) is right
