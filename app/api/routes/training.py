"""Training runs: all at once, or streamed as server-sent events while they train."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from app.api.body import JsonBodyRoute
from app.api.dependencies import SettingsDep
from app.api.schemas.common import ERROR_RESPONSES
from app.api.schemas.training import Progress, TrainRequest, TrainResponse
from app.api.validation import prepare_training
from app.api.wire import dumps, json_response
from app.nn.datasets import Dataset
from app.nn.mlp import MLP
from app.nn.training import Record, Trainer, TrainingConfig
from app.tracing.training import View, progress_data, training_report

CHUNK_SECONDS = 0.05  # train this long between checks that the client is still there
STEP_SLICE = 64  # steps between looks at the clock, so that a chunk of a large network stays short
KEEP_ALIVE = b": training\n\n"  # an SSE comment: a chunk without a record point still shows the line is alive
SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}

router = APIRouter(prefix="/network", tags=["training"], route_class=JsonBodyRoute)
COMPONENTS = "#/components/schemas/"
log = logging.getLogger(__name__)


def _train(mlp: MLP, train: Dataset, test: Dataset | None, config: TrainingConfig, view: View | None) -> dict[str, Any]:
    trainer = Trainer(mlp, train, test, config)
    trainer.run()
    return training_report(trainer, view)


@router.post(
    "/train",
    response_model=TrainResponse,
    responses=ERROR_RESPONSES,
    summary="Train a network on a dataset: loss history, snapshots, final weights and heat maps",
)
async def train(request: TrainRequest, settings: SettingsDep) -> Response:
    """Minibatch training with SGD, momentum or Adam. Every cap is checked before training starts, including
    the compute budget steps × batch × parameters (`GET /api/v1/limits`). To continue a run, send its
    `weights` and `biases` back with the same network (the optimizer starts afresh)."""
    mlp, train_set, test_set, config, view = prepare_training(request, settings)
    return json_response(await run_in_threadpool(_train, mlp, train_set, test_set, config, view))


def event(name: str, data: Any) -> bytes:
    """One server-sent event; its data is strict JSON on one line (non-finite numbers as null)."""
    return b"event: " + name.encode() + b"\ndata: " + dumps(data) + b"\n\n"


class _Stream:
    """A run that reports a progress event per record point, with a fresh grid every ``grid_every`` events."""

    def __init__(self, trainer: Trainer, view: View | None, grid_every: int) -> None:
        self.trainer = trainer
        self.view = view
        self.grid_every = grid_every
        self.sent = 0

    def progress(self, records: list[Record]) -> list[dict[str, Any]]:
        events = []
        first = len(self.trainer.history) - len(records)
        for offset, record in enumerate(records):
            view = self.view if self.sent % self.grid_every == 0 else None
            events.append(progress_data(self.trainer, record, view, first + offset))
            self.sent += 1
        return events

    def chunk(self) -> list[dict[str, Any]]:
        """Train for about CHUNK_SECONDS, in slices of at most STEP_SLICE steps that end at record points."""
        deadline = time.perf_counter() + CHUNK_SECONDS
        events: list[dict[str, Any]] = []
        every = self.trainer.config.record_every
        while True:  # at least one slice, so every chunk moves the run on
            until_record = every - self.trainer.step % every
            events += self.progress(self.trainer.run(min(until_record, STEP_SLICE)))
            if self.trainer.finished or time.perf_counter() >= deadline:
                return events


def _event_schema() -> dict[str, Any]:
    """One event of the stream, in the form OpenAPI 3.2 gives sequential media (``itemSchema``): its
    name, and its ``data`` as JSON of the matching model."""
    progress = Progress.model_json_schema(ref_template=f"{COMPONENTS}{{model}}", mode="serialization")
    progress.pop("$defs", None)  # its models are among the document's components already
    return {
        "type": "object",
        "required": ["event", "data"],
        "properties": {
            "event": {"type": "string", "enum": ["progress", "done", "error"]},
            "data": {
                "type": "string",
                "contentMediaType": "application/json",
                "contentSchema": {
                    "anyOf": [progress, {"$ref": f"{COMPONENTS}TrainResponse"}, {"$ref": f"{COMPONENTS}ErrorResponse"}]
                },
            },
        },
    }


@router.post(
    "/train/stream",
    response_class=StreamingResponse,
    responses={
        **ERROR_RESPONSES,
        200: {
            "description": "Server-sent events: `progress` at every record point (with `grid` or `curve` every "
            "`stream_grid_every` events), then one `done` whose data is the same as POST /network/train returns. "
            "A failure after the stream started is an `error` event with `detail`. `itemSchema` describes one "
            "event: `progress` data is a Progress, `done` data a TrainResponse, `error` data an ErrorResponse.",
            "content": {
                "text/event-stream": {
                    "itemSchema": _event_schema(),
                    "example": 'event: progress\ndata: {"step":10,"train_loss":0.69,"test_loss":0.7,'
                    '"train_accuracy":0.5,"test_accuracy":0.5,"diverged":false,"steps":500}\n\n',
                }
            },
        },
    },
    summary="Train while streaming progress as server-sent events",
)
async def train_stream(request: TrainRequest, http: Request, settings: SettingsDep) -> StreamingResponse:
    """The same run as `/network/train`, reported as it trains. Each event's `data` is one line of strict
    JSON. Training stops when the client disconnects."""
    mlp, train_set, test_set, config, view = prepare_training(request, settings)

    async def events() -> AsyncIterator[bytes]:
        try:
            trainer = await run_in_threadpool(Trainer, mlp, train_set, test_set, config)
            stream = _Stream(trainer, view, request.stream_grid_every)
            for data in await run_in_threadpool(stream.progress, list(trainer.history)):
                yield event("progress", data)
            while not trainer.finished:
                if await http.is_disconnected():
                    return
                events = await run_in_threadpool(stream.chunk)
                for data in events:
                    yield event("progress", data)
                if not events:
                    yield KEEP_ALIVE
            yield event("done", await run_in_threadpool(training_report, trainer, view))
        except Exception as error:  # the status line is sent: report the failure in the stream
            log.exception("streamed training failed")
            yield event("error", {"detail": f"training failed: {type(error).__name__}", "code": "training_failed"})

    return StreamingResponse(events(), media_type="text/event-stream", headers=SSE_HEADERS)
