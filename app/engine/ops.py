"""Every primitive op of the engine: its forward and its vector-Jacobian product, side by side.

An op's ``forward(*arrays, **params)`` returns ``(output, saved)``. Its ``vjp(g, node)`` receives the
upstream gradient ``g = dL/d(output)`` and the output node (which holds the inputs, the output value,
the params and ``saved``) and returns one gradient per input: ``dL/d(input) = g · d(output)/d(input)``,
or None for an input that does not require a gradient (that work is skipped).

Elementwise ops also expose ``local(node)``: the local derivative d(output)/d(input) of each input, as
an array (broadcast to the output's shape), so a teacher can write "upstream × local = contribution"
for every edge. For them the vjp is literally ``g * local``.

Broadcasting is undone in exactly one place, :func:`unbroadcast`.

The ops, grouped by family:
    arithmetic   add sub mul div neg pow pow_const
    unary math   exp log sqrt abs sin cos tan
    activations  tanh sigmoid relu leaky_relu identity
    linear alg.  matmul linear
    reductions   sum mean
    shape        reshape transpose
    softmax      softmax log_softmax
    losses       mse_loss binary_cross_entropy cross_entropy  (mean-reduced, as in PyTorch)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

if TYPE_CHECKING:
    from app.engine.tensor import Tensor

LEAKY_SLOPE = 0.01
BCE_LOG_FLOOR = -100.0  # PyTorch clamps log(p) at -100 so that p = 0 or 1 gives a finite loss
BCE_EPS = float(np.float32(1e-12))  # PyTorch's floor for p(1 − p) in the BCE gradient: 1e-12 as a C float

ONE = np.array(1.0)  # 1 as a 0-d array: NumPy pairs it with an array faster than it converts the number 1.0
ONE.flags.writeable = False
HALF = np.array(0.5)  # ½, for the same reason
HALF.flags.writeable = False

Grads = tuple[np.ndarray | None, ...]


def unbroadcast(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum ``grad`` down to ``shape``: the adjoint of NumPy broadcasting.

    Broadcasting copies a value along new leading axes and along axes of length 1, so the gradient of
    that value is the sum of the gradients of all its copies.
    """
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    new_axes = tuple(range(extra))
    stretched = tuple(extra + i for i, n in enumerate(shape) if n == 1 and grad.shape[extra + i] != 1)
    return grad.sum(axis=new_axes + stretched, keepdims=True).reshape(shape)


class Op:
    """Base of all ops. Subclasses set ``name`` and ``symbol`` and define forward and vjp."""

    name: ClassVar[str]
    symbol: ClassVar[str]  # how a teacher writes it: "+", "·", "tanh", "σ"
    elementwise: ClassVar[bool] = False

    @staticmethod
    def forward(*arrays: np.ndarray, **params: Any) -> tuple[np.ndarray, Any]:
        raise NotImplementedError

    @classmethod
    def vjp(cls, g: np.ndarray, node: Tensor) -> Grads:
        raise NotImplementedError

    @classmethod
    def local(cls, node: Tensor) -> tuple[np.ndarray, ...] | None:
        """Local derivative per input for elementwise ops; None where it is not a single array."""
        return None


# ---------------------------------------------------------------------------------------- helpers
def _needs(node: Tensor, i: int) -> bool:
    return node.inputs[i].requires_grad


class UnaryElementwise(Op):
    """y = f(x) elementwise; vjp: g ↦ g · f′(x). Subclasses define ``derivative(x, y)``."""

    elementwise = True

    @staticmethod
    def derivative(x: np.ndarray, y: np.ndarray, params: dict[str, Any] | None) -> np.ndarray:
        raise NotImplementedError

    @classmethod
    def local(cls, node: Tensor) -> tuple[np.ndarray, ...]:
        x = node.inputs[0].data
        return (np.broadcast_to(cls.derivative(x, node.data, node.params), node.data.shape),)

    @classmethod
    def vjp(cls, g: np.ndarray, node: Tensor) -> Grads:
        return (g * cls.derivative(node.inputs[0].data, node.data, node.params),)


