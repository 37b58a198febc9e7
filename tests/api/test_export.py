"""POST /network/export: the generated scripts run and print what POST /network/trace computed."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.api.conftest import ok, refused

CASES = [
    {"layers": [2, 3, 1], "activation": "tanh", "output_activation": "sigmoid", "loss": "bce", "seed": 1,
     "inputs": [[1.0, 0.5]], "targets": [[1.0]]},
    {"layers": [3, 4, 4, 2], "activation": ["relu", "leaky_relu"], "output_activation": "identity",
     "loss": "cross_entropy", "seed": 7, "inputs": [[0.2, -1.0, 0.5], [1.5, 0.3, -0.7]], "targets": [[0, 1], [1, 0]]},
    {"layers": [1, 5, 2], "activation": "sigmoid", "output_activation": "tanh", "loss": "mse", "seed": 3,
     "weights": [[[0.5], [-1.25], [2.0], [0.1], [-0.3]], [[1, 2, 3, 4, 5], [-1, 0.5, 0.25, 0, 1e-3]]],
     "biases": [[0.1, 0.2, -0.3, 0.0, 0.5], [0.01, -0.02]], "inputs": [[0.3], [-2.0], [1.1]],
     "targets": [[0.5, -0.5], [0.0, 1.0], [0.2, 0.2]]},
]  # fmt: skip


def parse_output(stdout: str) -> dict[str, object]:
    printed: dict[str, object] = {}
    for line in stdout.splitlines():
        words = line.split(" ", 2)
        if words[0] in ("grad_weight", "grad_bias", "updated_weight", "updated_bias"):
            printed[f"{words[0]} {words[1]}"] = json.loads(words[2])
        else:
            printed[words[0]] = json.loads(line.split(" ", 1)[1])
    return printed


def execute(tmp_path: Path, script: str, name: str) -> dict[str, object]:
    path = tmp_path / name
    path.write_text(script, encoding="utf-8")
    done = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return parse_output(done.stdout)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["loss"])
def test_numpy_script_reproduces_the_trace(client, tmp_path: Path, case: dict) -> None:
    trace = ok(client, "/network/trace", {**case, "learning_rate": 0.1})
    export = ok(client, "/network/export", {**case, "format": "numpy"})
    assert export["format"] == "numpy" and export["filename"].endswith(".py")
    printed = execute(tmp_path, export["script"], export["filename"])
    np.testing.assert_allclose(printed["outputs"], trace["layers"][-1]["a"], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(printed["loss"], trace["loss"], rtol=1e-12, atol=1e-14)


BACKWARD_CASES = [
    *CASES,
    {"layers": [2, 3, 3, 1], "activation": ["leaky_relu", "identity"], "output_activation": "sigmoid",
     "loss": "bce", "seed": 11, "inputs": [[0.4, -0.2], [-1.0, 2.0], [0.0, 0.3], [1.2, 1.1], [-0.5, -0.5]],
     "targets": [[1.0], [0.0], [1.0], [0.0], [1.0]]},
    {"layers": [2, 4, 3], "activation": "relu", "output_activation": "identity", "loss": "cross_entropy",
     "seed": 5, "inputs": [[0.9, -0.1], [0.2, 0.4], [-0.7, 0.8]], "targets": [[1, 0, 0], [0, 0, 1], [0, 1, 0]]},
    {"layers": [2, 2, 2], "activation": "tanh", "output_activation": "identity", "loss": "mse", "seed": 2,
     "inputs": [[0.5, -1.5]], "targets": [[0.25, -0.75]]},
]  # fmt: skip


@pytest.mark.parametrize("case", BACKWARD_CASES, ids=lambda c: f"{c['loss']}-{len(c['inputs'])}")
def test_numpy_script_writes_out_backward_pass_and_sgd_step_like_the_trace(client, tmp_path: Path, case) -> None:
    trace = ok(client, "/network/trace", {**case, "learning_rate": 0.25})
    export = ok(client, "/network/export", {**case, "format": "numpy", "learning_rate": 0.25})
    script = export["script"]
    assert "delta" in script and ".T @" in script  # the chain rule by hand: δ per layer, ∂L/∂W = δᵀ a
    printed = execute(tmp_path, script, export["filename"])
    for i, param in enumerate(trace["params"], start=1):
        for name in ("grad_weight", "grad_bias", "updated_weight", "updated_bias"):
            np.testing.assert_allclose(printed[f"{name} {i}"], param[name], rtol=1e-9, atol=1e-12, err_msg=name)


@pytest.mark.torch
@pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="PyTorch is not installed")
@pytest.mark.parametrize("case", CASES, ids=lambda c: c["loss"])
def test_pytorch_script_reproduces_the_trace(client, tmp_path: Path, case: dict) -> None:
    trace = ok(client, "/network/trace", {**case, "learning_rate": 0.25})
    export = ok(client, "/network/export", {**case, "format": "pytorch", "learning_rate": 0.25})
    printed = execute(tmp_path, export["script"], export["filename"])
    np.testing.assert_allclose(printed["outputs"], trace["layers"][-1]["a"], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(printed["loss"], trace["loss"], rtol=1e-9, atol=1e-12)
    for i, param in enumerate(trace["params"], start=1):
        np.testing.assert_allclose(printed[f"grad_weight {i}"], param["grad_weight"], rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(printed[f"updated_weight {i}"], param["updated_weight"], rtol=1e-9, atol=1e-12)


def test_export_checks_the_network_like_trace(client) -> None:
    refused(
        client, "/network/export", {"layers": [2, 1], "loss": "bce", "output_activation": "identity"}, 422, "sigmoid"
    )
    refused(client, "/network/export", {"layers": [2, 1], "inputs": [[1.0]], "targets": [[1.0]]}, 422, "inputs[0]")
    refused(client, "/network/export", {"layers": [2, 1], "format": "matlab"}, 422)


def test_script_holds_exact_weights(client) -> None:
    body = {**CASES[2], "format": "numpy"}
    script = ok(client, "/network/export", body)["script"]
    assert "0.001" in script and "-1.25" in script
    assert "import json" in script and "np.tanh" in script
