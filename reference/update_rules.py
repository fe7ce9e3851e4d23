"""Optimizers as pure update functions on arrays: the oracle of lab 06 (topics 21-24).

The classes of :mod:`reference.optim` update :class:`~reference.parameter.Parameter`
objects in place. A grader compares arrays, so this module drives those very
classes: one step as a pure function (``momentum_step(theta, g, v, lr, mu) ->
(theta, v)``: the state goes in and comes out, no argument is modified), or a
whole sequence of gradients (:func:`optimizer_trajectory`), returning the
parameter and the optimizer's state after every step. Nothing here
re-implements an update rule.

    theta0      the starting parameter, any shape (float32 stays float32)
    grads       k gradients, shape (k, *theta0.shape): step i uses grads[i]

Lecture 001's mini-batch learning is here too, as one epoch of gradient descent
on a linear least-squares model, built on :func:`reference.losses.mse`.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from reference import as_float, optim
from reference.data import check_batch_size
from reference.losses import mse
from reference.parameter import Parameter

# name -> (optimizer class, the state it keeps per parameter, in the order lab 06 returns it)
OPTIMIZERS = {
    "sgd": (optim.SGD, ()),
    "momentum": (optim.Momentum, ("v",)),
    "adagrad": (optim.AdaGrad, ("G",)),
    "rmsprop": (optim.RMSProp, ("G",)),
    "adam": (optim.Adam, ("m", "v")),
}


def _one_step(name: str, theta: np.ndarray, g: np.ndarray, state: dict,
              **hyper: float) -> dict[str, np.ndarray]:
    run = optimizer_trajectory(name, theta, np.asarray(g)[None], state, **hyper)
    return {key: value[0] for key, value in run.items()}


def sgd_step(theta: np.ndarray, g: np.ndarray, lr: float) -> np.ndarray:
    """theta - alpha g (lecture 001), as :class:`reference.optim.SGD` steps."""
    return _one_step("sgd", theta, g, {}, lr=lr)["theta"]


def momentum_step(theta: np.ndarray, g: np.ndarray, v: np.ndarray, lr: float,
                  mu: float) -> tuple[np.ndarray, np.ndarray]:
    """v <- mu v - alpha g, theta <- theta + v (lecture 001): ``(theta, v)``."""
    out = _one_step("momentum", theta, g, {"v": v}, lr=lr, mu=mu)
    return out["theta"], out["v"]


def nesterov_step(theta: np.ndarray, v: np.ndarray, grad_fn: Callable[[np.ndarray], np.ndarray],
                  lr: float, mu: float) -> tuple[np.ndarray, np.ndarray]:
    """v <- mu v - alpha grad_fn(theta + mu v), theta <- theta + v (lecture 004).

    :class:`reference.optim.Nesterov` holds the look-ahead point phi = theta + mu v
    and is given its gradient; theta = phi - mu v comes back out.
    """
    p = Parameter(as_float(theta) + mu * as_float(v))
    opt = optim.Nesterov([p], lr=lr, mu=mu)
    opt.v[0][...] = v
    p.grad[...] = grad_fn(p.value.copy())
    opt.step()
    v_new = opt.v[0]
    return p.value - mu * v_new, v_new.copy()


def adagrad_step(theta: np.ndarray, g: np.ndarray, G: np.ndarray, lr: float,
                 eps: float = 1e-8) -> tuple[np.ndarray, np.ndarray]:
    """G <- G + g^2, theta <- theta - alpha g / (sqrt(G) + eps): ``(theta, G)``."""
    out = _one_step("adagrad", theta, g, {"G": G}, lr=lr, eps=eps)
    return out["theta"], out["G"]


def rmsprop_step(theta: np.ndarray, g: np.ndarray, G: np.ndarray, lr: float = 0.001,
                 gamma: float = 0.9, eps: float = 1e-8) -> tuple[np.ndarray, np.ndarray]:
    """G <- gamma G + (1 - gamma) g^2, theta <- theta - alpha g / (sqrt(G) + eps)."""
    out = _one_step("rmsprop", theta, g, {"G": G}, lr=lr, gamma=gamma, eps=eps)
    return out["theta"], out["G"]


def adam_step(theta: np.ndarray, g: np.ndarray, m: np.ndarray, v: np.ndarray, t: int,
              lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999,
              eps: float = 1e-8) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """One Adam step from step count t: ``(theta, m, v, t + 1)``, t incremented first."""
    out = _one_step("adam", theta, g, {"m": m, "v": v, "t": t}, lr=lr, beta1=beta1,
                    beta2=beta2, eps=eps)
    return out["theta"], out["m"], out["v"], int(out["t"])


def optimizer_trajectory(name: str, theta0: np.ndarray, grads: np.ndarray,
                         state: dict | None = None, **hyper: float) -> dict[str, np.ndarray]:
    """``reference.optim``'s ``name`` optimizer driven over ``grads`` from ``theta0``.

    Args:
        name: ``"sgd"``, ``"momentum"``, ``"adagrad"``, ``"rmsprop"`` or ``"adam"``.
        theta0: the starting parameter (not modified).
        grads: the gradients, shape ``(k, *theta0.shape)``.
        state: optional starting state (``{"v": ...}``, ``{"G": ...}``,
            ``{"m": ..., "v": ..., "t": ...}``); zeros (and t = 0) by default.
        **hyper: the optimizer's hyperparameters (``lr``, ``mu``, ``gamma``, ...).

    Returns:
        ``{"theta": (k, *shape)}`` plus one ``(k, *shape)`` array per state array
        (and ``"t"``, shape ``(k,)``, for Adam): the values after each step.
    """
    cls, state_names = OPTIMIZERS[name]
    p = Parameter(np.array(theta0, copy=True))
    opt = cls([p], **hyper)
    for key, value in (state or {}).items():
        if key == "t":
            opt.t = int(value)
        else:
            getattr(opt, key)[0][...] = value
    out: dict[str, list] = {"theta": [], **{key: [] for key in state_names}}
    if name == "adam":
        out["t"] = []
    for g in np.asarray(grads):
        p.grad[...] = g
        opt.step()
        out["theta"].append(p.value.copy())
        for key in state_names:
            out[key].append(getattr(opt, key)[0].copy())
        if name == "adam":
            out["t"].append(opt.t)
    return {key: np.array(values) for key, values in out.items()}


def nesterov_on_quadratic(A: np.ndarray, b: np.ndarray, theta0: np.ndarray, lr: float,
                          mu: float, steps: int) -> dict[str, np.ndarray]:
    """Nesterov momentum on L(theta) = 1/2 theta^T A theta - b^T theta (gradient A theta - b).

    In the lecture's form, v <- mu v - alpha grad L(theta + mu v), theta <- theta + v.
    :class:`reference.optim.Nesterov` stores the look-ahead point phi = theta + mu v
    and is given grad L(phi); the plain iterate is recovered as theta = phi - mu v.

    Returns:
        ``{"theta": (steps, D), "v": (steps, D)}``: theta_k and v_k after each step.
    """
    p = Parameter(np.array(theta0, copy=True))
    opt = optim.Nesterov([p], lr=lr, mu=mu)
    thetas, vs = [], []
    for _ in range(steps):
        p.grad[...] = A @ p.value - b
        opt.step()
        v = opt.v[0]
        thetas.append(p.value - mu * v)
        vs.append(v.copy())
    return {"theta": np.array(thetas), "v": np.array(vs)}


def updates_per_epoch(N: int, batch_size: int) -> int:
    """Parameter updates in one epoch over N examples: ceil(N / batch_size), the last
    mini-batch holding the remainder. batch_size = N is batch learning (1 update),
    batch_size = 1 online learning (N updates)."""
    check_batch_size(batch_size)
    return math.ceil(N / batch_size)



def minibatch_epoch(theta: np.ndarray, X: np.ndarray, y: np.ndarray, lr: float,
                    batch_size: int, order: np.ndarray) -> np.ndarray:
    """One epoch of mini-batch gradient descent on the linear model y_hat = X theta.

    The examples are visited in ``order`` (a permutation of 0..N-1), cut into
    consecutive mini-batches B of ``batch_size`` (the last may be smaller); each
    makes one step of :class:`reference.optim.SGD` on the batch's mean squared error
    L_B = 1/|B| sum_{i in B} (y_hat_i - y_i)^2.

    Returns:
        theta after the epoch, shape (D,) (``theta`` is not modified).
    """
    check_batch_size(batch_size)
    p = Parameter(np.array(theta, copy=True))
    opt = optim.SGD([p], lr=lr)
    for start in range(0, len(order), batch_size):
        batch = np.asarray(order[start:start + batch_size])
        _, dy_hat = mse(X[batch] @ p.value, y[batch])
        p.grad[...] = X[batch].T @ dy_hat
        opt.step()
    return p.value
