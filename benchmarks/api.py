"""How fast does the API answer under load, next to a trivial endpoint?

Starts the production server (``python -m app``: uvicorn, 1 worker, the JSON access log on) on a free
port of 127.0.0.1 and drives each endpoint with ``wrk`` (32 connections, about 10 s each, POST bodies
from a Lua script):

    healthz          GET /healthz, the trivial baseline: routing, middleware and a tiny JSON body
    trace 2-3-1      POST /api/v1/network/trace, the classroom network (one sample)
    trace 4-16-16-2  the same for a wider network and a batch of 8
    expression       POST /api/v1/expression, cos(x^2 - 1) at x = 3

Each POST runs twice: with the same body every time (as when visitors open the same lesson: answered
from the response cache after the first) and, marked "new", with a number in the body changed on every
request (a trace's first input, the expression's x: every number of the answer changes), so every
answer is computed afresh. It prints requests/s, p50 and p99 latency, and each
endpoint's throughput relative to healthz. Goals: the classroom trace keeps ≥ 60% of the trivial
endpoint's throughput, with p99 < 20 ms, at 32 connections.

Run: ``python benchmarks/api.py`` (``--duration 3`` for a quick look; ``--rounds 3`` interleaves three runs
of every endpoint and shows the medians, steadier on a shared machine). Needs ``wrk`` on the PATH.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.api.presets import CLASSROOM_NETWORK  # noqa: E402
from benchmarks.serving import HOST, free_port, start_server, stop_server  # noqa: E402

CONNECTIONS = 32
GOAL_RATIO = 0.60
GOAL_P99_MS = 20.0

CLASSROOM = CLASSROOM_NETWORK  # the lessons' classroom network, as /api/v1/presets serves it
WIDE = {
    "layers": [4, 16, 16, 2],
    "activation": "relu",
    "output_activation": "identity",
    "loss": "cross_entropy",
    "inputs": [[(i * 7 + j) % 5 / 5 - 0.4 for j in range(4)] for i in range(8)],
    "targets": [[1.0, 0.0] if i % 2 else [0.0, 1.0] for i in range(8)],
    "learning_rate": 0.1,
    "seed": 1,
}
EXPRESSION = {"expression": "cos(x^2 - 1)", "variables": {"x": 3}}


VARY = "__vary__"  # replaced by a number unique to each request: no two bodies alike, no cached answer


@dataclass(frozen=True)
class Endpoint:
    name: str
    path: str
    body: dict | None = None  # None: GET
    vary: tuple[str | int, ...] = ()  # the path to a number in the body to make unique per request


ENDPOINTS = [
    Endpoint("healthz", "/healthz"),
    Endpoint("trace 2-3-1", "/api/v1/network/trace", CLASSROOM),
    Endpoint("trace 2-3-1 new", "/api/v1/network/trace", CLASSROOM, ("inputs", 0, 0)),
    Endpoint("trace 4-16-16-2", "/api/v1/network/trace", WIDE),
    Endpoint("trace 4-16-16-2 new", "/api/v1/network/trace", WIDE, ("inputs", 0, 0)),
    Endpoint("expression", "/api/v1/expression", EXPRESSION),
    Endpoint("expression new", "/api/v1/expression", EXPRESSION, ("variables", "x")),
]


@dataclass(frozen=True)
class Result:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int


def check(endpoint: Endpoint, base: str) -> None:
    """One request first: a benchmark of error responses would measure nothing."""
    data = None if endpoint.body is None else json.dumps(endpoint.body).encode()
    request = urllib.request.Request(base + endpoint.path, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200, f"{endpoint.name}: HTTP {response.status}"


# Each wrk thread numbers its requests; with the thread's id that makes every varied body unique.
VARYING = """
local threads = 0
function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end
function init(args)
  id = wrk.thread:get("id")
  sent = 0
end
function request()
  sent = sent + 1
  local value = string.format("%.15g", {base} + (id * 1e7 + sent) * 1e-12)
  return wrk.format("POST", nil, nil, string.format([==[{template}]==], value))
