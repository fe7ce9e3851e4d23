"""Lab 01's answer key: the reference neuron, perceptron, closed forms, logistic loss, gradient
descent and normalizations, and the wrong variants its checks' feedback names (each a sentence
and the value that mistake gives on the same inputs).

The checks ask for these through their ``oracle``; the visible checks' answers are recorded
from here at release time, so none of this ships to students.
"""

from __future__ import annotations

import numpy as np

from autograder.answers.float64 import sigmoid64
from nnlabs.checks.lab01 import PERCEPTRON_EPOCHS, step, with_ones
from reference.data import min_max_scale, standardize  # noqa: F401 - the oracle's answers
from reference.neuron import (  # noqa: F401
    add_bias,
    gradient_descent_neuron,
    linear_regression,
    logistic_loss_and_grad,
    neuron_output,
    perceptron_predict,
    perceptron_train,
    ridge_regression,
    sign,
)

# The activations a check hands to neuron_output, by name (a probe cannot receive functions).
ACTIVATIONS = {"identity": lambda s: s, "sigmoid": sigmoid64, "tanh": np.tanh}


def add_bias_mistakes(X: np.ndarray) -> dict:
    m = X.shape[0]
    return {"the ones are the last column: x_0 = 1 comes first, x' = (1, x_1, ..., x_n), so "
            "that w[0] is the bias.": np.column_stack([X, np.ones(m)])}


def neuron_output_with(w: np.ndarray, X: np.ndarray, activation: str) -> np.ndarray:
    """The neuron's output o = phi(<w', x'>), phi the activation named ``activation``."""
    return ACTIVATIONS[activation](add_bias(X) @ w)


def neuron_output_mistakes(w: np.ndarray, X: np.ndarray, activation: str) -> dict:
    phi = ACTIVATIONS[activation]
    s = add_bias(X) @ w
    mistakes = {"it ignores the bias: s = <w', x'> = w_0 * 1 + w_1 x_1 + ... + w_n x_n, and "
                "w[0] = w_0 is the bias.": phi(X @ w[1:]),
                "it pairs the bias with the last column: either it takes w[-1] as the bias, or "
                "the ones are the last column of add_bias(X); the bias is the first weight, w[0], "
                "the weight of x_0 = 1.": phi(X @ w[:-1] + w[-1])}
    if activation != "identity":
        mistakes["it is the inner potential s = <w', x'>: apply the activation, o = phi(s)."] = s
    return mistakes


def sign_mistakes(s: np.ndarray) -> dict:
    return {"it is 0 at s = 0, as np.sign is: the perceptron's f(s) is -1 for s < 0 and +1 "
            "otherwise, so f(0) = +1.": np.sign(s),
            "it is -1 at s = 0: f(s) = -1 only for s < 0, so f(0) = +1.": np.where(s > 0, 1, -1),
            "its values are 0 and 1: the perceptron's outputs are -1 and +1.": (s >= 0) * 1.0}


def perceptron_predict_mistakes(w: np.ndarray, X: np.ndarray) -> dict:
    s = with_ones(X) @ w
    return {"it ignores the bias: y_hat = f(<w', x'>) with x_0 = 1, so w[0] counts.":
            step(X @ w[1:])} | sign_mistakes(s)


def perceptron64(X: np.ndarray, y: np.ndarray, lr: float, epochs: int, w0: np.ndarray | None,
                 *, direction: float = 1.0, bias: bool = True, zero_is_wrong: bool = False,
                 every_example: bool = False) -> np.ndarray:
    """The perceptron rule with one planted mistake, for the feedback (never the oracle)."""
    Xb = with_ones(X)
    w = np.zeros(Xb.shape[1]) if w0 is None else np.array(w0, dtype=np.float64)
    for _ in range(epochs):
        mistakes = 0
        for x_i, y_i in zip(Xb, y, strict=True):
            s = x_i @ w
            wrong = step(s) != y_i or (zero_is_wrong and s == 0)
            if wrong or every_example:
                update = direction * lr * y_i * x_i
                if not bias:
                    update[0] = 0.0
                w = w + update
                mistakes += bool(wrong)
        if mistakes == 0:
            break
    return w


