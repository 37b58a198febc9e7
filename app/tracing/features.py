"""A network trace whose inputs are features: the input neurons are named by what they hold.

The trace writer names input neuron k as xₖ. With features (x₁², sin x₂, …) that name would read as a
coordinate of the point, so every xₖ in the trace's labels, formulas and op graphs is replaced by the
symbol of feature k, the input step's narration names the features and the point they were computed
from, and the trace says which feature each input neuron holds.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import orjson

from app.nn.features import FeatureMap, feature_symbol
from app.tracing.notation import num

_SUBSCRIPT_DIGITS = "₀₁₂₃₄₅₆₇₈₉"
INPUT_SYMBOL = re.compile(f"x([{_SUBSCRIPT_DIGITS}]+)")


def _index(subscript: str) -> int:
    return int(subscript.translate(str.maketrans(_SUBSCRIPT_DIGITS, "0123456789"))) - 1


def formula_symbol(canonical: str) -> str:
    """A feature's symbol as it stands as a factor: x₁² and sin x₁ can, a sum such as x1 + x2 gets parentheses."""
    symbol = feature_symbol(canonical)
    return symbol if symbol != canonical or re.fullmatch(r"\w+", canonical) else f"({canonical})"


def _relabel(value: Any, replace: Any) -> Any:
    if isinstance(value, str):
        return INPUT_SYMBOL.sub(replace, value)
    if isinstance(value, list):
        return [_relabel(item, replace) for item in value]
    if isinstance(value, dict):
        return {key: _relabel(item, replace) for key, item in value.items()}
    return value


def with_features(trace: bytes, features: FeatureMap, points: np.ndarray, sample: int) -> bytes:
    """The trace (JSON bytes) of a network fed ``features.transform(points)``, told in terms of the features."""
    data = orjson.loads(trace)
    symbols = [formula_symbol(text) for text in features.canonical]

    def replace(match: re.Match[str]) -> str:
        index = _index(match.group(1))
        return symbols[index] if 0 <= index < len(symbols) else match.group(0)

    data["steps"] = _relabel(data["steps"], replace)
    if data.get("neuron_graphs"):
        data["neuron_graphs"] = _relabel(data["neuron_graphs"], replace)
    data["layers"][0]["labels"] = list(features.symbols)
    x1, x2 = (float(v) for v in points[sample])
    for step in data["steps"]:
        if step["kind"] == "input":
            step["narration"] = {
                "key": "step.input_features",
                "params": {
                    "count": len(features),
                    "features": ", ".join(features.symbols),
                    "point": f"({num(x1)}, {num(x2)})",
                },
            }
    data["features"] = [
        {"expression": text, "symbol": symbol}
        for text, symbol in zip(features.canonical, features.symbols, strict=True)
    ]
    data["points"] = points.tolist()
    return orjson.dumps(data)
