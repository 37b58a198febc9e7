"""The whole pass as scalar operations: every node's value and gradient against the tensor trace's own
numbers, central differences and PyTorch; its steps, its cap and its place in the API."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.api.schemas.trace_v2 import TraceV2Response
from app.main import create_app
from app.nn.mlp import MLP
from app.settings import Settings
from app.tracing.contract import TraceShape, build_script, trace_numbers
from app.tracing.whole_graph import build_pass_graph, node_count
from tests.tracing.test_contract_v2 import LOSSES, random_request

V2 = "/api/v2/network/trace"
DEFAULT = {
    "layers": [2, 3, 1],
    "activation": "tanh",
    "output_activation": "sigmoid",
    "loss": "bce",
    "seed": 1,
    "inputs": [[1.0, 0.5]],
    "targets": [[1.0]],
    "learning_rate": 0.5,
}


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(Settings(response_cache_bytes=0))) as client:
        yield client


def small_request(seed: int, loss: str) -> dict[str, Any]:
    """:func:`random_request` cut down to a network the whole graph is drawn for."""
    body = random_request(seed, loss)
    while node_count(body["layers"], len(body["inputs"]), loss) > Settings().max_graph_nodes:
        body = random_request(seed := seed + 100, loss)
    return body


def _post(client: TestClient, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(V2, json=body)
    assert response.status_code == 200, response.text[:500]
    return json.loads(response.content)


def _close(ours: float | None, theirs: float | None) -> bool:
    if ours is None or theirs is None:
        return ours is None and theirs is None
    return bool(np.isclose(ours, theirs, rtol=1e-9, atol=1e-12))


def _expected(node: dict[str, Any], n: dict[str, Any]) -> tuple[float, float | None] | None:
    """The value and gradient the tensor trace has for a node of the scalar graph (None: a loss op)."""
    kind, layer, j, k, s = node["kind"], node["layer"], node["neuron"], node["input"], node["sample"]
    if kind == "input":
        return n["a"][0][s][j], n["grad_a"][0][s][j]
    if kind == "weight":
        return n["W"][layer][j][k], n["grad_W"][layer][j][k]
    if kind == "bias":
        return n["b"][layer][j], n["grad_b"][layer][j]
    if kind == "product":
        return n["W"][layer][j][k] * n["a"][layer - 1][s][k], n["delta"][layer][s][j]
    if kind == "sum":
        return n["z"][layer][s][j] - n["b"][layer][j], n["delta"][layer][s][j]
    if kind == "pre_activation":
        return n["z"][layer][s][j], n["delta"][layer][s][j]
    if kind == "activation":
        return n["a"][layer][s][j], n["grad_a"][layer][s][j]
    if kind == "target":
        return n["y"][s][j], None
    return None


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("seed", range(12))
def test_every_node_agrees_with_the_trace_numbers(client: TestClient, loss: str, seed: int) -> None:
    """Values and ∂L/∂(node) of every node, from the scalar graph, equal the tensor trace's arrays."""
    body = small_request(seed, loss)
    answer = _post(client, {**body, "include_graph": True})
    TraceV2Response.model_validate(answer)
    graph, n = answer["graph"], answer["numbers"]
    sizes, batch = body["layers"], len(body["inputs"])
    assert len(graph["nodes"]) == node_count(sizes, batch, loss)
    nodes = {node["id"]: node for node in graph["nodes"]}
    assert _close(nodes["L"]["value"], n["loss"]) and nodes["L"]["grad"] == 1
    checked = 0
    for node in graph["nodes"]:
        expected = _expected(node, n)
        if expected is None:
            continue
        value, grad = expected
        assert np.isclose(node["value"], value, rtol=1e-9, atol=1e-12), (node["id"], node["value"], value)
        assert _close(node["grad"], grad), (node["id"], node["grad"], grad)
        checked += 1
    assert checked >= sum(sizes) * batch


def test_log_softmax_nodes_are_the_traces() -> None:
    """Cross-entropy's loss ops: z − log Σ exp z is the trace's log softmax, sample by sample."""
    mlp = MLP.create([2, 3, 4], "relu", "identity", seed=3)
    x = np.random.default_rng(1).normal(size=(3, 2))
    y = np.eye(4)[[0, 3, 1]]
    script = build_script(TraceShape.of(mlp, "cross_entropy", 3, 0))
    graph = build_pass_graph(
        mlp, x, y, "cross_entropy", [layer["labels"] for layer in script["layers"]], script["steps"]
    )
    numbers = trace_numbers(mlp, x, y, "cross_entropy", 0.1)
    nodes = {node["id"]: node for node in graph["nodes"]}
    for n in range(3):
        for c in range(4):
            assert np.isclose(nodes[f"ls{c}@{n}"]["value"], numbers["log_softmax"][n][c], rtol=1e-12)


def _loss_of(mlp: MLP, x: np.ndarray, y: np.ndarray, loss: str) -> float:
    return float(mlp.loss(mlp.forward(x).output, y, loss).data)


