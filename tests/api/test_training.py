"""POST /network/train and its server-sent-events twin /network/train/stream."""

from __future__ import annotations

import itertools
import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from jsonschema import Draft202012Validator

from app.api.routes import training as training_routes
from app.main import create_app
from app.settings import Settings
from tests.api.conftest import API, ok, refused, strict_json

XOR = {
    "layers": [2, 4, 1],
    "activation": "tanh",
    "output_activation": "sigmoid",
    "loss": "bce",
    "dataset": {"name": "xor", "n": 200, "noise": 0.05, "seed": 1},
    "optimizer": "adam",
    "learning_rate": 0.03,
    "batch_size": 10,
    "steps": 400,
    "record_every": 10,
    "seed": 1,
}


def test_training_on_xor_lowers_the_loss_substantially(client):
    data = ok(client, "/network/train", XOR)
    history = data["history"]
    assert data["steps_done"] == 400 and data["diverged"] is False
    assert [r["step"] for r in history] == list(range(0, 401, 10))
    assert history[-1]["train_loss"] < 0.35 * history[0]["train_loss"]
    assert history[-1]["test_loss"] < 0.5 * history[0]["test_loss"]
    assert data["accuracy"]["train"] > 0.9 and data["accuracy"]["test"] > 0.85
    assert data["final"] == history[-1]


def test_training_returns_weights_snapshots_and_the_points(client):
    data = ok(client, "/network/train", XOR)
    assert data["layers"] == [2, 4, 1] and data["parameter_count"] == 17
    assert [len(w) for w in data["weights"]] == [4, 1] and len(data["weights"][0][0]) == 2
    assert [len(b) for b in data["biases"]] == [4, 1]
    snapshots = data["snapshots"]
    assert snapshots[0]["step"] == 0 and snapshots[-1]["step"] == 400
    assert snapshots[-1]["weights"] == data["weights"]
    assert 2 <= len(snapshots) <= 50
    dataset = data["dataset"]
    assert dataset["kind"] == "binary" and dataset["classes"] == 2
    assert len(dataset["train"]["points"]) == 160 and len(dataset["test"]["points"]) == 40
    assert set(dataset["train"]["labels"]) == {0, 1}


def test_heat_maps_for_the_output_and_every_neuron(client):
    data = ok(client, "/network/train", {**XOR, "steps": 20, "grid": {"resolution": 12, "neuron_resolution": 6}})
    grid = data["grid"]
    assert data["curve"] is None
    assert grid["resolution"] == 12 and len(grid["xs"]) == len(grid["ys"]) == 12
    assert len(grid["values"]) == 12 and all(len(row) == 12 for row in grid["values"])
    assert all(0 <= v <= 1 for row in grid["values"] for v in row)  # a sigmoid output
    assert grid["values"] == grid["outputs"][0]
    assert set(grid["neurons"]) == {"0-0", "0-1", "1-0", "1-1", "1-2", "1-3"}
    assert grid["neurons"]["0-0"][0] == pytest.approx(grid["neurons"]["0-0"][5])  # x₁'s map varies along x only
    assert len(grid["neurons"]["1-2"]) == 6
    assert grid["x_range"][0] < -1 < 1 < grid["x_range"][1]


def test_explicit_grid_ranges_and_no_neuron_maps(client):
    body = {**XOR, "steps": 5, "grid": {"resolution": 3, "neuron_resolution": 0, "x_range": [-2, 2], "y_range": [0, 1]}}
    grid = ok(client, "/network/train", body)["grid"]
    assert grid["xs"] == [-2.0, 0.0, 2.0] and grid["ys"] == [0.0, 0.5, 1.0]
    assert grid["neurons"] == {}


