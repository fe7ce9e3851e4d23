"""Lab 05's answer key: the reference initializers' distributions and the measurements of a
deep network at initialization, and the wrong variants its checks' feedback names (each a
sentence and the value, or for a random initializer the variance, that mistake gives on the
same inputs).

The checks ask for these through their ``oracle``; the visible checks' answers are recorded
from here at release time, so none of this ships to students.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from reference.init import (  # noqa: F401 - the oracle's answers
    constant,
    he_normal,
    he_uniform,
    normal,
    uniform_fan_in,
    xavier_normal,
    xavier_uniform,
    zeros,
)
from reference.propagation import (  # noqa: F401
    activation_stds,
    dead_fraction,
    forward_activations,
    hidden_unit_spread,
    predicted_variance,
    weight_gradient_norms,
)

# --------------------------------------------------------------------------- distributions


def normal_variance(std: float) -> float:
    """Var(w) of N(0, std^2)."""
    return std**2


def uniform_fan_in_distribution(fan_in: int) -> tuple[float, float]:
    """Var(w) and the bound a of U(-a, a) for ``uniform_fan_in``."""
    return 1.0 / (3 * fan_in), 1.0 / np.sqrt(fan_in)


def xavier_distribution(fan_in: int, fan_out: int) -> tuple[float, float]:
    """Glorot's Var(w) and the bound a of ``xavier_uniform``'s U(-a, a)."""
    return 2.0 / (fan_in + fan_out), np.sqrt(6.0 / (fan_in + fan_out))


def he_distribution(fan_in: int) -> tuple[float, float]:
    """He's Var(w) and the bound a of ``he_uniform``'s U(-a, a)."""
    return 2.0 / fan_in, np.sqrt(6.0 / fan_in)


def xavier_std(fan_in: int, fan_out: int) -> float:
    """The standard deviation of ``xavier_normal``."""
    return np.sqrt(2.0 / (fan_in + fan_out))


def he_std(fan_in: int, fan_out: int) -> float:
    """The standard deviation of ``he_normal`` (``fan_out`` unused: the signature of
    ``xavier_std``)."""
    return np.sqrt(2.0 / fan_in)


def stack_output(W: np.ndarray, X: np.ndarray, weights: Sequence[np.ndarray], layer: int,
                 activation: str) -> np.ndarray:
    """a^L of the stack with ``W`` in place of ``weights[layer]``: its central differences
    with upstream ``dout`` are dL/dW^layer for L = sum(dout * a^L)."""
    changed = [W if i == layer else w for i, w in enumerate(weights)]
    return forward_activations(X, changed, activation)[-1]


# --------------------------------------------------------------------------- wrong variants


def constant_mistakes(fan_in: int, fan_out: int) -> dict:
    return {"every weight is 0.1, the default: use the `value` argument.":
            np.full((fan_in, fan_out), 0.1)}


def normal_mistakes(std: float) -> dict[str, float]:
    return {
        "that is std^4: numpy's `scale` is the standard deviation, pass std itself, not std**2.":
        std**4,
        "that is std, not std^2: `scale` is the standard deviation; do not take its square "
        "root.": std,
        "that is 1: the draw is not scaled by std (rng.standard_normal(shape) * std).": 1.0}


def uniform_fan_in_mistakes(fan_in: int, fan_out: int) -> dict[str, float]:
    return {
        "that is 1/(3 fan_out): the bound uses fan_in, the number of inputs of a unit "
        "(the rows of W).": 1.0 / (3 * fan_out),
        "that is 1/(3 fan_in^2): the bound is 1/sqrt(fan_in), not 1/fan_in.":
        1.0 / (3 * fan_in**2),
        "that is 1/fan_in: the bound of the lectures is 1/sqrt(fan_in), which gives "
        "Var(w) = a^2/3 = 1/(3 fan_in).": 1.0 / fan_in}


def predicted_variance_mistakes(fan_in: int, var_w: float, var_x: float) -> dict:
    return {
        "it is Var(w) Var(x), the variance of one term w_i x_i: the n_in independent "
        "terms of s = sum_i w_i x_i add their variances.": var_w * var_x,
        "it is sqrt(n_in) Var(w) Var(x): variances of independent terms add, so Var(s) "
        "grows like n_in (its standard deviation like sqrt(n_in)).":
        np.sqrt(fan_in) * var_w * var_x,
        "it is n_in sqrt(Var(w) Var(x)), a standard deviation: Var(w_i x_i) = "
        "Var(w) Var(x) for independent, zero-mean w and x.": fan_in * np.sqrt(var_w * var_x),
    }


def xavier_mistakes(fan_in: int, fan_out: int) -> dict[str, float]:
    n = fan_in + fan_out
    return {
        "that is 2/fan_in, He's variance: the bound sqrt(6/fan_in) belongs to He; Glorot's "
        "is sqrt(6/(fan_in + fan_out)).": 2.0 / fan_in,
        "that is 2/(3 (fan_in + fan_out)): sqrt(2/(fan_in + fan_out)) is the normal's "
        "standard deviation; U(-a, a) has variance a^2/3, so a = sqrt(6/(fan_in + fan_out)).":
        2.0 / (3 * n),
        "that is (2/(fan_in + fan_out))^2: the square root is missing, std = "
        "sqrt(2/(fan_in + fan_out)).": (2.0 / n) ** 2,
        "that is 12/(fan_in + fan_out)^2: the square root is missing from the bound "
        "a = sqrt(6/(fan_in + fan_out)).": 12.0 / n**2,
        "that is 1/fan_in, the forward-only condition; Glorot and Bengio average it with "
        "1/fan_out: Var(w) = 2/(fan_in + fan_out).": 1.0 / fan_in,
    }


def he_mistakes(fan_in: int, fan_out: int) -> dict[str, float]:
    return {
        "that is 1/fan_in: He et al. double it to 2/fan_in, because a ReLU zeroes half of "
        "its inputs and so halves the signal's second moment.": 1.0 / fan_in,
        "that is 2/fan_out: He's variance uses fan_in, the number of inputs of a unit "
        "(the rows of W).": 2.0 / fan_out,
        "that is 2/(fan_in + fan_out), Glorot's variance: He's is 2/fan_in.":
        2.0 / (fan_in + fan_out),
        "that is (2/fan_in)^2: the square root is missing, std = sqrt(2/fan_in).":
        (2.0 / fan_in) ** 2,
        "that is 12/fan_in^2: the square root is missing from the bound a = sqrt(6/fan_in).":
        12.0 / fan_in**2,
        "that is 2/(3 fan_in): sqrt(2/fan_in) is the normal's standard deviation; "
        "U(-a, a) has variance a^2/3, so a = sqrt(6/fan_in).": 2.0 / (3 * fan_in),
    }


def activation_stds_mistakes(X, weights, activation) -> dict:
    f = np.tanh if activation == "tanh" else (lambda s: np.maximum(s, 0.0))
    a, potentials, outputs, per_unit = X, [], [], []
    for W in weights:
        s = a @ W
        a = f(s)
        potentials.append(np.std(s))
        outputs.append(np.std(a))
        per_unit.append(np.mean(np.std(a, axis=0)))
    tanh_outputs, a = [], X
    for W in weights:
        a = np.tanh(a @ W)
        tanh_outputs.append(np.std(a))
    mistakes = {
        "these are the standard deviations of the potentials s^l = a^{l-1} W^l: report "
        "those of the activations a^l = f(s^l).": np.array(potentials),
        "these are the variances, not the standard deviations (np.var instead of np.std).":
        np.array(outputs) ** 2,
        "these are per-unit standard deviations, averaged: take np.std over all the entries "
        "of a^l (the histogram of the layer's activations).": np.array(per_unit)}
    if activation == "relu":
        mistakes["these are a tanh network's values: apply the activation named by "
                 "`activation`."] = np.array(tanh_outputs)
    return mistakes


def gradient_norms_mistakes(X, weights, dout, activation) -> dict:
    """Norms for a backward pass that forgets f'(s) (delta passed through unchanged)."""
    f = np.tanh if activation == "tanh" else (lambda s: np.maximum(s, 0.0))
    a, inputs = X, []
    for W in weights:
        inputs.append(a)
        a = f(a @ W)
    forgetful, delta = [0.0] * len(weights), dout
    for layer in range(len(weights) - 1, -1, -1):
        forgetful[layer] = np.linalg.norm(inputs[layer].T @ delta)
        delta = delta @ weights[layer].T
    return {"these norms leave out the activation's derivative: multiply the upstream "
            "gradient by f'(s^l) before forming dL/dW^l = (a^{l-1})^T (delta^l * f'(s^l)).":
            np.array(forgetful)}


