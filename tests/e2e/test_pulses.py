"""The moving dots of a step: the canvas that draws them lies exactly over the diagram, and every dot it
paints sits on one of the step's lit edges, on the playground and in the backpropagation lesson, at any
device pixel ratio and after the window is resized."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from tests.e2e.conftest import checked_page

SHOTS = Path("/tmp/shots/h11a")
SHOTS_FRAMES = Path("/tmp/shots/frames")
DIAGRAM = "[data-testid=network-diagram]"

# One sample of the dot layer in the page: where the canvas and the SVG are on screen, and every painted
# pixel (in CSS px of the viewport) with its distance to the nearest lit edge of the diagram.
SAMPLE = """
() => {
  const canvas = document.querySelector('[data-testid=diagram-pulses]');
  const svg = canvas && canvas.parentElement.querySelector('svg[data-testid=network-diagram]');
  if (!canvas || !svg) return null;
  const box = canvas.getBoundingClientRect();
  const diagramBox = svg.getBoundingClientRect();
  const clip = canvas.closest('.diagram-wrap').getBoundingClientRect();
  const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  const matrix = svg.getScreenCTM();
  const toScreen = (x, y) => ({ x: matrix.a * x + matrix.c * y + matrix.e, y: matrix.b * x + matrix.d * y + matrix.f });
  const segments = [...svg.querySelectorAll('line.edge.active')].map((line) => [
    toScreen(+line.getAttribute('x1'), +line.getAttribute('y1')),
    toScreen(+line.getAttribute('x2'), +line.getAttribute('y2')),
  ]);
  const distance = (p, [a, b]) => {
    const dx = b.x - a.x, dy = b.y - a.y;
    const t = Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / (dx * dx + dy * dy || 1)));
    return Math.hypot(p.x - a.x - t * dx, p.y - a.y - t * dy);
  };
  let painted = 0, outsideDiagram = 0, outsideClip = 0, offEdge = 0;
  const stride = 2; // every second device pixel is plenty for dots several pixels wide
  for (let y = 0; y < canvas.height; y += stride) {
    for (let x = 0; x < canvas.width; x += stride) {
      if (pixels[(y * canvas.width + x) * 4 + 3] < 128) continue;
      painted++;
      const p = { x: box.left + (x + 0.5) * box.width / canvas.width, y: box.top + (y + 0.5) * box.height / canvas.height };
      if (p.x < diagramBox.left || p.x > diagramBox.right || p.y < diagramBox.top || p.y > diagramBox.bottom) outsideDiagram++;
      if (p.x < clip.left || p.x > clip.right || p.y < clip.top || p.y > clip.bottom) outsideClip++;
      if (!segments.length || Math.min(...segments.map((s) => distance(p, s))) > 10) offEdge++;
    }
  }
  const rect = (r) => [r.left, r.top, r.width, r.height];
  return {
    painted, outsideDiagram, outsideClip, offEdge, lit: segments.length,
    canvas: rect(box), diagram: rect(diagramBox),
    backing: [canvas.width, canvas.height], ratio: window.devicePixelRatio,
  };
}
"""


def sample_flight(page, samples: int = 5, shots: str | None = None) -> list[dict]:  # type: ignore[no-untyped-def]
    """Samples of the dot layer taken ~100 ms apart while a step's values travel along its edges."""
    page.wait_for_function("() => Number(document.querySelector('[data-testid=diagram-pulses]')?.dataset.pulses) > 0")
    taken = []
    for i in range(samples):
        taken.append(page.evaluate(SAMPLE))
        if shots:
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.locator(".diagram-wrap").first.screenshot(path=str(SHOTS / f"{shots}-{i}.png"))
        page.wait_for_timeout(100)
    return taken


def assert_dots_on_the_diagram(samples: list[dict]) -> None:
    in_flight = [s for s in samples if s and s["painted"]]
    assert len(in_flight) >= 3, f"too few samples with dots in flight: {samples}"
    for s in in_flight:
        assert s["lit"] > 0
        assert s["canvas"] == pytest.approx(s["diagram"], abs=1), "the dot layer is not laid over the diagram"
        assert s["backing"] == [round(s["canvas"][2] * s["ratio"]), round(s["canvas"][3] * s["ratio"])]
        assert s["outsideDiagram"] == 0 and s["outsideClip"] == 0, s
        assert s["offEdge"] == 0, f"dots painted away from the lit edges: {s}"


@pytest.mark.parametrize(
    ("scale", "viewport", "query"), [(1, (1280, 800), ""), (2, (1280, 800), ""), (1, (1920, 1080), "?present=1")]
)
def test_playground_dots_travel_on_the_lit_edges(browser, live_server, scale: int, viewport: tuple, query: str) -> None:  # type: ignore[no-untyped-def]
    size = {"width": viewport[0], "height": viewport[1]}
    with checked_page(browser, viewport=size, device_scale_factor=scale) as page:
        page.goto(f"{live_server}/{query}#speed=0.25")
        page.wait_for_selector(f"{DIAGRAM}[data-ready]")
        page.get_by_test_id("step-next").click()
        name = f"pulses-playground-x{scale}{'-present' if query else ''}"
        assert_dots_on_the_diagram(sample_flight(page, shots=name))


