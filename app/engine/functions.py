"""The functions users call: each wraps one op from :mod:`app.engine.ops` and records it in the graph.

A graph node is only recorded when at least one input requires a gradient; otherwise the result is a
plain constant tensor. Plain numbers and arrays are accepted wherever a tensor is.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from app.engine import ops
from app.engine.tensor import ArrayLike, Tensor, as_array

NUMBER_CACHE_SIZE = 256
_number_arrays: dict[float, np.ndarray] = {}
_from_op = Tensor._from_op  # bound once: every recorded op goes through it


def _tensor(value: ArrayLike | Tensor) -> Tensor:
    """``value`` itself when it is a tensor, else a constant tensor holding it."""
    if isinstance(value, Tensor):
        return value
    if type(value) is float or type(value) is int:
        array = _number_arrays.get(value)
        if array is None:
            array = _number_array(value)
        return _from_op(None, array, (), None, False)  # _constant(array) inlined: operands are the hot path
    return _constant(as_array(value))


def _constant(array: np.ndarray) -> Tensor:
    """A tensor that needs no gradient around a float64 ``array``, made without ``__init__``'s checks."""
    return _from_op(None, array, (), None, False)


def _number_array(number: float) -> np.ndarray:
    """A read-only 0-d float64 array holding ``number``, kept to be shared by every constant of that value.

    Numbers like the 2 in ``2 * x`` are wrapped on every use, and building a fresh array costs about as
    much as the multiplication itself. Read-only, so no caller can change the number for the others.
    """
    array = np.array(number, dtype=np.float64)
    array.flags.writeable = False
    if number != 0 and number == number:  # 0.0 and −0.0 are equal keys, NaN never matches: not kept
        if len(_number_arrays) >= NUMBER_CACHE_SIZE:
            _number_arrays.clear()
        _number_arrays[number] = array
    return array


def apply(op: type[ops.Op], *inputs: ArrayLike | Tensor, **params: Any) -> Tensor:
    """Run ``op`` forward on ``inputs`` and record the result in the graph when it needs a gradient."""
    tensors = tuple(_tensor(x) for x in inputs)
    data, saved = op.forward(*(t.data for t in tensors), **params)
    if type(data) is not np.ndarray:
        data = as_array(data)
    for t in tensors:
        if t.requires_grad:
            out = _from_op(op, data, tensors, saved)
            if params:
                out.params = params
            return out
    return _constant(data)


def _unary(op: type[ops.Op], x: ArrayLike | Tensor) -> Tensor:
    """``apply`` specialised for one input without keyword params: the hot path of small networks."""
    t = x if isinstance(x, Tensor) else _tensor(x)
    data, saved = op.forward(t.data)
    if type(data) is not np.ndarray:  # NumPy returns a scalar, not a 0-d array, for 0-d inputs
        data = as_array(data)
    return _from_op(op, data, (t,), saved) if t.requires_grad else _constant(data)


def _binary(op: type[ops.Op], a: ArrayLike | Tensor, b: ArrayLike | Tensor) -> Tensor:
    ta = a if isinstance(a, Tensor) else _tensor(a)
    tb = b if isinstance(b, Tensor) else _tensor(b)
    data, saved = op.forward(ta.data, tb.data)
    if type(data) is not np.ndarray:
        data = as_array(data)
    if ta.requires_grad or tb.requires_grad:
        return _from_op(op, data, (ta, tb), saved)
    return _constant(data)


# ---------------------------------------------------------------------------------------- arithmetic
def add(a: ArrayLike | Tensor, b: ArrayLike | Tensor) -> Tensor:
    return _binary(ops.Add, a, b)


def sub(a: ArrayLike | Tensor, b: ArrayLike | Tensor) -> Tensor:
    return _binary(ops.Sub, a, b)


def mul(a: ArrayLike | Tensor, b: ArrayLike | Tensor) -> Tensor:
    return _binary(ops.Mul, a, b)


def div(a: ArrayLike | Tensor, b: ArrayLike | Tensor) -> Tensor:
    return _binary(ops.Div, a, b)


def neg(x: ArrayLike | Tensor) -> Tensor:
    return _unary(ops.Neg, x)


def power(base: ArrayLike | Tensor, exponent: ArrayLike | Tensor) -> Tensor:
    """``base ** exponent``: a constant exponent uses ``pow_const`` (valid for negative bases too)."""
    if isinstance(exponent, Tensor) and exponent.requires_grad:
        return _binary(ops.Pow, base, exponent)
    value = exponent.data if isinstance(exponent, Tensor) else np.asarray(exponent, dtype=np.float64)
    if value.ndim == 0:
        return apply(ops.PowConst, base, exponent=float(value))
    return _binary(ops.Pow, base, exponent)


# ---------------------------------------------------------------------------------------- unary math
def exp(x: ArrayLike | Tensor) -> Tensor:
    return _unary(ops.Exp, x)


