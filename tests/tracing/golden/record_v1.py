"""Record the v1 trace answers that ``tests/tracing/test_v1_golden.py`` holds the server to, byte for byte.

Each case is a request body (every loss, every hidden and output activation, batches of 1, 3 and 8, weights
given or drawn from a seed, with and without the neuron op graphs, a pass that overflows) and the exact bytes
``POST /api/v1/network/trace`` answers. Run it only when a change to v1's answers is meant:

    python tests/tracing/golden/record_v1.py

It rewrites ``v1_traces.json.gz`` next to this file (gzipped JSON: a list of {"name", "body", "answer"},
the answer as the text the server sent).
"""

from __future__ import annotations

import gzip
import itertools
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

ACTIVATIONS = ["identity", "tanh", "sigmoid", "relu", "leaky_relu"]
LOSSES = ["mse", "bce", "cross_entropy"]
BATCHES = [1, 3, 8]
SHAPES = [[2, 3, 1], [3, 4, 2], [2, 3, 3, 2], [1, 2, 3], [4, 10, 3]]  # [4, 10, 3]: sums cut after 8 terms
FIXTURE = Path(__file__).with_name("v1_traces.json.gz")
PATH = "/api/v1/network/trace"


def _targets(rng: np.random.Generator, loss: str, batch: int, outputs: int, soft: bool) -> list[list[float]]:
    if loss == "cross_entropy":
        if not soft:  # one-hot: the loss formula leaves out the zero classes
            return np.eye(outputs)[rng.integers(0, outputs, batch)].tolist()
        probabilities = rng.random((batch, outputs)) + 0.05
        return (probabilities / probabilities.sum(axis=1, keepdims=True)).tolist()
    if loss == "bce":
        return rng.integers(0, 2, size=(batch, outputs)).astype(float).tolist()
    return rng.normal(size=(batch, outputs)).tolist()


def cases() -> list[tuple[str, dict[str, Any]]]:
    """Every loss × hidden activation × batch size; output activations, shapes, given weights, focus sample,
    learning rate and op graphs vary along the way so that each of their values is met too."""
    made = []
    for number, (loss, hidden, batch) in enumerate(itertools.product(LOSSES, ACTIVATIONS, BATCHES)):
        rng = np.random.default_rng(number)
        sizes = list(SHAPES[number % len(SHAPES)])
        if loss == "cross_entropy":
            sizes[-1] = max(2, sizes[-1])
        output = {"bce": "sigmoid", "cross_entropy": "identity"}.get(loss, ACTIVATIONS[number % len(ACTIVATIONS)])
        body: dict[str, Any] = {
            "layers": sizes,
            "activation": hidden,
            "output_activation": output,
            "loss": loss,
            "inputs": (rng.normal(size=(batch, sizes[0])) * 2).round(3).tolist(),
            "targets": _targets(rng, loss, batch, sizes[-1], soft=number % 4 == 1),
            "learning_rate": [0.1, 0.5, 1e-5, 0.0, 12345.678][number % 5],
            "sample": number % batch,
            "seed": number,
            "include_neuron_graphs": number % 3 != 2,
        }
        if number % 2:
            body["weights"] = [rng.normal(size=(out, fan_in)).tolist() for fan_in, out in itertools.pairwise(sizes)]
            body["biases"] = [rng.normal(size=out).tolist() for out in sizes[1:]]
        made.append((f"{loss}-{hidden}-{output}-batch{batch}-{'given' if number % 2 else 'seeded'}", body))
    made.append(("mixed-hidden-activations", {"layers": [2, 3, 3, 3, 1], "activation": ["relu", "tanh", "sigmoid"]}))
    made.append(("defaults", {}))
    rng = np.random.default_rng(99)  # more samples than a sum shows: Σₙ is cut after 8 terms
    made.append(
        (
            "batch12-sums-cut",
            {
                "layers": [3, 10, 2],
                "inputs": rng.normal(size=(12, 3)).round(3).tolist(),
                "targets": rng.random((12, 2)).round(3).tolist(),
                "sample": 11,
            },
        )
    )
    made.append(
        (
            "overflow",
            {
                "layers": [2, 3, 2],
                "activation": "relu",
                "output_activation": "identity",
                "weights": [[[1e200, 1e200], [-1e200, 1e200], [1.0, 2.0]], [[1e200, 1e200, 1.0], [1.0, -1.0, 1.0]]],
                "inputs": [[1e200, 1e200], [1.0, -2.0]],
                "targets": [[0.0, 1.0], [1.0, 0.0]],
            },
        )
    )
    return made


def record() -> list[dict[str, Any]]:
    from fastapi.testclient import TestClient

    from app.main import create_app
    from app.settings import Settings

    recorded = []
    with TestClient(create_app(Settings(response_cache_bytes=0, rate_limit_per_minute=0))) as client:
        for name, body in cases():
            response = client.post(PATH, json=body)
            assert response.status_code == 200, (name, response.text[:300])
            recorded.append({"name": name, "body": body, "answer": response.content.decode()})
    return recorded


def main() -> None:
    recorded = record()
    FIXTURE.write_bytes(gzip.compress(json.dumps(recorded, ensure_ascii=False).encode(), 9, mtime=0))
    print(f"{len(recorded)} answers, {FIXTURE.stat().st_size:,} bytes → {FIXTURE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
