"""A multi-layer perceptron and a softmax classifier as plain functions of parameter dicts
(lectures 000, 001; topics 11, 12, 17).

The layers of :mod:`reference.layers` hold their parameters in objects; here the
parameters of an L-layer network are one dict of arrays, in the lectures' notation
(w^l_ij: the weight from neuron i of layer l - 1 to neuron j of layer l):

    params = {"W1": (D, H1), "b1": (H1,), "W2": (H1, H2), ..., "WL": (., K), "bL": (K,)}

The network applies ReLU between layers and none after the last, so it returns scores:

    z^0 = X,   s^l = z^{l-1} W^l + b^l,   z^l = relu(s^l) (l < L),   S = s^L

and is trained with the multinomial cross-entropy of softmax(S). With L = 1 it is
multinomial logistic regression (a linear layer and a softmax layer). Each function
runs the :class:`~reference.layers.Sequential` of those layers that holds the dict's
arrays (:func:`network`).
"""

from __future__ import annotations

import numpy as np

from reference.data import minibatches
from reference.gradcheck import numerical_gradient, relative_error
from reference.layers import Linear, ReLU, Sequential
from reference.losses import softmax_cross_entropy
from reference.optim import sgd_step


def num_layers(params: dict[str, np.ndarray]) -> int:
    """L, the number of linear layers: ``params`` holds W1, b1, ..., WL, bL."""
    L = len(params) // 2
    expected = _names(L)
    if set(params) != set(expected):
        raise ValueError(f"params must hold {sorted(expected)}, got {sorted(params)}")
    return L


def _names(L: int) -> list[str]:
    """The parameters' names in layer order: W1, b1, ..., WL, bL."""
    return [f"{p}{k}" for k in range(1, L + 1) for p in "Wb"]


def network(params: dict[str, np.ndarray]) -> Sequential:
    """``Linear(W1, b1), ReLU(), ..., Linear(WL, bL)``: the layers holding ``params``' arrays
    (float arrays are not copied, and nothing here modifies them)."""
    layers: list = []
    for k in range(1, num_layers(params) + 1):
        layers += [Linear.holding(params[f"W{k}"], params[f"b{k}"]), ReLU()]
    return Sequential(*layers[:-1])      # no ReLU after the output layer: it gives scores


def softmax_classifier_loss(X: np.ndarray, y: np.ndarray, W: np.ndarray, b: np.ndarray
                            ) -> tuple[float, np.ndarray, np.ndarray]:
    """Multinomial logistic regression (lecture 001): a linear layer and a softmax layer.

        y_hat = softmax(X W + b),   L = mean cross-entropy,   dS = 1/m (y_hat - Y)
        dW = X^T dS,   db = sum_n dS_n

    It is the network of one layer, :func:`mlp_loss_and_gradients` of ``{"W1": W, "b1": b}``.

    Returns:
        ``(L, dW, db)``, dW (D, K) and db (K,), in the float dtypes of W and b.
    """
    loss, grads = mlp_loss_and_gradients(X, y, {"W1": W, "b1": b})
    return loss, grads["W1"], grads["b1"]


def mlp_forward(X: np.ndarray, params: dict[str, np.ndarray]) -> np.ndarray:
    """The scores S (N, K) of the network for inputs X (N, D)."""
    return network(params).forward(X)


def mlp_loss_and_gradients(X: np.ndarray, y: np.ndarray, params: dict[str, np.ndarray]
                           ) -> tuple[float, dict[str, np.ndarray]]:
    """The mean cross-entropy of softmax(S) with labels y (N,), and its gradient for every
    parameter (a dict with the keys of ``params``, each in its parameter's float dtype),
    by modular backpropagation through :func:`network`:

        delta^L = dL/dS = 1/m (softmax(S) - Y)
        dW^l = z^{l-1}^T delta^l,   db^l = sum_n delta^l_n,
        delta^{l-1} = (delta^l W^l^T) (*) relu'(s^{l-1})
    """
    model = network(params)
    loss, delta = softmax_cross_entropy(model.forward(X), y)
    model.backward(delta)
    names = _names(num_layers(params))
    grads = {name: p.grad for name, p in zip(names, model.parameters(), strict=True)}
    return loss, {key: grads[key] for key in params}


def gradient_check(f, params: dict[str, np.ndarray], h: float = 1e-5) -> float:
    """The largest relative error between ``f``'s analytic gradients and central differences.

    ``f(params) -> (loss, grads)``, ``grads`` a dict with the keys of ``params`` (as
    :func:`mlp_loss_and_gradients`). Every entry of every parameter is checked with
    :func:`reference.gradcheck.numerical_gradient` (step ``h``), which perturbs a copy:
    ``params`` is left as it was.

    Returns:
        max over all entries of |a - n| / max(|a| + |n|, 1e-8), as a float.
    """
    _, analytic = f(params)
    worst = 0.0
    for key, value in params.items():
        numerical = numerical_gradient(lambda v, key=key: f({**params, key: v})[0], value, h=h)
        worst = max(worst, relative_error(analytic[key], numerical))
    return worst


def train_softmax_classifier(X: np.ndarray, y: np.ndarray, lr: float, epochs: int,
                             batch_size: int, seed: int
                             ) -> tuple[np.ndarray, np.ndarray, list[float]]:
    """Multinomial logistic regression trained by mini-batch SGD (lecture 001).

    W (D, K) and b (K,) start at zero (K = max(y) + 1); ``rng =
    np.random.default_rng(seed)`` draws a fresh permutation of the N examples at the
    start of every epoch, cut into batches of ``batch_size`` (the last one smaller if
    need be); each batch takes one step theta <- theta - lr dL/dtheta with the batch's
    mean cross-entropy. After every epoch the loss on the whole training set is recorded.

    Returns:
        ``(W, b, losses)``, ``losses`` a list of ``epochs`` floats.
    """
    rng = np.random.default_rng(seed)
    k = int(np.max(y)) + 1
    params = {"W1": np.zeros((X.shape[1], k)), "b1": np.zeros(k)}
    losses = []
    for _ in range(epochs):
        for Xb, yb in minibatches(X, y, batch_size, rng):
            _, grads = mlp_loss_and_gradients(Xb, yb, params)
            params = {key: sgd_step(params[key], grads[key], lr) for key in params}
        losses.append(softmax_cross_entropy(mlp_forward(X, params), y)[0])
    return params["W1"], params["b1"], losses