def test_sine_regression_returns_the_fitted_curve(client):
    body = {
        "layers": [1, 8, 1],
        "activation": "tanh",
        "output_activation": "identity",
        "loss": "mse",
        "dataset": {"name": "sine", "n": 100, "noise": 0.0},
        "optimizer": "adam",
        "learning_rate": 0.03,
        "steps": 300,
        "batch_size": 20,
    }
    data = ok(client, "/network/train", body)
    assert data["grid"] is None and data["accuracy"] is None
    assert data["final"]["train_accuracy"] is None
    curve = data["curve"]
    assert len(curve["xs"]) == len(curve["values"]) == 101
    assert set(curve["neurons"]) == {f"1-{j}" for j in range(8)}
    assert data["history"][-1]["train_loss"] < 0.2 * data["history"][0]["train_loss"]


def test_multiclass_spiral_with_cross_entropy(client):
    body = {
        "layers": [2, 8, 3],
        "activation": "tanh",
        "output_activation": "identity",
        "loss": "cross_entropy",
        "dataset": {"name": "spiral3", "n": 150},
        "steps": 50,
        "grid": {"resolution": 5},
    }
    data = ok(client, "/network/train", body)
    assert set(v for row in data["grid"]["values"] for v in row) <= {0.0, 1.0, 2.0}  # the predicted class
    assert len(data["grid"]["outputs"]) == 3


def test_binary_set_with_two_softmax_outputs(client):
    body = {**XOR, "layers": [2, 4, 2], "output_activation": "identity", "loss": "cross_entropy", "steps": 100}
    data = ok(client, "/network/train", body)
    assert data["history"][-1]["train_loss"] < data["history"][0]["train_loss"]


def test_own_points_with_labels_and_with_targets(client):
    points = [[0.1, 0.2], [0.9, 0.8], [-0.5, 0.3], [0.4, -0.7], [0.0, 0.0]]
    body = {**XOR, "dataset": {"points": points, "labels": [0, 1, 0, 1, 0]}, "steps": 30, "test_fraction": 0}
    data = ok(client, "/network/train", body)
    assert data["dataset"]["name"] == "custom" and data["dataset"]["test"] is None
    assert data["final"]["test_loss"] is None
    body = {
        **XOR,
        "output_activation": "identity",
        "loss": "mse",
        "dataset": {"points": points, "targets": [0.1, 0.5, -0.2, 0.3, 0.0]},
        "steps": 30,
    }
    data = ok(client, "/network/train", body)
    assert data["dataset"]["kind"] == "regression"


def test_continuing_from_returned_weights(client):
    first = ok(client, "/network/train", {**XOR, "steps": 200})
    resumed = ok(
        client,
        "/network/train",
        {**XOR, "steps": 200, "weights": first["weights"], "biases": first["biases"]},
    )
    assert resumed["history"][0]["train_loss"] == pytest.approx(first["history"][-1]["train_loss"], rel=1e-12)
    assert resumed["history"][-1]["train_loss"] < first["history"][-1]["train_loss"]


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
@pytest.mark.parametrize("regularization", ["none", "l1", "l2"])
def test_every_optimizer_and_penalty_trains(client, optimizer, regularization):
    body = {
        **XOR,
        "optimizer": optimizer,
        "learning_rate": 0.3 if optimizer == "sgd" else 0.03,
        "regularization": regularization,
        "regularization_rate": 0.001,
        "steps": 150,
    }
    data = ok(client, "/network/train", body)
    assert data["history"][-1]["train_loss"] < data["history"][0]["train_loss"]


def test_l2_penalty_shrinks_the_weights(client):
    plain = ok(client, "/network/train", {**XOR, "steps": 300})
    penalised = ok(client, "/network/train", {**XOR, "steps": 300, "regularization": "l2", "regularization_rate": 0.3})

    def size(data):
        return sum(w * w for matrix in data["weights"] for row in matrix for w in row)

    assert size(penalised) < size(plain)


