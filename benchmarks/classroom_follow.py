"""Live class in the browser: how long a teacher's change on a lesson figure or the training view takes
to show on each student's page, which applies it in place (no reload).

    python benchmarks/classroom_follow.py [--students 3] [--moves 40]

Starts ``python -m app`` (memory backend, 1 worker) and headless Chromium (the browser tests' flags): one
teacher page and ``--students`` student pages on the same machine. Measured with ``Date.now()`` (one clock
for every page), from the teacher's input to the student's page showing it:

* **lesson step** — lesson 2's Δx slider moved; until the student's narration shows that Δx;
* **lesson expression** — a new f(x) and x₀ applied; until the student's exact derivative shows the new
  value (both pages ask the server for the figure's numbers: the teacher first, then each student);
* **train step** — one training step on /train; until the student's step counter shows it (the teacher's
  server call, the state, then the student training the same step from the same weights);
* **/train while playing** — the teacher presses Play (normal pace, 400 steps a second) for ``--play``
  seconds; every 50 ms from the press on, how far the student's step counter is behind the teacher's: the
  time since the teacher's counter showed the student's step (0 when level or ahead). The catch-up after
  the press is in it. Then Pause: whether every student settled on the teacher's step and loss.

Printed: p50 / p95 / max per kind, and whether any student page reloaded (a marker on its window). The
goal for the figures is the class's 250 ms (p95). For the three kinds of change the teacher's own page
takes time to show (it asks the server too), the time from the teacher's page showing the change to each
student's ("… behind the teacher's page") is printed as well: how far a student's screen trails the one
being mirrored.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.serving import HOST, free_port, start_server, stop_server  # noqa: E402
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

# Each student page records when its figure changes: the narration (text) and the exact derivative and
# the step counter (attributes), with the value they then show.
WATCH = """() => {
  window.__marker = true;
  window.__seen = [];
  const observe = (selector, read) => {
    const node = document.querySelector(selector);
    if (!node) return;
    new MutationObserver(() => window.__seen.push({ at: Date.now(), what: selector, value: read(node) }))
      .observe(node, { childList: true, characterData: true, subtree: true, attributes: true });
  };
  observe("[data-testid=narration]", () => document.querySelector("[data-delta-slider]")?.value);
  observe("[data-testid=exact-derivative]", (n) => n.dataset.value);
  observe("[data-testid=step-counter]", (n) => n.dataset.step);
}"""


def percentiles(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return (
        f"p50 {statistics.median(ordered):6.1f} ms · p95 {p95:6.1f} ms · max {ordered[-1]:6.1f} ms (n={len(ordered)})"
    )


def arrival(student, what: str, value: str, since: int) -> float:  # type: ignore[no-untyped-def]
    """When the student's `what` first showed `value` after `since` (epoch ms), waiting for it."""
    student.wait_for_function(
        "([what, value, since]) => window.__seen.some((s) => s.what === what && s.value === value && s.at >= since)",
        arg=[what, value, since],
        timeout=20000,
    )
    return student.evaluate(
        "([what, value, since]) => window.__seen.find((s) => s.what === what && s.value === value && s.at >= since).at",
        [what, value, since],
    )


def behind(
    led: list[tuple[int, int]], follower: list[tuple[int, int]], since: int, until: int
) -> tuple[list[float], list[float]]:
    """Every 50 ms from `since` to `until`: ms since the leader's counter showed the follower's step (0 when
    the follower is level or ahead), and the steps between them."""
    lags: list[float] = []
    steps: list[float] = []
    for at in range(since, until, 50):
        lead = max((s for t, s in led if t <= at), default=0)
        mine = max((s for t, s in follower if t <= at), default=0)
        if lead == 0:
            continue  # the teacher's first step is not on screen yet: nothing to follow
        reached = min((t for t, s in led if s >= mine), default=at)
        lags.append(max(0, at - reached) if mine < lead else 0)
        steps.append(max(0, lead - mine))
    return lags, steps


def counted(page, since: int) -> list[tuple[int, int]]:  # type: ignore[no-untyped-def]
    """The steps a page's counter showed from `since` on, with when."""
    return [
        (seen["at"], int(seen["value"]))
        for seen in page.evaluate("() => window.__seen")
        if seen["what"] == "[data-testid=step-counter]" and seen["at"] >= since and seen["value"]
    ]