@pytest.mark.parametrize("loss", LOSSES)
def test_leaf_gradients_match_central_differences(loss: str) -> None:
    """∂L/∂w, ∂L/∂b and ∂L/∂x of the graph's leaves against (L(v + h) − L(v − h)) / 2h of the network."""
    mlp = MLP.create([2, 3, 2], ["sigmoid"], "sigmoid" if loss == "bce" else "identity", seed=5)
    rng = np.random.default_rng(2)
    x = rng.normal(size=(2, 2))
    y = rng.integers(0, 2, size=(2, 2)).astype(float) if loss == "bce" else np.eye(2)[[1, 0]]
    script = build_script(TraceShape.of(mlp, loss, 2, 0))
    graph = build_pass_graph(mlp, x, y, loss, [layer["labels"] for layer in script["layers"]], script["steps"])
    h = 1e-6
    for node in graph["nodes"]:
        if node["kind"] not in ("weight", "bias", "input"):
            continue
        if node["kind"] == "input":
            array, at = x, (node["sample"], node["neuron"])
        elif node["kind"] == "weight":
            array, at = mlp.weights[node["layer"] - 1].data, (node["neuron"], node["input"])
        else:
            array, at = mlp.biases[node["layer"] - 1].data, (node["neuron"],)
        kept = array[at]
        array[at] = kept + h
        up = _loss_of(mlp, x, y, loss)
        array[at] = kept - h
        down = _loss_of(mlp, x, y, loss)
        array[at] = kept
        assert np.isclose(node["grad"], (up - down) / (2 * h), rtol=1e-5, atol=1e-8), node["id"]


@pytest.mark.torch
@pytest.mark.parametrize("loss", LOSSES)
def test_every_neuron_node_matches_pytorch(loss: str) -> None:
    """z, a and their gradients, and the leaves' gradients, as torch.autograd computes them (float64)."""
    torch = pytest.importorskip("torch")
    output = {"bce": "sigmoid", "cross_entropy": "identity", "mse": "tanh"}[loss]
    mlp = MLP.create([3, 4, 2], ["tanh"], output, seed=7)
    rng = np.random.default_rng(4)
    x = rng.normal(size=(2, 3))
    y = rng.integers(0, 2, size=(2, 2)).astype(float) if loss == "bce" else np.eye(2)[[0, 1]]
    script = build_script(TraceShape.of(mlp, loss, 2, 0))
    graph = build_pass_graph(mlp, x, y, loss, [layer["labels"] for layer in script["layers"]], script["steps"])
    nodes = {node["id"]: node for node in graph["nodes"]}

    tx = torch.tensor(x, requires_grad=True)
    weights = [torch.tensor(w.data, requires_grad=True) for w in mlp.weights]
    biases = [torch.tensor(b.data, requires_grad=True) for b in mlp.biases]
    h1 = tx @ weights[0].T + biases[0]
    a1 = torch.tanh(h1)
    h2 = a1 @ weights[1].T + biases[1]
    a2 = {"sigmoid": torch.sigmoid, "identity": lambda t: t, "tanh": torch.tanh}[output](h2)
    for tensor in (h1, a1, h2, a2):
        tensor.retain_grad()
    target = torch.tensor(y)
    functional = torch.nn.functional
    losses = {
        "mse": lambda: functional.mse_loss(a2, target),
        "bce": lambda: functional.binary_cross_entropy(a2, target),
        "cross_entropy": lambda: functional.cross_entropy(a2, target),
    }
    total = losses[loss]()
    total.backward()
    assert np.isclose(nodes["L"]["value"], total.item(), rtol=1e-12)
    for n in range(2):
        for layer, (z, a) in enumerate(((h1, a1), (h2, a2)), start=1):
            for j in range(z.shape[1]):
                for name, tensor in ((f"z{layer}.{j}@{n}", z), (f"a{layer}.{j}@{n}", a)):
                    assert np.isclose(nodes[name]["value"], tensor[n, j].item(), rtol=1e-12), name
                    assert np.isclose(nodes[name]["grad"], tensor.grad[n, j].item(), rtol=1e-9, atol=1e-14), name
        for k in range(3):
            assert np.isclose(nodes[f"a0.{k}@{n}"]["grad"], tx.grad[n, k].item(), rtol=1e-9, atol=1e-14)
    for layer, (w, b) in enumerate(zip(weights, biases, strict=True), start=1):
        for j in range(w.shape[0]):
            assert np.isclose(nodes[f"b{layer}.{j}"]["grad"], b.grad[j].item(), rtol=1e-9, atol=1e-14)
            for k in range(w.shape[1]):
                assert np.isclose(nodes[f"w{layer}.{j}.{k}"]["grad"], w.grad[j, k].item(), rtol=1e-9, atol=1e-14)


