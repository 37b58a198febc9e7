"""Optimizers: turn the gradients left by ``backward()`` into parameter updates.

Each matches ``torch.optim`` with its default arguments, step for step. Writing g for a parameter's
gradient, λ for ``weight_decay`` and η for ``lr``, every optimizer first adds the L2 term

    g ← g + λ·p

then computes its step δ and applies p ← p − δ in place on ``p.data``. The gradient arrays are never
modified: the engine may share one array between several tensors, and the front end shows them.
Parameters whose ``grad`` is None (not reached by the last backward pass) are skipped, and their
state does not move.

Small networks have a few small parameters, so the cost of a step is the number of NumPy calls, not
arithmetic. The optimizer state therefore lives in one flat array per quantity, with a shaped view per
parameter: when every parameter has a gradient (the usual case) the rule runs once over all of them,
otherwise once per parameter on the views. Both give the same numbers, element by element. Nothing
is allocated after construction; parameter shapes must stay fixed. When the parameters themselves are
consecutive slices of one array (as an MLP keeps them), p ← p − δ is one subtraction on that array.
"""

from __future__ import annotations

import inspect
import itertools
import math
from collections.abc import Iterable, Sequence
from typing import Any, Literal

import numpy as np

from app.engine.tensor import Tensor

RegularizationKind = Literal["none", "l1", "l2"]
REGULARIZATIONS: tuple[RegularizationKind, ...] = ("none", "l1", "l2")

ALL = None
"""The ``index`` meaning "every parameter at once" in :meth:`Optimizer._direction`."""


def _check_rate(name: str, value: float, below_one: bool = False) -> float:
    value = float(value)
    if not (math.isfinite(value) and value >= 0.0 and (value < 1.0 or not below_one)):
        interval = "[0, 1)" if below_one else "≥ 0"
        raise ValueError(f"{name} must be a finite number {interval}, got {value}")
    return value


class _Slots:
    """A zeroed flat array with one slot per parameter: ``slots[ALL]`` is all of it, ``slots[i]`` a view
    shaped like parameter i."""

    def __init__(self, shapes: list[tuple[int, ...]]) -> None:
        ends = list(itertools.accumulate(math.prod(shape) for shape in shapes))
        self.whole = np.zeros(ends[-1] if ends else 0)
        starts = [0, *ends[:-1]]
        self.parts = [self.whole[a:b].reshape(shape) for a, b, shape in zip(starts, ends, shapes, strict=True)]

    def __getitem__(self, index: int | None) -> np.ndarray:
        return self.whole if index is ALL else self.parts[index]


class Optimizer:
    """Base class: gathers gradients, adds weight decay, asks :meth:`_direction` for δ and applies it."""

    def __init__(self, params: Sequence[Tensor], lr: float, weight_decay: float = 0.0) -> None:
        self.params = list(params)
        if not self.params:
            raise ValueError("the optimizer got an empty list of parameters")
        if len({id(p) for p in self.params}) != len(self.params):
            raise ValueError("a parameter appears more than once; it would be updated twice per step")
        self.lr = _check_rate("lr", lr)
        self.weight_decay = _check_rate("weight_decay", weight_decay)
        self._shapes = [p.data.shape for p in self.params]
        self._grad = self._slots()  # g (+ λ·p): our own copy, so the caller's gradient stays intact
        self._delta = self._slots()  # the step δ
        self._decay: _Slots | None = None  # λ·p, made when weight decay is first used
        self._views = [p.data for p in self.params]
        self._storage = _shared_storage(self._views)  # the parameters laid end to end in one array, or None

    def _slots(self) -> _Slots:
        return _Slots(self._shapes)

    @property
    def _data(self) -> _Slots:
        if self._decay is None:
            self._decay = self._slots()
        return self._decay

    def zero_grad(self) -> None:
        """Forget the gradients, so the next ``backward()`` starts from nothing instead of adding."""
        for param in self.params:
            param.grad = None

    def step(self) -> None:
        """p ← p − δ for every parameter that has a gradient, in place."""
        grads = [p.grad for p in self.params]
        if _has_none(grads) or not self._can_step_together():
            for index, grad in enumerate(grads):
                if grad is not None:
                    self._step_one(index, grad)
            return
        np.concatenate(grads, axis=None, out=self._grad.whole)
        if self.weight_decay:
            np.concatenate([p.data for p in self.params], axis=None, out=self._data.whole)
            self._data.whole *= self.weight_decay
            self._grad.whole += self._data.whole
        self._direction(ALL, self._grad.whole, self._delta.whole)
        if self._storage is not None and self._in_storage():
            self._storage -= self._delta.whole
            return
        for param, delta in zip(self.params, self._delta.parts, strict=True):
            param.data -= delta

    def _in_storage(self) -> bool:
        """Whether every parameter still holds its slice of the shared storage (nobody replaced ``p.data``)."""
        for param, view in zip(self.params, self._views):  # noqa: B905, SIM110 - every step: a loop, not a generator
            if param.data is not view:
                return False
        return True

    def _step_one(self, index: int, grad: np.ndarray) -> None:
        param, own_grad = self.params[index], self._grad[index]
        own_grad[...] = grad
        if self.weight_decay:
            np.multiply(param.data, self.weight_decay, out=self._data[index])
            own_grad += self._data[index]
        self._direction(index, own_grad, self._delta[index])
        param.data -= self._delta[index]

    def _can_step_together(self) -> bool:
        """Whether one pass over all parameters computes what separate passes would."""
        return True

    def _direction(self, index: int | None, grad: np.ndarray, out: np.ndarray) -> None:
        """Write the step δ into ``out`` for parameter ``index`` (or all of them, ``ALL``) given ``grad``."""
        raise NotImplementedError


