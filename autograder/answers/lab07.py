"""Lab 07's answer key: the reference penalties, weight-decay steps, dropout, early stopping,
batch normalization and input noise, and the wrong variants its checks' feedback names (each
a sentence and the value that mistake gives on the same inputs).

The checks ask for these through their ``oracle``; the visible checks' answers are recorded
from here at release time, so none of this ships to students.
"""

from __future__ import annotations

import numpy as np

from nnlabs.expect import WITHOUT_DOUT, upstream_mistakes
from reference import functional
from reference.functional import (  # noqa: F401 - the oracle's answers
    add_gaussian_noise,
    batchnorm_backward,
    batchnorm_forward,
    early_stopping_on_curve,
    regularization_penalty,
)
from reference.layers import dropout_backward  # noqa: F401
from reference.optim import adam_step as adam_l2_step  # noqa: F401 - L2 in the gradient
from reference.optim import adamw_step  # noqa: F401
from reference.optim import sgd_step as sgd_weight_decay_step  # noqa: F401 - with weight_decay
from reference.regularization import (  # noqa: F401
    early_stopping,
    l1_penalty,
    l2_penalty,
)

# --------------------------------------------------------------------------- L2

L2_NO_HALF = ("it is lam ||w||^2, without the 1/2: the lectures' P(w) = ||w||^2 / 2 makes the "
              "gradient exactly lam w (and the update the weight decay (1 - eta kappa) w).")
L2_GRAD_TWICE = ("it is 2 lam w, the gradient of lam ||w||^2: with P(w) = ||w||^2 / 2 the "
                 "gradient is lam w.")


def l2_value_mistakes(w: np.ndarray, lam: float) -> dict:
    return {L2_NO_HALF: lam * np.sum(w * w)}


def l2_gradient_mistakes(w: np.ndarray, lam: float) -> dict:
    return {L2_GRAD_TWICE: 2 * lam * w}


# --------------------------------------------------------------------------- L1


def l1_mistakes(w: np.ndarray, lam: float) -> tuple[dict, dict]:
    value = {"it is lam sum(w), without the absolute value: ||w||_1 = sum |w_i|.":
             lam * np.sum(w)}
    grad = {"it is lam |w|: the derivative of |w_i| is sign(w_i).": lam * np.abs(w),
            "it gives lam (not 0) where w = 0: |w| has no derivative at 0, and the "
            "convention (sign(0) = 0, a subgradient) is 0, so that zero weights stay at "
            "zero.": lam * np.where(w >= 0, 1.0, -1.0)}
    return value, grad


# --------------------------------------------------------------------------- elastic net


def penalty_mistakes(params: dict, l1: float, l2: float, name: str) -> tuple[dict, dict]:
    """Wrong values and wrong gradients for parameter ``name``."""
    every = sum(l1 * np.sum(np.abs(v)) + l2 / 2 * np.sum(v * v) for v in params.values())
    not_b = sum(l1 * np.sum(np.abs(v)) + l2 / 2 * np.sum(v * v)
                for k, v in params.items() if not k.startswith("b"))
    v = params[name]
    elastic = l1 * np.sign(v) + l2 * v
    values = {"it penalizes the biases too: penalties apply to the weights (names starting "
              "with W) only, never to biases.": every,
              "it penalizes gamma: only the weights (names starting with W) are penalized, "
              "not the biases nor batch norm's gamma and beta.": not_b}
    grads = {} if name.startswith("W") else {
        f"it penalizes {name}: penalties apply to the weights (names starting with W) only; "
        f"the gradient of a bias (or of gamma, beta) is zero.": elastic}
    return values, grads


# --------------------------------------------------------------------------- SGD weight decay


