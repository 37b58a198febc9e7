"""Front-end figures: time to the first diagram and frame times while the step player plays.

Starts uvicorn, opens the playground in headless Chromium (the browser tests' launch arguments) with an
8-layer × 16-neuron network given in the URL, and prints:

* time to first diagram: navigation start → the first trace drawn (the page marks ``diagram-ready``),
  median of several fresh page loads;
* frame times while playing: requestAnimationFrame deltas sampled for a few seconds of playback,
  p50 / p95 / max, at two speeds and two step granularities.

    python benchmarks/frontend.py [--loads 5] [--seconds 4]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402  (one source of the browser's flags)

LAYERS = [16] * 8
GOALS = {"first_diagram_ms": 500.0, "frame_p95_ms": 16.7}


def network_fragment(layers: list[int] = LAYERS, **view: object) -> str:
    """The playground URL state of a tanh network of `layers` with one sample (static/js/pages/playground.js)."""
    params = {
        "layers": json.dumps(layers),
        "act": json.dumps(["tanh"] * (len(layers) - 2)),
        "out": "identity",
        "loss": "mse",
        "seed": 1,
        "x": json.dumps([[round(0.1 * i - 0.8, 2) for i in range(layers[0])]]),
        "y": json.dumps([[0.5] * layers[-1]]),
        "lr": 0.1,
        **view,
    }
    return "#" + urlencode(params)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server() -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env={**os.environ, "BACKPROP_LOG_LEVEL": "warning"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=1):
                return process, base
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError("uvicorn did not start") from None
            time.sleep(0.1)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def first_diagram_ms(browser, url: str) -> float:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector("[data-testid=network-diagram][data-ready]", timeout=30000)
    ms = page.evaluate("() => performance.getEntriesByName('diagram-ready')[0].startTime")
    context.close()
    return float(ms)


SAMPLER = """() => {
  window.__frameDeltas = [];
  window.__sampling = true;
  let last = performance.now();
  const tick = (now) => {
    window.__frameDeltas.push(now - last);
    last = now;
    if (window.__sampling) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}"""


def frame_times(browser, url: str, seconds: float) -> dict[str, float]:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector("[data-testid=network-diagram][data-ready]", timeout=30000)
    page.wait_for_timeout(300)
    page.evaluate(SAMPLER)
    page.get_by_test_id("play").click()
    page.wait_for_timeout(seconds * 1000)
    deltas = page.evaluate("() => { window.__sampling = false; return window.__frameDeltas.slice(2); }")
    steps = int(page.get_by_test_id("timeline").input_value())
    context.close()
    return {
        "frames": len(deltas),
        "p50": statistics.median(deltas),
        "p95": percentile(deltas, 95),
        "max": max(deltas),
        "over_33ms": sum(d > 33.4 for d in deltas),
        "steps_played": steps,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--loads", type=int, default=5, help="fresh page loads for the time to first diagram")
    parser.add_argument("--seconds", type=float, default=4.0, help="seconds of playback sampled per scenario")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    process, base = start_server()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            url = f"{base}/{network_fragment()}"
            first_diagram_ms(browser, url)  # warm the server's caches and the browser's
            loads = [first_diagram_ms(browser, url) for _ in range(args.loads)]
            weights = sum(a * b for a, b in itertools.pairwise(LAYERS))
            load = os.getloadavg()[0]
            print(f"network: {' × '.join(map(str, LAYERS))} neurons, {weights} weights")
            print(f"machine: {os.cpu_count()} CPUs, load average {load:.1f} (figures scale with contention)")
            print(
                f"time to first diagram: median {statistics.median(loads):.0f} ms "
                f"(min {min(loads):.0f}, max {max(loads):.0f}; goal ≤ {GOALS['first_diagram_ms']:.0f} ms)"
            )
            print(f"{'playback':<28}{'frames':>8}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'>33 ms':>8}{'steps':>7}")
            worst_p95 = 0.0
            for label, view in [
                ("2-3-1 reference, 1×", {"layers": [2, 3, 1], "speed": 1}),
                ("neuron steps, 1×", {"speed": 1}),
                ("neuron steps, 8×", {"speed": 8}),
                ("layer steps, 1×", {"speed": 1, "g": "layer"}),
                ("phase steps, 2×", {"speed": 2, "g": "phase"}),
            ]:
                result = frame_times(browser, f"{base}/{network_fragment(**view)}", args.seconds)
                if "layers" not in view:
                    worst_p95 = max(worst_p95, result["p95"])
                print(
                    f"{label:<28}{result['frames']:>8}{result['p50']:>9.1f}{result['p95']:>9.1f}"
                    f"{result['max']:>9.1f}{result['over_33ms']:>8}{result['steps_played']:>7}"
                )
            print(f"worst p95 frame time of the 8 × 16 network: {worst_p95:.1f} ms (goal ≤ {GOALS['frame_p95_ms']} ms)")
            browser.close()
    finally:
        process.terminate()
        process.wait(timeout=10)


if __name__ == "__main__":
    main()
