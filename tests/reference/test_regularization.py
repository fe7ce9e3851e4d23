"""Penalties have the lectures' values and gradients; early stopping returns the best theta."""

import numpy as np
import pytest

from reference.gradcheck import numerical_gradient, relative_error
from reference.parameter import Parameter
from reference.regularization import (
    EarlyStopping,
    add_penalty,
    early_stopping,
    elastic_net_penalty,
    l1_penalty,
    l2_penalty,
)

W = np.array([1.0, -2.0, 0.5])

PENALTIES = {
    "l1": (l1_penalty, {"lam": 0.3}),
    "l2": (l2_penalty, {"lam": 0.3}),
    "elastic_net": (elastic_net_penalty, {"l1": 0.2, "l2": 0.7}),
}


@pytest.fixture
def rng():
    return np.random.default_rng(20261124)


@pytest.mark.parametrize("penalty,kwargs,expected", [
    (l1_penalty, {"lam": 0.1}, 0.1 * 3.5),
    (l2_penalty, {"lam": 0.1}, 0.1 / 2 * 5.25),
    (elastic_net_penalty, {"l1": 0.1, "l2": 0.2}, 0.1 * 3.5 + 0.2 / 2 * 5.25),
], ids=["l1", "l2", "elastic_net"])
def test_penalty_value(penalty, kwargs, expected):
    assert penalty(W, **kwargs)[0] == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize("name", PENALTIES)
def test_penalty_gradient_matches_central_differences(name, rng):
    penalty, kwargs = PENALTIES[name]
    # |w| >= 0.1, far from the L1 kink at 0 compared with the step h = 1e-6.
    w = rng.uniform(0.1, 2.0, size=(4, 3)) * rng.choice([-1.0, 1.0], size=(4, 3))
    numerical = numerical_gradient(lambda x: penalty(x, **kwargs)[0], w)
    assert relative_error(penalty(w, **kwargs)[1], numerical) < 1e-7


def test_l1_gradient_is_zero_at_zero_weights():
    assert not l1_penalty(np.zeros(3), lam=0.5)[1].any()


@pytest.mark.parametrize("name", PENALTIES)
def test_penalty_gradient_keeps_float32(name):
    penalty, kwargs = PENALTIES[name]
    assert penalty(W.astype(np.float32), **kwargs)[1].dtype == np.float32


@pytest.mark.parametrize("name", PENALTIES)
def test_penalty_leaves_weights_unchanged(name):
    penalty, kwargs = PENALTIES[name]
    w = W.copy()
    penalty(w, **kwargs)
    np.testing.assert_array_equal(w, W)


def test_l2_penalty_gradient_step_is_weight_decay():
    # theta - eta (g + lam theta) = (1 - eta lam) theta - eta g  (lecture 003)
    eta, lam, g = 0.1, 0.3, np.array([0.5, 0.5, -1.0])
    np.testing.assert_allclose(W - eta * (g + l2_penalty(W, lam)[1]),
                               (1 - eta * lam) * W - eta * g, rtol=1e-15)


@pytest.fixture
def weight_and_bias():
    weight = Parameter(np.array([[1.0, -2.0], [0.5, 3.0]]))
    bias = Parameter(np.array([4.0, -5.0]), regularize=False)
    weight.grad[...] = 1.0
    bias.grad[...] = 1.0
    return weight, bias


def test_add_penalty_adds_gradient_to_existing_weight_gradient(weight_and_bias):
    weight, _ = weight_and_bias
    add_penalty(list(weight_and_bias), l2_penalty, lam=0.1)
    np.testing.assert_allclose(weight.grad, 1.0 + 0.1 * weight.value)


def test_add_penalty_skips_parameters_not_regularized(weight_and_bias):
    _, bias = weight_and_bias
    add_penalty(list(weight_and_bias), l1_penalty, lam=0.1)
    np.testing.assert_array_equal(bias.grad, [1.0, 1.0])


def test_add_penalty_returns_penalty_summed_over_weights_only(weight_and_bias):
    total = add_penalty(list(weight_and_bias), l1_penalty, lam=0.1)
    assert total == pytest.approx(0.1 * (1.0 + 2.0 + 0.5 + 3.0))


# --- early stopping ---

# A validation curve that dips and rises: the best error, 1.0, is at evaluation 3.
DIP_THEN_RISE = [5.0, 3.0, 1.0, 2.0, 4.0, 6.0, 8.0, 9.0]


