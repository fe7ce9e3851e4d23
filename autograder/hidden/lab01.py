"""Lab 01's hidden checks: random shapes, weights, rates and data sets, drawn from the grading
seed, and the facts the visible checks take on trust (noise-free weights are recovered,
gradient descent converges to the least-squares solution).

They add to the questions of :mod:`nnlabs.checks.lab01` and use its helpers; their
``oracle`` is the answer key, :mod:`autograder.answers.lab01`.
"""

from __future__ import annotations

import numpy as np

from nnlabs.checks.lab01 import (
    boundary_example,
    check_add_bias,
    check_descent,
    check_linear_regression,
    check_logistic,
    check_neuron_output,
    check_perceptron_predict,
    check_ridge,
    check_scaling,
    check_separates,
    check_sign,
    classification_data,
    descent,
    expect_weights,
    least_squares,
    logistic,
    min_max,
    neuron,
    perceptron,
    perceptron_rule,
    regression_data,
    ridge,
    scaling_data,
    scaling_shape,
    separable_data,
    standardization,
    with_ones,
)
from nnlabs.expect import expect_close, expect_finite, expect_tuple

# The activations neuron_output is graded with, by name (the answer key holds the functions).
ACTIVATIONS = ("identity", "sigmoid", "tanh")


@neuron.check(points=1, hidden=True)
def test_add_bias_and_neuron_output_match_on_random_inputs(student, oracle, rng):
    m, n = (int(k) for k in rng.integers(1, 7, size=2))
    X, w = rng.normal(0.0, 2.0, size=(m, n)), rng.normal(size=n + 1)
    check_add_bias(student, oracle, X, f"add_bias(X), X of shape {X.shape}")
    for activation in ACTIVATIONS:
        check_neuron_output(student, oracle, w, X, activation,
                            f"neuron_output(w, X, {activation}), X of shape {X.shape}")

@perceptron.check(points=1, hidden=True)
def test_sign_matches_on_random_inputs_with_zeros(student, oracle, rng):
    s = rng.normal(0.0, 3.0, size=(int(rng.integers(2, 5)), int(rng.integers(2, 5))))
    s[rng.random(s.shape) < 0.3] = 0.0
    s[0, 0] = 0.0
    check_sign(student, oracle, s, f"sign(s), s of shape {s.shape} with some zeros")

@perceptron.check(points=1, hidden=True)
def test_perceptron_predict_matches_on_random_inputs(student, oracle, rng):
    m, n = int(rng.integers(4, 10)), int(rng.integers(1, 5))
    w, X = boundary_example(rng, m, n)
    w[0] = rng.choice([-1.0, 1.0]) * rng.integers(1, 4)
    X[0, 0] = -(w[0] + X[0, 1:] @ w[2:]) / w[1]
    # Example 1 has X w[1:] = 0, so s = w_0 (with example 0's s = 0, the bias flips one
    # sign); example 2 has s < 0, where sign gives -1, not 0.
    X[1, 0] = -(X[1, 1:] @ w[2:]) / w[1]
    X[2, 0] = -(w[0] + X[2, 1:] @ w[2:] + rng.integers(1, 4)) / w[1]
    check_perceptron_predict(student, oracle, w, X, f"perceptron_predict(w, X), X of shape "
                             f"{X.shape}, some examples on the decision boundary")

@perceptron_rule.check(points=1, hidden=True)
def test_perceptron_train_separates_random_data_that_need_a_bias(student, rng):
    m, n = int(rng.integers(10, 21)), int(rng.integers(2, 5))
    X, y = separable_data(rng, m, n)
    lr = float(rng.uniform(0.2, 2.0))
    check_separates(student, X, y, lr, f"perceptron_train(X, y, lr={lr:.3g}, epochs=200), "
                    f"X of shape {X.shape}")

@least_squares.check(points=1, hidden=True)
def test_linear_regression_matches_on_random_data(student, oracle, rng):
    m = int(rng.integers(8, 40))
    X, y = regression_data(rng, m, int(rng.integers(1, 6)))
    check_linear_regression(student, oracle, X, y, f"linear_regression(X, y), X of shape "
                            f"{X.shape}")

