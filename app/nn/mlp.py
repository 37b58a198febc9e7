"""A multi-layer perceptron built on the engine, laid out like ``torch.nn.Linear``.

Layer l (1 … L) computes

    z⁽ˡ⁾ = a⁽ˡ⁻¹⁾ W⁽ˡ⁾ᵀ + b⁽ˡ⁾        W⁽ˡ⁾ is [out, in], b⁽ˡ⁾ is [out]
    a⁽ˡ⁾ = f⁽ˡ⁾(z⁽ˡ⁾)

with a⁽⁰⁾ = x, and the loss compares a⁽ᴸ⁾ = ŷ with the target. Every tensor gets a stable name
(``a0``, ``z1``, ``W1``, ``b1`` …) so the graph can be read back and drawn.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from app.engine import ops
from app.engine.functions import ACTIVATIONS, LOSSES, linear
from app.engine.tensor import ArrayLike, Tensor, as_array

INITS = ("auto", "xavier", "he", "torch")
ACTIVATION_OPS: dict[str, type[ops.Op]] = {
    "identity": ops.Identity,
    "tanh": ops.Tanh,
    "sigmoid": ops.Sigmoid,
    "relu": ops.Relu,
    "leaky_relu": ops.LeakyRelu,
}


@dataclass
class ForwardPass:
    """The tensors of one forward pass: ``activations[l]`` is a⁽ˡ⁾, ``pre_activations[l]`` is z⁽ˡ⁾."""

    activations: list[Tensor]
    pre_activations: list[Tensor | None]  # None for the input layer

    @property
    def output(self) -> Tensor:
        return self.activations[-1]


@functools.cache
def _layer_names(layer: int) -> tuple[str, str]:
    """The names of layer l's pre-activation and activation: ``("z3", "a3")`` (made once, used every pass)."""
    return f"z{layer}", f"a{layer}"


def _initial_weights(fan_in: int, fan_out: int, scheme: str, rng: np.random.Generator) -> np.ndarray:
    """Xavier/Glorot uniform keeps tanh and sigmoid layers' variance steady; He normal does so for ReLU."""
    if scheme == "xavier":
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        return rng.uniform(-limit, limit, size=(fan_out, fan_in))
    if scheme == "he":
        return rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_out, fan_in))
    bound = 1.0 / np.sqrt(fan_in)  # PyTorch's default for nn.Linear
    return rng.uniform(-bound, bound, size=(fan_out, fan_in))


