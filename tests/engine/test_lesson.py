"""The seed lesson's worked examples, built with Tensor operators and checked against the derivatives by hand."""

from __future__ import annotations

import math

import pytest

from app.engine import Tensor
from app.engine import functions as F

POINTS = [-2.5, -1.0, -0.3, 0.0, 0.4, 1.0, 1.7, 3.0]
PAIRS = [(-1.5, 2.0), (0.0, 0.0), (0.5, -0.25), (3.0, 1.0)]


def variable(value: float, name: str) -> Tensor:
    return Tensor(value, requires_grad=True, name=name)


@pytest.mark.parametrize("x_value", POINTS)
def test_cos_of_x_squared_minus_one(x_value: float) -> None:
    """d/dx cos(x² − 1) = −sin(x² − 1) · 2x: the outer derivative at the inner value, times the inner one."""
    x = variable(x_value, "x")
    y = F.cos(x**2 - 1)
    y.backward()
    assert y.item() == pytest.approx(math.cos(x_value**2 - 1), rel=1e-15)
    assert x.grad == pytest.approx(-math.sin(x_value**2 - 1) * 2 * x_value, rel=1e-14, abs=1e-300)


@pytest.mark.parametrize("x_value", POINTS)
def test_three_x_has_slope_three(x_value: float) -> None:
    x = variable(x_value, "x")
    (3 * x).backward()
    assert x.grad == 3.0


@pytest.mark.parametrize("x_value", POINTS)
def test_two_x_squared_has_slope_four_x(x_value: float) -> None:
    x = variable(x_value, "x")
    f = 2 * x**2
    f.backward()
    assert f.item() == pytest.approx(2 * x_value**2, rel=1e-15)
    assert x.grad == pytest.approx(4 * x_value, rel=1e-15, abs=1e-300)


@pytest.mark.parametrize(("x_value", "y_value"), PAIRS)
def test_sum_of_squares_has_partials_two_x_two_y(x_value: float, y_value: float) -> None:
    x, y = variable(x_value, "x"), variable(y_value, "y")
    z = x**2 + y**2
    z.backward()
    assert z.item() == pytest.approx(x_value**2 + y_value**2, rel=1e-15)
    assert x.grad == pytest.approx(2 * x_value, rel=1e-15, abs=1e-300)
    assert y.grad == pytest.approx(2 * y_value, rel=1e-15, abs=1e-300)


@pytest.mark.parametrize(("x_value", "y_value"), PAIRS)
def test_three_x_plus_two_y_has_partials_three_and_two(x_value: float, y_value: float) -> None:
    x, y = variable(x_value, "x"), variable(y_value, "y")
    z = 3 * x + 2 * y
    z.backward()
    assert z.item() == pytest.approx(3 * x_value + 2 * y_value, rel=1e-15, abs=1e-300)
    assert x.grad == 3.0
    assert y.grad == 2.0
