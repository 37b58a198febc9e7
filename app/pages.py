"""HTML pages: thin Jinja2 templates around the ES modules in static/.

Pages are rendered in the reader's language (cookie ``lang``, else Accept-Language); everything
they show is computed by the API and played by the browser.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from app.classroom.codes import normal_code
from app.i18n import LANGUAGES, embedded_strings, pick_language, translate
from app.middleware import frame_policy
from app.static_assets import STATIC_URL, ModuleGraph

ROOT = Path(__file__).resolve().parent.parent
templates = Jinja2Templates(directory=ROOT / "templates")
MODULES = ModuleGraph(ROOT / "static" / "js")


@pass_context
def module_preloads(context: Context, entries: list[str], skip: list[str] | tuple[str, ...] = ()) -> list[str]:
    """{% for module in module_preloads([entry, …], skip=[…]) %}: every module a page's scripts import, so the
    browser fetches them at once instead of one level of imports per round trip (app/static_assets.py). A
    module already named earlier in the same page is left out (the layout and the page both ask)."""
    named: set[str] = context.eval_ctx.__dict__.setdefault("preloaded", set())  # one per page rendered
    modules = [name for name in MODULES.preloads(entries, skip) if name not in named]
    named.update(modules)
    return modules


templates.env.globals["module_preloads"] = module_preloads


@dataclass(frozen=True)
class Lesson:
    number: int
    slug: str


LESSONS = (
    Lesson(1, "feed-forward"),
    Lesson(2, "derivative"),
    Lesson(3, "partial-derivatives"),
    Lesson(4, "gradient"),
    Lesson(5, "chain-rule"),
    Lesson(6, "backpropagation"),
    Lesson(7, "beyond-backprop"),
)

# The translation namespaces each page's scripts use; the page carries those strings (tests/test_i18n.py
# checks every page's module graph against this table).
PAGE_NAMESPACES = {
    "playground": ("common", "playground"),
    "train": ("common", "train"),
    "lessons": ("common",),
    "lesson": ("common", "lessons", "playground"),
    "docs": ("common",),
    "not_found": ("common",),
    "join": ("common",),
}
# Paths whose errors stay JSON (the API, its document, files and probes); any other unknown path is a page.
NOT_PAGES = ("/api/", "/api", "/static/", "/docs/", "/openapi.json", "/healthz", "/readyz")

router = APIRouter(include_in_schema=False)


def render_page(request: Request, template: str, page: str, **context: Any) -> HTMLResponse:
    """A template of ``page`` in the reader's language."""
    return _render(request, template, page, **context)


def is_page_path(path: str) -> bool:
    """Whether a missing ``path`` is answered with the HTML not-found page (else with JSON)."""
    return not any(path == prefix.rstrip("/") or path.startswith(prefix) for prefix in NOT_PAGES)


def not_found_page(request: Request) -> HTMLResponse:
    """The 404 page in the reader's language, with the ways back into the app."""
    response = _render(request, "not_found.html", "not_found")
    response.status_code = 404
    return response


def _render(request: Request, template: str, page: str, **context: Any) -> HTMLResponse:
    lang = pick_language(request.cookies.get("lang"), request.headers.get("accept-language"))

    def t(key: str, **params: Any) -> str:
        return translate(lang, key, **params)

    strings = Markup(embedded_strings(lang, PAGE_NAMESPACES[page]))  # JSON without < > &: safe in the page
    context.setdefault("static", getattr(request.app.state, "static_prefix", STATIC_URL))  # app/static_assets.py
    return templates.TemplateResponse(
        request,
        template,
        {"page": page, "lang": lang, "languages": LANGUAGES, "t": t, "lessons": LESSONS, "strings": strings, **context},
    )


@router.get("/", response_class=HTMLResponse)
async def playground(request: Request) -> HTMLResponse:
    return _render(request, "playground.html", "playground")


@router.get("/train", response_class=HTMLResponse)
async def train(request: Request) -> HTMLResponse:
    return _render(request, "train.html", "train")


@router.get("/join", response_class=HTMLResponse)
async def join(request: Request, code: str = "") -> HTMLResponse:
    """Where students join a live class: the code from the QR code's link, or typed."""
    shown = normal_code(code) or ""  # only a well-formed code goes back into the page
    settings = request.app.state.settings
    return _render(request, "join.html", "join", code=shown, max_name=settings.classroom_max_name_length)


def _embed(response: HTMLResponse, request: Request) -> HTMLResponse:
    # framed only by the origins BACKPROP_FRAME_ANCESTORS names; app/middleware.py then leaves out X-Frame-Options
    response.headers["Content-Security-Policy"] = frame_policy(request.app.state.settings.frame_ancestors)
    return response


@router.get("/embed/player", response_class=HTMLResponse)
async def embed_player(request: Request) -> HTMLResponse:
    """The step player alone, for a course page's frame; its state comes from the URL (#…) as on /."""
    return _embed(_render(request, "playground.html", "playground", embed=True), request)


@router.get("/embed/lessons/{slug}", response_class=HTMLResponse)
async def embed_lesson(request: Request, slug: str) -> HTMLResponse:
    """One lesson's figure alone, for a course page's frame."""
    return _embed(_lesson_page(request, slug, embed=True), request)


@router.get("/lessons", response_class=HTMLResponse)
async def lessons(request: Request) -> HTMLResponse:
    return _render(request, "lessons/index.html", "lessons")


@router.get("/lessons/{slug}", response_class=HTMLResponse)
async def lesson(request: Request, slug: str) -> HTMLResponse:
    return _lesson_page(request, slug, embed=False)


def _lesson_page(request: Request, slug: str, embed: bool) -> HTMLResponse:
    found = next((lesson for lesson in LESSONS if lesson.slug == slug), None)
    if found is None:
        raise HTTPException(404, f"no lesson named {slug!r}")
    index = LESSONS.index(found)
    previous = LESSONS[index - 1] if index > 0 else None
    following = LESSONS[index + 1] if index + 1 < len(LESSONS) else None
    return _render(
        request,
        f"lessons/{found.slug}.html",
        "lesson",
        lesson=found,
        previous=previous,
        following=following,
        embed=embed,
    )
