"""Pure-function forms of stateful reference code (lectures 003 and 004; topics 26-30).

Weight penalties over parameter objects, the batch-normalization layer's
running state, dropout's random generator and early stopping's callbacks: the
functions here give the same computations with plain data in and out (arrays,
numbers, a seed, a dict of named arrays), so that they can be compared with,
and recorded for, code that must exchange only plain data. Each is a thin
wrapper around the reference's own functions; nothing is recomputed here. No
input is modified. (The optimizers' update rules are pure functions already:
:mod:`reference.optim`.)

Naming: a parameter whose name starts with ``W`` is a weight (penalized,
decayed); any other name (``b``, ``gamma``, ``beta``...) is not.
"""

from __future__ import annotations

import numpy as np

from reference import as_float, layers, regularization
from reference.parameter import Parameter


def is_weight(name: str) -> bool:
    """True for a weight (a name starting with ``W``), False for a bias or any other name."""
    return name.startswith("W")


def regularization_penalty(params: dict[str, np.ndarray], l1: float, l2: float
                           ) -> tuple[float, dict[str, np.ndarray]]:
    """Elastic-net penalty l1 ||W||_1 + (l2 / 2) ||W||_2^2 summed over the weights only.

    Returns ``(value, grads)``: ``grads`` has the keys of ``params``, the
    penalty's gradient for weights and zeros (of the parameter's shape and
    dtype) for every other parameter. See :func:`reference.regularization.add_penalty`.
    """
    holders = [Parameter(np.array(v, copy=True), regularize=is_weight(k), name=k)
               for k, v in params.items()]
    value = regularization.add_penalty(holders, regularization.elastic_net_penalty, l1=l1, l2=l2)
    return float(value), {p.name: p.grad for p in holders}


def dropout_forward(X: np.ndarray, keep_prob: float, seed: int, train: bool
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Inverted dropout with its mask drawn from ``default_rng(seed)`` in training;
    in evaluation the identity, with a mask of ones. Returns ``(out, mask)``."""
    X = as_float(X)
    if not train:
        return np.array(X, copy=True), np.ones_like(X)
    return layers.dropout_forward(X, keep_prob, np.random.default_rng(seed))


def batchnorm_forward(X: np.ndarray, gamma: np.ndarray, beta: np.ndarray,
                      running_mean: np.ndarray, running_var: np.ndarray,
                      momentum: float, eps: float, train: bool
                      ) -> tuple[np.ndarray, tuple, np.ndarray, np.ndarray]:
    """One forward pass of :class:`reference.layers.BatchNorm1d` from the given state.

    Training: :func:`reference.layers.batchnorm_forward` and
    :func:`reference.layers.batchnorm_running_averages`; evaluation:
    :func:`reference.layers.batchnorm_eval_forward`. Everything is computed in
    ``X``'s float dtype.

    Returns ``(out, cache, running_mean, running_var)``: the running averages
    after the pass (updated in training, unchanged copies in evaluation) and the
    cache as a plain tuple for :func:`batchnorm_backward`.
    """
    X = as_float(X)
    gamma, beta, running_mean, running_var = (np.array(a, dtype=X.dtype)
                                              for a in (gamma, beta, running_mean, running_var))
    if train:
        out, cache = layers.batchnorm_forward(X, gamma, beta, eps)
        running_mean, running_var = layers.batchnorm_running_averages(running_mean, running_var,
                                                                      cache, momentum)
    else:
        out, cache = layers.batchnorm_eval_forward(X, gamma, beta, running_mean, running_var, eps)
    return out, tuple(cache), running_mean, running_var


def batchnorm_backward(dout: np.ndarray, cache: tuple) -> tuple[np.ndarray, np.ndarray,
                                                                np.ndarray]:
    """Training-mode ``(dX, dgamma, dbeta)``, :func:`reference.layers.batchnorm_backward`."""
    return layers.batchnorm_backward(dout, layers.BatchNormCache(*cache))


def add_gaussian_noise(X: np.ndarray, sigma: float, seed: int) -> np.ndarray:
    """Dataset augmentation by input noise (lecture 004): X + sigma eps, eps ~ N(0, 1)
    drawn from ``default_rng(seed)``, in ``X``'s float dtype."""
    X = as_float(X)
    noise = np.random.default_rng(seed).standard_normal(X.shape)
    return (X + sigma * noise).astype(X.dtype, copy=False)


def early_stopping_on_curve(curve: np.ndarray, theta0: float, n: int, p: int
                            ) -> tuple[np.ndarray, float, int]:
    """:func:`reference.regularization.early_stopping` on a scripted validation curve.

    theta is a counter of updates, ``np.array([theta0])``; ``update(theta, n)``
    adds n, and ``validation_error(theta)`` is ``curve[int(theta[0])]``.
    Returns ``(theta_star, best_error, updates)``, ``updates`` being the number
    of training updates performed before stopping.
    """
    curve = np.asarray(curve, dtype=np.float64)
    performed = [0]

    def update(theta: np.ndarray, k: int) -> np.ndarray:
        performed[0] += k
        return theta + k

    def validation_error(theta: np.ndarray) -> float:
        return float(curve[int(round(theta[0]))])

    theta_star, best = regularization.early_stopping(np.array([float(theta0)]), update,
                                                      validation_error, n, p)
    return theta_star, float(best), performed[0]
