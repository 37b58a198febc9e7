"""What the step player costs to open and to use, in headless Chromium, on an 8-layer × 16-neuron tanh network.

Starts uvicorn and prints, each figure beside its goal:

* bytes on the wire to open the playground with the step player (page, scripts, styles, traces), counted by
  Chromium as tests/e2e/test_transfer.py counts them: ``encodedDataLength`` of every finished request (compressed,
  headers included), in a fresh browser context (no HTTP cache, no remembered script);
* bytes on the wire for one "One training step" on the open page;
* time to first diagram: navigation start → the first frame that shows the diagram rendered (benchmarks/frontend.py
  explains the mark), median of fresh loads, in a page Playwright drives, then in a browser no automation
  watches during the load (``first_diagram_unattached_ms``: Playwright's following of every request costs this
  2-core machine ~100 ms of the load's CPU; a learner's browser carries none of it);
* CPU per fresh load, from /proc: what every Chromium process (renderer, browser, network service, GPU
  process) and the server spent from navigation to the diagram in the DOM, median of ``--loads`` loads, beside
  the same for a bare navigation (``/healthz``, a few bytes of JSON) in a fresh context: on a 2-core machine
  the first diagram waits on that CPU as much as on any one step of the page's;
* edit one weight → redrawn diagram: from submitting the weight editor to the end of the first frame rendered
  after the player has shown the new pass (the diagram's ``aria-busy`` goes back to false), median of edits.

    python benchmarks/frontend_player.py [--loads 5] [--edits 7] [--base http://127.0.0.1:8000]

With ``--base`` it measures a server already running (e.g. one started from another worktree, to compare).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.frame_trace import chromium_cpu_seconds  # noqa: E402
from benchmarks.frontend import DRAWN, first_diagram_ms, first_diagram_unattached_ms, network_fragment  # noqa: E402
from benchmarks.serving import HOST, free_port, start_server, stop_server  # noqa: E402
from benchmarks.throughput import cpu_seconds  # noqa: E402
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.e2e.test_transfer import Transfer, settle  # noqa: E402

LAYERS = [16] * 8
GOALS = {"open_bytes": 600_000, "train_step_bytes": 100_000, "first_diagram_ms": 300.0, "edit_ms": 150.0}
READY = "[data-testid=network-diagram][data-ready]"
EDGE = "[data-testid=network-diagram] [data-edge='3-4>4-5']"  # large diagrams draw no separate hit lines

# Resolves with the milliseconds from submitting the weight editor to the first frame rendered after the player
# has shown the pass of the edited network.
EDIT = """(value) => new Promise((resolve) => {
  const svg = document.querySelector("[data-testid=network-diagram]");
  let started = false;
  const observer = new MutationObserver(() => {
    const busy = svg.getAttribute("aria-busy");
    if (busy === "true") started = true;
    if (!started || busy !== "false") return;
    observer.disconnect();
    requestAnimationFrame(() => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => resolve(performance.now() - start);
      channel.port2.postMessage(null);
    });
  });
  observer.observe(svg, { attributes: true, attributeFilter: ["aria-busy"] });
  const input = document.querySelector("[data-testid=weight-input]");
  input.value = String(value);
  const start = performance.now();
  document.querySelector("[data-testid=weight-editor]").requestSubmit();
})"""


def transfer_bytes(browser, url: str) -> tuple[int, int, int, int]:  # type: ignore[no-untyped-def]
    """(open on the wire, open uncompressed, training step on the wire, training step uncompressed)."""
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    transfer = Transfer()
    transfer.watch(page)
    page.goto(url)
    page.wait_for_selector(READY, timeout=60_000)
    settle(page, transfer)
    opened = transfer.totals()
    transfer.reset()
    page.get_by_test_id("train-step").click()
    page.wait_for_timeout(300)
    settle(page, transfer)
    trained = transfer.totals()
    context.close()
    return (*opened, *trained)


def edit_ms(browser, url: str, edits: int) -> list[float]:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    page.add_init_script(DRAWN)
    page.goto(url)
    page.wait_for_selector(READY, timeout=60_000)
    page.wait_for_timeout(1000)  # the editor is drawn after the first paint
    times = []
    for n in range(edits + 1):
        page.locator(EDGE).click(force=True)
        page.get_by_test_id("weight-input").wait_for(state="visible")
        times.append(page.evaluate(EDIT, 0.1 + 0.05 * n))
        page.wait_for_timeout(200)
    context.close()
    return times[1:]  # the first edit also warms the shape's caches


def load_cpu_ms(browser, url: str, loads: int, server_pid: int | None) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """Median CPU ms per fresh load, by Chromium process kind (and "server"), navigation → diagram in the DOM
    (or, for a URL without a diagram, the load event)."""
    samples: dict[str, list[float]] = {}
    for _ in range(loads):
        context = browser.new_context(viewport={"width": 1920, "height": 1080})
        page = context.new_page()
        page.goto("about:blank")
        page.wait_for_timeout(300)  # the new renderer's own start-up is not the page's
        before, server_before = chromium_cpu_seconds(), server_pid and cpu_seconds(server_pid)
        page.goto(url)
        if "#" in url:
            page.wait_for_selector(READY, timeout=60_000)
        after = chromium_cpu_seconds()
        spent = {kind: (after[kind] - before.get(kind, 0.0)) * 1000 for kind in after}
        if server_pid:
            spent["server"] = (cpu_seconds(server_pid) - server_before) * 1000
        spent["all"] = sum(spent.values())
        for kind, ms in spent.items():
            samples.setdefault(kind, []).append(ms)
        context.close()
    return {kind: statistics.median(values) for kind, values in samples.items()}


def report(name: str, value: float, goal: float, unit: str) -> None:
    verdict = "met" if value <= goal else "NOT met"
    print(f"{name:<44}{value:>12,.0f} {unit:<3} goal ≤ {goal:,.0f} {unit} ({verdict})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--loads", type=int, default=5, help="fresh page loads for the time to first diagram")
    parser.add_argument("--edits", type=int, default=7, help="weight edits timed")
    parser.add_argument("--base", help="measure the server at this address instead of starting one")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    process = None
    base = args.base
    if not base:
        port = free_port()
        base = f"http://{HOST}:{port}"
        process = start_server(port, {"BACKPROP_LOG_LEVEL": "warning"})
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            url = f"{base}/{network_fragment(LAYERS)}"
            first_diagram_ms(browser, url)  # warm the server's caches
            open_wire, open_plain, step_wire, step_plain = transfer_bytes(browser, url)
            drawn = [first_diagram_ms(browser, url)["drawn"] for _ in range(args.loads)]
            unwatched = [first_diagram_unattached_ms(playwright, url)["drawn"] for _ in range(args.loads)]
            edits = edit_ms(browser, url, args.edits)
            server_pid = process.pid if process else None
            page_cpu = load_cpu_ms(browser, url, args.loads, server_pid)
            bare_cpu = load_cpu_ms(browser, f"{base}/healthz", args.loads, server_pid)
            browser.close()
        print(f"network: {' × '.join(map(str, LAYERS))} tanh; {base}")
        print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} (times scale with contention)")
        report("open the step player, bytes on the wire", open_wire, GOALS["open_bytes"], "B")
        print(f"{'  … uncompressed':<44}{open_plain:>12,} B")
        report("one training step, bytes on the wire", step_wire, GOALS["train_step_bytes"], "B")
        print(f"{'  … uncompressed':<44}{step_plain:>12,} B")
        report("time to first diagram, median", statistics.median(drawn), GOALS["first_diagram_ms"], "ms")
        print(f"{'  … min / max':<44}{min(drawn):>8.0f} / {max(drawn):.0f} ms over {len(drawn)} loads")
        report("  … with no automation attached, median", statistics.median(unwatched), GOALS["first_diagram_ms"], "ms")
        print(f"{'  … min / max':<44}{min(unwatched):>8.0f} / {max(unwatched):.0f} ms over {len(unwatched)} loads")
        for label, cpu in (
            ("CPU per fresh load of the player", page_cpu),
            ("  … a bare navigation (/healthz)", bare_cpu),
        ):
            parts = ", ".join(
                f"{kind} {ms:.0f}" for kind, ms in sorted(cpu.items(), key=lambda kv: -kv[1]) if kind != "all"
            )
            print(f"{label:<44}{cpu['all']:>12,.0f} ms  ({parts})")
        report("edit one weight → diagram redrawn, median", statistics.median(edits), GOALS["edit_ms"], "ms")
        print(f"{'  … min / max':<44}{min(edits):>8.0f} / {max(edits):.0f} ms over {len(edits)} edits")
    finally:
        if process:
            stop_server(process)


if __name__ == "__main__":
    main()
