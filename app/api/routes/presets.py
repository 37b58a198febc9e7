"""The named example networks and expressions the lessons use."""

from __future__ import annotations

from functools import cache

from fastapi import APIRouter
from fastapi.responses import Response

from app.api.presets import PRESETS
from app.api.schemas.presets import PresetList
from app.api.wire import JSON, dumps

router = APIRouter(tags=["presets"])


@cache
def _body() -> bytes:
    return dumps({"presets": PRESETS})


@router.get("/presets", response_model=PresetList, summary="Example networks and expressions, as request bodies")
async def presets() -> Response:
    """Each preset names the endpoint it is for and carries the full body to send there."""
    return Response(_body(), media_type=JSON)
