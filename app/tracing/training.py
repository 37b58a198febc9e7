"""A training run as plain JSON-ready data: loss history, parameter snapshots, heat maps and curves.

Neurons are addressed as in the network diagram, ``"layer-index"`` (``"1-0"`` is the first hidden
neuron). Non-finite floats are left as they are; the serializer sends them as ``null``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from app.nn.datasets import Dataset, missing_classes
from app.nn.diagnosis import WINDOW, diagnose
from app.nn.features import FeatureMap
from app.nn.mlp import MLP
from app.nn.training import DECISION_THRESHOLD, Curves, HeatMaps, Record, Snapshot, Trainer, curves, heat_maps
from app.tracing.finite import all_finite
from app.tracing.network import node_id

Range = tuple[float, float]


@dataclass(frozen=True)
class View:
    """What to draw of the network: a grid of its 2-D input plane, or a curve over its 1-D input."""

    x_range: Range
    y_range: Range | None  # None for a curve
    resolution: int  # grid cells per axis, or curve samples
    neuron_resolution: int = 0  # per-neuron maps (0: none)
    features: FeatureMap | None = None  # the grid's points go through these before the network

    def draw(self, mlp: MLP) -> tuple[dict[str, Any], bool]:
        """The picture, and whether every number in it is finite (the serializer writes the others as null)."""
        if self.y_range is None:
            curve = curves(mlp, self.x_range, self.resolution)
            return curve_data(curve, self.x_range), all_finite(curve.xs, curve.outputs, *curve.neurons.values())
        maps = heat_maps(mlp, self.x_range, self.y_range, self.resolution, self.neuron_resolution, self.features)
        finite = all_finite(maps.xs, maps.ys, maps.outputs, *maps.neurons.values())
        return grid_data(maps, self.x_range, self.y_range), finite


def _record_finite(record: Record) -> bool:
    return all_finite(record.train_loss, record.test_loss, record.train_accuracy, record.test_accuracy)


def record_data(record: Record) -> dict[str, Any]:
    return {
        "step": record.step,
        "train_loss": record.train_loss,
        "test_loss": record.test_loss,
        "train_accuracy": record.train_accuracy,
        "test_accuracy": record.test_accuracy,
    }


def snapshot_data(snapshot: Snapshot) -> dict[str, Any]:
    return {
        "step": snapshot.step,
        "weights": [w.tolist() for w in snapshot.weights],
        "biases": [b.tolist() for b in snapshot.biases],
    }


def _predicted(outputs: np.ndarray) -> np.ndarray:
    """What the heat map colours: the single output, or the predicted class of several."""
    if len(outputs) == 1:
        return outputs[0]
    return np.argmax(np.nan_to_num(outputs, nan=-np.inf), axis=0).astype(np.float64)


def grid_data(maps: HeatMaps, x_range: Range, y_range: Range) -> dict[str, Any]:
    return {
        "resolution": len(maps.xs),
        "x_range": list(x_range),
        "y_range": list(y_range),
        "xs": maps.xs.tolist(),
        "ys": maps.ys.tolist(),
        "values": _predicted(maps.outputs).tolist(),
        "outputs": maps.outputs.tolist(),
        "neuron_resolution": len(maps.neuron_xs),
        "neurons": {node_id(layer, j): values.tolist() for (layer, j), values in maps.neurons.items()},
    }


def curve_data(curve: Curves, x_range: Range) -> dict[str, Any]:
    return {
        "x_range": list(x_range),
        "xs": curve.xs.tolist(),
        "values": curve.outputs[0].tolist(),
        "outputs": curve.outputs.tolist(),
        "neurons": {node_id(layer, j): values.tolist() for (layer, j), values in curve.neurons.items()},
    }


def _points_data(data: Dataset) -> dict[str, Any]:
    return {
        "points": data.inputs.tolist(),
        "labels": None if data.labels is None else data.labels.tolist(),
        "targets": data.targets.tolist(),
    }


def dataset_data(train: Dataset, test: Dataset | None) -> dict[str, Any]:
    return {
        "name": train.name,
        "kind": train.kind,
        "input_dim": train.input_dim,
        "output_dim": train.output_dim,
        "classes": train.classes,
        "train": _points_data(train),
        "test": None if test is None else _points_data(test),
        "missing_classes": missing_classes(train, test),
    }


def diagnosis_data(trainer: Trainer, upto: int | None = None) -> dict[str, Any] | None:
    """What the loss history up to record ``upto`` (all by default) says about the run; None: too early."""
    history = trainer.history if upto is None else trainer.history[: upto + 1]
    recent = history if len(history) <= WINDOW + 1 else [history[0], *history[-WINDOW:]]
    diagnosis = diagnose([r.train_loss for r in recent], trainer.config.learning_rate)
    if diagnosis is None:
        return None
    return {
        "code": diagnosis.code,
        "evidence": diagnosis.evidence,
        "learning_rate": trainer.config.learning_rate,
        "suggested_learning_rate": diagnosis.suggested_learning_rate,
    }


def features_data(features: FeatureMap) -> list[dict[str, str]]:
    return [
        {"expression": text, "symbol": symbol}
        for text, symbol in zip(features.canonical, features.symbols, strict=True)
    ]


def confusion_data(trainer: Trainer) -> dict[str, Any] | None:
    """How the points of the test set (the training set without one) were classified: ``matrix[true][predicted]``
    counts points; None for regression."""
    data, inputs = trainer.test_set, trainer.test_inputs
    if data is None or inputs is None or not len(data):
        data, inputs = trainer.train_set, trainer.train_inputs
    if data.labels is None:
        return None
    classes = max(data.classes, 2)
    with np.errstate(all="ignore"):
        prediction = trainer.mlp.predict(inputs)
    if prediction.shape[1] == 1:
        predicted = (prediction[:, 0] >= DECISION_THRESHOLD).astype(np.int64)
    else:
        predicted = np.argmax(np.nan_to_num(prediction, nan=-np.inf), axis=1)
    matrix = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(matrix, (data.labels, np.minimum(predicted, classes - 1)), 1)
    return {"on": "test" if data is trainer.test_set else "train", "classes": classes, "matrix": matrix.tolist()}


def _details(trainer: Trainer) -> dict[str, Any]:
    """What a view of a many-input network shows while it trains: the parameters and the confusion matrix."""
    mlp = trainer.mlp
    return {
        "weights": [w.data.tolist() for w in mlp.weights],
        "biases": [b.data.tolist() for b in mlp.biases],
        "confusion": confusion_data(trainer),
    }


def progress_data(
    trainer: Trainer, record: Record, view: View | None, index: int | None = None, details: bool = False
) -> dict[str, Any]:
    """One point of a streamed run (record ``index`` of the history); ``view`` adds a fresh grid or curve,
    ``details`` the parameters and the confusion matrix."""
    data = {
        **record_data(record),
        "diverged": trainer.diverged or not _record_finite(record),
        "steps": trainer.config.steps,
        "diagnosis": diagnosis_data(trainer, index),
    }
    if view is not None:
        drawing, finite = view.draw(trainer.mlp)
        data["grid" if view.y_range is not None else "curve"] = drawing
        data["diverged"] = data["diverged"] or not finite
    if details:
        data.update(_details(trainer))
    return data


def training_report(trainer: Trainer, view: View | None, confusion: bool = False) -> dict[str, Any]:
    """Everything a finished (or stopped) run produced; ``confusion`` adds the confusion matrix."""
    mlp = trainer.mlp
    latest = trainer.latest
    drawing, drawing_finite = (None, True) if view is None else view.draw(mlp)
    finite = (
        drawing_finite
        and all_finite(*(p.data for p in mlp.parameters()))
        and all(_record_finite(r) for r in [*trainer.history, latest])
        and all(all_finite(*s.weights, *s.biases) for s in trainer.snapshots)
    )
    report = {
        "steps_done": trainer.step,
        "diverged": trainer.diverged or not finite,
        "final": record_data(latest),
        "accuracy": None
        if latest.train_accuracy is None
        else {"train": latest.train_accuracy, "test": latest.test_accuracy},
        "history": [record_data(r) for r in trainer.history],
        "diagnosis": diagnosis_data(trainer),
        "snapshots": [snapshot_data(s) for s in trainer.snapshots],
        "layers": list(mlp.sizes),
        "activations": list(mlp.activations),
        "parameter_count": mlp.parameter_count(),
        "weights": [w.data.tolist() for w in mlp.weights],
        "biases": [b.data.tolist() for b in mlp.biases],
        "grid": drawing if view is not None and view.y_range is not None else None,
        "curve": drawing if view is not None and view.y_range is None else None,
        "dataset": dataset_data(trainer.train_set, trainer.test_set),
    }
    if trainer.features is not None:
        report["features"] = features_data(trainer.features)
    if confusion:
        report["confusion"] = confusion_data(trainer)
    return report
