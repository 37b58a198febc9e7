"""Trace contract v2: a script per shape and numbers per pass, rendered, write what v1 writes, step by step."""

from __future__ import annotations

import gzip
import itertools
import json
from collections.abc import Iterator
from typing import Any

import numpy as np
import orjson
import pytest
from fastapi.testclient import TestClient

from app.api.schemas.trace_v2 import TraceScript, TraceV2Response
from app.main import create_app
from app.settings import Settings
from app.tracing import contract
from app.tracing.contract import ScriptCache, TraceShape, build_script
from app.tracing.notation import ACTIVATION_DERIVATIVES, ACTIVATION_SYMBOLS
from app.tracing.render import render_steps

ACTIVATIONS = ["identity", "tanh", "sigmoid", "relu", "leaky_relu"]
LOSSES = ["mse", "bce", "cross_entropy"]
V1, V2 = "/api/v1/network/trace", "/api/v2/network/trace"
STEP_FIELDS = ("index", "phase", "kind", "layer", "neuron", "nodes", "edges", "narration", "formula")


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(Settings(response_cache_bytes=0))) as client:
        yield client


def _targets(rng: np.random.Generator, loss: str, batch: int, outputs: int) -> list[list[float]]:
    if loss == "cross_entropy":
        if rng.random() < 0.5:  # one-hot: the loss formula leaves out the zero classes
            return np.eye(outputs)[rng.integers(0, outputs, batch)].tolist()
        probabilities = rng.random((batch, outputs)) * (rng.random((batch, outputs)) < 0.6)
        probabilities[:, 0] += 1e-3
        return (probabilities / probabilities.sum(axis=1, keepdims=True)).tolist()
    if loss == "bce":
        return rng.integers(0, 2, size=(batch, outputs)).astype(float).tolist()
    return rng.normal(size=(batch, outputs)).tolist()


def random_request(seed: int, loss: str) -> dict[str, Any]:
    """A random network (every activation, batch 1..12, any focus sample), with given weights half the time."""
    rng = np.random.default_rng(seed)
    sizes = [int(n) for n in rng.integers(1, 11, size=int(rng.integers(2, 5)))]
    if loss == "cross_entropy":
        sizes[-1] = max(2, sizes[-1])
    batch = int(rng.integers(1, 13))
    body: dict[str, Any] = {
        "layers": sizes,
        "activation": [str(rng.choice(ACTIVATIONS)) for _ in sizes[1:-1]],
        "output_activation": {"bce": "sigmoid", "cross_entropy": "identity"}.get(loss, str(rng.choice(ACTIVATIONS))),
        "loss": loss,
        "inputs": (rng.normal(size=(batch, sizes[0])) * 2).tolist(),
        "targets": _targets(rng, loss, batch, sizes[-1]),
        "learning_rate": float(rng.choice([0.1, 0.5, 1e-5, 0.0, 12345.678])),
        "sample": int(rng.integers(0, batch)),
        "seed": seed,
    }
    if seed % 2:
        body["weights"] = [rng.normal(size=(out, fan_in)).tolist() for fan_in, out in itertools.pairwise(sizes)]
        body["biases"] = [rng.normal(size=out).tolist() for out in sizes[1:]]
    return body


FEATURES = ["x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)", "x1 + x2"]


def random_request_with_features(seed: int, loss: str) -> dict[str, Any]:
    """:func:`random_request` fed input features of points: a random choice of them, in a random order."""
    body = random_request(seed, loss)
    rng = np.random.default_rng(seed + 1000)
    features = [str(text) for text in rng.choice(FEATURES, size=int(rng.integers(1, len(FEATURES) + 1)), replace=False)]
    batch = len(body["inputs"])
    layers = [len(features), *body["layers"][1:]]
    body.update(features=features, layers=layers, inputs=rng.normal(size=(batch, 2)).tolist())
    if "weights" in body:
        body["weights"][0] = rng.normal(size=(layers[1], layers[0])).tolist()
    return body


