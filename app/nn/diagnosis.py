"""Reading a training run's loss history: is it learning, oscillating, blowing up or stuck?

The history is the whole-training-set loss at each record point. Only its first value (where the run
started) and its last ``WINDOW`` values (where it is now) are read, so a check stays cheap at every
record point of a long run. With L₀ the first loss and ℓ₁ … ℓₘ the window:

    blowing up   a loss is not finite, or ℓₘ > 10 · L₀ while 70 % of the steps Δᵢ = ℓᵢ₊₁ − ℓᵢ go up
    saturated    (max ℓ − min ℓ) < 10⁻³ · mean ℓ and mean ℓ > L₀: stuck above where it started
                 (the neurons saturated, their gradients vanished)
    stalled      the same flat window at or just below L₀: the run is not getting anywhere
    oscillating  Δ changes sign in at least 40 % of the pairs, median |Δ| ≥ 20 % of the median loss,
                 and the median loss is still above L₀ / 2: the steps overshoot the valley
    healthy      none of these

A too large η causes the first three of the four; the suggestion is then η / 100 from η ≥ 1 and η / 10
below, rounded down to a value of the 1–3–10 ladder. A stall at the start suggests η · 10.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from statistics import median
from typing import Literal

DiagnosisCode = Literal["healthy", "oscillating", "blowing_up", "saturated", "stalled"]

WINDOW = 20
"""Record points examined: the most recent ones."""
MIN_RECORDS = 6
"""Fewer record points than this say nothing yet."""
FLAT_SPREAD = 1e-3
REVERSALS = 0.4
SWING = 0.2
BLOW_UP_FACTOR = 10.0
RISING = 0.7
LADDER = (1.0, 3.0)


@dataclass(frozen=True)
class Diagnosis:
    """What the loss history says, the numbers that say it, and an η to try (None: keep η)."""

    code: DiagnosisCode
    evidence: dict[str, float] = field(default_factory=dict)
    suggested_learning_rate: float | None = None


def ladder_below(value: float) -> float:
    """The largest of …, 0.01, 0.03, 0.1, 0.3, 1, 3, … that is at most ``value`` (value > 0)."""
    exponent = math.floor(math.log10(value))
    candidates = [m * 10.0**e for e in (exponent - 1, exponent) for m in LADDER]
    # round away the binary noise of 10**e so that 0.1 stays 0.1
    return max(float(f"{c:.6g}") for c in candidates if c <= value * (1 + 1e-9))


def smaller_learning_rate(learning_rate: float) -> float:
    """η / 100 from η ≥ 1, η / 10 below, on the 1–3–10 ladder."""
    return ladder_below(learning_rate / (100.0 if learning_rate >= 1 else 10.0))


def diagnose(losses: Sequence[float], learning_rate: float) -> Diagnosis | None:
    """Diagnose a run from its losses at the record points (the first, then the latest ``WINDOW``).

    None while there are fewer than ``MIN_RECORDS`` points: too early to tell.
    """
    if len(losses) < MIN_RECORDS:
        return None
    first = losses[0]
    window = list(losses[-WINDOW:])
    smaller = smaller_learning_rate(learning_rate) if learning_rate > 0 else None
    if not all(math.isfinite(v) for v in window) or not math.isfinite(first):
        finite = [v for v in window if math.isfinite(v)]
        evidence = {"first_loss": first, "last_finite_loss": finite[-1] if finite else math.nan, "non_finite": 1.0}
        return Diagnosis("blowing_up", evidence, smaller)
    steps = [b - a for a, b in pairwise(window)]
    level = median(window)
    evidence = {
        "records": float(len(window)),
        "first_loss": first,
        "last_loss": window[-1],
        "low": min(window),
        "high": max(window),
    }
    rising = sum(1 for d in steps if d > 0) / len(steps)
    if window[-1] > BLOW_UP_FACTOR * max(first, 1e-12) and rising >= RISING:
        return Diagnosis("blowing_up", {**evidence, "rising": rising}, smaller)
    mean = sum(window) / len(window)
    spread = (max(window) - min(window)) / max(abs(mean), 1e-12)
    if spread < FLAT_SPREAD and mean >= 0.9 * first:
        if mean > first * (1 + 10 * FLAT_SPREAD):
            return Diagnosis("saturated", {**evidence, "spread": spread}, smaller)
        return Diagnosis("stalled", {**evidence, "spread": spread}, ladder_below(learning_rate * 10))
    signs = [d > 0 for d in steps if d != 0]
    reversals = sum(1 for a, b in pairwise(signs) if a != b) / max(len(signs) - 1, 1)
    swing = median(abs(d) for d in steps) / max(level, 1e-12)
    if reversals >= REVERSALS and swing >= SWING and level > first / 2:
        return Diagnosis("oscillating", {**evidence, "reversals": reversals, "swing": swing}, smaller)
    return Diagnosis("healthy", evidence)