# ---------------------------------------------------------------------------------------- arithmetic
class Add(Op):
    """y = a + b;  vjp: g ↦ (g, g)."""

    name, symbol, elementwise = "add", "+", True

    @staticmethod
    def forward(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, Any]:
        return a + b, None

    @classmethod
    def vjp(cls, g: np.ndarray, node: Tensor) -> Grads:
        a, b = node.inputs
        return (
            unbroadcast(g, a.data.shape) if a.requires_grad else None,
            unbroadcast(g, b.data.shape) if b.requires_grad else None,
        )

    @classmethod
    def local(cls, node: Tensor) -> tuple[np.ndarray, ...]:
        one = np.ones_like(node.data)
        return one, one


class Sub(Op):
    """y = a − b;  vjp: g ↦ (g, −g)."""

    name, symbol, elementwise = "sub", "−", True

    @staticmethod
    def forward(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, Any]:
        return a - b, None

    @classmethod
    def vjp(cls, g: np.ndarray, node: Tensor) -> Grads:
        a, b = node.inputs
        return (
            unbroadcast(g, a.data.shape) if a.requires_grad else None,
            unbroadcast(-g, b.data.shape) if b.requires_grad else None,
        )

    @classmethod
    def local(cls, node: Tensor) -> tuple[np.ndarray, ...]:
        one = np.ones_like(node.data)
        return one, -one


class Mul(Op):
    """y = a · b;  vjp: g ↦ (g·b, g·a)."""

    name, symbol, elementwise = "mul", "·", True

    @staticmethod
    def forward(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, Any]:
        return a * b, None

    @classmethod
    def vjp(cls, g: np.ndarray, node: Tensor) -> Grads:
        a, b = node.inputs
        return (
            unbroadcast(g * b.data, a.data.shape) if a.requires_grad else None,
            unbroadcast(g * a.data, b.data.shape) if b.requires_grad else None,
        )

    @classmethod
    def local(cls, node: Tensor) -> tuple[np.ndarray, ...]:
        a, b = node.inputs
        shape = node.data.shape
        return np.broadcast_to(b.data, shape), np.broadcast_to(a.data, shape)


class Div(Op):
    """y = a / b;  vjp: g ↦ (g / b, −g · a / b²)."""

    name, symbol, elementwise = "div", "/", True

    @staticmethod
    def forward(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, Any]:
        return a / b, None

    @classmethod
    def vjp(cls, g: np.ndarray, node: Tensor) -> Grads:
        a, b = node.inputs
        return (
            unbroadcast(g / b.data, a.data.shape) if a.requires_grad else None,
            unbroadcast(-g * node.data / b.data, b.data.shape) if b.requires_grad else None,
        )

    @classmethod
    def local(cls, node: Tensor) -> tuple[np.ndarray, ...]:
        _a, b = node.inputs
        shape = node.data.shape
        return np.broadcast_to(1.0 / b.data, shape), np.broadcast_to(-node.data / b.data, shape)


class Neg(UnaryElementwise):
    """y = −x;  vjp: g ↦ −g."""

    name, symbol = "neg", "−"

    @staticmethod
    def forward(x: np.ndarray) -> tuple[np.ndarray, Any]:
        return -x, None

    @staticmethod
    def derivative(x: np.ndarray, y: np.ndarray, params: dict[str, Any] | None) -> np.ndarray:
        return np.full_like(x, -1.0)

    @classmethod
    def vjp(cls, g: np.ndarray, node: Tensor) -> Grads:
        return (-g,)


class PowConst(UnaryElementwise):
    """y = x^p for a constant p;  vjp: g ↦ g · p · x^(p−1)."""

    name, symbol = "pow_const", "^"

    @staticmethod
    def forward(x: np.ndarray, exponent: float) -> tuple[np.ndarray, Any]:
        if exponent == 2.0:
            return x * x, None
        return np.power(x, exponent), None

    @staticmethod
    def derivative(x: np.ndarray, y: np.ndarray, params: dict[str, Any] | None) -> np.ndarray:
        p = params["exponent"] if params else 1.0
        if p == 0.0:
            return np.zeros_like(x)
        if p == 2.0:
            return 2.0 * x
        return p * np.power(x, p - 1.0)


