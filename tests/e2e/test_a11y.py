"""Accessibility and projection: axe-core on every page in the light, dark and presenter looks; presenter
colours of at least 7:1; visible focus; a live region for the current step; reduced motion."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from app.pages import LESSONS
from tests.e2e.conftest import checked_page

ROOT = Path(__file__).resolve().parents[2]
BASE_CSS = ROOT / "static" / "css" / "base.css"
PAGES = ["/", "/train", "/lessons", *[f"/lessons/{lesson.slug}" for lesson in LESSONS], "/docs"]
LOOKS = {
    "light": ("light", ""),
    "dark": ("dark", ""),
    "presenter": ("light", "?present=1"),
    "presenter-dark": ("dark", "?present=1"),
}
BLOCKING = {"serious", "critical"}
# Problems reported to the page's owners and not yet fixed: (path, axe rule id) -> what it is. Such a
# finding marks the test xfail instead of failing it; anything else still fails.
KNOWN: dict[tuple[str, str], str] = {}


# ----------------------------------------------------------------------------------------- colour maths
def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(hex_colour: str) -> float:
    h = hex_colour.lstrip("#")
    if len(h) == 3:
        h = "".join(ch * 2 for ch in h)
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def tokens(selector: str) -> dict[str, str]:
    """The custom properties set in one rule of base.css, e.g. ':root[data-presenter="on"]'."""
    css = BASE_CSS.read_text(encoding="utf-8")
    match = re.search(re.escape(selector) + r"\s*\{([^}]*)\}", css)
    assert match, f"no rule {selector} in base.css"
    return dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{3,6})\s*;", match.group(1)))


THEMES = {
    "light": [":root"],
    "dark": [":root", ':root[data-theme="dark"]'],
    "presenter": [":root", ':root[data-presenter="on"]'],
    "presenter-dark": [":root", ':root[data-theme="dark"]', ':root[data-presenter="on"][data-theme="dark"]'],
}
TEXT_PAIRS = [
    ("text", "bg"),
    ("text", "surface"),
    ("text", "surface-2"),
    ("text-muted", "bg"),
    ("text-muted", "surface"),
]
INK_PAIRS = [("accent", "bg"), ("accent", "surface"), ("neg", "surface"), ("pos", "surface"), ("accent-text", "accent")]


def palette(theme: str) -> dict[str, str]:
    merged: dict[str, str] = {}
    for selector in THEMES[theme]:
        merged.update(tokens(selector))
    return merged


@pytest.mark.parametrize(
    ("theme", "minimum"),
    [("presenter", 7), ("presenter-dark", 7), ("light", 4.5), ("dark", 4.5)],  # projection asks for 7:1 (AAA)
)
def test_text_colours_reach_their_contrast(theme: str, minimum: float) -> None:
    colours = palette(theme)
    for fg, bg in TEXT_PAIRS + INK_PAIRS:
        ratio = contrast(colours[fg], colours[bg])
        assert ratio >= minimum, f"{theme}: --{fg} on --{bg} is {ratio:.2f}:1, under {minimum}:1"


def test_presenter_text_contrast_as_rendered(page, live_server) -> None:  # type: ignore[no-untyped-def]
    """The colours the browser actually paints on a lesson in presenter mode, not just the tokens."""
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"{live_server}/lessons/derivative?present=1")
    page.wait_for_selector("[data-lesson][data-ready=true]")
    pairs = page.evaluate(
        """() => {
          const hex = (rgb) => '#' + rgb.match(/\\d+/g).slice(0, 3).map(n => (+n).toString(16).padStart(2, '0')).join('');
          const bg = (el) => { for (; el; el = el.parentElement) { const c = getComputedStyle(el).backgroundColor;
                                 if (!c.endsWith(', 0)') && c !== 'transparent') return hex(c); } return '#ffffff'; };
          return [...document.querySelectorAll('.lesson-text p, .narration, h1, .try-this p, .lesson-count')]
            .map(el => [hex(getComputedStyle(el).color), bg(el)]);
        }"""
    )
    assert pairs
    for fg, bg in pairs:
        assert contrast(fg, bg) >= 7, (fg, bg)


# ----------------------------------------------------------------------------------------- axe
@pytest.fixture(scope="module")
def axe() -> Axe:
    return Axe()


@pytest.fixture
def axe_page(browser) -> Iterator[object]:  # type: ignore[no-untyped-def]
    # axe is injected by the test, not served by the app, so this context lets it past the page's CSP
    with checked_page(browser, viewport={"width": 1920, "height": 1080}, locale="en-US", bypass_csp=True) as page:
        yield page


def blocking_violations(axe: Axe, page) -> dict[str, str]:  # type: ignore[no-untyped-def]
    results = axe.run(page)
    return {
        v["id"]: f"{v['id']} ({v['impact']}): {', '.join(str(n['target']) for n in v['nodes'][:4])}"
        for v in results.response["violations"]
        if v.get("impact") in BLOCKING
    }


@pytest.mark.parametrize("look", list(LOOKS))
@pytest.mark.parametrize("path", PAGES)
def test_axe_finds_no_serious_problems(axe, axe_page, live_server, path: str, look: str) -> None:  # type: ignore[no-untyped-def]
    theme, query = LOOKS[look]
    axe_page.add_init_script(f"localStorage.setItem('theme', '{theme}')")
    axe_page.goto(f"{live_server}{path}{query}")
    axe_page.wait_for_load_state("networkidle")
    axe_page.wait_for_timeout(300)
    assert axe_page.evaluate("document.documentElement.dataset.theme") == theme
    problems = blocking_violations(axe, axe_page)
    unknown = [text for rule, text in problems.items() if (path, rule) not in KNOWN]
    assert not unknown, f"{path} [{look}]: {unknown}"
    if problems:
        pytest.xfail("; ".join(KNOWN[(path, rule)] for rule in problems))


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_axe_on_the_api_reference_with_operations_open(axe, axe_page, live_server, theme: str) -> None:  # type: ignore[no-untyped-def]
    axe_page.add_init_script(f"localStorage.setItem('theme', '{theme}')")
    axe_page.goto(f"{live_server}/docs")
    axe_page.wait_for_selector(".opblock", timeout=15_000)
    for index in range(2):  # a GET and a POST with its example body
        axe_page.locator(".opblock-summary-control").nth(index).click()
    axe_page.wait_for_selector(".body-param__example")
    assert not blocking_violations(axe, axe_page)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_axe_on_the_playground_with_a_neuron_in_the_op_graph(axe, axe_page, live_server, theme: str) -> None:  # type: ignore[no-untyped-def]
    """At step 9 the op graph draws a neuron, its inputs links to the neurons feeding it."""
    axe_page.add_init_script(f"localStorage.setItem('theme', '{theme}')")
    axe_page.goto(f"{live_server}/#step=9")
    axe_page.wait_for_selector("[data-testid=op-graph] .op-link")
    axe_page.wait_for_timeout(300)
    assert not blocking_violations(axe, axe_page)


# ----------------------------------------------------------------------------------------- keyboard and screen readers
def test_controls_are_reachable_with_tab_and_show_focus(page, live_server) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server}/lessons/feed-forward")
    page.wait_for_selector("[data-lesson][data-ready=true]")
    seen = set()
    for _ in range(40):
        page.keyboard.press("Tab")
        info = page.evaluate(
            """() => { const el = document.activeElement; const s = getComputedStyle(el);
                       return [el.dataset.testid || el.getAttribute('href') || el.tagName, s.outlineStyle, parseFloat(s.outlineWidth)]; }"""
        )
        if info[0] == "BODY":  # past the last control the focus leaves the page
            continue
        seen.add(info[0])
        assert info[1] != "none" and info[2] >= 2, f"no visible focus on {info[0]}"
    assert {"step-next", "ff-new-weights", "lang-switch", "presenter-toggle"} <= seen


def test_each_figure_has_a_caption_a_label_and_a_live_step_line(page, live_server) -> None:  # type: ignore[no-untyped-def]
    for lesson in LESSONS:
        page.goto(f"{live_server}/lessons/{lesson.slug}")
        page.wait_for_selector("[data-lesson][data-ready=true]")
        figure = page.locator("figure.lesson-figure")
        assert figure.get_attribute("aria-labelledby") == "figure-caption"
        for svg in page.locator("svg.plot").all():
            assert svg.get_attribute("role") == "img" and svg.get_attribute("aria-label")
        live = page.locator("[aria-live=polite]")
        assert live.count() >= 1, lesson.slug


def test_reduced_motion_turns_transitions_off(browser, live_server) -> None:  # type: ignore[no-untyped-def]
    with checked_page(browser, reduced_motion="reduce") as page:
        page.goto(f"{live_server}/lessons/feed-forward")
        page.wait_for_selector(".ff-node circle")
        duration = page.eval_on_selector(".ff-node circle", "c => parseFloat(getComputedStyle(c).transitionDuration)")
    assert duration < 0.01
