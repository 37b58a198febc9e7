"""The REST API under /api/v1: routers, schemas, validation and serialization. Nothing imports it but main."""

from fastapi import APIRouter

from app.api.routes import datasets, export, expression, meta, network, presets, training

api_router = APIRouter(prefix="/api/v1")
for module in (meta, network, training, expression, presets, datasets, export):
    api_router.include_router(module.router)
