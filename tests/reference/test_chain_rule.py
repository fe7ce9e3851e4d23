"""The hand-derived gradients of reference.chain_rule agree with central differences."""

from __future__ import annotations

import numpy as np
import pytest

from reference import chain_rule
from reference.gradcheck import numerical_gradient, relative_error


def test_add_mul_gradients_at_the_lectures_point():
    assert chain_rule.add_mul_gradients(-2.0, 5.0, -4.0) == (-4.0, -4.0, 3.0)


def test_sin_square_derivative_matches_central_differences():
    x = np.linspace(-2.0, 2.0, 8)
    numerical = numerical_gradient(lambda v: np.sin(v**2), x, np.ones_like(x))
    assert relative_error(chain_rule.sin_square_derivative(x), numerical) < 1e-7


def test_sin_square_derivative_keeps_float32():
    assert chain_rule.sin_square_derivative(np.ones(3, np.float32)).dtype == np.float32


def test_sum_over_paths_matches_central_differences():
    x = np.linspace(-2.0, 2.0, 8)
    numerical = numerical_gradient(lambda v: np.sin(v) * v**2, x, np.ones_like(x))
    assert relative_error(chain_rule.sum_over_paths(x), numerical) < 1e-7


def test_two_weight_gradients_match_central_differences():
    w, (x, y) = np.array([0.7, -1.3]), (1.5, 0.2)
    numerical = numerical_gradient(lambda v: chain_rule.two_weight_loss(v[0], v[1], x, y), w)
    got = chain_rule.two_weight_gradients(w[0], w[1], x, y)
    assert relative_error(np.array(got), numerical) < 1e-7


def test_network_gradients_match_central_differences():
    rng = np.random.default_rng(0)
    w, b, x, y = rng.normal(size=6), rng.normal(size=3), rng.normal(size=2), 0.3
    dw, db = chain_rule.network_gradients(w, b, x, y)
    assert relative_error(dw, numerical_gradient(
        lambda v: chain_rule.network_loss(v, b, x, y), w)) < 1e-7
    assert relative_error(db, numerical_gradient(
        lambda v: chain_rule.network_loss(w, v, x, y), b)) < 1e-7


@pytest.mark.parametrize(("grad", "small"), [(lambda v: 2 * v, True), (lambda v: v, False)])
def test_gradient_check_tells_a_right_gradient_from_a_wrong_one(grad, small):
    error = chain_rule.gradient_check(lambda v: float(np.sum(v**2)), grad, np.array([0.5, -1.0]))
    assert (error < 1e-7) == small
