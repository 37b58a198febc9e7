"""Gzip levels for the app's answers: bytes and milliseconds per level, to choose the app's GZipMiddleware
settings (app/middleware.py GZIP_LEVEL, GZIP_MINIMUM_SIZE).

The bodies are the app's own answers, asked in-process without Accept-Encoding: a 2-3-1 trace (the
classroom network), an 8-layer × 16-neuron tanh trace as the step player first asks for it (no neuron op
graphs) and with them (what "One training step" asks for), small answers (catalogues, an error,
the liveness probe: where a minimum size pays), and the biggest static JS module. Each level is timed as the median of several runs of ``zlib`` with gzip framing, the
same compressor GZipMiddleware uses. When the ``brotli`` or ``zstandard`` packages are importable (they
are not dependencies of the app), brotli and zstd at their fast levels are printed beside it.

    python benchmarks/compression.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import zlib
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fastapi.testclient import TestClient  # noqa: E402

from app.api.presets import CLASSROOM_NETWORK  # noqa: E402
from app.main import create_app  # noqa: E402

LEVELS = (1, 3, 6, 9)
LAYERS = [16] * 8


def wide_tanh_network(include_neuron_graphs: bool) -> dict[str, object]:
    """The 8 × 16 tanh network of benchmarks/frontend.py, as a trace request."""
    return {
        "layers": LAYERS,
        "activation": "tanh",
        "output_activation": "identity",
        "loss": "mse",
        "seed": 1,
        "inputs": [[round(0.1 * i - 0.8, 2) for i in range(LAYERS[0])]],
        "targets": [[0.5] * LAYERS[-1]],
        "learning_rate": 0.1,
        "include_neuron_graphs": include_neuron_graphs,
    }


def bodies() -> dict[str, bytes]:
    client = TestClient(create_app())
    plain = {"Accept-Encoding": "identity"}

    def trace(request: dict[str, object]) -> bytes:
        response = client.post("/api/v1/network/trace", json=request, headers=plain)
        response.raise_for_status()
        return response.content

    biggest_js = max((ROOT / "static" / "js").rglob("*.js"), key=lambda path: path.stat().st_size)
    return {
        "trace 2-3-1": trace(CLASSROOM_NETWORK),
        "trace 8×16, first view": trace(wide_tanh_network(include_neuron_graphs=False)),
        "trace 8×16, with op graphs": trace(wide_tanh_network(include_neuron_graphs=True)),
        "GET /api/v1/presets": client.get("/api/v1/presets", headers=plain).content,
        "GET /api/v1/limits": client.get("/api/v1/limits", headers=plain).content,
        "a 422 answer": client.post("/api/v1/network/trace", json={"layers": "x"}, headers=plain).content,
        "GET /healthz": client.get("/healthz", headers=plain).content,
        f"static {biggest_js.relative_to(ROOT).as_posix()}": biggest_js.read_bytes(),
    }


def gzip_bytes(body: bytes, level: int) -> bytes:
    compressor = zlib.compressobj(level, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    return compressor.compress(body) + compressor.flush()


def other_encoders() -> dict[str, Callable[[bytes], bytes]]:
    """Brotli and zstd at fast settings, for those installed."""
    encoders: dict[str, Callable[[bytes], bytes]] = {}
    try:
        import brotli

        for quality in (1, 4):
            encoders[f"br {quality}"] = lambda body, quality=quality: brotli.compress(body, quality=quality)
    except ImportError:
        pass
    try:
        import zstandard

        for level in (1, 3):
            encoders[f"zstd {level}"] = zstandard.ZstdCompressor(level=level).compress
    except ImportError:
        pass
    return encoders


def measure(encode: Callable[[bytes], bytes], body: bytes, repeat: int) -> tuple[int, float]:
    """(compressed bytes, median milliseconds) for ``body``."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        compressed = encode(body)
        times.append((time.perf_counter() - start) * 1000)
    return len(compressed), statistics.median(times)


def print_table(encoders: dict[str, Callable[[bytes], bytes]], named_bodies: dict[str, bytes], repeat: int) -> None:
    header = f"{'body':<42}{'plain':>12}" + "".join(f"{name:>22}" for name in encoders)
    print(header)
    print("-" * len(header))
    for name, body in named_bodies.items():
        cells = []
        for encode in encoders.values():
            size, ms = measure(encode, body, repeat)
            cells.append(f"{size:>10,} B {ms:>6.1f} ms ({size / len(body):.0%})".rjust(22))
        print(f"{name:<42}{len(body):>10,} B" + "".join(cells))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    named_bodies = bodies()
    gzip_levels = {f"gzip {level}": lambda body, level=level: gzip_bytes(body, level) for level in LEVELS}
    for body in named_bodies.values():
        assert zlib.decompress(gzip_bytes(body, 1), 16 + zlib.MAX_WBITS) == body
    print_table(gzip_levels, named_bodies, args.repeat)
    others = other_encoders()
    if others:
        print()
        print_table(others, named_bodies, args.repeat)


if __name__ == "__main__":
    main()
