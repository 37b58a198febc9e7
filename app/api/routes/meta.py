"""Service metadata: the configured caps."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from app.api.dependencies import SettingsDep
from app.api.wire import json_response

router = APIRouter(tags=["meta"])


@router.get("/limits", summary="The caps this server enforces on sizes, steps and lengths")
async def limits(settings: SettingsDep) -> Response:
    """Every cap a request is checked against; each is set by an environment variable BACKPROP_<NAME>."""
    return json_response(settings.model_dump(include=LIMIT_FIELDS))


LIMIT_FIELDS = {
    "max_layers",
    "max_neurons",
    "max_batch",
    "max_dataset",
    "max_train_steps",
    "max_train_work",
    "max_expression_length",
    "max_expression_depth",
    "max_variables",
    "max_body_bytes",
    "max_trace_steps",
    "max_trace_weights",
    "max_grid",
    "max_neuron_grid_cells",
    "max_train_records",
    "max_train_snapshots",
    "max_train_snapshot_values",
    "max_gradcheck_parameters",
    "max_curve_samples",
    "max_descent_steps",
    "max_limit_deltas",
}
