"""How close is a fresh small trace to the cheapest request the server answers?

Starts the server on 127.0.0.1 with one worker, then points wrk (Debian package ``wrk``, one thread,
``--connections`` connections, ``--seconds`` each) at

    healthz   GET  /healthz                  the floor: routing, middleware, a tiny JSON answer
    trace     POST /api/v1/network/trace     a 2-3-1 network, one sample, include_neuron_graphs false,
                                             a new input number in every request (a Lua counter), so the
                                             response cache never answers and every pass is computed
    trace v2  POST /api/v2/network/trace     the same passes as the step player asks for them: the numbers,
                                             naming the script of the shape it already holds

and prints req/s, p50 and p99 of each and the ratio trace / healthz, and beside them the server's CPU
time per request (user + system of its process over the run, divided by the requests) and the ratio of
those: on a shared machine wrk and other jobs take turns with the server, and the CPU time is what a request
costs whatever else runs. Goals: the ratio ≥ 60 %, trace p99 < 20 ms.

The p99 goal is bounded by arithmetic: with N connections always in flight, the mean latency is N / req/s
(Little's law), so a p99 under 20 ms at 32 connections needs well over 32 / 0.020 = 1,600 req/s, from
/healthz too. The script prints that bound beside each run, and runs /healthz and the v2 trace again with
fewer connections (``--fewer-connections``, 8 by default; none with ``--fewer-connections``) to show the
tail once the queue is shorter.

The server is ``python -m app`` (the production settings: httptools with the head's cap and deadline,
asyncio's event loop, JSON access log on, response cache on). ``--servers`` adds the same app under
uvicorn's command line for comparison: ``uvloop`` (httptools on uvicorn's default loop, which accepts one
new connection per turn of its loop, so each run's 32 connections opening at once wait behind rounds of
requests: the long tail of its p99) and ``h11`` (the h11 parser on asyncio's loop).

Run: ``python benchmarks/throughput.py`` (``--servers app uvloop h11`` for all three). Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import selectors
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.serving import HOST, free_port, stop_server  # noqa: E402

GOAL_RATIO = 0.60
RUN_OFFSETS = itertools.count(0, 10_000_000)
GOAL_P99_MS = 20.0
TRACE_BODY = (
    '{"layers": [2, 3, 1], "inputs": [[%s, -1.0]], "targets": [[1.0]], "seed": 1, "include_neuron_graphs": false}'
)

TRACE_V2_BODY = (
    '{"layers": [2, 3, 1], "inputs": [[%s, -1.0]], "targets": [[1.0]], "seed": 1, "known_script_id": "{id}"}'
)

# wrk's Lua hooks: a GET, or a POST whose body carries a new number per request; one JSON line of figures.
WRK_SCRIPT = """
local template, counter = {template}, {first}
if template ~= "" then
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  request = function()
    counter = counter + 1
    return wrk.format(nil, nil, nil, string.format(template, string.format("1.%09d", counter)))
  end
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '@@{{"requests":%d,"duration_us":%d,"errors":%d,"p50_us":%d,"p99_us":%d}}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""


# uvicorn's command line for the comparisons: the event loop and the HTTP parser
COMPARED = {"uvloop": ["--loop", "uvloop", "--http", "httptools"], "h11": ["--loop", "asyncio", "--http", "h11"]}


def start(port: int, server: str) -> subprocess.Popen:
    """``python -m app``, or the same app and settings under uvicorn's command line with another loop or parser."""
    env = {**os.environ, "BACKPROP_HOST": HOST, "BACKPROP_PORT": str(port), "BACKPROP_RATE_LIMIT_PER_MINUTE": "0"}
    command = [sys.executable, "-m", "app"]
    if server in COMPARED:
        command = [sys.executable, "-m", "uvicorn", "app.main:app", "--host", HOST, "--port", str(port)]
        command += [*COMPARED[server], "--no-access-log", "--no-server-header"]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(600):
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/readyz", timeout=2) as response:
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.1)
    stop_server(server)
    raise RuntimeError("the server did not become ready")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used: on a shared machine, what a request costs the server."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wrk(server: subprocess.Popen, port: int, path: str, template: str, connections: int, seconds: int) -> dict:
    cpu_before = cpu_seconds(server.pid)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        # Each run numbers its inputs from its own range: a later run repeating an earlier one's inputs would
        # be answered from the response cache.
        script.write(WRK_SCRIPT.format(template=json.dumps(template), first=next(RUN_OFFSETS)))
    try:
        command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", script.name]
        output = subprocess.run(
            [*command, f"http://{HOST}:{port}{path}"], capture_output=True, text=True, check=True
        ).stdout
    finally:
        os.unlink(script.name)
    (line,) = [line for line in output.splitlines() if line.startswith("@@")]
    figures = json.loads(line[2:])
    return {
        "rps": figures["requests"] / (figures["duration_us"] / 1e6),
        "cpu_ms": (cpu_seconds(server.pid) - cpu_before) * 1000 / max(figures["requests"], 1),
        "p50": figures["p50_us"] / 1000,
        "p99": figures["p99_us"] / 1000,
        "errors": figures["errors"],
    }


