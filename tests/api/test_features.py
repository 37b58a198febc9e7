"""Input features (x₁², sin x₂, …) on training runs and traces: validation, and agreement with PyTorch."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from tests.api.conftest import API, ok, server_sent_events
from tests.api.test_output_budget import largest_accepted, stream_length

PLAYGROUND = ["x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)"]


def torch_features(torch, points: np.ndarray, texts: list[str]):
    """The features written out by hand in torch, independent of the app's parser."""
    x = torch.tensor(points, dtype=torch.float64)
    x1, x2 = x[:, 0], x[:, 1]
    table = {
        "x1": x1,
        "x2": x2,
        "x1^2": x1**2,
        "x2^2": x2**2,
        "x1*x2": x1 * x2,
        "sin(x1)": torch.sin(x1),
        "sin(x2)": torch.sin(x2),
    }
    return torch.stack([table[t] for t in texts], dim=1)


def network(seed: int, layers: list[int]) -> tuple[list, list]:
    rng = np.random.default_rng(seed)
    weights = [rng.normal(0, 0.7, size=(b, a)).tolist() for a, b in itertools.pairwise(layers)]
    biases = [rng.normal(0, 0.3, size=b).tolist() for b in layers[1:]]
    return weights, biases


def torch_forward(torch, x, weights, biases):
    def leaf(values):
        return torch.tensor(values, dtype=torch.float64, requires_grad=True)

    params = [(leaf(w), leaf(b)) for w, b in zip(weights, biases, strict=True)]
    return torch_forward_with(torch, x, params)