@dataclass
class MLP:
    """A fully connected network: ``sizes`` counts neurons per layer, input layer included."""

    sizes: list[int]
    activations: list[str]  # one per connection: the hidden layers', then the output layer's
    weights: list[Tensor]
    biases: list[Tensor]

    @classmethod
    def create(
        cls,
        sizes: Sequence[int],
        activation: str | Sequence[str] = "tanh",
        output_activation: str = "identity",
        seed: int = 0,
        weights: Sequence[ArrayLike] | None = None,
        biases: Sequence[ArrayLike] | None = None,
        init: str = "auto",
    ) -> MLP:
        """Build a network; weights and biases not given are drawn from ``init`` with ``seed``.

        ``activation`` names the hidden layers' activation, once for all or one per hidden layer.
        """
        sizes = [int(n) for n in sizes]
        if len(sizes) < 2 or min(sizes) < 1:
            raise ValueError("a network needs at least an input and an output layer, each with ≥ 1 neuron")
        hidden_count = len(sizes) - 2
        hidden = [activation] * hidden_count if isinstance(activation, str) else list(activation)
        if len(hidden) != hidden_count:
            raise ValueError(f"expected {hidden_count} hidden activations, got {len(hidden)}")
        names = [*hidden, output_activation]
        for name in names:
            if name not in ACTIVATIONS:
                raise ValueError(f"unknown activation {name!r}; choose one of {', '.join(ACTIVATIONS)}")
        if init not in INITS:
            raise ValueError(f"unknown init {init!r}; choose one of {', '.join(INITS)}")
        rng = np.random.default_rng(seed) if weights is None else None  # given weights need no draws
        weight_arrays, bias_arrays = [], []
        for layer, (fan_in, fan_out) in enumerate(itertools.pairwise(sizes), start=1):
            if rng is not None:
                scheme = init
                if init == "auto":
                    scheme = "he" if names[layer - 1] in ("relu", "leaky_relu") else "xavier"
                w = _initial_weights(fan_in, fan_out, scheme, rng)
            else:
                w = _checked(weights[layer - 1], (fan_out, fan_in), f"weights[{layer - 1}]")  # type: ignore[index]
            if biases is not None:
                b = _checked(biases[layer - 1], (fan_out,), f"biases[{layer - 1}]")
            else:
                b = np.zeros(fan_out)
            weight_arrays.append(w)
            bias_arrays.append(b)
        if weights is not None and len(weights) != len(sizes) - 1:
            raise ValueError(f"expected {len(sizes) - 1} weight matrices, got {len(weights)}")
        if biases is not None and len(biases) != len(sizes) - 1:
            raise ValueError(f"expected {len(sizes) - 1} bias vectors, got {len(biases)}")
        return cls._from_arrays(sizes, names, weight_arrays, bias_arrays)

    @classmethod
    def _from_arrays(
        cls, sizes: list[int], activations: list[str], weights: Sequence[np.ndarray], biases: Sequence[np.ndarray]
    ) -> MLP:
        """A network holding copies of ``weights`` and ``biases`` in one flat array, laid out W1, b1, W2, b2, …
        (the order of :meth:`parameters`): an optimizer can then update every parameter with one NumPy call."""
        arrays = [a for pair in zip(weights, biases, strict=True) for a in pair]
        storage = np.concatenate([a.reshape(-1) for a in arrays]) if arrays else np.zeros(0)
        views, start = [], 0
        for a in arrays:
            views.append(storage[start : start + a.size].reshape(a.shape))
            start += a.size
        weight_tensors = [Tensor(w, requires_grad=True, name=f"W{i}") for i, w in enumerate(views[0::2], start=1)]
        bias_tensors = [Tensor(b, requires_grad=True, name=f"b{i}") for i, b in enumerate(views[1::2], start=1)]
        return cls(sizes=sizes, activations=activations, weights=weight_tensors, biases=bias_tensors)

    @property
    def depth(self) -> int:
        """Number of weight layers."""
        return len(self.weights)

    def parameters(self) -> list[Tensor]:
        return [p for pair in zip(self.weights, self.biases, strict=True) for p in pair]

    def parameter_count(self) -> int:
        return sum(p.data.size for p in self.parameters())

    def forward(self, x: ArrayLike | Tensor, input_requires_grad: bool = False) -> ForwardPass:
        """Run the network on a batch ``x`` [batch, in], recording the graph."""
        a = x if isinstance(x, Tensor) else Tensor(x, requires_grad=input_requires_grad)
        shape = a.data.shape
        if len(shape) != 2 or shape[1] != self.sizes[0]:
            raise ValueError(f"inputs must have shape [batch, {self.sizes[0]}], got {list(shape)}")
        if not a.name:
            a.name = "a0"
        activations: list[Tensor] = [a]
        pre_activations: list[Tensor | None] = [None]
        for layer, (w, b, act) in enumerate(zip(self.weights, self.biases, self.activations, strict=True), 1):
            z = linear(a, w, b)
            a = ACTIVATIONS[act](z)
            z.name, a.name = _layer_names(layer)
            pre_activations.append(z)
            activations.append(a)
        return ForwardPass(activations, pre_activations)

    def __call__(self, x: ArrayLike | Tensor) -> Tensor:
        return self.forward(x).output

    def predict(self, x: ArrayLike) -> np.ndarray:
        """Outputs for a batch without recording a graph (for heat maps and evaluation)."""
        return self.predict_layers(x)[-1]

    def predict_layers(self, x: ArrayLike) -> list[np.ndarray]:
        """Every layer's activation a⁽ˡ⁾ for a batch, without recording a graph."""
        a = as_array(x)
        outputs = [a]
        for w, b, act in zip(self.weights, self.biases, self.activations, strict=True):
            a, _ = ACTIVATION_OPS[act].forward(a @ w.data.T + b.data)
            outputs.append(a)
        return outputs

    def loss(self, prediction: Tensor, targets: ArrayLike, loss: str) -> Tensor:
        if loss not in LOSSES:
            raise ValueError(f"unknown loss {loss!r}; choose one of {', '.join(LOSSES)}")
        out = LOSSES[loss](prediction, targets)
        out.name = "L"
        return out

    def copy(self) -> MLP:
        return MLP._from_arrays(
            list(self.sizes), list(self.activations), [w.data for w in self.weights], [b.data for b in self.biases]
        )


def _checked(value: ArrayLike, shape: tuple[int, ...], what: str) -> np.ndarray:
    array = as_array(value)
    if array.shape != shape:
        raise ValueError(
            f"{what} must have shape {list(shape)} ([out][in] like torch.nn.Linear), got {list(array.shape)}"
        )
    return array.copy()