def _has_none(grads: list[np.ndarray | None]) -> bool:
    for grad in grads:  # noqa: SIM110 - every step: a loop, not a generator
        if grad is None:
            return True
    return False


def _shared_storage(arrays: list[np.ndarray]) -> np.ndarray | None:
    """The writable 1-D float64 array whose consecutive slices are ``arrays``, in order and contiguous, if any."""
    base = arrays[0].base if arrays else None
    if not isinstance(base, np.ndarray) or base.ndim != 1 or base.dtype != np.float64 or not base.flags.writeable:
        return None
    address = base.__array_interface__["data"][0]
    for array in arrays:
        if array.base is not base or not array.flags.c_contiguous or array.dtype != np.float64:
            return None
        if array.__array_interface__["data"][0] != address:
            return None
        address += array.nbytes
    start = (arrays[0].__array_interface__["data"][0] - base.__array_interface__["data"][0]) // base.itemsize
    return base[start : start + sum(a.size for a in arrays)]


class SGD(Optimizer):
    """Plain gradient descent, ``torch.optim.SGD``:  p ← p − η·(g + λ·p)."""

    def _direction(self, index: int | None, grad: np.ndarray, out: np.ndarray) -> None:
        np.multiply(grad, self.lr, out=out)

    @staticmethod
    def stepped(data: np.ndarray, grad: np.ndarray, lr: float) -> np.ndarray:
        """p − η·g as a new array, leaving ``data`` as it is: one plain step without an optimizer's buffers
        (a trace shows the weights after the step beside the weights it traced). Equal bit for bit to
        :meth:`step`, which computes δ = g·η and then p − δ."""
        return data - np.multiply(grad, lr)


class Momentum(Optimizer):
    """Heavy-ball momentum, ``torch.optim.SGD(momentum=μ)`` without dampening or Nesterov:

        v ← μ·v + g     (v starts at 0, so v = g after the first step)
        p ← p − η·v

    The velocity v remembers past gradients, so steps grow along directions that keep agreeing.
    """

    def __init__(self, params: Sequence[Tensor], lr: float, weight_decay: float = 0.0, momentum: float = 0.9) -> None:
        super().__init__(params, lr, weight_decay)
        self.momentum = _check_rate("momentum", momentum, below_one=True)
        self._velocity = self._slots()

    def _direction(self, index: int | None, grad: np.ndarray, out: np.ndarray) -> None:
        velocity = self._velocity[index]
        velocity *= self.momentum
        velocity += grad
        np.multiply(velocity, self.lr, out=out)


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
        self.steps = [0] * len(self.params)  # t for each parameter
        self._mean = self._slots()
        self._mean_square = self._slots()

    def _can_step_together(self) -> bool:
        return min(self.steps) == max(self.steps)  # one t, hence one bias correction, for all

    def _direction(self, index: int | None, grad: np.ndarray, out: np.ndarray) -> None:
        beta1, beta2 = self.betas
        mean, mean_square = self._mean[index], self._mean_square[index]
        if index is ALL:
            t = self.steps[0] + 1
            self.steps = [t] * len(self.steps)
        else:
            t = self.steps[index] = self.steps[index] + 1

        np.subtract(grad, mean, out=out)  # m ← m + (1 − β₁)(g − m), torch's lerp
        out *= 1.0 - beta1
        mean += out
        mean_square *= beta2
        np.multiply(grad, grad, out=out)
        out *= 1.0 - beta2
        mean_square += out

        np.sqrt(mean_square, out=out)  # √v̂ + ε = √v / √(1 − β₂ᵗ) + ε
        out /= math.sqrt(1.0 - beta2**t)
        out += self.eps
        np.divide(mean, out, out=out)
        out *= self.lr / (1.0 - beta1**t)  # η / (1 − β₁ᵗ) turns m into η·m̂


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
