"""Weight penalties and early stopping (lectures 001 and 003; topics 26 and 28).

A penalty adds kappa P(theta) to the training loss E(S, theta) (lecture 003):

    E'(S, theta) = E(S, theta) + kappa P(theta).

Each penalty function takes a weight array ``w`` (any shape) and its
coefficient and returns ``(value, grad)``: the penalty as a float and its
gradient with respect to ``w``, an array of ``w``'s shape and float dtype. Penalties
apply to weights only, never to biases: :func:`add_penalty` skips every
parameter with ``regularize=False``.

Early stopping (lecture 003) trains while watching the validation error and
returns the parameters with the lowest one seen, stopping once ``p``
evaluations in a row, ``n`` updates apart, have not improved on it.
:class:`EarlyStopping` is the algorithm as an object a training loop feeds;
:func:`early_stopping` is the lecture's pseudocode on a plain array, built on it.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from reference.parameter import Parameter

Penalty = Callable[..., tuple[float, np.ndarray]]


def l1_penalty(w: np.ndarray, lam: float) -> tuple[float, np.ndarray]:
    """L1 (lasso) penalty: lam ||w||_1 = lam sum |w_i|, gradient lam sign(w).

    At w_i = 0, where |w_i| has no derivative, the gradient is 0 (a
    subgradient). A gradient-descent step is the lecture's
    theta <- theta - eta lam sign(theta) - eta grad E, which drives weights to
    exactly zero (sparse networks).
    """
    lam = float(lam)
    return lam * float(np.sum(np.abs(w))), lam * np.sign(w)


def l2_penalty(w: np.ndarray, lam: float) -> tuple[float, np.ndarray]:
    """L2 (Tikhonov, ridge) penalty: (lam / 2) ||w||_2^2, gradient lam w.

    A gradient-descent step on the penalized loss is weight decay:
    theta <- theta - eta (grad E + lam theta) = (1 - eta lam) theta - eta grad E.
    It is also a MAP estimate (lecture 001): a Gaussian prior N(0, 1/lam) on each
    weight has -log p(w) = (lam / 2) ||w||^2 + const.
    """
    lam = float(lam)
    return lam / 2 * float(np.sum(w * w)), lam * w


def elastic_net_penalty(w: np.ndarray, l1: float, l2: float) -> tuple[float, np.ndarray]:
    """Elastic net: l1 ||w||_1 + (l2 / 2) ||w||_2^2, the sum of the L1 and L2 penalties.

    Lecture 003's kappa (kappa' ||w||_1 + (1 - kappa') / 2 ||w||_2^2) is
    ``l1 = kappa kappa'`` and ``l2 = kappa (1 - kappa')``.
    """
    value1, grad1 = l1_penalty(w, l1)
    value2, grad2 = l2_penalty(w, l2)
    return value1 + value2, grad1 + grad2


def add_penalty(params: list[Parameter], penalty: Penalty, **coefficients: float) -> float:
    """Add a penalty's gradient to ``p.grad`` of every weight; return the summed penalty.

    Parameters with ``regularize=False`` (biases) are skipped. Gradients
    accumulate (:mod:`reference.parameter`), so it may come before or after the
    backward pass of the same step; add the returned value to the data loss to
    report the penalized loss. Example:
    ``add_penalty(params, l2_penalty, lam=1e-4)``.
    """
    total = 0.0
    for p in params:
        if p.regularize:
            value, grad = penalty(p.value, **coefficients)
            p.accumulate(grad)
            total += value
    return total


class EarlyStopping:
    """Lecture 003's early stopping, one validation evaluation at a time.

    Input: n (``period``), the number of updates between evaluations, and p
    (``patience``), the number of evaluations without improvement before stopping.

        theta* <- theta; bestError <- +inf; j <- 0
        while j < p:
            perform n updates of theta
            j <- j + 1
            if Validation(theta) < bestError:
                bestError <- Validation(theta); j <- 0; theta* <- theta
        return theta*

    The training loop performs the n updates and calls :meth:`observe` with
    the validation error; it stops when ``observe`` returns True and calls
    :meth:`restore` to put theta* back into the parameters.

    Attributes:
        best_error: bestError, the lowest validation error seen (+inf at first).
        best_values: copies of the parameters' values at that error (theta*),
            or None before the first improvement.
        best_step: ``period`` times the evaluations up to theta*: the updates
            (or epochs, if the loop counts ``period`` in epochs) that produced it.
        j: evaluations since the last improvement.
        evaluations: evaluations observed so far.
    """

    def __init__(self, period: int, patience: int) -> None:
        if period < 1 or patience < 1:
            raise ValueError(f"period and patience must be >= 1, got {period} and {patience}")
        self.period = period
        self.patience = patience
        self.best_error = float("inf")
        self.best_values: list[np.ndarray] | None = None
        self.best_step = 0
        self.j = 0
        self.evaluations = 0

    def observe(self, validation_error: float, params: list[Parameter]) -> bool:
        """Record one evaluation (after ``period`` more updates); True means stop.

        An error strictly lower than ``best_error`` is an improvement: it
        stores copies of the parameters' values and resets ``j``.
        """
        self.evaluations += 1
        self.j += 1
        if validation_error < self.best_error:
            self.best_error = float(validation_error)
            self.j = 0
            self.best_values = [p.value.copy() for p in params]
            self.best_step = self.evaluations * self.period
        return self.j >= self.patience

    def restore(self, params: list[Parameter]) -> None:
        """Copy theta* into the parameters' value arrays, in place."""
        if self.best_values is None:
            raise RuntimeError("no validation error has improved on +inf: nothing to restore")
        for p, best in zip(params, self.best_values, strict=True):
            p.value[...] = best


def early_stopping(
    theta0: np.ndarray,
    update: Callable[[np.ndarray, int], np.ndarray],
    validation_error: Callable[[np.ndarray], float],
    n: int,
    p: int,
) -> tuple[np.ndarray, float]:
    """Lecture 003's early stopping on a plain array, line by line (see :class:`EarlyStopping`).

    Args:
        theta0: the initial parameters theta_0 (copied, never modified).
        update: ``update(theta, n)`` returns theta after n training updates.
        validation_error: ``validation_error(theta)`` returns the error as a float.
        n: updates between validation evaluations.
        p: evaluations without improvement before stopping.

    Returns:
        ``(theta_star, best_error)``: the parameters with the lowest validation
        error seen, and that error.
    """
    theta = np.array(theta0, copy=True)                 # 1  theta <- theta_0
    stopper = EarlyStopping(period=n, patience=p)      # 2-3  bestError <- inf, j <- 0
    stopped = False
    while not stopped:                                 # 4  while j < p
        theta = update(theta, n)                       # 5  n updates of theta
        holder = Parameter(theta)                      # 6-10  j, bestError, theta*
        stopped = stopper.observe(validation_error(theta), [holder])
    if stopper.best_values is None:                    # 1  theta* <- theta_0
        return np.array(theta0, copy=True), stopper.best_error
    return stopper.best_values[0], stopper.best_error  # 13  return theta*