def dead_fraction_mistakes(S: np.ndarray) -> dict:
    return {
        "it is the fraction of entries with s <= 0: a unit (a column of S) is dead only if "
        "it is inactive on every example.": np.mean(S <= 0),
        "it counts units inactive on at least one example (np.any): a dead unit is inactive "
        "on every example (np.all).": np.mean(np.any(S <= 0, axis=0)),
        "it counts examples (rows), not units: the units are the columns of S "
        "(axis=0 runs over the examples).": np.mean(np.all(S <= 0, axis=1)),
        "it misses units whose potentials are exactly 0: ReLU gives them output 0 and "
        "gradient 0 as well, so they are dead too (s <= 0, not s < 0).":
        np.mean(np.all(S < 0, axis=0)),
    }


def spread_mistakes(W: np.ndarray) -> dict:
    return {
        "it is the range of the whole matrix: units whose weight vectors are identical can "
        "still have different weights for different inputs; take the range of each row.":
        np.max(W) - np.min(W),
        "it compares the weights of one unit across its inputs (the rows): the units are "
        "the columns of W; compare each row across the columns.":
        np.max(np.max(W, axis=0) - np.min(W, axis=0)),
        "it is a standard deviation across the units: the spread asked for is the range "
        "max_j w_ij - min_j w_ij, maximised over the inputs i.":
        np.max(np.std(W, axis=1)),
    }
