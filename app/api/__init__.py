"""The REST API under /api/v1, and trace contract v2 under /api/v2: routers, schemas, validation and
serialization. Nothing imports it but main."""

from fastapi import APIRouter

from app.api.routes import datasets, exercises, export, expression, meta, network, presets, trace_v2, training

api_router = APIRouter(prefix="/api/v1")
for module in (meta, network, training, expression, presets, datasets, export, exercises):
    api_router.include_router(module.router)

api_v2_router = APIRouter(prefix="/api/v2")
api_v2_router.include_router(trace_v2.router)