@least_squares.check(points=1, hidden=True)
def test_linear_regression_recovers_noise_free_weights_bias_first(student, rng):
    n = int(rng.integers(1, 5))
    X, _ = regression_data(rng, int(rng.integers(6, 20)), n)
    w_true = rng.normal(0.0, 2.0, size=n + 1)
    check_linear_regression(student, None, X, with_ones(X) @ w_true,
                            f"linear_regression(X, y) with y = X' w exactly, w = "
                            f"{np.array2string(w_true, precision=3)}", expected=w_true)

@ridge.check(points=1, hidden=True)
def test_ridge_regression_matches_on_random_data_and_lambdas(student, oracle, rng):
    X, y = regression_data(rng, int(rng.integers(8, 40)), int(rng.integers(1, 6)))
    lam = float(10 ** rng.uniform(-2, 1.5))
    check_ridge(student, oracle, X, y, lam, f"ridge_regression(X, y, lam={lam:.3g}), X of "
                f"shape {X.shape}")

@ridge.check(points=1, hidden=True)
def test_ridge_regression_solves_problems_with_more_weights_than_examples(student, oracle, rng):
    n = int(rng.integers(5, 9))
    X, y = regression_data(rng, int(rng.integers(2, n)), n)
    lam = float(rng.uniform(0.1, 2.0))
    check_ridge(student, oracle, X, y, lam, f"ridge_regression(X, y, lam={lam:.3g}), X of "
                f"shape {X.shape} (fewer examples than weights, so X^T X is singular)")

@logistic.check(points=1, hidden=True)
def test_logistic_loss_and_gradient_on_random_inputs(student, oracle, rng):
    m, n = int(rng.integers(3, 30)), int(rng.integers(1, 6))
    X, w, y = classification_data(rng, m, n)
    check_logistic(student, oracle, w, X, y, f"logistic_loss_and_grad(w, X, y), X of shape "
                   f"{X.shape}")

@descent.check(points=1, hidden=True)
def test_gradient_descent_neuron_matches_from_a_random_start(student, oracle, rng):
    m, n = int(rng.integers(5, 20)), int(rng.integers(1, 5))
    X, y = regression_data(rng, m, n)
    lr, epochs = float(rng.uniform(0.005, 0.05)), int(rng.integers(3, 20))
    check_descent(student, oracle, X, y, lr, epochs, rng.normal(size=n + 1),
                  f"gradient_descent_neuron(X, y, lr={lr:.3g}, epochs={epochs}, w0), X of "
                  f"shape {X.shape}")

@descent.check(points=1, hidden=True)
def test_gradient_descent_neuron_converges_to_the_least_squares_weights(student, oracle, rng):
    n = int(rng.integers(1, 4))
    X = rng.normal(size=(40, n))
    y = with_ones(X) @ rng.normal(size=n + 1) + 0.1 * rng.normal(size=40)
    what = "gradient_descent_neuron(X, y, lr=0.1, epochs=1000) on standardized inputs"
    w, _ = expect_tuple(student.gradient_descent_neuron(X, y, 0.1, 1000), 2, what, "w, losses")
    expect_weights(w, n, f"w of {what}")
    expect_finite(w, f"w of {what}", "gradient descent diverged, although lr = 0.1 is a safe "
                  "step for these inputs: does each step go against the gradient, "
                  "w - lr (2/m) X^T (Xw - y), averaged over the m examples (a sum takes m "
                  "times the step size)?")
    expect_close(w, oracle.linear_regression(X, y), f"w of {what}: after 1000 steps it should "
                 "be the least-squares solution (X^T X)^{-1} X^T y", rtol=1e-6, atol=1e-6)

@standardization.check(points=1, hidden=True)
def test_standardize_matches_on_random_data(student, oracle, rng):
    X_train, X_test = scaling_data(rng, *scaling_shape(rng))
    check_scaling(student, oracle, "standardize", X_train, X_test, f"standardize(X_train, "
                  f"X_test), shapes {X_train.shape} and {X_test.shape}",
                  oracle.standardize_mistakes(X_train, X_test))

@min_max.check(points=1, hidden=True)
def test_min_max_scale_matches_on_random_data(student, oracle, rng):
    X_train, X_test = scaling_data(rng, *scaling_shape(rng))
    check_scaling(student, oracle, "min_max_scale", X_train, X_test, f"min_max_scale(X_train, "
                  f"X_test), shapes {X_train.shape} and {X_test.shape}",
                  oracle.min_max_mistakes(X_train, X_test))
