"""Lab 07's hidden checks: random shapes, coefficients, curves and batches, drawn from the
grading seed.

They add to the questions of :mod:`nnlabs.checks.lab07` and use its helpers; their
``oracle`` is the answer key, :mod:`autograder.answers.lab07`.
"""

from __future__ import annotations

import numpy as np

from nnlabs.checks.lab07 import (
    adam,
    adam_hyper,
    bn,
    check_adam_steps,
    check_bn_backward,
    check_bn_train,
    check_early_stopping,
    check_l1_value,
    check_l2,
    check_penalty,
    dropout,
    early,
    expect_inverted_mask,
    expect_kept_fraction,
    keep_probability,
    l1,
    l2,
    named_parameters,
    penalty,
    random_matrix_shape,
)
from nnlabs.draws import off_zero
from nnlabs.expect import GRADIENT_TOL, expect, expect_gradient, expect_tuple


@l2.check(points=1, hidden=True)
def test_l2_value_and_gradient_on_random_inputs(student, oracle, rng):
    w, lam = rng.normal(size=random_matrix_shape(rng)), float(rng.uniform(0.01, 2.0))
    check_l2(student, oracle, w, lam, f"l2_penalty(w, lam={lam:.3g}), w of shape {w.shape}")


@l1.check(points=1, hidden=True)
def test_l1_gradient_matches_central_differences_off_zero(student, oracle, rng):
    w, lam = off_zero(rng, random_matrix_shape(rng)), float(rng.uniform(0.01, 2.0))
    what = f"l1_penalty(w, lam={lam:.3g}), w of shape {w.shape}"
    grad, mistakes = check_l1_value(student, oracle, w, lam, what)
    numerical = oracle.central_differences("l1_penalty", [w, lam], output=0)
    expect_gradient(grad, numerical, f"the gradient of {what}", tol=GRADIENT_TOL,
                    mistakes=mistakes)


@penalty.check(points=1, hidden=True)
def test_penalty_reduces_to_l1_or_l2_alone(student, oracle, rng):
    params = named_parameters(rng, extra=True)
    lam = float(rng.uniform(0.1, 1.0))
    check_penalty(student, oracle, params, lam, 0.0, "regularization_penalty with l2 = 0")
    check_penalty(student, oracle, params, 0.0, lam, "regularization_penalty with l1 = 0")


@adam.check(points=1, hidden=True)
def test_adam_l2_and_adamw_five_steps_on_random_inputs(student, oracle, rng):
    shape = random_matrix_shape(rng)
    theta, grads = rng.normal(size=shape), [rng.normal(size=shape) for _ in range(5)]
    hyper = adam_hyper(rng)
    for step in ("adam_l2_step", "adamw_step"):
        check_adam_steps(student, oracle, step, theta, grads, hyper, f"shape {shape}")


@dropout.check(points=1, hidden=True)
def test_dropout_preserves_the_expectation(student, rng):
    p, seed = keep_probability(rng), int(rng.integers(1e6))
    X = np.full((400, 50), float(rng.uniform(0.5, 2.0)))
    what = f"dropout_forward(X, keep_prob={p:.3g}, seed, train=True) on a constant X"
    out, mask = expect_tuple(student.dropout_forward(X, p, seed, True), 2, what, "out, mask")
    expect_kept_fraction(mask, p, what)
    mean, x = float(np.mean(out)), float(X[0, 0])
    bound = 6 * x * np.sqrt((1 - p) / p / X.size)
    expect(abs(mean - x) <= bound, f"{what}: the mean of out is {mean:.4g}, expected "
           f"E[mu x] = x = {x:.4g}: inverted dropout keeps each unit with probability p and "
           "divides it by p.")
    expect_inverted_mask(out, mask, X, p, what)


@early.check(points=1, hidden=True)
def test_early_stopping_on_random_curves_with_plateaus(student, oracle, rng):
    for _ in range(3):
        n, p = int(rng.integers(1, 4)), int(rng.integers(2, 5))
        k = int(rng.integers(4, 10))
        down = np.round(np.sort(rng.uniform(0.2, 1.0, size=k))[::-1], 1)  # rounding: plateaus
        down = np.append(down, down[-1])  # the lowest error twice: a tie at the best moves theta*
        up = down[-1] + np.cumsum(rng.uniform(0.05, 0.2, size=p + 3))
        evaluations = [float(e) for e in np.concatenate([down, up])]
        check_early_stopping(student, oracle, evaluations, int(rng.integers(0, 10)), n, p,
                             f"early_stopping with n = {n}, p = {p}, validation errors "
                             f"{np.round(evaluations, 3).tolist()}")


@bn.check(points=1, hidden=True)
def test_batchnorm_train_and_backward_on_random_inputs(student, oracle, rng):
    shape = (int(rng.integers(3, 8)), int(rng.integers(2, 5)))
    X = rng.normal(rng.normal(size=shape[1]), rng.uniform(0.5, 3.0, size=shape[1]), size=shape)
    momentum = float(rng.uniform(0.05, 0.3))
    gamma, beta = check_bn_train(student, oracle, X, momentum,
                                 f"batchnorm_forward(..., momentum={momentum:.3g}, train=True), "
                                 f"X of shape {shape}", rng)
    check_bn_backward(student, oracle, X, gamma, beta, f"batchnorm_backward, X of shape {shape}",
                      rng)
