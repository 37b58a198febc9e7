"""Wire format of training runs: a network, a dataset and an optimizer in; history, weights and heat maps out."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel, model_validator

from app.api.schemas.common import ErrorResponse, Number, Range, ResponseModel, Seed, StrictModel
from app.api.schemas.network import FEATURES_DESCRIPTION, FeatureInfo, NetworkSpec

DatasetName = Literal[
    "xor", "circle", "gauss", "spiral", "spiral3", "moons", "sine", "plane", "multigauss", "digits", "iris"
]
OptimizerName = Literal["sgd", "momentum", "adam"]
Regularization = Literal["none", "l1", "l2"]


class DatasetSpec(StrictModel):
    """A built-in dataset by ``name``, or your own ``points`` with class ``labels`` or regression ``targets``."""

    name: DatasetName | None = Field(default=None, description="A built-in dataset (see GET /api/v1/datasets).")
    n: int = Field(
        default=200, ge=1, description="Number of points of a built-in dataset (of a real one, at most all of it)."
    )
    noise: float = Field(
        default=0.1, ge=0, le=5, description="Noise as a fraction of the data's scale (real data: none is added)."
    )
    seed: Seed = 0
    points: list[list[float]] | None = Field(
        default=None, description="Your own points: rows of 1 or 2 numbers.", examples=[[[0.5, -0.2], [-0.4, 0.8]]]
    )
    labels: list[int] | None = Field(
        default=None, description="Class of each point (0, 1, … ; 0/1 only is a binary set).", examples=[[1, 0]]
    )
    targets: list[float] | None = Field(default=None, description="Regression target of each point.")

    @model_validator(mode="after")
    def _one_source(self) -> DatasetSpec:
        if (self.name is None) == (self.points is None):
            raise ValueError("give either name (a built-in dataset) or points with labels or targets")
        if self.points is not None and (self.labels is None) == (self.targets is None):
            raise ValueError("with points, give exactly one of labels (classification) or targets (regression)")
        if self.name is not None and (self.labels is not None or self.targets is not None):
            raise ValueError("labels and targets go with points; a built-in dataset brings its own")
        return self


class GridSpec(StrictModel):
    """What to draw of the trained network: its output over the input plane (2 inputs) or along x (1 input)."""

    resolution: int | None = Field(
        default=None, ge=2, description="Cells per axis of the output map (omit for 40), or samples of a curve (101)."
    )
    neuron_resolution: int | None = Field(
        default=None,
        ge=0,
        description="Cells per axis of each input and hidden neuron's map; 0 for none; omit for the largest "
        "that fits the server's budget, up to 20.",
    )
    x_range: Range | None = Field(default=None, description="Omit to fit the data with a margin.")
    y_range: Range | None = Field(default=None, description="Omit to fit the data with a margin.")


class TrainRequest(NetworkSpec):
    """Train a network on a dataset; send the returned weights and biases back to continue."""

    dataset: DatasetSpec = Field(default_factory=lambda: DatasetSpec(name="xor"))
    optimizer: OptimizerName = Field(default="adam", description="sgd, momentum (μ = 0.9) or adam (torch defaults).")
    learning_rate: float = Field(default=0.03, ge=0, description="η.")
    batch_size: int = Field(
        default=10, ge=1, description="DatasetPoints per step; at least the dataset for full batches."
    )
    steps: int = Field(default=500, ge=0, description="Optimizer steps.")
    record_every: int = Field(default=10, ge=1, description="TrainRecord the losses every this many steps.")
    regularization: Regularization = Field(default="none", description="Penalty on the weights (not the biases).")
    regularization_rate: float = Field(default=0.0, ge=0, description="λ: l2 adds λ/2·Σw², l1 adds λ·Σ|w|.")
    test_fraction: float = Field(default=0.2, ge=0, le=0.9, description="Share of the points held out; 0 for none.")
    grid: GridSpec = Field(default_factory=GridSpec)
    stream_grid_every: int = Field(
        default=10, ge=1, description="Streaming only: a fresh grid (or curve) every this many progress events."
    )
    stream_picture_seconds: float | None = Field(
        default=None,
        ge=0.01,
        le=60,
        description="Streaming only: a picture also waits until this many seconds of the run have passed since "
        "the last one, so that a run going as fast as it can sends about 1 / stream_picture_seconds pictures a "
        "second whatever its speed; stream_grid_every still bounds how often (and what the budget counts).",
        examples=[0.04],
    )
    features: list[str] | None = Field(
        default=None, description=FEATURES_DESCRIPTION + " Needs a dataset of 2-D points.", examples=[["x1", "x2"]]
    )
    report_confusion: bool = Field(
        default=False,
        description="Add the confusion matrix (classification); streaming, also add it and the parameters to "
        "each progress event that carries a picture (stream_grid_every, stream_picture_seconds).",
    )

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "layers": [2, 4, 1],
                    "activation": "tanh",
                    "output_activation": "sigmoid",
                    "loss": "bce",
                    "dataset": {"name": "xor", "n": 200, "noise": 0.05, "seed": 1},
                    "optimizer": "adam",
                    "learning_rate": 0.03,
                    "batch_size": 10,
                    "steps": 300,
                    "record_every": 10,
                    "seed": 1,
                }
            ]
        }
    )


class TrainRecord(ResponseModel):
    step: int = Field(description="Optimizer steps taken when this was measured.")
    train_loss: Number = Field(description="Data loss over the whole training set.")
    test_loss: Number = Field(description="Data loss over the test set (null without one).")
    train_accuracy: Number = Field(description="Share classified right (null for regression).")
    test_accuracy: Number


class ParameterSnapshot(ResponseModel):
    step: int
    weights: list[list[list[Number]]] = Field(description="Per connection, [out][in].")
    biases: list[list[Number]]


class NetworkGrid(ResponseModel):
    """The network over its 2-D input plane. Row i is y = ys[i] (ascending), column j is x = xs[j]."""

    resolution: int
    x_range: list[Number]
    y_range: list[Number]
    xs: list[Number]
    ys: list[Number]
    values: list[list[Number]] = Field(
        description="[rows][cols]: the output (one output neuron) or the predicted class index (several)."
    )
    outputs: list[list[list[Number]]] = Field(description="Every output neuron's map, [out][rows][cols].")
    neuron_resolution: int
    neurons: dict[str, list[list[Number]]] = Field(
        description="Each input and hidden neuron's map by diagram id 'layer-index' (e.g. '1-0'), "
        "[rows][cols] on a neuron_resolution grid over the same ranges."
    )


class NetworkCurve(ResponseModel):
    """The network along its 1-D input."""

    x_range: list[Number]
    xs: list[Number]
    values: list[Number] = Field(description="The first output at each x.")
    outputs: list[list[Number]] = Field(description="Every output neuron, [out][samples].")
    neurons: dict[str, list[Number]] = Field(description="Each hidden neuron's activation by id 'layer-index'.")


class DatasetPoints(ResponseModel):
    points: list[list[float]]
    labels: list[int] | None
    targets: list[list[float]]


class MissingClasses(ResponseModel):
    train: list[int] = Field(description="Classes the network never sees while training.")
    test: list[int] = Field(description="Classes the test loss and accuracy say nothing about.")


class DatasetData(ResponseModel):
    name: str
    kind: str = Field(description="binary, multiclass or regression")
    input_dim: int
    output_dim: int
    classes: int
    train: DatasetPoints
    test: DatasetPoints | None
    missing_classes: MissingClasses = Field(
        description="Classes with no point on one side of the split (too few points to share them out)."
    )


class Accuracy(ResponseModel):
    train: Number
    test: Number


class TrainingDiagnosis(ResponseModel):
    """What the loss history says about the run, read from its first record point and its latest 20."""

    code: Literal["healthy", "oscillating", "blowing_up", "saturated", "stalled"] = Field(
        description="healthy; oscillating (the loss jumps up and down: η too large); blowing_up (the loss grows "
        "or overflows: η too large); saturated (the loss is stuck above where it started: the neurons "
        "saturated, lower η and start over); stalled (the loss barely moves: η may be too small)."
    )
    evidence: dict[str, Number] = Field(
        description="The numbers behind the code: first_loss, last_loss, low and high of the window, and for "
        "each code its measure (reversals and swing, rising, spread, non_finite)."
    )
    learning_rate: Number = Field(description="The η of the run diagnosed.")
    suggested_learning_rate: Number = Field(description="An η to try instead; null when η is fine.")


class ConfusionMatrix(ResponseModel):
    on: Literal["test", "train"] = Field(
        description="The points counted: the test set, or without one the training set."
    )
    classes: int
    matrix: list[list[int]] = Field(description="[true class][predicted class]: how many points.")


class TrainResponse(ResponseModel):
    steps_done: int = Field(description="Steps taken (fewer than asked when the run diverged).")
    diverged: bool = Field(description="True when the loss or a weight overflowed; such numbers are null.")
    final: TrainRecord
    accuracy: Accuracy | None = Field(description="Final accuracy for classification; null for regression.")
    history: list[TrainRecord]
    diagnosis: TrainingDiagnosis | None = Field(
        description="What the loss history says (oscillating, blowing up, stuck); null with fewer than 6 record points."
    )
    snapshots: list[ParameterSnapshot] = Field(description="The parameters at evenly spaced record points (capped).")
    layers: list[int]
    activations: list[str]
    parameter_count: int
    weights: list[list[list[Number]]] = Field(description="Final weights, per connection [out][in].")
    biases: list[list[Number]] = Field(description="Final biases, per connection [out].")
    grid: NetworkGrid | None = Field(description="For 2 inputs: the output and neuron heat maps.")
    curve: NetworkCurve | None = Field(description="For 1 input: the fitted curve.")
    dataset: DatasetData = Field(description="The points trained and tested on.")
    features: list[FeatureInfo] | None = Field(
        default=None, description="With features: what each input neuron holds, in order."
    )
    confusion: ConfusionMatrix | None = Field(default=None, description="With report_confusion, for classification.")


class Progress(TrainRecord):
    """One ``progress`` event of POST /api/v1/network/train/stream."""

    diverged: bool
    steps: int = Field(description="Steps the run will take in all.")
    diagnosis: TrainingDiagnosis | None = Field(
        default=None, description="What the loss history up to this point says; null while too short to tell."
    )
    grid: NetworkGrid | None = None
    curve: NetworkCurve | None = None
    weights: list[list[list[Number]]] | None = Field(
        default=None, description="With report_confusion, on events with a picture: the weights, [out][in]."
    )
    biases: list[list[Number]] | None = None
    confusion: ConfusionMatrix | None = None


class ProgressEvent(BaseModel):
    """`event: progress`: the run reached a record point."""

    event: Literal["progress"]
    data: Progress


class DoneEvent(BaseModel):
    """`event: done`, the last event of a run: the same answer POST /api/v1/network/train gives."""

    event: Literal["done"]
    data: TrainResponse


class ErrorEvent(BaseModel):
    """`event: error`, the last event of a run that failed after the stream started."""

    event: Literal["error"]
    data: ErrorResponse


class TrainStreamEvent(RootModel[Annotated[ProgressEvent | DoneEvent | ErrorEvent, Field(discriminator="event")]]):
    """One server-sent event of POST /api/v1/network/train/stream, read as ``{"event": <the event: line>,
    "data": <the data: line parsed as JSON>}``."""
