"""Network traces: one pass of backprop, told step by step."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from app.api.dependencies import SettingsDep
from app.api.schemas.network import TraceRequest, TraceResponse
from app.api.validation import build_network, check_batch, invalid
from app.api.wire import json_response
from app.tracing.network import trace_network

INLINE_WORK = 5_000  # parameters × samples below which a trace is cheaper than a threadpool hop

router = APIRouter(prefix="/network", tags=["network"])


@router.post(
    "/trace",
    response_model=TraceResponse,
    summary="One forward and backward pass, and one SGD update, as ordered steps",
)
async def trace(request: TraceRequest, settings: SettingsDep) -> Response:
    """Every layer's activations and gradients, every parameter's gradient and update, and the ordered
    `steps` of the pass with the chain-rule arithmetic written out with the real numbers."""
    mlp = build_network(request, settings)
    x, y = check_batch(request.inputs, request.targets, request, settings, request.loss)
    if request.sample >= len(x):
        raise invalid(f"sample is {request.sample} but the batch has {len(x)} samples", "sample")
    step_count = 2 + 4 * sum(request.layers[1:])
    if step_count > settings.max_trace_steps:
        raise invalid(
            f"this network makes {step_count} steps; at most {settings.max_trace_steps} are allowed — use fewer neurons",
            "layers",
            code="over_cap",
        )
    args = (mlp, x, y, request.loss, request.learning_rate, request.sample, request.include_neuron_graphs)
    if mlp.parameter_count() * len(x) <= INLINE_WORK:
        return json_response(trace_network(*args))
    return json_response(await run_in_threadpool(trace_network, *args))
