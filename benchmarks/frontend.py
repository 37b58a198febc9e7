"""Front-end figures: time to the first diagram and frame times while the step player plays.

Starts uvicorn, opens the playground in headless Chromium (the browser tests' launch arguments) with an
8-layer × 16-neuron network given in the URL, and prints:

* time to first diagram: navigation start → the end of the main thread's work on the first frame that
  shows the network, median of fresh page loads (a new browser context each: no HTTP cache). An init
  script watches for the step player to put the diagram in the page (``data-ready`` on its SVG), waits
  for the next animation frame, and marks ``diagram-drawn`` in a task queued from that frame's callback,
  which runs after the frame's style, layout and paint (rasterising and compositing it, on other
  threads, come after). The page's own ``diagram-ready`` mark (set when the diagram is in the DOM,
  before that frame is rendered) is printed beside it. Both include the server's trace (1.5 MB of JSON
  for this network: a view that opens at step 0 asks without the neuron op graphs, which follow after
  the first paint) and every script and stylesheet the page loads. The same figure is printed for the
  default 2-3-1 page at ``/``.
* frame times while playing: requestAnimationFrame deltas sampled for a few seconds of playback, at two
  speeds and three step granularities. Headless Chromium draws at 60 Hz and stamps its frames with
  ±0.2 ms of jitter (an idle page shows 16.5–16.8 ms), so each delta is rounded to the whole number of
  display frames it spans (a delta counts as one more frame once it is 10 % of a frame past the last
  whole one) and reported as that many frame intervals: p50 / p95 / max, the share of dropped frames,
  and the raw p95 of the unrounded deltas.

    python benchmarks/frontend.py [--loads 5] [--seconds 4] [--hide SELECTOR]…

``--hide`` hides parts of the page while it plays (not while it loads), to weigh them: ``--hide .player-side``
leaves the diagram and its controls, the part that plays without the narration and op graph.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.serving import HOST, free_port, start_server, stop_server  # noqa: E402
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
    return "#" + urllib.parse.urlencode(params)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


# Marks `diagram-drawn` once the first frame showing the diagram has been rendered (see the docstring). The
# playground now sets the same mark itself, in the same frame; this keeps older checkouts measurable.
DRAWN = """
new MutationObserver((_, observer) => {
  if (!document.querySelector("[data-testid=network-diagram][data-ready]")) return;
  observer.disconnect();
  requestAnimationFrame(() => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => performance.mark("diagram-drawn");
    channel.port2.postMessage(null);
  });
}).observe(document, { subtree: true, attributes: true, attributeFilter: ["data-ready"] });
"""

MARKS = """() => {
  const at = (name) => performance.getEntriesByName(name)[0]?.startTime ?? null;
  return at("diagram-drawn") === null ? null : { drawn: at("diagram-drawn"), ready: at("diagram-ready") };
}"""


def first_diagram_ms(browser, url: str) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """Milliseconds from navigation start to the diagram drawn, and to the page's diagram-ready mark."""
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    page.add_init_script(DRAWN)
    page.goto(url)
    marks = None
    for _ in range(1500):  # polled from here: a selector wait would query the page on every frame
        marks = page.evaluate(MARKS)
        if marks:
            break
        page.wait_for_timeout(20)
    context.close()
    if not marks:
        raise RuntimeError("the diagram was never drawn")
    return {key: float(value) for key, value in marks.items() if value is not None}


def _layers_in(url: str) -> object:
    fragment = urllib.parse.parse_qs(urllib.parse.urlsplit(url).fragment)
    return json.loads(fragment["layers"][0]) if "layers" in fragment else None


