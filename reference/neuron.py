"""A single artificial neuron (lectures 000 and 001; topics 1-5).

A neuron computes ``o = phi(w^T x)``. The bias is an extra input
``x_0 = 1`` weighted by ``w_0 = b`` (lecture 001, "treating bias"):

    s = <w, x> + b = <w', x'>,   x' = (1, x_1, ..., x_n),   w' = (w_0, w_1, ..., w_n).

Convention of this module: every function takes the *raw* inputs ``X`` of
shape ``(m, n)`` (one example per row, no column of ones) and a weight
vector ``w`` of shape ``(n + 1,)`` whose first entry is the bias ``w_0``.
The functions prepend the column of ones themselves (:func:`add_bias`), so
``X`` in the formulas below is the lectures' ``X`` with the ones column,
``X' = add_bias(X)``, of shape ``(m, n + 1)``.

Float64 by default; float32 inputs give float32 results. No function
modifies its inputs.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from reference import as_float, num_examples
from reference.activations import sigmoid


def add_bias(X: np.ndarray) -> np.ndarray:
    """Prepend the constant input x_0 = 1: ``(m, n) -> (m, n + 1)``, ones in column 0."""
    X = as_float(X)
    if X.ndim != 2:
        raise ValueError(f"X must have shape (m, n), got {X.shape}")
    return np.concatenate([np.ones((X.shape[0], 1), dtype=X.dtype), X], axis=1)


def neuron_output(w: np.ndarray, X: np.ndarray,
                  phi: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """o = phi(X' w) for every example: the neuron's output, shape ``(m,)``.

    Args:
        w: weights ``(n + 1,)``; ``w[0]`` is the bias w_0 = b.
        X: raw inputs ``(m, n)``; the column x_0 = 1 is added here.
        phi: the activation, applied elementwise to the inner potentials s.
    """
    return phi(add_bias(X) @ as_float(w))


def sign(s: np.ndarray) -> np.ndarray:
    """The MCP perceptron's activation f(s) = -1 if s < 0 else +1 (so f(0) = +1).

    Unlike ``np.sign``, which returns 0 at 0. Float inputs keep their dtype.
    """
    s = as_float(s)
    return np.where(s < 0, -1.0, 1.0).astype(s.dtype)


def perceptron_predict(w: np.ndarray, X: np.ndarray) -> np.ndarray:
    """The perceptron's outputs y_hat = f(<w', x'>) in {-1, +1}, shape ``(m,)``."""
    return neuron_output(w, X, sign)


def perceptron_train(X: np.ndarray, y: np.ndarray, lr: float = 1.0, epochs: int = 100,
                     w0: np.ndarray | None = None) -> np.ndarray:
    """The perceptron learning rule (Rosenblatt), online, examples in the given order.

    With targets y_i in {-1, +1} and y_hat_i = f(<w, x_i>) (sign activation,
    f(0) = +1), each example that is misclassified, y_hat_i != y_i, moves the
    weights towards it:

        w <- w + lr * y_i * x_i        (x_i with x_0 = 1, so w_0 = b learns too)

    Correctly classified examples leave ``w`` unchanged. One epoch is one pass
    over the examples; training stops after the first epoch without a mistake
    (the data are then separated) or after ``epochs`` epochs. On linearly
    separable data the perceptron convergence theorem guarantees the first.

    Args:
        X: raw inputs ``(m, n)``.
        y: targets ``(m,)`` in {-1, +1}.
        lr: the learning rate (any lr > 0 separates the same data when w0 = 0).
        epochs: the largest number of passes.
        w0: initial weights ``(n + 1,)``; zeros by default. Not modified.

    Returns:
        The weights ``(n + 1,)``, ``w[0]`` the bias.
    """
    Xb = add_bias(X)
    y = np.asarray(y)
    if y.shape != (Xb.shape[0],) or not np.all(np.isin(y, (-1, 1))):
        raise ValueError("y must have shape (m,) with values in {-1, +1}")
    w = np.zeros(Xb.shape[1], dtype=Xb.dtype) if w0 is None else as_float(w0).astype(Xb.dtype)
    for _ in range(epochs):
        mistakes = 0
        for x_i, y_i in zip(Xb, y, strict=True):
            if sign(x_i @ w) != y_i:
                w = w + lr * y_i * x_i
                mistakes += 1
        if mistakes == 0:
            break
    return w


def linear_regression(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Least squares by the normal equation, w* = (X^T X)^{-1} X^T y, with X = add_bias(X).

    A linear neuron (phi = identity) minimizes the squared error
    (y - Xw)^T (y - Xw); setting its gradient to zero gives X^T X w = X^T y,
    solved here with ``np.linalg.solve`` (never an explicit inverse).

    Args:
        X: raw inputs ``(m, n)``.
        y: targets ``(m,)`` (or ``(m, k)`` for k outputs at once).

    Returns:
        ``w*`` of shape ``(n + 1,)`` (or ``(n + 1, k)``), ``w*[0]`` the bias.

    Raises:
        numpy.linalg.LinAlgError: if X^T X is singular (fewer independent
            examples than weights); :func:`ridge_regression` then has a solution.
    """
    Xb = add_bias(X)
    return np.linalg.solve(Xb.T @ Xb, Xb.T @ as_float(y).astype(Xb.dtype))


def ridge_regression(X: np.ndarray, y: np.ndarray, lam: float) -> np.ndarray:
    """Ridge regression, w* = (X^T X + lam I)^{-1} X^T y, with X = add_bias(X).

    The minimizer of the L2-regularized squared error of lecture 001,

        L(w) = (y - Xw)^T (y - Xw) + lam w^T w,      lam > 0,

    as the lecture writes it: ``I`` is the full ``(n + 1) x (n + 1)`` identity,
    so the bias w_0 is penalized too. (The layers of this package never
    penalize biases; here we keep the classical formula. Centring X and y
    first makes the difference vanish.) X^T X + lam I is positive definite for
    lam > 0, so the system always has a unique solution.

    Args:
        X: raw inputs ``(m, n)``.
        y: targets ``(m,)`` (or ``(m, k)``).
        lam: the regularization strength lambda >= 0 (0 is plain least squares).

    Returns:
        ``w*`` of shape ``(n + 1,)`` (or ``(n + 1, k)``), ``w*[0]`` the bias.
    """
    if lam < 0:
        raise ValueError(f"lam must be >= 0, got {lam}")
    Xb = add_bias(X)
    A = Xb.T @ Xb + lam * np.eye(Xb.shape[1], dtype=Xb.dtype)
    return np.linalg.solve(A, Xb.T @ as_float(y).astype(Xb.dtype))


def logistic_loss_and_grad(w: np.ndarray, X: np.ndarray,
                           y: np.ndarray) -> tuple[float, np.ndarray]:
    """Logistic regression's cross-entropy and its gradient, averaged over the m examples.

    With s = Xw (X = add_bias(X)) and y_hat = sigma(s), the negative log
    likelihood of Bernoulli targets y_i in {0, 1} (lecture 001), divided by m:

        L(w)   = -(1/m) sum_i [y_i log y_hat_i + (1 - y_i) log(1 - y_hat_i)]
        dL/dw  =  (1/m) X^T (y_hat - y)            (since dL/ds_i = (y_hat_i - y_i) / m)

    The loss is computed as (1/m) sum_i [log(1 + e^{s_i}) - y_i s_i], the same
    quantity written so that no log(0) or overflow occurs for large |s|.

    Args:
        w: weights ``(n + 1,)``, ``w[0]`` the bias.
        X: raw inputs ``(m, n)``.
        y: targets ``(m,)`` in {0, 1} (probabilities in [0, 1] also work).

    Returns:
        ``(loss, grad)``: a float and an array of ``w``'s shape and float dtype.
    """
    Xb = add_bias(X)
    m = num_examples(Xb)
    w = as_float(w)
    y = as_float(y).astype(Xb.dtype)
    s = Xb @ w.astype(Xb.dtype)
    loss = float(np.mean(np.logaddexp(0.0, s) - y * s))
    grad = Xb.T @ (sigmoid(s) - y) / m
    return loss, grad.astype(w.dtype, copy=False)


def gradient_descent_neuron(X: np.ndarray, y: np.ndarray, lr: float, epochs: int,
                            w0: np.ndarray | None = None,
                            lam: float = 0.0) -> tuple[np.ndarray, list[float]]:
    """Train a linear neuron o = <w, x> by full-batch gradient descent (lecture 000).

    The loss is the mean squared error, plus an optional L2 penalty:

        L(w)  = (1/m) [ sum_i (y_i - <w, x_i>)^2 + lam w^T w ]
        dL/dw = (2/m) [ X^T (Xw - y) + lam w ]
        w_new = w_old - lr * dL/dw                          (once per epoch)

    L is the lecture's sum-of-squares loss divided by m, so its minimizer is
    the same: w* = (X^T X + lam I)^{-1} X^T y (:func:`ridge_regression`, or
    :func:`linear_regression` for lam = 0). Gradient descent converges to it
    when lr < 1 / lambda_max, lambda_max the largest eigenvalue of
    (X^T X + lam I) / m.

    Args:
        X: raw inputs ``(m, n)``; the bias column is added.
        y: targets ``(m,)``.
        lr: the step size gamma.
        epochs: the number of gradient steps (one per pass over the data).
        w0: initial weights ``(n + 1,)``; zeros by default (fine for a
            linear model). Not modified.
        lam: L2 penalty on all of w, bias included, as in :func:`ridge_regression`.

    Returns:
        ``(w, loss_history)``: the final weights ``(n + 1,)`` and the losses
        L(w_0), L(w_1), ..., L(w_epochs), ``epochs + 1`` floats.
    """
    Xb = add_bias(X)
    y = as_float(y).astype(Xb.dtype)
    m = num_examples(Xb)
    w = np.zeros(Xb.shape[1], dtype=Xb.dtype) if w0 is None else as_float(w0).astype(Xb.dtype)

    def loss(w: np.ndarray) -> float:
        r = y - Xb @ w
        return float((r @ r + lam * (w @ w)) / m)

    history = [loss(w)]
    for _ in range(epochs):
        grad = 2.0 / m * (Xb.T @ (Xb @ w - y) + lam * w)
        w = w - lr * grad
        history.append(loss(w))
    return w, history
