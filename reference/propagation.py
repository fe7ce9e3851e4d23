"""How a signal travels through a deep network at initialization (lectures 000-004,
topics 15, 16, 18-20).

A plain stack of ``L`` layers without biases, ``s^l = a^{l-1} W^l``, ``a^l = f(s^l)``,
``a^0 = X``, shows what an initializer does to the forward signal and the backward
gradients. For ``s = sum_i w_i x_i`` with independent, zero-mean ``w`` and ``x``
(lecture 001):

    Var(s) = n_in * Var(w) * Var(x).

Conventions (see :mod:`reference`): ``X`` is ``(N, D)``, each ``W^l`` is
``(fan_in, fan_out)``; ``activation`` is a name, ``"tanh"`` or ``"relu"``; no input is
modified.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from reference import activations

_FORWARD = {"tanh": activations.tanh, "relu": activations.relu}
_BACKWARD = {"tanh": activations.tanh_backward, "relu": activations.relu_backward}


def predicted_variance(fan_in: int, var_w: float, var_x: float) -> float:
    """Var(s) = n_in Var(w) Var(x) for s = sum_{i=1}^{n_in} w_i x_i (independent, zero mean)."""
    return float(fan_in * var_w * var_x)


def forward_activations(X: np.ndarray, weights: Sequence[np.ndarray],
                        activation: str = "tanh") -> list[np.ndarray]:
    """The activations a^1, ..., a^L of the stack, each (N, fan_out of its layer)."""
    f = _FORWARD[activation]
    a, out = np.asarray(X), []
    for W in weights:
        a = f(a @ W)
        out.append(a)
    return out


def activation_stds(X: np.ndarray, weights: Sequence[np.ndarray],
                    activation: str = "tanh") -> np.ndarray:
    """The standard deviation of every layer's activations a^l over all its entries, (L,)."""
    return np.array([np.std(a) for a in forward_activations(X, weights, activation)])


def weight_gradient_norms(X: np.ndarray, weights: Sequence[np.ndarray], dout: np.ndarray,
                          activation: str = "tanh") -> np.ndarray:
    """Frobenius norms ||dL/dW^l||, l = 1..L, for L = sum(dout * a^L), shape (L,).

    Backward, from delta^L = dout: dL/ds^l = delta^l * f'(s^l), dL/dW^l = (a^{l-1})^T dL/ds^l,
    delta^{l-1} = dL/ds^l (W^l)^T.
    """
    backward = _BACKWARD[activation]
    inputs, potentials = [], []
    a = np.asarray(X)
    for W in weights:
        inputs.append(a)
        potentials.append(a @ W)
        a = _FORWARD[activation](potentials[-1])
    norms = np.empty(len(weights))
    delta = np.asarray(dout)
    for layer in range(len(weights) - 1, -1, -1):
        ds = backward(delta, potentials[layer])
        norms[layer] = np.linalg.norm(inputs[layer].T @ ds)
        delta = ds @ weights[layer].T
    return norms


def dead_fraction(S: np.ndarray) -> float:
    """The fraction of ReLU units (columns of S, (N, units)) with s <= 0 on every example."""
    return float(np.mean(np.all(np.asarray(S) <= 0, axis=0)))


def hidden_unit_spread(W: np.ndarray) -> float:
    """max_i (max_j w_ij - min_j w_ij): how far apart the units (columns) of W are.

    Zero exactly when every unit has the same incoming weights: the symmetry that zero or
    constant initialization never breaks.
    """
    W = np.asarray(W)
    return float(np.max(np.max(W, axis=1) - np.min(W, axis=1)))
