"""What serving the step player's modules costs: each static file, and all of them as a browser asks.

Starts the production server (``python -m app``, or measures ``--base``), reads the playground page, and
times GET requests (gzip accepted, as a browser sends them) for every script and stylesheet the page names:

* one file at a time: median and p90 milliseconds per request, beside ``/healthz`` (the cheapest answer);
* the whole page's set over 6 connections at once (what Chromium opens per host on HTTP/1.1): wall time to
  have them all, median of ``--rounds``;
* the server's CPU time per static request (user + system of its process over the sequential run).

    python benchmarks/static_files.py [--rounds 9] [--base http://127.0.0.1:8000]
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.serving import HOST, free_port, start_server, stop_server  # noqa: E402
from benchmarks.throughput import cpu_seconds  # noqa: E402

BROWSER_CONNECTIONS = 6
REFERENCE = re.compile(r"""(?:src|href)=["'](/static/[^"']+\.(?:js|css))["']""")


def get(connection: http.client.HTTPConnection, path: str) -> float:
    """Milliseconds to GET ``path`` in full on a kept-alive connection."""
    start = time.perf_counter()
    connection.request("GET", path, headers={"Accept-Encoding": "gzip, deflate, br"})
    response = connection.getresponse()
    response.read()
    if response.status != 200:
        raise RuntimeError(f"{path}: {response.status}")
    return (time.perf_counter() - start) * 1000


def page_files(host: str, port: int) -> list[str]:
    connection = http.client.HTTPConnection(host, port, timeout=30)
    connection.request("GET", "/")
    return list(dict.fromkeys(REFERENCE.findall(connection.getresponse().read().decode())))


def all_at_once(host: str, port: int, files: list[str]) -> float:
    """Milliseconds to fetch ``files`` over BROWSER_CONNECTIONS kept-alive connections, each taking the next."""
    queue = list(files)
    connections = [http.client.HTTPConnection(host, port, timeout=30) for _ in range(BROWSER_CONNECTIONS)]

    def worker(connection: http.client.HTTPConnection) -> None:
        while queue:
            try:
                path = queue.pop(0)
            except IndexError:
                return
            get(connection, path)

    start = time.perf_counter()
    with ThreadPoolExecutor(BROWSER_CONNECTIONS) as pool:
        list(pool.map(worker, connections))
    elapsed = (time.perf_counter() - start) * 1000
    for connection in connections:
        connection.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--base", help="measure this server instead of starting one")
    args = parser.parse_args()
    server = None
    if args.base:
        parts = urlsplit(args.base)
        host, port = parts.hostname or HOST, parts.port or 80
    else:
        host, port = HOST, free_port()
        server = start_server(port)
    try:
        files = page_files(host, port)
        connection = http.client.HTTPConnection(host, port, timeout=30)
        for path in files:  # the first answer of a file reads it from disk
            get(connection, path)
        before = cpu_seconds(server.pid) if server else None
        each = [get(connection, path) for _ in range(args.rounds) for path in files]
        cpu_ms = (cpu_seconds(server.pid) - before) * 1000 / len(each) if server else None
        health = [get(connection, "/healthz") for _ in range(args.rounds * 10)]
        together = [all_at_once(host, port, files) for _ in range(args.rounds)]
    finally:
        if server:
            stop_server(server)
    p90 = statistics.quantiles(each, n=10)[-1]
    print(f"the playground names {len(files)} scripts and stylesheets (modulepreload included)")
    print(f"one static file, median / p90        {statistics.median(each):6.2f} / {p90:.2f} ms")
    print(f"/healthz, median                      {statistics.median(health):6.2f} ms")
    if cpu_ms is not None:
        print(f"server CPU per static file            {cpu_ms:6.2f} ms")
    print(f"all of them over {BROWSER_CONNECTIONS} connections, median  {statistics.median(together):6.1f} ms")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
