"""Weight initialization (lectures 000-004, topics 18-20).

Every initializer has the signature ``init(fan_in, fan_out, rng, *, dtype)``
and returns a weight matrix of shape ``(fan_in, fan_out)``. The variance
argument of the lectures: for ``s = sum_i w_i x_i`` with independent,
zero-mean ``w`` and ``x``,

    Var(s) = fan_in * Var(w) * Var(x),

so ``Var(w) = 1 / fan_in`` keeps the forward signal's variance; Glorot and
Bengio compromise between the forward and backward passes with
``Var(w) = 2 / (fan_in + fan_out)``, and He et al. double ``1 / fan_in`` for
ReLU, which zeroes half of its inputs: ``Var(w) = 2 / fan_in``.
A uniform U(-a, a) has variance a^2 / 3, which gives the uniform bounds below.
"""

from __future__ import annotations

import numpy as np

DType = type[np.floating] | np.dtype


def zeros(fan_in: int, fan_out: int, rng: np.random.Generator | None = None, *,
          dtype: DType = np.float64) -> np.ndarray:
    """w_ij = 0. Harmless for a linear model, a symmetry trap for an MLP."""
    return np.zeros((fan_in, fan_out), dtype=dtype)


def constant(fan_in: int, fan_out: int, rng: np.random.Generator | None = None, *,
             value: float = 0.1, dtype: DType = np.float64) -> np.ndarray:
    """w_ij = value: every hidden unit computes the same function and gets the same delta."""
    return np.full((fan_in, fan_out), value, dtype=dtype)


def normal(fan_in: int, fan_out: int, rng: np.random.Generator, *,
           std: float = 0.01, dtype: DType = np.float64) -> np.ndarray:
    """w_ij ~ N(0, std^2) (lecture 001: std = 1 saturates deep tanh nets, 0.01 shrinks them).

    The default std = 0.01 is the lecture's small one; ``torch.nn.init.normal_``'s is 1.
    """
    return (rng.standard_normal((fan_in, fan_out)) * std).astype(dtype, copy=False)


def _fan(fan: int, name: str) -> int:
    """``fan``, the n of a variance 1/n or 2/n, checked to be at least 1."""
    if fan < 1:
        raise ValueError(f"{name} must be >= 1 for a variance proportional to 1/{name}, "
                         f"got {fan}")
    return fan


def _uniform(bound: float, fan_in: int, fan_out: int, rng: np.random.Generator,
             dtype: DType) -> np.ndarray:
    return rng.uniform(-bound, bound, size=(fan_in, fan_out)).astype(dtype, copy=False)


def uniform_fan_in(fan_in: int, fan_out: int, rng: np.random.Generator, *,
                   dtype: DType = np.float64) -> np.ndarray:
    """w_ij ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)); Var(w) = 1 / (3 fan_in)."""
    return _uniform(1.0 / np.sqrt(_fan(fan_in, "fan_in")), fan_in, fan_out, rng, dtype)


def xavier_uniform(fan_in: int, fan_out: int, rng: np.random.Generator, *,
                   dtype: DType = np.float64) -> np.ndarray:
    """Glorot: w_ij ~ U(-a, a) with a = sqrt(6/(fan_in+fan_out)); Var(w) = 2/(fan_in+fan_out)."""
    bound = np.sqrt(6.0 / _fan(fan_in + fan_out, "fan_in + fan_out"))
    return _uniform(bound, fan_in, fan_out, rng, dtype)


def xavier_normal(fan_in: int, fan_out: int, rng: np.random.Generator, *,
                  dtype: DType = np.float64) -> np.ndarray:
    """Glorot: w_ij ~ N(0, 2/(fan_in+fan_out))."""
    std = np.sqrt(2.0 / _fan(fan_in + fan_out, "fan_in + fan_out"))
    return normal(fan_in, fan_out, rng, std=std, dtype=dtype)


def he_uniform(fan_in: int, fan_out: int, rng: np.random.Generator, *,
               dtype: DType = np.float64) -> np.ndarray:
    """He: w_ij ~ U(-sqrt(6/fan_in), +sqrt(6/fan_in)); Var(w) = 2/fan_in."""
    return _uniform(np.sqrt(6.0 / _fan(fan_in, "fan_in")), fan_in, fan_out, rng, dtype)


def he_normal(fan_in: int, fan_out: int, rng: np.random.Generator, *,
              dtype: DType = np.float64) -> np.ndarray:
    """He: w_ij ~ N(0, 2/fan_in)."""
    return normal(fan_in, fan_out, rng, std=np.sqrt(2.0 / _fan(fan_in, "fan_in")), dtype=dtype)
