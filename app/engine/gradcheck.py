"""Numerical derivatives by central finite differences, to check (and to show) what backprop computes.

    ∂f/∂xᵢ ≈ (f(x + h·eᵢ) − f(x − h·eᵢ)) / 2h

Each partial derivative costs two evaluations of f: checking n parameters costs 2n forward passes,
where backprop gets all n from one forward and one backward pass.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from app.engine.tensor import ArrayLike, Tensor, as_array

DEFAULT_STEP = 1e-6


def numerical_gradient(f: Callable[[np.ndarray], float], x: ArrayLike, step: float = DEFAULT_STEP) -> np.ndarray:
    """The central-difference gradient of a scalar function ``f`` at ``x`` (same shape as ``x``)."""
    point = as_array(x).astype(np.float64, copy=True)
    grad = np.zeros_like(point)
    flat_point, flat_grad = point.reshape(-1), grad.reshape(-1)
    for i in range(flat_point.size):
        original = flat_point[i]
        flat_point[i] = original + step
        above = float(f(point))
        flat_point[i] = original - step
        below = float(f(point))
        flat_point[i] = original
        flat_grad[i] = (above - below) / (2.0 * step)
    return grad


@dataclass(frozen=True)
class GradCheck:
    """Backprop's and the numerical gradient of one input, and how far apart they are."""

    analytic: np.ndarray
    numerical: np.ndarray

    @property
    def max_abs_error(self) -> float:
        return float(np.max(np.abs(self.analytic - self.numerical), initial=0.0))

    @property
    def max_rel_error(self) -> float:
        scale = np.maximum(np.abs(self.analytic) + np.abs(self.numerical), 1e-12)
        return float(np.max(np.abs(self.analytic - self.numerical) / scale, initial=0.0))


def check_gradients(fn: Callable[..., Tensor], *inputs: ArrayLike, step: float = DEFAULT_STEP) -> list[GradCheck]:
    """Compare backprop with central differences for every input of ``fn``.

    ``fn`` takes Tensors and returns a Tensor; a non-scalar output is reduced by a fixed random
    projection ⟨out, r⟩ so that every output element is exercised.
    """
    arrays = [as_array(x).astype(np.float64, copy=True) for x in inputs]
    probe_out = fn(*[Tensor(a) for a in arrays]).data
    projection = np.random.default_rng(0).standard_normal(probe_out.shape)

    def scalar(*values: np.ndarray) -> Tensor:
        out = fn(*values)
        return out if out.data.size == 1 and projection.ndim == 0 else (out * projection).sum()

    leaves = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    scalar(*leaves).backward()
    results = []
    for i, leaf in enumerate(leaves):

        def f_of_input(value: np.ndarray, i: int = i) -> float:
            args: Sequence[Tensor] = [Tensor(value if j == i else a) for j, a in enumerate(arrays)]
            return scalar(*args).item()

        analytic = leaf.grad if leaf.grad is not None else np.zeros_like(leaf.data)
        results.append(GradCheck(analytic=analytic, numerical=numerical_gradient(f_of_input, arrays[i], step)))
    return results
