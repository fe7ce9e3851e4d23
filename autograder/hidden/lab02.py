"""Lab 02's hidden checks: random points, shapes and expressions, drawn from the grading seed.

They add to the questions of :mod:`nnlabs.checks.lab02` and use its helpers; their
``oracle`` is the answer key, :mod:`autograder.answers.lab02`.
"""

from __future__ import annotations

import numpy as np

from nnlabs.checks.lab02 import (
    add_mul,
    check_add_mul,
    check_gradient_check,
    check_network,
    check_numerical_gradient,
    check_paths,
    check_sin_square,
    check_two_weights,
    check_value,
    gradcheck,
    network,
    paths,
    random_network,
    sin_square,
    two_weights,
    value,
)
from nnlabs.draws import off_zero
from nnlabs.expect import expect, expect_close


def random_shape(rng: np.random.Generator) -> tuple[int, ...]:
    return tuple(int(n) for n in rng.integers(2, 5, size=int(rng.integers(1, 3))))


@add_mul.check(points=1, hidden=True)
def test_add_mul_gradients_at_random_points(student, oracle, rng):
    for x, y, z in rng.normal(0.0, 3.0, size=(4, 3)):
        check_add_mul(student, oracle, float(x), float(y), float(z))


@sin_square.check(points=1, hidden=True)
def test_sin_square_derivative_on_random_shapes(student, oracle, rng):
    x = off_zero(rng, random_shape(rng), 0.05, 3.0)
    check_sin_square(student, oracle, x, f"sin_square_derivative(x), shape {x.shape}")


@paths.check(points=1, hidden=True)
def test_sum_over_paths_on_random_shapes(student, oracle, rng):
    x = off_zero(rng, random_shape(rng), 0.1, 4.0)
    check_paths(student, oracle, x, f"sum_over_paths(x), shape {x.shape}")


@two_weights.check(points=2, hidden=True)
def test_two_weight_gradients_at_random_points(student, oracle, rng):
    for _ in range(3):
        w1, w2, x = (float(v) for v in off_zero(rng, 3, 0.2, 2.0))
        check_two_weights(student, oracle, w1, w2, x, float(rng.uniform(0.0, 1.0)))


@network.check(points=2, hidden=True)
def test_network_gradients_at_random_points(student, oracle, rng):
    for _ in range(3):
        w, b, x, y = random_network(rng)
        check_network(student, oracle, w, b, x, y, "network_gradients(w, b, x, y)")


@value.check(points=1, hidden=True)
def test_value_node_in_two_branches_backpropagates_in_topological_order(student, oracle, rng):
    for _ in range(2):
        check_value(student, oracle, "shared", off_zero(rng, 2, 0.3, 1.0))
    check_value(student, oracle, "reused", off_zero(rng, 1, 0.5, 3.0))


@value.check(points=1, hidden=True)
def test_value_neuron_on_random_inputs(student, oracle, rng):
    for _ in range(3):
        check_value(student, oracle, "neuron", off_zero(rng, 5, 0.1, 1.0))


@gradcheck.check(points=1, hidden=True)
def test_numerical_gradient_of_a_coupled_function_of_a_matrix(student, oracle, rng):
    x = rng.normal(0.0, 0.3, size=(2, 3))
    check_numerical_gradient(student, oracle, "coupled", x, 1e-5, oracle.coupled_gradient(x),
                             "numerical_gradient(f, x) for f(x) = sin(sum(c * x)) + sum(x^2), "
                             "x of shape (2, 3) (perturb one entry at a time)")


@gradcheck.check(points=1, hidden=True)
def test_relative_error_on_random_matrices_with_zeros(student, oracle, rng):
    a = off_zero(rng, (3, 4), 0.1, 2.0)
    b = a * (1 + rng.uniform(-1e-3, 1e-3, size=(3, 4)))  # errors below 1e-3 where |a| >= 0.1
    a[0, 0] = b[0, 0] = 0.0
    a[1, 1], b[1, 1] = 0.0, 1e-12
    # |a| + |b| = 5e-9 here, under the guard: the largest error, 0.5, is the guard's alone.
    a[2, 2], b[2, 2] = 2e-9, -3e-9
    got = student.relative_error(a, b)
    what = "relative_error(a, b) where a and b are both 0 in one entry"
    expect(bool(np.isfinite(np.asarray(got, dtype=np.float64)).all()),
           f"{what} is {got}: 0 / 0 is nan. Guard the denominator: "
           "|a - b| / max(|a| + |b|, 1e-8).")
    expect_close(got, oracle.relative_error(a, b), "relative_error(a, b) for a, b of shape "
                 "(3, 4) with zeros", mistakes=oracle.relative_error_mistakes(a, b))


@gradcheck.check(points=1, hidden=True)
def test_gradient_check_exposes_planted_bugs_at_random_points(student, rng):
    # The second point has 10+ entries: one entry off by 1% (relative error 0.005) averages
    # to below 1e-3 there, so a mean in place of the largest error misses the bug.
    for size in (int(rng.integers(3, 7)), int(rng.integers(10, 16))):
        check_gradient_check(student, off_zero(rng, size, 0.3, 1.1),
                             "gradient_check on f = sum(sin(x^2))")