end
"""


def _with_sentinel(body: dict, path: tuple[str | int, ...]) -> tuple[dict, float]:
    copy = json.loads(json.dumps(body))
    parent = copy
    for key in path[:-1]:
        parent = parent[key]
    base = float(parent[path[-1]])
    parent[path[-1]] = VARY
    return copy, base


def lua_script(endpoint: Endpoint, directory: Path) -> Path:
    path = directory / (re.sub(r"\W+", "_", endpoint.name) + ".lua")
    lines = ['wrk.headers["Content-Type"] = "application/json"']
    if endpoint.body is not None and endpoint.vary:
        body, base = _with_sentinel(endpoint.body, endpoint.vary)
        template = json.dumps(body).replace("%", "%%").replace(f'"{VARY}"', "%s")
        lines.append(VARYING.replace("{base}", repr(base)).replace("{template}", template))
    elif endpoint.body is not None:
        lines += ['wrk.method = "POST"', f"wrk.body = [==[{json.dumps(endpoint.body)}]==]"]
    path.write_text("\n".join(lines) + "\n")
    return path


def _milliseconds(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[unit]


def run_wrk(endpoint: Endpoint, base: str, duration: float, threads: int, directory: Path) -> Result:
    script = lua_script(endpoint, directory)
    command = [
        "wrk", f"-t{threads}", f"-c{CONNECTIONS}", f"-d{duration:g}s", "--latency", "-s", str(script),
        base + endpoint.path,
    ]  # fmt: skip
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = _milliseconds(re.search(r"\s50%\s+(\S+)", output).group(1))  # type: ignore[union-attr]
    p99 = _milliseconds(re.search(r"\s99%\s+(\S+)", output).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    errors = int(bad.group(1)) if bad else 0
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    return Result(rate, p50, p99, errors)


def median_result(results: list[Result]) -> Result:
    return Result(
        statistics.median(r.requests_per_second for r in results),
        statistics.median(r.p50_ms for r in results),
        statistics.median(r.p99_ms for r in results),
        sum(r.errors for r in results),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per endpoint (default 10)")
    parser.add_argument(
        "--threads", type=int, default=1, help="wrk threads (default 1: more of the CPU for the server)"
    )
    parser.add_argument("--rounds", type=int, default=1, help="runs per endpoint, interleaved; medians are shown")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (apt-get install wrk)")
    port = free_port()
    base = f"http://{HOST}:{port}"
    server = start_server(port, {"BACKPROP_WORKERS": "1"})
    print(f"Python {platform.python_version()}, {os.cpu_count()} CPUs, {platform.machine()}; uvicorn, 1 worker")
    print(
        f"wrk: {CONNECTIONS} connections, {args.threads} threads, {args.duration:g} s per run, {args.rounds} round(s)"
    )
    print(f"load average before: {', '.join(f'{x:.1f}' for x in os.getloadavg())}\n")
    runs: dict[str, list[Result]] = {endpoint.name: [] for endpoint in ENDPOINTS}
    try:
        with tempfile.TemporaryDirectory() as directory:
            for endpoint in ENDPOINTS:
                check(endpoint, base)
                run_wrk(endpoint, base, min(2.0, args.duration), args.threads, Path(directory))  # warm-up
            for _ in range(args.rounds):  # interleaved, so that a busy moment of the machine hits every endpoint
                for endpoint in ENDPOINTS:
                    runs[endpoint.name].append(run_wrk(endpoint, base, args.duration, args.threads, Path(directory)))
    finally:
        stop_server(server)
    results = {name: median_result(rs) for name, rs in runs.items()}
    baseline = results["healthz"].requests_per_second
    print(f"{'endpoint':<18}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'vs healthz':>12}{'errors':>8}")
    for name, r in results.items():
        ratio = r.requests_per_second / baseline
        print(f"{name:<18}{r.requests_per_second:>10.0f}{r.p50_ms:>10.2f}{r.p99_ms:>10.2f}{ratio:>11.0%}{r.errors:>8}")
    classroom = results["trace 2-3-1"]
    ratio = classroom.requests_per_second / baseline
    print(
        f"\ngoal: trace 2-3-1 ≥ {GOAL_RATIO:.0%} of healthz → {ratio:.0%} "
        f"({'met' if ratio >= GOAL_RATIO else 'missed'}); "
        f"p99 < {GOAL_P99_MS:g} ms → {classroom.p99_ms:.2f} ms ({'met' if classroom.p99_ms < GOAL_P99_MS else 'missed'})"
    )


if __name__ == "__main__":
    main()
