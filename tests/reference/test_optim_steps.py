"""The pure step functions of reference.optim follow the lectures' formulas and leave their
arguments alone; the trajectories and the mini-batch epoch built on them."""

from __future__ import annotations

import numpy as np
import pytest

from reference import data, optim, train
from reference.parameter import Parameter


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(6)


def test_sgd_step_is_theta_minus_alpha_g(rng):
    theta, g = rng.normal(size=(2, 3)), rng.normal(size=(2, 3))
    np.testing.assert_allclose(optim.sgd_step(theta, g, 0.1), theta - 0.1 * g)


def test_momentum_step_follows_lecture_001_and_leaves_its_arguments(rng):
    theta, g, v = rng.normal(size=4), rng.normal(size=4), rng.normal(size=4)
    before = [a.copy() for a in (theta, g, v)]
    new_theta, new_v = optim.momentum_step(theta, g, v, 0.1, 0.9)
    np.testing.assert_allclose(new_v, 0.9 * v - 0.1 * g)
    np.testing.assert_allclose(new_theta, theta + new_v)
    for a, b in zip((theta, g, v), before, strict=True):
        np.testing.assert_array_equal(a, b)


def test_nesterov_step_takes_the_gradient_at_the_look_ahead_point(rng):
    A = np.diag([1.0, 10.0])
    theta, v = rng.normal(size=2), rng.normal(size=2)
    new_theta, new_v = optim.nesterov_step(theta, v, lambda x: A @ x, 0.05, 0.9)
    expected_v = 0.9 * v - 0.05 * A @ (theta + 0.9 * v)
    np.testing.assert_allclose(new_v, expected_v)
    np.testing.assert_allclose(new_theta, theta + expected_v)


def test_nesterov_on_quadratic_matches_repeated_steps(rng):
    A, b, theta0 = np.diag([1.0, 5.0, 20.0]), rng.normal(size=3), rng.normal(size=3)
    run = optim.nesterov_on_quadratic(A, b, theta0, 0.02, 0.8, 5)
    theta, v = theta0, np.zeros(3)
    for k in range(5):
        theta, v = optim.nesterov_step(theta, v, lambda x: A @ x - b, 0.02, 0.8)
        np.testing.assert_allclose(run["theta"][k], theta)
        np.testing.assert_allclose(run["v"][k], v)


def test_the_nesterov_optimizer_holds_the_look_ahead_point_of_nesterov_step(rng):
    A, b = np.diag([1.0, 4.0]), rng.normal(size=2)
    p = Parameter(rng.normal(size=2))
    opt = optim.Nesterov([p], lr=0.05, mu=0.9)
    theta, v = p.value.copy(), np.zeros(2)
    for _ in range(5):
        theta, v = optim.nesterov_step(theta, v, lambda x: A @ x - b, 0.05, 0.9)
        p.grad[...] = A @ p.value - b
        opt.step()
        np.testing.assert_allclose(p.value, optim.look_ahead(theta, v, 0.9), rtol=1e-13)


def test_adagrad_and_rmsprop_put_eps_outside_the_root(rng):
    theta, g, G = rng.normal(size=3), rng.normal(size=3), rng.uniform(size=3)
    new_theta, new_G = optim.adagrad_step(theta, g, G, 0.1, 1e-3)
    np.testing.assert_allclose(new_G, G + g**2)
    np.testing.assert_allclose(new_theta, theta - 0.1 * g / (np.sqrt(G + g**2) + 1e-3))
    new_theta, new_G = optim.rmsprop_step(theta, g, G, 0.1, 0.9, 1e-3)
    np.testing.assert_allclose(new_G, 0.9 * G + 0.1 * g**2)
    np.testing.assert_allclose(new_theta, theta - 0.1 * g / (np.sqrt(new_G) + 1e-3))


def test_adam_step_increments_t_before_the_bias_correction(rng):
    theta, g = rng.normal(size=3), rng.normal(size=3)
    m, v = 0.1 * rng.normal(size=3), rng.uniform(size=3)
    new_theta, new_m, new_v, t = optim.adam_step(theta, g, m, v, 7, 0.01, 0.9, 0.999, 1e-8)
    assert t == 8
    m_hat = (0.9 * m + 0.1 * g) / (1 - 0.9**8)
    v_hat = (0.999 * v + 0.001 * g**2) / (1 - 0.999**8)
    np.testing.assert_allclose(new_theta, theta - 0.01 * m_hat / (np.sqrt(v_hat) + 1e-8))


def test_trajectory_keeps_float32_and_threads_the_state(rng):
    theta0 = rng.normal(size=3).astype(np.float32)
    grads = rng.normal(size=(4, 3)).astype(np.float32)
    run = optim.optimizer_trajectory("adam", theta0, grads, lr=0.01)
    assert run["theta"].dtype == np.float32 and run["m"].dtype == np.float32
    assert run["t"].tolist() == [1, 2, 3, 4]


def test_sgd_weight_decay_step_is_gradient_descent_on_the_l2_penalized_loss():
    theta, g = np.array([1.0, -2.0]), np.array([0.5, 0.5])
    np.testing.assert_allclose(optim.sgd_step(theta, g, 0.1, weight_decay=0.3),
                               theta - 0.1 * (g + 0.3 * theta))


