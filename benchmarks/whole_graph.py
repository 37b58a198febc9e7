"""What the whole graph costs: POST /api/v2/network/trace with and without include_graph, in process.

For the playground's default network and for networks near the node cap (max_graph_nodes), prints the
graph's nodes, the answer's bytes with and without it, and the median milliseconds of each answer, so
the price of the graph (a second pass, one scalar op at a time) is seen beside the trace it rides on.

    python benchmarks/whole_graph.py [--repeat 21]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fastapi.testclient import TestClient  # noqa: E402

from app.main import create_app  # noqa: E402
from app.settings import Settings  # noqa: E402
from app.tracing.whole_graph import node_count  # noqa: E402

NETWORKS = {
    "default 2-3-1, bce, 1 sample": {"layers": [2, 3, 1], "inputs": [[1, 0.5]], "targets": [[1]]},
    "2-4-4-1, bce, 4 samples": {
        "layers": [2, 4, 4, 1],
        "inputs": [[1, 0.5], [-1, 0.2], [0.3, -0.7], [0, 1]],
        "targets": [[1], [0], [1], [0]],
    },
    "2-8-8-1, bce, 1 sample": {"layers": [2, 8, 8, 1], "inputs": [[1, 0.5]], "targets": [[1]]},
}


def median_ms(client: TestClient, body: dict, repeat: int) -> tuple[float, int]:
    times, size = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.post("/api/v2/network/trace", json=body)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.text
        size = len(response.content)
    return statistics.median(times), size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=21)
    args = parser.parse_args()
    with TestClient(create_app(Settings(response_cache_bytes=0))) as client:
        print(f"{'network':32} {'nodes':>6} {'trace ms':>9} {'+graph ms':>10} {'trace B':>8} {'+graph B':>9}")
        for name, network in NETWORKS.items():
            body = {"activation": "tanh", "output_activation": "sigmoid", "loss": "bce", "seed": 1, **network}
            nodes = node_count(network["layers"], len(network["inputs"]), "bce")
            plain_ms, plain_bytes = median_ms(client, body, args.repeat)
            graph_ms, graph_bytes = median_ms(client, {**body, "include_graph": True}, args.repeat)
            print(f"{name:32} {nodes:6d} {plain_ms:9.2f} {graph_ms:10.2f} {plain_bytes:8d} {graph_bytes:9d}")


if __name__ == "__main__":
    main()
