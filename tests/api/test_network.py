"""POST /network/trace and /network/gradcheck: values against hand-written NumPy, and every refusal."""

from __future__ import annotations

import time

import numpy as np
import pytest

from tests.api.conftest import API, ok, refused, strict_json

CLASSROOM = {
    "layers": [2, 3, 1],
    "activation": "tanh",
    "output_activation": "sigmoid",
    "loss": "bce",
    "weights": [[[0.5, -0.3], [0.8, 0.2], [-0.4, 0.6]], [[0.7, -0.5, 0.3]]],
    "biases": [[0.1, -0.1, 0.05], [0.2]],
    "inputs": [[1.0, 0.5]],
    "targets": [[1.0]],
    "learning_rate": 0.5,
}


def classroom_by_hand() -> dict[str, np.ndarray | float]:
    """The classroom pass written out: tanh hidden layer, sigmoid output, binary cross-entropy."""
    w1, b1 = np.array(CLASSROOM["weights"][0]), np.array(CLASSROOM["biases"][0])
    w2, b2 = np.array(CLASSROOM["weights"][1]), np.array(CLASSROOM["biases"][1])
    x, y = np.array([1.0, 0.5]), 1.0
    z1 = w1 @ x + b1
    a1 = np.tanh(z1)
    z2 = w2 @ a1 + b2
    p = 1 / (1 + np.exp(-z2))
    loss = float(-(y * np.log(p) + (1 - y) * np.log(1 - p))[0])
    delta2 = p - y  # BCE after a sigmoid: ∂L/∂z = ŷ − y
    delta1 = (w2.T @ delta2) * (1 - a1**2)
    return {
        "z1": z1,
        "a1": a1,
        "p": p,
        "loss": loss,
        "grad_w2": np.outer(delta2, a1),
        "grad_b2": delta2,
        "grad_w1": np.outer(delta1, x),
        "grad_b1": delta1,
        "w1": w1,
        "w2": w2,
    }


def close(actual, expected, rtol: float) -> None:
    np.testing.assert_allclose(np.array(actual, dtype=np.float64), expected, rtol=rtol, atol=0)


# ---------------------------------------------------------------------------------------- trace
def test_trace_classroom_matches_the_hand_computation(client):
    data = ok(client, "/network/trace", CLASSROOM)
    expected = classroom_by_hand()
    assert data["loss"] == pytest.approx(expected["loss"], rel=1e-12)
    assert data["diverged"] is False
    hidden, output = data["layers"][1], data["layers"][2]
    assert hidden["z"][0] == pytest.approx(expected["z1"].tolist(), rel=1e-12)
    assert hidden["a"][0] == pytest.approx(expected["a1"].tolist(), rel=1e-12)
    assert output["a"][0] == pytest.approx(expected["p"].tolist(), rel=1e-12)
    first, second = data["params"]
    close(second["grad_weight"], expected["grad_w2"], 1e-10)
    close(second["grad_bias"], expected["grad_b2"], 1e-10)
    close(first["grad_weight"], expected["grad_w1"], 1e-10)
    close(first["grad_bias"], expected["grad_b1"], 1e-10)
    updated = expected["w1"] - 0.5 * expected["grad_w1"]
    close(first["updated_weight"], updated, 1e-12)


def test_trace_steps_run_forward_loss_backward_update(client):
    data = ok(client, "/network/trace", CLASSROOM)
    steps = data["steps"]
    assert len(steps) == 2 + 4 * (3 + 1)
    assert [s["index"] for s in steps] == list(range(len(steps)))
    phases = [s["phase"] for s in steps]
    order = ["forward", "loss", "backward", "update"]
    assert phases == sorted(phases, key=order.index)
    first_neuron = next(s for s in steps if s["kind"] == "neuron_forward")
    assert first_neuron["nodes"] == ["1-0"]
    assert first_neuron["edges"] == ["0-0>1-0", "0-1>1-0"]
    assert first_neuron["formula"][0]["value"] == pytest.approx(0.5 * 1.0 - 0.3 * 0.5 + 0.1)
    for step in steps:
        assert step["narration"]["key"].startswith("step.")
        assert all({"lhs", "symbolic", "substituted", "value", "result"} <= line.keys() for line in step["formula"])