def test_a_huge_learning_rate_diverges_into_nulls(client):
    body = {**XOR, "optimizer": "sgd", "learning_rate": 1e300, "output_activation": "identity", "loss": "mse"}
    response = client.post(API + "/network/train", json=body)
    assert response.status_code == 200
    data = strict_json(response.content)
    assert data["diverged"] is True
    assert data["steps_done"] < 400
    assert data["final"]["train_loss"] is None or data["final"]["train_loss"] > 1e100


def test_points_at_the_edge_of_float64_stay_strict_json(client):
    points = [[1.7e308, -1.7e308], [-1.7e308, 1.7e308], [0.0, 0.0]]
    body = {**XOR, "dataset": {"points": points, "labels": [0, 1, 0]}, "steps": 3, "test_fraction": 0}
    refused(client, "/network/train", body, 422, "grid.x_range", "narrower")  # no margin fits around ±1.7e308
    body["grid"] = {"x_range": [-1, 1], "y_range": [-1, 1]}
    data = ok(client, "/network/train", body)
    assert data["grid"]["x_range"] == [-1, 1]
    assert data["final"]["train_loss"] is not None


@pytest.mark.parametrize(
    ("change", "status", "words"),
    [
        ({"layers": [3, 4, 1]}, 422, ["layers[0] is 3", "set layers[0] to 2"]),
        ({"layers": [2, 4, 3]}, 422, ["3 neurons", "binary", "1 output neuron"]),
        ({"dataset": {"name": "spiral3"}}, 422, ["spiral3", "3 output neurons"]),
        ({"dataset": {"name": "sine"}, "layers": [1, 4, 1]}, 422, ["regression", "mse"]),
        ({"dataset": {"name": "nope"}}, 422, ["dataset.name"]),
        ({"dataset": {}}, 422, ["either name"]),
        ({"dataset": {"name": "xor", "points": [[1, 2]]}}, 422, ["either name"]),
        ({"dataset": {"points": [[1, 2]]}}, 422, ["labels", "targets"]),
        ({"dataset": {"points": [[1, 2], [3]], "labels": [0, 1]}}, 422, ["dataset", "rows"]),
        ({"dataset": {"points": [[1, 2]], "labels": [0, 1]}}, 422, ["one label/target per point"]),
        ({"dataset": {"points": [[1, 2, 3]], "labels": [0]}}, 422, ["1 or 2 numbers"]),
        ({"dataset": {"points": [[1, 2]], "labels": [-1]}}, 422, ["negative"]),
        ({"optimizer": "rmsprop"}, 422, ["optimizer"]),
        ({"steps": -1}, 422, ["steps"]),
        ({"batch_size": 0}, 422, ["batch_size"]),
        ({"test_fraction": 1.0}, 422, ["test_fraction"]),
        ({"grid": {"x_range": [1, -1]}}, 422, ["grid.x_range"]),
        ({"grid": {"neuron_resolution": 1}}, 422, ["neuron_resolution"]),
        ({"steps": 20001}, 413, ["steps is 20001", "20000"]),
        ({"dataset": {"name": "xor", "n": 2001}}, 413, ["2000"]),
        ({"grid": {"resolution": 65}}, 413, ["grid.resolution is 65"]),
        ({"steps": 20000, "record_every": 1}, 422, ["record_every", "at least 11"]),
    ],
)
def test_training_refusals_say_what_to_fix(client, change, status, words):
    refused(client, "/network/train", {**XOR, **change}, status, *words)


def test_compute_budget_is_checked_before_training(client_with):
    client = client_with(max_train_work=50_000)
    error = refused(client, "/network/train", XOR, 413, "400 × 10 × 17", "50,000", "BACKPROP_MAX_TRAIN_WORK")
    # 41 records, each evaluating all 200 points, cost more than 400 steps of 10 samples: that field is named
    assert error["code"] == "over_cap" and error["field"] == "record_every"
    assert "139,400" in error["detail"]  # 41 × 200 × 17


