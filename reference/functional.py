"""Pure-function forms of stateful reference code (lectures 003 and 004; topics 26-30).

The optimizers, the batch-normalization layer and early stopping of the
reference are objects that keep state or take callbacks and random
generators. The functions here give the same computations with plain data
in and out (arrays, numbers, a seed, a dict of named arrays), so that they
can be compared with, and recorded for, code that must exchange only plain
data. Each is a thin wrapper around the stateful original; nothing is
recomputed here. No input is modified.

Naming: a parameter whose name starts with ``W`` is a weight (penalized,
decayed); any other name (``b``, ``gamma``, ``beta``...) is not.
"""

from __future__ import annotations

import numpy as np

from reference import as_float, layers, optim, regularization
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


def sgd_weight_decay_step(theta: np.ndarray, g: np.ndarray, lr: float,
                          weight_decay: float) -> np.ndarray:
    """One step of :class:`reference.optim.SGD` with weight decay: (1 - lr kappa) theta - lr g."""
    p = Parameter(np.array(theta, copy=True))
    p.grad = np.asarray(g, dtype=p.value.dtype)
    optim.SGD([p], lr=lr, weight_decay=weight_decay).step()
    return p.value


def _adam_step(cls: type[optim.Adam], theta: np.ndarray, g: np.ndarray, m: np.ndarray,
               v: np.ndarray, t: int, lr: float, beta1: float, beta2: float, eps: float,
               weight_decay: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    p = Parameter(np.array(theta, copy=True))
    p.grad = np.asarray(g, dtype=p.value.dtype)
    opt = cls([p], lr=lr, beta1=beta1, beta2=beta2, eps=eps, weight_decay=weight_decay)
    opt.m[0][...], opt.v[0][...], opt.t = m, v, int(t)
    opt.step()
    return p.value, opt.m[0], opt.v[0], opt.t


def adam_l2_step(theta, g, m, v, t, lr, beta1, beta2, eps, weight_decay):
    """One step of :class:`reference.optim.Adam` with the L2 penalty in the gradient.

    ``t`` counts the steps taken before this one; returns ``(theta, m, v, t + 1)``.
    """
    return _adam_step(optim.Adam, theta, g, m, v, t, lr, beta1, beta2, eps, weight_decay)


def adamw_step(theta, g, m, v, t, lr, beta1, beta2, eps, weight_decay):
    """One step of :class:`reference.optim.AdamW`: decay theta by (1 - lr kappa) first,
    then Adam's step on the raw gradient. Returns ``(theta, m, v, t + 1)``."""
    return _adam_step(optim.AdamW, theta, g, m, v, t, lr, beta1, beta2, eps, weight_decay)


def dropout_forward(X: np.ndarray, keep_prob: float, seed: int, train: bool
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Inverted dropout with its mask drawn from ``default_rng(seed)`` in training;
    in evaluation the identity, with a mask of ones. Returns ``(out, mask)``."""
    X = as_float(X)
    if not train:
        return np.array(X, copy=True), np.ones_like(X)
    return layers.dropout_forward(X, keep_prob, np.random.default_rng(seed))


def dropout_backward(dout: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """dX = dout (*) mask, :func:`reference.layers.dropout_backward`."""
    return layers.dropout_backward(dout, mask)


def batchnorm_forward(X: np.ndarray, gamma: np.ndarray, beta: np.ndarray,
                      running_mean: np.ndarray, running_var: np.ndarray,
                      momentum: float, eps: float, train: bool
                      ) -> tuple[np.ndarray, tuple, np.ndarray, np.ndarray]:
    """One forward pass of :class:`reference.layers.BatchNorm1d` from the given state.

    Returns ``(out, cache, running_mean, running_var)``: the running averages
    after the pass (updated in training, unchanged in evaluation) and the
    cache as a plain tuple for :func:`batchnorm_backward`.
    """
    X = as_float(X)
    layer = layers.BatchNorm1d(X.shape[1], momentum=momentum, eps=eps, dtype=X.dtype)
    layer.gamma.value[...] = gamma
    layer.beta.value[...] = beta
    layer.running_mean[...] = running_mean
    layer.running_var[...] = running_var
    layer.training = bool(train)
    out = layer.forward(X)
    cache = layer._saved()[0]
    return out, tuple(cache), layer.running_mean, layer.running_var


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
