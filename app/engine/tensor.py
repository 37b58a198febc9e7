"""The Tensor: a float64 NumPy array that remembers how it was made.

Every Tensor produced by an op keeps the op, its input tensors and whatever the op saved for its
vector-Jacobian product (vjp). ``backward()`` walks that graph once in reverse topological order and
applies each op's vjp, accumulating gradients with ``+`` where a tensor feeds several others.

Graphs are only recorded when some input requires a gradient, so constant sub-expressions and
inference cost nothing extra.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from heapq import heappop, heappush
from operator import attrgetter
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from app.engine.ops import Op

ArrayLike = Any  # anything np.asarray accepts

_serials = itertools.count()  # creation order: an op's output is always numbered after its inputs
_creation_number = attrgetter("serial")
_FLOAT64 = np.dtype(np.float64)
_new_object = object.__new__  # a Tensor without running __init__


def as_array(value: ArrayLike) -> np.ndarray:
    """Return ``value`` as a float64 array (no copy when it already is one)."""
    if type(value) is np.ndarray:
        return value if value.dtype is _FLOAT64 else np.asarray(value, dtype=np.float64)
    return np.array(value, dtype=np.float64)  # a number or a nested list: always a new array


class Tensor:
    """A node of the computation graph.

    Attributes:
        data: the value, a float64 ndarray.
        grad: d(root)/d(self) after ``root.backward()``; same shape as ``data``, or None.
        requires_grad: whether gradients flow to this tensor.
        op: the op that produced it (None for leaves).
        inputs: the tensors the op consumed, in order.
        saved: what the op's forward kept for its vjp.
        name: an optional stable name chosen by the builder ("W1", "L1.n3", "x").
        label: an optional human label for teaching ("z₁ = W₁·a₀ + b₁").
    """

    __slots__ = ("data", "grad", "inputs", "label", "name", "op", "params", "requires_grad", "saved", "serial")
    __array_priority__ = 1000  # make ndarray (op) Tensor defer to Tensor's reflected operators

    def __init__(
        self,
        data: ArrayLike,
        requires_grad: bool = False,
        name: str | None = None,
        label: str | None = None,
    ) -> None:
        # as_array inlined: constants are wrapped on the hot path of every op with a number operand
        self.data = data if type(data) is np.ndarray and data.dtype is _FLOAT64 else np.array(data, np.float64)
        self.serial = next(_serials)
        self.grad: np.ndarray | None = None
        self.requires_grad = requires_grad
        self.op: Op | None = None
        self.inputs: tuple[Tensor, ...] = ()
        self.saved: Any = None
        self.params: dict[str, Any] | None = None
        self.name = name
        self.label = label

    # ------------------------------------------------------------------ construction
    @classmethod
    def _from_op(
        cls, op: Op | None, data: np.ndarray, inputs: tuple[Tensor, ...], saved: Any, requires_grad: bool = True
    ) -> Tensor:
        """Wrap an op's output without copying or re-validating it (the hot path).

        With ``op=None, inputs=()`` and ``requires_grad=False`` it makes a constant just as cheaply.
        """
        out = _new_object(cls)
        out.data = data
        out.serial = next(_serials)
        out.grad = None
        out.op = op
        out.inputs = inputs
        out.saved = saved
        out.params = None
        out.name = None
        out.label = None
        out.requires_grad = requires_grad
        return out

    # ------------------------------------------------------------------ basic properties
    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def size(self) -> int:
        return self.data.size

    @property
    def T(self) -> Tensor:
        return F.transpose(self)

    def item(self) -> float:
        return float(self.data)

    def numpy(self) -> np.ndarray:
        return self.data

    def detach(self) -> Tensor:
        return Tensor(self.data)

    def __repr__(self) -> str:
        op = self.op.name if self.op else "leaf"
        return f"Tensor({np.array2string(self.data, precision=4)}, op={op}, name={self.name!r})"

    def __len__(self) -> int:
        return len(self.data)

    # ------------------------------------------------------------------ autograd
    def zero_grad(self) -> None:
        self.grad = None

    def backward(self, grad: ArrayLike | None = None) -> None:
        """Fill ``.grad`` of every tensor this one depends on with d(self)/d(tensor).

        ``grad`` is the upstream gradient; it defaults to 1 for a scalar. Gradients of tensors that
        already hold one are added to (as in PyTorch), so zero them between independent passes.
        """
        if grad is None:
            if self.data.size != 1:
                raise ValueError("backward() without a gradient needs a scalar (size-1) tensor")
            seed = np.array(1.0).reshape(self.data.shape)  # d(self)/d(self) = 1
        else:
            seed = as_array(grad)
            if seed.shape != self.data.shape:
                raise ValueError(f"gradient shape {seed.shape} does not match tensor shape {self.data.shape}")
        if self.op is None:  # a leaf: its gradient accumulates, and there is nothing behind it
            self.grad = seed if self.grad is None else self.grad + seed
            return
        self.grad = seed
        # Take the tensors in reverse creation order (a priority queue on creation number, as PyTorch's
        # engine does): every consumer of a tensor was created after it, so by the time a tensor is
        # taken its gradient is complete and its vjp can pass it on.
        reached = {self}
        queue = [(-self.serial, self)]
        while queue:
            node = heappop(queue)[1]
            for parent, parent_grad in zip(node.inputs, node.op.vjp(node.grad, node)):  # noqa: B905 - hot path
                if parent_grad is None or not parent.requires_grad:
                    continue
                if parent.op is None:  # a leaf: gradients accumulate, across passes too
                    parent.grad = parent_grad if parent.grad is None else parent.grad + parent_grad
                elif parent in reached:  # an intermediate result met again: add this contribution
                    parent.grad = parent.grad + parent_grad
                else:  # an intermediate result met first in this pass: it starts afresh and joins the queue
                    reached.add(parent)
                    parent.grad = parent_grad
                    heappush(queue, (-parent.serial, parent))

    # ------------------------------------------------------------------ operators
    def __add__(self, other: ArrayLike) -> Tensor:
        return F.add(self, other)

    def __radd__(self, other: ArrayLike) -> Tensor:
        return F.add(other, self)

    def __sub__(self, other: ArrayLike) -> Tensor:
        return F.sub(self, other)

    def __rsub__(self, other: ArrayLike) -> Tensor:
        return F.sub(other, self)

    def __mul__(self, other: ArrayLike) -> Tensor:
        return F.mul(self, other)

    def __rmul__(self, other: ArrayLike) -> Tensor:
        return F.mul(other, self)

    def __truediv__(self, other: ArrayLike) -> Tensor:
        return F.div(self, other)

    def __rtruediv__(self, other: ArrayLike) -> Tensor:
        return F.div(other, self)

    def __neg__(self) -> Tensor:
        return F.neg(self)

    def __pow__(self, other: ArrayLike) -> Tensor:
        return F.power(self, other)

    def __rpow__(self, other: ArrayLike) -> Tensor:
        return F.power(other, self)

    def __matmul__(self, other: ArrayLike) -> Tensor:
        return F.matmul(self, other)

    def __rmatmul__(self, other: ArrayLike) -> Tensor:
        return F.matmul(other, self)

    # method spellings for the common reductions and shape ops
    def sum(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        return F.sum(self, axis=axis, keepdims=keepdims)

    def mean(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        return F.mean(self, axis=axis, keepdims=keepdims)

    def reshape(self, *shape: int | Sequence[int]) -> Tensor:
        if len(shape) == 1 and not isinstance(shape[0], int):
            shape = tuple(shape[0])
        return F.reshape(self, shape)


def topological_order(root: Tensor) -> list[Tensor]:
    """Every tensor ``root`` depends on through gradient-carrying paths, inputs first.

    A tensor is always created after its inputs, so sorting the reachable tensors by creation number
    is a topological order: no recursion (any depth is fine) and deterministic.
    """
    seen = {root}  # tensors hash by identity
    stack = [root]
    while stack:
        for parent in stack.pop().inputs:
            if parent.requires_grad and parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return sorted(seen, key=_creation_number)


def parameters_of(tensors: Iterable[Tensor]) -> list[Tensor]:
    """The tensors among ``tensors`` that require gradients."""
    return [t for t in tensors if t.requires_grad]


# The operators above call into the op functions; imported last because those functions build Tensors.
from app.engine import functions as F  # noqa: E402
