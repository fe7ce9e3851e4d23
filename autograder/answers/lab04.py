"""Lab 04's answer key: the reference layers, MLP and training run, the wrong variants its
checks' feedback names (each a sentence and the value that mistake gives on the same
inputs), and the answer key's own versions of the pieces a student's function composes.

The checks ask for these through their ``oracle``; the visible checks' answers are recorded
from here at release time, so none of this ships to students.
"""

from __future__ import annotations

import numpy as np

from autograder.answers.float64 import softmax64
from nnlabs.checks.lab04 import (
    DB_AVERAGED,
    DS_DROPPED,
    DW_TRANSPOSED,
    DX_WITH_W,
    LIBRARY,
)
from reference.activations import relu, relu_backward
from reference.data import minibatches
from reference.layers import linear_backward, linear_forward
from reference.losses import softmax_cross_entropy
from reference.mlp import (  # noqa: F401 - the oracle's answers
    gradient_check,
    mlp_forward,
    mlp_loss_and_gradients,
    softmax_classifier_loss,
    train_softmax_classifier,
)

# Correct versions of every piece, run beside the student's code by the probes of
# :mod:`nnlabs.checks.lab04` when grading, so that a question is graded on its own function
# only (the instructor's side installs them there: see autograder/hidden/lab04.py). Plain
# numpy: it is executed in the sandboxed worker too.
TRUSTED = '''
def linear_forward(X, W, b):
    return X @ W + b


def linear_backward(dS, X, W):
    return dS @ W.T, X.T @ dS, dS.sum(axis=0)


def relu(s):
    return np.maximum(s, 0)


def relu_backward(dout, s):
    return dout * (s > 0)


def softmax_cross_entropy(S, y):
    m = S.shape[0]
    rows = np.arange(m)
    shifted = S - S.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    dS = np.exp(log_p)
    dS[rows, y] -= 1
    return -float(np.sum(log_p[rows, y])) / m, dS / m


def softmax_classifier_loss(X, y, W, b):
    loss, dS = softmax_cross_entropy(linear_forward(X, W, b), y)
    _, dW, db = linear_backward(dS, X, W)
    return loss, dW, db


def mlp_forward(X, params):
    z, L = X, len(params) // 2
    for l in range(1, L + 1):
        s = linear_forward(z, params[f"W{l}"], params[f"b{l}"])
        z = relu(s) if l < L else s
    return z


def mlp_loss_and_gradients(X, y, params):
    L = len(params) // 2
    inputs, potentials, z = [], [], X
    for l in range(1, L + 1):
        inputs.append(z)
        potentials.append(linear_forward(z, params[f"W{l}"], params[f"b{l}"]))
        z = relu(potentials[-1]) if l < L else potentials[-1]
    loss, delta = softmax_cross_entropy(z, y)
    grads = {}
    for l in range(L, 0, -1):
        dz, grads[f"W{l}"], grads[f"b{l}"] = linear_backward(delta, inputs[l - 1],
                                                             params[f"W{l}"])
        if l > 1:
            delta = relu_backward(dz, potentials[l - 2])
    return loss, grads
'''


# --------------------------------------------------------------------------- the pieces' answers

PIECES = {"linear_forward": linear_forward, "linear_backward": linear_backward, "relu": relu,
          "relu_backward": relu_backward, "softmax_cross_entropy": softmax_cross_entropy,
          "softmax_classifier_loss": softmax_classifier_loss, "mlp_forward": mlp_forward,
          "mlp_loss_and_gradients": mlp_loss_and_gradients}


def _answer(answers: dict, names: list[str], name: str, *args: object) -> object:
    """The reference's ``name(*args)``, remembered in ``answers`` if ``name`` is wanted."""
    result = PIECES[name](*args)
    if name in names:
        answers.setdefault(name, []).append([list(args), result])
    return result


def _through_network(answers: dict, names: list[str], X: np.ndarray, y: np.ndarray | None,
                     params: dict) -> None:
    """Every call of a piece on the way through the reference network (forward, and with
    labels ``y`` the loss and backward), as the solution makes them."""
    L = len(params) // 2
    _answer(answers, names, "mlp_forward", X, params)
    inputs, potentials, z = [], [], X
    for k in range(1, L + 1):
        inputs.append(z)
        potentials.append(_answer(answers, names, "linear_forward", z, params[f"W{k}"],
                                  params[f"b{k}"]))
        z = _answer(answers, names, "relu", potentials[-1]) if k < L else potentials[-1]
    if y is None:
        return
    _, delta = _answer(answers, names, "softmax_cross_entropy", z, y)
    if L == 1:
        _answer(answers, names, "softmax_classifier_loss", X, y, params["W1"], params["b1"])
    _answer(answers, names, "mlp_loss_and_gradients", X, y, params)
    for k in range(L, 0, -1):
        dz, _, _ = _answer(answers, names, "linear_backward", delta, inputs[k - 1],
                           params[f"W{k}"])
        if k > 1:
            delta = _answer(answers, names, "relu_backward", dz, potentials[k - 2])