def test_a_large_network_keeps_fewer_snapshots(client_with):
    client = client_with(max_train_snapshot_values=17 * 5)  # XOR's 2-4-1 network has 17 parameters
    data = ok(client, "/network/train", XOR)
    steps = [s["step"] for s in data["snapshots"]]
    assert len(steps) <= 5 and steps[0] == 0 and steps[-1] == 400


def test_neuron_map_budget(client_with):
    client = client_with(max_neuron_grid_cells=100)
    refused(client, "/network/train", {**XOR, "grid": {"neuron_resolution": 5}}, 413, "at most 4")
    data = ok(client, "/network/train", {**XOR, "steps": 1})
    assert data["grid"]["neuron_resolution"] == 4  # the largest that fits 6 maps into 100 cells


# ---------------------------------------------------------------------------------------- streaming
def read_events(response) -> list[tuple[str, dict]]:
    events, name, data = [], None, []
    for line in response.iter_lines():
        if line.startswith("event:"):
            name = line.removeprefix("event:").strip()
        elif line.startswith("data:"):
            data.append(line.removeprefix("data:").strip())
        elif not line and name:
            events.append((name, strict_json("\n".join(data))))
            name, data = None, []
    return events


def test_stream_reports_progress_then_done(client):
    body = {**XOR, "steps": 100, "record_every": 10, "stream_grid_every": 5, "grid": {"resolution": 4}}
    with client.stream("POST", API + "/network/train/stream", json=body) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        events = read_events(response)
    names = [name for name, _ in events]
    assert names == ["progress"] * 11 + ["done"]
    progress = [data for name, data in events if name == "progress"]
    assert [p["step"] for p in progress] == list(range(0, 101, 10))
    assert [("grid" in p) for p in progress] == [k % 5 == 0 for k in range(11)]
    assert progress[0]["grid"]["resolution"] == 4
    done = events[-1][1]
    plain = ok(client, "/network/train", body)
    assert done["history"] == plain["history"]
    assert done["weights"] == plain["weights"]


def test_stream_pictures_follow_the_clock_when_asked(client):
    # A 100-step run takes far less than a minute: after the first picture none is due again until the end.
    body = {**XOR, "steps": 100, "record_every": 10, "stream_grid_every": 1, "stream_picture_seconds": 60}
    with client.stream("POST", API + "/network/train/stream", json=body) as response:
        events = read_events(response)
    progress = [data for name, data in events if name == "progress"]
    assert [("grid" in p) for p in progress] == [True] + [False] * 10
    assert "grid" in events[-1][1]  # the report still ends with the final picture


def test_stream_pictures_on_the_clock_keep_to_stream_grid_every(client):
    body = {**XOR, "steps": 200, "record_every": 10, "stream_grid_every": 3, "stream_picture_seconds": 0.01}
    with client.stream("POST", API + "/network/train/stream", json=body) as response:
        events = read_events(response)
    pictured = [k for k, (name, data) in enumerate(events) if name == "progress" and "grid" in data]
    assert pictured[0] == 0 and all(b - a >= 3 for a, b in itertools.pairwise(pictured))


@pytest.mark.parametrize("seconds", [0, 0.001, 61, "soon"])
def test_stream_picture_seconds_is_checked(client, seconds):
    refused(client, "/network/train/stream", {**XOR, "stream_picture_seconds": seconds}, 422, "stream_picture_seconds")


def test_stream_keeps_the_line_alive_between_distant_record_points(client, monkeypatch):
    monkeypatch.setattr(training_routes, "CHUNK_SECONDS", 0.0)  # one slice of STEP_SLICE steps per chunk
    body = {**XOR, "steps": 200, "record_every": 200, "grid": {"resolution": 2, "neuron_resolution": 0}}
    with client.stream("POST", API + "/network/train/stream", json=body) as response:
        lines = list(response.iter_lines())
    assert lines.count(": training") == 200 // training_routes.STEP_SLICE  # slices that end before step 200
    assert [line for line in lines if line.startswith("event:")] == ["event: progress"] * 2 + ["event: done"]


