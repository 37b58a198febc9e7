"""Trace contract v2: a trace's numbers per pass, and its script per network shape, fetched once and cached."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

import numpy as np
import orjson
from fastapi import APIRouter, Header, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from app.api.cache import CachingRoute, cacheable
from app.api.dependencies import SettingsDep
from app.api.heavy import heavy_slots
from app.api.routes.network import INLINE_WORK, trace_batch
from app.api.schemas.common import HEAVY_RESPONSES, ErrorResponse
from app.api.schemas.trace_v2 import TraceScript, TraceV2Request, TraceV2Response
from app.api.validation import build_network, invalid, too_large
from app.api.wire import JSON, ApiError
from app.nn.features import FeatureMap
from app.nn.mlp import MLP
from app.settings import Settings
from app.tracing.contract import TraceShape, numbers_json, scripts, trace_numbers
from app.tracing.render import render_steps
from app.tracing.whole_graph import build_pass_graph, node_count

IMMUTABLE = "public, max-age=31536000, immutable"

router = APIRouter(tags=["trace v2"], route_class=CachingRoute)


@dataclass(frozen=True)
class CheckedPass:
    """A request's network and batch, its features (None without) and the points they were computed from."""

    mlp: MLP
    x: np.ndarray
    y: np.ndarray
    features: FeatureMap | None
    points: np.ndarray


def _checked_pass(request: TraceV2Request, settings: Settings) -> CheckedPass:
    """The network and batch of the request, within the same caps and checks as a v1 trace."""
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
            f"the network has {weights} weights; a trace allows at most {settings.max_trace_weights} — use fewer "
            "or narrower layers",
            "layers",
            limit=settings.max_trace_weights,
        )
    if request.include_graph:
        nodes = node_count(request.layers, len(x), request.loss)
        if nodes > settings.max_graph_nodes:
            raise invalid(
                f"the whole graph of this pass has {nodes} nodes; it is drawn for at most {settings.max_graph_nodes} "
                "(BACKPROP_MAX_GRAPH_NODES) — use fewer or narrower layers or fewer samples, or leave out include_graph",
                "include_graph",
                code="over_cap",
            )
    return CheckedPass(mlp, x, y, features, points)


def trace_v2_body(checked: CheckedPass, request: TraceV2Request) -> bytes:
    """The answer's JSON: the script's id, the numbers, the script unless the client holds it, and with
    ``expand`` the steps written out (rendered from exactly the JSON sent, as a client would)."""
    mlp, x, features = checked.mlp, checked.x, checked.features
    points = None if features is None else checked.points
    numbers = numbers_json(
        trace_numbers(
            mlp,
            x,
            checked.y,
            request.loss,
            request.learning_rate,
            request.sample,
            request.include_neuron_graphs,
            points,
        )
    )
    canonical = () if features is None else tuple(features.canonical)
    script_id, script = scripts.script_for(TraceShape.of(mlp, request.loss, len(x), request.sample, canonical))
    parts = [b'{"script_id":', orjson.dumps(script_id), b',"numbers":', numbers]
    if request.known_script_id != script_id:
        parts += [b',"script":', script]
    if request.expand:
        parts += [b',"steps":', orjson.dumps(render_steps(orjson.loads(script), orjson.loads(numbers)))]
    if request.include_graph:
        parts += [b',"graph":', orjson.dumps(_pass_graph(checked, request, script))]
    parts.append(b"}")
    return b"".join(parts)


def _pass_graph(checked: CheckedPass, request: TraceV2Request, script: bytes) -> dict[str, Any]:
    """The pass as scalar operations, each node tagged with the steps of the script sent with it."""
    parsed = orjson.loads(script)
    labels = [layer["labels"] for layer in parsed["layers"]]
    with np.errstate(all="ignore"):  # overflow is sent as null, as the numbers send it
        return build_pass_graph(checked.mlp, checked.x, checked.y, request.loss, labels, parsed["steps"])


@router.post(
    "/network/trace",
    response_model=TraceV2Response,
    responses=HEAVY_RESPONSES,
    summary="One forward and backward pass as numbers, with the script of its steps unless the client holds it",
)
@cacheable
async def trace_v2(request: TraceV2Request, http: Request, settings: SettingsDep) -> Response:
    """The pass's named arrays (`numbers`) and the id of its `script`: the steps, ids and formula templates,
    which depend only on the network's shape. Send `known_script_id` to leave out a script already held;
    `GET /api/v2/trace-scripts/{script_id}` serves it again."""
    checked = _checked_pass(request, settings)
    if checked.mlp.parameter_count() * len(checked.x) <= INLINE_WORK:
        return Response(trace_v2_body(checked, request), media_type=JSON)
    async with heavy_slots(http).held():
        return Response(await run_in_threadpool(trace_v2_body, checked, request), media_type=JSON)


@router.get(
    "/trace-scripts/{script_id}",
    response_model=TraceScript,
    responses={
        304: {"description": "The client's copy (If-None-Match) is this script."},
        404: {"model": ErrorResponse, "description": "Not kept by this server: ask for the trace again."},
    },
    summary="The script of a trace shape: steps, ids and formula templates; never changes",
)
def trace_script(script_id: str, if_none_match: Annotated[str | None, Header()] = None) -> Response:
    """Scripts are kept for a while after a trace of their shape was asked for. One that is not kept any
    more gets 404: `POST /api/v2/network/trace` without `known_script_id` sends it with the numbers."""
    etag = f'"{script_id}"'
    headers = {"Cache-Control": IMMUTABLE, "ETag": etag}
    script = scripts.get(script_id)
    if script is None:
        raise ApiError(
            404,
            f"no script {script_id!r} is kept here; ask POST /api/v2/network/trace again without known_script_id "
            "and its answer carries the script",
            code="unknown_script",
            field="script_id",
        )
    held = {tag.strip().removeprefix("W/") for tag in (if_none_match or "").split(",")}
    if etag in held or "*" in held:
        return Response(status_code=304, headers=headers)
    return Response(script, media_type=JSON, headers=headers)
