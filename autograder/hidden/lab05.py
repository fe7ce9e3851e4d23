"""Lab 05's hidden checks: random sizes, standard deviations and stacks, drawn from the
grading seed, a simulation of Var(s), and gradient norms from central differences.

They add to the questions of :mod:`nnlabs.checks.lab05` and use its helpers; their
``oracle`` is the answer key, :mod:`autograder.answers.lab05`.
"""

from __future__ import annotations

import numpy as np

from nnlabs.checks.lab05 import (
    activation_stds,
    batch_with_dead_units,
    check_activation_stds,
    check_constant_init,
    check_dead_fraction,
    check_gradient_norms,
    check_initializer,
    check_normal,
    check_predicted_variance,
    check_uniform_fan_in,
    constant_init,
    dead_fraction,
    gradient_norms,
    he,
    normal,
    predicted_variance,
    seed_from,
    stack,
    unequal_fans,
    uniform_fan_in,
    xavier,
)


@constant_init.check(points=1, hidden=True)
def test_zeros_and_constant_have_shape_fan_in_by_fan_out(student, oracle, rng):
    fan_in, fan_out = (int(n) for n in rng.choice(np.arange(1, 9), size=2, replace=False))
    check_constant_init(student, oracle, fan_in, fan_out, float(rng.uniform(-1.0, 1.0)))


@normal.check(points=1, hidden=True)
def test_normal_on_random_sizes_and_stds(student, oracle, rng):
    fan_in, fan_out = unequal_fans(rng)
    check_normal(student, oracle, fan_in, fan_out, float(rng.choice([0.01, 0.05, 0.2, 2.0, 3.0])),
                 seed_from(rng))


@uniform_fan_in.check(points=1, hidden=True)
def test_uniform_fan_in_on_random_sizes(student, oracle, rng):
    fan_in, fan_out = unequal_fans(rng)
    check_uniform_fan_in(student, oracle, fan_in, fan_out, seed_from(rng))


@predicted_variance.check(points=1, hidden=True)
def test_predicted_variance_matches_the_formula_and_a_simulation(student, oracle, rng):
    fan_in = int(rng.integers(20, 300))
    var_w, var_x = float(rng.uniform(0.1, 3.0)) / fan_in, float(rng.uniform(0.2, 4.0))
    X = rng.normal(0.0, np.sqrt(var_x), size=(200, fan_in))
    W = rng.normal(0.0, np.sqrt(var_w), size=(fan_in, 100))
    check_predicted_variance(student, oracle, fan_in, var_w, var_x, simulated=float(np.var(X @ W)))


@xavier.check(points=1, hidden=True)
def test_xavier_on_random_sizes(student, oracle, rng):
    fan_in, fan_out = unequal_fans(rng)
    check_initializer(student, oracle, "xavier_uniform", fan_in, fan_out, seed_from(rng))
    check_initializer(student, oracle, "xavier_normal", fan_out, fan_in, seed_from(rng))


@he.check(points=1, hidden=True)
def test_he_on_random_sizes(student, oracle, rng):
    fan_in, fan_out = unequal_fans(rng)
    check_initializer(student, oracle, "he_uniform", fan_in, fan_out, seed_from(rng))
    check_initializer(student, oracle, "he_normal", fan_out, fan_in, seed_from(rng))


@activation_stds.check(points=1, hidden=True)
def test_activation_stds_of_tanh_stacks_with_large_and_small_weights(student, oracle, rng):
    depth = int(rng.integers(4, 8))
    widths = [int(n) for n in rng.integers(20, 60, size=depth + 1)]
    X = rng.standard_normal((int(rng.integers(30, 80)), widths[0]))
    for sigma in (1.0, 0.01):
        weights = stack(rng, depth, widths, lambda fi, fo, sigma=sigma: sigma)
        check_activation_stds(student, oracle, X, weights, "tanh",
                              f"activation_stds(X, weights, 'tanh'), sigma = {sigma}, "
                              f"{depth} layers")


@gradient_norms.check(points=1, hidden=True)
def test_weight_gradient_norms_of_random_relu_stacks(student, oracle, rng):
    depth = int(rng.integers(3, 7))
    widths = [int(n) for n in rng.integers(10, 40, size=depth + 1)]
    X = rng.standard_normal((int(rng.integers(20, 60)), widths[0]))
    weights = stack(rng, depth, widths, oracle.he_std)
    dout = rng.standard_normal((X.shape[0], widths[-1]))
    check_gradient_norms(student, oracle, X, weights, dout, "relu",
                         f"weight_gradient_norms(X, weights, dout, 'relu'), {depth} layers")


@gradient_norms.check(points=1, hidden=True)
def test_weight_gradient_norms_match_central_differences(student, oracle, rng):
    widths = [int(n) for n in rng.integers(2, 5, size=4)]
    X = rng.standard_normal((int(rng.integers(3, 7)), widths[0]))
    weights = stack(rng, 3, widths, lambda fi, fo: 1.0)
    dout = rng.standard_normal((X.shape[0], widths[-1]))
    numerical = [np.linalg.norm(oracle.central_differences(
        "stack_output", [weights[layer], X, weights, layer, "tanh"], upstream=dout))
        for layer in range(3)]
    check_gradient_norms(student, oracle, X, weights, dout, "tanh",
                         "weight_gradient_norms(X, weights, dout, 'tanh') against central "
                         "differences", expected=np.array(numerical))


@dead_fraction.check(points=1, hidden=True)
def test_dead_fraction_on_random_batches(student, oracle, rng):
    m, units = int(rng.integers(5, 40)), int(rng.integers(5, 40))
    S = batch_with_dead_units(rng, m, units)
    # The last unit active on every example: no example has every unit dead, so counting
    # examples gives 0, never the dead fraction (at least 1 / units: the first unit is dead).
    S[:, -1] = np.abs(S[:, -1]) + 0.1
    check_dead_fraction(student, oracle, S, f"dead_fraction(S), S of shape {S.shape}")