class Pow(Op):
    """y = a^b with both sides tensors;  vjp: g ↦ (g · b · a^(b−1), g · y · ln a).

    As in PyTorch, the base's gradient is 0 where b = 0 (instead of 0 · 0⁻¹ = NaN at a = 0), and the
    exponent's gradient is 0 where a = 0 and b ≥ 0 (instead of 0 · ln 0 = NaN).
    """

    name, symbol, elementwise = "pow", "^", True

    @staticmethod
    def forward(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, Any]:
        return np.power(a, b), None

    @classmethod
    def local(cls, node: Tensor) -> tuple[np.ndarray, ...]:
        a, b = node.inputs[0].data, node.inputs[1].data
        y = node.data
        with np.errstate(divide="ignore", invalid="ignore"):
            d_base = np.where(b == 0, 0.0, b * np.power(a, b - 1.0))
            d_exponent = np.where((a == 0) & (b >= 0), 0.0, y * np.log(a))
        shape = y.shape
        return np.broadcast_to(d_base, shape), np.broadcast_to(d_exponent, shape)

    @classmethod
    def vjp(cls, g: np.ndarray, node: Tensor) -> Grads:
        a, b = node.inputs
        d_base, d_exponent = cls.local(node)
        return (
            unbroadcast(g * d_base, a.data.shape) if a.requires_grad else None,
            unbroadcast(g * d_exponent, b.data.shape) if b.requires_grad else None,
        )


# ---------------------------------------------------------------------------------------- unary math
class Exp(UnaryElementwise):
    """y = eˣ;  f′(x) = eˣ = y."""

    name, symbol = "exp", "exp"

    @staticmethod
    def forward(x: np.ndarray) -> tuple[np.ndarray, Any]:
        return np.exp(x), None

    @staticmethod
    def derivative(x: np.ndarray, y: np.ndarray, params: dict[str, Any] | None) -> np.ndarray:
        return y


class Log(UnaryElementwise):
    """y = ln x;  f′(x) = 1/x."""

    name, symbol = "log", "ln"

    @staticmethod
    def forward(x: np.ndarray) -> tuple[np.ndarray, Any]:
        return np.log(x), None

    @staticmethod
    def derivative(x: np.ndarray, y: np.ndarray, params: dict[str, Any] | None) -> np.ndarray:
        return 1.0 / x


class Sqrt(UnaryElementwise):
    """y = √x;  f′(x) = 1 / (2√x)."""

    name, symbol = "sqrt", "√"

    @staticmethod
    def forward(x: np.ndarray) -> tuple[np.ndarray, Any]:
        return np.sqrt(x), None

    @staticmethod
    def derivative(x: np.ndarray, y: np.ndarray, params: dict[str, Any] | None) -> np.ndarray:
        return 0.5 / y


class Abs(UnaryElementwise):
    """y = |x|;  f′(x) = sign(x) (0 at x = 0, as in PyTorch)."""

    name, symbol = "abs", "abs"

    @staticmethod
    def forward(x: np.ndarray) -> tuple[np.ndarray, Any]:
        return np.abs(x), None

    @staticmethod
    def derivative(x: np.ndarray, y: np.ndarray, params: dict[str, Any] | None) -> np.ndarray:
        return np.sign(x)


class Sin(UnaryElementwise):
    """y = sin x;  f′(x) = cos x."""

    name, symbol = "sin", "sin"

    @staticmethod
    def forward(x: np.ndarray) -> tuple[np.ndarray, Any]:
        return np.sin(x), None

    @staticmethod
    def derivative(x: np.ndarray, y: np.ndarray, params: dict[str, Any] | None) -> np.ndarray:
        return np.cos(x)


class Cos(UnaryElementwise):
    """y = cos x;  f′(x) = −sin x."""

    name, symbol = "cos", "cos"

    @staticmethod
    def forward(x: np.ndarray) -> tuple[np.ndarray, Any]:
        return np.cos(x), None

    @staticmethod
    def derivative(x: np.ndarray, y: np.ndarray, params: dict[str, Any] | None) -> np.ndarray:
        return -np.sin(x)


