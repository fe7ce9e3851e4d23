"""Numerical gradient checking by central differences (lecture topic 10).

For a scalar function ``L(x)`` the central difference

    dL/dx_i ~ (L(x + h e_i) - L(x - h e_i)) / (2h)

has error O(h^2). For an array-valued ``f`` we check the vector-Jacobian
product against a random upstream gradient ``g`` by differentiating the
scalar ``L(x) = sum(g * f(x))``: an upstream gradient of ones would hide bugs
that cancel in a plain sum.

Two gradients ``a`` and ``b`` are compared by the relative error

    |a - b| / max(|a| + |b|, guard)

taken elementwise and maximised; the ``guard`` keeps the ratio meaningful
where both are (close to) zero.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def numerical_gradient(
    f: Callable[[np.ndarray], np.ndarray | float],
    x: np.ndarray,
    upstream: np.ndarray | None = None,
    h: float = 1e-6,
) -> np.ndarray:
    """Central-difference gradient of ``sum(upstream * f(x))`` with respect to ``x``.

    Args:
        f: function of one array; its output may be a scalar or an array.
        x: the point, shape (any); it is copied, never modified.
        upstream: dL/df, same shape as ``f(x)``; None means ``f`` is scalar.
        h: the step; 1e-6 suits float64 inputs of order one.

    Returns:
        An array of ``x``'s shape, in float64.
    """
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    flat_x, flat_grad = x.reshape(-1), grad.reshape(-1)
    for i in range(flat_x.size):
        original = flat_x[i]
        flat_x[i] = original + h
        plus = f(x)
        flat_x[i] = original - h
        minus = f(x)
        flat_x[i] = original
        diff = np.asarray(plus, dtype=np.float64) - np.asarray(minus, dtype=np.float64)
        if upstream is not None:
            diff = diff * upstream
        flat_grad[i] = np.sum(diff) / (2 * h)
    return grad


def relative_error(a: np.ndarray, b: np.ndarray, guard: float = 1e-8) -> float:
    """Largest elementwise ``|a - b| / max(|a| + |b|, guard)``; 0.0 for empty arrays."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"shapes differ: {a.shape} vs {b.shape}")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), guard)))
