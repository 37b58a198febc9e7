"""Backprop against central differences for every parameter of a network, and what each one costs.

Backprop gets every ∂L/∂p from one forward and one backward pass. Central differences need two
forward passes per parameter,

    ∂L/∂p ≈ (L(p + h) − L(p − h)) / 2h,

so checking P parameters costs 2P forward passes: the reason networks are trained with backprop.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from app.engine.functions import LOSSES
from app.engine.gradcheck import DEFAULT_STEP, numerical_gradient
from app.engine.tensor import Tensor
from app.nn.mlp import MLP
from app.tracing.finite import all_finite
from app.tracing.notation import bias_symbol, weight_symbol

TOLERANCE = 1e-5  # relative error
ABSOLUTE_FLOOR = 1e-8  # gradients this close agree whatever their relative error
BACKPROP_REPEATS = 5


class GradcheckStopped(Exception):
    """A check given up before it finished (its ``stop()`` held): nobody waits for it."""


def _never() -> bool:
    return False


def _relative(analytic: np.ndarray, numerical: np.ndarray) -> np.ndarray:
    return np.abs(analytic - numerical) / np.maximum(np.abs(analytic) + np.abs(numerical), 1e-12)


def _backprop(mlp: MLP, inputs: np.ndarray, targets: np.ndarray, loss: str) -> tuple[float, list[np.ndarray], float]:
    """The loss, every parameter's gradient, and the median time of a forward + backward pass in ms."""
    times = []
    value = 0.0
    for _ in range(BACKPROP_REPEATS):
        start = time.perf_counter()
        for p in mlp.parameters():
            p.zero_grad()
        loss_tensor = mlp.loss(mlp.forward(inputs).output, targets, loss)
        loss_tensor.backward()
        times.append((time.perf_counter() - start) * 1000)
        value = loss_tensor.item()
    grads = [p.grad if p.grad is not None else np.zeros_like(p.data) for p in mlp.parameters()]
    return value, grads, statistics.median(times)


def _numerical(
    mlp: MLP, inputs: np.ndarray, targets: np.ndarray, loss: str, stop: Callable[[], bool]
) -> tuple[list[np.ndarray], float]:
    loss_fn = LOSSES[loss]
    target_tensor = Tensor(targets)
    start = time.perf_counter()
    grads = []
    for param in mlp.parameters():
        original = param.data

        def loss_at(value: np.ndarray, param: Tensor = param) -> float:
            if stop():  # asked before each of the 2P forward passes: a check of many parameters takes seconds
                raise GradcheckStopped
            param.data = value
            return loss_fn(Tensor(mlp.predict(inputs)), target_tensor).item()

        grads.append(numerical_gradient(loss_at, original))
        param.data = original
    return grads, (time.perf_counter() - start) * 1000


def _entries(mlp: MLP, analytic: list[np.ndarray], numerical: list[np.ndarray]) -> list[dict[str, Any]]:
    entries = []
    for k in range(2 * mlp.depth):  # W1, b1, W2, b2, … as in mlp.parameters()
        layer, is_weight = k // 2 + 1, k % 2 == 0
        a, n = analytic[k], numerical[k]
        abs_error, rel_error = np.abs(a - n), _relative(a, n)
        for index in np.ndindex(a.shape):
            if is_weight:
                name, symbol = f"W{layer}[{index[0]}][{index[1]}]", weight_symbol(layer, index[0], index[1])
            else:
                name, symbol = f"b{layer}[{index[0]}]", bias_symbol(layer, index[0])
            entries.append(
                {
                    "name": name,
                    "symbol": symbol,
                    "layer": layer,
                    "kind": "weight" if is_weight else "bias",
                    "index": list(index),
                    "backprop": float(a[index]),
                    "numerical": float(n[index]),
                    "abs_error": float(abs_error[index]),
                    "rel_error": float(rel_error[index]),
                }
            )
    return entries


def check_network_gradients(
    mlp: MLP, inputs: np.ndarray, targets: np.ndarray, loss: str, stop: Callable[[], bool] = _never
) -> dict[str, Any]:
    """Every parameter's backprop and numerical gradient, the largest errors, and both costs. Raises
    GradcheckStopped once ``stop()`` holds."""
    with np.errstate(all="ignore"):
        value, analytic, backprop_ms = _backprop(mlp, inputs, targets, loss)
        numerical, numerical_ms = _numerical(mlp, inputs, targets, loss, stop)
        entries = _entries(mlp, analytic, numerical)
        abs_errors = np.array([e["abs_error"] for e in entries])
        rel_errors = np.array([e["rel_error"] for e in entries])
        agree = (rel_errors <= TOLERANCE) | (abs_errors <= ABSOLUTE_FLOOR)
    count = mlp.parameter_count()
    finite = all_finite(value, abs_errors, rel_errors, *analytic, *numerical)
    return {
        "loss": value,
        "diverged": not finite,
        "step": DEFAULT_STEP,
        "parameters": entries,
        "max_abs_error": float(np.max(abs_errors)),
        "max_rel_error": float(np.max(rel_errors)),
        "tolerance": TOLERANCE,
        "agrees": bool(finite and np.all(agree)),
        "cost": {
            "parameters": count,
            "numerical_forward_passes": 2 * count,
            "backprop_forward_passes": 1,
            "backprop_backward_passes": 1,
        },
        "timings_ms": {
            "backprop": backprop_ms,
            "numerical": numerical_ms,
            "speedup": numerical_ms / backprop_ms if backprop_ms > 0 else None,
        },
    }
