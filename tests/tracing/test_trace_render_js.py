"""The browser's renderer (static/js/core/trace-render.js) writes, under node, the text the Python renderer writes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings
from app.tracing.notation import num
from app.tracing.render import render_steps
from tests.tracing.node import NODE, run_program
from tests.tracing.test_contract_v2 import LOSSES, random_request, random_request_with_features

ROOT = Path(__file__).resolve().parents[2]
RENDERER = (ROOT / "static" / "js" / "core" / "trace-render.js").as_uri()
pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed")

# Reads {"numbers": [...], "traces": [{script, numbers}, ...]} from the file TRACE_INPUT names, writes the text.
PROGRAM = f"""
import {{ readFileSync }} from "node:fs";
import {{ num, renderSteps }} from "{RENDERER}";
const input = JSON.parse(readFileSync(process.env.TRACE_INPUT, "utf8"));
const special = {{ nan: NaN, inf: Infinity, "-inf": -Infinity }};
const numbers = input.numbers.map((value) => num(typeof value === "string" ? special[value] : value));
const traces = input.traces.map(({{ script, numbers }}) => renderSteps(script, numbers));
process.stdout.write(JSON.stringify({{ numbers, traces }}));
"""


def run_node(tmp_path: Path, numbers: list[Any], traces: list[dict[str, Any]]) -> dict[str, Any]:
    return run_program(PROGRAM, {"numbers": numbers, "traces": traces}, tmp_path)


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(Settings(response_cache_bytes=0))) as client:
        yield client


def _numbers_to_write() -> list[float]:
    rng = np.random.default_rng(0)
    random = rng.normal(size=300) * 10.0 ** rng.integers(-12, 12, size=300)
    # Exact ties at the 5th significant digit (numbers a double holds exactly): Python rounds them half to even.
    ties = [1.0625, 1.1875, 12345.0, 12355.0, 99995.0, 1234.5, 1233.5, 0.5, 9999.5, 0.00048828125, 2.0**-20]
    edges = [9999.4, 1e4, 1e-4, 9.9995e-5, 1e16, 5e-324, 1.7976931348623157e308, 0.1, 1 / 3, 2 / 3, 100.0, 0.001]
    values = [*random.tolist(), *ties, *edges]
    return values + [-value for value in values]


def test_numbers_are_written_as_python_writes_them(tmp_path):
    values = _numbers_to_write()
    specials = ["nan", "inf", "-inf"]
    written = run_node(tmp_path, [*values, 0.0, *specials], [])["numbers"]
    expected = [num(value) for value in values] + ["0"] + [num(float(name)) for name in specials]
    mismatched = [
        (value, js, py) for value, js, py in zip([*values, 0.0, *specials], written, expected, strict=True) if js != py
    ]
    assert not mismatched


def test_every_step_renders_as_the_python_renderer_writes_it(client, tmp_path):
    traces = []
    for seed in range(8):
        for loss in LOSSES:
            make = random_request_with_features if seed % 4 == 3 else random_request  # features name the inputs
            answer = client.post("/api/v2/network/trace", json=make(seed, loss)).json()
            traces.append({"script": answer["script"], "numbers": answer["numbers"]})
    diverged = client.post(
        "/api/v2/network/trace",
        json={"layers": [2, 2, 1], "weights": [[[1e300, 1e300], [1.0, -1.0]], [[1e300, 1.0]]], "inputs": [[1e10, 1.0]]},
    ).json()
    assert diverged["numbers"]["diverged"]
    traces.append({"script": diverged["script"], "numbers": diverged["numbers"]})
    rendered = run_node(tmp_path, [], traces)["traces"]
    for trace, steps in zip(traces, rendered, strict=True):
        assert steps == render_steps(trace["script"], trace["numbers"])
    assert any("∞" in line["substituted"] + line["result"] for line in _lines(rendered[-1])), "no ∞ was written"
    points = [steps[0]["narration"]["params"].get("point") for steps in rendered]
    assert sum(point is not None for point in points) == 2 * len(LOSSES), "features' input steps were not rendered"
    written = [line["symbolic"] for steps in rendered for line in _lines(steps)]
    assert any(text.startswith("∂L/∂z") for text in written), "no cross-entropy output step"
    assert any(text.startswith("Σₙ δ") and text.endswith("[n]") for text in written), "no sum over a batch"


def _lines(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [line for step in steps for line in step["formula"]]
