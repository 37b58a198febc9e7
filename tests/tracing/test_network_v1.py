"""v1 traces written from the v2 script and numbers: results as written, formulas holding their own numbers,
loops written column by column as line by line, a stop that is honoured and a bounded peak of memory."""

from __future__ import annotations

import json
import tracemalloc

import numpy as np
import orjson
import pytest

from app.nn.mlp import MLP
from app.tracing import contract, network
from app.tracing.contract import MAX_TERMS_SHOWN, TraceShape, build_script, trace_numbers
from app.tracing.network import TraceStopped, trace_network
from app.tracing.notation import num, paren
from app.tracing.render import Renderer

SHAPES = [
    # sizes, hidden activation, output activation, loss, batch, focus sample
    ([2, 3, 1], "tanh", "sigmoid", "bce", 1, 0),
    ([3, 4, 4, 2], "relu", "identity", "mse", 3, 2),
    ([2, 5, 3], "leaky_relu", "identity", "cross_entropy", 12, 7),
    ([1, 2, 1], "sigmoid", "tanh", "mse", 10, 9),
    ([11, 10, 2], "tanh", "identity", "mse", 1, 0),
]


def _pass(sizes, hidden, output, loss, batch, seed):
    rng = np.random.default_rng(seed)
    mlp = MLP.create(sizes, activation=hidden, output_activation=output, seed=seed)
    x = rng.normal(size=(batch, sizes[0]))
    if loss == "cross_entropy":
        y = np.eye(sizes[-1])[np.arange(batch) % sizes[-1]]
    elif loss == "bce":
        y = rng.integers(0, 2, size=(batch, sizes[-1])).astype(np.float64)
    else:
        y = rng.normal(size=(batch, sizes[-1]))
    return mlp, x, y


def _lines(trace: dict) -> list[dict]:
    return [line for step in trace["steps"] for line in step["formula"]]


@pytest.mark.parametrize(("sizes", "hidden", "output", "loss", "batch", "sample"), SHAPES)
def test_a_kept_script_writes_what_a_new_script_writes(sizes, hidden, output, loss, batch, sample):
    contract.scripts.clear()
    mlp, x, y = _pass(sizes, hidden, output, loss, batch, seed=2)
    fresh = trace_network(mlp, x, y, loss, 0.3, sample)
    assert len(contract.scripts) == 1
    mlp, x, y = _pass(sizes, hidden, output, loss, batch, seed=2)
    assert trace_network(mlp, x, y, loss, 0.3, sample) == fresh
    other = trace_network(*_pass(sizes, hidden, output, loss, batch, seed=1), loss, 0.1, sample)
    assert other != fresh


@pytest.mark.parametrize(("sizes", "hidden", "output", "loss", "batch", "sample"), SHAPES)
def test_every_result_is_its_value_as_written(sizes, hidden, output, loss, batch, sample):
    mlp, x, y = _pass(sizes, hidden, output, loss, batch, seed=3)
    trace = json.loads(trace_network(mlp, x, y, loss, 0.25, sample))
    for line in _lines(trace):
        assert line["result"] == num(line["value"]), line


@pytest.mark.parametrize(("sizes", "hidden", "output", "loss", "batch", "sample"), SHAPES)
def test_forward_and_update_formulas_hold_their_own_numbers(sizes, hidden, output, loss, batch, sample):
    """The substituted text, rebuilt here from the step's JSON numbers, is what the trace wrote."""
    mlp, x, y = _pass(sizes, hidden, output, loss, batch, seed=5)
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


@pytest.mark.parametrize(("sizes", "hidden", "output", "loss", "batch", "sample"), SHAPES)
def test_a_loop_written_column_by_column_is_the_loop_written_line_by_line(sizes, hidden, output, loss, batch, sample):
    mlp, x, y = _pass(sizes, hidden, output, loss, batch, seed=7)
    script = build_script(TraceShape.of(mlp, loss, batch, sample))
    numbers = orjson.loads(contract.numbers_json(trace_numbers(mlp, x, y, loss, 0.5, sample)))
    renderer = Renderer(script, numbers)
    loops = [entry for step in script["steps"] for entry in step["formula"] if "for" in entry]
    assert loops
    for loop in loops:
        one_by_one = []
        for value in range(loop["count"]):
            renderer.variables[loop["for"]] = value
            one_by_one.append(renderer.line(loop["line"]))
        del renderer.variables[loop["for"]]
        assert renderer.line_loop(loop["line"], loop["for"], loop["count"]) == one_by_one


def test_a_trace_whose_stop_holds_is_given_up():
    mlp, x, y = _pass([4, 16, 16, 1], "tanh", "identity", "mse", 8, seed=0)
    asked = []

    def stop() -> bool:
        asked.append(1)
        return len(asked) > 1

    with pytest.raises(TraceStopped):
        trace_network(mlp, x, y, "mse", 0.1, 0, True, stop=stop)
    assert len(asked) == 2


def test_a_large_trace_is_written_within_a_bounded_peak_of_memory():
    """A large trace is written a step at a time: its Python objects peak at a few times its bytes, not at
    the fifteen times that all of its steps held at once would take."""
    sizes = [2, 48, 48, 48, 1]
    rng = np.random.default_rng(0)
    mlp = MLP.create(sizes, activation="tanh", output_activation="identity", seed=0)
    inputs, targets = rng.normal(size=(64, 2)), rng.normal(size=(64, 1))
    contract.scripts.clear()
    tracemalloc.start()
    try:
        written = trace_network(mlp, inputs, targets, "mse", 0.1, 0, True)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(written) > 8_000_000
    assert peak < 8 * len(written)


@pytest.mark.parametrize(("sizes", "hidden", "output", "loss", "batch", "sample"), SHAPES)
def test_steps_filled_from_forms_are_the_steps_rendered(monkeypatch, sizes, hidden, output, loss, batch, sample):
    """Small scripts are filled from forms kept per shape, large ones rendered: both write the same bytes."""
    mlp, x, y = _pass(sizes, hidden, output, loss, batch, seed=8)
    from_forms = trace_network(mlp, x, y, loss, 0.2, sample)
    monkeypatch.setattr(network, "FORMS_MAX_STEPS", 0)
    mlp, x, y = _pass(sizes, hidden, output, loss, batch, seed=8)
    assert trace_network(mlp, x, y, loss, 0.2, sample) == from_forms