def network_answers(names: list[str], X: np.ndarray, y: np.ndarray | None,
                    params: dict) -> dict[str, list]:
    """For each piece in ``names``, ``[args, result]`` of every call the solution makes of it
    for the network ``params`` on ``X`` (and labels ``y``): what a probe's stand-ins answer."""
    answers: dict[str, list] = {}
    _through_network(answers, names, X, y, params)
    return answers


def training_answers(names: list[str], X: np.ndarray, y: np.ndarray, lr: float, epochs: int,
                     batch_size: int, seed: int) -> dict[str, list]:
    """As :func:`network_answers`, for every step (and every epoch's loss on the whole set)
    of the reference training run."""
    answers: dict[str, list] = {}
    rng = np.random.default_rng(seed)
    k = int(np.max(y)) + 1
    params = {"W1": np.zeros((X.shape[1], k)), "b1": np.zeros(k)}
    for _ in range(epochs):
        for Xb, yb in minibatches(X, y, batch_size, rng):
            _through_network(answers, names, Xb, yb, params)
            _, grads = mlp_loss_and_gradients(Xb, yb, params)
            params = {key: params[key] - lr * grads[key] for key in params}
        _through_network(answers, names, X, y, params)
    return answers


# --------------------------------------------------------------------------- losses of the checks


def classifier_loss(X: np.ndarray, y: np.ndarray, W: np.ndarray, b: np.ndarray) -> float:
    """The loss of the softmax classifier, for central differences in W and b."""
    return softmax_cross_entropy(linear_forward(X, W, b), y)[0]


def mlp_loss_with(X: np.ndarray, y: np.ndarray, params: dict, key: str,
                  value: np.ndarray) -> float:
    """The network's loss with ``params[key]`` replaced by ``value``."""
    return softmax_cross_entropy(mlp_forward(X, {**params, key: value}), y)[0]


def hidden_potentials(X: np.ndarray, params: dict) -> list[np.ndarray]:
    """The inner potentials s^l of the hidden layers."""
    z, L, out = X, len(params) // 2, []
    for k in range(1, L):
        s = z @ params[f"W{k}"] + params[f"b{k}"]
        out.append(s)
        z = np.maximum(s, 0)
    return out


def planted_gradients(X: np.ndarray, T: np.ndarray, params: dict) -> dict[str, np.ndarray]:
    """The gradients of the planted model of the gradient-check question (a tanh network with
    squared loss, 0.5 sum (H W2 + b2 - T)^2 / m, H = tanh(X W1 + b1)) at ``params``."""
    m = X.shape[0]
    H = np.tanh(X @ params["W1"] + params["b1"])
    R = H @ params["W2"] + params["b2"] - T
    dY = R / m
    dH = (dY @ params["W2"].T) * (1 - H * H)
    return {"W1": X.T @ dH, "b1": dH.sum(axis=0), "W2": H.T @ dY, "b2": dY.sum(axis=0)}


# --------------------------------------------------------------------------- mistakes


def linear_forward_mistakes(X: np.ndarray, W: np.ndarray, b: np.ndarray) -> dict:
    return {"it is X W without the bias: add b to every row, S = X W + b (broadcasting).":
            X @ W,
            "it is X W^T + b: with W of shape (fan_in, fan_out), S = X W + b, no transpose.":
            X @ W.T + b if W.shape[0] == W.shape[1] else None,
            "it is X W - b: the bias is added, S = X W + b.": X @ W - b}


def linear_backward_mistakes(dS: np.ndarray, X: np.ndarray, W: np.ndarray) -> dict:
    """Per result (dX, dW, db), the wrong variants of it."""
    square = W.shape[0] == W.shape[1]
    ones = np.ones_like(dS)  # what the local gradients give without the upstream dS
    return {"dX": {DS_DROPPED: ones @ W.T} | ({DX_WITH_W: dS @ W} if square else {}),
            "dW": {DS_DROPPED: X.T @ ones} | ({DW_TRANSPOSED: dS.T @ X} if square else {}),
            "db": {DB_AVERAGED: dS.mean(axis=0), DS_DROPPED: ones.sum(axis=0)}}


def softmax_cross_entropy_mistakes(S: np.ndarray, y: np.ndarray) -> dict:
    m = S.shape[0]
    Y = np.eye(S.shape[1])[y]
    P = softmax64(S)
    return {"it is softmax(S) / m: the one-hot targets are missing, dS = (Y_hat - Y) / m.": P / m,
            "it is (Y - Y_hat) / m: the sign is flipped, dS = (Y_hat - Y) / m.": (Y - P) / m}


def mlp_forward_mistakes(X: np.ndarray, params: dict) -> dict:
    L = len(params) // 2
    z, zs = X, []
    for k in range(1, L + 1):
        z = np.maximum(z @ params[f"W{k}"] + params[f"b{k}"], 0)
        zs.append(z)
    mistakes = {"it applies ReLU to the output layer too: the last layer gives the scores "
                "S = z^{L-1} W^L + b^L, with no activation (the softmax comes with the loss).":
                zs[-1]}
    if L > 2:
        mistakes["it stops after two layers: loop over l = 1, ..., L with "
                 "L = len(params) // 2."] = (np.maximum(X @ params["W1"] + params["b1"], 0)
                                             @ params["W2"] + params["b2"])
    return mistakes


