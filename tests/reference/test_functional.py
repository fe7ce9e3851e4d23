"""reference.functional: the plain-data forms agree with the stateful originals."""

from __future__ import annotations

import numpy as np
import pytest

from reference import functional, layers, regularization


def test_regularization_penalty_skips_every_parameter_not_named_w():
    rng = np.random.default_rng(0)
    params = {"W1": rng.normal(size=(3, 2)), "b1": rng.normal(size=2), "gamma1": np.ones(2)}
    value, grads = functional.regularization_penalty(params, 0.1, 0.2)
    expected, grad = regularization.elastic_net_penalty(params["W1"], 0.1, 0.2)
    assert value == pytest.approx(expected)
    np.testing.assert_allclose(grads["W1"], grad)
    assert not grads["b1"].any() and not grads["gamma1"].any()


def test_dropout_forward_is_seeded_and_the_identity_in_evaluation():
    X = np.ones((50, 40))
    out, mask = functional.dropout_forward(X, 0.5, 3, True)
    np.testing.assert_array_equal(mask, functional.dropout_forward(X, 0.5, 3, True)[1])
    assert set(np.unique(mask)) <= {0.0, 2.0}
    np.testing.assert_array_equal(out, X * mask)
    out, mask = functional.dropout_forward(X, 0.5, 3, False)
    np.testing.assert_array_equal(out, X)
    np.testing.assert_array_equal(mask, np.ones_like(X))


def test_batchnorm_forward_matches_the_layer_and_leaves_its_inputs():
    rng = np.random.default_rng(2)
    X, rm, rv = rng.normal(size=(6, 3)), np.zeros(3), np.ones(3)
    layer = layers.BatchNorm1d(3, momentum=0.2)
    out, cache, new_rm, new_rv = functional.batchnorm_forward(X, np.ones(3), np.zeros(3), rm, rv,
                                                              0.2, 1e-5, True)
    np.testing.assert_allclose(out, layer.forward(X))
    np.testing.assert_allclose(new_rm, layer.running_mean)
    np.testing.assert_allclose(new_rv, layer.running_var)
    assert not rm.any() and (rv == 1).all()
    dout = rng.normal(size=X.shape)
    np.testing.assert_allclose(functional.batchnorm_backward(dout, cache)[0], layer.backward(dout))


def test_batchnorm_forward_in_evaluation_matches_the_layer_and_returns_its_state():
    rng = np.random.default_rng(3)
    X, rm, rv = rng.normal(size=(5, 3)), rng.normal(size=3), rng.uniform(1, 2, size=3)
    layer = layers.BatchNorm1d(3).eval()
    layer.running_mean[...], layer.running_var[...] = rm, rv
    out, _, new_rm, new_rv = functional.batchnorm_forward(X, np.ones(3), np.zeros(3), rm, rv,
                                                          0.1, 1e-5, False)
    np.testing.assert_array_equal(out, layer.forward(X))
    np.testing.assert_array_equal(new_rm, rm)
    assert new_rm is not rm and new_rv is not rv


def test_add_gaussian_noise_keeps_dtype_and_has_standard_deviation_sigma():
    X = np.zeros((200, 100), dtype=np.float32)
    noisy = functional.add_gaussian_noise(X, 0.3, 0)
    assert noisy.dtype == np.float32 and noisy.std() == pytest.approx(0.3, rel=0.03)


def test_early_stopping_on_curve_returns_the_best_theta_and_counts_updates():
    curve = np.full(40, 9.0)
    curve[[2, 4, 6, 8, 10, 12]] = [1.0, 0.5, 0.5, 0.7, 0.8, 0.9]
    theta_star, best, updates = functional.early_stopping_on_curve(curve, 0, 2, 3)
    assert (theta_star[0], best, updates) == (4.0, 0.5, 10)


# -- integers become float64 ---------------------------------------------------------------

F = functional
# name -> f(x, zeros): the function called with x (2, 3) and zeros (2, 3), both of one dtype
INTEGER_INPUTS = {
    "regularization_penalty": lambda x, zeros: F.regularization_penalty({"W": x}, 0.1, 0.2)[1]["W"],
    "dropout_forward": lambda x, zeros: F.dropout_forward(x, 0.5, 3, True)[0],
    "batchnorm_forward": lambda x, zeros: F.batchnorm_forward(x, np.ones(3), np.zeros(3),
                                                              np.zeros(3), np.ones(3), 0.1,
                                                              1e-5, True)[0],
    "add_gaussian_noise": lambda x, zeros: F.add_gaussian_noise(x, 0.1, 3),
}


@pytest.mark.parametrize("name", INTEGER_INPUTS)
def test_integer_inputs_become_float64(name):
    x = np.array([[1, -2, 3], [0, 4, -1]])
    got = INTEGER_INPUTS[name](x, np.zeros_like(x))
    assert got.dtype == np.float64
    expected = INTEGER_INPUTS[name](x.astype(np.float64), np.zeros(x.shape))
    np.testing.assert_array_equal(got, expected)


def test_dropout_forward_in_evaluation_turns_integers_into_float64():
    out, mask = functional.dropout_forward(np.array([[1, 2]]), 0.5, 0, False)
    assert (out.dtype, mask.dtype) == (np.float64, np.float64)
