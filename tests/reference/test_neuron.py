"""A single neuron: bias as x0 = 1, perceptron, linear / ridge / logistic regression, GD."""

import numpy as np
import pytest

from reference import neuron
from reference.gradcheck import numerical_gradient, relative_error


@pytest.fixture
def rng():
    return np.random.default_rng(20261123)


@pytest.fixture
def regression_data(rng):
    """40 examples, 3 features, a linear target with noise; w_true[0] is the bias."""
    X = rng.standard_normal((40, 3))
    w_true = np.array([0.5, 2.0, -1.0, 3.0])
    y = w_true[0] + X @ w_true[1:] + 0.1 * rng.standard_normal(40)
    return X, y


@pytest.fixture
def separable_data(rng):
    """Points of [-1, 1]^2 at distance > 0.1 from the line 0.5 + 2 x1 - x2 = 0, labels +-1."""
    X = rng.uniform(-1, 1, size=(400, 2))
    s = 0.5 + X @ np.array([2.0, -1.0])
    keep = np.abs(s) > 0.1
    return X[keep], np.where(s[keep] < 0, -1, 1)


def test_add_bias_prepends_a_column_of_ones():
    X = np.array([[2.0, 3.0], [4.0, 5.0]])
    np.testing.assert_array_equal(neuron.add_bias(X), [[1.0, 2.0, 3.0], [1.0, 4.0, 5.0]])


def test_add_bias_keeps_float32():
    assert neuron.add_bias(np.ones((3, 2), dtype=np.float32)).dtype == np.float32


def test_neuron_output_uses_the_first_weight_as_the_bias(rng):
    X = rng.standard_normal((5, 2))
    w = np.array([0.7, -1.0, 2.0])
    np.testing.assert_allclose(neuron.neuron_output(w, X, np.tanh),
                               np.tanh(0.7 - X[:, 0] + 2.0 * X[:, 1]))


def test_sign_is_minus_one_below_zero_and_plus_one_from_zero_on():
    s = np.array([-3.0, -1e-300, 0.0, -0.0, 1e-300, 2.0])
    np.testing.assert_array_equal(neuron.sign(s), [-1, -1, 1, 1, 1, 1])


def test_perceptron_predicts_plus_one_on_the_decision_boundary():
    # w0 + w1 x1 = 1 - 1 = 0 exactly: f(0) = +1 by the lecture's definition.
    assert neuron.perceptron_predict(np.array([1.0, -1.0]), np.array([[1.0]]))[0] == 1


def test_perceptron_separates_linearly_separable_data(separable_data):
    X, y = separable_data
    w = neuron.perceptron_train(X, y, epochs=1000)
    np.testing.assert_array_equal(neuron.perceptron_predict(w, X), y)


def test_perceptron_update_adds_lr_times_label_times_input():
    # w = 0 predicts +1, so (x = (2, 3), y = -1) is misclassified: w <- 0 + 0.5 * (-1) * (1, 2, 3).
    w = neuron.perceptron_train(np.array([[2.0, 3.0]]), np.array([-1]), lr=0.5, epochs=1)
    np.testing.assert_array_equal(w, [-0.5, -1.0, -1.5])


def test_perceptron_stops_when_no_example_is_misclassified(separable_data):
    X, y = separable_data
    w_separating = np.array([0.5, 2.0, -1.0])
    w = neuron.perceptron_train(X, y, w0=w_separating)
    np.testing.assert_array_equal(w, w_separating)


