"""The ASGI application: ``app.main:app``."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from app import __version__
from app.api import api_router, api_v2_router
from app.api.cache import ResponseCache
from app.api.openapi import install_openapi, operation_id
from app.api.routes.classroom import classroom_lifespan
from app.api.routes.classroom import router as classroom_router
from app.api.wire import ApiError, api_error_handler, http_error_handler, validation_error_handler
from app.docs import install_docs
from app.health import router as health_router
from app.middleware import install_middleware
from app.pages import ROOT, is_page_path, not_found_page
from app.pages import router as pages_router
from app.settings import Settings, get_settings
from app.static_assets import STATIC_URL, HeldStaticFiles, static_tree_hash, versioned_prefix

DESCRIPTION = """
Backprop Lab's API: every value and gradient of a small neural network or expression, and the ordered
steps of the forward and backward pass with the chain-rule arithmetic written out with real numbers.

Numbers that overflow are sent as `null` and the response says `diverged: true`; the JSON is always strict.
Every request carries all of its state, so any replica can serve it.
"""


def settle_heap() -> None:
    """Put what start-up made (modules, routes, schemas: about 100,000 objects) out of the garbage collector's sight.

    It lives as long as the process, yet each full collection walked all of it: 30–80 ms during which every
    request in flight waited (one fell in the middle of a page load, and the page's main module and its
    trace took 110 ms to answer instead of 3 and 28). Frozen, a full collection walks only what requests
    have made since (``gc.freeze``)."""
    gc.collect()
    gc.freeze()


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settle_heap()
    async with classroom_lifespan(app):
        yield


async def page_or_json_error(request: Request, exc: StarletteHTTPException) -> Response:
    """An unknown page is the HTML 404 page in the reader's language; every other error stays JSON."""
    if exc.status_code == 404 and request.method in ("GET", "HEAD") and is_page_path(request.url.path):
        return not_found_page(request)
    return await http_error_handler(request, exc)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(
        title="Backprop Lab",
        version=__version__,
        description=DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        generate_unique_id_function=operation_id,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.response_cache = ResponseCache(settings.response_cache_bytes)
    app.add_exception_handler(ApiError, api_error_handler)
    app.add_exception_handler(RequestValidationError, validation_error_handler)
    app.add_exception_handler(StarletteHTTPException, page_or_json_error)
    # Routes are matched in order, each router's in turn. The static files come first: a page loads dozens
    # of them, and matching each after every API route cost the server as much as sending it. Then the
    # trace the step player asks for on every step and edit (matching it after all of v1's routes cost
    # more than writing a small pass).
    static_version = static_tree_hash(ROOT / "static")  # once: a release changes files only by restarting
    app.state.static_prefix = versioned_prefix(static_version)
    app.mount(STATIC_URL, HeldStaticFiles(directory=ROOT / "static", version=static_version), name="static")
    app.include_router(api_v2_router)
    app.include_router(api_router)
    app.include_router(classroom_router, prefix="/api/v1")  # live classes: the one API that keeps state
    app.include_router(pages_router)
    app.include_router(health_router)
    install_docs(app)
    install_openapi(app)
    install_middleware(app, settings)
    return app


app = create_app()