def burst_ms(port: int, count: int) -> float:
    """Open ``count`` connections at once and send each a GET /healthz: ms until the last of them is answered."""
    selector = selectors.DefaultSelector()
    start = time.perf_counter()
    for _ in range(count):
        sock = socket.socket()
        sock.setblocking(False)
        sock.connect_ex((HOST, port))
        selector.register(sock, selectors.EVENT_WRITE)
    answered = 0
    while answered < count:
        ready = selector.select(timeout=10)
        if not ready:
            raise RuntimeError("a burst connection got no answer in 10 s")
        for key, events in ready:
            sock = key.fileobj
            if events & selectors.EVENT_WRITE:
                sock.send(b"GET /healthz HTTP/1.1\r\nHost: bench\r\n\r\n")
                selector.modify(sock, selectors.EVENT_READ)
            elif sock.recv(65536):
                answered += 1
                selector.unregister(sock)
                sock.close()
    return (time.perf_counter() - start) * 1000


def bursts_under_load(port: int, template: str, count: int, bursts: int) -> list[float]:
    """While wrk keeps ``count`` connections busy with v2 traces, ``bursts`` times open ``count`` more at once."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT.format(template=json.dumps(template), first=next(RUN_OFFSETS)))
    seconds = bursts + 2
    load = subprocess.Popen(
        ["wrk", "-t1", f"-c{count}", f"-d{seconds}s", "-s", script.name, f"http://{HOST}:{port}/api/v2/network/trace"],
        stdout=subprocess.DEVNULL,
    )
    try:
        time.sleep(1)
        figures = []
        for _ in range(bursts):
            figures.append(burst_ms(port, count))
            time.sleep(0.5)
        return figures
    finally:
        load.wait()
        os.unlink(script.name)


def post(port: int, path: str, body: str) -> dict:
    request = urllib.request.Request(
        f"http://{HOST}:{port}{path}", data=body.encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def warm_up(port: int) -> str:
    """Warm the server's caches; return the id of the 2-3-1 shape's script, as a player would hold it."""
    for number in range(300):
        post(port, "/api/v1/network/trace", TRACE_BODY % f"2.{number:09d}")
    return post(port, "/api/v2/network/trace", TRACE_BODY % "0.5")["script_id"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--servers", nargs="+", default=["app"], choices=["app", *COMPARED])
    parser.add_argument("--fewer-connections", type=int, nargs="*", default=[8])
    args = parser.parse_args()
    fewer: list[tuple[str, int, str, dict]] = []
    bursts: dict[str, list[float]] = {}
    print("| server | endpoint | req/s | p50 ms | p99 ms | server CPU ms / request | errors |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for kind in args.servers:
        port = free_port()
        server = start(port, kind)
        try:
            script_id = warm_up(port)
            health = wrk(server, port, "/healthz", "", args.connections, args.seconds)
            traces = {
                "v1": wrk(server, port, "/api/v1/network/trace", TRACE_BODY, args.connections, args.seconds),
                "v2": wrk(
                    server,
                    port,
                    "/api/v2/network/trace",
                    TRACE_V2_BODY.replace("{id}", script_id),
                    args.connections,
                    args.seconds,
                ),
            }
            v2_body = TRACE_V2_BODY.replace("{id}", script_id)
            bursts[kind] = bursts_under_load(port, v2_body, args.connections, 5)
            for count in args.fewer_connections:
                fewer.append((kind, count, "healthz", wrk(server, port, "/healthz", "", count, args.seconds)))
                fewer.append(
                    (kind, count, "trace v2", wrk(server, port, "/api/v2/network/trace", v2_body, count, args.seconds))
                )
        finally:
            stop_server(server)
        rows = [("healthz", health)] + [(f"fresh 2-3-1 trace, {v}", figures) for v, figures in traces.items()]
        for name, figures in rows:
            print(
                f"| {kind} | {name} | {figures['rps']:,.0f} | {figures['p50']:.1f} | {figures['p99']:.1f} "
                f"| {figures['cpu_ms']:.3f} | {figures['errors']} |"
            )
        for version, trace in traces.items():
            ratio, cpu_ratio = trace["rps"] / health["rps"], health["cpu_ms"] / trace["cpu_ms"]
            print(f"| {kind} | **{version} trace / healthz** | **{ratio:.0%}** | | | **{cpu_ratio:.0%}** | |")
        needed = args.connections / (GOAL_P99_MS / 1000)
        print(
            f"| {kind} | {args.connections} connections: mean latency = {args.connections} / req/s; a mean of "
            f"{GOAL_P99_MS:.0f} ms needs {needed:,.0f} req/s, /healthz gives {health['rps']:,.0f} "
            f"(mean {args.connections / health['rps'] * 1000:.1f} ms) | | | | | |"
        )
    if fewer:
        print("\n| server | connections | endpoint | req/s | p50 ms | p99 ms | mean ms (connections / req/s) |")
        print("|---|---:|---|---:|---:|---:|---:|")
        for kind, count, name, figures in fewer:
            print(
                f"| {kind} | {count} | {name} | {figures['rps']:,.0f} | {figures['p50']:.1f} | {figures['p99']:.1f} "
                f"| {count / figures['rps'] * 1000:.1f} |"
            )
    print(
        f"\n| server | {args.connections} new connections at once while {args.connections} others keep the worker busy: "
        "ms until each has its first answer, median and worst of 5 bursts |\n|---|---|"
    )
    for kind, figures in bursts.items():
        print(f"| {kind} | {statistics.median(figures):.0f} / {max(figures):.0f} |")
    print(f"\nload average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores, {args.connections} connections")
    print(f"goals: trace / healthz ≥ {GOAL_RATIO:.0%}, trace p99 < {GOAL_P99_MS:.0f} ms")


if __name__ == "__main__":
    main()
