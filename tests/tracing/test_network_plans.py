"""Traces written from a plan per network shape: reused plans, the numbers' text, and the plan cache."""

from __future__ import annotations

import json
import math
import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.nn.mlp import MLP
from app.tracing import network
from app.tracing.network import MAX_TERMS_SHOWN, format_numbers, trace_network
from app.tracing.notation import num, paren

SHAPES = [
    # sizes, hidden activation, output activation, loss, batch, focus sample
    ([2, 3, 1], "tanh", "sigmoid", "bce", 1, 0),
    ([3, 4, 4, 2], "relu", "identity", "mse", 3, 2),
    ([2, 5, 3], "leaky_relu", "identity", "cross_entropy", 12, 7),
    ([1, 2, 1], "sigmoid", "tanh", "mse", 10, 9),
]


def _pass(sizes, hidden, output, loss, batch, seed):
    rng = np.random.default_rng(seed)
    mlp = MLP.create(sizes, activation=hidden, output_activation=output, seed=seed)
    x = rng.normal(size=(batch, sizes[0]))
    if loss == "cross_entropy":  # the same classes for every seed: the loss formula names only those
        y = np.eye(sizes[-1])[np.arange(batch) % sizes[-1]]
    elif loss == "bce":
        y = rng.integers(0, 2, size=(batch, sizes[-1])).astype(np.float64)
    else:
        y = rng.normal(size=(batch, sizes[-1]))
    return mlp, x, y


@pytest.mark.parametrize(("sizes", "hidden", "output", "loss", "batch", "sample"), SHAPES)
def test_a_reused_plan_writes_what_a_new_plan_writes(sizes, hidden, output, loss, batch, sample):
    network._plans.clear()
    first = trace_network(*_pass(sizes, hidden, output, loss, batch, seed=1), loss, 0.1, sample)
    mlp, x, y = _pass(sizes, hidden, output, loss, batch, seed=2)
    reused = trace_network(mlp, x, y, loss, 0.3, sample)
    assert len(network._plans) == 1, "the second pass should have reused the first pass's plan"
    network._plans.clear()
    mlp, x, _ = _pass(sizes, hidden, output, loss, batch, seed=2)
    fresh = trace_network(mlp, x, y, loss, 0.3, sample)
    assert reused == fresh
    assert reused != first


def _lines(trace: dict) -> list[dict]:
    return [line for step in trace["steps"] for line in step["formula"]]


@pytest.mark.parametrize(("sizes", "hidden", "output", "loss", "batch", "sample"), SHAPES)
def test_every_result_is_its_value_as_written(sizes, hidden, output, loss, batch, sample):
    network._plans.clear()
    for seed in (3, 4):  # the second pass fills the first pass's plan
        mlp, x, y = _pass(sizes, hidden, output, loss, batch, seed)
        trace = json.loads(trace_network(mlp, x, y, loss, 0.25, sample))
        for line in _lines(trace):
            assert line["result"] == num(line["value"]), line


@pytest.mark.parametrize(("sizes", "hidden", "output", "loss", "batch", "sample"), SHAPES)
def test_forward_and_update_formulas_hold_their_own_numbers(sizes, hidden, output, loss, batch, sample):
    """The substituted text, rebuilt here from the step's JSON numbers, is what the trace wrote."""
    network._plans.clear()
    for seed in (5, 6):
        mlp, x, y = _pass(sizes, hidden, output, loss, batch, seed)
        trace = json.loads(trace_network(mlp, x, y, loss, 0.25, sample))
        for step in trace["steps"]:
            if step["kind"] == "neuron_forward":
                terms = [f"{paren(w)} × {paren(a)}" for w, a, _ in step["values"]["terms"]]
                terms.append(paren(step["values"]["bias"]))
                if len(terms) > MAX_TERMS_SHOWN:
                    terms = [*terms[:MAX_TERMS_SHOWN], "…"]
                assert step["formula"][0]["substituted"] == " + ".join(terms)
                for w, a, product in step["values"]["terms"]:
                    assert product == w * a
            if step["kind"] == "update":
                params = trace["params"][step["layer"] - 1]
                j = step["neuron"]
                for k, line in enumerate(step["formula"][:-1]):
                    old, grad = params["weight"][j][k], params["grad_weight"][j][k]
                    assert line["substituted"] == f"{num(old)} − {num(0.25)} × {paren(grad)}"
                    assert line["value"] == old - 0.25 * grad


SPECIAL = [0.0, -0.0, 1e-5, -1e-5, 9999.5, -9999.49, 1e4, 1e-4, 9.9995e-5, 1e16, 5e-324, math.nan, math.inf, -math.inf]


@given(st.lists(st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from(SPECIAL), max_size=60))
@settings(max_examples=300, deadline=None)
def test_numbers_written_together_read_as_one_at_a_time(values):
    assert format_numbers(np.array(values, dtype=np.float64)) == [num(v).encode() for v in values]


def test_the_plan_cache_keeps_the_recent_plans_within_its_budget():
    sizes = [[2, n, 1] for n in range(1, 9)]
    one = network._Plan(
        iter([b'{"steps":[]}']), network._Slots({("eta", 0): np.zeros(1), ("loss", 0): np.zeros(1)}, 0), []
    )
    cache = network._PlanCache(max_bytes=4 * one.size + 3)
    built = []

    def build():
        built.append(1)
        return one

    for shape in sizes:
        cache.get(tuple(shape), build)
    assert len(built) == len(sizes)
    assert cache._size <= cache.max_bytes
    assert len(cache) == 4
    cache.get(tuple(sizes[-1]), build)  # still kept: no new build
    assert len(built) == len(sizes)
    cache.get(tuple(sizes[0]), build)  # long gone: built again
    assert len(built) == len(sizes) + 1


def test_a_plan_larger_than_half_the_budget_is_not_kept():
    one = network._Plan(
        iter([b'{"steps":[]}']), network._Slots({("eta", 0): np.zeros(1), ("loss", 0): np.zeros(1)}, 0), []
    )
    small = network._PlanCache(max_bytes=2 * one.size - 1)
    small.get(("big",), lambda: one)
    assert len(small) == 0
    large = network._PlanCache(max_bytes=2 * one.size)
    large.get(("big",), lambda: one)
    assert len(large) == 1


def test_a_large_trace_is_written_within_a_bounded_peak_of_memory():
    """A large trace is written a piece at a time: its Python objects peak at a few times its bytes, not at
    the fifteen times that all of its steps and their placeholders held at once would take."""
    sizes = [2, 48, 48, 48, 1]
    rng = np.random.default_rng(0)
    mlp = MLP.create(sizes, activation="tanh", output_activation="identity", seed=0)
    inputs, targets = rng.normal(size=(64, 2)), rng.normal(size=(64, 1))
    network._plans.clear()
    tracemalloc.start()
    try:
        written = trace_network(mlp, inputs, targets, "mse", 0.1, 0, True)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(written) > 8_000_000
    assert peak < 8 * len(written)  # the response, its plan and one piece at a time
