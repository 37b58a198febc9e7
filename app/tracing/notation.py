"""How the lesson writes symbols and numbers: z₂⁽¹⁾, w₂₁⁽¹⁾, −0.1234.

Indices are 1-based in the notation (x₁, x₂ …), as teachers write them; ids in the data stay 0-based.
"""

from __future__ import annotations

import math
from functools import cache, lru_cache

_SUB = str.maketrans("0123456789,", "₀₁₂₃₄₅₆₇₈₉‚")
_SUP = str.maketrans("0123456789()", "⁰¹²³⁴⁵⁶⁷⁸⁹⁽⁾")


@cache
def sub(*indices: int) -> str:
    """Subscript for 0-based indices: sub(0, 2) → '₁₃' (commas once any index has two digits)."""
    parts = [str(i + 1) for i in indices]
    sep = "," if any(len(p) > 1 for p in parts) else ""
    return sep.join(parts).translate(_SUB)


@cache
def layer_sup(layer: int) -> str:
    return f"({layer})".translate(_SUP)


@lru_cache(maxsize=1 << 16)  # a pass writes the same weights and activations in several steps
def num(value: float) -> str:
    """A number as a teacher writes it: four significant digits, a real minus sign."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "∞" if value > 0 else "−∞"
    if value == 0:
        return "0"
    text = f"{value:.4g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}×10^{int(exponent)}"
    return text.replace("-", "−")


def paren(value: float) -> str:
    """A number wrapped in parentheses when negative, for products like 0.5 × (−0.3)."""
    text = num(value)
    return f"({text})" if text.startswith("−") else text


def neuron_symbol(layer: int, index: int, sizes: list[int]) -> str:
    """The activation's symbol: x₁ for inputs, ŷ₁ for outputs, a₁⁽ˡ⁾ in between."""
    return _neuron_symbol(layer, index, len(sizes) - 1, sizes[-1])


@cache
def _neuron_symbol(layer: int, index: int, output_layer: int, outputs: int) -> str:
    if layer == 0:
        return f"x{sub(index)}"
    if layer == output_layer:
        return "ŷ" if outputs == 1 else f"ŷ{sub(index)}"
    return f"a{sub(index)}{layer_sup(layer)}"


@cache
def target_symbol(index: int, outputs: int) -> str:
    return "y" if outputs == 1 else f"y{sub(index)}"


@cache
def z_symbol(layer: int, index: int) -> str:
    return f"z{sub(index)}{layer_sup(layer)}"


@cache
def delta_symbol(layer: int, index: int) -> str:
    return f"δ{sub(index)}{layer_sup(layer)}"


@cache
def weight_symbol(layer: int, to_index: int, from_index: int) -> str:
    return f"w{sub(to_index, from_index)}{layer_sup(layer)}"


@cache
def bias_symbol(layer: int, index: int) -> str:
    return f"b{sub(index)}{layer_sup(layer)}"


ACTIVATION_SYMBOLS = {
    "identity": "id",
    "tanh": "tanh",
    "sigmoid": "σ",
    "relu": "ReLU",
    "leaky_relu": "LeakyReLU",
}

ACTIVATION_DERIVATIVES = {
    "identity": "1",
    "tanh": "1 − tanh²(z)",
    "sigmoid": "σ(z)(1 − σ(z))",
    "relu": "1 if z > 0 else 0",
    "leaky_relu": "1 if z > 0 else 0.01",
}
