"""Signal propagation at initialization: the variance formula, per-layer statistics,
gradient norms, dead units and symmetric units."""

import numpy as np
import pytest

from reference import init, propagation
from reference.gradcheck import numerical_gradient


@pytest.fixture
def rng():
    return np.random.default_rng(5)


def test_predicted_variance_matches_a_simulation(rng):
    fan_in, var_w, var_x = 200, 0.003, 2.0
    X = rng.normal(0.0, np.sqrt(var_x), size=(2000, fan_in))
    W = rng.normal(0.0, np.sqrt(var_w), size=(fan_in, 300))
    predicted = propagation.predicted_variance(fan_in, var_w, var_x)
    assert predicted == pytest.approx(1.2)
    assert np.var(X @ W) == pytest.approx(predicted, rel=0.05)


def test_small_gaussian_weights_shrink_the_signal_and_xavier_keeps_it(rng):
    X = rng.standard_normal((200, 100))
    small = [init.normal(100, 100, rng, std=0.01) for _ in range(5)]
    xavier = [init.xavier_normal(100, 100, rng) for _ in range(5)]
    shrinking = propagation.activation_stds(X, small)
    assert np.all(np.diff(shrinking) < 0) and shrinking[-1] < 1e-4
    assert np.all(propagation.activation_stds(X, xavier) > 0.2)


def test_relu_signal_survives_with_he_and_shrinks_with_xavier(rng):
    X = rng.standard_normal((200, 100))
    he = propagation.activation_stds(X, [init.he_normal(100, 100, rng) for _ in range(8)],
                                     "relu")
    xavier = propagation.activation_stds(X, [init.xavier_normal(100, 100, rng)
                                             for _ in range(8)], "relu")
    assert he[-1] > 0.5 and xavier[-1] < 0.2


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_weight_gradient_norms_match_central_differences(activation, rng):
    X = rng.standard_normal((5, 3))
    weights = [rng.standard_normal((3, 4)), rng.standard_normal((4, 2))]
    dout = rng.standard_normal((5, 2))
    norms = propagation.weight_gradient_norms(X, weights, dout, activation)
    for layer in range(2):
        def loss(W, layer=layer):
            changed = [W if i == layer else w for i, w in enumerate(weights)]
            return np.sum(dout * propagation.forward_activations(X, changed, activation)[-1])
        numerical = numerical_gradient(loss, weights[layer], h=1e-5)
        assert norms[layer] == pytest.approx(np.linalg.norm(numerical), rel=1e-6)


def test_dead_fraction_counts_units_negative_on_every_example():
    S = np.array([[-1.0, 2.0, 0.0, -3.0],
                  [-2.0, -1.0, 0.0, 1.0]])
    assert propagation.dead_fraction(S) == 0.5


def test_hidden_unit_spread_is_zero_for_identical_units_only():
    assert propagation.hidden_unit_spread(np.full((3, 4), 0.7)) == 0.0
    assert propagation.hidden_unit_spread(np.array([[0.0, 1.0], [0.5, -0.5]])) == 1.0