def test_perceptron_rejects_zero_one_labels(separable_data):
    X, y = separable_data
    with pytest.raises(ValueError, match="-1, \\+1"):
        neuron.perceptron_train(X, (y + 1) // 2)


def test_perceptron_training_does_not_modify_w0(separable_data):
    X, y = separable_data
    w0 = np.zeros(3)
    neuron.perceptron_train(X, y, w0=w0)
    np.testing.assert_array_equal(w0, 0.0)


def test_normal_equation_matches_lstsq(regression_data):
    X, y = regression_data
    expected, *_ = np.linalg.lstsq(neuron.add_bias(X), y, rcond=None)
    np.testing.assert_allclose(neuron.linear_regression(X, y), expected, rtol=1e-10)


def test_linear_regression_recovers_noise_free_weights_bias_first(rng):
    X = rng.standard_normal((10, 2))
    y = 4.0 + X @ np.array([-2.0, 0.5])
    np.testing.assert_allclose(neuron.linear_regression(X, y), [4.0, -2.0, 0.5], atol=1e-12)


def test_ridge_with_zero_lambda_is_least_squares(regression_data):
    X, y = regression_data
    np.testing.assert_allclose(neuron.ridge_regression(X, y, 0.0),
                               neuron.linear_regression(X, y), rtol=1e-12)


def test_ridge_penalizes_the_bias_as_the_classical_formula_does(rng):
    # y is a constant 100: least squares puts it all in w0; a huge lambda shrinks w0 too.
    X = rng.standard_normal((20, 2))
    y = np.full(20, 100.0)
    assert abs(neuron.ridge_regression(X, y, 1e6)[0]) < 1.0


def test_ridge_solves_ill_posed_problems(rng):
    X = rng.standard_normal((3, 5))   # fewer examples than weights: X^T X is singular
    w = neuron.ridge_regression(X, rng.standard_normal(3), 0.1)
    assert np.all(np.isfinite(w))


@pytest.mark.parametrize("lam", [0.0, 0.5, 5.0])
def test_ridge_closed_form_is_the_fixed_point_of_gradient_descent(regression_data, lam):
    # (1/m)(||y - Xw||^2 + lam ||w||^2) has gradient (2/m)(X^T (Xw - y) + lam w), which is
    # zero exactly at (X^T X + lam I) w = X^T y: the closed form is the GD fixed point.
    X, y = regression_data
    Xb = neuron.add_bias(X)
    m = len(y)
    largest = np.linalg.eigvalsh(2.0 / m * (Xb.T @ Xb + lam * np.eye(4))).max()
    w_gd, _ = neuron.gradient_descent_neuron(X, y, lr=1.0 / largest, epochs=2000, lam=lam)
    np.testing.assert_allclose(w_gd, neuron.ridge_regression(X, y, lam), rtol=1e-9, atol=1e-12)


def test_logistic_gradient_matches_numerical_gradient(rng):
    X = rng.standard_normal((30, 4))
    y = (rng.uniform(size=30) < 0.5).astype(np.float64)
    w = rng.standard_normal(5)
    _, grad = neuron.logistic_loss_and_grad(w, X, y)
    numeric = numerical_gradient(lambda v: neuron.logistic_loss_and_grad(v, X, y)[0], w)
    assert relative_error(grad, numeric) < 1e-7


def test_logistic_loss_is_the_averaged_cross_entropy(rng):
    X = rng.standard_normal((30, 2))
    y = (rng.uniform(size=30) < 0.5).astype(np.float64)
    w = rng.standard_normal(3)
    y_hat = 1.0 / (1.0 + np.exp(-(neuron.add_bias(X) @ w)))
    expected = -np.mean(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat))
    assert neuron.logistic_loss_and_grad(w, X, y)[0] == pytest.approx(expected, rel=1e-12)


def test_logistic_loss_stays_finite_for_large_scores():
    # s = +-1000: the right answer costs ~0, the wrong one costs |s| = 1000 (not inf or nan).
    X = np.array([[1000.0], [-1000.0]])
    w = np.array([0.0, 1.0])
    loss, grad = neuron.logistic_loss_and_grad(w, X, np.array([0.0, 0.0]))
    assert loss == pytest.approx(500.0)
    assert np.all(np.isfinite(grad))


def test_logistic_gradient_keeps_float32(rng):
    X = rng.standard_normal((10, 2)).astype(np.float32)
    w = np.zeros(3, dtype=np.float32)
    _, grad = neuron.logistic_loss_and_grad(w, X, np.ones(10, dtype=np.float32))
    assert grad.dtype == np.float32


def test_gradient_descent_decreases_the_squared_loss_every_epoch(regression_data):
    X, y = regression_data
    _, history = neuron.gradient_descent_neuron(X, y, lr=0.05, epochs=50)
    assert np.all(np.diff(history) < 0)


def test_gradient_descent_history_starts_at_the_initial_loss(regression_data):
    X, y = regression_data
    _, history = neuron.gradient_descent_neuron(X, y, lr=0.05, epochs=50)
    assert len(history) == 51
    assert history[0] == pytest.approx(np.mean(y**2))   # w0 = 0 predicts 0


def test_logistic_loss_of_an_empty_batch_is_a_value_error():
    with pytest.raises(ValueError, match="empty batch"):
        neuron.logistic_loss_and_grad(np.zeros(3), np.zeros((0, 2)), np.zeros(0))


def test_gradient_descent_on_an_empty_batch_is_a_value_error():
    with pytest.raises(ValueError, match="empty batch"):
        neuron.gradient_descent_neuron(np.zeros((0, 2)), np.zeros(0), 0.1, 3)


def test_logistic_gradient_has_the_dtype_of_the_weights(rng):
    X, y = rng.standard_normal((5, 2)), rng.integers(0, 2, 5)
    _, grad = neuron.logistic_loss_and_grad(np.ones(3, np.float32), X, y)
    assert grad.dtype == np.float32