@pytest.mark.torch
@pytest.mark.parametrize("texts", [PLAYGROUND, ["x1^2", "x2^2"], ["sin(x1)", "x1*x2", "x2"]])
def test_trace_with_features_agrees_with_torch(client, texts: list[str]) -> None:
    torch = pytest.importorskip("torch")
    layers = [len(texts), 3, 1]
    weights, biases = network(len(texts), layers)
    points = np.array([[0.7, -0.4], [-1.1, 0.3], [0.2, 0.9]])
    targets = [[1.0], [0.0], [1.0]]
    body = {
        "layers": layers,
        "loss": "bce",
        "weights": weights,
        "biases": biases,
        "inputs": points.tolist(),
        "targets": targets,
        "learning_rate": 0.5,
        "features": texts,
    }
    trace = ok(client, "/network/trace", body)

    x = torch_features(torch, points, texts)
    out, params = torch_forward(torch, x, weights, biases)
    loss = torch.nn.functional.binary_cross_entropy(out, torch.tensor(targets, dtype=torch.float64))
    loss.backward()
    assert trace["loss"] == pytest.approx(loss.item(), rel=1e-9)
    np.testing.assert_allclose(trace["layers"][0]["a"], x.numpy(), rtol=1e-12)
    for traced, (w, b) in zip(trace["params"], params, strict=True):
        np.testing.assert_allclose(traced["grad_weight"], w.grad.numpy(), rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(traced["grad_bias"], b.grad.numpy(), rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(traced["updated_weight"], (w - 0.5 * w.grad).detach().numpy(), rtol=1e-9)


@pytest.mark.torch
@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_training_with_features_agrees_with_torch(client, optimizer: str) -> None:
    torch = pytest.importorskip("torch")
    texts = ["x1", "x2", "x1^2", "x1*x2", "sin(x2)"]
    layers = [len(texts), 4, 1]
    weights, biases = network(3, layers)
    rng = np.random.default_rng(5)
    points = rng.uniform(-1, 1, size=(24, 2))
    labels = (points[:, 0] ** 2 + points[:, 1] ** 2 < 0.5).astype(int)
    steps, rate = 5, 0.1
    body = {
        "layers": layers,
        "loss": "bce",
        "weights": weights,
        "biases": biases,
        "dataset": {"points": points.tolist(), "labels": labels.tolist()},
        "optimizer": optimizer,
        "learning_rate": rate,
        "batch_size": 100,  # full batch: no shuffling to reproduce
        "steps": steps,
        "record_every": 1,
        "test_fraction": 0,
        "features": texts,
    }
    report = ok(client, "/network/train", body)
    assert report["features"][2] == {"expression": "x1^2", "symbol": "x₁²"}
    assert report["dataset"]["input_dim"] == 2  # the points, not the features

    trained = np.array(report["dataset"]["train"]["points"])
    order = [int(np.flatnonzero((points == row).all(axis=1))[0]) for row in trained]
    x = torch_features(torch, points[order], texts)
    y = torch.tensor(labels[order][:, None], dtype=torch.float64)
    _, params = torch_forward(torch, x, weights, biases)
    flat = [p for pair in params for p in pair]
    opt = torch.optim.SGD(flat, lr=rate) if optimizer == "sgd" else torch.optim.Adam(flat, lr=rate)
    losses = []
    for step in range(steps + 1):
        opt.zero_grad()
        out, _ = torch_forward_with(torch, x, params)
        loss = torch.nn.functional.binary_cross_entropy(out, y)
        losses.append(loss.item())
        if step < steps:
            loss.backward()
            opt.step()
    np.testing.assert_allclose([r["train_loss"] for r in report["history"]], losses, rtol=1e-9)
    for got_w, got_b, (w, b) in zip(report["weights"], report["biases"], params, strict=True):
        np.testing.assert_allclose(got_w, w.detach().numpy(), rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(got_b, b.detach().numpy(), rtol=1e-9, atol=1e-12)


def torch_forward_with(torch, x, params):
    a = x
    for i, (w, b) in enumerate(params):
        z = a @ w.T + b
        a = torch.tanh(z) if i < len(params) - 1 else torch.sigmoid(z)
    return a, params


def test_default_run_is_unchanged_without_features(client) -> None:
    body = {"layers": [2, 3, 1], "loss": "bce", "dataset": {"name": "xor", "n": 40}, "steps": 20, "seed": 2}
    plain = client.post(API + "/network/train", json=body)
    assert "features" not in plain.json() and "confusion" not in plain.json()
    identity = ok(client, "/network/train", {**body, "features": ["x1", "x2"]})
    # x1, x2 as features is the point itself: the same run, only labelled
    assert identity["history"] == plain.json()["history"]
    assert identity["weights"] == plain.json()["weights"]


def test_feature_maps_are_the_input_neurons_maps(client) -> None:
    body = {
        "layers": [3, 2, 1],
        "loss": "bce",
        "dataset": {"name": "circle", "n": 40},
        "steps": 0,
        "features": ["x1^2", "x2^2", "sin(x1)"],
        "grid": {"resolution": 4, "neuron_resolution": 5, "x_range": [-1, 1], "y_range": [-2, 2]},
    }
    grid = ok(client, "/network/train", body)["grid"]
    xs, ys = np.meshgrid(np.linspace(-1, 1, 5), np.linspace(-2, 2, 5))
    np.testing.assert_allclose(grid["neurons"]["0-0"], xs**2)
    np.testing.assert_allclose(grid["neurons"]["0-1"], ys**2)
    np.testing.assert_allclose(grid["neurons"]["0-2"], np.sin(xs))


def test_trace_names_the_features(client) -> None:
    body = {
        "layers": [3, 2, 1],
        "loss": "bce",
        "inputs": [[0.5, -2.0]],
        "targets": [[1.0]],
        "features": ["x1^2", "sin(x2)", "x1 + x2"],
    }
    trace = ok(client, "/network/trace", body)
    assert trace["layers"][0]["labels"] == ["x₁²", "sin x₂", "x1 + x2"]
    assert trace["points"] == [[0.5, -2.0]]
    first = trace["steps"][0]
    assert first["narration"]["key"] == "step.input_features"
    assert first["narration"]["params"]["features"] == "x₁², sin x₂, x1 + x2"
    assert [line["lhs"] for line in first["formula"]] == ["x₁²", "sin x₂", "(x1 + x2)"]
    forward = next(s for s in trace["steps"] if s["kind"] == "neuron_forward")
    assert "·x₁² + " in forward["formula"][0]["symbolic"] and "x₃" not in forward["formula"][0]["symbolic"]


@pytest.mark.parametrize(
    ("change", "field", "fragment"),
    [
        ({"features": ["x1", "x2", "x1^2"]}, "layers", "set layers[0] to 3"),
        ({"features": []}, "features", "features is empty"),
        ({"features": ["x1"] * 17, "layers": [17, 1]}, "features", "at most 16"),
        ({"features": ["x1", "y"]}, "features[1]", "y"),
        ({"features": ["x1", "__import__('os')"]}, "features[1]", ""),
        ({"features": ["x1", "log(x1)"]}, "features[1]", "not a finite number"),
    ],
)
def test_bad_features_are_refused_with_a_message(client, change: dict, field: str, fragment: str) -> None:
    body = {"layers": [2, 3, 1], "loss": "bce", "dataset": {"name": "xor", "n": 30}, "steps": 1, **change}
    response = client.post(API + "/network/train", json=body)
    assert response.status_code == 422, response.text
    error = response.json()
    assert error["field"] == field
    assert fragment in error["detail"]


def test_features_need_two_dimensional_points(client) -> None:
    body = {"layers": [1, 3, 1], "loss": "mse", "dataset": {"name": "sine", "n": 30}, "features": ["x1"]}
    response = client.post(API + "/network/train", json=body)
    assert response.status_code == 422
    assert "2 coordinates" in response.json()["detail"]
    trace = {"layers": [2, 1], "inputs": [[1.0, 2.0, 3.0]], "targets": [[1.0]], "features": ["x1", "x2"]}
    response = client.post(API + "/network/trace", json=trace)
    assert response.status_code == 422
    assert "each input is a point" in response.json()["detail"]


# ---------------------------------------------------------------------------------------- real data
def test_digits_train_with_a_confusion_matrix(client) -> None:
    body = {
        "layers": [64, 16, 10],
        "activation": "tanh",
        "output_activation": "identity",
        "loss": "cross_entropy",
        "dataset": {"name": "digits", "n": 2000, "seed": 3},
        "optimizer": "adam",
        "learning_rate": 0.01,
        "batch_size": 32,
        "steps": 300,
        "record_every": 50,
        "test_fraction": 0.2,
        "report_confusion": True,
    }
    report = ok(client, "/network/train", body)
    assert report["grid"] is None and report["curve"] is None
    test = report["dataset"]["test"]
    assert len(report["dataset"]["train"]["points"]) + len(test["points"]) == 1797
    assert len(report["dataset"]["train"]["points"][0]) == 64
    confusion = report["confusion"]
    assert confusion["on"] == "test" and confusion["classes"] == 10
    matrix = np.array(confusion["matrix"])
    # rows are the true classes of the held-out digits; the diagonal is what the accuracy counts
    np.testing.assert_array_equal(matrix.sum(axis=1), np.bincount(test["labels"], minlength=10))
    assert np.trace(matrix) / matrix.sum() == pytest.approx(report["accuracy"]["test"])
    assert report["accuracy"]["test"] > 0.8  # a small network reads most held-out digits after 300 steps


def test_iris_is_listed_and_trains(client) -> None:
    catalogue = {d["name"]: d for d in client.get(API + "/datasets").json()["datasets"]}
    assert catalogue["digits"] | {"description": "", "suggested": None} == {
        "name": "digits",
        "kind": "multiclass",
        "input_dim": 64,
        "output_dim": 10,
        "classes": 10,
        "description": "",
        "title_key": "dataset.digits.title",
        "suggested": None,
        "size": 1797,
        "image": [8, 8],
        "class_names": None,
    }
    assert catalogue["iris"]["class_names"] == ["setosa", "versicolor", "virginica"]
    assert (catalogue["iris"]["input_dim"], catalogue["iris"]["classes"], catalogue["iris"]["size"]) == (4, 3, 150)
    body = {**catalogue["iris"]["suggested"], "dataset": {"name": "iris", "n": 150}, "steps": 200, "batch_size": 150}
    report = ok(client, "/network/train", {**body, "optimizer": "adam", "learning_rate": 0.05})
    assert report["accuracy"]["train"] > 0.9


def test_stream_sends_parameters_and_confusion_with_each_picture(client) -> None:
    body = {
        "layers": [4, 5, 3],
        "output_activation": "identity",
        "loss": "cross_entropy",
        "dataset": {"name": "iris", "n": 150},
        "steps": 40,
        "record_every": 5,
        "stream_grid_every": 3,
        "report_confusion": True,
    }
    with client.stream("POST", API + "/network/train/stream", json=body) as response:
        events = list(server_sent_events(response.iter_lines()))
    progress = [e["data"] for e in events if e["event"] == "progress"]
    with_details = [i for i, p in enumerate(progress) if "confusion" in p]
    assert with_details == list(range(0, len(progress), 3))
    assert np.array(progress[-1 if len(progress) % 3 == 1 else 0]["confusion"]["matrix"]).sum() == 30
    assert np.shape(progress[0]["weights"][0]) == (5, 4)
    assert events[-1]["event"] == "done" and events[-1]["data"]["confusion"]["classes"] == 3


def test_a_stream_with_confusion_matrices_writes_no_more_than_its_estimate(client_with) -> None:
    bound = 600_000
    client = client_with(max_stream_bytes=bound)
    body = {
        "layers": [4, 8, 3],
        "output_activation": "identity",
        "loss": "cross_entropy",
        "dataset": {"name": "iris", "n": 150},
        "record_every": 1,
        "stream_grid_every": 1,  # parameters and a matrix with every event
        "report_confusion": True,
    }
    lengths: dict[int, int | None] = {}

    def accepts(steps: int) -> bool:
        lengths[steps] = stream_length(client, {**body, "steps": steps})
        return lengths[steps] is not None

    steps = largest_accepted(accepts, 1, 1999)
    written = lengths[steps]
    assert 1 < steps < 1999 and written is not None
    assert bound / 3 < written <= bound  # an upper bound, and not a wild one


def test_the_feature_cap_is_a_setting_that_limits_reports_and_traces_keep(client_with) -> None:
    client = client_with(max_features=3)
    assert client.get(API + "/limits").json()["max_features"] == 3
    body = {"layers": [4, 1], "loss": "mse", "inputs": [[0.5, -0.5]], "targets": [[1.0]]}
    response = client.post(API + "/network/trace", json={**body, "features": ["x1", "x2", "x1^2", "x2^2"]})
    assert response.status_code == 422, response.text
    assert response.json()["field"] == "features" and "at most 3" in response.json()["detail"]
    ok(client, "/network/trace", {**body, "layers": [3, 1], "features": ["x1", "x2", "x1^2"]})