def test_trace_neuron_graphs_carry_upstream_times_local(client):
    data = ok(client, "/network/trace", CLASSROOM)
    graph = data["neuron_graphs"]["2-0"]
    assert graph["output"] == "a"
    nodes = {n["id"]: n for n in graph["nodes"]}
    for edge in graph["edges"]:
        assert edge["contribution"] == pytest.approx(nodes[edge["target"]]["grad"] * edge["local"], rel=1e-12)
    without = ok(client, "/network/trace", {**CLASSROOM, "include_neuron_graphs": False})
    assert "neuron_graphs" not in without or without["neuron_graphs"] is None


def test_trace_defaults_work(client):
    data = ok(client, "/network/trace", {})
    assert [layer["size"] for layer in data["layers"]] == [2, 3, 1]


def test_trace_cross_entropy_with_a_batch(client):
    body = {
        "layers": [3, 4, 3],
        "activation": "relu",
        "output_activation": "identity",
        "loss": "cross_entropy",
        "inputs": [[0.1, 0.2, 0.3], [-1.0, 0.5, 2.0]],
        "targets": [[1, 0, 0], [0, 0.5, 0.5]],
        "sample": 1,
    }
    data = ok(client, "/network/trace", body)
    assert data["sample"] == 1
    assert len(data["layers"][2]["a"]) == 2


@pytest.mark.parametrize(
    ("change", "status", "words"),
    [
        ({"layers": [2]}, 422, ["layers", "input and an output"]),
        ({"layers": [2, 0, 1]}, 422, ["layers[1]", "at least 1"]),
        ({"layers": [2, 65, 1]}, 413, ["layers[1]", "64"]),
        ({"layers": [2] * 11 + [1]}, 413, ["12 layers", "10"]),
        ({"inputs": [[1.0]]}, 422, ["inputs[0]", "2 neurons"]),
        ({"inputs": []}, 422, ["inputs is empty"]),
        ({"targets": [[1.0], [0.0]]}, 422, ["targets has 2 rows"]),
        ({"targets": [[2.0]]}, 422, ["bce targets", "[0, 1]"]),
        ({"output_activation": "identity"}, 422, ["bce", "sigmoid"]),
        ({"loss": "cross_entropy", "output_activation": "identity"}, 422, ["cross_entropy", "2 output neurons"]),
        ({"weights": [[[0.5, -0.3]], [[0.7]]]}, 422, ["weights[0]", "3×2"]),
        ({"weights": [[[0.5, -0.3], [0.8, 0.2], [-0.4, 0.6]]]}, 422, ["2 matrices"]),
        ({"biases": [[0.1], [0.2]]}, 422, ["biases[0]", "3 values"]),
        ({"activation": ["tanh", "relu"]}, 422, ["activation", "1 hidden layers"]),
        ({"sample": 3}, 422, ["sample is 3"]),
        ({"learning_rate": -1}, 422, ["learning_rate"]),
        ({"activation": "swish"}, 422, ["activation"]),
        ({"unknown_field": 1}, 422, ["unknown_field"]),
        ({"layers": "2,3,1"}, 422, ["layers"]),
    ],
)
def test_trace_refusals_say_what_to_fix(client, change, status, words):
    error = refused(client, "/network/trace", {**CLASSROOM, **change}, status, *words)
    assert error["code"] in ("invalid", "over_cap", "mismatch", "validation_error")


def test_trace_weight_cap(client_with):
    client = client_with(max_trace_weights=8)
    error = refused(client, "/network/trace", CLASSROOM, 413, "9 weights", "at most 8")
    assert error["params"]["limit"] == 8


def test_the_largest_network_is_refused_quickly(client):
    body = {"layers": [64] * 10, "inputs": [[0.5] * 64] * 256, "targets": [[0.5] * 64] * 256, "loss": "mse"}
    started = time.perf_counter()
    refused(client, "/network/trace", body, 413, "36864 weights")
    assert time.perf_counter() - started < 2.0


