"""Optimizers: turn the gradients left by ``backward()`` into parameter updates.

Each matches ``torch.optim`` with its default arguments, step for step. Writing g for a parameter's
gradient, λ for ``weight_decay`` and η for ``lr``, every optimizer first adds the L2 term

    g ← g + λ·p

and then applies its own rule, in place on ``p.data``. The gradient array itself is never modified:
the engine may share one gradient array between several tensors, and the front end shows it.
Parameters whose ``grad`` is None (not reached by the last backward pass) are skipped.

State (velocities, moment estimates, scratch space) is allocated once per parameter on its first
update, so a training loop of thousands of steps allocates nothing after the first.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Iterable, Sequence
from typing import Any, Literal

import numpy as np

from app.engine.tensor import Tensor

RegularizationKind = Literal["none", "l1", "l2"]
REGULARIZATIONS: tuple[RegularizationKind, ...] = ("none", "l1", "l2")


def _check_rate(name: str, value: float, below_one: bool = False) -> float:
    value = float(value)
    if not (math.isfinite(value) and value >= 0.0 and (value < 1.0 or not below_one)):
        interval = "[0, 1)" if below_one else "≥ 0"
        raise ValueError(f"{name} must be a finite number {interval}, got {value}")
    return value


class Optimizer:
    """Base class: holds the parameters, applies weight decay and calls :meth:`_update` on each."""

    def __init__(self, params: Sequence[Tensor], lr: float, weight_decay: float = 0.0) -> None:
        self.params = list(params)
        if not self.params:
            raise ValueError("the optimizer got an empty list of parameters")
        if len({id(p) for p in self.params}) != len(self.params):
            raise ValueError("a parameter appears more than once; it would be updated twice per step")
        self.lr = _check_rate("lr", lr)
        self.weight_decay = _check_rate("weight_decay", weight_decay)
        self._decayed_grad: list[np.ndarray | None] = [None] * len(self.params)
        self._scratch: list[np.ndarray | None] = [None] * len(self.params)

    def zero_grad(self) -> None:
        """Forget the gradients, so the next ``backward()`` starts from nothing instead of adding."""
        for param in self.params:
            param.grad = None

    def step(self) -> None:
        """Update every parameter that has a gradient, in place."""
        weight_decay = self.weight_decay
        for index, param in enumerate(self.params):
            grad = param.grad
            if grad is None:
                continue
            if weight_decay:
                decayed = self._decayed_grad[index]
                if decayed is None:
                    decayed = self._decayed_grad[index] = np.empty_like(param.data)
                np.multiply(param.data, weight_decay, out=decayed)
                decayed += grad  # g + λ·p, in a buffer of our own
                grad = decayed
            scratch = self._scratch[index]
            if scratch is None:
                scratch = self._scratch[index] = np.empty_like(param.data)
            self._update(index, param.data, grad, scratch)

    def _update(self, index: int, data: np.ndarray, grad: np.ndarray, scratch: np.ndarray) -> None:
        """Change ``data`` in place given ``grad``; ``scratch`` is a free array of the same shape."""
        raise NotImplementedError


class SGD(Optimizer):
    """Plain gradient descent, ``torch.optim.SGD``:  p ← p − η·(g + λ·p)."""

    def _update(self, index: int, data: np.ndarray, grad: np.ndarray, scratch: np.ndarray) -> None:
        np.multiply(grad, self.lr, out=scratch)
        data -= scratch


class Momentum(Optimizer):
    """Heavy-ball momentum, ``torch.optim.SGD(momentum=μ)`` without dampening or Nesterov:

        v ← μ·v + g     (v ← g on the first step)
        p ← p − η·v

    The velocity v remembers past gradients, so steps grow along directions that keep agreeing.
    """

    def __init__(self, params: Sequence[Tensor], lr: float, weight_decay: float = 0.0, momentum: float = 0.9) -> None:
        super().__init__(params, lr, weight_decay)
        self.momentum = _check_rate("momentum", momentum, below_one=True)
        self.velocities: list[np.ndarray | None] = [None] * len(self.params)

    def _update(self, index: int, data: np.ndarray, grad: np.ndarray, scratch: np.ndarray) -> None:
        velocity = self.velocities[index]
        if velocity is None:
            velocity = self.velocities[index] = grad.copy()
        else:
            velocity *= self.momentum
            velocity += grad
        np.multiply(velocity, self.lr, out=scratch)
        data -= scratch


class Adam(Optimizer):
    """Adam, ``torch.optim.Adam`` (L2 weight decay added to g, not AdamW's decoupled decay):

        m ← β₁·m + (1 − β₁)·g          running mean of gradients
        v ← β₂·v + (1 − β₂)·g²         running mean of squared gradients
        m̂ = m / (1 − β₁ᵗ),  v̂ = v / (1 − β₂ᵗ)   bias correction: m and v start at 0
        p ← p − η·m̂ / (√v̂ + ε)

    with t counting this parameter's updates. Each coordinate gets its own step size, about η.
    """

    def __init__(
        self,
        params: Sequence[Tensor],
        lr: float,
        weight_decay: float = 0.0,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
    ) -> None:
        super().__init__(params, lr, weight_decay)
        beta1, beta2 = betas
        self.betas = (_check_rate("beta1", beta1, below_one=True), _check_rate("beta2", beta2, below_one=True))
        self.eps = _check_rate("eps", eps)
        self.steps = [0] * len(self.params)
        self.first_moments: list[np.ndarray | None] = [None] * len(self.params)
        self.second_moments: list[np.ndarray | None] = [None] * len(self.params)

    def _update(self, index: int, data: np.ndarray, grad: np.ndarray, scratch: np.ndarray) -> None:
        beta1, beta2 = self.betas
        mean, mean_square = self.first_moments[index], self.second_moments[index]
        if mean is None or mean_square is None:
            mean = self.first_moments[index] = np.zeros_like(data)
            mean_square = self.second_moments[index] = np.zeros_like(data)
        self.steps[index] += 1
        t = self.steps[index]

        np.subtract(grad, mean, out=scratch)  # m ← m + (1 − β₁)(g − m), torch's lerp
        scratch *= 1.0 - beta1
        mean += scratch
        mean_square *= beta2
        np.multiply(grad, grad, out=scratch)
        scratch *= 1.0 - beta2
        mean_square += scratch

        step_size = self.lr / (1.0 - beta1**t)
        np.sqrt(mean_square, out=scratch)  # √v̂ + ε = √v / √(1 − β₂ᵗ) + ε
        scratch /= math.sqrt(1.0 - beta2**t)
        scratch += self.eps
        np.divide(mean, scratch, out=scratch)
        scratch *= step_size
        data -= scratch


OPTIMIZERS: dict[str, type[Optimizer]] = {"sgd": SGD, "momentum": Momentum, "adam": Adam}
"""Optimizers by the names the API uses."""

_COMMON_ARGUMENTS = {"self", "params", "lr", "weight_decay"}


def make_optimizer(
    name: str, params: Sequence[Tensor], lr: float, weight_decay: float = 0.0, **kwargs: Any
) -> Optimizer:
    """Build the optimizer called ``name``; ``kwargs`` are its own options (``momentum``, ``betas``, ``eps``)."""
    if name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; choose one of {', '.join(OPTIMIZERS)}")
    cls = OPTIMIZERS[name]
    options = set(inspect.signature(cls.__init__).parameters) - _COMMON_ARGUMENTS
    unknown = sorted(set(kwargs) - options)
    if unknown:
        accepted = ", ".join(sorted(options)) or "none"
        raise ValueError(f"optimizer {name!r} has no option {', '.join(unknown)}; its options: {accepted}")
    return cls(params, lr, weight_decay, **kwargs)


# ------------------------------------------------------------------------------------ regularization
def regularization_grad(
    kind: RegularizationKind, rate: float, param: np.ndarray, out: np.ndarray | None = None
) -> np.ndarray:
    """Gradient of the penalty on one array w, to add to the loss gradient:

        l2:  ∂/∂w (rate/2 · Σ w²) = rate · w
        l1:  ∂/∂w (rate · Σ |w|)  = rate · sign(w)     (0 at w = 0, a subgradient)
        none: 0

    ``out`` receives the result when given, saving an allocation in a training loop.
    """
    if kind == "l2":
        return np.multiply(param, rate, out=out)
    if kind == "l1":
        result = np.sign(param, out=out)
        result *= rate
        return result
    if kind == "none":
        if out is None:
            return np.zeros_like(param)
        out.fill(0.0)
        return out
    raise ValueError(f"unknown regularization {kind!r}; choose one of {', '.join(REGULARIZATIONS)}")


def regularization_penalty(kind: RegularizationKind, rate: float, params: Iterable[np.ndarray | Tensor]) -> float:
    """The penalty added to the loss, summed over every array (or tensor) in ``params``:

    l2: rate/2 · Σ w²,   l1: rate · Σ |w|,   none: 0.
    """
    if kind not in REGULARIZATIONS:
        raise ValueError(f"unknown regularization {kind!r}; choose one of {', '.join(REGULARIZATIONS)}")
    if kind == "none":
        return 0.0
    arrays = [p.data if isinstance(p, Tensor) else np.asarray(p, dtype=np.float64) for p in params]
    if kind == "l2":
        return rate / 2 * sum(float(np.vdot(w, w)) for w in arrays)
    return rate * sum(float(np.abs(w).sum()) for w in arrays)
