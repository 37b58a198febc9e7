"""What the OpenAPI document adds to FastAPI's: models no route returns as JSON, and readable operation ids."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from app.api.schemas.training import TrainStreamEvent

COMPONENTS = "#/components/schemas/"
# The training stream's events travel as text/event-stream, so no response model brings them into the document.
DESCRIBED_MODELS: tuple[type[BaseModel], ...] = (TrainStreamEvent,)


def operation_id(route: APIRoute) -> str:
    """The handler's name (``limits``, ``train_stream``): what a generated client calls the operation."""
    return route.name


def add_components(document: dict[str, Any], models: tuple[type[BaseModel], ...]) -> None:
    """Put ``models`` and the models they refer to among the document's schemas; a schema FastAPI wrote
    already stays as it is."""
    _, definitions = models_json_schema(
        [(model, "serialization") for model in models], ref_template=COMPONENTS + "{model}"
    )
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in definitions["$defs"].items():
        schemas.setdefault(name, schema)


def install_openapi(app: FastAPI) -> None:
    """Make ``app.openapi()`` (and so /openapi.json) describe DESCRIBED_MODELS too."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            add_components(build(), DESCRIBED_MODELS)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