class Tan(UnaryElementwise):
    """y = tan x;  f′(x) = 1 + tan²x."""

    name, symbol = "tan", "tan"

    @staticmethod
    def forward(x: np.ndarray) -> tuple[np.ndarray, Any]:
        return np.tan(x), None

    @staticmethod
    def derivative(x: np.ndarray, y: np.ndarray, params: dict[str, Any] | None) -> np.ndarray:
        return 1.0 + y * y


# ---------------------------------------------------------------------------------------- activations
class Identity(UnaryElementwise):
    """y = x;  f′(x) = 1."""

    name, symbol = "identity", "id"

    @staticmethod
    def forward(x: np.ndarray) -> tuple[np.ndarray, Any]:
        return x, None

    @staticmethod
    def derivative(x: np.ndarray, y: np.ndarray, params: dict[str, Any] | None) -> np.ndarray:
        return np.ones_like(x)

    @classmethod
    def vjp(cls, g: np.ndarray, node: Tensor) -> Grads:
        return (g,)


class Tanh(UnaryElementwise):
    """y = tanh x;  f′(x) = 1 − y²."""

    name, symbol = "tanh", "tanh"

    @staticmethod
    def forward(x: np.ndarray) -> tuple[np.ndarray, Any]:
        return np.tanh(x), None

    @staticmethod
    def derivative(x: np.ndarray, y: np.ndarray, params: dict[str, Any] | None) -> np.ndarray:
        return 1.0 - y * y

    @classmethod
    def vjp(cls, g: np.ndarray, node: Tensor) -> Grads:
        y = node.data
        return (g * (ONE - y * y),)  # g · derivative, written out: tanh is on every hidden layer's hot path


class Sigmoid(UnaryElementwise):
    """y = σ(x) = 1 / (1 + e⁻ˣ);  f′(x) = y (1 − y).

    Computed as ½(1 + tanh(x/2)), which is the same function and never overflows.
    """

    name, symbol = "sigmoid", "σ"

    @staticmethod
    def forward(x: np.ndarray) -> tuple[np.ndarray, Any]:
        return HALF + HALF * np.tanh(HALF * x), None

    @staticmethod
    def derivative(x: np.ndarray, y: np.ndarray, params: dict[str, Any] | None) -> np.ndarray:
        return y * (ONE - y)


class Relu(UnaryElementwise):
    """y = max(0, x);  f′(x) = 1 where x > 0 else 0."""

    name, symbol = "relu", "ReLU"

    @staticmethod
    def forward(x: np.ndarray) -> tuple[np.ndarray, Any]:
        return np.maximum(x, 0.0), None

    @staticmethod
    def derivative(x: np.ndarray, y: np.ndarray, params: dict[str, Any] | None) -> np.ndarray:
        return (x > 0).astype(np.float64)

    @classmethod
    def vjp(cls, g: np.ndarray, node: Tensor) -> Grads:
        # Select rather than multiply, as PyTorch does: an upstream NaN or ∞ stays out of dead units.
        return (np.where(node.inputs[0].data > 0, g, 0.0),)


class LeakyRelu(UnaryElementwise):
    """y = x where x > 0 else 0.01·x;  f′(x) = 1 where x > 0 else 0.01."""

    name, symbol = "leaky_relu", "LeakyReLU"

    @staticmethod
    def forward(x: np.ndarray) -> tuple[np.ndarray, Any]:
        return np.where(x > 0, x, LEAKY_SLOPE * x), None

    @staticmethod
    def derivative(x: np.ndarray, y: np.ndarray, params: dict[str, Any] | None) -> np.ndarray:
        return np.where(x > 0, 1.0, LEAKY_SLOPE)