def test_stream_of_a_diverging_run_ends_with_done(client):
    body = {**XOR, "optimizer": "sgd", "learning_rate": 1e300, "output_activation": "identity", "loss": "mse"}
    with client.stream("POST", API + "/network/train/stream", json=body) as response:
        events = read_events(response)
    assert events[-1][0] == "done" and events[-1][1]["diverged"] is True


def test_stream_refusals_are_plain_json_errors(client):
    response = client.post(API + "/network/train/stream", json={**XOR, "layers": [3, 4, 1]})
    assert response.status_code == 422
    assert "layers[0]" in strict_json(response.content)["detail"]


def test_stream_closed_early_by_the_client_returns_at_once(client):
    body = {**XOR, "steps": 20000, "record_every": 20, "grid": {"resolution": 2, "neuron_resolution": 0}}
    started = time.perf_counter()
    with client.stream("POST", API + "/network/train/stream", json=body) as response:
        first = next(line for line in response.iter_lines() if line.startswith("event:"))
        assert first == "event: progress"
    assert time.perf_counter() - started < 1.0  # the whole run takes several seconds
    assert ok(client, "/expression", {"expression": "x", "variables": {"x": 1}})["value"] == 1.0


@pytest.fixture
def served(monkeypatch) -> Iterator[tuple[str, list[int]]]:
    """A real uvicorn (in a thread) serving the app; yields its base URL and a log of training chunks."""
    chunks: list[int] = []
    original = training_routes._Stream.chunk

    def counted(stream):
        chunks.append(stream.trainer.step)
        return original(stream)

    monkeypatch.setattr(training_routes._Stream, "chunk", counted)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(create_app(Settings()), host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}", chunks
    server.should_exit = True
    thread.join(timeout=10)


def test_training_stops_when_the_client_disconnects(served):
    base, chunks = served
    body = {
        **XOR,
        "layers": [2, 16, 16, 1],
        "batch_size": 100,
        "steps": 12000,  # several seconds of work, within the default compute budget (records included)
        "record_every": 20,
        "grid": {"resolution": 2, "neuron_resolution": 0},
    }
    with httpx.Client(base_url=base, timeout=10) as http:
        with http.stream("POST", "/api/v1/network/train/stream", json=body) as response:
            assert response.status_code == 200
            seen = 0
            for line in response.iter_lines():
                seen += line.startswith("event: progress")
                if seen == 3:
                    break
        time.sleep(0.5)  # the chunk under way finishes, then the disconnect is noticed
        stopped_at = len(chunks)
        time.sleep(0.5)
        assert len(chunks) == stopped_at, "training went on after the client left"
        assert chunks[-1] < 20000
        assert http.get("/healthz").status_code == 200


def test_every_streamed_event_matches_the_documented_event_schema(client):
    document = client.get("/openapi.json").json()
    content = document["paths"][API + "/network/train/stream"]["post"]["responses"]["200"]["content"]
    event_schema = content["text/event-stream"]["x-event-schema"]
    assert event_schema == {"$ref": "#/components/schemas/TrainStreamEvent"}
    documented = Draft202012Validator({"components": document["components"], **event_schema})
    body = {**XOR, "steps": 40, "record_every": 10, "stream_grid_every": 2, "grid": {"resolution": 3}}
    with client.stream("POST", API + "/network/train/stream", json=body) as response:
        events = [{"event": name, "data": data} for name, data in read_events(response)]
    assert {event["event"] for event in events} == {"progress", "done"}
    for event in events:
        documented.validate(event)
    done = events[-1]
    assert not documented.is_valid({**done, "data": {**done["data"], "history": "not a list"}})
    assert not documented.is_valid({**done, "event": "progress"})  # a report is no progress record
    assert not documented.is_valid({**done, "event": "finished"})
