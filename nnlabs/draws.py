"""Inputs the checks draw, kept where every function checked is smooth."""

from __future__ import annotations

import numpy as np


def off_zero(rng: np.random.Generator, shape: int | tuple[int, ...], low: float = 0.1,
             high: float = 2.0) -> np.ndarray:
    """Values with ``low <= |x| <= high`` and random signs: central differences with a small
    step never straddle a kink at 0 (``|x|``, ReLU), and no value is near a pole."""
    return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(low, high, size=shape)
