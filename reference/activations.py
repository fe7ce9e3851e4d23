"""Activation functions and their derivatives (lectures 000, 001, 003, 004; topics 14-16).

A neuron applies an activation f to its inner potential s = <w, x> + b. Each
function here comes as a pair, in the notation of the lectures:

    forward     f(s)                       any shape -> the same shape
    backward    dL/ds = dout * f'(s)       ``f_backward(dout, s)``, dout = dL/df(s)

softmax is the one activation that is not elementwise: its backward is the
Jacobian-vector product over the class axis.

Conventions (see :mod:`reference`): float32 stays float32, float64 stays
float64, anything else (integers, lists) becomes float64; no input is modified.
Where a derivative has a kink (ReLU and its relatives at s = 0) the backward
pass uses the slope of the left piece, i.e. ``s > 0`` selects the right one:
relu'(0) = 0, as in PyTorch.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from reference import as_float

# -- sigmoid and tanh --------------------------------------------------------------------


def sigmoid(s: ArrayLike) -> np.ndarray:
    """Logistic sigmoid, sigma(s) = 1 / (1 + e^{-s}) = e^s / (e^s + 1), elementwise.

    Stable for any s as written: for very negative s (s < -709 in float64, -88
    in float32) e^{-s} overflows to inf, and 1 / (1 + inf) = 0 is then the
    correctly rounded sigma(s), so that overflow is expected and not reported.
    Nothing cancels, so every value, however close to 0 or 1, is accurate to
    a few ulps.

    Args:
        s: inner potential, any shape.

    Returns:
        y_hat = sigma(s) in [0, 1], the shape of ``s``.
    """
    s = as_float(s)
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-s))


def sigmoid_backward(dout: ArrayLike, s: ArrayLike) -> np.ndarray:
    """dL/ds = dout * sigma'(s), with sigma'(s) = sigma(s) (1 - sigma(s)) <= 1/4 (lecture 003).

    sigma' is even (sigma(-s) = 1 - sigma(s)), so the formula is applied at
    -|s|: there sigma <= 1/2, and 1 - sigma(-|s|) >= 1/2 does not cancel, as
    1 - sigma(s) would for large s (where sigma(s) rounds to 1).

    Args:
        dout: upstream gradient dL/dsigma(s), the shape of ``s``.
        s: the forward input, any shape.

    Returns:
        dL/ds, the shape of ``s``.
    """
    y_hat = sigmoid(-np.abs(as_float(s)))
    return as_float(dout) * (y_hat * (1.0 - y_hat))


def tanh(s: ArrayLike) -> np.ndarray:
    """Hyperbolic tangent, tanh(s) = (e^s - e^{-s}) / (e^s + e^{-s}) = 2 sigma(2s) - 1.

    A rescaled sigmoid with range (-1, 1), zero-centred. (Lecture 001 writes
    2 sigma(s) - 1; the argument must be doubled.)

    Args:
        s: inner potential, any shape.

    Returns:
        tanh(s), the shape of ``s``.
    """
    return np.tanh(as_float(s))


def tanh_backward(dout: ArrayLike, s: ArrayLike) -> np.ndarray:
    """dL/ds = dout * tanh'(s), with tanh'(s) = 1 - tanh(s)^2 <= 1.

    Args:
        dout: upstream gradient dL/dtanh(s), the shape of ``s``.
        s: the forward input, any shape.

    Returns:
        dL/ds, the shape of ``s``.
    """
    return as_float(dout) * (1.0 - np.tanh(as_float(s)) ** 2)


# -- the ReLU family ---------------------------------------------------------------------


def relu(s: ArrayLike) -> np.ndarray:
    """Rectified linear unit, f(s) = max(0, s).

    Args:
        s: inner potential, any shape.

    Returns:
        max(0, s), the shape of ``s``.
    """
    s = as_float(s)
    # The zeros as one row, not the scalar 0: the same values bit for bit (NaN and -0.0
    # included), but numpy's vectorized loop needs two contiguous operands, and a stride-0
    # scalar takes a loop 2-4x slower on (128, 256) float32.
    return np.maximum(s, np.zeros(s.shape[-1:], s.dtype))


def relu_backward(dout: ArrayLike, s: ArrayLike) -> np.ndarray:
    """dL/ds = dout * f'(s), with f'(s) = 1 for s > 0 and 0 for s <= 0.

    The derivative at the kink s = 0 is taken as 0 (a unit exactly at 0 passes
    no gradient). A unit whose s is negative for every input never learns
    again: a dead ReLU.

    Args:
        dout: upstream gradient dL/df(s), the shape of ``s``.
        s: the forward input, any shape.

    Returns:
        dL/ds, the shape of ``s``.
    """
    return as_float(dout) * (as_float(s) > 0)


def leaky_relu(s: ArrayLike, alpha: float = 0.01) -> np.ndarray:
    """Leaky ReLU, f(s) = s for s > 0 and alpha s otherwise (= max(alpha s, s) for alpha <= 1).

    The fixed slope alpha for s < 0 keeps a small gradient flowing, so the unit
    cannot die. The lectures use alpha = 0.01 and 0.1.

    Args:
        s: inner potential, any shape.
        alpha: slope for s <= 0, a fixed hyperparameter.

    Returns:
        f(s), the shape of ``s``.
    """
    s = as_float(s)
    return np.where(s > 0, s, float(alpha) * s)


def leaky_relu_backward(dout: ArrayLike, s: ArrayLike, alpha: float = 0.01) -> np.ndarray:
    """dL/ds = dout * f'(s), with f'(s) = 1 for s > 0 and alpha for s <= 0 (alpha at the kink).

    Args:
        dout: upstream gradient dL/df(s), the shape of ``s``.
        s: the forward input, any shape.
        alpha: slope for s <= 0.

    Returns:
        dL/ds, the shape of ``s``.
    """
    dout = as_float(dout)
    return np.where(as_float(s) > 0, dout, float(alpha) * dout)


def elu(s: ArrayLike, alpha: float = 1.0) -> np.ndarray:
    """Exponential linear unit, f(s) = s for s > 0 and alpha (e^s - 1) for s <= 0.

    The exponential is only taken of min(s, 0) (and as expm1, accurate near 0),
    so a large positive s cannot overflow.

    Args:
        s: inner potential, any shape.
        alpha: the value approached as s -> -infinity is -alpha.

    Returns:
        f(s), the shape of ``s``.
    """
    s = as_float(s)
    negative = np.expm1(np.minimum(s, 0))
    negative *= float(alpha)
    return np.where(s > 0, s, negative)


def elu_backward(dout: ArrayLike, s: ArrayLike, alpha: float = 1.0) -> np.ndarray:
    """dL/ds = dout * f'(s), with f'(s) = 1 for s > 0 and alpha e^s for s <= 0.

    For s <= 0, f'(s) = f(s) + alpha. At the kink s = 0 the left slope alpha is
    used (the two agree for the default alpha = 1).

    Args:
        dout: upstream gradient dL/df(s), the shape of ``s``.
        s: the forward input, any shape.
        alpha: as in :func:`elu`.

    Returns:
        dL/ds, the shape of ``s``.
    """
    s = as_float(s)
    local = np.exp(np.minimum(s, 0))
    local *= float(alpha)
    return as_float(dout) * np.where(s > 0, 1.0, local)


def prelu(s: ArrayLike, alpha: float | ArrayLike) -> np.ndarray:
    """Parametric ReLU (He et al. 2015), f(s) = s for s > 0 and alpha s otherwise.

    Leaky ReLU whose slope alpha is learned: one shared slope, or one per
    feature (``alpha`` of shape (D,) against ``s`` of shape (N, D)).

    Args:
        s: inner potential, any shape (..., D).
        alpha: the slope(s): a number, or an array broadcasting against ``s``,
            typically (D,). It is used in the dtype of ``s``.

    Returns:
        f(s), the shape of ``s``.
    """
    s = as_float(s)
    return np.where(s > 0, s, np.asarray(alpha, dtype=s.dtype) * s)


def prelu_backward(dout: ArrayLike, s: ArrayLike,
                   alpha: float | ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Gradients of :func:`prelu` with respect to s and to the slope(s) alpha.

        dL/ds     = dout * (1 for s > 0, alpha for s <= 0)
        dL/dalpha = sum of dout * min(s, 0) over every axis that alpha is broadcast along

    (df/dalpha = s where s <= 0 and 0 elsewhere.) For alpha of shape (D,) and s
    of shape (N, D) that is a sum over the batch; for a scalar alpha, over
    everything.

    Args:
        dout: upstream gradient dL/df(s), the shape of ``s``.
        s: the forward input, any shape (..., D).
        alpha: the slope(s) used in the forward pass.

    Returns:
        ``(ds, dalpha)``: ds the shape of ``s``; dalpha the shape of ``alpha``
        and its dtype (float64 for a Python number), a 0-d value for a scalar alpha.
    """
    s, dout = as_float(s), as_float(dout)
    alpha_dtype = as_float(alpha).dtype
    alpha_shape = np.shape(alpha)
    ds = np.where(s > 0, dout, np.asarray(alpha, dtype=s.dtype) * dout)
    per_element = dout * np.minimum(s, 0)
    # Undo the broadcasting: sum over the leading axes alpha lacks, then over its size-1 axes.
    leading = per_element.ndim - len(alpha_shape)
    dalpha = per_element.sum(axis=tuple(range(leading)))
    ones = tuple(axis for axis, n in enumerate(alpha_shape) if n == 1)
    if ones:
        dalpha = dalpha.sum(axis=ones, keepdims=True)
    return ds, dalpha.astype(alpha_dtype, copy=False)