def join(context, base: str, code: str, path: str):  # type: ignore[no-untyped-def]
    page = context.new_page()
    page.goto(f"{base}/join?code={code}")
    page.get_by_test_id("join-submit").click()
    page.wait_for_url(f"**{path}?class={code}*")
    return page


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=3)
    parser.add_argument("--moves", type=int, default=40)
    parser.add_argument("--play", type=float, default=8.0, help="seconds the teacher plays /train")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    port = free_port()
    server = start_server(port)
    base = f"http://{HOST}:{port}"
    results: dict[str, list[float]] = {
        "lesson step": [],
        "lesson expression": [],
        "train step": [],
        "/train while playing": [],
    }
    trailing: dict[str, list[float]] = {"lesson step": [], "lesson expression": [], "train step": []}
    behind_steps: list[float] = []
    pace = 0.0
    settled = True
    reloaded = False
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            teacher = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
            teacher.goto(f"{base}/lessons/derivative")
            teacher.wait_for_selector("[data-lesson][data-ready]")
            teacher.evaluate(WATCH)
            teacher.get_by_test_id("classroom-start").click()
            code = teacher.get_by_test_id("classroom-code").inner_text()
            students = [join(browser.new_context(), base, code, "/lessons/derivative") for _ in range(args.students)]
            for student in students:
                student.wait_for_selector("[data-lesson][data-ready]")
                student.evaluate(WATCH)
            rows = int(teacher.get_by_test_id("delta-slider").get_attribute("max") or "0")
            for move in range(args.moves):
                value = str((move * 3 + 1) % (rows + 1))
                if teacher.get_by_test_id("delta-slider").input_value() == value:
                    continue
                since = teacher.evaluate(
                    "(v) => { const s = document.querySelector('[data-delta-slider]'); const at = Date.now();"
                    " s.value = v; s.dispatchEvent(new Event('input')); return at; }",
                    value,
                )
                shown = arrival(teacher, "[data-testid=narration]", value, since)
                for student in students:
                    at = arrival(student, "[data-testid=narration]", value, since)
                    results["lesson step"].append(at - since)
                    trailing["lesson step"].append(at - shown)
            for move in range(max(3, args.moves // 4)):
                x0 = str(move % 7 + 2)  # f(x) = x^3: f′(x₀) = 3·x₀², a new value each time
                teacher.get_by_test_id("expression-input").fill("x^3")
                teacher.get_by_test_id("x0-input").fill(x0)
                since = teacher.evaluate("() => Date.now()")
                teacher.get_by_test_id("expression-apply").click()
                want = str(3 * int(x0) ** 2)
                shown = arrival(teacher, "[data-testid=exact-derivative]", want, since)
                for student in students:
                    at = arrival(student, "[data-testid=exact-derivative]", want, since)
                    results["lesson expression"].append(at - since)
                    trailing["lesson expression"].append(at - shown)
            reloaded |= not all(student.evaluate("window.__marker === true") for student in students)

            teacher.goto(f"{base}/train")
            teacher.wait_for_selector("[data-testid=train][data-state=ready]")
            for student in students:
                student.wait_for_url(f"**/train?class={code}*")
                student.wait_for_selector("[data-testid=train][data-state=ready]")
                student.evaluate(WATCH)
            teacher.evaluate(WATCH)
            for move in range(1, max(3, args.moves // 4) + 1):
                since = teacher.evaluate("() => Date.now()")
                teacher.get_by_test_id("step").click()
                shown = arrival(teacher, "[data-testid=step-counter]", str(move), since)
                for student in students:
                    at = arrival(student, "[data-testid=step-counter]", str(move), since)
                    results["train step"].append(at - since)
                    trailing["train step"].append(at - shown)
            teacher.evaluate(WATCH)
            since = teacher.evaluate("() => Date.now()")
            teacher.get_by_test_id("play").click()
            teacher.wait_for_timeout(args.play * 1000)
            until = teacher.evaluate("() => Date.now()")
            led = counted(teacher, since)
            if len(led) > 1:
                pace = (led[-1][1] - led[0][1]) / max(1, led[-1][0] - led[0][0]) * 1000
            for student in students:
                lag, steps = behind(led, counted(student, since), since, until)
                results["/train while playing"] += lag
                behind_steps.extend(steps)
            teacher.get_by_test_id("play").click()
            teacher.wait_for_selector("[data-testid=train][data-state=ready]")
            step = teacher.get_by_test_id("step-counter").get_attribute("data-step")
            loss = teacher.get_by_test_id("train-loss").get_attribute("data-value")
            for student in students:
                try:
                    student.wait_for_selector(
                        f"[data-testid=train][data-state=ready] [data-testid=step-counter][data-step='{step}']",
                        timeout=20000,
                    )
                    settled &= student.get_by_test_id("train-loss").get_attribute("data-value") == loss
                except Exception:  # reported below as not settled
                    settled = False
            reloaded |= not all(student.evaluate("window.__marker === true") for student in students)
            browser.close()
    finally:
        stop_server(server)
    print(f"live class in the browser: {args.students} students, memory backend, 1 worker")
    for kind, values in results.items():
        print(f"  {kind:18} {percentiles(values)}")
        if kind in trailing:
            print(f"  {'… behind the teacher’s page':18} {percentiles(trailing[kind])}")
    if behind_steps:
        print(f"  {'(same, in steps)':18} {percentiles(behind_steps).replace(' ms', '')}")
        print(f"  the teacher's own pace while playing: {pace:.0f} steps/s (asked: 400)")
    print(f"  students settled on the teacher's step and loss at pause: {'yes' if settled else 'no'}")
    print(f"  student pages reloaded: {'yes' if reloaded else 'no'}")


if __name__ == "__main__":
    main()
