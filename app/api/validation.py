"""Checks that need the configured caps or several fields at once; each failure says what to fix."""

from __future__ import annotations

import numpy as np

from app.api.schemas.network import NetworkSpec
from app.api.wire import ApiError
from app.nn.mlp import MLP
from app.settings import Settings


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


def build_network(spec: NetworkSpec, settings: Settings) -> MLP:
    check_network(spec, settings)
    return MLP.create(
        spec.layers,
        activation=spec.activation,
        output_activation=spec.output_activation,
        seed=spec.seed,
        weights=spec.weights,
        biases=spec.biases,
        init=spec.init,
    )
