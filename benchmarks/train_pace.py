"""Training view figures: steps per second, frames per second and picture refreshes while /train plays.

Starts the production server, opens /train in headless Chromium (the browser tests' launch arguments) for
each setup below, presses play, and for a few seconds samples:

* steps/s: the step counter's growth over the sampling window (after a warm-up second);
* frames/s: requestAnimationFrame callbacks per second of the window (headless Chromium draws at 60 Hz);
* refreshes/s: how often the output the reader watches changes: the heat map's canvas for 2-D data, the
  first weight image and the confusion matrix for the digits. Both are updated in place, so once a frame
  the canvas's pixels are hashed and the matrix's counts read, and a frame that shows something new counts
  one refresh. (A matrix whose counts did not move since the last frame shows nothing new, so late in a
  run, when the matrix settles, this reads low.)

On a machine shared with other work the wall-clock figures above fall with the load, so two more say
where the time goes whatever the load (with the load average printed beside them):

* steps/CPU-s: steps per second of CPU the server (all its processes) spent in the window: the steps/s
  the server could keep with a core to itself;
* CPU ms/frame: CPU time of the page's main thread (Chromium's ThreadTime: script, style, layout, paint)
  per frame drawn; a frame at 60 Hz has 16.7 ms, so well under that leaves room for 60 frames/s.

    python benchmarks/train_pace.py [--seconds 4]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.serving import HOST, free_port, start_server, stop_server  # noqa: E402
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402  (one source of the browser's flags)

SETUPS = [
    ("default network, Slow", "speed=slow"),
    ("default network, Normal", "speed=normal"),
    ("default network, Fast", "speed=fast"),
    ("default network, Fastest", "speed=max"),
    ("digits 64-8-10, Normal", "data=digits&hidden=[8]&opt=adam&lr=0.01&speed=normal"),
    ("digits 64-8-10, Fastest", "data=digits&hidden=[8]&opt=adam&lr=0.01&speed=max"),
]

# Counts frames, and changes of what the reader watches, from the moment it is installed.
WATCH = """() => {
  const counts = { frames: 0, pictures: 0, matrices: 0 };
  const fingerprint = (canvas) => {
    if (!canvas || !canvas.width) return "";
    const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    let hash = 0;
    for (let i = 0; i < data.length; i += 16) hash = (hash * 31 + data[i]) | 0;
    return String(hash);
  };
  let last = "";
  let lastMatrix = "";
  const frame = () => {
    counts.frames += 1;
    const canvas = document.querySelector("[data-testid=weight-image-0]") || document.querySelector("[data-testid=plot] canvas");
    const now = fingerprint(canvas);
    if (now !== last) counts.pictures += 1;
    last = now;
    const matrix = document.querySelector("[data-testid=confusion] tbody")?.textContent ?? "";
    if (matrix && matrix !== lastMatrix) counts.matrices += 1;
    lastMatrix = matrix;
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  window.__pace = counts;
}"""


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process and all its descendants (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended meanwhile
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    ticks, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo += children.get(current, [])
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def main_thread_seconds(cdp) -> float:  # type: ignore[no-untyped-def]
    metrics = cdp.send("Performance.getMetrics")["metrics"]
    return next(m["value"] for m in metrics if m["name"] == "ThreadTime")


def measure(page, base: str, fragment: str, seconds: float, server_pid: int) -> dict[str, float]:  # type: ignore[no-untyped-def]
    page.goto("about:blank")  # a new document: a hash change alone would not reload the view
    page.goto(f"{base}/train#{fragment}")
    page.wait_for_selector("[data-testid=train][data-state=ready]", timeout=60_000)
    page.click("[data-testid=play]")
    page.wait_for_timeout(1000)  # the first segment's request and its first events
    cdp = page.context.new_cdp_session(page)
    cdp.send("Performance.enable")
    page.evaluate(WATCH)
    start_step = int(page.get_attribute("[data-testid=step-counter]", "data-step") or 0)
    start = page.evaluate("performance.now()")
    start_cpu, start_main = cpu_seconds(server_pid), main_thread_seconds(cdp)
    page.wait_for_timeout(seconds * 1000)
    end = page.evaluate("performance.now()")
    steps = int(page.get_attribute("[data-testid=step-counter]", "data-step") or 0) - start_step
    server_cpu, main_cpu = cpu_seconds(server_pid) - start_cpu, main_thread_seconds(cdp) - start_main
    cdp.detach()
    counts = page.evaluate("window.__pace")
    page.click("[data-testid=play]")
    page.wait_for_selector("[data-testid=train][data-state=ready]", timeout=60_000)
    elapsed = (end - start) / 1000
    return {
        "steps_per_s": steps / elapsed,
        "frames_per_s": counts["frames"] / elapsed,
        "pictures_per_s": counts["pictures"] / elapsed,
        "matrices_per_s": counts["matrices"] / elapsed,
        "steps_per_cpu_s": steps / server_cpu if server_cpu else float("nan"),
        "cpu_ms_per_frame": main_cpu * 1000 / counts["frames"] if counts["frames"] else float("nan"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=4.0)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    port = free_port()
    server = start_server(port)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=os.environ.get("BACKPROP_CHROMIUM", CHROMIUM), args=CHROMIUM_ARGS, headless=True
            )
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}, {os.cpu_count()} cores")
            print(
                f"{'setup':<28} {'steps/s':>9} {'frames/s':>9} {'pictures/s':>11} {'matrices/s':>11} "
                f"{'steps/CPU-s':>12} {'CPU ms/frame':>13}"
            )
            for name, fragment in SETUPS:
                figures = measure(page, f"http://{HOST}:{port}", fragment, args.seconds, server.pid)
                print(
                    f"{name:<28} {figures['steps_per_s']:>9.0f} {figures['frames_per_s']:>9.1f} "
                    f"{figures['pictures_per_s']:>11.1f} {figures['matrices_per_s']:>11.1f} "
                    f"{figures['steps_per_cpu_s']:>12.0f} {figures['cpu_ms_per_frame']:>13.1f}"
                )
            print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
            browser.close()
    finally:
        stop_server(server)


if __name__ == "__main__":
    main()
