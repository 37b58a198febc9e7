"""Where the step player's frame time goes: a Chrome trace of playback, in CPU time (load-independent-ish).

Opens the playground with the 8 × 16 network of ``frontend.py`` at one step granularity and speed, records
a ``devtools.timeline`` trace of a few seconds of playback and prints, from the thread CPU time of the
renderer's main thread (not wall time, which another process on the machine stretches):

* script, style, layout and paint milliseconds per second of playback, and their sum;
* how many main-thread tasks took more than 8, 12 and 16 ms of CPU (a frame's task above ~16 ms drops it);
* the frames split by what they ran: only the travelling dots, or the narration and op graph that follow a
  step (``renderNextPanel``), with their median / p90 / max CPU ms;
* the CPU of every Chromium process over the same seconds (renderer, GPU process where software
  compositing happens, browser; from /proc, Linux only): raster and compositing are not main-thread work.

``--hide SELECTOR`` (repeatable) hides those elements (``display: none``) before playing, to weigh a part of
the page: what a part costs is the difference with a run that shows it, e.g. the diagram's edges:

    python benchmarks/frame_trace.py [--granularity phase] [--speed 2] [--seconds 4]
    python benchmarks/frame_trace.py --granularity phase --hide ".diagram .edges" --hide ".diagram .edge-highlights"
"""

from __future__ import annotations

import argparse
import collections
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.frontend import network_fragment  # noqa: E402
from benchmarks.serving import HOST, free_port, start_server, stop_server  # noqa: E402
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

CATEGORIES = (
    "toplevel,devtools.timeline,disabled-by-default-devtools.timeline,disabled-by-default-devtools.timeline.stack"
)
KIND = {
    "FunctionCall": "script",
    "EvaluateScript": "script",
    "FireAnimationFrame": "script",
    "TimerFire": "script",
    "EventDispatch": "script",
    "RunMicrotasks": "script",
    "MinorGC": "script",
    "MajorGC": "script",
    "UpdateLayoutTree": "style",
    "Layout": "layout",
    "Paint": "paint",
    "PrePaint": "paint",
    "Layerize": "paint",
    "UpdateLayer": "paint",
    "UpdateLayerTree": "paint",
    "PaintImage": "paint",
    "Commit": "paint",
}
TASK = "ThreadControllerImpl::RunTask"


def cpu_ms(event: dict) -> float:
    return event.get("tdur", event["dur"]) / 1000


def exclusive(events: list[dict], name_of) -> collections.Counter:  # type: ignore[no-untyped-def]
    """CPU ms of each group (name_of(event)), without the time of the events nested inside it."""
    totals: collections.Counter = collections.Counter()
    stack: list[tuple[dict, str]] = []
    for event in events:
        while stack and stack[-1][0]["ts"] + stack[-1][0]["dur"] <= event["ts"]:
            stack.pop()
        group = name_of(event) or (stack[-1][1] if stack else "other")
        if stack:
            totals[stack[-1][1]] -= cpu_ms(event)
        totals[group] += cpu_ms(event)
        stack.append((event, group))
    return totals