def test_edges_join_nodes_in_order_and_steps_light_the_right_nodes(client: TestClient) -> None:
    answer = _post(client, {**DEFAULT, "include_graph": True})
    graph, steps = answer["graph"], answer["script"]["steps"]
    order = {node["id"]: i for i, node in enumerate(graph["nodes"])}
    assert len(order) == len(graph["nodes"])  # ids are unique
    for edge in graph["edges"]:
        assert order[edge["source"]] < order[edge["target"]]
    operands = {}
    for edge in graph["edges"]:
        operands.setdefault(edge["target"], []).append(edge["operand"])
    assert all(sorted(found) == list(range(len(found))) for found in operands.values())
    lit: dict[int, set[str]] = {}
    backward_end = max(step["index"] for step in steps if step["phase"] == "backward")
    for node in graph["nodes"]:
        assert all(0 <= index < len(steps) for index in node["steps"])
        assert node["value_step"] is None or node["value_step"] in node["steps"]
        if node["kind"] == "input":  # no step of its own: known once the backward pass is done
            assert node["grad_step"] == backward_end
        elif node["kind"] != "target":
            assert node["grad_step"] in node["steps"], node["id"]
            assert steps[node["grad_step"]]["phase"] == "backward"
            assert node["value_step"] is None or node["value_step"] < node["grad_step"]
        for index in node["steps"]:
            lit.setdefault(index, set()).add(node["id"])
    assert set(lit) == set(range(len(steps)))  # every step lights some node
    for step in steps:
        layer, j = step["layer"], step["neuron"]
        expected = {
            "input": {"a0.0@0", "a0.1@0"},
            "neuron_forward": {f"z{layer}.{j}@0", f"a{layer}.{j}@0", f"s{layer}.{j}@0", f"b{layer}.{j}"},
            "loss": {"L", "y0@0"},
            "output_delta": {f"z{layer}.{j}@0", "L"},
            "hidden_delta": {f"a{layer}.{j}@0", f"z{layer}.{j}@0", f"p{layer + 1}.0.{j}@0"},
            "weight_grads": {f"w{layer}.{j}.0", f"b{layer}.{j}"},
            "update": {f"w{layer}.{j}.0", f"b{layer}.{j}"},
        }[step["kind"]]
        assert expected <= lit[step["index"]], step["kind"]
        if step["kind"] == "neuron_forward":  # another neuron's nodes stay dark
            assert not any(node.startswith(f"z{layer}.") and node != f"z{layer}.{j}@0" for node in lit[step["index"]])


def test_graph_is_left_out_unless_asked_for(client: TestClient) -> None:
    assert "graph" not in _post(client, DEFAULT)


def test_large_networks_are_refused_with_the_cap_named(client: TestClient) -> None:
    body = {**DEFAULT, "layers": [2, 16, 16, 1], "include_graph": True}
    response = client.post(V2, json=body)
    assert response.status_code == 422
    error = response.json()
    text = json.dumps(error, ensure_ascii=False)
    count = node_count([2, 16, 16, 1], 1, "bce")
    assert str(count) in text and "include_graph" in text and "max_graph_nodes".upper() in text.upper()
    assert client.post(V2, json={**body, "include_graph": False}).status_code == 200  # the trace itself is fine


def test_the_cap_is_a_setting_shown_in_limits() -> None:
    count = node_count(DEFAULT["layers"], 1, "bce")
    with TestClient(create_app(Settings(max_graph_nodes=count - 1, response_cache_bytes=0))) as small:
        assert small.get("/api/v1/limits").json()["max_graph_nodes"] == count - 1
        assert small.post(V2, json={**DEFAULT, "include_graph": True}).status_code == 422
    with TestClient(create_app(Settings(max_graph_nodes=count, response_cache_bytes=0))) as exact:
        assert exact.post(V2, json={**DEFAULT, "include_graph": True}).status_code == 200


@pytest.mark.parametrize("hostile", ["yes", 1, None, [True], {"on": True}])
def test_include_graph_must_be_a_boolean(client: TestClient, hostile: Any) -> None:
    response = client.post(V2, json={**DEFAULT, "include_graph": hostile})
    assert response.status_code == 422
    assert "include_graph" in response.text


def test_diverged_values_travel_as_null(client: TestClient) -> None:
    body = {**DEFAULT, "loss": "mse", "output_activation": "identity", "inputs": [[1e6, 1e6]],
            "weights": [[[1e300, 1e300]] * 3, [[1e300] * 3]], "biases": [[0, 0, 0], [0]]}  # fmt: skip
    graph = _post(client, {**body, "include_graph": True})["graph"]
    assert graph["diverged"] is True
    assert any(node["value"] is None for node in graph["nodes"])


def test_openapi_describes_the_graph(client: TestClient) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    assert {"PassGraph", "GraphNode", "GraphEdge"} <= set(schemas)
    assert "include_graph" in schemas["TraceV2Request"]["properties"]
    assert "graph" in schemas["TraceV2Response"]["properties"]
    assert "max_graph_nodes" in schemas["Limits"]["properties"]
