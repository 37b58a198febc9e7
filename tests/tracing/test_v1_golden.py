"""v1 traces answer what they answered when they were recorded (tests/tracing/golden/record_v1.py): the same
JSON, every key, string, integer and boolean as recorded and every float the same to within float64 rounding.
NumPy picks its vector kernels by CPU, so another processor can round the last bit of a sum or a tanh
differently; on the recording's machine the answer is the same byte for byte."""

from __future__ import annotations

import gzip
import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings

FIXTURE = Path(__file__).parent / "golden" / "v1_traces.json.gz"
RECORDED: list[dict[str, Any]] = json.loads(gzip.decompress(FIXTURE.read_bytes()))


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(Settings(response_cache_bytes=0, rate_limit_per_minute=0))) as client:
        yield client


# A few units in the last place of a float64, for a value reached through a handful of operations
RELATIVE = 1e-12
ABSOLUTE = 1e-15


def first_difference(mine: Any, recorded: Any, path: str = "$") -> str | None:
    """Where two JSON documents first differ beyond float64 rounding, to name it in a failure."""
    if isinstance(mine, float) and isinstance(recorded, float):
        same = math.isclose(mine, recorded, rel_tol=RELATIVE, abs_tol=ABSOLUTE)
        return None if same else f"{path}: {mine!r} != {recorded!r}"
    if type(mine) is not type(recorded):
        return f"{path}: {mine!r:.200} != {recorded!r:.200}"
    if isinstance(mine, dict):
        if list(mine) != list(recorded):
            return f"{path}: keys {list(mine)} != {list(recorded)}"
        found = (first_difference(mine[key], recorded[key], f"{path}.{key}") for key in mine)
        return next((difference for difference in found if difference), None)
    if isinstance(mine, list):
        if len(mine) != len(recorded):
            return f"{path}: {len(mine)} items != {len(recorded)}"
        found = (first_difference(a, b, f"{path}[{i}]") for i, (a, b) in enumerate(zip(mine, recorded, strict=True)))
        return next((difference for difference in found if difference), None)
    return None if mine == recorded else f"{path}: {mine!r:.200} != {recorded!r:.200}"


def test_the_recording_covers_every_loss_activation_and_batch():
    bodies = [case["body"] for case in RECORDED]
    assert {body.get("loss") for body in bodies} >= {"mse", "bce", "cross_entropy"}
    assert {body.get("activation") for body in bodies if isinstance(body.get("activation"), str)} >= {
        "identity",
        "tanh",
        "sigmoid",
        "relu",
        "leaky_relu",
    }
    assert {body.get("output_activation") for body in bodies} >= {"identity", "tanh", "sigmoid", "relu", "leaky_relu"}
    assert {len(body.get("inputs", [[]])) for body in bodies} >= {1, 3, 8}
    assert {"weights" in body for body in bodies} == {True, False}
    assert {body.get("include_neuron_graphs", True) for body in bodies} == {True, False}
    assert any(json.loads(case["answer"])["diverged"] for case in RECORDED)


@pytest.mark.parametrize("case", RECORDED, ids=[case["name"] for case in RECORDED])
def test_a_v1_trace_is_what_was_recorded(client, case):
    response = client.post("/api/v1/network/trace", json=case["body"])
    assert response.status_code == 200, response.text[:300]
    if response.text == case["answer"]:
        return
    difference = first_difference(json.loads(response.text), json.loads(case["answer"]))
    assert difference is None, f"the answer differs from the recording at {difference}"
