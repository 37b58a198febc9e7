"""The REST API under /api/v1: routers, schemas, validation and serialization. Nothing imports it but main."""

from fastapi import APIRouter

from app.api.routes import meta, network

api_router = APIRouter(prefix="/api/v1")
api_router.include_router(meta.router)
api_router.include_router(network.router)
