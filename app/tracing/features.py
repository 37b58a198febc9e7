"""How a trace names an input neuron that holds a feature (x₁², sin x₂, …) rather than a coordinate xₖ.

With features the trace's script (:mod:`app.tracing.contract`) names every input neuron by its feature in
labels, formulas and op graphs, and its input step narrates the features and the point they came from.
"""

from __future__ import annotations

import re

from app.nn.features import feature_symbol


def formula_symbol(canonical: str) -> str:
    """A feature's symbol as it stands as a factor: x₁² and sin x₁ can, a sum such as x1 + x2 gets parentheses."""
    symbol = feature_symbol(canonical)
    return symbol if symbol != canonical or re.fullmatch(r"\w+", canonical) else f"({canonical})"