def test_dots_follow_a_resize_and_a_scrolled_page(browser, live_server) -> None:  # type: ignore[no-untyped-def]
    with checked_page(browser, viewport={"width": 1280, "height": 800}) as page:
        page.goto(f"{live_server}/#speed=0.25")
        page.wait_for_selector(f"{DIAGRAM}[data-ready]")
        page.get_by_test_id("step-next").click()
        page.wait_for_function(
            "() => Number(document.querySelector('[data-testid=diagram-pulses]').dataset.pulses) > 0"
        )
        page.set_viewport_size({"width": 1000, "height": 700})  # while the dots are in flight
        # the move ends before the next one starts, so every sample below is of the next move's dots
        page.wait_for_function(
            "() => document.querySelector('[data-testid=diagram-pulses]').dataset.pulses === '0'", timeout=15_000
        )
        page.evaluate("window.scrollTo(0, 120)")
        page.get_by_test_id("step-next").click()
        assert_dots_on_the_diagram(sample_flight(page, shots="pulses-resized"))


def test_backpropagation_lesson_dots_travel_on_the_lit_edges(browser, live_server) -> None:  # type: ignore[no-untyped-def]
    with checked_page(browser, viewport={"width": 1280, "height": 800}) as page:
        page.goto(f"{live_server}/lessons/backpropagation")
        page.wait_for_selector("[data-lesson][data-ready=true]")
        player = page.locator("[data-testid=lesson-player]")
        player.get_by_test_id("speed").select_option("0.25")
        player.get_by_test_id("step-next").click()
        assert_dots_on_the_diagram(sample_flight(page, shots="pulses-lesson"))


# Dot centres in the dot canvas (CSS px of the viewport) with the colour painted there: opaque pixels
# whose neighbours two device pixels away are opaque too (inside a dot, not on its antialiased rim).
DOT_CENTRES = """
() => {
  const canvas = document.querySelector('[data-testid=diagram-pulses]');
  const box = canvas.getBoundingClientRect();
  const { width, height } = canvas;
  const data = canvas.getContext('2d').getImageData(0, 0, width, height).data;
  const alpha = (x, y) => data[(y * width + x) * 4 + 3];
  const centres = [];
  for (let y = 2; y < height - 2 && centres.length < 40; y += 3) {
    for (let x = 2; x < width - 2 && centres.length < 40; x += 3) {
      if ([[0, 0], [2, 0], [-2, 0], [0, 2], [0, -2]].some(([dx, dy]) => alpha(x + dx, y + dy) < 255)) continue;
      const i = (y * width + x) * 4;
      centres.push({ x: box.left + (x + 0.5) * box.width / width, y: box.top + (y + 0.5) * box.height / height,
                     rgb: [data[i], data[i + 1], data[i + 2]] });
    }
  }
  return centres;
}
"""

# The colours of a screenshot (a PNG as base64) at the given viewport points.
SCREEN_COLOURS = """
async ([png, points]) => {
  const image = new Image();
  image.src = 'data:image/png;base64,' + png;
  await image.decode();
  const canvas = document.createElement('canvas');
  canvas.width = image.width;
  canvas.height = image.height;
  const context = canvas.getContext('2d');
  context.drawImage(image, 0, 0);
  return points.map(({ x, y }) => [...context.getImageData(Math.floor(x), Math.floor(y), 1, 1).data.slice(0, 3)]);
}
"""


def test_dots_in_flight_show_on_screen_through_the_canvas_clip(browser, live_server) -> None:  # type: ignore[no-untyped-def]
    """The dot canvas is clipped to the box of the step's edges (the compositor then redraws only that box
    each frame): a dot it paints must still be on screen. With the page's clock paused in the middle of a
    move, every dot centre of the canvas has the dot's colour on a screenshot, and the clip leaves out most
    of a big diagram while one neuron's values travel."""
    with checked_page(browser, viewport={"width": 1920, "height": 1080}) as page:
        page.clock.install()
        fragment = "#speed=0.5&layers=[16,16,16,16]&act=[%22tanh%22,%22tanh%22]&out=identity&loss=mse"
        page.goto(f"{live_server}/{fragment}")
        page.wait_for_selector(f"{DIAGRAM}[data-ready]")
        page.clock.pause_at(page.evaluate("Date.now()") + 1000)
        page.get_by_test_id("step-next").click()
        centres = []
        for _ in range(20):  # into the move, one slice of fake time at a time, until its dots are drawn
            page.clock.run_for(60)
            page.wait_for_timeout(30)  # real time for what the move awaits that is not a timer
            centres = page.evaluate(DOT_CENTRES)
            if len(centres) >= 5:
                break
        assert len(centres) >= 5, "no dots in flight"
        screen = page.evaluate(SCREEN_COLOURS, [base64.b64encode(page.screenshot()).decode(), centres])
        for centre, seen in zip(centres, screen, strict=True):
            assert max(abs(a - b) for a, b in zip(centre["rgb"], seen, strict=True)) <= 12, (centre, seen)
        clip = page.evaluate(
            """() => {
              const canvas = document.querySelector('[data-testid=diagram-pulses]');
              const [top, right, bottom, left] = getComputedStyle(canvas).clipPath.match(/[\\d.]+px/g).map(parseFloat);
              const { width, height } = canvas.getBoundingClientRect();
              return (width - left - right) * (height - top - bottom) / (width * height);
            }"""
        )
        assert 0 < clip < 0.6, f"the dots of one neuron's step should leave most of the canvas clipped: {clip}"
        SHOTS_FRAMES.mkdir(parents=True, exist_ok=True)
        for i in range(3):
            page.locator(".diagram-wrap").screenshot(path=str(SHOTS_FRAMES / f"dots-in-flight-{i}.png"))
            page.clock.run_for(100)