def first_diagram_unattached_ms(playwright, url: str) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """The same marks for a load that no automation watches, as a learner's browser opens the page.

    Playwright follows every request of a page it drives (network events sent to its driver, over a pipe
    the browser process serves), which on this 2-core machine costs the load ~100–170 ms of the CPU the page
    needs. Here Chromium is started by hand with a new profile (no HTTP cache, no remembered script), left
    to settle, and the page opened through the DevTools HTTP endpoint (``PUT /json/new``); the page marks
    ``diagram-ready`` and ``diagram-drawn`` itself (static/js/pages/playground.js), and Playwright attaches
    only once the load is over, to read them."""
    profile = tempfile.mkdtemp(prefix="backprop-bench-")
    port = free_port()
    flags = [*CHROMIUM_ARGS, "--headless", "--window-size=1920,1080", f"--user-data-dir={profile}"]
    chromium = subprocess.Popen(
        [CHROMIUM, *flags, f"--remote-debugging-port={port}", "about:blank"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://{HOST}:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                urllib.request.urlopen(f"{endpoint}/json/version", timeout=1).read()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        time.sleep(1.5)  # the new browser's own start-up work is over before the page is asked for
        # escaped whole: the network is in the URL's fragment, which would otherwise end the request's URL
        opened = urllib.request.Request(f"{endpoint}/json/new?{urllib.parse.quote(url, safe='')}", method="PUT")
        urllib.request.urlopen(opened, timeout=10).read()
        time.sleep(2.0)  # nothing watches the load; the marks are read after it
        browser = playwright.chromium.connect_over_cdp(endpoint)
        try:
            page = next(page for context in browser.contexts for page in context.pages if page.url != "about:blank")
            if _layers_in(page.url) != _layers_in(url):  # the page rewrites its address; the network stays
                raise RuntimeError(f"the tab shows {page.url}, not the network of {url}")
            marks = None
            for _ in range(500):
                marks = page.evaluate(MARKS)
                if marks:
                    break
                page.wait_for_timeout(20)
        finally:
            browser.close()
    finally:
        chromium.kill()
        chromium.wait()
        shutil.rmtree(profile, ignore_errors=True)
    if not marks:
        raise RuntimeError("the diagram was never drawn (does this page mark diagram-drawn itself?)")
    return {key: float(value) for key, value in marks.items() if value is not None}


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


def display_frames(deltas: list[float]) -> tuple[float, list[int]]:
    """The display's frame interval and how many of its frames each delta spans (see the docstring)."""
    short = percentile(deltas, 25)  # one display frame, unless three quarters of the frames were dropped
    interval = statistics.median(d for d in deltas if d < 1.5 * short)
    return interval, [max(1, math.ceil(d / interval - 0.1)) for d in deltas]


def frame_times(browser, url: str, seconds: float, hide: list[str] | None = None) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """Frame times while playing `url`; `hide`: selectors hidden first (the page's CSP refuses an added style
    element: a run that hides parts of the page bypasses it)."""
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, bypass_csp=bool(hide))
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector("[data-testid=network-diagram][data-ready]", timeout=30000)
    if hide:
        page.add_style_tag(content="\n".join(f"{selector} {{ display: none !important; }}" for selector in hide))
    page.wait_for_timeout(300)
    page.evaluate(SAMPLER)
    page.get_by_test_id("play").click()
    page.wait_for_timeout(seconds * 1000)
    deltas = page.evaluate("() => { window.__sampling = false; return window.__frameDeltas.slice(2); }")
    steps = int(page.get_by_test_id("timeline").input_value())
    context.close()
    interval, spans = display_frames(deltas)
    times = [n * interval for n in spans]
    return {
        "frames": len(deltas),
        "p50": statistics.median(times),
        "p95": percentile(times, 95),
        "max": max(times),
        "dropped": 100 * sum(n - 1 for n in spans) / sum(spans),
        "raw_p95": percentile(deltas, 95),
        "steps_played": steps,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--loads", type=int, default=5, help="fresh page loads for the time to first diagram")
    parser.add_argument("--seconds", type=float, default=4.0, help="seconds of playback sampled per scenario")
    parser.add_argument(
        "--hide",
        action="append",
        default=[],
        metavar="SELECTOR",
        help="hide these elements while playing, to weigh a part of the page (e.g. --hide .player-side)",
    )
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    port = free_port()
    base = f"http://{HOST}:{port}"
    process = start_server(port, {"BACKPROP_LOG_LEVEL": "warning"})
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            url = f"{base}/{network_fragment()}"
            first_diagram_ms(browser, url)  # warm the server's caches and the browser's
            loads = [first_diagram_ms(browser, url) for _ in range(args.loads)]
            drawn = [load["drawn"] for load in loads]
            in_dom = [load["ready"] for load in loads if "ready" in load]
            small = [first_diagram_ms(browser, f"{base}/")["drawn"] for _ in range(args.loads)]
            weights = sum(a * b for a, b in itertools.pairwise(LAYERS))
            load = os.getloadavg()[0]
            print(f"network: {' × '.join(map(str, LAYERS))} neurons, {weights} weights")
            print(f"machine: {os.cpu_count()} CPUs, load average {load:.1f} (figures scale with contention)")
            print(
                f"time to first diagram (drawn): median {statistics.median(drawn):.0f} ms "
                f"(min {min(drawn):.0f}, max {max(drawn):.0f}; goal ≤ {GOALS['first_diagram_ms']:.0f} ms)"
            )
            if in_dom:
                print(
                    f"  in the DOM (the page's diagram-ready mark): median {statistics.median(in_dom):.0f} ms "
                    f"(min {min(in_dom):.0f}, max {max(in_dom):.0f})"
                )
            print(
                f"  default 2-3-1 page at /, drawn: median {statistics.median(small):.0f} ms "
                f"(min {min(small):.0f}, max {max(small):.0f})"
            )
            if args.hide:
                print(f"playback with {', '.join(args.hide)} hidden")
            print(
                f"{'playback':<28}{'frames':>8}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'dropped':>9}"
                f"{'raw p95':>9}{'steps':>7}"
            )
            worst_p95 = 0.0
            for label, view in [
                ("2-3-1 reference, 1×", {"layers": [2, 3, 1], "speed": 1}),
                ("neuron steps, 1×", {"speed": 1}),
                ("neuron steps, 8×", {"speed": 8}),
                ("layer steps, 1×", {"speed": 1, "g": "layer"}),
                ("phase steps, 2×", {"speed": 2, "g": "phase"}),
            ]:
                result = frame_times(browser, f"{base}/{network_fragment(**view)}", args.seconds, args.hide)
                if "layers" not in view:
                    worst_p95 = max(worst_p95, result["p95"])
                print(
                    f"{label:<28}{result['frames']:>8}{result['p50']:>9.1f}{result['p95']:>9.1f}"
                    f"{result['max']:>9.1f}{result['dropped']:>8.1f}%{result['raw_p95']:>9.1f}{result['steps_played']:>7}"
                )
            print(f"worst p95 frame time of the 8 × 16 network: {worst_p95:.1f} ms (goal ≤ {GOALS['frame_p95_ms']} ms)")
            browser.close()
    finally:
        stop_server(process)


if __name__ == "__main__":
    main()
