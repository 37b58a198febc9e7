"""The API reference at ``/docs``: Swagger UI from the installed ``swagger-ui-bundle-v2`` package.

FastAPI's own ``/docs`` page loads Swagger UI from a CDN and starts it with an inline script; both are
refused by the Content-Security-Policy (``script-src 'self'``) and the first needs the internet. Here
the page, its scripts and its styles all come from this server, and ``/docs/init.js`` starts the UI.
The page is one of the app's (templates/docs.html): its header leads back to the app, and
static/css/docs.css fixes what axe finds in stock Swagger UI (contrast, a link inside a button).
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

from app.pages import render_page

DOCS_PATH = "/docs"
ASSETS_PATH = f"{DOCS_PATH}/assets"

INIT_SCRIPT = """"use strict";
window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  // Deep links put a link inside each operation's expand button (axe: nested-interactive).
  deepLinking: false,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
});
// Code examples scroll sideways: a keyboard user must be able to reach them (axe: scrollable-region-focusable).
new MutationObserver(() => {
  for (const region of document.querySelectorAll("#swagger-ui pre.microlight:not([tabindex])")) {
    region.setAttribute("tabindex", "0");
  }
}).observe(document.getElementById("swagger-ui"), { childList: true, subtree: true });
"""


def install_docs(app: FastAPI) -> None:
    """Serve the reference at /docs; the app must be created with ``docs_url=None, redoc_url=None``."""

    @app.get(DOCS_PATH, include_in_schema=False)
    async def docs(request: Request) -> HTMLResponse:
        return render_page(request, "docs.html", "docs", assets=ASSETS_PATH, init=f"{DOCS_PATH}/init.js")

    @app.get(f"{DOCS_PATH}/init.js", include_in_schema=False)
    async def docs_init() -> Response:
        return Response(INIT_SCRIPT, media_type="text/javascript")

    app.mount(ASSETS_PATH, StaticFiles(directory=str(swagger_ui_path)), name="docs-assets")
