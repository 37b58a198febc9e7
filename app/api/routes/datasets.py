"""The dataset catalogue, and CSV text turned into points for the playground."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from app.api.body import JsonBodyRoute
from app.api.dependencies import SettingsDep
from app.api.schemas.common import ERROR_RESPONSES
from app.api.schemas.datasets import CsvRequest, DatasetCatalogue, ParsedDataset
from app.api.wire import ApiError, json_response
from app.nn.datasets import DATASETS, DatasetInfo, parse_csv

router = APIRouter(prefix="/datasets", tags=["datasets"], route_class=JsonBodyRoute)

_LINE = re.compile(r"line (\d+)")


def suggested_network(info: DatasetInfo) -> dict[str, Any]:
    if info.kind == "regression":
        return {"layers": [info.input_dim, 8, 1], "activation": "tanh", "output_activation": "identity", "loss": "mse"}
    if info.kind == "multiclass" and info.input_dim > 2:  # real data: one wide layer learns it
        return {
            "layers": [info.input_dim, 16 if info.input_dim > 8 else 8, info.output_dim],
            "activation": "tanh",
            "output_activation": "identity",
            "loss": "cross_entropy",
        }
    if info.kind == "multiclass":
        return {
            "layers": [info.input_dim, 8, 8, info.output_dim],
            "activation": "tanh",
            "output_activation": "identity",
            "loss": "cross_entropy",
        }
    return {"layers": [info.input_dim, 4, 1], "activation": "tanh", "output_activation": "sigmoid", "loss": "bce"}


def _info(info: DatasetInfo) -> dict[str, Any]:
    return {
        "name": info.name,
        "kind": info.kind,
        "input_dim": info.input_dim,
        "output_dim": info.output_dim,
        "classes": info.classes,
        "description": info.description,
        "title_key": f"dataset.{info.name}.title",
        "suggested": suggested_network(info),
        "size": info.size,
        "image": None if info.image is None else list(info.image),
        "class_names": None if info.class_names is None else list(info.class_names),
    }


@router.get("", response_model=DatasetCatalogue, summary="The built-in datasets")
async def catalogue(settings: SettingsDep) -> Response:
    """Each dataset's kind, input and output width and class count, with a network that suits it (send its
    `suggested` fields with `dataset: {"name": …}` to POST /api/v1/network/train)."""
    return json_response({"datasets": [_info(info) for info in DATASETS.values()], "max_points": settings.max_dataset})


@router.post(
    "/parse",
    response_model=ParsedDataset,
    responses=ERROR_RESPONSES,
    summary="CSV text to points with labels or targets",
)
async def parse(request: CsvRequest, settings: SettingsDep) -> Response:
    """For the playground's paste and upload: the points to train on (send them back as `dataset.points`
    with `labels` or `targets`). A bad row is a 422 whose `detail` and `params.line` name its line."""
    try:
        data = parse_csv(request.text, max_rows=settings.max_dataset)
    except ValueError as error:
        message = str(error)
        line = _LINE.search(message)
        params = {"line": int(line.group(1))} if line else {}
        raise ApiError(422, message, code="csv_error", field="text", params=params) from None
    regression = data.labels is None
    return json_response(
        {
            "kind": data.kind,
            "count": len(data),
            "input_dim": data.input_dim,
            "output_dim": data.output_dim,
            "classes": data.classes,
            "points": data.inputs.tolist(),
            "labels": None if regression else data.labels.tolist(),
            "targets": data.targets[:, 0].tolist() if regression else None,
        }
    )
