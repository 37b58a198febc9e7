"""The edges of the site: the API reference carries the app's header, unknown pages are an HTML 404 in the
reader's language (the API keeps its JSON 404s)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.e2e.conftest import checked_page

pytestmark = pytest.mark.e2e
SHOTS = Path("/tmp/shots/h11c")


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, str, str]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers["content-type"], response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["content-type"], error.read().decode()


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_docs_carry_the_app_header_with_a_way_back(browser, live_server, lang: str) -> None:  # type: ignore[no-untyped-def]
    with checked_page(browser, viewport={"width": 1280, "height": 800}, locale=lang) as page:
        page.goto(f"{live_server}/docs")
        page.wait_for_selector(".opblock", timeout=15_000)
        assert page.get_attribute("html", "lang") == lang
        assert page.locator("header.topbar a.brand").get_attribute("href") == "/"
        current = page.locator("header.topbar nav a[aria-current=page]")
        assert current.get_attribute("href") == "/docs"
        assert page.locator("main #swagger-ui .info .title").count() == 1
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"docs-{lang}.png"))
        page.click("header.topbar a.brand")
        page.wait_for_url(f"{live_server}/")


@pytest.mark.parametrize(
    ("lang", "heading"), [("en", "Page not found"), ("zh-CN", "找不到这个页面")], ids=["en", "zh-CN"]
)
@pytest.mark.parametrize("path", ["/lessons/no-such-lesson", "/no-such-page"])
def test_unknown_pages_are_an_html_404_in_the_readers_language(browser, live_server, path, lang, heading) -> None:  # type: ignore[no-untyped-def]
    status, content_type, body = fetch(f"{live_server}{path}", {"Accept-Language": lang})
    assert status == 404 and content_type.startswith("text/html")
    assert heading in body and f'lang="{lang}"' in body
    with checked_page(browser, viewport={"width": 1280, "height": 800}, locale=lang) as page:
        response = page.goto(f"{live_server}{path}")
        assert response.status == 404
        page.console_errors.clear()  # the browser logs the 404 of the document itself
        assert page.locator("h1").inner_text() == heading
        assert page.locator("main a[href='/']").count() >= 1
        assert page.locator("header.topbar a.brand").count() == 1
        page.screenshot(path=str(SHOTS / f"not-found-{lang}{path.replace('/', '-')}.png"))


def test_the_api_keeps_its_json_404s(live_server) -> None:  # type: ignore[no-untyped-def]
    status, content_type, body = fetch(f"{live_server}/api/v1/no-such-thing", {"Accept": "text/html"})
    assert status == 404 and content_type.startswith("application/json")
    assert json.loads(body)["detail"]
