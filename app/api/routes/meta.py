"""Service metadata: the configured caps and the choices of the enumerated request fields."""

from __future__ import annotations

from typing import get_args

from fastapi import APIRouter
from fastapi.responses import Response

from app.api.dependencies import SettingsDep
from app.api.schemas.common import Activation, InitScheme, LossName
from app.api.schemas.meta import Choices, Limits
from app.api.schemas.training import DatasetName, OptimizerName, Regularization
from app.api.wire import json_response

router = APIRouter(tags=["meta"])

CAPS = frozenset(name for name in Limits.model_fields if name.startswith(("max_", "heavy_")))
CHOICES = Choices(
    activations=list(get_args(Activation)),
    losses=list(get_args(LossName)),
    optimizers=list(get_args(OptimizerName)),
    init_schemes=list(get_args(InitScheme)),
    regularizations=list(get_args(Regularization)),
    datasets=list(get_args(DatasetName)),
)


@router.get("/limits", response_model=Limits, summary="The caps this server enforces, and the accepted choices")
async def limits(settings: SettingsDep) -> Response:
    """Every cap a request is checked against, each set by an environment variable BACKPROP_<NAME>, and the
    values each enumerated request field accepts."""
    answer = Limits(**settings.model_dump(include=CAPS), choices=CHOICES)
    return json_response(answer.model_dump(mode="json"))
