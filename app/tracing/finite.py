"""The rule behind every ``diverged`` flag: a response holding a number that is not finite says so.

The serializer writes NaN and ±∞ as ``null``; ``diverged: true`` is what tells a client that those
nulls are numbers that overflowed (or left the function's domain), not "nothing here". So each
response's flag is computed from every number it sends, not from a few that usually overflow first.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np


def all_finite(*parts: float | Iterable[float] | np.ndarray | None) -> bool:
    """Whether every number in ``parts`` (numbers, arrays or flat sequences of numbers) is finite.

    ``None`` parts and ``None`` items stand for "nothing here" and are skipped.
    """
    for part in parts:
        if part is None:
            continue
        if isinstance(part, np.ndarray):
            if not np.isfinite(part).all():
                return False
        elif isinstance(part, int | float | np.number):
            if not math.isfinite(part):
                return False
        elif not np.isfinite(np.array([item for item in part if item is not None], dtype=np.float64)).all():
            return False
    return True
