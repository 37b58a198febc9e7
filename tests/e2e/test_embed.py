"""Embeds in Chromium: a course page on another origin frames the step player and a lesson's figure when
BACKPROP_FRAME_ANCESTORS names that origin, and cannot when it does not."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote, unquote

import pytest
from playwright.sync_api import Page, expect

from tests.classroom.conftest import AppProcess
from tests.e2e.conftest import checked_page

READY = "[data-testid=network-diagram][data-ready]"


class CoursePages(BaseHTTPRequestHandler):
    """A course site: /<anything>?src=<url> is a page whose only content is a frame of that url."""

    def do_GET(self) -> None:
        src = unquote(self.path.split("?src=", 1)[1]) if "?src=" in self.path else ""
        body = f'<!doctype html><title>Course</title><h1>Week 3</h1><iframe id="figure" src="{src}" width="1000" height="760"></iframe>'
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args: object) -> None:
        pass


def _course_site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), CoursePages)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    # "localhost" vs the app's "127.0.0.1": another origin, on the loopback (Chromium keeps public pages from
    # framing local ones whatever the app allows)
    yield f"http://localhost:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def course() -> Iterator[str]:
    yield from _course_site()


@pytest.fixture(scope="module")
def elsewhere() -> Iterator[str]:
    yield from _course_site()


@pytest.fixture(scope="module")
def embed_server(course: str) -> Iterator[str]:
    server = AppProcess({"BACKPROP_FRAME_ANCESTORS": course})
    yield server.base
    server.stop()


def course_page(page: Page, origin: str, src: str) -> None:
    page.goto(f"{origin}/week-3?src={quote(src, safe='')}")


def test_an_allowed_course_page_frames_the_player_with_its_state_from_the_url(
    browser, embed_server: str, course: str
) -> None:  # type: ignore[no-untyped-def]
    with checked_page(browser, viewport={"width": 1100, "height": 800}, locale="en-US") as page:
        course_page(page, course, f"{embed_server}/embed/player#step=3&g=neuron")
        frame = page.frame_locator("#figure")
        expect(frame.locator(READY)).to_be_visible(timeout=20_000)  # a busy machine: the first trace takes a while
        expect(frame.get_by_test_id("timeline")).to_have_value("3")
        expect(frame.locator(".topbar")).to_have_count(0)  # no site chrome
        expect(frame.get_by_test_id("classroom-start")).to_have_count(0)
        page.screenshot(path="/tmp/shots/classroom/embed-player.png")


def test_an_allowed_course_page_frames_a_lesson_figure(browser, embed_server: str, course: str) -> None:  # type: ignore[no-untyped-def]
    with checked_page(browser, viewport={"width": 1100, "height": 800}, locale="zh-CN") as page:
        course_page(page, course, f"{embed_server}/embed/lessons/chain-rule")
        frame = page.frame_locator("#figure")
        expect(frame.get_by_test_id("chain-graph")).to_be_visible(timeout=20_000)
        expect(frame.get_by_test_id("lesson-text")).to_be_hidden()
        expect(frame.locator(".topbar")).to_have_count(0)
        page.screenshot(path="/tmp/shots/classroom/embed-lesson-zh.png")


@pytest.mark.parametrize("path", ["/embed/player", "/embed/lessons/chain-rule", "/"])
def test_a_course_page_on_another_origin_is_refused(browser, embed_server: str, elsewhere: str, path: str) -> None:  # type: ignore[no-untyped-def]
    with checked_page(browser, viewport={"width": 1100, "height": 800}, locale="en-US") as page:
        course_page(page, elsewhere, f"{embed_server}{path}")
        page.wait_for_timeout(1500)
        frame = next(f for f in page.frames if f != page.main_frame)
        assert frame.url.startswith("chrome-error://") or not frame.url.startswith(embed_server), frame.url
        assert frame.locator("[data-testid=network-diagram], [data-testid=lesson]").count() == 0
        # Chromium reports the refusal on the console; it is the expected outcome here
        refused = [error for error in page.console_errors if "frame-ancestors" in error or "X-Frame-Options" in error]
        assert refused, page.console_errors
        page.console_errors.clear()