def sgd_mistakes(theta, g, lr, kappa) -> dict:
    return {"it is (1 - kappa) theta - eta g: the decay factor is (1 - eta kappa), the "
            "learning rate multiplies the penalty's gradient kappa theta too.":
            (1 - kappa) * theta - lr * g,
            "it is (1 + eta kappa) theta - eta g: weight decay shrinks theta, "
            "theta <- (1 - eta kappa) theta - eta g.": (1 + lr * kappa) * theta - lr * g,
            "it ignores the weight decay: theta - eta g.": theta - lr * g}


# --------------------------------------------------------------------------- Adam + decay


def adam_model(theta, g, m, v, t, lr, b1, b2, eps, kappa, *, grad_decay=0.0, pre_decay=0.0,
               post_decay=0.0):
    """Adam with the decay put where the mistakes put it (grader's model of them)."""
    theta = theta * (1 - pre_decay)
    g = g + grad_decay * theta
    t += 1
    m = b1 * m + (1 - b1) * g
    v = b2 * v + (1 - b2) * g * g
    theta = theta - lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
    return theta * (1 - post_decay), m, v, t


def adam_mistakes(step: str, theta, grads, hyper) -> dict:
    lr, kappa = hyper[0], hyper[4]
    if step == "adamw_step":
        variants = {
            "it is Adam with kappa theta added to the gradient (L2 regularization): AdamW "
            "decouples the decay, theta <- (1 - lr kappa) theta, outside the adaptive step.":
            {"grad_decay": kappa},
            "it decays by (1 - kappa) theta: the decoupled decay is multiplied by the "
            "learning rate, theta <- (1 - lr kappa) theta.": {"pre_decay": kappa},
            "it decays after the Adam step: this lab follows reference.optim.AdamW (and "
            "torch.optim.AdamW), which decays theta first, then takes Adam's step.":
            {"post_decay": lr * kappa}}
    else:
        variants = {
            "it decays theta outside the gradient (that is AdamW): with L2 regularization "
            "kappa theta is added to the gradient before the moments are updated.":
            {"pre_decay": lr * kappa},
            "it ignores the weight decay: add kappa theta to the gradient.": {}}
    wrong = {}
    for sentence, where in variants.items():
        th, m, v, t = theta, np.zeros_like(theta), np.zeros_like(theta), 0
        for g in grads:
            th, m, v, t = adam_model(th, g, m, v, t, *hyper, **where)
        wrong[sentence] = th
    return wrong


# --------------------------------------------------------------------------- dropout


def dropout_forward(X: np.ndarray, keep_prob: float, seed: int, train: bool) -> tuple:
    """:func:`reference.functional.dropout_forward`, served through this module: the answer
    search (:mod:`autograder.answers_search`) reads a served reference function's source line
    by line, signature included, and the runtime has that signature's last line,
    ``) -> tuple[np.ndarray, np.ndarray]:``, in a function of its own."""
    return functional.dropout_forward(X, keep_prob, seed, train)


def dropout_eval_mistakes(X: np.ndarray, p: float) -> dict:
    return {"it is p X, the weight scaling of plain dropout: inverted dropout already divided "
            "by p in training, so at test time the layer is the identity.": p * X}


