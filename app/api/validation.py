"""Checks that need the configured caps or several fields at once; each failure says what to fix."""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Collection

import numpy as np

from app.api.budget import TrainingCost, training_cost
from app.api.schemas.network import NetworkSpec
from app.api.schemas.training import DatasetSpec, GridSpec, TrainRequest
from app.api.wire import ApiError
from app.engine.expression import MAX_DEPTH_LIMIT, Expression, ExpressionError, parse
from app.nn.datasets import Dataset, dataset_from_points, make_dataset
from app.nn.features import VARIABLES, FeatureMap
from app.nn.mlp import MLP
from app.nn.training import TrainingConfig, targets_for
from app.settings import Settings
from app.tracing.training import View

GRID_RESOLUTION = 40  # default cells per axis of a heat map
NEURON_RESOLUTION = 20  # default (and largest automatic) cells per axis of each neuron's map
CURVE_SAMPLES = 101


def too_large(message: str, field: str, **params: object) -> ApiError:
    return ApiError(413, message, code="over_cap", field=field, params=dict(params))


def invalid(message: str, field: str, code: str = "invalid", **params: object) -> ApiError:
    return ApiError(422, message, code=code, field=field, params=dict(params))


def check_network(spec: NetworkSpec, settings: Settings) -> None:
    sizes = spec.layers
    if len(sizes) < 2:
        raise invalid("layers needs at least an input and an output layer, e.g. [2, 3, 1]", "layers")
    if len(sizes) > settings.max_layers:
        raise too_large(
            f"layers has {len(sizes)} layers; at most {settings.max_layers} are allowed",
            "layers",
            limit=settings.max_layers,
        )
    for i, n in enumerate(sizes):
        if n < 1:
            raise invalid(f"layers[{i}] is {n}; every layer needs at least 1 neuron", "layers")
        if n > settings.max_neurons:
            raise too_large(
                f"layers[{i}] has {n} neurons; at most {settings.max_neurons} per layer are allowed",
                "layers",
                limit=settings.max_neurons,
            )
    hidden = len(sizes) - 2
    if isinstance(spec.activation, list) and len(spec.activation) != hidden:
        raise invalid(
            f"activation lists {len(spec.activation)} names but the network has {hidden} hidden layers; "
            "give one name per hidden layer or a single name for all",
            "activation",
        )
    if spec.loss == "bce" and spec.output_activation not in ("sigmoid",):
        raise invalid(
            "loss 'bce' needs probabilities: set output_activation to 'sigmoid'", "output_activation", code="mismatch"
        )
    if spec.loss == "cross_entropy" and spec.output_activation != "identity":
        raise invalid(
            "loss 'cross_entropy' takes logits: set output_activation to 'identity' (softmax is part of the loss)",
            "output_activation",
            code="mismatch",
        )
    if spec.loss == "cross_entropy" and sizes[-1] < 2:
        raise invalid("loss 'cross_entropy' needs at least 2 output neurons (one per class)", "layers")
    _check_parameter_shapes(spec)


def _check_parameter_shapes(spec: NetworkSpec) -> None:
    sizes = spec.layers
    connections = len(sizes) - 1
    if spec.weights is not None:
        if len(spec.weights) != connections:
            raise invalid(
                f"weights must hold {connections} matrices (one per connection), got {len(spec.weights)}", "weights"
            )
        for i, matrix in enumerate(spec.weights):
            rows, cols = sizes[i + 1], sizes[i]
            if len(matrix) != rows or any(len(row) != cols for row in matrix):
                raise invalid(f"weights[{i}] must be {rows}×{cols} ([out][in] like torch.nn.Linear)", "weights")
    if spec.biases is not None:
        if len(spec.biases) != connections:
            raise invalid(
                f"biases must hold {connections} vectors (one per connection), got {len(spec.biases)}", "biases"
            )
        for i, vector in enumerate(spec.biases):
            if len(vector) != sizes[i + 1]:
                raise invalid(f"biases[{i}] must have {sizes[i + 1]} values, got {len(vector)}", "biases")