def _post(client: TestClient, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(path, json=body)
    assert response.status_code == 200, response.text[:500]
    return json.loads(response.content, parse_constant=pytest.fail)


def assert_same_steps(rendered: list[dict[str, Any]], v1_steps: list[dict[str, Any]]) -> None:
    assert len(rendered) == len(v1_steps)
    for mine, theirs in zip(rendered, v1_steps, strict=True):
        for field in STEP_FIELDS:
            assert mine[field] == theirs[field], (theirs["index"], theirs["kind"], field)


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("seed", range(12))
def test_script_and_numbers_render_what_v1_writes(client, seed, loss):
    body = random_request(seed, loss)
    v1 = _post(client, V1, {**body, "include_neuron_graphs": False})
    v2 = _post(client, V2, body)
    TraceV2Response.model_validate(v2)
    assert_same_steps(render_steps(v2["script"], v2["numbers"]), v1["steps"])
    assert v2["numbers"]["loss"] == v1["loss"]
    for layer, params in enumerate(v1["params"], start=1):  # the update comes from app.nn.optim's SGD
        assert v2["numbers"]["updated_W"][layer] == params["updated_weight"]
        assert v2["numbers"]["updated_b"][layer] == params["updated_bias"]


@pytest.mark.parametrize("seed", range(4))
def test_the_products_are_the_numbers_v1_steps_and_op_graphs_show(client, seed):
    body = random_request(seed, LOSSES[seed % 3])
    v1 = _post(client, V1, {**body, "include_neuron_graphs": True})
    numbers = _post(client, V2, {**body, "include_neuron_graphs": True})["numbers"]
    for step in v1["steps"]:
        layer, j = step["layer"], step["neuron"]
        if step["kind"] == "neuron_forward":
            assert [term[2] for term in step["values"]["terms"]] == numbers["w_times_a"][layer][j]
        if step["kind"] == "hidden_delta":
            assert [term[2] for term in step["values"]["terms"]] == [
                row[j] for row in numbers["delta_times_w"][layer + 1]
            ]
    for node, graph in v1["neuron_graphs"].items():
        layer, j = map(int, node.split("-"))
        values = {op["id"]: op for op in graph["nodes"]}
        fan_in = len(numbers["W"][layer][j])
        assert [values[f"w{k}"]["grad"] for k in range(fan_in)] == numbers["delta_times_a"][layer][j]
        assert values["sum"]["value"] == numbers["weighted_sum"][layer][j]


def test_op_graph_numbers_are_sent_only_when_asked_for(client):
    numbers = _post(client, V2, random_request(2, "mse"))["numbers"]
    assert "delta_times_a" not in numbers and "weighted_sum" not in numbers


@pytest.mark.parametrize("loss", LOSSES)
def test_expand_sends_the_steps_written_out(client, loss):
    body = random_request(100, loss)
    v1 = _post(client, V1, {**body, "include_neuron_graphs": False})
    v2 = _post(client, V2, {**body, "expand": True})
    TraceV2Response.model_validate(v2)
    assert_same_steps(v2["steps"], v1["steps"])


def test_a_diverged_pass_writes_infinity_and_nan_as_v1_does(client):
    body = {
        "layers": [2, 3, 2],
        "activation": "relu",
        "output_activation": "identity",
        "loss": "mse",
        "weights": [[[1e200, 1e200], [-1e200, 1e200], [1.0, 2.0]], [[1e200, 1e200, 1.0], [1.0, -1.0, 1.0]]],
        "inputs": [[1e200, 1e200], [1.0, -2.0]],
        "targets": [[0.0, 1.0], [1.0, 0.0]],
        "sample": 0,
    }
    v1 = _post(client, V1, {**body, "include_neuron_graphs": False})
    v2 = _post(client, V2, body)
    assert v1["diverged"] and v2["numbers"]["diverged"]
    assert {item["value"] for item in v2["numbers"]["non_finite"]} >= {"inf"}
    texts = [line["substituted"] + line["result"] for step in v1["steps"] for line in step["formula"]]
    assert any("∞" in text for text in texts), "the case should write a non-finite number"
    assert_same_steps(render_steps(v2["script"], v2["numbers"]), v1["steps"])


def test_the_script_depends_only_on_the_shape(client):
    body = random_request(7, "mse")
    first = _post(client, V2, body)
    other_numbers = _post(client, V2, {**body, "seed": 99, "weights": None, "biases": None, "learning_rate": 0.3})
    assert first["script_id"] == other_numbers["script_id"]
    assert first["script"] == other_numbers["script"]
    assert first["numbers"] != other_numbers["numbers"]
    moved = _post(client, V2, {**body, "sample": (body["sample"] + 1) % len(body["inputs"])})
    if len(body["inputs"]) > 1:
        assert moved["script_id"] != first["script_id"]


def test_a_client_holding_the_script_gets_only_the_numbers(client):
    body = random_request(3, "bce")
    full = _post(client, V2, body)
    short = client.post(V2, json={**body, "known_script_id": full["script_id"]})
    assert set(short.json()) == {"script_id", "numbers"}
    assert len(short.content) < len(orjson.dumps(full))
    stale = _post(client, V2, {**body, "known_script_id": "0" * 32})
    assert stale["script"] == full["script"]


def test_scripts_are_served_immutable_with_a_strong_etag(client):
    answer = _post(client, V2, random_request(5, "cross_entropy"))
    script_id = answer["script_id"]
    response = client.get(f"/api/v2/trace-scripts/{script_id}")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    etag = response.headers["etag"]
    assert etag == f'"{script_id}"'
    assert TraceScript.model_validate_json(response.content).model_dump(exclude_defaults=True) == TraceScript(
        **answer["script"]
    ).model_dump(exclude_defaults=True)
    again = client.get(f"/api/v2/trace-scripts/{script_id}", headers={"If-None-Match": f'"other", {etag}'})
    assert again.status_code == 304 and not again.content
    assert client.get(f"/api/v2/trace-scripts/{script_id}", headers={"If-None-Match": "*"}).status_code == 304
    other = client.get(f"/api/v2/trace-scripts/{script_id}", headers={"If-None-Match": '"other"'})
    assert other.status_code == 200


def test_a_script_not_kept_is_404_with_how_to_get_it(client):
    answer = _post(client, V2, random_request(8, "mse"))
    contract.scripts.clear()
    response = client.get(f"/api/v2/trace-scripts/{answer['script_id']}")
    assert response.status_code == 404
    assert "without known_script_id" in response.json()["detail"]
    assert client.get("/api/v2/trace-scripts/%3Cscript%3E").status_code == 404


def test_the_script_cache_keeps_the_recent_scripts_within_its_budget():
    shapes = [TraceShape((2, n, 1), ("tanh", "sigmoid"), "mse", 1, 0) for n in range(1, 7)]
    sizes = [len(orjson.dumps(build_script(shape))) for shape in shapes]
    cache = ScriptCache(max_bytes=sum(sizes[-3:]))
    for shape in shapes:
        cache.script_for(shape)
    assert [shape.script_id in cache for shape in shapes] == [False, False, False, True, True, True]
    assert cache.get(shapes[3].script_id) is not None  # now the most recent: the next new one evicts shapes[4]
    cache.script_for(TraceShape((2, 1, 1), ("relu", "sigmoid"), "mse", 1, 0))
    assert shapes[3].script_id in cache and shapes[4].script_id not in cache


def test_an_8_by_16_pass_sends_at_most_100_kb_of_numbers_gzipped(client):
    body = {
        "layers": [16] * 8,
        "activation": "tanh",
        "output_activation": "identity",
        "inputs": [[round(0.1 * i - 0.8, 2) for i in range(16)]],
        "targets": [[0.5] * 16],
    }
    first = _post(client, V2, body)
    numbers_only = client.post(V2, json={**body, "known_script_id": first["script_id"]}).content
    v1 = client.post(V1, json={**body, "include_neuron_graphs": False}).content
    assert len(gzip.compress(numbers_only)) <= 100_000
    assert len(numbers_only) * 5 < len(v1)


def test_a_v2_trace_keeps_within_the_caps_of_a_v1_trace():
    with TestClient(create_app(Settings(max_trace_weights=20, max_trace_steps=36))) as capped:
        wrong_sample = capped.post(V2, json={"layers": [2, 2, 1], "inputs": [[1, 2]], "targets": [[1]], "sample": 1})
        assert wrong_sample.status_code == 422 and wrong_sample.json()["field"] == "sample"
        wide = capped.post(V2, json={"layers": [4, 5, 1], "inputs": [[1, 2, 3, 4]]})
        assert wide.status_code == 413 and "weights" in wide.json()["detail"]
        many_steps = capped.post(V2, json={"layers": [2, 4, 4, 1]})
        assert many_steps.status_code == 422 and "steps" in many_steps.json()["detail"]


def test_the_openapi_document_types_the_v2_answers(client):
    document = client.get("/openapi.json").json()
    post = document["paths"]["/api/v2/network/trace"]["post"]["responses"]["200"]["content"]["application/json"]
    assert post["schema"]["$ref"].endswith("/TraceV2Response")
    get = document["paths"]["/api/v2/trace-scripts/{script_id}"]["get"]["responses"]["200"]["content"]
    assert get["application/json"]["schema"]["$ref"].endswith("/TraceScript")
    assert {"NumberRef", "SumToken", "FormulaTemplate", "TraceNumbers"} <= set(document["components"]["schemas"])


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("seed", range(4))
def test_a_trace_with_features_renders_what_v1_writes(client, seed, loss):
    body = random_request_with_features(seed, loss)
    v1 = _post(client, V1, {**body, "include_neuron_graphs": False})
    v2 = _post(client, V2, body)
    TraceV2Response.model_validate(v2)
    assert_same_steps(render_steps(v2["script"], v2["numbers"]), v1["steps"])
    assert v2["script"]["layers"][0]["labels"] == v1["layers"][0]["labels"] == [f["symbol"] for f in v1["features"]]
    assert v2["numbers"]["points"] == v1["points"] == body["inputs"]
    narration = render_steps(v2["script"], v2["numbers"])[0]["narration"]
    assert narration["key"] == "step.input_features"
    assert narration["params"]["count"] == len(body["features"])


def test_the_script_names_the_feature_inputs_and_its_id_holds_them(client):
    body = {
        "layers": [3, 2, 1],
        "loss": "bce",
        "inputs": [[0.5, -2.0], [1.0, 0.25]],
        "targets": [[1.0], [0.0]],
        "features": ["x1^2", "sin(x2)", "x1 + x2"],
        "sample": 1,
    }
    answer = _post(client, V2, {**body, "expand": True})
    script, steps = answer["script"], answer["steps"]
    assert script["shape"]["features"] == ["x1^2", "sin(x2)", "x1 + x2"]
    assert script["layers"][0]["labels"] == ["x₁²", "sin x₂", "x1 + x2"]
    assert steps[0]["narration"] == {
        "key": "step.input_features",
        "params": {"count": 3, "features": "x₁², sin x₂, x1 + x2", "point": "(1, 0.25)"},
    }
    assert [line["lhs"] for line in steps[0]["formula"]] == ["x₁²", "sin x₂", "(x1 + x2)"]
    first_grads = next(step for step in steps if step["kind"] == "weight_grads" and step["layer"] == 1)
    assert [line["symbolic"] for line in first_grads["formula"][:3]] == [
        "Σₙ δ₁⁽¹⁾[n]·x₁²[n]",
        "Σₙ δ₁⁽¹⁾[n]·sin x₂[n]",
        "Σₙ δ₁⁽¹⁾[n]·(x1 + x2)[n]",
    ]
    plain = _post(client, V2, {**body, "features": None, "inputs": [[0.25, 4.0, -1.5], [1.0, 0.0625, 1.25]]})
    other = _post(client, V2, {**body, "features": ["x1^2", "sin(x2)", "x1*x2"]})
    assert len({answer["script_id"], plain["script_id"], other["script_id"]}) == 3
    assert plain["script"]["layers"][0]["labels"] == ["x₁", "x₂", "x₃"] and "points" not in plain["numbers"]


@pytest.mark.parametrize(
    "change",
    [
        {"features": ["x1", "x2", "x1^2"]},
        {"features": []},
        {"features": ["x1"] * 17, "layers": [17, 1]},
        {"features": ["x1", "y"]},
        {"features": ["x1", "log(x1)"], "inputs": [[-1.0, 2.0]]},
        {"features": ["x1", "x2"], "inputs": [[1.0, 2.0, 3.0]]},
    ],
)
def test_bad_features_are_refused_as_v1_refuses_them(client, change):
    body = {"layers": [2, 1], "inputs": [[1.0, 2.0]], "targets": [[1.0]], **change}
    v1, v2 = client.post(V1, json=body), client.post(V2, json=body)
    assert v1.status_code == v2.status_code == 422
    assert v2.json()["field"] == v1.json()["field"] and v2.json()["detail"] == v1.json()["detail"]


def test_cross_entropy_output_step_is_one_line_on_the_logit(client):
    body = random_request(3, "cross_entropy")
    answer = _post(client, V2, {**body, "expand": True})
    numbers, s = answer["numbers"], body["sample"]
    depth = len(body["layers"]) - 1
    for step in (step for step in answer["steps"] if step["kind"] == "output_delta"):
        (line,) = step["formula"]
        j = step["neuron"]
        assert line["lhs"].startswith("δ") and line["symbolic"].startswith("∂L/∂z")
        assert "softmax(z" in line["symbolic"] and "ŷ" not in line["lhs"] + line["symbolic"]
        assert line["value"] == numbers["delta"][depth][s][j]
    mse = _post(client, V2, {**random_request(3, "mse"), "expand": True})
    assert all(len(step["formula"]) == 2 for step in mse["steps"] if step["kind"] == "output_delta")


@pytest.mark.parametrize("batch", [1, 3])
def test_batch_sums_carry_the_sample_index(client, batch):
    body = {"layers": [2, 2, 1], "inputs": [[1.0, 0.5]] * batch, "targets": [[1.0]] * batch, "expand": True}
    steps = _post(client, V2, body)["steps"]
    lines = [line for step in steps if step["kind"] == "weight_grads" for line in step["formula"]]
    assert lines
    for line in lines:
        if batch == 1:
            assert "Σ" not in line["symbolic"] and "[n]" not in line["symbolic"]
        else:
            assert line["symbolic"].startswith("Σₙ δ") and line["symbolic"].endswith("[n]")
            assert line["substituted"].count(" + ") == batch - 1


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_each_layer_of_the_script_writes_its_activation_as_clients_show_it(client, activation):
    body = {**random_request(3, "mse"), "layers": [2, 3, 1], "activation": activation, "output_activation": "tanh"}
    body |= {"inputs": [[0.5, -1.0]], "targets": [[0.2]], "weights": None, "biases": None, "sample": 0}
    layers = _post(client, V2, body)["script"]["layers"]
    assert [layer["activation"] for layer in layers] == [None, activation, "tanh"]
    assert layers[0]["activation_symbol"] is None and layers[0]["activation_derivative"] is None
    assert layers[1]["activation_symbol"] == ACTIVATION_SYMBOLS[activation]
    assert layers[1]["activation_derivative"] == ACTIVATION_DERIVATIVES[activation]
    assert (layers[2]["activation_symbol"], layers[2]["activation_derivative"]) == ("tanh", "1 − tanh²(z)")
    v1 = _post(client, V1, {**body, "include_neuron_graphs": True})  # v1 writes the same words, from the script
    deltas = {step["layer"]: step["values"]["derivative"] for step in v1["steps"] if "delta" in step["kind"]}
    assert deltas == {1: layers[1]["activation_derivative"], 2: "1 − tanh²(z)"}
    assert {node["label"] for node in v1["neuron_graphs"]["1-0"]["nodes"] if node["id"] == "a"} == {
        ACTIVATION_SYMBOLS[activation]
    }