def mlp_backward_mistakes(X: np.ndarray, y: np.ndarray, params: dict) -> dict[str, dict]:
    """Per parameter, the gradients of the wrong variants."""
    L = len(params) // 2
    inputs, potentials, z = [], [], X
    for k in range(1, L + 1):
        inputs.append(z)
        potentials.append(z @ params[f"W{k}"] + params[f"b{k}"])
        z = np.maximum(potentials[-1], 0) if k < L else potentials[-1]
    m = X.shape[0]
    delta0 = (softmax64(z) - np.eye(z.shape[1])[y]) / m
    variants = {"no_mask": {}, "mask_scores": {}}
    for name in variants:
        delta = delta0 * (z > 0) if name == "mask_scores" else delta0
        for k in range(L, 0, -1):
            variants[name][f"W{k}"] = inputs[k - 1].T @ delta
            variants[name][f"b{k}"] = delta.sum(axis=0)
            delta = delta @ params[f"W{k}"].T
            if name != "no_mask" and k > 1:
                delta = delta * (potentials[k - 2] > 0)
    return {key: {
        "the ReLU's local gradient is missing: on the way down, multiply by relu'(s^l) = "
        "1{s^l > 0} after each hidden layer (delta^l = (delta^{l+1} W^T) * 1{s^l > 0}).":
        variants["no_mask"][key],
        "it masks the scores too: the output layer has no ReLU, so delta^L = dL/dS comes "
        "straight from the loss.": variants["mask_scores"][key]} for key in params}


def sgd_variant(X, y, lr, epochs, batch_size, seed, *, shuffle="each", drop_last=False,
                labels_shuffled=True):
    """Wrong training runs, for naming mistakes."""
    rng = np.random.default_rng(seed)
    n, k = len(y), int(y.max()) + 1
    W, b = np.zeros((X.shape[1], k)), np.zeros(k)
    order = rng.permutation(n) if shuffle == "once" else None
    for _ in range(epochs):
        if shuffle == "each":
            order = rng.permutation(n)
        elif shuffle == "never":
            order = np.arange(n)
        stop = n - n % batch_size if drop_last else n
        for start in range(0, stop, batch_size):
            idx = order[start:start + batch_size]
            Xb, yb = X[idx], (y[idx] if labels_shuffled else y[start:start + batch_size])
            dS = (softmax64(Xb @ W + b) - np.eye(k)[yb]) / len(idx)
            W, b = W - lr * Xb.T @ dS, b - lr * dS.sum(axis=0)
    return W, b


def train_mistakes(X, y, lr, epochs, batch_size, seed) -> dict[str, tuple]:
    return {
        "it never shuffles: draw a fresh order rng.permutation(N) at the start of every epoch "
        "(mini-batch SGD samples the batches at random).":
        sgd_variant(X, y, lr, epochs, batch_size, seed, shuffle="never"),
        "it shuffles once and reuses that order every epoch: draw a fresh rng.permutation(N) "
        "at the start of every epoch (one generator, made once from the seed).":
        sgd_variant(X, y, lr, epochs, batch_size, seed, shuffle="once"),
        "it drops the last, smaller batch: an epoch uses every example once, so the last "
        "batch holds the N mod batch_size examples left over.":
        sgd_variant(X, y, lr, epochs, batch_size, seed, drop_last=True),
        "the labels are not shuffled with the inputs: index X and y with the same "
        "permutation, X[idx] and y[idx].":
        sgd_variant(X, y, lr, epochs, batch_size, seed, labels_shuffled=False),
    }


# --------------------------------------------------------------------------- edges of the domain

RELU_PRIME_AT_ZERO = ("it takes relu'(0) = 1: a hidden potential of exactly 0 passes no "
                      "gradient, relu_backward(dout, s) = dout * 1{s > 0}, not 1{s >= 0}.")


def mlp_backward_at_zero_mistakes(X: np.ndarray, y: np.ndarray, params: dict) -> dict[str, dict]:
    """Per parameter, the gradient a backward pass gives that masks with 1{s >= 0}."""
    scope = {"np": np}
    exec(TRUSTED, scope)
    scope["relu_backward"] = lambda dout, s: dout * (s >= 0)
    _, grads = scope["mlp_loss_and_gradients"](X, y, params)
    return {key: {RELU_PRIME_AT_ZERO: grads[key]} for key in params}


def planted_error(X: np.ndarray, T: np.ndarray, params: dict, grads: dict, h: float) -> float:
    """The reference gradient check's largest relative error with step ``h`` on the planted
    model of the gradient-check question, with its correct gradients."""
    scope = {"np": np}
    exec(LIBRARY, scope)
    return gradient_check(scope["planted_model"](X, T, grads, ""), params, h=h)
