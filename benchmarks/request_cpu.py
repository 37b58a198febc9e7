"""CPU time per request through the whole ASGI app, in-process: /healthz against fresh small traces.

No sockets and no HTTP parser: each request is handed to the app as uvicorn would hand it (scope, a body in
one message, Content-Length as wrk sends it, no Accept-Encoding), through every middleware, the access log
included (written to a discarded stream). What is left out is the server's own share (h11, the event
loop's socket work), which ``benchmarks/throughput.py`` measures with it.

    healthz   GET  /healthz
    static    GET  /static/v/<version>/js/player/store.js, gzip accepted: one of the dozens of files a page
                   loads, each through the same middleware and route matching as an API request
    trace v1  POST /api/v1/network/trace   2-3-1, one sample, include_neuron_graphs false, a new input each time
    trace v2  POST /api/v2/network/trace   the same passes, naming the script the client holds

Each is run in ``--chunks`` chunks; the figure is the lower quartile of the chunks' CPU time per request
(``time.process_time``), which other jobs on a shared machine disturb least. ``--root`` imports the app
from another checkout (a worktree of an earlier commit) to compare in turns.

Run: ``python benchmarks/request_cpu.py [--requests 4000] [--root /tmp/wt-old]``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

TRACE_V1 = (
    '{"layers": [2, 3, 1], "inputs": [[%s, -1.0]], "targets": [[1.0]], "seed": 1, "include_neuron_graphs": false}'
)
TRACE_V2 = '{"layers": [2, 3, 1], "inputs": [[%s, -1.0]], "targets": [[1.0]], "seed": 1, "known_script_id": "%s"}'


async def call(app: Any, method: str, path: str, body: bytes = b"") -> bytes:
    """One request through the ASGI app; the response body."""
    headers = [(b"host", b"127.0.0.1")]
    if path.startswith("/static/"):
        headers.append((b"accept-encoding", b"gzip, deflate, br"))  # as a browser asks
    if method == "POST":
        headers += [(b"content-length", str(len(body)).encode()), (b"content-type", b"application/json")]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    messages = [{"type": "http.request", "body": body, "more_body": False}]
    received: list[bytes] = []

    async def receive() -> dict[str, Any]:
        return messages.pop() if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.body":
            received.append(message.get("body", b""))

    await app(scope, receive, send)
    return b"".join(received)


async def measure(app: Any, requests: int, chunks: int) -> dict[str, float]:
    import orjson

    static_file = f"{app.state.static_prefix}/js/player/store.js"
    first = await call(app, "POST", "/api/v2/network/trace", (TRACE_V1 % "0.5").encode())
    script_id = orjson.loads(first)["script_id"]
    cases: dict[str, tuple[str, str, Callable[[int], bytes]]] = {
        "healthz": ("GET", "/healthz", lambda n: b""),
        "static": ("GET", static_file, lambda n: b""),
        "trace v1": ("POST", "/api/v1/network/trace", lambda n: (TRACE_V1 % f"1.{n:09d}").encode()),
        "trace v2": ("POST", "/api/v2/network/trace", lambda n: (TRACE_V2 % (f"2.{n:09d}", script_id)).encode()),
    }
    figures = {}
    number = 0
    for name, (method, path, body) in cases.items():
        for _ in range(200):  # warm-up
            number += 1
            await call(app, method, path, body(number))
        per_chunk = []
        for _ in range(chunks):
            start = time.process_time()
            for _ in range(requests // chunks):
                number += 1  # a new input number: the response cache never answers
                await call(app, method, path, body(number))
            per_chunk.append((time.process_time() - start) / (requests // chunks) * 1000)
        figures[name] = sorted(per_chunk)[len(per_chunk) // 4]
    return figures


async def run(requests: int, chunks: int) -> dict[str, float]:
    from app.main import create_app

    app = create_app()
    # The access log is written to stdout, as the server writes it; here to a discarded stream.
    with open(os.devnull, "w") as devnull, contextlib.redirect_stdout(devnull):
        async with app.router.lifespan_context(app):
            return await measure(app, requests, chunks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--chunks", type=int, default=10)
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[1])
    args = parser.parse_args()
    os.environ["BACKPROP_RATE_LIMIT_PER_MINUTE"] = "0"
    sys.path.insert(0, str(args.root.resolve()))
    figures = asyncio.run(run(args.requests, args.chunks))
    print(f"| code | {' | '.join(figures)} | v1 / healthz | v2 / healthz |")
    print("|---|" + "---:|" * (len(figures) + 2))
    cells = " | ".join(f"{ms:.3f} ms" for ms in figures.values())
    ratios = " | ".join(f"{figures['healthz'] / figures[name]:.0%}" for name in ("trace v1", "trace v2"))
    print(f"| {args.root} | {cells} | {ratios} |")
    print(f"\nCPU per request, lower quartile of {args.chunks} chunks; load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