def check_batch(
    inputs: list[list[float]], targets: list[list[float]], spec: NetworkSpec, settings: Settings, loss: str
) -> tuple[np.ndarray, np.ndarray]:
    if not inputs:
        raise invalid("inputs is empty; give at least one sample, e.g. [[1.0, 0.5]]", "inputs")
    if len(inputs) > settings.max_batch:
        raise too_large(
            f"inputs has {len(inputs)} samples; at most {settings.max_batch} per pass are allowed",
            "inputs",
            limit=settings.max_batch,
        )
    n_in, n_out = spec.layers[0], spec.layers[-1]
    for i, row in enumerate(inputs):
        if len(row) != n_in:
            raise invalid(f"inputs[{i}] has {len(row)} values; the input layer has {n_in} neurons", "inputs")
    if len(targets) != len(inputs):
        raise invalid(
            f"targets has {len(targets)} rows but inputs has {len(inputs)}; give one target per sample", "targets"
        )
    for i, row in enumerate(targets):
        if len(row) != n_out:
            raise invalid(f"targets[{i}] has {len(row)} values; the output layer has {n_out} neurons", "targets")
    x, y = np.asarray(inputs, dtype=np.float64), np.asarray(targets, dtype=np.float64)
    if loss == "bce" and (np.any(y < 0) or np.any(y > 1)):
        raise invalid("bce targets must lie in [0, 1]", "targets")
    if loss == "cross_entropy" and (np.any(y < 0) or not np.allclose(y.sum(axis=1), 1.0, atol=1e-6)):
        raise invalid(
            "cross_entropy targets must be probabilities: each row ≥ 0 and summing to 1 (one-hot works)", "targets"
        )
    return x, y


def build_features(texts: list[str] | None, layers: list[int], settings: Settings) -> FeatureMap | None:
    """The input features a request lists (None without any), checked against the input layer."""
    if texts is None:
        return None
    if not texts:
        raise invalid('features is empty; omit it to feed the point itself, or list e.g. ["x1", "x2"]', "features")
    if len(texts) > settings.max_features:
        raise invalid(
            f"features lists {len(texts)} expressions; at most {settings.max_features} are allowed",
            "features",
            code="over_cap",
            limit=settings.max_features,
        )
    depth = max(1, min(settings.max_expression_depth, MAX_DEPTH_LIMIT))
    expressions = []
    for i, text in enumerate(texts):
        try:
            expressions.append(FeatureMap.parse([text], settings.max_expression_length, depth).expressions[0])
        except ExpressionError as error:
            raise expression_error(error, f"features[{i}]") from None
    if layers and layers[0] != len(texts):
        raise invalid(
            f"layers[0] is {layers[0]} but features lists {len(texts)}: the input layer has one neuron per "
            f"feature, so set layers[0] to {len(texts)}",
            "layers",
            code="mismatch",
        )
    return FeatureMap(tuple(expressions))


def feature_inputs(features: FeatureMap, points: np.ndarray, field: str) -> np.ndarray:
    """φ of 2-D points; every value must be a finite number (log(x1) at x1 ≤ 0 is not)."""
    if points.shape[1] != len(VARIABLES):
        raise invalid(
            f"features are functions of x1 and x2: {field} needs points with 2 coordinates, not {points.shape[1]}",
            field,
            code="mismatch",
        )
    values = features.transform(points)
    bad = ~np.isfinite(values)
    if bad.any():
        row, column = (int(i) for i in np.argwhere(bad)[0])
        raise invalid(
            f"feature {features.canonical[column]!r} is not a finite number at point {row} "
            f"({points[row, 0]:g}, {points[row, 1]:g}); choose features defined on all the points",
            f"features[{column}]",
        )
    return values


INITIAL_WEIGHTS_KEPT = 256  # networks' drawn starting weights kept, least recently used out
INITIAL_WEIGHTS_MAX = 4096  # only small networks' are kept: drawing a big one's costs little beside using it


def build_network(spec: NetworkSpec, settings: Settings) -> MLP:
    check_network(spec, settings)
    weights = spec.weights
    activation = spec.activation if isinstance(spec.activation, str) else tuple(spec.activation)
    if weights is None and _weight_count(spec.layers) <= INITIAL_WEIGHTS_MAX:
        # Seeding NumPy's generator costs more than the rest of building a small network, and the step player
        # asks for the same seed's network on every step: its starting weights are drawn once.
        weights = _initial_weights(tuple(spec.layers), activation, spec.output_activation, spec.seed, spec.init)
    return MLP.create(
        spec.layers,
        activation=activation,
        output_activation=spec.output_activation,
        seed=spec.seed,
        weights=weights,
        biases=spec.biases,
        init=spec.init,
    )