def times_mask(X: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Dropout's output for a given mask, whose central differences judge the backward."""
    return X * mask


def dropout_backward_mistakes(dout: np.ndarray, mask: np.ndarray) -> dict:
    return {"it is dout * 1{mask != 0}: the kept units were scaled by 1/p in "
            "the forward pass, so their gradient is scaled by 1/p too, "
            "dX = dout * mu.": dout * (mask != 0),
            "it ignores the mask: a dropped unit passes no gradient.": dout,
            **upstream_mistakes(dout, mask)}


# --------------------------------------------------------------------------- early stopping


def early_stopping_model(evaluations, theta0, n, p, *, improves=lambda e, b: e < b,
                         return_last=False, patience=None):
    """The grader's model of early stopping and of its common mistakes, on the errors seen
    at the evaluations (``evaluations[i]`` after (i + 1) n updates)."""
    patience = p if patience is None else patience
    best, best_theta, j, i = np.inf, theta0, 0, 0
    while j < patience and i < len(evaluations):
        error, i = evaluations[i], i + 1
        j += 1
        if improves(error, best):
            best, best_theta, j = error, theta0 + i * n, 0
    last = theta0 + i * n
    return np.array([last if return_last else best_theta, best, i * n], dtype=np.float64)


def early_stopping_mistakes(evaluations, theta0, n, p, in_place) -> dict:
    if in_place:
        return {"theta_star is the last theta: either it returns the last theta, or the "
                "update modified theta in place and theta* <- theta kept a reference to it; "
                "store a copy (theta.copy()).":
                early_stopping_model(evaluations, theta0, n, p, return_last=True)}
    return {
        "a tie counts as an improvement: only an error strictly lower than bestError "
        "resets j (Validation(theta) < bestError).":
        early_stopping_model(evaluations, theta0, n, p, improves=lambda e, b: e <= b),
        "it returns the last theta, not theta*, the parameters with the best validation "
        "error.": early_stopping_model(evaluations, theta0, n, p, return_last=True),
        "it stops one evaluation late: the loop runs while j < p.":
        early_stopping_model(evaluations, theta0, n, p, patience=p + 1),
        "it stops one evaluation early: the loop runs while j < p, with j reset to 0 on "
        "an improvement.": early_stopping_model(evaluations, theta0, n, p, patience=p - 1)}


# --------------------------------------------------------------------------- batch norm

BN_UNBIASED = ("it normalizes with the unbiased variance (ddof=1): training mode divides by "
               "the biased batch variance, 1/N sum (x - mean)^2.")


def bn_model(X, gamma, beta, eps, ddof=0):
    mean, var = X.mean(axis=0), X.var(axis=0, ddof=ddof)
    return gamma * (X - mean) / np.sqrt(var + eps) + beta


def bn_train_mistakes(X, gamma, beta, rm, rv, momentum, eps) -> tuple[dict, dict, dict]:
    """Wrong ``out``, ``running_mean`` and ``running_var`` of a training-mode pass."""
    n = X.shape[0]
    mean, var = X.mean(axis=0), X.var(axis=0)
    out = {BN_UNBIASED: bn_model(X, gamma, beta, eps, ddof=1)}
    running_mean = {
        "the momentum is swapped: running = (1 - momentum) running + momentum batch "
        "(PyTorch's convention; momentum = 0.1 moves the average 10% of the way).":
        momentum * rm + (1 - momentum) * mean}
    running_var = {
        "the momentum is swapped: running = (1 - momentum) running + momentum batch.":
        momentum * rv + (1 - momentum) * var * n / (n - 1),
        "it averages the biased batch variance: the running variance uses the unbiased "
        "one, N/(N - 1) var (PyTorch's convention), the normalization the biased one.":
        (1 - momentum) * rv + momentum * var}
    return out, running_mean, running_var


def bn_backward_mistakes(dout, X, gamma, eps) -> tuple[dict, dict, dict]:
    """Wrong ``dX``, ``dgamma`` and ``dbeta``."""
    d = X.shape[1]
    inv_std = 1 / np.sqrt(X.var(axis=0) + eps)
    dX = {"it is dout * gamma / sqrt(var + eps), as if the mean and variance "
          "were constants: they depend on every x of the column, which adds "
          "two more paths to the chain rule.": dout * gamma * inv_std}
    dgamma = {"it is sum(dout): dgamma = sum_n dout_n * xhat_n.": dout.sum(axis=0),
              WITHOUT_DOUT: ((X - X.mean(axis=0)) * inv_std).sum(axis=0)}
    dbeta = {WITHOUT_DOUT: np.full(d, float(X.shape[0]))}
    return dX, dgamma, dbeta


def bn_eval_mistakes(X, gamma, beta, eps) -> dict:
    return {"it normalizes with the batch's own statistics: in evaluation mode use the running "
            "averages, (x - running_mean) / sqrt(running_var + eps).":
            bn_model(X, gamma, beta, eps)}
