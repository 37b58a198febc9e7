"""Load and soak: many concurrent clients on loopback against a real server, with 1 and with 2 workers.

For each worker count, `python -m app` is started on 127.0.0.1 (production defaults, JSON access log on,
written to /dev/null), and wrk (https://github.com/wg/wrk, Debian package `wrk`) holds ``--connections``
open for ``--seconds`` against each endpoint, POSTing small requests:

    trace        POST /api/v1/network/trace   a 2-3-1 network, one sample: forward, backward, one SGD step
    expression   POST /api/v1/expression      cos(x^2 - 1) · sigmoid(x y): graph, gradient and steps

in two ways: ``fresh``, where every request carries a different input value so each one is computed, and
``repeated``, the same body every time, which the response cache (BACKPROP_RESPONSE_CACHE_BYTES) answers
after the first request, as it does for lesson presets.

Reported per run: requests/s, latency p50/p99, errors (non-2xx responses + socket errors), and the resident
memory (VmRSS) of the server and its worker processes before, at the peak of (sampled every second) and after
the run. A soak is the same with a longer ``--seconds``.

Run: ``python benchmarks/load.py`` (``--seconds 5`` for a quick look). Only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.serving import HOST, free_port, start_server, stop_server  # noqa: E402

# Each body has one number written as 1.<9 digits>: VALUE in repeated runs, a per-request counter in fresh ones.
VALUE = "1.000000000"
ENDPOINTS = {
    "trace": (
        "/api/v1/network/trace",
        '{"layers": [2, 3, 1], "inputs": [[%s, -1.0]], "targets": [[1.0]], "seed": 1}',
    ),
    "expression": (
        "/api/v1/expression",
        '{"expression": "cos(x^2 - 1) * sigmoid(x*y)", "variables": {"x": %s, "y": -0.5}}',
    ),
}
MODES = ("fresh", "repeated")

# wrk's Lua hooks: POST a body (a fresh one per request if asked); at the end print one JSON line of figures.
WRK_SCRIPT = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local template, fresh, counter = {template}, {fresh}, 0
wrk.body = string.format(template, "{value}")
if fresh then
  request = function()
    counter = counter + 1
    return wrk.format(nil, nil, nil, string.format(template, string.format("1.%09d", counter)))
  end
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '@@{{"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,' ..
    '"p50_us":%d,"p99_us":%d,"max_us":%d}}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
"""


@dataclass
class Result:
    workers: int
    endpoint: str
    mode: str
    requests: int
    rps: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    non_2xx: int
    socket_errors: int
    rss_before_mb: float
    rss_peak_mb: float
    rss_after_mb: float


def process_tree(pid: int) -> list[int]:
    """pid and all its descendants (uvicorn's supervisor and its worker processes)."""
    pids, pending = [], [pid]
    while pending:
        current = pending.pop()
        pids.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                pending += [int(child) for child in (task / "children").read_text().split()]
            except OSError:
                continue
    return pids


def rss_mb(pid: int) -> float:
    total_kb = 0
    for member in process_tree(pid):
        try:
            for line in Path(f"/proc/{member}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kb += int(line.split()[1])
        except OSError:
            continue
    return total_kb / 1024


class RssSampler:
    """Samples the server's resident memory once a second while a run lasts; ``peak`` is the largest."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(1.0):
            self.peak = max(self.peak, rss_mb(self.pid))

    def __enter__(self) -> RssSampler:
        self.peak = rss_mb(self.pid)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def warm_up(port: int, path: str, template: str, count: int = 200) -> None:
    data = (template % VALUE).encode()
    json.loads(data)
    for _ in range(count):
        request = urllib.request.Request(
            f"http://{HOST}:{port}{path}", data=data, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()


def run_wrk(port: int, path: str, template: str, fresh: bool, connections: int, seconds: int, threads: int) -> dict:
    lua = WRK_SCRIPT.format(template=json.dumps(template), fresh=str(fresh).lower(), value=VALUE)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(lua)
    try:
        command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", script.name]
        output = subprocess.run(
            [*command, f"http://{HOST}:{port}{path}"], capture_output=True, text=True, check=True
        ).stdout
    finally:
        os.unlink(script.name)
    (line,) = [line for line in output.splitlines() if line.startswith("@@")]
    return json.loads(line[2:])


def measure(workers: int, name: str, mode: str, connections: int, seconds: int, threads: int) -> Result:
    path, template = ENDPOINTS[name]
    port = free_port()
    server = start_server(
        port,
        {"BACKPROP_WORKERS": str(workers)},
        ready=lambda server: len(process_tree(server.pid)) >= (1 if workers == 1 else workers + 1),  # all workers up
    )
    try:
        warm_up(port, path, template)
        before = rss_mb(server.pid)
        with RssSampler(server.pid) as sampler:
            figures = run_wrk(port, path, template, mode == "fresh", connections, seconds, threads)
        time.sleep(0.5)
        after = rss_mb(server.pid)
    finally:
        stop_server(server)
    return Result(
        workers=workers,
        endpoint=name,
        mode=mode,
        requests=figures["requests"],
        rps=figures["requests"] / (figures["duration_us"] / 1e6),
        p50_ms=figures["p50_us"] / 1000,
        p99_ms=figures["p99_us"] / 1000,
        max_ms=figures["max_us"] / 1000,
        non_2xx=figures["status"],
        socket_errors=figures["connect"] + figures["read"] + figures["write"] + figures["timeout"],
        rss_before_mb=before,
        rss_peak_mb=sampler.peak,
        rss_after_mb=after,
    )


def load_average() -> str:
    """The 1-minute load average: other work on the machine takes cores from the server and from wrk."""
    return Path("/proc/loadavg").read_text().split()[0]


def table(results: list[Result]) -> str:
    lines = [
        "| endpoint | bodies | workers | requests | req/s | p50 ms | p99 ms | max ms | non-2xx | socket errors "
        "| RSS before → peak → after (MiB) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.endpoint} | {r.mode} | {r.workers} | {r.requests:,} | {r.rps:,.0f} | {r.p50_ms:.1f} | {r.p99_ms:.1f} | "
            f"{r.max_ms:.0f} | {r.non_2xx} | {r.socket_errors} "
            f"| {r.rss_before_mb:.0f} → {r.rss_peak_mb:.0f} → {r.rss_after_mb:.0f} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads (it shares the machine's cores)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--endpoints", nargs="+", default=list(ENDPOINTS), choices=list(ENDPOINTS))
    parser.add_argument("--modes", nargs="+", default=list(MODES), choices=MODES)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is not installed: apt-get install wrk", file=sys.stderr)
        return 2
    print(
        f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cores; "
        f"wrk -t{args.threads} -c{args.connections} -d{args.seconds}s on {HOST}; "
        f"load average before: {load_average()}\n",
        flush=True,
    )
    results = []
    for name in args.endpoints:
        for mode in args.modes:
            for workers in args.workers:
                results.append(measure(workers, name, mode, args.connections, args.seconds, args.threads))
                print(table(results[-1:]).splitlines()[-1], flush=True)
    print(f"\nload average after: {load_average()}\n")
    print(table(results))
    failed = sum(r.non_2xx + r.socket_errors for r in results)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
