"""Gradients at the edges of a function's domain agree with PyTorch's conventions."""

from __future__ import annotations

import numpy as np

from app.engine import Tensor
from app.engine import functions as F


def test_power_with_zero_base_and_zero_exponent_has_zero_gradients() -> None:
    base = Tensor(0.0, requires_grad=True)
    exponent = Tensor(0.0, requires_grad=True)
    out = F.power(base, exponent)  # 0^0 = 1, flat in both directions as PyTorch defines it
    out.backward()
    assert out.item() == 1.0
    assert base.grad == 0.0
    assert exponent.grad == 0.0


def test_relu_keeps_non_finite_upstream_out_of_dead_units() -> None:
    x = Tensor(np.array([-2.0, 3.0]), requires_grad=True)
    out = F.relu(x)
    out.backward(np.array([np.nan, 5.0]))
    assert x.grad[0] == 0.0  # dead unit: no gradient at all, not 0 · NaN
    assert x.grad[1] == 5.0


def test_power_with_negative_base_through_relu_exponent_is_finite() -> None:
    x = Tensor(-1.5, requires_grad=True)
    with np.errstate(invalid="ignore"):
        out = F.power(x, F.relu(x))  # (−1.5)^0 = 1; ln(−1.5) is NaN but relu blocks that path
        out.backward()
    assert out.item() == 1.0
    assert np.isfinite(x.grad)
    assert x.grad == 0.0