def perceptron_train_mistakes(X: np.ndarray, y: np.ndarray, lr: float,
                              w0: np.ndarray | None) -> dict:
    """The rule's wrong variants, run for ``PERCEPTRON_EPOCHS`` epochs as the checks do."""
    variant = {"lr": lr, "epochs": PERCEPTRON_EPOCHS, "w0": w0}
    mistakes = {
        "it moves w away from a misclassified example, w - lr y_i x_i: the rule adds "
        "lr y_i x_i, which turns <w, x_i> towards the sign of y_i.":
        perceptron64(X, y, direction=-1.0, **variant),
        "the bias w_0 never changes: x_0 = 1 is part of every x_i, so each update adds "
        "lr y_i to w_0 as well.": perceptron64(X, y, bias=False, **variant),
        "it updates an example with s = 0 and y = +1 (np.sign(0) is 0): f(0) = +1, so that "
        "example is classified correctly and w must not change.":
        perceptron64(X, y, zero_is_wrong=True, **variant),
        "it updates w on every example: only a misclassified example, y_hat_i != y_i, "
        "changes w.": perceptron64(X, y, every_example=True, **variant)}
    if lr != 1.0:
        mistakes["it ignores lr: the update is w + lr y_i x_i."] = perceptron64(
            X, y, 1.0, PERCEPTRON_EPOCHS, w0)
    return mistakes


def ridge_regression_mistakes(X: np.ndarray, y: np.ndarray, lam: float) -> dict:
    Xb = with_ones(X)
    unpenalized_bias = np.eye(Xb.shape[1])
    unpenalized_bias[0, 0] = 0.0
    mistakes = {
        "it leaves the bias unpenalized: the lecture's formula adds lam I with the full "
        "(n + 1) x (n + 1) identity, so w_0 is penalized too.":
        np.linalg.solve(Xb.T @ Xb + lam * unpenalized_bias, Xb.T @ y)}
    with np.errstate(all="ignore"):
        everywhere = Xb.T @ Xb + lam
        if np.linalg.cond(everywhere) < 1e12:
            mistakes["it adds lam to every entry of X^T X (X.T @ X + lam broadcasts): add it "
                     "to the diagonal only, X^T X + lam I (np.eye)."] = np.linalg.solve(
                         everywhere, Xb.T @ y)
    return mistakes


def logistic_gradient_mistakes(w: np.ndarray, X: np.ndarray, y: np.ndarray) -> dict:
    m = X.shape[0]
    Xb = with_ones(X)
    y_hat = sigmoid64(Xb @ w)
    return {"it is X^T (y - y_hat) / m, the gradient of the log-likelihood: the loss is the "
            "negative log-likelihood, its gradient X^T (y_hat - y) / m.":
            Xb.T @ (y - y_hat) / m,
            "it is X^T (y_hat - y) without the 1/m: the loss is an average, so is its "
            "gradient.": Xb.T @ (y_hat - y)}


def standardize_mistakes(X_train, X_test) -> tuple[dict, dict]:
    """Named wrong values of (Z_train, Z_test)."""
    mu = X_train.mean(axis=0)

    def rows(X):
        return (X - X.mean(axis=1, keepdims=True)) / X.std(axis=1, keepdims=True)

    both = {"it uses the mean and std of the whole matrix (no axis): each feature j has its "
            "own mu^j and sigma^j, np.mean(X, axis=0).":
            lambda X: (X - X_train.mean()) / X_train.std(),
            "it divides by the sample std (ddof=1, 1/(n-1)): the lecture's sigma^j is the "
            "population std, sqrt((1/n) sum_i (x_i^j - mu^j)^2), np.std's default.":
            lambda X: (X - mu) / X_train.std(axis=0, ddof=1),
            "it standardizes each example (row, axis=1): the statistics are per feature, over "
            "the examples: axis=0.": rows}
    train = {k: f(X_train) for k, f in both.items()}
    test = {k: f(X_test) for k, f in both.items()}
    test["it standardizes the test set with its own statistics: the test data are transformed "
         "with the training mu and sigma, fitted on the training set alone."] = (
             (X_test - X_test.mean(axis=0)) / X_test.std(axis=0))
    return train, test


def min_max_mistakes(X_train, X_test) -> tuple[dict, dict]:
    low, high = X_train.min(axis=0), X_train.max(axis=0)
    both = {"it divides by the maximum: z = (x - min) / (max - min), the range of the feature.":
            lambda X: (X - low) / high,
            "it uses the minimum and maximum of the whole matrix (no axis): each feature j has "
            "its own, np.min(X, axis=0).":
            lambda X: (X - X_train.min()) / (X_train.max() - X_train.min())}
    train = {k: f(X_train) for k, f in both.items()}
    test = {k: f(X_test) for k, f in both.items()}
    test["it fits the test set on its own minimum and maximum: the test data are transformed "
         "with the training set's, and may leave [0, 1]."] = (
             (X_test - X_test.min(axis=0)) / (X_test.max(axis=0) - X_test.min(axis=0)))
    return train, test