@pytest.mark.parametrize("name,cls", [("adam_step", optim.Adam), ("adamw_step", optim.AdamW)])
def test_adam_steps_match_the_optimizer_over_several_steps(name, cls):
    rng = np.random.default_rng(1)
    theta0, grads = rng.normal(size=4), [rng.normal(size=4) for _ in range(3)]
    p = Parameter(theta0.copy())
    opt = cls([p], lr=0.1, weight_decay=0.2)
    theta, m, v, t = theta0, np.zeros(4), np.zeros(4), 0
    for g in grads:
        p.grad = g.copy()
        opt.step()
        theta, m, v, t = getattr(optim, name)(theta, g, m, v, t, 0.1, 0.9, 0.999, 1e-8, 0.2)
    np.testing.assert_allclose(theta, p.value)
    assert t == 3


def test_adamw_and_adam_l2_differ():
    args = (np.ones(3), np.array([1.0, 0.01, -2.0]), np.zeros(3), np.zeros(3), 0,
            0.1, 0.9, 0.999, 1e-8, 0.5)
    assert not np.allclose(optim.adam_step(*args)[0], optim.adamw_step(*args)[0])


def test_minibatch_epoch_with_one_batch_is_one_gradient_step(rng):
    X, y, theta = rng.normal(size=(6, 2)), rng.normal(size=6), rng.normal(size=2)
    got = train.minibatch_epoch(theta, X, y, 0.1, 6, rng.permutation(6))
    np.testing.assert_allclose(got, theta - 0.1 * 2 / 6 * X.T @ (X @ theta - y))


@pytest.mark.parametrize(("N", "batch_size", "updates"), [(10, 10, 1), (10, 1, 10), (10, 4, 3)])
def test_updates_per_epoch_counts_the_last_smaller_batch(N, batch_size, updates):
    assert data.updates_per_epoch(N, batch_size) == updates


# -- integers become float64 ---------------------------------------------------------------

INTEGER_STEPS = {
    "sgd": lambda theta, g: optim.sgd_step(theta, g, 0.1),
    "momentum": lambda theta, g: optim.momentum_step(theta, g, [0, 0, 0], 0.1, 0.9),
    "nesterov": lambda theta, g: optim.nesterov_step(theta, [0, 0, 0], lambda p: p - g, 0.1, 0.9),
    "adagrad": lambda theta, g: optim.adagrad_step(theta, g, [0, 0, 0], 0.1),
    "rmsprop": lambda theta, g: optim.rmsprop_step(theta, g, [0, 0, 0]),
    "adam": lambda theta, g: optim.adam_step(theta, g, [0, 0, 0], [0, 0, 0], 0),
    "adam_l2": lambda theta, g: optim.adam_step(theta, g, [0, 0, 0], [0, 0, 0], 0,
                                                weight_decay=0.1),
    "adamw": lambda theta, g: optim.adamw_step(theta, g, [0, 0, 0], [0, 0, 0], 0),
    "sgd_weight_decay": lambda theta, g: optim.sgd_step(theta, g, 0.1, weight_decay=0.3),
}


@pytest.mark.parametrize("container", [np.array, list])
@pytest.mark.parametrize("name", INTEGER_STEPS)
def test_step_on_an_integer_theta_computes_in_float64(name, container):
    theta, g = [1, -2, 3], np.array([1, 2, -1])
    got = INTEGER_STEPS[name](container(theta), g)
    expected = INTEGER_STEPS[name](np.array(theta, dtype=np.float64), g)
    bare = name.startswith("sgd")       # sgd_step returns theta alone
    arrays = [got] if bare else [a for a in got if isinstance(a, np.ndarray)]
    assert [a.dtype for a in arrays] == [np.float64] * len(arrays)
    np.testing.assert_array_equal(arrays[0], expected if bare else expected[0])


@pytest.mark.parametrize("name", list(optim.RULES))
def test_trajectory_from_a_list_of_integers_computes_in_float64(name):
    run = optim.optimizer_trajectory(name, [1, 2], np.ones((3, 2)), lr=0.1)
    assert run["theta"].dtype == np.float64
    expected = optim.optimizer_trajectory(name, np.array([1.0, 2.0]), np.ones((3, 2)), lr=0.1)
    np.testing.assert_array_equal(run["theta"], expected["theta"])


def test_minibatch_epoch_from_an_integer_theta_computes_in_float64(rng):
    X, y, order = rng.normal(size=(6, 2)), rng.normal(size=6), rng.permutation(6)
    got = train.minibatch_epoch(np.array([1, -1]), X, y, 0.1, 4, order)
    np.testing.assert_array_equal(got, train.minibatch_epoch(np.array([1.0, -1.0]), X, y, 0.1, 4,
                                                          order))


def test_nesterov_on_quadratic_keeps_a_float32_theta0_float32():
    run = optim.nesterov_on_quadratic(np.eye(2), np.ones(2), np.zeros(2, np.float32), 0.1, 0.9, 3)
    assert (run["theta"].dtype, run["v"].dtype) == (np.float32, np.float32)


# -- impossible values ---------------------------------------------------------------------


def test_updates_per_epoch_of_an_empty_mini_batch_is_a_value_error():
    with pytest.raises(ValueError, match="at least one example"):
        data.updates_per_epoch(10, 0)


def test_minibatch_epoch_with_an_empty_mini_batch_is_a_value_error(rng):
    with pytest.raises(ValueError, match="at least one example"):
        train.minibatch_epoch(np.zeros(2), rng.normal(size=(4, 2)), np.zeros(4), 0.1, 0,
                              np.arange(4))


def test_adam_state_takes_the_parameter_dtype():
    theta, g = np.ones(3, np.float32), np.ones(3, np.float32)
    _, m, v, _ = optim.adam_step(theta, g, np.zeros(3), np.zeros(3), 0, 0.1, 0.9, 0.999, 1e-8)
    assert (m.dtype, v.dtype) == (np.float32, np.float32)