def chromium_cpu_seconds() -> dict[str, float]:
    """User + system CPU seconds of each kind of Chromium process started by this one (--type=…), from /proc."""
    children: dict[int, list[int]] = collections.defaultdict(list)
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                children[int(stat.read().rsplit(")", 1)[1].split()[1])].append(int(entry))
        except OSError:
            continue
    totals: dict[str, float] = collections.defaultdict(float)
    todo = [os.getpid()]
    tick = os.sysconf("SC_CLK_TCK")
    while todo:
        for pid in children.get(todo.pop(), []):
            todo.append(pid)
            try:
                # Chromium rewrites its command line into one string: split it on spaces as well
                with open(f"/proc/{pid}/cmdline") as cmdline:
                    args = cmdline.read().replace("\0", " ").split()
                with open(f"/proc/{pid}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if not args or "chrom" not in args[0]:
                continue
            kind = next((a.removeprefix("--type=") for a in args if a.startswith("--type=")), "browser")
            totals[kind] += (int(fields[11]) + int(fields[12])) / tick
    return totals


def record(
    granularity: str, speed: float, seconds: float, hide: list[str] | None = None, processes: dict | None = None
) -> list[dict]:
    """The main-thread trace events of `seconds` of playback; `hide`: selectors hidden first; `processes`,
    when given, receives each Chromium process kind's CPU ms per second over the same seconds."""
    from playwright.sync_api import sync_playwright

    view: dict[str, object] = {"speed": int(speed) if speed == int(speed) else speed}
    if granularity != "neuron":
        view["g"] = granularity
    port = free_port()
    server = start_server(port, {"BACKPROP_LOG_LEVEL": "warning"})
    events: list[dict] = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            # the page's CSP refuses an added style element: a run that hides parts of it bypasses the CSP
            context = browser.new_context(viewport={"width": 1920, "height": 1080}, bypass_csp=bool(hide))
            page = context.new_page()
            page.goto(f"http://{HOST}:{port}/{network_fragment(**view)}")
            page.wait_for_selector("[data-testid=network-diagram][data-ready]", timeout=30000)
            if hide:
                page.add_style_tag(
                    content="\n".join(f"{selector} {{ display: none !important; }}" for selector in hide)
                )
            page.wait_for_timeout(1000)
            cdp = context.new_cdp_session(page)
            done: list[bool] = []
            cdp.on("Tracing.dataCollected", lambda message: events.extend(message["value"]))
            cdp.on("Tracing.tracingComplete", lambda _: done.append(True))
            cdp.send("Tracing.start", {"categories": CATEGORIES, "transferMode": "ReportEvents"})
            before = chromium_cpu_seconds()
            started = time.monotonic()
            page.get_by_test_id("play").click()
            page.wait_for_timeout(seconds * 1000)
            after = chromium_cpu_seconds()
            elapsed = time.monotonic() - started
            if processes is not None:
                processes.update({kind: (after[kind] - before.get(kind, 0)) * 1000 / elapsed for kind in after})
            cdp.send("Tracing.end")
            while not done:
                page.wait_for_timeout(100)
            browser.close()
    finally:
        stop_server(server)
    threads = collections.Counter((e["pid"], e["tid"]) for e in events if e.get("name") == "FunctionCall")
    main = threads.most_common(1)[0][0]
    timed = [e for e in events if (e["pid"], e["tid"]) == main and e.get("ph") == "X" and "dur" in e]
    return sorted(timed, key=lambda e: (e["ts"], -e["dur"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--granularity", choices=["neuron", "layer", "phase"], default="phase")
    parser.add_argument("--speed", type=float, default=2)
    parser.add_argument("--seconds", type=float, default=4)
    parser.add_argument("--hide", action="append", default=[], metavar="SELECTOR", help="hide these elements first")
    args = parser.parse_args()
    processes: dict[str, float] = {}
    events = record(args.granularity, args.speed, args.seconds, args.hide, processes)
    span = (max(e["ts"] + e["dur"] for e in events) - min(e["ts"] for e in events)) / 1e6
    kinds = exclusive(events, lambda e: KIND.get(e["name"]))
    hidden = f", hiding {', '.join(args.hide)}" if args.hide else ""
    print(
        f"{args.granularity} steps, {args.speed:g}×{hidden}: load average {os.getloadavg()[0]:.1f}, {span:.1f} s traced"
    )
    parts = ["script", "style", "layout", "paint"]
    print("  CPU ms per second: " + ", ".join(f"{k} {kinds[k] / span:.0f}" for k in parts), end="")
    print(f"; sum {sum(kinds[k] for k in parts) / span:.0f}")
    tasks = [e for e in events if e["name"] == TASK]
    cpu = [cpu_ms(t) for t in tasks]
    print(
        f"  tasks above 8 / 12 / 16 ms of CPU: {sum(c > 8 for c in cpu)} / {sum(c > 12 for c in cpu)} / {sum(c > 16 for c in cpu)}"
    )
    frames: dict[str, list[float]] = collections.defaultdict(list)
    index = 0
    for task in tasks:
        while index < len(events) and events[index]["ts"] < task["ts"]:
            index += 1
        inner = []
        j = index
        while j < len(events) and events[j]["ts"] < task["ts"] + task["dur"]:
            inner.append(events[j])
            j += 1
        names = {e["name"] for e in inner}
        if "Paint" not in names and "FireAnimationFrame" not in names:
            continue
        calls = {e.get("args", {}).get("data", {}).get("functionName") for e in inner if e["name"] == "FunctionCall"}
        frames["narration and op graph" if "renderNextPanel" in calls else "dots only"].append(cpu_ms(task))
    for label, values in frames.items():
        values.sort()
        print(
            f"  frames with {label}: {len(values)}, CPU ms median {statistics.median(values):.1f}, "
            f"p90 {values[int(0.9 * (len(values) - 1))]:.1f}, max {values[-1]:.1f}"
        )
    shown = {kind: ms for kind, ms in sorted(processes.items()) if ms >= 1}
    if shown:
        parts_ms = ", ".join(f"{kind} {ms:.0f}" for kind, ms in shown.items())
        print(f"  Chromium CPU ms per second, all threads (with tracing on): {parts_ms}; sum {sum(shown.values()):.0f}")


if __name__ == "__main__":
    main()
