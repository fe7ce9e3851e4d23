"""The sigmoid and the softmax in float64, plainly written: the answer keys build the values of
wrong variants from these (and train with them), not from the reference the oracle grades
with, so a variant's value does not depend on how the reference computes stably."""

from __future__ import annotations

import numpy as np


def sigmoid64(s: np.ndarray) -> np.ndarray:
    """sigma(s) = 1 / (1 + e^{-s}) = (1 + tanh(s / 2)) / 2, in float64 (no overflow)."""
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(s, dtype=np.float64)))


def softmax64(s: np.ndarray, axis: int | None = -1) -> np.ndarray:
    """softmax along ``axis`` (None: over every entry), each max subtracted first."""
    e = np.exp(s - np.max(s, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)
