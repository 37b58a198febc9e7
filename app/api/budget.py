"""What a training run will cost, estimated before any of it is computed: arithmetic and bytes written.

Training arithmetic is not the only cost of a run. Every record evaluates the network on the whole
training and test sets, every picture evaluates it over a grid or along a curve, and every number it
reports is written out. A small request can ask for a lot of each, so each is counted here:

    work   = steps × batch × P                      training: one forward and backward pass per sample
           + records × (train + test points) × P    evaluating the losses at each record point
           + pictures × points drawn × P            heat maps or curves, P = the network's parameters

Bytes are bounded from above: orjson writes a float in its shortest round-trip form, at most 24
characters ("-2.2250738585072014e-308"), and one separator, so every number is counted as
:data:`NUMBER_BYTES`; rows, keys and the fixed parts of each body are counted generously too.
A run that diverges stops early and writes less; never more.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import pairwise

from app.nn.datasets import Dataset
from app.nn.training import TrainingConfig
from app.tracing.training import View

NUMBER_BYTES = 25  # the longest float orjson writes, and a comma
ROW_BYTES = 3  # "[", "]" and "," around one row of numbers
KEY_BYTES = 12  # a neuron's key in a map of drawings: "\"10-63\":" and its separator
RECORD_BYTES = 100 + 4 * NUMBER_BYTES  # {"step":…,"train_loss":…,"test_loss":…,"train_accuracy":…,"test_accuracy":…}
EVENT_BYTES = 100 + RECORD_BYTES  # "event: progress\ndata: " + a record + "diverged" and "steps" + "\n\n"
DRAWING_FRAME_BYTES = 300  # keys, ranges and resolutions around a grid's or curve's arrays
REPORT_FRAME_BYTES = 2000  # keys, flags, layer sizes and activation names of a training report
KEEP_ALIVE_BYTES = 16  # the comment a streamed chunk sends when it reached no record point
SNAPSHOT_FRAME_BYTES = 60
HEAVY_WORK = 2_000_000  # a few milliseconds of arithmetic: more than that waits for a heavy-request slot
HEAVY_BYTES = 1_000_000  # bytes written, likewise


def _matrix_bytes(numbers: int, rows: int) -> int:
    return numbers * NUMBER_BYTES + rows * ROW_BYTES


def parameters_bytes(sizes: list[int]) -> int:
    """One set of weights ([out][in] per connection) and biases (one vector per connection)."""
    connections = len(sizes) - 1
    numbers = sum(a * b + b for a, b in pairwise(sizes))
    return _matrix_bytes(numbers, sum(sizes[1:]) + 4 * connections)


def drawing_points(view: View | None) -> int:
    """Inputs at which one picture evaluates the network."""
    if view is None:
        return 0
    if view.y_range is None:
        return view.resolution
    return view.resolution**2 + view.neuron_resolution**2


def drawing_bytes(view: View | None, sizes: list[int]) -> int:
    """One grid (output maps and the input and hidden neurons' maps) or one curve (outputs and hidden neurons)."""
    if view is None:
        return 0
    outputs = sizes[-1]
    if view.y_range is None:
        hidden = sum(sizes[1:-1])
        numbers = view.resolution * (2 + outputs + hidden)
        return DRAWING_FRAME_BYTES + _matrix_bytes(numbers, 4 + outputs + hidden) + hidden * KEY_BYTES
    side, neuron_side, maps = view.resolution, view.neuron_resolution, sum(sizes[:-1])
    numbers = 2 * side + (1 + outputs) * side**2 + maps * neuron_side**2
    rows = 4 + (1 + outputs) * (side + 1) + maps * (neuron_side + 1)
    return DRAWING_FRAME_BYTES + _matrix_bytes(numbers, rows) + maps * KEY_BYTES


def _points_bytes(data: Dataset | None) -> int:
    """Points, targets and labels. A class's target is 0.0 or 1.0 and its label a small integer."""
    if data is None:
        return 0
    count = len(data)
    rows = _matrix_bytes(0, 2 * count + 3)
    if data.labels is None:
        return rows + count * (data.input_dim + data.output_dim) * NUMBER_BYTES
    label_bytes = len(str(max(data.classes, 2))) + 1
    return rows + count * (data.input_dim * NUMBER_BYTES + data.output_dim * len("0.0,") + label_bytes)


@dataclass(frozen=True)
class TrainingCost:
    """The estimate of one run, every part named so that a refusal can say which one to change."""

    training_work: int
    record_work: int
    drawing_work: int
    records: int
    pictures: int
    picture_bytes: int
    report_bytes: int
    stream_bytes: int

    @property
    def work(self) -> int:
        return self.training_work + self.record_work + self.drawing_work

    @property
    def heavy(self) -> bool:
        return self.work >= HEAVY_WORK or max(self.report_bytes, self.stream_bytes) >= HEAVY_BYTES


def training_cost(
    sizes: list[int],
    train: Dataset,
    test: Dataset | None,
    config: TrainingConfig,
    view: View | None,
    stream_grid_every: int | None = None,
    details: bool = False,
) -> TrainingCost:
    """The cost of a run that goes all the way: as one report, or (``stream_grid_every`` given) as a stream
    of progress events with a picture every ``stream_grid_every`` of them, ending in that report. ``details``:
    the report has a confusion matrix, and each picture comes with the parameters and a confusion matrix."""
    parameters = sum(a * b + b for a, b in pairwise(sizes))
    batch = min(config.batch_size, len(train))
    points = len(train) + (0 if test is None else len(test))
    records = config.record_count
    streamed_pictures = 0 if stream_grid_every is None else math.ceil(records / stream_grid_every)
    snapshots = math.ceil(records / config.snapshot_every) + 1
    confusion = DRAWING_FRAME_BYTES + _matrix_bytes(max(sizes[-1], 2) ** 2, max(sizes[-1], 2)) if details else 0
    picture = drawing_bytes(view, sizes) + (parameters_bytes(sizes) + confusion if details else 0)
    report = (
        REPORT_FRAME_BYTES
        + (records + 1) * RECORD_BYTES  # the history and the final record
        + snapshots * (SNAPSHOT_FRAME_BYTES + parameters_bytes(sizes))
        + parameters_bytes(sizes)  # the final weights and biases
        + drawing_bytes(view, sizes)
        + confusion
        + _points_bytes(train)
        + _points_bytes(test)
    )
    stream = (
        records * EVENT_BYTES
        + streamed_pictures * picture
        + config.steps * KEEP_ALIVE_BYTES  # at most one per chunk, and every chunk takes a step
        + EVENT_BYTES
        + report
    )
    return TrainingCost(
        training_work=config.steps * batch * parameters,
        record_work=records * points * parameters,
        # a confusion matrix evaluates the test (or training) set once more per picture
        drawing_work=(streamed_pictures + 1) * (drawing_points(view) + (points if details else 0)) * parameters,
        records=records,
        pictures=streamed_pictures + 1,
        picture_bytes=picture,
        report_bytes=report,
        stream_bytes=stream,
    )


# A trace's bytes, fitted from measured traces of many shapes and raised by a tenth so that it bounds them:
# every weight appears in a forward formula, a gradient sum (one term per sample, up to nine written) and an
# update; every neuron has its narrated steps; every sample adds each neuron's values and gradients.
TRACE_FRAME_BYTES = 20_000
TRACE_BYTES_PER_WEIGHT = 680
TRACE_BYTES_PER_WEIGHT_TERM = 30
TRACE_TERMS_WRITTEN = 9  # MAX_TERMS_SHOWN terms and the "+ …" of longer sums
TRACE_BYTES_PER_NEURON = 4800
TRACE_BYTES_PER_SAMPLE_NEURON = 100
GRAPH_BYTES_PER_WEIGHT = 680  # a neuron's op graph has a node and edges for each incoming weight
GRAPH_BYTES_PER_NEURON = 2000


def trace_bytes(sizes: list[int], batch: int, neuron_graphs: bool) -> int:
    """An upper bound of the bytes of one network trace (tests/api/test_output_budget.py holds it to that)."""
    weights = sum(a * b for a, b in pairwise(sizes))
    neurons = sum(sizes)
    terms = min(batch, TRACE_TERMS_WRITTEN)
    estimate = (
        TRACE_FRAME_BYTES
        + weights * (TRACE_BYTES_PER_WEIGHT + TRACE_BYTES_PER_WEIGHT_TERM * terms)
        + neurons * (TRACE_BYTES_PER_NEURON + TRACE_BYTES_PER_SAMPLE_NEURON * batch)
    )
    if neuron_graphs:
        estimate += weights * GRAPH_BYTES_PER_WEIGHT + sum(sizes[1:]) * GRAPH_BYTES_PER_NEURON
    return estimate