def observe_curve(stopper, errors):
    """Evaluation k (from 1) sees theta = [k]; return each observe() answer, stop at True."""
    p = Parameter(np.zeros(1))
    answers = []
    for k, error in enumerate(errors, start=1):
        p.value[...] = k
        answers.append(stopper.observe(error, [p]))
        if answers[-1]:
            break
    return p, answers


def test_early_stopping_keeps_best_values_not_last():
    stopper = EarlyStopping(period=5, patience=3)
    p, _ = observe_curve(stopper, DIP_THEN_RISE)
    assert (p.value[0], stopper.best_values[0][0], stopper.best_error) == (6.0, 3.0, 1.0)


def test_early_stopping_stops_after_exactly_patience_evaluations_without_improvement():
    _, answers = observe_curve(EarlyStopping(period=5, patience=3), DIP_THEN_RISE)
    assert answers == [False, False, False, False, False, True]


def test_early_stopping_treats_equal_error_as_no_improvement():
    _, answers = observe_curve(EarlyStopping(period=1, patience=2), [2.0, 2.0, 2.0, 2.0])
    assert answers == [False, False, True]


def test_early_stopping_improvement_resets_the_count():
    _, answers = observe_curve(EarlyStopping(period=1, patience=2),
                               [3.0, 4.0, 2.0, 5.0, 6.0, 7.0])
    assert answers == [False, False, False, False, True]


def test_early_stopping_best_step_counts_updates():
    stopper = EarlyStopping(period=5, patience=3)
    observe_curve(stopper, DIP_THEN_RISE)
    assert stopper.best_step == 15


def test_early_stopping_best_values_are_copies():
    stopper = EarlyStopping(period=1, patience=2)
    p = Parameter(np.array([1.0, 2.0]))
    stopper.observe(0.5, [p])
    p.value += 10.0
    np.testing.assert_array_equal(stopper.best_values[0], [1.0, 2.0])


def test_early_stopping_restore_writes_best_values_in_place():
    stopper = EarlyStopping(period=5, patience=3)
    p, _ = observe_curve(stopper, DIP_THEN_RISE)
    value = p.value
    stopper.restore([p])
    assert p.value is value and p.value[0] == 3.0


def test_early_stopping_restore_before_any_improvement_raises():
    with pytest.raises(RuntimeError, match="nothing to restore"):
        EarlyStopping(period=1, patience=1).restore([Parameter(np.zeros(1))])


@pytest.mark.parametrize("period,patience", [(0, 3), (5, 0)])
def test_early_stopping_rejects_period_or_patience_below_one(period, patience):
    with pytest.raises(ValueError):
        EarlyStopping(period, patience)


class Drift:
    """Training that moves theta by +0.1 per update, in place; counts its calls."""

    def __init__(self):
        self.calls = 0

    def __call__(self, theta, n):
        self.calls += 1
        theta += 0.1 * n
        return theta


def valley(theta):
    """Validation error with its minimum at theta = 1.05: dips, then rises."""
    return float((theta[0] - 1.05) ** 2)


def test_functional_early_stopping_returns_best_theta_and_error():
    theta_star, best = early_stopping(np.zeros(1), Drift(), valley, n=2, p=3)
    # Evaluations at theta = 0.2, 0.4, ..., the closest to 1.05 is 1.0.
    np.testing.assert_allclose(theta_star, [1.0])
    assert best == pytest.approx(0.05**2)


def test_functional_early_stopping_agrees_with_class():
    stopper = EarlyStopping(period=2, patience=3)
    p, drift = Parameter(np.zeros(1)), Drift()
    stop = False
    while not stop:                         # a training loop using the class
        drift(p.value, stopper.period)
        stop = stopper.observe(valley(p.value), [p])
    theta_star, best = early_stopping(np.zeros(1), Drift(), valley, n=2, p=3)
    np.testing.assert_array_equal(theta_star, stopper.best_values[0])
    assert best == stopper.best_error


def test_functional_early_stopping_runs_patience_evaluations_past_the_best():
    drift = Drift()
    early_stopping(np.zeros(1), drift, valley, n=2, p=3)
    # The best, theta = 1.0, is evaluation 5; three more follow it.
    assert drift.calls == 5 + 3


def test_functional_early_stopping_leaves_theta0_unchanged():
    theta0 = np.zeros(1)
    early_stopping(theta0, Drift(), valley, n=2, p=3)
    np.testing.assert_array_equal(theta0, [0.0])
