"""The ASGI application: ``app.main:app``."""

from __future__ import annotations

from fastapi import FastAPI

from app import __version__
from app.settings import Settings, get_settings


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(title="Backprop Lab", version=__version__)
    app.state.settings = settings

    @app.get("/healthz", tags=["ops"])
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


app = create_app()
