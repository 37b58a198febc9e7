"""In a real Chromium: the pages and /docs run under the Content-Security-Policy without a single
violation, and crafted links (markup, script URLs, junk) never run code or add elements."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import pytest

pytestmark = pytest.mark.e2e

STATIC_JS = Path(__file__).resolve().parents[2] / "static" / "js"

# Records every CSP violation in the page, from before the first script runs.
WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
});
"""

MARK = "window.__xss=1"
PAYLOADS = [
    f"<script>{MARK}</script>",
    f'"><img src=x onerror="{MARK};alert(1)">',
    f"'><svg onload={MARK}>",
    f"javascript:{MARK};alert(1)",
    f'["<img src=x onerror={MARK}>"]',
    f'{{"__proto__":{{"polluted":1}},"name":"<iframe src=javascript:{MARK}>"}}',
    "\u202e" + "A" * 1000 + "%00\\",  # long junk: a right-to-left mark, a stray escape, a NUL
]
PAGES = ["/", "/train", "/lessons"]


def state_keys() -> list[str]:
    """URL-state property names the front end declares (``name: "…"``), plus a few likely ones."""
    declared = {
        name
        for path in STATIC_JS.rglob("*.js")
        for name in re.findall(r"""\bname:\s*["']([A-Za-z_][\w-]*)["']""", path.read_text(encoding="utf-8"))
    }
    return sorted(declared | {"state", "expr", "layers", "lang", "lesson", "step", "dataset", "x"})


def crafted_urls() -> list[str]:
    """Every payload in every state key, in the query and in the hash, on every page; and raw in the hash."""
    urls = []
    for page in PAGES:
        for payload in PAYLOADS:
            params = "&".join(f"{key}={quote(payload)}" for key in state_keys())
            urls.append(f"{page}?{params}#{params}")
        urls.append(f"{page}#{PAYLOADS[1]}")
    urls.append("/lessons/" + quote(f"<img src=x onerror={MARK}>"))
    return urls


def test_the_playground_runs_under_the_csp(page, live_server: str) -> None:  # type: ignore[no-untyped-def]
    """The ``page`` fixture also fails the test on any console error, which is where Chromium reports
    a refused inline script, style or eval."""
    page.add_init_script(WATCH_CSP)
    response = page.goto(live_server + "/", wait_until="networkidle")
    assert response.status == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_timeout(200)
    assert page.evaluate("window.__cspViolations") == []


@pytest.mark.parametrize("path", PAGES)
def test_no_page_violates_the_csp(browser, live_server: str, path: str) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context()
    page = context.new_page()
    refused: list[str] = []
    page.on("console", lambda msg: refused.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.add_init_script(WATCH_CSP)
    try:
        page.goto(live_server + path, wait_until="networkidle")
        page.wait_for_timeout(200)
        assert page.evaluate("window.__cspViolations") == []
    finally:
        context.close()
    assert refused == []


def test_docs_work_under_the_csp(page, live_server: str) -> None:  # type: ignore[no-untyped-def]
    page.add_init_script(WATCH_CSP)
    response = page.goto(f"{live_server}/docs", wait_until="networkidle")
    assert "'unsafe-inline'" not in response.headers["content-security-policy"]
    page.wait_for_selector(".opblock", timeout=15_000)
    assert page.locator(".opblock").count() >= 2
    assert "Backprop Lab" in page.locator(".info .title").inner_text()

    limits = page.locator(".opblock", has_text="/api/v1/limits").first
    limits.locator(".opblock-summary").click()
    limits.get_by_role("button", name="Try it out").click()
    limits.get_by_role("button", name="Execute").click()
    status = limits.locator(".live-responses-table tr.response .response-col_status").first
    status.wait_for(timeout=10_000)
    assert status.inner_text().strip() == "200"
    assert page.evaluate("window.__cspViolations") == []


def test_crafted_links_run_no_code(browser, live_server: str) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context()
    page = context.new_page()
    page.add_init_script(WATCH_CSP)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page_errors: list[str] = []
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    try:
        for url in crafted_urls():
            page.goto(live_server + url, wait_until="networkidle")
            page.wait_for_timeout(50)
            found = page.evaluate(
                """() => ({
                  xss: window.__xss ?? null,
                  polluted: ({}).polluted ?? null,
                  injected: document.querySelectorAll(
                    'img[src="x"], svg[onload], iframe, [onerror], [onload], a[href^="javascript:" i]'
                  ).length,
                  violations: window.__cspViolations,
                })"""
            )
            assert found == {"xss": None, "polluted": None, "injected": 0, "violations": []}, url[:200]
    finally:
        context.close()
    assert dialogs == []
    assert page_errors == []
