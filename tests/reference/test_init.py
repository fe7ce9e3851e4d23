"""Initializers draw from the distribution their formula states (4-sigma bounds)."""

import numpy as np
import pytest

from reference import init

SHAPES = [(784, 256), (256, 128), (64, 10), (500, 500)]

# (initializer, variance as a function of (fan_in, fan_out), kurtosis ratio mu4 / sigma^4)
NORMAL_KURTOSIS, UNIFORM_KURTOSIS = 3.0, 9.0 / 5.0
RANDOM_INITS = {
    "normal": (lambda fi, fo, rng: init.normal(fi, fo, rng, std=0.01),
               lambda fi, fo: 0.01**2, NORMAL_KURTOSIS),
    "uniform_fan_in": (init.uniform_fan_in, lambda fi, fo: 1.0 / (3 * fi), UNIFORM_KURTOSIS),
    "xavier_uniform": (init.xavier_uniform, lambda fi, fo: 2.0 / (fi + fo), UNIFORM_KURTOSIS),
    "xavier_normal": (init.xavier_normal, lambda fi, fo: 2.0 / (fi + fo), NORMAL_KURTOSIS),
    "he_uniform": (init.he_uniform, lambda fi, fo: 2.0 / fi, UNIFORM_KURTOSIS),
    "he_normal": (init.he_normal, lambda fi, fo: 2.0 / fi, NORMAL_KURTOSIS),
}


@pytest.fixture
def rng():
    return np.random.default_rng(20261123)


@pytest.mark.parametrize("name", RANDOM_INITS)
@pytest.mark.parametrize("fan_in,fan_out", SHAPES)
def test_sample_mean_is_zero_within_four_sigma(name, fan_in, fan_out, rng):
    draw, variance, _ = RANDOM_INITS[name]
    w = draw(fan_in, fan_out, rng)
    standard_error = np.sqrt(variance(fan_in, fan_out) / w.size)
    assert abs(w.mean()) < 4 * standard_error


@pytest.mark.parametrize("name", RANDOM_INITS)
@pytest.mark.parametrize("fan_in,fan_out", SHAPES)
def test_sample_variance_matches_formula_within_four_sigma(name, fan_in, fan_out, rng):
    draw, variance, kurtosis = RANDOM_INITS[name]
    w = draw(fan_in, fan_out, rng)
    sigma2 = variance(fan_in, fan_out)
    # Var of the sample variance of n i.i.d. draws ~ (mu4 - sigma^4) / n.
    standard_error = np.sqrt((kurtosis - 1.0) * sigma2**2 / w.size)
    assert abs(w.var() - sigma2) < 4 * standard_error


@pytest.mark.parametrize("name,bound", [
    ("uniform_fan_in", lambda fi, fo: 1 / np.sqrt(fi)),
    ("xavier_uniform", lambda fi, fo: np.sqrt(6 / (fi + fo))),
    ("he_uniform", lambda fi, fo: np.sqrt(6 / fi)),
])
def test_uniform_initializers_stay_inside_their_bound(name, bound, rng):
    w = RANDOM_INITS[name][0](300, 100, rng)
    assert np.abs(w).max() <= bound(300, 100)


@pytest.mark.parametrize("name", RANDOM_INITS)
def test_weight_matrix_has_shape_fan_in_by_fan_out(name, rng):
    assert RANDOM_INITS[name][0](7, 3, rng).shape == (7, 3)


@pytest.mark.parametrize("name", RANDOM_INITS)
def test_same_seed_gives_same_weights(name):
    draw = RANDOM_INITS[name][0]
    a = draw(5, 4, np.random.default_rng(1))
    b = draw(5, 4, np.random.default_rng(1))
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("draw", [init.uniform_fan_in, init.xavier_uniform, init.xavier_normal,
                                  init.he_uniform, init.he_normal])
def test_float32_is_honoured(draw, rng):
    assert draw(4, 3, rng, dtype=np.float32).dtype == np.float32


def test_zeros_is_all_zero():
    np.testing.assert_array_equal(init.zeros(3, 2), np.zeros((3, 2)))


def test_constant_fills_every_weight_with_the_value():
    np.testing.assert_array_equal(init.constant(3, 2, value=0.5), np.full((3, 2), 0.5))


@pytest.mark.parametrize(("name", "fans"), [
    ("uniform_fan_in", (0, 3)), ("he_uniform", (0, 3)), ("he_normal", (0, 3)),
    ("xavier_uniform", (0, 0)), ("xavier_normal", (0, 0)),
])
def test_initializer_whose_variance_would_divide_by_zero_is_a_value_error(name, fans):
    with pytest.raises(ValueError, match="must be >= 1"):
        getattr(init, name)(*fans, np.random.default_rng(0))