def test_trace_step_cap(client_with):
    client = client_with(max_trace_steps=10)
    refused(client, "/network/trace", CLASSROOM, 422, "18 steps", "at most 10")


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_tokens_in_the_body_are_refused(client, token):
    body = b'{"layers": [2, 3, 1], "inputs": [[%s, 0.5]], "targets": [[1.0]]}' % token.encode()
    error = refused(client, "/network/trace", body, 422, "inputs")
    assert error["code"] == "validation_error"
    assert token not in str(error)  # the input is not echoed back


def test_a_number_too_large_for_float64_is_refused(client):
    body = b'{"layers": [2, 3, 1], "inputs": [[1e999, 0.5]], "targets": [[1.0]]}'
    refused(client, "/network/trace", body, 422, "inputs")


def test_malformed_json_is_a_422(client):
    refused(client, "/network/trace", b'{"layers": [2, 3, 1', 422)


def test_overflowing_values_are_null_and_flagged(client):
    body = {
        "layers": [2, 1],
        "output_activation": "identity",
        "loss": "mse",
        "inputs": [[1e300, 1e300]],
        "targets": [[0.0]],
        "weights": [[[1e10, 1e10]]],
        "biases": [[0.0]],
    }
    response = client.post(API + "/network/trace", json=body)
    assert response.status_code == 200
    data = strict_json(response.content)
    assert data["diverged"] is True
    assert data["loss"] is None


def test_a_huge_learning_rate_overflows_into_nulls(client):
    body = {
        "layers": [1, 1],
        "output_activation": "identity",
        "loss": "mse",
        "inputs": [[1e150]],
        "targets": [[0.0]],
        "weights": [[[1.0]]],
        "biases": [[0.0]],
        "learning_rate": 1e300,
    }
    data = ok(client, "/network/trace", body)
    assert data["loss"] == pytest.approx(1e300)
    assert data["params"][0]["grad_weight"] == [[pytest.approx(2e300)]]  # 2·z·x
    assert data["params"][0]["updated_weight"] == [[None]]  # 1 − 1e300 · 2e300 overflows
    assert data["diverged"] is True
    update = next(s for s in data["steps"] if s["kind"] == "update")
    assert update["formula"][0]["value"] is None


# ---------------------------------------------------------------------------------------- gradient check
def test_gradcheck_compares_every_parameter(client):
    data = ok(client, "/network/gradcheck", CLASSROOM)
    expected = classroom_by_hand()
    assert len(data["parameters"]) == 13
    by_name = {p["name"]: p for p in data["parameters"]}
    assert by_name["W1[2][1]"]["backprop"] == pytest.approx(expected["grad_w1"][2, 1], rel=1e-10)
    assert by_name["W1[2][1]"]["symbol"] == "w₃₂⁽¹⁾"
    assert by_name["b2[0]"]["numerical"] == pytest.approx(expected["grad_b2"][0], rel=1e-6)
    assert data["max_rel_error"] < 1e-6
    assert data["agrees"] is True
    assert data["cost"] == {
        "parameters": 13,
        "numerical_forward_passes": 26,
        "backprop_forward_passes": 1,
        "backprop_backward_passes": 1,
    }
    assert data["timings_ms"]["backprop"] > 0
    assert data["timings_ms"]["numerical"] > 0


def test_gradcheck_of_a_deeper_network_runs_off_the_loop_and_agrees(client):
    body = {
        "layers": [4, 16, 16, 2],
        "activation": "tanh",
        "output_activation": "identity",
        "loss": "cross_entropy",
        "inputs": [[0.1, -0.2, 0.3, 0.5], [1.0, 0.0, -1.0, 0.5]],
        "targets": [[1, 0], [0, 1]],
        "seed": 3,
    }
    data = ok(client, "/network/gradcheck", body)
    assert data["cost"]["parameters"] == 4 * 16 + 16 + 16 * 16 + 16 + 16 * 2 + 2
    assert data["agrees"] is True


def test_gradcheck_parameter_cap(client_with):
    client = client_with(max_gradcheck_parameters=10)
    error = refused(client, "/network/gradcheck", CLASSROOM, 413, "13 parameters", "10")
    assert error["code"] == "over_cap"
    assert error["params"]["limit"] == 10
