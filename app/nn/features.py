"""Input features, as in the TensorFlow Playground: the network sees functions of the point, not the point.

A point (x₁, x₂) is mapped to the vector φ(x) = (f₁(x₁, x₂), …, fₖ(x₁, x₂)) before the first layer, each
fᵢ written in the engine's expression syntax (``"x1^2"``, ``"sin(x2)"``, ``"x1*x2"``). The map is applied
to the data, never learned, so for a network N the model is ŷ = N(φ(x)) and the gradients of the loss
with respect to the weights are those of N on the transformed inputs φ(x).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from app.engine.expression import Expression, parse

VARIABLES = ("x1", "x2")
PLAYGROUND = ("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)")
"""The Playground's seven features, in its order."""

_SYMBOLS = {
    "x1": "x₁",
    "x2": "x₂",
    "x1^2": "x₁²",
    "x2^2": "x₂²",
    "x1 * x2": "x₁x₂",
    "sin(x1)": "sin x₁",
    "sin(x2)": "sin x₂",
}  # by canonical text; any other feature is shown as its canonical text


def feature_symbol(canonical: str) -> str:
    """How a diagram or a formula names a feature given by its canonical text: x₁², sin x₁, or the text."""
    return _SYMBOLS.get(canonical, canonical)


@dataclass(frozen=True)
class FeatureMap:
    """The parsed features, in order: ``transform`` maps points [n, 2] to features [n, k]."""

    expressions: tuple[Expression, ...]

    @classmethod
    def parse(cls, texts: Sequence[str], max_length: int = 500, max_depth: int = 40) -> FeatureMap:
        """Parse each text over the variables x1 and x2; an :class:`ExpressionError` names the first bad one."""
        return cls(tuple(parse(text, max_length, max_depth, VARIABLES) for text in texts))

    def __len__(self) -> int:
        return len(self.expressions)

    @property
    def canonical(self) -> list[str]:
        return [e.to_string() for e in self.expressions]

    @property
    def symbols(self) -> list[str]:
        """How a diagram or a formula names each feature: x₁², sin x₁, or the canonical text."""
        return [feature_symbol(text) for text in self.canonical]

    def transform(self, points: np.ndarray) -> np.ndarray:
        """φ applied to every row: [n, 2] → [n, k]. A feature without variables is constant over the rows."""
        points = np.asarray(points, dtype=np.float64)
        if points.ndim != 2 or points.shape[1] != len(VARIABLES):
            raise ValueError(f"features read points with {len(VARIABLES)} coordinates, got shape {points.shape}")
        values = {name: points[:, i] for i, name in enumerate(VARIABLES)}
        columns = []
        with np.errstate(all="ignore"):
            for expression in self.expressions:
                output, _ = expression.evaluate(values, requires_grad=False)
                columns.append(np.broadcast_to(output.data, (len(points),)))
        return np.column_stack(columns) if columns else np.empty((len(points), 0))
