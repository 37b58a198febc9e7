"""How much smaller and faster is a trace in contract v2 (numbers per pass + a script per shape) than in v1?

For three networks — the classroom 2-3-1 (one sample), 8 layers × 16 tanh neurons (one sample, the step
player's large example) and one near the caps (4-64-64-64-2, a batch of 64) — prints

* bytes: v1's answer (without and with the neuron op graphs), v2's numbers-only answer (the client holds
  the script) and v2's script, each raw and gzipped (level 6, as a server would);
* server time in ms, median wall time (and least CPU time) of a few runs, of writing the answer in-process (no HTTP): v1 and v2 for a
  first-seen shape (script cache emptied: v1 now renders the v2 script too) and for a repeat shape (cached).

Goals: v2's numbers-only answer for 8 × 16 ≤ 100 KB (raw or gzipped), and the first trace of a new 8 × 16
shape ≤ 30 ms.

Run: ``python benchmarks/trace_v2.py`` (``--runs 9`` for steadier medians).
"""

from __future__ import annotations

import argparse
import gzip
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.api.routes.trace_v2 import CheckedPass, trace_v2_body  # noqa: E402
from app.api.schemas.trace_v2 import TraceV2Request  # noqa: E402
from app.nn.mlp import MLP  # noqa: E402
from app.tracing import contract, network  # noqa: E402

GOAL_NUMBERS_BYTES = 100_000
GOAL_FIRST_MS = 30.0


def _request(layers: list[int], batch: int, activation: str, loss: str) -> TraceV2Request:
    rng = np.random.default_rng(1)
    outputs = layers[-1]
    if loss == "cross_entropy":
        targets = np.eye(outputs)[np.arange(batch) % outputs].tolist()
    else:
        targets = [[0.5] * outputs for _ in range(batch)]
    return TraceV2Request(
        layers=layers,
        activation=activation,
        output_activation="identity",
        loss=loss,
        inputs=rng.uniform(-1, 1, size=(batch, layers[0])).round(2).tolist(),
        targets=targets,
        seed=1,
    )


NETWORKS = {
    "2-3-1, 1 sample": _request([2, 3, 1], 1, "tanh", "mse"),
    "8 × 16, 1 sample": _request([16] * 8, 1, "tanh", "mse"),
    "4-64-64-64-2, 64 samples": _request([4, 64, 64, 64, 2], 64, "relu", "cross_entropy"),
}


def _network(request: TraceV2Request) -> tuple[MLP, np.ndarray, np.ndarray]:
    mlp = MLP.create(request.layers, activation=request.activation, output_activation="identity", seed=request.seed)
    return mlp, np.asarray(request.inputs), np.asarray(request.targets)


def _ms(write: Callable[[], bytes], before: Callable[[], None], runs: int) -> str:
    """Median wall time of ``runs`` timings and, in parentheses, the least CPU time of this process: on a
    shared machine the CPU time says what the code costs, whatever else runs."""
    times, cpu = [], []
    for _ in range(runs):
        before()
        start, start_cpu = time.perf_counter(), time.process_time()
        write()
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return f"{statistics.median(times):.1f} ({min(cpu):.1f})"


def _kb(raw: bytes) -> str:
    return f"{len(raw) / 1000:,.1f} / {len(gzip.compress(raw, 6)) / 1000:,.1f}"


def _nothing() -> None:
    pass


def measure(name: str, request: TraceV2Request, runs: int) -> dict[str, str]:
    mlp, x, y = _network(request)

    def v1(graphs: bool = False) -> bytes:
        return network.trace_network(mlp, x, y, request.loss, request.learning_rate, request.sample, graphs)

    def v2(known: str | None = None) -> bytes:
        return trace_v2_body(CheckedPass(mlp, x, y, None, x), request.model_copy(update={"known_script_id": known}))

    script_id = contract.TraceShape.of(mlp, request.loss, len(x), request.sample).script_id
    script = contract.scripts.script_for(contract.TraceShape.of(mlp, request.loss, len(x), request.sample))[1]
    return {
        "network": name,
        "v1 KB (raw / gzip)": _kb(v1()),
        "v1 with op graphs": _kb(v1(True)),
        "v2 numbers only": _kb(v2(script_id)),
        "v2 script": _kb(script),
        "v1 first ms": _ms(v1, contract.scripts.clear, runs),
        "v2 first ms": _ms(v2, contract.scripts.clear, runs),
        "v1 repeat ms": _ms(v1, _nothing, runs),
        "v2 repeat ms": _ms(lambda: v2(script_id), _nothing, runs),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    rows = [measure(name, request, args.runs) for name, request in NETWORKS.items()]
    columns = list(rows[0])
    print("| " + " | ".join(columns) + " |")
    print("|" + "---|" * len(columns))
    for row in rows:
        print("| " + " | ".join(row[column] for column in columns) + " |")
    print(f"\nload average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"goals (8 × 16): numbers only ≤ {GOAL_NUMBERS_BYTES / 1000:.0f} KB, first trace ≤ {GOAL_FIRST_MS:.0f} ms")


if __name__ == "__main__":
    main()
