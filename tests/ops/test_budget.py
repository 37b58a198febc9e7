"""A training run over the compute budget (steps × batch × parameters) is refused at once, before any work,
by a real server, whether it asks for the whole run or for a stream."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

import pytest

from app.settings import Settings

OVER_BUDGET = {
    "layers": [2, 64, 64, 64, 64, 64, 64, 64, 64, 1],
    "dataset": {"name": "xor", "n": 2000},
    "batch_size": 256,
    "steps": 20000,
    "record_every": 100,
}
QUICKLY = 1.0  # seconds; the run itself would take hours


def post(base: str, path: str, body: dict) -> tuple[int, bytes, float]:
    request = urllib.request.Request(
        base + path, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    return status, raw, time.perf_counter() - start


@pytest.mark.parametrize("path", ["/api/v1/network/train", "/api/v1/network/train/stream"])
def test_over_budget_training_is_refused_quickly(served: tuple[str, int], path: str) -> None:
    host, port = served
    budget = Settings().max_train_work
    parameters = sum(a * b + b for a, b in zip(OVER_BUDGET["layers"], OVER_BUDGET["layers"][1:], strict=False))
    assert OVER_BUDGET["steps"] * OVER_BUDGET["batch_size"] * parameters > 10 * budget
    post(f"http://{host}:{port}", "/api/v1/network/train", {**OVER_BUDGET, "steps": 0})  # warm up: first dataset
    status, raw, seconds = post(f"http://{host}:{port}", path, OVER_BUDGET)
    assert status == 413
    error = json.loads(raw)
    assert error["code"] == "over_cap"
    assert error["params"]["limit"] == budget
    assert seconds < QUICKLY
