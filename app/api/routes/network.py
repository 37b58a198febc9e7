"""Network traces and gradient checks: one pass of backprop, told step by step and checked numerically."""

from __future__ import annotations

from functools import partial
from threading import Event
from typing import Any

import numpy as np
from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.api.budget import trace_bytes
from app.api.cache import CachingRoute, cacheable
from app.api.dependencies import SettingsDep
from app.api.heavy import CLIENT_CLOSED_REQUEST, heavy_slots, while_connected
from app.api.schemas.common import HEAVY_RESPONSES
from app.api.schemas.network import GradcheckResponse, TraceRequest, TraceResponse
from app.api.schemas.trace_v2 import TraceV2Request
from app.api.validation import build_features, build_network, check_batch, feature_inputs, invalid, too_large
from app.api.wire import JSON, json_response
from app.nn.features import FeatureMap
from app.settings import Settings
from app.tracing.gradcheck import GradcheckStopped, check_network_gradients
from app.tracing.network import TraceStopped, trace_network

INLINE_WORK = 5_000  # parameters × samples below which a trace is cheaper than a threadpool hop
INLINE_GRADCHECK_WORK = 20_000  # parameters² × samples: central differences run 2P forward passes

router = APIRouter(prefix="/network", tags=["network"], route_class=CachingRoute)


def trace_batch(
    request: TraceRequest | TraceV2Request, settings: Settings
) -> tuple[np.ndarray, np.ndarray, FeatureMap | None, np.ndarray]:
    """The network's inputs and targets, its features (None without), and the points the inputs came from."""
    features = build_features(request.features, request.layers, settings)
    if features is None:
        x, y = check_batch(request.inputs, request.targets, request, settings, request.loss)
        return x, y, None, x
    for i, row in enumerate(request.inputs):
        if len(row) != 2:
            raise invalid(f"inputs[{i}] has {len(row)} values; with features, each input is a point (x1, x2)", "inputs")
    points = np.asarray(request.inputs, dtype=np.float64).reshape(-1, 2)
    values = feature_inputs(features, points, "inputs").tolist() if len(points) else []
    x, y = check_batch(values, request.targets, request, settings, request.loss)
    return x, y, features, points


@router.post(
    "/trace",
    response_model=TraceResponse,
    responses=HEAVY_RESPONSES,
    summary="One forward and backward pass, and one SGD update, as ordered steps",
)
@cacheable
async def trace(request: TraceRequest, http: Request, settings: SettingsDep) -> Response:
    """Every layer's activations and gradients, every parameter's gradient and update, and the ordered
    `steps` of the pass with the chain-rule arithmetic written out with the real numbers."""
    mlp = build_network(request, settings)
    x, y, features, points = trace_batch(request, settings)
    if request.sample >= len(x):
        raise invalid(f"sample is {request.sample} but the batch has {len(x)} samples", "sample")
    step_count = 2 + 4 * sum(request.layers[1:])
    if step_count > settings.max_trace_steps:
        raise invalid(
            f"this network makes {step_count} steps; at most {settings.max_trace_steps} are allowed — use fewer neurons",
            "layers",
            code="over_cap",
        )
    weights = sum(w.data.size for w in mlp.weights)
    if weights > settings.max_trace_weights:
        raise too_large(
            f"the network has {weights} weights; a trace writes each into several formulas and allows at most "
            f"{settings.max_trace_weights} — use fewer or narrower layers",
            "layers",
            limit=settings.max_trace_weights,
        )
    estimate = trace_bytes(request.layers, len(x), request.include_neuron_graphs)
    if estimate > settings.max_response_bytes:
        raise too_large(
            f"this trace would take up to {estimate:,} bytes; at most {settings.max_response_bytes:,} are allowed "
            "(BACKPROP_MAX_RESPONSE_BYTES) — send fewer samples, leave out include_neuron_graphs or use a smaller "
            "network",
            "inputs",
            limit=settings.max_response_bytes,
        )
    args = (mlp, x, y, request.loss, request.learning_rate, request.sample, request.include_neuron_graphs)
    named = {"features": features, "points": points}  # with features, the script names the inputs by them
    if mlp.parameter_count() * len(x) <= INLINE_WORK:
        written = trace_network(*args, **named)
    else:
        async with heavy_slots(http).held():
            written = await while_connected(http, partial(_trace_unless_stopped, args, named))
        if written is None:
            return Response(status_code=CLIENT_CLOSED_REQUEST)
    return Response(written, media_type=JSON)


def _trace_unless_stopped(args: tuple[Any, ...], named: dict[str, Any], stop: Event) -> bytes | None:
    """A trace written in the threadpool; None once ``stop`` is set (its client has gone)."""
    try:
        return trace_network(*args, stop=stop.is_set, **named)
    except TraceStopped:
        return None


@router.post(
    "/gradcheck",
    response_model=GradcheckResponse,
    responses=HEAVY_RESPONSES,
    summary="Backprop against central differences for every parameter, with the cost of each",
)
async def gradcheck(request: TraceRequest, http: Request, settings: SettingsDep) -> Response:
    """Takes the same body as `/network/trace`. For every weight and bias: the gradient from one backward
    pass beside (L(p + h) − L(p − h)) / 2h, their absolute and relative error, and what each method cost —
    2 forward passes per parameter for central differences against 1 forward + 1 backward for backprop —
    with both timed on the server."""
    mlp = build_network(request, settings)
    x, y, _, _ = trace_batch(request, settings)
    count = mlp.parameter_count()
    if count > settings.max_gradcheck_parameters:
        raise too_large(
            f"the network has {count} parameters; a gradient check allows at most "
            f"{settings.max_gradcheck_parameters} — use fewer or narrower layers",
            "layers",
            limit=settings.max_gradcheck_parameters,
        )
    args = (mlp, x, y, request.loss)
    if count * count * len(x) <= INLINE_GRADCHECK_WORK:
        return json_response(check_network_gradients(*args))
    async with heavy_slots(http).held():
        checked = await while_connected(http, partial(_gradcheck_unless_stopped, args))
    if checked is None:
        return Response(status_code=CLIENT_CLOSED_REQUEST)
    return json_response(checked)


def _gradcheck_unless_stopped(args: tuple[Any, ...], stop: Event) -> dict[str, Any] | None:
    """A gradient check in the threadpool; None once ``stop`` is set (its client has gone)."""
    try:
        return check_network_gradients(*args, stop=stop.is_set)
    except GradcheckStopped:
        return None
