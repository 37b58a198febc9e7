"""Training runs: all at once, or streamed as server-sent events while they train."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import AsyncIterator, Callable
from functools import partial
from threading import Event
from typing import Any, TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from app.api.body import JsonBodyRoute
from app.api.dependencies import SettingsDep
from app.api.heavy import CLIENT_CLOSED_REQUEST, HeldStream, SlotHold, heavy_slots, while_connected
from app.api.schemas.common import HEAVY_RESPONSES
from app.api.schemas.training import TrainRequest, TrainResponse
from app.api.validation import prepare_training
from app.api.wire import dumps, json_response
from app.nn.datasets import Dataset
from app.nn.features import FeatureMap
from app.nn.mlp import MLP
from app.nn.training import Record, Trainer, TrainingConfig
from app.tracing.training import View, progress_data, training_report

CHUNK_SECONDS = 0.05  # train this long between checks that the client is still there
STEP_SLICE = 64  # steps between looks at the clock, so that a chunk of a large network stays short
KEEP_ALIVE = b": training\n\n"  # an SSE comment: a chunk without a record point still shows the line is alive
SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
T = TypeVar("T")

router = APIRouter(prefix="/network", tags=["training"], route_class=JsonBodyRoute)
COMPONENTS = "#/components/schemas/"
log = logging.getLogger(__name__)


def _train(make: Callable[[], Trainer], view: View | None, confusion: bool, stop: Event) -> dict[str, Any] | None:
    """The whole run and its report; None as soon as ``stop`` is set (nobody waits for the answer)."""
    trainer = make()
    trainer.run(stop=stop.is_set)
    return None if stop.is_set() else training_report(trainer, view, confusion)


def _trainer(
    mlp: MLP, train: Dataset, test: Dataset | None, config: TrainingConfig, features: FeatureMap | None
) -> Trainer:
    return Trainer(mlp, train, test, config, features=features)


@router.post(
    "/train",
    response_model=TrainResponse,
    responses=HEAVY_RESPONSES,
    summary="Train a network on a dataset: loss history, snapshots, final weights and heat maps",
)
async def train(request: TrainRequest, http: Request, settings: SettingsDep) -> Response:
    """Minibatch training with SGD, momentum or Adam. Every cap is checked before training starts, including
    the compute budget (steps × batch + records × points + pictures × points drawn) × parameters and the bytes
    of the answer (`GET /api/v1/limits`). A large run waits for one of the server's slots for heavy work (503
    with Retry-After when none comes free), and stops when the client disconnects. To continue a run, send
    its `weights` and `biases` back with the same network (the optimizer starts afresh)."""
    mlp, train_set, test_set, config, view, cost, features = prepare_training(request, settings)
    async with heavy_slots(http).held(cost.heavy):
        make = partial(_trainer, mlp, train_set, test_set, config, features)
        report = await while_connected(http, partial(_train, make, view, request.report_confusion))
    if report is None:
        return Response(status_code=CLIENT_CLOSED_REQUEST)
    return json_response(report)


def event(name: str, data: Any) -> bytes:
    """One server-sent event; its data is strict JSON on one line (non-finite numbers as null)."""
    return b"event: " + name.encode() + b"\ndata: " + dumps(data) + b"\n\n"


class _Stream:
    """A run that reports a progress event per record point, with a fresh picture every ``grid_every`` events
    and, given ``picture_seconds``, no sooner than that after the last one: a run at full speed then draws
    (and sends) the pictures a reader can see, not one per so many steps."""

    def __init__(
        self,
        trainer: Trainer,
        view: View | None,
        grid_every: int,
        details: bool = False,
        picture_seconds: float | None = None,
    ) -> None:
        self.trainer = trainer
        self.view = view
        self.grid_every = grid_every
        self.details = details  # parameters and confusion matrix with each picture
        self.picture_seconds = picture_seconds
        self.since_picture = grid_every  # events since the last picture: the first event has one
        self.last_picture = -math.inf  # time.perf_counter() of the last picture

    def _picture_due(self) -> bool:
        if self.since_picture < self.grid_every:
            return False
        return self.picture_seconds is None or time.perf_counter() - self.last_picture >= self.picture_seconds

    def progress(self, records: list[Record]) -> list[dict[str, Any]]:
        events = []
        first = len(self.trainer.history) - len(records)
        for offset, record in enumerate(records):
            due = self._picture_due()
            if due:
                self.since_picture = 0
                self.last_picture = time.perf_counter()
            view = self.view if due else None
            events.append(progress_data(self.trainer, record, view, first + offset, self.details and due))
            self.since_picture += 1
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


STREAM_DESCRIPTION = """Server-sent events, UTF-8. Each event is an `event:` line with its name, one `data:` line of
strict JSON and a blank line; a line starting with `:` is a comment that only keeps the connection alive. Read as
`{"event": <name>, "data": <the parsed JSON>}`, every event is a `TrainStreamEvent` (see the schemas), told apart
by `event`:

- `progress`: a `Progress` at every record point, with `grid` or `curve` every `stream_grid_every` events (and,
  given `stream_picture_seconds`, no sooner than that many seconds after the last picture);
- `done`: the last event, a `TrainResponse`, the same answer POST /api/v1/network/train gives;
- `error`: the last event of a run that failed after the stream started, an `ErrorResponse`.

A generated client reads this body as one string once the run is over. To follow the run as it trains, stream
the body with the client's HTTP client, e.g. in Python with a client from openapi-python-client:

```python
with client.get_httpx_client().stream("POST", "/api/v1/network/train/stream", json=body) as response:
    for line in response.iter_lines():
        if line.startswith("event: "):
            name = line.removeprefix("event: ")
        elif line.startswith("data: "):
            event = {"event": name, "data": json.loads(line.removeprefix("data: "))}
            # ProgressEvent.from_dict(event), DoneEvent.from_dict(event) or ErrorEvent.from_dict(event)
```
"""


@router.post(
    "/train/stream",
    response_class=StreamingResponse,
    responses={
        **HEAVY_RESPONSES,
        200: {
            "description": STREAM_DESCRIPTION,
            "content": {
                "text/event-stream": {
                    "schema": {"type": "string", "description": "The events as text, framed as described above."},
                    "x-event-schema": {"$ref": f"{COMPONENTS}TrainStreamEvent"},
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
    mlp, train_set, test_set, config, view, cost, features = prepare_training(request, settings, streaming=True)
    hold = SlotHold(heavy_slots(http) if cost.heavy else None)
    await hold.admit()

    async def computed(work: Callable[..., T], *args: Any) -> T:
        """Work done holding a slot, which is given back before the events are sent."""
        await hold.take()
        try:
            return await run_in_threadpool(work, *args)
        finally:
            hold.give()

    async def events() -> AsyncIterator[bytes]:
        try:
            trainer = await computed(_trainer, mlp, train_set, test_set, config, features)
            stream = _Stream(
                trainer, view, request.stream_grid_every, request.report_confusion, request.stream_picture_seconds
            )
            for data in await computed(stream.progress, list(trainer.history)):
                yield event("progress", data)
            while not trainer.finished:
                if await http.is_disconnected():
                    return
                events = await computed(stream.chunk)
                for data in events:
                    yield event("progress", data)
                if not events:
                    yield KEEP_ALIVE
            yield event("done", await computed(training_report, trainer, view, request.report_confusion))
        except Exception as error:  # the status line is sent: report the failure in the stream
            log.exception("streamed training failed")
            yield event("error", {"detail": f"training failed: {type(error).__name__}", "code": "training_failed"})

    return HeldStream(events(), hold, media_type="text/event-stream", headers=SSE_HEADERS)
