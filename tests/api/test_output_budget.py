"""What a request writes and records is counted before any work: a small body cannot ask for gigabytes of
events or for hours of evaluation. Near each bound the estimate is held to the real bytes written."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.api.budget import trace_bytes
from tests.api.conftest import API, refused, strict_json

DEEP_WIDE = [64] * 8
# 1-D data, 8 × 64 hidden neurons, a 1,001-sample curve in every event: gigabytes of events from one small body
CRAFTED_STREAM = {
    "layers": [1, *DEEP_WIDE, 1],
    "activation": "tanh",
    "output_activation": "identity",
    "loss": "mse",
    "dataset": {"name": "sine", "n": 50},
    "steps": 1999,
    "batch_size": 1,
    "record_every": 1,
    "stream_grid_every": 1,
    "grid": {"resolution": 1001},
}
QUICKLY = 1.0  # seconds; the refused runs would take minutes to hours


def post_raw(client: TestClient, path: str, raw: bytes):
    start = time.perf_counter()
    response = client.post(API + path, content=raw, headers={"content-type": "application/json"})
    return response, time.perf_counter() - start


def test_a_small_body_asking_for_gigabytes_of_events_is_refused_at_once(client):
    raw = json.dumps(CRAFTED_STREAM, separators=(",", ":")).encode()
    assert len(raw) < 300
    response, seconds = post_raw(client, "/network/train/stream", raw)
    assert response.status_code == 413, response.text[:300]
    error = strict_json(response.content)
    assert "BACKPROP_MAX_STREAM_BYTES" in error["detail"] and "stream_grid_every" in error["detail"]
    assert error["field"] == "stream_grid_every" and error["params"]["limit"] == 256_000_000
    assert seconds < QUICKLY


def test_recording_every_step_on_the_largest_network_counts_its_evaluations(client):
    body = {
        "layers": [2, *DEEP_WIDE, 1],
        "dataset": {"name": "xor", "n": 2000},
        "steps": 1999,  # training alone: 1999 × 1 × 29,377 parameters, an eighth of the budget
        "batch_size": 1,
        "record_every": 1,  # each of 2000 records evaluates all 2000 points
        "grid": {"resolution": 2, "neuron_resolution": 0},
    }
    start = time.perf_counter()
    error = refused(client, "/network/train", body, 413, "BACKPROP_MAX_TRAIN_WORK", "record_every")
    assert time.perf_counter() - start < QUICKLY
    assert error["field"] == "record_every"


def test_pictures_of_a_stream_count_as_work(client_with):
    client = client_with(max_stream_bytes=10**12)  # the bytes are allowed: the arithmetic of drawing is not
    error = refused(client, "/network/train/stream", CRAFTED_STREAM, 413, "BACKPROP_MAX_TRAIN_WORK", "picture")
    assert error["field"] == "grid.resolution"


def largest_accepted(accepts: Callable[[int], bool], low: int, high: int) -> int:
    """The largest n in [low, high] that ``accepts``, where acceptance is monotone (low accepted)."""
    assert accepts(low)
    while low < high:
        middle = (low + high + 1) // 2
        if accepts(middle):
            low = middle
        else:
            high = middle - 1
    return low


def stream_length(client: TestClient, body: dict) -> int | None:
    """The bytes of a whole stream, or None when it is refused."""
    with client.stream("POST", API + "/network/train/stream", json=body) as response:
        if response.status_code == 413:
            response.read()
            return None
        assert response.status_code == 200
        return sum(len(chunk) for chunk in response.iter_raw())


def test_a_stream_just_under_its_bound_writes_no_more_than_the_bound(client_with):
    bound = 2_000_000
    client = client_with(max_stream_bytes=bound)
    body = {**CRAFTED_STREAM, "layers": [1, 8, 8, 1], "grid": {"resolution": 201}, "steps": 1}
    lengths: dict[int, int | None] = {}

    def accepts(steps: int) -> bool:
        lengths[steps] = stream_length(client, {**body, "steps": steps})
        return lengths[steps] is not None

    steps = largest_accepted(accepts, 1, 1999)
    assert 1 < steps < 1999
    written = lengths[steps]
    assert written is not None and bound / 2 < written <= bound  # an honest estimate: an upper bound, not a wild one
    refused(client, "/network/train/stream", {**body, "steps": steps + 1}, 413, "BACKPROP_MAX_STREAM_BYTES")


def test_a_report_just_under_its_bound_writes_no_more_than_the_bound(client_with):
    bound = 150_000
    client = client_with(max_response_bytes=bound)
    body = {
        "layers": [2, 6, 3],
        "output_activation": "identity",
        "loss": "cross_entropy",
        "dataset": {"name": "spiral3", "n": 10, "noise": 0.3},
        "steps": 20,
        "record_every": 1,
        "grid": {"resolution": 8, "neuron_resolution": 4},
    }
    lengths: dict[int, int] = {}

    def accepts(points: int) -> bool:
        response = client.post(API + "/network/train", json={**body, "dataset": {**body["dataset"], "n": points}})
        assert response.status_code in (200, 413), response.text[:300]
        lengths[points] = len(response.content)
        return response.status_code == 200

    points = largest_accepted(accepts, 10, 2000)
    assert 10 < points < 2000
    assert bound / 2 < lengths[points] <= bound
    error = refused(
        client, "/network/train", {**body, "dataset": {**body["dataset"], "n": points + 1}}, 413, "RESPONSE_BYTES"
    )
    assert error["params"]["limit"] == bound


TRACE_SHAPES = [
    ([2, 3, 1], 1, False, "mse"),
    ([2, 8, 8, 1], 5, True, "bce"),
    ([3, 16, 16, 4], 16, False, "cross_entropy"),
    ([2, 16, 16, 16, 16, 16, 16, 16, 16, 1], 40, True, "bce"),
    ([10, 40, 40, 10], 200, True, "cross_entropy"),
    ([1, 64, 64, 1], 256, True, "mse"),
]


def trace_body(layers: list[int], batch: int, graphs: bool, loss: str) -> dict:
    rng = np.random.default_rng(len(layers) + batch)
    targets = rng.uniform(size=(batch, layers[-1]))
    if loss == "cross_entropy":
        targets = np.eye(layers[-1])[rng.integers(0, layers[-1], size=batch)]
    return {
        "layers": layers,
        "activation": "relu" if loss == "cross_entropy" else "tanh",
        "output_activation": "sigmoid" if loss == "bce" else "identity",
        "loss": loss,
        "inputs": (rng.normal(size=(batch, layers[0])) * 7).tolist(),
        "targets": targets.tolist(),
        "include_neuron_graphs": graphs,
    }


@pytest.mark.parametrize(("layers", "batch", "graphs", "loss"), TRACE_SHAPES)
def test_a_trace_estimate_bounds_its_bytes(client_with, layers, batch, graphs, loss):
    estimate = trace_bytes(layers, batch, graphs)
    client = client_with(max_response_bytes=estimate, response_cache_bytes=0)
    response = client.post(API + "/network/trace", json=trace_body(layers, batch, graphs, loss))
    assert response.status_code == 200, response.text[:300]
    written = len(response.content)
    assert written <= estimate
    if written > 500_000:  # the small ones are mostly the fixed frame
        assert estimate < 1.5 * written
    smaller = client_with(max_response_bytes=estimate - 1)
    refused(smaller, "/network/trace", trace_body(layers, batch, graphs, loss), 413, "BACKPROP_MAX_RESPONSE_BYTES")
