"""Loss functions and their gradients (lecture 001; topics 4, 12, 13).

Lecture 001's summary table pairs each output layer with a loss:

    problem                      output           loss L, averaged over the m examples
    regression                   linear neuron    MSE    1/m sum_i (y_i - y_hat_i)^2
    multi-output regression      linear layer     MSE    1/m sum_i sum_c (y_ic - y_hat_ic)^2
    binary classification        sigmoid neuron   CE    -1/m sum_i [y_i log y_hat_i
                                                                    + (1 - y_i) log(1 - y_hat_i)]
    multinomial classification   softmax          CE    -1/m sum_i sum_c y_ic log y_hat_ic

Every function returns ``(loss, grad)``: the loss as a Python float and its
gradient with respect to the first argument, in that argument's shape and
float dtype (float32 stays float32; targets are cast to it). The batch size
m is the first dimension. The cross-entropies come twice: from probabilities
y_hat, as taught, and fused with the output activation, from the scores s,
which is what training should use: log-sum-exp keeps it finite for any s,
and the gradient simplifies to y_hat - y.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from reference import as_float, num_examples
from reference.activations import sigmoid

LOG_FLOOR = -100.0
"""Floor for each log in the losses computed from probabilities, as in PyTorch's
``binary_cross_entropy``: y_hat = 0 or 1 costs at most 100 per example instead
of inf. Only probabilities below e^-100 (about 4e-44) are affected."""

EPS = 1e-12
"""Floor for the denominators of the gradients of the losses computed from
probabilities: y_hat = 0 or 1 gives a large finite gradient instead of inf or
nan. PyTorch's ``binary_cross_entropy`` backward floors y_hat (1 - y_hat) at
1e-12 too, rounded to float32 (4e-9 lower, even for float64 tensors)."""


def _batch(y_hat: ArrayLike) -> tuple[np.ndarray, int]:
    """The prediction as a float array, and the batch size m (its first dimension)."""
    y_hat = as_float(y_hat)
    return y_hat, num_examples(y_hat)


def _probabilities(p: np.ndarray) -> np.ndarray:
    """``p``, checked to lie in [0, 1] (as PyTorch's ``binary_cross_entropy`` checks)."""
    if np.any(p < 0) or np.any(p > 1):
        raise ValueError(f"probabilities must lie in [0, 1], got values in [{np.min(p)}, "
                         f"{np.max(p)}] (scores go to the losses computed from scores)")
    return p


def _log(x: np.ndarray, log1p: bool = False) -> np.ndarray:
    """log x (log(1 + x) with ``log1p``) floored at ``LOG_FLOOR``: log 0 = -inf becomes -100,
    without a warning."""
    with np.errstate(divide="ignore"):
        return np.maximum(np.log1p(x) if log1p else np.log(x), LOG_FLOOR)


def _targets_like(y: ArrayLike, y_hat: np.ndarray) -> np.ndarray:
    """``y`` in the shape and dtype of ``y_hat``; targets (N,) also fit a prediction (N, 1)."""
    y = np.asarray(y, dtype=y_hat.dtype)
    if y.shape != y_hat.shape:
        if y_hat.shape[1:] == (1,) and y.shape == y_hat.shape[:1]:
            return y.reshape(y_hat.shape)
        raise ValueError(f"targets of shape {y.shape} do not fit predictions of shape "
                         f"{y_hat.shape}")
    return y


def _class_targets(y: ArrayLike, s: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
    """``(labels, None)`` for integer labels (N,) or ``(None, Y)`` for targets (N, K).

    Labels must lie in {0, ..., K - 1}; targets are cast to the dtype of ``s``.
    """
    if s.ndim != 2:
        raise ValueError(f"scores or probabilities must have shape (N, K), got {s.shape}")
    y = np.asarray(y)
    n, k = s.shape
    if y.ndim == 1 and y.dtype.kind in "iu":
        if y.shape[0] != n:
            raise ValueError(f"{y.shape[0]} labels for {n} examples")
        if n and (y.min() < 0 or y.max() >= k):
            raise ValueError(f"labels must lie in 0..{k - 1}, got {y.min()}..{y.max()}")
        return y, None
    if y.shape == s.shape:
        return None, y.astype(s.dtype, copy=False)
    raise ValueError(f"y must be integer labels ({n},) or targets {s.shape}, "
                     f"got {y.dtype} {y.shape}")


# -- regression --------------------------------------------------------------------------


def mse(y_hat: ArrayLike, y: ArrayLike) -> tuple[float, np.ndarray]:
    """Mean squared error, summed over the outputs and averaged over the batch.

        L       = 1/m sum_i sum_c (y_ic - y_hat_ic)^2     (1/m sum_i (y_i - y_hat_i)^2 for 1-D)
        dL/dy_hat = -2/m (y - y_hat)

    For K > 1 outputs this is K times PyTorch's ``mse_loss``, which averages
    over all m K entries; the two agree for one output.

    Args:
        y_hat: predictions, (m,) or (m, K).
        y: targets, the shape of ``y_hat`` ((m,) also fits y_hat (m, 1)).

    Returns:
        ``(L, dL/dy_hat)``.
    """
    y_hat, m = _batch(y_hat)
    residual = y_hat - _targets_like(y, y_hat)         # y_hat - y
    loss = float(np.vdot(residual, residual)) / m
    residual *= 2.0 / m
    return loss, residual


# -- binary classification ---------------------------------------------------------------


def binary_cross_entropy(y_hat: ArrayLike, y: ArrayLike) -> tuple[float, np.ndarray]:
    """Cross-entropy of a sigmoid neuron's output y_hat in (0, 1) with targets y in {0, 1}.

    The negative log likelihood of Bernoulli targets, averaged over the batch:

        L         = -1/m sum_i [y_i log y_hat_i + (1 - y_i) log(1 - y_hat_i)]
        dL/dy_hat = 1/m (y_hat - y) / (y_hat (1 - y_hat))

    As in PyTorch's ``binary_cross_entropy``, each log is floored at
    ``LOG_FLOOR`` = -100, log(1 - y_hat) is computed as log1p(-y_hat), and the
    gradient's denominator y_hat (1 - y_hat) is floored at ``EPS`` = 1e-12;
    y_hat itself is not clipped. Prefer :func:`binary_cross_entropy_with_logits`
    when the scores s are at hand.

    Args:
        y_hat: probabilities, (m,) or (m, 1).
        y: targets in {0, 1} (probabilities in [0, 1] also work), the shape of
            ``y_hat`` ((m,) also fits y_hat (m, 1)).

    Returns:
        ``(L, dL/dy_hat)``.
    """
    y_hat, m = _batch(y_hat)
    y_hat = _probabilities(y_hat)
    y = _targets_like(y, y_hat)
    log_likelihood = y * _log(y_hat)
    log_likelihood += (1.0 - y) * _log(-y_hat, log1p=True)          # log(1 - y_hat)
    loss = -float(np.sum(log_likelihood)) / m
    one_minus = 1.0 - y_hat
    one_minus *= y_hat
    grad = (y_hat - y) / np.maximum(one_minus, EPS)
    grad /= m
    return loss, grad


def binary_cross_entropy_with_logits(s: ArrayLike, y: ArrayLike) -> tuple[float, np.ndarray]:
    """Binary cross-entropy of y_hat = sigma(s), computed from the inner potential s.

    Since log sigma(s) = -log(1 + e^{-s}) and log(1 - sigma(s)) = -log(1 + e^s),

        L     = 1/m sum_i [log(1 + e^{s_i}) - y_i s_i]
        dL/ds = 1/m (sigma(s) - y) = 1/m (y_hat - y)

    with log(1 + e^s) = logaddexp(0, s), finite for any s.

    Args:
        s: scores (inner potentials), (m,) or (m, 1).
        y: targets in {0, 1} (probabilities in [0, 1] also work), the shape of
            ``s`` ((m,) also fits s (m, 1)).

    Returns:
        ``(L, dL/ds)``.
    """
    s, m = _batch(s)
    y = _targets_like(y, s)
    loss = float(np.sum(np.logaddexp(0.0, s) - y * s)) / m
    grad = sigmoid(s)
    grad -= y
    grad /= m
    return loss, grad


# -- multinomial classification ----------------------------------------------------------


def softmax_cross_entropy(s: ArrayLike, y: ArrayLike) -> tuple[float, np.ndarray]:
    """Multinomial cross-entropy of y_hat = softmax(s), computed from the scores s.

    With Y the one-hot targets (y_ic = [y_i = c]) and log-sum-exp
    lse(s_i) = log sum_c e^{s_ic} = max_c s_ic + log sum_c e^{s_ic - max_c s_ic}:

        L     = -1/m sum_i sum_c y_ic log softmax(s_i)_c = 1/m sum_i [lse(s_i) - s_{i, y_i}]
        dL/ds = 1/m (softmax(s) - Y) = 1/m (y_hat - Y)

    Finite for any finite s. For targets Y whose rows do not sum to 1 the
    exact gradient is 1/m (softmax(s) sum_c y_ic - Y), which is what is returned.

    Args:
        s: scores, (m, K).
        y: integer labels in {0, ..., K - 1}, (m,); or float targets (one-hot
            or probabilities), (m, K).

    Returns:
        ``(L, dL/ds)``.
    """
    s, m = _batch(s)
    labels, Y = _class_targets(y, s)
    rows = np.arange(m)
    # max_c s_ic picked by argmax: the same values (NaN included), a third of the time of
    # s.max(axis=1) on rows as short as K classes.
    shifted = s - s[rows, s.argmax(axis=1)][:, None]
    grad = np.exp(shifted)                                     # becomes softmax(s)
    total = grad.sum(axis=1, keepdims=True)
    log_total = np.log(total)                                  # lse(s_i) - max_c s_ic
    grad /= total
    if labels is not None:
        loss = float(np.sum(log_total) - np.sum(shifted[rows, labels])) / m
        grad[rows, labels] -= 1.0
    else:
        shifted -= log_total                                   # log softmax(s)
        loss = -float(np.vdot(Y, shifted)) / m
        grad *= Y.sum(axis=1, keepdims=True)
        grad -= Y
    grad /= m
    return loss, grad


def cross_entropy(p: ArrayLike, y: ArrayLike) -> tuple[float, np.ndarray]:
    """Multinomial cross-entropy of class probabilities p (a softmax layer's output).

        L     = -1/m sum_i sum_c y_ic log p_ic = -1/m sum_i log p_{i, y_i}
        dL/dp = -1/m Y / p

    Chained with :func:`reference.activations.softmax_backward` this gives the
    gradient of :func:`softmax_cross_entropy`, which training uses instead: it
    is cheaper and finite for any scores. As in :func:`binary_cross_entropy`,
    the log is floored at ``LOG_FLOOR`` = -100 and the gradient's denominator p
    at ``EPS`` = 1e-12. (PyTorch has no such loss: ``nll_loss(log(p), y)`` is
    inf where p_{i, y_i} = 0.)

    Args:
        p: probabilities, (m, K), rows summing to 1.
        y: integer labels in {0, ..., K - 1}, (m,); or float targets (one-hot
            or probabilities), (m, K).

    Returns:
        ``(L, dL/dp)``, the gradient zero wherever y_ic = 0.
    """
    p, m = _batch(p)
    p = _probabilities(p)
    labels, Y = _class_targets(y, p)
    if labels is not None:
        rows = np.arange(m)
        p_true = p[rows, labels]                                # p_{i, y_i}
        loss = -float(np.sum(_log(p_true))) / m
        grad = np.zeros_like(p)
        grad[rows, labels] = -1.0 / m / np.maximum(p_true, EPS)
    else:
        loss = -float(np.vdot(Y, _log(p))) / m
        grad = Y / np.maximum(p, EPS)
        grad /= -m
    return loss, grad
