"""Memory of one server process while the heaviest requests arrive at once.

Starts ``python -m app`` (one worker: the process that serves is the one measured), fires six concurrent
traces of the largest network the caps allow (batch 256, op graphs included) and one training stream, and
samples the worker's resident set size (VmRSS in /proc/<pid>/status) every 10 ms. Prints the RSS before,
the peak while they run and after, and how each request was answered (200, or 503 when no slot was free).

    python benchmarks/memory.py [--slots 2] [--queue 4] [--traces 6]
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.serving import HOST, free_port, start_server, stop_server

LARGEST = [2, 64, 64, 64, 26]  # 9,984 weights: just under BACKPROP_MAX_TRACE_WEIGHTS
STREAM = {  # near the compute budget: 400 steps, 21 records of 400 points, 12 pictures with every neuron's map
    "layers": [2, 64, 64, 64, 1],
    "dataset": {"name": "spiral", "n": 400},
    "batch_size": 10,
    "steps": 400,
    "record_every": 20,
    "stream_grid_every": 2,
    "grid": {"resolution": 48, "neuron_resolution": 14},
}
SAMPLE_SECONDS = 0.01


def trace_body(seed: int) -> dict:
    rng = np.random.default_rng(seed)
    return {
        "layers": LARGEST,
        "activation": "tanh",
        "output_activation": "identity",
        "loss": "mse",
        "seed": seed,  # a different network each: no answer comes from the cache
        "inputs": rng.normal(size=(256, LARGEST[0])).tolist(),
        "targets": rng.normal(size=(256, LARGEST[-1])).tolist(),
        "include_neuron_graphs": True,
    }


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def post(url: str, body: dict, answers: list[tuple[str, int, int]], name: str) -> None:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=300) as response:
            size = 0
            while chunk := response.read(1 << 16):
                size += len(chunk)
            answers.append((name, response.status, size))
    except urllib.error.HTTPError as error:
        answers.append((name, error.code, len(error.read())))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slots", type=int, default=2)
    parser.add_argument("--queue", type=int, default=4)
    parser.add_argument("--traces", type=int, default=6)
    args = parser.parse_args()
    port = free_port()
    settings = {
        "BACKPROP_WORKERS": "1",
        "BACKPROP_LOG_LEVEL": "warning",
        "BACKPROP_HEAVY_SLOTS": str(args.slots),
        "BACKPROP_HEAVY_QUEUE": str(args.queue),
        "BACKPROP_HEAVY_QUEUE_SECONDS": "120",
        "BACKPROP_RATE_LIMIT_PER_MINUTE": "0",
    }
    server = start_server(port, settings)
    base = f"http://{HOST}:{port}/api/v1"
    try:
        post(
            base + "/network/trace",
            {**trace_body(0), "layers": [2, 3, 1], "inputs": [[0, 0]], "targets": [[0]]},
            [],
            "warm",
        )
        time.sleep(0.5)
        before = rss_mb(server.pid)
        answers: list[tuple[str, int, int]] = []
        requests = [
            threading.Thread(target=post, args=(base + "/network/trace", trace_body(i + 1), answers, f"trace {i + 1}"))
            for i in range(args.traces)
        ]
        requests.append(threading.Thread(target=post, args=(base + "/network/train/stream", STREAM, answers, "stream")))
        peak, start = before, time.perf_counter()
        for request in requests:
            request.start()
        while any(request.is_alive() for request in requests):
            peak = max(peak, rss_mb(server.pid))
            time.sleep(SAMPLE_SECONDS)
        seconds = time.perf_counter() - start
        time.sleep(1.0)
        after = rss_mb(server.pid)
    finally:
        stop_server(server)
    print(
        f"slots {args.slots}, queue {args.queue}: {args.traces} traces of {LARGEST} (batch 256, op graphs) + 1 stream"
    )
    for name, status, size in sorted(answers):
        print(f"  {name:<9} {status}  {size / 1e6:8.2f} MB")
    print(
        f"worker RSS: before {before:.0f} MB, peak {peak:.0f} MB, after {after:.0f} MB; all answered in {seconds:.1f} s"
    )


if __name__ == "__main__":
    main()
