"""One forward and backward pass of an MLP, and the numbers a trace reads from its tensors.

Every number is read from the engine's graph after ``loss.backward()``: activations and pre-activations
from the tensors, ∂L/∂a and ∂L/∂z from their ``.grad``, each activation's slope f′(z) from its op's
``local`` derivative, and the parameter gradients from ``W.grad`` and ``b.grad``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from app.engine.tensor import Tensor
from app.nn.mlp import MLP, ForwardPass

SATURATION = 0.97  # |tanh| or σ beyond this (or below 1 − this) has a slope near 0
VANISHING_GRADIENT = 1e-6
EXPLODING_GRADIENT = 1e3


@dataclass
class Pass:
    """The tensors of one pass and the numbers the steps read from them."""

    mlp: MLP
    forward: ForwardPass
    loss: Tensor
    loss_name: str
    targets: np.ndarray
    learning_rate: float
    sample: int

    @property
    def sizes(self) -> list[int]:
        return self.mlp.sizes

    @property
    def depth(self) -> int:
        return self.mlp.depth

    @property
    def batch(self) -> int:
        return self.targets.shape[0]

    def a(self, layer: int) -> np.ndarray:
        return self.forward.activations[layer].data

    def z(self, layer: int) -> np.ndarray:
        return self.forward.pre_activations[layer].data  # type: ignore[union-attr]

    def grad_a(self, layer: int) -> np.ndarray | None:
        return self.forward.activations[layer].grad

    def grad_z(self, layer: int) -> np.ndarray:
        return self.forward.pre_activations[layer].grad  # type: ignore[union-attr]

    def slope(self, layer: int) -> np.ndarray:
        """f′(z⁽ˡ⁾): the local derivative the activation op applied."""
        activation = self.forward.activations[layer]
        return activation.op.local(activation)[0]  # type: ignore[union-attr]


def run_pass(mlp: MLP, inputs: np.ndarray, targets: np.ndarray, loss: str, learning_rate: float, sample: int) -> Pass:
    """Forward, loss and backward, with the gradients of the previous pass forgotten first.

    Call it under ``np.errstate(all="ignore")``: overflow is reported as null values and ``diverged``."""
    for p in mlp.parameters():
        p.zero_grad()
    forward = mlp.forward(inputs, input_requires_grad=True)
    loss_tensor = mlp.loss(forward.output, targets, loss)
    loss_tensor.backward()
    return Pass(mlp, forward, loss_tensor, loss, np.asarray(targets, dtype=np.float64), learning_rate, sample)


def health_numbers(run: Pass, layer: int) -> np.ndarray:
    """Signs of trouble a teacher points at: dead ReLUs, saturated units, vanishing or exploding gradients.

    As numbers: [dead fraction, saturated fraction, ‖∂L/∂W‖, vanishing (0/1), exploding (0/1)].
    """
    activation = run.mlp.activations[layer - 1]
    z, a = run.z(layer), run.a(layer)
    dead = saturated = 0.0
    # Fractions as counts over sizes: ``.mean()`` of a small boolean array costs several times more.
    if activation in ("relu", "leaky_relu"):
        dead = np.count_nonzero((z <= 0).all(axis=0)) / z.shape[1]
    if activation == "tanh":
        saturated = np.count_nonzero(np.abs(a) > SATURATION) / a.size
    elif activation == "sigmoid":
        saturated = np.count_nonzero((a > SATURATION) | (a < 1 - SATURATION)) / a.size
    grad = run.mlp.weights[layer - 1].grad.ravel()  # type: ignore[union-attr]
    grad_norm = math.sqrt(grad @ grad)
    vanishing = grad_norm < VANISHING_GRADIENT
    exploding = not math.isfinite(grad_norm) or grad_norm > EXPLODING_GRADIENT
    return np.array([dead, saturated, grad_norm, vanishing, exploding], dtype=np.float64)