def _weight_count(layers: list[int]) -> int:
    return sum(fan_in * fan_out for fan_in, fan_out in itertools.pairwise(layers))


@functools.lru_cache(maxsize=INITIAL_WEIGHTS_KEPT)
def _initial_weights(
    layers: tuple[int, ...], activation: str | tuple[str, ...], output_activation: str, seed: int, init: str
) -> tuple[np.ndarray, ...]:
    """The weights ``MLP.create`` draws for this shape and seed, read-only (each network copies its own)."""
    mlp = MLP.create(layers, activation=activation, output_activation=output_activation, seed=seed, init=init)
    drawn = tuple(w.data for w in mlp.weights)
    for array in drawn:
        array.flags.writeable = False
    return drawn


# ---------------------------------------------------------------------------------------- datasets and training
def build_dataset(spec: DatasetSpec, settings: Settings, field: str = "dataset") -> Dataset:
    if spec.name is not None:
        if spec.n > settings.max_dataset:
            raise too_large(
                f"dataset.n is {spec.n}; at most {settings.max_dataset} points are allowed",
                f"{field}.n",
                limit=settings.max_dataset,
            )
        return make_dataset(spec.name, spec.n, spec.noise, spec.seed)
    points = spec.points or []
    if len(points) > settings.max_dataset:
        raise too_large(
            f"dataset.points has {len(points)} points; at most {settings.max_dataset} are allowed",
            f"{field}.points",
            limit=settings.max_dataset,
        )
    if spec.targets is not None:
        kind, values = "regression", list(spec.targets)
    else:
        labels = list(spec.labels or [])
        kind, values = ("binary" if set(labels) <= {0, 1} else "multiclass"), [float(v) for v in labels]
    try:
        return dataset_from_points(points, values, kind)  # type: ignore[arg-type]
    except ValueError as error:
        raise invalid(f"dataset: {error}", field) from None


def check_range(value: tuple[float, float] | None, field: str) -> tuple[float, float] | None:
    """A plot range as sent: low below high, and a width a float holds (wider, every step of it overflows)."""
    if value is None:
        return None
    low, high = float(value[0]), float(value[1])
    if not low < high:
        raise invalid(f"{field} is [{low}, {high}]; the first number must be below the second", field)
    if not math.isfinite(high - low):
        raise invalid(
            f"{field} is [{low:g}, {high:g}]: its width overflows a 64-bit float (at most about 1.8e308); "
            f"use a narrower range, e.g. [{low / 2:g}, {high / 2:g}]",
            field,
            code="range_too_wide",
        )
    return low, high


def _data_range(values: np.ndarray, field: str) -> tuple[float, float]:
    low, high = float(np.min(values)), float(np.max(values))
    pad = 0.1 * (high - low) if high > low else 0.5
    with np.errstate(over="ignore"):
        padded = np.float64(low) - pad, np.float64(high) + pad
    if not np.isfinite(padded[1] - padded[0]):
        raise invalid(
            f"the points lie in [{low:g}, {high:g}] along this axis, too wide to draw with a margin; "
            f"set {field} to a narrower range, e.g. [{low / 2:g}, {high / 2:g}]",
            field,
            code="range_too_wide",
        )
    return float(padded[0]), float(padded[1])


def _checked_range(value: tuple[float, float] | None, values: np.ndarray, field: str) -> tuple[float, float]:
    return check_range(value, field) or _data_range(values, field)


