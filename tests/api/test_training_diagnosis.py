"""The diagnosis of a run's loss history travels with the training answer and every streamed record point."""

from __future__ import annotations

from app.nn.diagnosis import diagnose
from tests.api.conftest import API, ok
from tests.api.test_training import read_events

CIRCLE_AT_TEN = {
    "layers": [2, 4, 2, 1],
    "activation": "tanh",
    "output_activation": "sigmoid",
    "loss": "bce",
    "dataset": {"name": "circle", "n": 300, "noise": 0.05, "seed": 1},
    "optimizer": "sgd",
    "learning_rate": 10,
    "batch_size": 10,
    "steps": 200,
    "record_every": 10,
    "test_fraction": 0.5,
    "seed": 1,
    "grid": {"resolution": 2, "neuron_resolution": 0},
}


def test_an_oscillating_run_says_so_with_its_evidence(client):
    data = ok(client, "/network/train", CIRCLE_AT_TEN)
    diagnosis = data["diagnosis"]
    assert diagnosis["code"] == "oscillating"
    assert diagnosis["learning_rate"] == 10 and diagnosis["suggested_learning_rate"] == 0.1
    losses = [r["train_loss"] for r in data["history"]]
    assert diagnosis["evidence"]["high"] == max(losses[-20:]) and diagnosis["evidence"]["low"] == min(losses[-20:])


def test_a_good_run_is_healthy_and_a_short_one_too_early_to_tell(client):
    good = ok(client, "/network/train", {**CIRCLE_AT_TEN, "learning_rate": 0.3})
    assert good["diagnosis"]["code"] == "healthy" and good["diagnosis"]["suggested_learning_rate"] is None
    assert ok(client, "/network/train", {**CIRCLE_AT_TEN, "steps": 40})["diagnosis"] is None


def test_an_overflow_is_blowing_up(client):
    body = {**CIRCLE_AT_TEN, "dataset": {"name": "sine", "n": 300, "seed": 1}, "layers": [1, 4, 2, 1]}
    body |= {"output_activation": "identity", "loss": "mse", "grid": {"resolution": 2}}
    data = ok(client, "/network/train", body)
    assert data["diverged"] and data["diagnosis"]["code"] == "blowing_up"
    assert data["diagnosis"]["evidence"]["non_finite"] == 1


def test_each_progress_event_diagnoses_the_history_up_to_it(client):
    with client.stream("POST", API + "/network/train/stream", json=CIRCLE_AT_TEN) as response:
        events = read_events(response)
    progress = [data for name, data in events if name == "progress"]
    losses = [p["train_loss"] for p in progress]
    for k, event in enumerate(progress):
        expected = diagnose(losses[: k + 1], 10)
        assert (event["diagnosis"] or {}).get("code") == getattr(expected, "code", None)
    assert progress[6]["diagnosis"]["code"] == "oscillating"  # after 60 steps
    assert events[-1][1]["diagnosis"] == progress[-1]["diagnosis"]


def test_the_split_is_stratified_and_names_the_classes_a_side_lacks(client):
    alternating = {"points": [[k / 5, 0.0] for k in range(6)], "labels": [0, 1, 0, 1, 0, 1], "seed": 1}
    body = {**CIRCLE_AT_TEN, "dataset": alternating, "steps": 0, "learning_rate": 0.03}
    data = ok(client, "/network/train", body)["dataset"]
    assert set(data["train"]["labels"]) == {0, 1} and set(data["test"]["labels"]) == {0, 1}
    assert data["missing_classes"] == {"train": [], "test": []}
    three = {"points": [[0.0, 0.0], [0.5, 0.0], [1.0, 0.0]], "labels": [0, 1, 1], "seed": 1}
    data = ok(client, "/network/train", {**body, "dataset": three})["dataset"]
    assert data["missing_classes"] == {"train": [0], "test": []}