# ---------------------------------------------------------------------------------------- linear algebra
class MatMul(Op):
    """y = a @ b;  vjp: g ↦ (g @ bᵀ, aᵀ @ g), with 1-D operands promoted as NumPy does."""

    name, symbol = "matmul", "@"

    @staticmethod
    def forward(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, Any]:
        return a @ b, None

    @classmethod
    def vjp(cls, g: np.ndarray, node: Tensor) -> Grads:
        a, b = node.inputs
        a2 = a.data[None, :] if a.data.ndim == 1 else a.data
        b2 = b.data[:, None] if b.data.ndim == 1 else b.data
        g2 = g  # give g back the axes NumPy dropped: b's last one first, then a's (also for 1-D @ 1-D)
        if b.data.ndim == 1:
            g2 = np.expand_dims(g2, -1)
        if a.data.ndim == 1:
            g2 = np.expand_dims(g2, -2)
        grad_a = grad_b = None
        if a.requires_grad:
            grad_a = unbroadcast(g2 @ np.swapaxes(b2, -1, -2), a2.shape).reshape(a.data.shape)
        if b.requires_grad:
            grad_b = unbroadcast(np.swapaxes(a2, -1, -2) @ g2, b2.shape).reshape(b.data.shape)
        return grad_a, grad_b