def build_view(
    grid: GridSpec, dataset: Dataset, sizes: list[int], settings: Settings, features: FeatureMap | None = None
) -> View | None:
    """What to draw of the network: a curve for 1 input, heat maps for 2, nothing otherwise."""
    x_range = _checked_range(grid.x_range, dataset.inputs[:, 0], "grid.x_range")
    if dataset.input_dim == 1:
        samples = grid.resolution or CURVE_SAMPLES
        if samples > settings.max_curve_samples:
            raise too_large(
                f"grid.resolution is {samples}; a curve allows at most {settings.max_curve_samples} samples",
                "grid.resolution",
                limit=settings.max_curve_samples,
            )
        return View(x_range, None, samples)
    if dataset.input_dim != 2:
        return None
    y_range = _checked_range(grid.y_range, dataset.inputs[:, 1], "grid.y_range")
    resolution = grid.resolution or GRID_RESOLUTION
    for name, value in (("grid.resolution", resolution), ("grid.neuron_resolution", grid.neuron_resolution or 0)):
        if value > settings.max_grid:
            raise too_large(
                f"{name} is {value}; at most {settings.max_grid} cells per axis are allowed",
                name,
                limit=settings.max_grid,
            )
    maps = sum(sizes[:-1])  # the input and hidden neurons
    fitting = math.isqrt(settings.max_neuron_grid_cells // maps)
    neuron_resolution = grid.neuron_resolution
    if neuron_resolution is None:
        neuron_resolution = min(NEURON_RESOLUTION, fitting)
        neuron_resolution = neuron_resolution if neuron_resolution >= 2 else 0
    elif neuron_resolution > fitting:
        raise too_large(
            f"{maps} neuron maps of {neuron_resolution}×{neuron_resolution} cells exceed the budget of "
            f"{settings.max_neuron_grid_cells} cells; set grid.neuron_resolution to at most {fitting}",
            "grid.neuron_resolution",
            limit=fitting,
        )
    elif neuron_resolution == 1:
        raise invalid("grid.neuron_resolution must be 0 (no maps) or at least 2", "grid.neuron_resolution")
    return View(x_range, y_range, resolution, neuron_resolution, features)


def _check_fit(request: TrainRequest, dataset: Dataset, features: FeatureMap | None) -> None:
    """The network's input and output layers and its loss must suit the data."""
    n_in, outputs = request.layers[0], request.layers[-1]
    name = f"the dataset '{dataset.name}'"
    if features is not None:
        feature_inputs(features, dataset.inputs, "dataset")
    elif n_in != dataset.input_dim:
        raise invalid(
            f"layers[0] is {n_in} but {name} has {dataset.input_dim} input(s): set layers[0] to {dataset.input_dim}",
            "layers",
            code="mismatch",
        )
    if dataset.kind == "regression" and request.loss != "mse":
        raise invalid(
            f"{name} is a regression set: its targets are not probabilities or classes; use loss 'mse'",
            "loss",
            code="mismatch",
        )
    width = targets_for(dataset, outputs).shape[1]
    if width == outputs:
        return
    if dataset.kind == "binary":
        hint = "1 output neuron (2 with cross_entropy)"
    elif dataset.kind == "multiclass":
        hint = f"{dataset.classes} output neurons, one per class"
    else:
        hint = "1 output neuron"
    raise invalid(
        f"the output layer has {outputs} neurons but {name} is {dataset.kind}: use {hint}", "layers", code="mismatch"
    )


def prepare_training(
    request: TrainRequest, settings: Settings, streaming: bool = False
) -> tuple[MLP, Dataset, Dataset | None, TrainingConfig, View | None, TrainingCost, FeatureMap | None]:
    """Every check of a training run, cheapest first, before any training work; ``streaming`` counts the
    bytes of the stream's events too."""
    if request.steps > settings.max_train_steps:
        raise too_large(
            f"steps is {request.steps}; at most {settings.max_train_steps} are allowed per run — continue a run "
            "by sending its final weights and biases back",
            "steps",
            limit=settings.max_train_steps,
        )
    mlp = build_network(request, settings)
    features = build_features(request.features, request.layers, settings)
    dataset = build_dataset(request.dataset, settings)
    _check_fit(request, dataset, features)
    records = 1 + -(-request.steps // request.record_every)
    if records > settings.max_train_records:
        every = -(-request.steps // (settings.max_train_records - 1))
        raise invalid(
            f"recording every {request.record_every} steps makes {records} records; at most "
            f"{settings.max_train_records} are allowed — set record_every to at least {every}",
            "record_every",
            code="over_cap",
            limit=settings.max_train_records,
        )
    train, test = dataset, None
    if request.test_fraction > 0 and len(dataset) >= 2:
        train, test = dataset.split(request.test_fraction, request.dataset.seed)
    parameters = mlp.parameter_count()
    view = build_view(request.grid, dataset, request.layers, settings, features)
    # evenly spaced record points, and the last: at most max_train_snapshots, and few enough for a big network
    fitting = settings.max_train_snapshot_values // parameters
    snapshots = max(min(settings.max_train_snapshots, fitting) - 1, 1)
    config = TrainingConfig(
        loss=request.loss,
        optimizer=request.optimizer,
        learning_rate=request.learning_rate,
        batch_size=request.batch_size,
        steps=request.steps,
        record_every=request.record_every,
        regularization=request.regularization,
        regularization_rate=request.regularization_rate,
        seed=request.seed,
        snapshot_every=max(1, -(-records // snapshots)),
    )
    every = request.stream_grid_every if streaming else None
    cost = training_cost(request.layers, train, test, config, view, every, request.report_confusion)
    _check_training_cost(cost, config, parameters, streaming, settings)
    return mlp, train, test, config, view, cost, features


def _check_training_cost(
    cost: TrainingCost, config: TrainingConfig, parameters: int, streaming: bool, settings: Settings
) -> None:
    """The run's arithmetic and the bytes it writes, against their budgets, before any of it is done."""
    if streaming and cost.stream_bytes > settings.max_stream_bytes:
        raise too_large(
            f"this stream would write up to {cost.stream_bytes:,} bytes ({cost.records} progress events, "
            f"{cost.pictures - 1} of them with a picture of up to {cost.picture_bytes:,} bytes); at most "
            f"{settings.max_stream_bytes:,} are allowed (BACKPROP_MAX_STREAM_BYTES) — set a larger "
            "stream_grid_every or record_every, a smaller grid.resolution or grid.neuron_resolution, or fewer steps",
            "stream_grid_every",
            limit=settings.max_stream_bytes,
        )
    if cost.report_bytes > settings.max_response_bytes:
        raise too_large(
            f"the report of this run would take up to {cost.report_bytes:,} bytes; at most "
            f"{settings.max_response_bytes:,} are allowed (BACKPROP_MAX_RESPONSE_BYTES) — record less often "
            "(a larger record_every), use fewer points, a smaller grid or a smaller network",
            "record_every",
            limit=settings.max_response_bytes,
        )
    if cost.work > settings.max_train_work:
        batch = cost.training_work // max(config.steps * parameters, 1)
        parts = {"steps": cost.training_work, "record_every": cost.record_work, "grid.resolution": cost.drawing_work}
        raise too_large(
            f"this run costs {cost.work:,}: training steps × batch × parameters = {config.steps} × {batch} × "
            f"{parameters} = {cost.training_work:,}, plus evaluating {cost.records} records on every point "
            f"({cost.record_work:,}) and drawing {cost.pictures} picture(s) ({cost.drawing_work:,}); the budget is "
            f"{settings.max_train_work:,} (BACKPROP_MAX_TRAIN_WORK) — use fewer steps, a smaller batch, a larger "
            "record_every, fewer points, fewer or coarser pictures or a smaller network",
            max(parts, key=parts.__getitem__),
            limit=settings.max_train_work,
        )


# ---------------------------------------------------------------------------------------- expressions
def expression_error(error: ExpressionError, field: str) -> ApiError:
    """A parser or evaluation error as a 422 that keeps its column, code and params."""
    return ApiError(
        422, error.message, code=error.code, field=field, params=error.params, extra={"column": error.column}
    )


def parse_expression(
    text: str, settings: Settings, variables: Collection[str] | None = None, field: str = "expression"
) -> Expression:
    depth = max(1, min(settings.max_expression_depth, MAX_DEPTH_LIMIT))
    try:
        expression = parse(text, max_length=settings.max_expression_length, max_depth=depth, variables=variables)
    except ExpressionError as error:
        raise expression_error(error, field) from None
    if len(expression.variables) > settings.max_variables:
        raise too_large(
            f"the expression uses {len(expression.variables)} variables; at most {settings.max_variables} are allowed",
            field,
            limit=settings.max_variables,
        )
    return expression


def check_values(expression: Expression, values: dict[str, float], settings: Settings, field: str) -> dict[str, float]:
    """A value for every variable of the expression; names that are not variables of it are ignored."""
    if len(values) > settings.max_variables:
        raise too_large(
            f"{field} has {len(values)} entries; at most {settings.max_variables} are allowed",
            field,
            limit=settings.max_variables,
        )
    if any(name not in values for name in expression.variables):
        try:  # the engine names the first missing variable and where it first appears
            with np.errstate(all="ignore"):
                expression.evaluate(values, requires_grad=False)
        except ExpressionError as error:
            raise expression_error(error, field) from None
    return {name: float(values[name]) for name in expression.variables}
