"""How long Python's garbage collector stops the server, with start-up's objects frozen and without.

A worker's heap after start-up holds ~110,000 objects the collector tracks (modules, routes, pydantic
schemas) that live as long as the process. Every full collection walks them all, and while it does, every
request in flight waits. The app's lifespan freezes them (``settle_heap`` in app/main.py, ``gc.freeze``).

Each mode runs in its own process (freezing is for the whole process): the app is built, start-up is
``settle_heap()`` or nothing, and then the same requests go through the whole ASGI app in-process, as a
classroom's page loads would send them: the player's page, its static files, and traces of new inputs and,
every tenth page, a new network shape. ``gc.callbacks`` times every collection; the table gives, per
generation, how many ran, the longest and the total, and what one full collection costs after the run
(a full collection comes when the objects that survived younger ones have grown by a quarter, which a
young process building its caches reaches often: one fell in the middle of a page load and held the
page's main module and its trace for 110 ms).

Run: ``python benchmarks/gc_pause.py [--pages 400]``.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MODES = ("as started", "settled")


async def workload(pages: int) -> None:
    """What ``pages`` loads of the step player ask of one worker, each with a fresh input."""
    from app.main import app
    from benchmarks.request_cpu import call

    static = app.state.static_prefix
    files = ["js/player/player.js", "js/player/diagram.js", "js/core/api.js", "css/player.css", "css/base.css"]
    for page in range(pages):
        await call(app, "GET", "/")
        for name in files:
            await call(app, "GET", f"{static}/{name}")
        width = 2 + page // 10 % 30  # a new hidden layer width every tenth page: a new script to make and keep
        body = {"layers": [2, width, 1], "inputs": [[page / pages, -1.0]], "targets": [[1.0]], "seed": 1}
        await call(app, "POST", "/api/v2/network/trace", json.dumps(body).encode())


def child(mode: str, pages: int) -> dict[str, object]:
    os.environ.update({"BACKPROP_LOG_LEVEL": "warning", "BACKPROP_RATE_LIMIT_PER_MINUTE": "0"})
    from app.main import settle_heap

    if mode == "settled":
        settle_heap()
    else:
        gc.collect()
    tracked = len(gc.get_objects())
    pauses: dict[int, list[float]] = {0: [], 1: [], 2: []}
    started = [0.0]

    def timed(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            pauses[info["generation"]].append((time.perf_counter() - started[0]) * 1000)

    gc.callbacks.append(timed)
    asyncio.run(workload(pages))
    gc.callbacks.remove(timed)
    start = time.perf_counter()
    gc.collect()
    full_ms = (time.perf_counter() - start) * 1000
    return {
        "tracked": tracked,
        "pauses": {str(generation): times for generation, times in pauses.items()},
        "full_ms": full_ms,
        "tracked_after": len(gc.get_objects()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=400)
    parser.add_argument("--child", choices=MODES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.pages)))
        return
    print(f"{args.pages} page loads through the app in-process: a page, 5 static files and a fresh trace each\n")
    print("| start-up | objects the collector walks | collections (generation 0 / 1 / 2) | longest ms | total ms |")
    print("|---|---:|---:|---:|---:|")
    full = []
    for mode in MODES:
        command = [sys.executable, __file__, "--child", mode, "--pages", str(args.pages)]
        result = json.loads(subprocess.run(command, capture_output=True, text=True, check=True).stdout)
        times = result["pauses"]
        every = [t for generation in times.values() for t in generation]
        counts = " / ".join(str(len(times[generation])) for generation in ("0", "1", "2"))
        print(f"| {mode} | {result['tracked']:,} | {counts} | {max(every, default=0):.1f} | {sum(every):.1f} |")
        full.append((mode, result["tracked_after"], result["full_ms"]))
    print("\n| start-up | objects the collector walks after the run | one full collection, ms |\n|---|---:|---:|")
    for mode, tracked, ms in full:
        print(f"| {mode} | {tracked:,} | **{ms:.1f}** |")
    print(f"\nload average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