def log(x: ArrayLike | Tensor) -> Tensor:
    return _unary(ops.Log, x)


def sqrt(x: ArrayLike | Tensor) -> Tensor:
    return _unary(ops.Sqrt, x)


def abs(x: ArrayLike | Tensor) -> Tensor:
    return _unary(ops.Abs, x)


def sin(x: ArrayLike | Tensor) -> Tensor:
    return _unary(ops.Sin, x)


def cos(x: ArrayLike | Tensor) -> Tensor:
    return _unary(ops.Cos, x)


def tan(x: ArrayLike | Tensor) -> Tensor:
    return _unary(ops.Tan, x)


# ---------------------------------------------------------------------------------------- activations
def identity(x: ArrayLike | Tensor) -> Tensor:
    return _unary(ops.Identity, x)


def tanh(x: ArrayLike | Tensor) -> Tensor:
    return _unary(ops.Tanh, x)


def sigmoid(x: ArrayLike | Tensor) -> Tensor:
    return _unary(ops.Sigmoid, x)


def relu(x: ArrayLike | Tensor) -> Tensor:
    return _unary(ops.Relu, x)


def leaky_relu(x: ArrayLike | Tensor) -> Tensor:
    return _unary(ops.LeakyRelu, x)


ACTIVATIONS = {
    "identity": identity,
    "tanh": tanh,
    "sigmoid": sigmoid,
    "relu": relu,
    "leaky_relu": leaky_relu,
}
"""Activation functions by the names the API and the MLP builder use."""


# ---------------------------------------------------------------------------------------- linear algebra
def matmul(a: ArrayLike | Tensor, b: ArrayLike | Tensor) -> Tensor:
    return _binary(ops.MatMul, a, b)


def linear(x: ArrayLike | Tensor, weight: Tensor, bias: Tensor) -> Tensor:
    """x Wᵀ + b for a batch x [batch, in], with ``weight`` laid out [out, in] as in ``torch.nn.Linear``."""
    tx = _tensor(x)
    if tx.data.ndim != 2:
        raise ValueError(f"linear needs inputs of shape [batch, in], got {list(tx.data.shape)}")
    data, saved = ops.Linear.forward(tx.data, weight.data, bias.data)
    if tx.requires_grad or weight.requires_grad or bias.requires_grad:
        return _from_op(ops.Linear, data, (tx, weight, bias), saved)
    return _constant(data)


# ---------------------------------------------------------------------------------------- reductions, shape
def sum(x: ArrayLike | Tensor, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
    return apply(ops.Sum, x, axis=axis, keepdims=keepdims)


def mean(x: ArrayLike | Tensor, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
    return apply(ops.Mean, x, axis=axis, keepdims=keepdims)


def reshape(x: ArrayLike | Tensor, shape: tuple[int, ...]) -> Tensor:
    return apply(ops.Reshape, x, shape=tuple(shape))


def transpose(x: ArrayLike | Tensor, axes: tuple[int, ...] | None = None) -> Tensor:
    return apply(ops.Transpose, x, axes=None if axes is None else tuple(axes))


def softmax(x: ArrayLike | Tensor, axis: int = -1) -> Tensor:
    return apply(ops.Softmax, x, axis=axis)


def log_softmax(x: ArrayLike | Tensor, axis: int = -1) -> Tensor:
    return apply(ops.LogSoftmax, x, axis=axis)


# ---------------------------------------------------------------------------------------- losses
def mse_loss(prediction: ArrayLike | Tensor, target: ArrayLike | Tensor) -> Tensor:
    """Mean squared error over every element, like ``torch.nn.functional.mse_loss``."""
    return _binary(ops.MSELoss, prediction, target)


def binary_cross_entropy(prediction: ArrayLike | Tensor, target: ArrayLike | Tensor) -> Tensor:
    """BCE of probabilities in [0, 1], like ``torch.nn.functional.binary_cross_entropy``."""
    return _binary(ops.BinaryCrossEntropy, prediction, target)


def cross_entropy(logits: ArrayLike | Tensor, target: ArrayLike | Tensor) -> Tensor:
    """Cross-entropy of logits [batch, classes] against probabilities, or class indices [batch]."""
    target_array = target.data if isinstance(target, Tensor) else np.asarray(target)
    logits_t = _tensor(logits)
    if target_array.ndim == logits_t.data.ndim - 1:
        one_hot = np.zeros_like(logits_t.data)
        one_hot[np.arange(len(target_array)), target_array.astype(np.int64)] = 1.0
        target = one_hot
    return _binary(ops.CrossEntropy, logits_t, target)


LOSSES = {
    "mse": mse_loss,
    "bce": binary_cross_entropy,
    "cross_entropy": cross_entropy,
}
"""Loss functions by the names the API and the MLP builder use."""