class Linear(Op):
    """y = x Wᵀ + b for x [batch, in], W [out, in], b [out] (torch.nn.Linear's layout).

    vjp: g ↦ (g W, gᵀ x, Σ_batch g). One fused op instead of matmul, transpose and add: the same maths
    with a third of the bookkeeping, which matters for small networks. Every operand is 2-D, so the
    ``.dot`` method is the matrix product (it skips ``@``'s broadcasting machinery and ``np.dot``'s
    dispatch: half the cost on tiny matrices).
    """

    name, symbol = "linear", "W·a + b"

    @staticmethod
    def forward(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> tuple[np.ndarray, Any]:
        return x.dot(weight.T) + bias, None

    @classmethod
    def vjp(cls, g: np.ndarray, node: Tensor) -> Grads:
        x, weight, bias = node.inputs
        return (
            g.dot(weight.data) if x.requires_grad else None,
            g.T.dot(x.data) if weight.requires_grad else None,
            np.add.reduce(g, 0) if bias.requires_grad else None,  # Σ over the batch (g.sum without its wrapper)
        )


# ---------------------------------------------------------------------------------------- reductions
def _expand_reduced(g: np.ndarray, shape: tuple[int, ...], axis: Any, keepdims: bool) -> np.ndarray:
    """Give a reduced gradient back the reduced axes, then broadcast it to ``shape``."""
    if axis is not None and not keepdims:
        g = np.expand_dims(g, axis)
    return np.broadcast_to(g, shape)


class Sum(Op):
    """y = Σ x over ``axis``;  vjp: g ↦ g copied back over the summed axes."""

    name, symbol = "sum", "Σ"

    @staticmethod
    def forward(x: np.ndarray, axis: Any = None, keepdims: bool = False) -> tuple[np.ndarray, Any]:
        return np.sum(x, axis=axis, keepdims=keepdims), None

    @classmethod
    def vjp(cls, g: np.ndarray, node: Tensor) -> Grads:
        params = node.params or {}
        x = node.inputs[0].data
        return (_expand_reduced(g, x.shape, params.get("axis"), params.get("keepdims", False)).copy(),)

    @classmethod
    def local(cls, node: Tensor) -> tuple[np.ndarray, ...]:
        return (np.ones_like(node.inputs[0].data),)


class Mean(Op):
    """y = (1/n) Σ x over ``axis``;  vjp: g ↦ g / n copied back over the averaged axes."""

    name, symbol = "mean", "mean"

    @staticmethod
    def forward(x: np.ndarray, axis: Any = None, keepdims: bool = False) -> tuple[np.ndarray, Any]:
        return np.mean(x, axis=axis, keepdims=keepdims), None

    @classmethod
    def vjp(cls, g: np.ndarray, node: Tensor) -> Grads:
        params = node.params or {}
        x = node.inputs[0].data
        n = x.size // max(node.data.size, 1)
        return (_expand_reduced(g / n, x.shape, params.get("axis"), params.get("keepdims", False)).copy(),)

    @classmethod
    def local(cls, node: Tensor) -> tuple[np.ndarray, ...]:
        x = node.inputs[0].data
        return (np.full_like(x, node.data.size / max(x.size, 1)),)


# ---------------------------------------------------------------------------------------- shape
class Reshape(Op):
    """y = x viewed with a new shape;  vjp: g ↦ g reshaped back."""

    name, symbol = "reshape", "reshape"

    @staticmethod
    def forward(x: np.ndarray, shape: tuple[int, ...]) -> tuple[np.ndarray, Any]:
        return x.reshape(shape), None

    @classmethod
    def vjp(cls, g: np.ndarray, node: Tensor) -> Grads:
        return (g.reshape(node.inputs[0].data.shape),)


class Transpose(Op):
    """y = x with axes permuted (reversed by default);  vjp: g ↦ g with the inverse permutation."""

    name, symbol = "transpose", "ᵀ"

    @staticmethod
    def forward(x: np.ndarray, axes: tuple[int, ...] | None = None) -> tuple[np.ndarray, Any]:
        return np.transpose(x, axes), None

    @classmethod
    def vjp(cls, g: np.ndarray, node: Tensor) -> Grads:
        axes = (node.params or {}).get("axes")
        return (np.transpose(g, None if axes is None else np.argsort(axes)),)


# ---------------------------------------------------------------------------------------- softmax
def _log_softmax(x: np.ndarray, axis: int) -> np.ndarray:
    shifted = x - np.max(x, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


class Softmax(Op):
    """yᵢ = e^{xᵢ} / Σⱼ e^{xⱼ} along ``axis``;  vjp: g ↦ y ⊙ (g − Σ g ⊙ y)."""

    name, symbol = "softmax", "softmax"

    @staticmethod
    def forward(x: np.ndarray, axis: int = -1) -> tuple[np.ndarray, Any]:
        return np.exp(_log_softmax(x, axis)), None

    @classmethod
    def vjp(cls, g: np.ndarray, node: Tensor) -> Grads:
        y = node.data
        axis = (node.params or {}).get("axis", -1)
        return (y * (g - np.sum(g * y, axis=axis, keepdims=True)),)


class LogSoftmax(Op):
    """yᵢ = xᵢ − log Σⱼ e^{xⱼ} along ``axis``;  vjp: g ↦ g − softmax(x) · Σ g."""

    name, symbol = "log_softmax", "log softmax"

    @staticmethod
    def forward(x: np.ndarray, axis: int = -1) -> tuple[np.ndarray, Any]:
        return _log_softmax(x, axis), None

    @classmethod
    def vjp(cls, g: np.ndarray, node: Tensor) -> Grads:
        axis = (node.params or {}).get("axis", -1)
        return (g - np.exp(node.data) * np.sum(g, axis=axis, keepdims=True),)


# ---------------------------------------------------------------------------------------- losses
class Loss(Op):
    """A mean-reduced loss L(prediction, target) → scalar.

    ``local`` is ∂L/∂prediction (and ∂L/∂target), one number per element, which is exactly what a
    teacher writes on the edge from each output to the loss.
    """

    @classmethod
    def local(cls, node: Tensor) -> tuple[np.ndarray, ...]:
        raise NotImplementedError

    @classmethod
    def vjp(cls, g: np.ndarray, node: Tensor) -> Grads:
        d_prediction, d_target = cls.local(node)
        prediction, target = node.inputs
        return (
            g * d_prediction if prediction.requires_grad else None,
            g * d_target if target.requires_grad else None,
        )


class MSELoss(Loss):
    """L = (1/N) Σ (p − t)² over all N elements;  ∂L/∂p = 2(p − t)/N,  ∂L/∂t = −2(p − t)/N."""

    name, symbol = "mse_loss", "MSE"

    @staticmethod
    def forward(prediction: np.ndarray, target: np.ndarray) -> tuple[np.ndarray, Any]:
        diff = prediction - target
        return np.asarray(np.vdot(diff, diff) / diff.size), diff  # Σ d² is the dot product ⟨d, d⟩

    @classmethod
    def local(cls, node: Tensor) -> tuple[np.ndarray, ...]:
        diff = node.saved
        d_prediction = (2.0 / diff.size) * diff
        return d_prediction, -d_prediction

    @classmethod
    def vjp(cls, g: np.ndarray, node: Tensor) -> Grads:
        prediction, target = node.inputs
        diff = node.saved
        scale = 2.0 * float(g) / diff.size  # the loss is one number, so is its upstream gradient g
        return (
            scale * diff if prediction.requires_grad else None,
            -scale * diff if target.requires_grad else None,
        )


class BinaryCrossEntropy(Loss):
    """L = −(1/N) Σ [t ln p + (1 − t) ln(1 − p)], logs clamped at −100 as in PyTorch.

    ∂L/∂p = (p − t) / (N · max(p(1 − p), 1e-12));  ∂L/∂t = (ln(1 − p) − ln p) / N.
    """

    name, symbol = "binary_cross_entropy", "BCE"

    @staticmethod
    def forward(prediction: np.ndarray, target: np.ndarray) -> tuple[np.ndarray, Any]:
        with np.errstate(divide="ignore"):
            log_p = np.maximum(np.log(prediction), BCE_LOG_FLOOR)
            log_1mp = np.maximum(np.log1p(-prediction), BCE_LOG_FLOOR)
        terms = target * log_p + (ONE - target) * log_1mp
        return np.asarray(-(np.add.reduce(terms, None) / terms.size)), (log_p, log_1mp)  # the mean, unwrapped

    @staticmethod
    def d_prediction(node: Tensor) -> np.ndarray:
        """∂L/∂p = (p − t) / (N · max(p(1 − p), 1e-12))."""
        p, t = node.inputs[0].data, node.inputs[1].data
        return (p - t) / np.maximum(p * (ONE - p), BCE_EPS) / p.size

    @staticmethod
    def d_target(node: Tensor) -> np.ndarray:
        """∂L/∂t = (ln(1 − p) − ln p) / N."""
        log_p, log_1mp = node.saved
        return (log_1mp - log_p) / log_p.size

    @classmethod
    def local(cls, node: Tensor) -> tuple[np.ndarray, ...]:
        return cls.d_prediction(node), cls.d_target(node)

    @classmethod
    def vjp(cls, g: np.ndarray, node: Tensor) -> Grads:
        prediction, target = node.inputs  # each derivative only when asked for: targets seldom need one
        return (
            g * cls.d_prediction(node) if prediction.requires_grad else None,
            g * cls.d_target(node) if target.requires_grad else None,
        )


class CrossEntropy(Loss):
    """Cross-entropy of logits x against class probabilities t (rows sum to 1), mean over the batch.

    L = −(1/B) Σ_b Σ_c t_bc · log softmax(x_b)_c;  ∂L/∂x = (softmax(x) · Σ_c t − t) / B;
    ∂L/∂t = −log softmax(x) / B. Same as ``torch.nn.functional.cross_entropy`` with probability targets.
    """

    name, symbol = "cross_entropy", "CE"

    @staticmethod
    def forward(logits: np.ndarray, target: np.ndarray) -> tuple[np.ndarray, Any]:
        log_probs = _log_softmax(logits, -1)
        batch = logits.shape[0] if logits.ndim > 1 else 1
        return np.asarray(-np.sum(target * log_probs) / batch), log_probs

    @classmethod
    def local(cls, node: Tensor) -> tuple[np.ndarray, ...]:
        logits, target = node.inputs[0].data, node.inputs[1].data
        log_probs = node.saved
        batch = logits.shape[0] if logits.ndim > 1 else 1
        d_logits = (np.exp(log_probs) * np.sum(target, axis=-1, keepdims=True) - target) / batch
        return d_logits, -log_probs / batch


OPS: dict[str, type[Op]] = {
    op.name: op
    for op in (
        Add, Sub, Mul, Div, Neg, PowConst, Pow,
        Exp, Log, Sqrt, Abs, Sin, Cos, Tan,
        Identity, Tanh, Sigmoid, Relu, LeakyRelu,
        MatMul, Linear,
        Sum, Mean,
        Reshape, Transpose,
        Softmax, LogSoftmax,
        MSELoss, BinaryCrossEntropy, CrossEntropy,
    )
}  # fmt: skip
"""Every op by name: the engine's whole vocabulary."""