# -- softmax -----------------------------------------------------------------------------


def softmax(s: ArrayLike, axis: int = -1) -> np.ndarray:
    """Softmax over the classes, sigma_k(s) = e^{s_k} / sum_c e^{s_c}, k = 1..K.

    Each slice along ``axis`` becomes a categorical distribution: entries in
    [0, 1] summing to 1, p(y = k | s) = sigma_k(s). Subtracting max_c s_c first
    leaves the result unchanged and keeps e^{s_k} from overflowing.

    Args:
        s: scores, e.g. (N, K) with one row per example.
        axis: the class axis.

    Returns:
        y_hat = softmax(s), the shape of ``s``.
    """
    s = as_float(s)
    y_hat = s - s.max(axis=axis, keepdims=True)
    np.exp(y_hat, out=y_hat)
    y_hat /= y_hat.sum(axis=axis, keepdims=True)
    return y_hat


def softmax_backward(dout: ArrayLike, s: ArrayLike, axis: int = -1) -> np.ndarray:
    """dL/ds for y_hat = softmax(s): the Jacobian-vector product along ``axis``.

    With d y_hat_c / d s_k = y_hat_c ([c = k] - y_hat_k), for each slice

        dL/ds_k = sum_c dout_c y_hat_c ([c = k] - y_hat_k)
                = y_hat_k (dout_k - sum_c dout_c y_hat_c),

    which never forms the K x K Jacobian.

    Args:
        dout: upstream gradient dL/dy_hat, the shape of ``s``.
        s: the forward input, e.g. (N, K).
        axis: the class axis.

    Returns:
        dL/ds, the shape of ``s``.
    """
    y_hat = softmax(s, axis=axis)
    dout = as_float(dout)
    return y_hat * (dout - (dout * y_hat).sum(axis=axis, keepdims=True))
