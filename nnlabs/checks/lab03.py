"""Lab 03: activation functions and losses (lecture topics 12-16): the visible checks.

Every activation ``f`` comes with ``f_backward(dout, s, ...)``, which returns
``ds = dout * f'(s)`` (upstream times local gradient); every loss returns
``(loss, gradient)`` averaged over the batch (the lectures' 1/m). Values are
compared with the answer key (the ``oracle``); backward passes are judged
against central differences of the answer key's forward pass with a random
upstream gradient, at inputs kept away from kinks. The hidden checks
(instructor's side) add random shapes and the same checks on other inputs.

Feedback names the wrong variants students commonly write: each check passes
them as ``mistakes`` (a sentence and the value that mistake gives on the same
inputs, from the answer key), so a wrong answer that matches one is told which one.
"""

from __future__ import annotations

import math

import numpy as np

from nnlabs.draws import off_zero
from nnlabs.expect import (
    F32,
    expect,
    expect_close,
    expect_dtype,
    expect_finite,
    expect_gradient_near,
    expect_pair,
    expect_unchanged,
)
from nnlabs.registry import Question

# Large inputs: exp(1000) overflows float64, exp(100) overflows float32.
HUGE = np.array([-1000.0, -800.0, -100.0, -40.0, 40.0, 100.0, 800.0, 1000.0])
LARGE = "inputs of size up to 1000"  # what the stability checks tell a nan or inf came from


# --------------------------------------------------------------------------- helpers


def random_shape(rng: np.random.Generator, max_size: int = 60) -> tuple[int, ...]:
    """A shape of 1 to 3 axes holding 2 to ``max_size`` elements."""
    while True:
        shape = tuple(int(n) for n in rng.integers(1, 7, size=int(rng.integers(1, 4))))
        if 2 <= math.prod(shape) <= max_size:
            return shape


def random_batch(rng: np.random.Generator) -> tuple[int, int]:
    """``(m, K)``: a batch of 2-8 examples with 2-6 outputs or classes, m != K."""
    while True:
        m, k = (int(n) for n in rng.integers(2, 7, size=2))
        m += int(rng.integers(0, 3))
        if m != k:
            return m, k


def both_signs(s: np.ndarray) -> np.ndarray:
    """``s`` with its first entry made negative and its last positive, so that both
    pieces of a piecewise function (and a mask that may be written in place) are used."""
    s.flat[0], s.flat[-1] = -abs(s.flat[0]) - 0.1, abs(s.flat[-1]) + 0.1
    return s


def off_kinks(rng: np.random.Generator, shape: tuple[int, ...],
              low: float = 0.1, high: float = 3.0) -> np.ndarray:
    """Values with ``low <= |s| <= high``, random signs and both signs present: central
    differences with a small step never straddle the kink at 0."""
    s = off_zero(rng, shape, low, high)
    return both_signs(s) if s.size > 1 else s


sigmoid = Question("lab03.sigmoid", functions=("sigmoid",), points=4)


@sigmoid.check(points=1)
def test_sigmoid_matches_the_reference_on_a_small_example(student, oracle, rng):
    s = rng.normal(0.0, 3.0, size=(2, 3))
    expect_close(student.sigmoid(s), oracle.sigmoid(s), "sigmoid(s) for s of shape (2, 3)",
                 mistakes=oracle.sigmoid_mistakes(s))


@sigmoid.check(points=1)
def test_sigmoid_stays_finite_and_saturates_for_large_inputs(student, oracle, rng):
    s = np.concatenate([HUGE, rng.normal(0.0, 50.0, size=4)])
    got = student.sigmoid(s)
    expect_finite(got, "sigmoid(s)", "e^s / (1 + e^s) overflows to inf / inf there. "
                  "Use 1 / (1 + e^{-s}) for s >= 0 and e^s / (1 + e^s) for s < 0, so that "
                  "np.exp only ever sees numbers <= 0.", inputs=LARGE)
    expect_close(got, oracle.sigmoid(s), "sigmoid(s) for large |s|", atol=1e-12)


@sigmoid.check(points=1)
def test_sigmoid_keeps_float32(student, oracle, rng):
    s = rng.normal(0.0, 4.0, size=random_shape(rng)).astype(np.float32)
    got = student.sigmoid(s)
    expect_close(got, oracle.sigmoid(s.astype(np.float64)), "sigmoid(s) for float32 s", **F32)
    expect_dtype(got, np.float32, "sigmoid(s) for float32 s")


sigmoid_backward = Question("lab03.sigmoid_backward", functions=("sigmoid_backward",), points=4)


def check_sigmoid_backward(student, oracle, s, dout, what):
    numerical = oracle.central_differences("sigmoid", [s], upstream=dout)
    expect_gradient_near(student.sigmoid_backward(dout, s), numerical, what,
                         mistakes=oracle.sigmoid_backward_mistakes(dout, s))


@sigmoid_backward.check(points=1)
def test_sigmoid_backward_matches_central_differences_on_a_small_example(student, oracle, rng):
    s, dout = rng.normal(0.0, 2.0, size=(2, 3)), rng.normal(size=(2, 3))
    check_sigmoid_backward(student, oracle, s, dout, "sigmoid_backward(dout, s), shape (2, 3)")


@sigmoid_backward.check(points=1)
def test_sigmoid_backward_is_finite_and_vanishes_for_saturated_inputs(student, oracle, rng):
    s = np.concatenate([HUGE, rng.normal(0.0, 2.0, size=4)])
    dout = rng.normal(size=s.shape)
    got = student.sigmoid_backward(dout, s)
    expect_finite(got, "sigmoid_backward(dout, s)", "e^{-s} / (1 + e^{-s})^2 is "
                  "inf / inf for very negative s. Compute y_hat = sigma(s) stably and return "
                  "dout * y_hat * (1 - y_hat).", inputs=LARGE)
    expect_close(got, oracle.sigmoid_backward(dout, s), "sigmoid_backward(dout, s) for "
                 "saturated s", atol=1e-12, mistakes=oracle.sigmoid_backward_mistakes(dout, s))


@sigmoid_backward.check(points=1)
def test_sigmoid_backward_keeps_float32(student, oracle, rng):
    shape = random_shape(rng)
    s = rng.normal(0.0, 3.0, size=shape).astype(np.float32)
    dout = rng.normal(size=shape).astype(np.float32)
    got = student.sigmoid_backward(dout, s)
    expected = oracle.central_differences("sigmoid", [s.astype(np.float64)],
                                         upstream=dout.astype(np.float64))
    expect_close(got, expected, "sigmoid_backward(dout, s) for float32 inputs", **F32)
    expect_dtype(got, np.float32, "sigmoid_backward(dout, s) for float32 inputs")


tanh = Question("lab03.tanh", functions=("tanh", "tanh_backward"), points=5)


def check_tanh(student, oracle, s, what):
    expect_close(student.tanh(s), oracle.tanh(s), what, mistakes=oracle.tanh_mistakes(s))


def check_tanh_backward(student, oracle, s, dout, what):
    numerical = oracle.central_differences("tanh", [s], upstream=dout)
    expect_gradient_near(student.tanh_backward(dout, s), numerical, what,
                         mistakes=oracle.tanh_backward_mistakes(dout, s))


@tanh.check(points=1)
def test_tanh_matches_the_reference_on_a_small_example(student, oracle, rng):
    check_tanh(student, oracle, rng.normal(0.0, 1.5, size=(2, 3)), "tanh(s), shape (2, 3)")


@tanh.check(points=1)
def test_tanh_backward_matches_central_differences_on_a_small_example(student, oracle, rng):
    s, dout = rng.normal(0.0, 1.5, size=(2, 3)), rng.normal(size=(2, 3))
    check_tanh_backward(student, oracle, s, dout, "tanh_backward(dout, s), shape (2, 3)")


@tanh.check(points=1)
def test_tanh_and_backward_stay_finite_for_large_inputs(student, oracle, rng):
    s = np.concatenate([HUGE, [-20.0, 20.0], rng.normal(0.0, 2.0, size=4)])
    dout = rng.normal(size=s.shape)
    got = student.tanh(s)
    expect_finite(got, "tanh(s)", "(e^s - e^{-s}) / (e^s + e^{-s}) is inf / inf there. "
                  "Use tanh(s) = 2 sigma(2s) - 1 with a stable sigmoid, or "
                  "(1 - e^{-2|s|}) / (1 + e^{-2|s|}) with the sign of s.", inputs=LARGE)
    expect_close(got, oracle.tanh(s), "tanh(s) for large |s|", atol=1e-12)
    got = student.tanh_backward(dout, s)
    expect_finite(got, "tanh_backward(dout, s)", "compute tanh(s) stably first.", inputs=LARGE)
    expect_close(got, oracle.tanh_backward(dout, s), "tanh_backward(dout, s) for large |s|",
                 atol=1e-12, mistakes=oracle.tanh_backward_mistakes(dout, s))


def expect_backward_keeps_float32(student, oracle, name, s, dout, *rest):
    """``<name>_backward(dout, s, *rest)`` for float32 inputs: the answer key's values, in
    float32 (a backward pass keeps its inputs' dtype as the forward does)."""
    got = getattr(student, f"{name}_backward")(dout, s, *rest)
    what = f"{name}_backward(dout, s) for float32 inputs"
    wide = [np.asarray(a, dtype=np.float64) for a in (dout, s)]
    expect_close(got, getattr(oracle, f"{name}_backward")(*wide, *rest), what, **F32)
    expect_dtype(got, np.float32, f"{what} (np.ones(shape) and float64 arrays widen it)")


@tanh.check(points=1)
def test_tanh_backward_keeps_float32(student, oracle, rng):
    shape = random_shape(rng)
    s, dout = (rng.normal(size=shape).astype(np.float32) for _ in range(2))
    expect_backward_keeps_float32(student, oracle, "tanh", s, dout)


relu = Question("lab03.relu", functions=("relu",), points=3)


def check_relu(got, oracle, s, what):
    expect(not isinstance(got, np.ndarray) or got.shape == s.shape,
           f"{what}: expected shape {s.shape}, got shape {np.shape(got)}: np.max(s, 0) takes "
           "the maximum along an axis; np.maximum(s, 0) compares elementwise.",
           "np-max-reduces-along-an-axis")
    expect_close(got, oracle.relu(s), what, mistakes=oracle.relu_mistakes(s))


@relu.check(points=1)
def test_relu_matches_the_reference_on_a_small_example(student, oracle, rng):
    s = rng.normal(size=(3, 4))
    check_relu(student.relu(s), oracle, s, "relu(s), shape (3, 4)")


@relu.check(points=1)
def test_relu_does_not_modify_its_input(student, oracle, rng):
    s = both_signs(rng.normal(size=random_shape(rng)))
    got, (after,) = student.call_returning_args("relu", s)
    expect_unchanged(s, after, "relu(s)")
    check_relu(got, oracle, s, f"relu(s), shape {s.shape}")


@relu.check(points=1)
def test_relu_keeps_shape_and_float32(student, oracle, rng):
    s = rng.normal(size=random_shape(rng)).astype(np.float32)
    got = student.relu(s)
    check_relu(got, oracle, s, f"relu(s) for float32 s of shape {s.shape}")
    expect_dtype(got, np.float32, "relu(s) for float32 s (np.zeros(shape) is float64; "
                 "np.zeros_like(s) keeps s's dtype)")


relu_backward = Question("lab03.relu_backward", functions=("relu_backward",), points=4)


def check_relu_backward(student, oracle, s, dout, what):
    expect_relu_backward(student.relu_backward(dout, s), oracle, s, dout, what)


def expect_relu_backward(got, oracle, s, dout, what):
    expect_gradient_near(got, oracle.central_differences("relu", [s], upstream=dout), what,
                         mistakes=oracle.relu_backward_mistakes(dout, s))


@relu_backward.check(points=1)
def test_relu_backward_matches_central_differences_on_a_small_example(student, oracle, rng):
    s, dout = off_kinks(rng, (2, 4)), rng.normal(size=(2, 4))
    check_relu_backward(student, oracle, s, dout, "relu_backward(dout, s), shape (2, 4)")


@relu_backward.check(points=1)
def test_relu_backward_gives_zero_gradient_at_s_equal_zero(student, oracle, rng):
    s = off_kinks(rng, (3, 4))
    s[rng.random(s.shape) < 0.4] = 0.0
    s[0, 0] = 0.0
    dout = rng.uniform(0.5, 2.0, size=s.shape) * rng.choice([-1.0, 1.0], size=s.shape)
    expect_close(student.relu_backward(dout, s), oracle.relu_backward(dout, s),
                 "relu_backward(dout, s) where some s are exactly 0",
                 mistakes=oracle.relu_backward_at_zero_mistakes(dout, s))


@relu_backward.check(points=1)
def test_relu_backward_does_not_modify_its_inputs(student, oracle, rng):
    shape = random_shape(rng)
    s, dout = off_kinks(rng, shape), rng.normal(size=shape)
    got, (dout_after, s_after) = student.call_returning_args("relu_backward", dout, s)
    expect_unchanged(dout, dout_after, "relu_backward(dout, s), argument dout")
    expect_unchanged(s, s_after, "relu_backward(dout, s), argument s")
    expect_relu_backward(got, oracle, s, dout, f"relu_backward(dout, s), shape {shape}")


leaky_relu = Question("lab03.leaky_relu", functions=("leaky_relu", "leaky_relu_backward"), points=5)


def check_leaky_relu(student, oracle, s, alpha, what):
    expect_close(student.leaky_relu(s, alpha), oracle.leaky_relu(s, alpha), what,
                 mistakes=oracle.leaky_relu_mistakes(s, alpha))


def check_leaky_relu_backward(student, oracle, s, dout, alpha, what):
    numerical = oracle.central_differences("leaky_relu", [s, alpha], upstream=dout)
    expect_gradient_near(student.leaky_relu_backward(dout, s, alpha), numerical, what,
                         mistakes=oracle.leaky_relu_backward_mistakes(dout, s, alpha))


@leaky_relu.check(points=1)
def test_leaky_relu_matches_the_reference_on_a_small_example(student, oracle, rng):
    check_leaky_relu(student, oracle, rng.normal(size=(2, 4)), 0.1,
                     "leaky_relu(s, 0.1), shape (2, 4)")


@leaky_relu.check(points=1)
def test_leaky_relu_backward_matches_central_differences_on_a_small_example(student, oracle,
                                                                              rng):
    s, dout = off_kinks(rng, (2, 4)), rng.normal(size=(2, 4))
    check_leaky_relu_backward(student, oracle, s, dout, 0.1,
                              "leaky_relu_backward(dout, s, 0.1), shape (2, 4)")


@leaky_relu.check(points=1)
def test_leaky_relu_and_backward_keep_float32(student, oracle, rng):
    shape, alpha = random_shape(rng), float(rng.uniform(0.02, 0.5))
    s, dout = off_kinks(rng, shape).astype(np.float32), rng.normal(size=shape).astype(np.float32)
    got = student.leaky_relu(s, alpha)
    expect_close(got, oracle.leaky_relu(s.astype(np.float64), alpha),
                 "leaky_relu(s, alpha) for float32 s", **F32)
    expect_dtype(got, np.float32, "leaky_relu(s, alpha) for float32 s")
    got = student.leaky_relu_backward(dout, s, alpha)
    expected = oracle.central_differences("leaky_relu", [s, alpha], upstream=dout)
    expect_close(got, expected, "leaky_relu_backward(dout, s, alpha) for float32 inputs", **F32)
    expect_dtype(got, np.float32, "leaky_relu_backward(dout, s, alpha) for float32 inputs "
                 "(np.full(shape, alpha) and np.ones(shape) are float64)")


def at_the_kink(rng: np.random.Generator, shape: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Inputs off the kink with about a third of them exactly 0 (the first one always), and
    an upstream gradient of both signs away from 0."""
    s = off_kinks(rng, shape)
    s[rng.random(shape) < 0.35] = 0.0
    s.flat[0] = 0.0
    return s, rng.uniform(0.5, 2.0, size=shape) * rng.choice([-1.0, 1.0], size=shape)


@leaky_relu.check(points=1)
def test_leaky_relu_backward_takes_the_slope_alpha_at_s_equal_zero(student, oracle, rng):
    s, dout = at_the_kink(rng, (3, 4))
    alpha = float(rng.uniform(0.05, 0.5))
    expect_close(student.leaky_relu_backward(dout, s, alpha),
                 oracle.leaky_relu_backward(dout, s, alpha),
                 f"leaky_relu_backward(dout, s, {alpha:.3g}) where some s are exactly 0",
                 mistakes=oracle.leaky_relu_backward_at_zero_mistakes(dout, s, alpha))


elu = Question("lab03.elu", functions=("elu", "elu_backward"), points=6)


def check_elu(student, oracle, s, alpha, what):
    expect_close(student.elu(s, alpha), oracle.elu(s, alpha), what,
                 mistakes=oracle.elu_mistakes(s, alpha))


def check_elu_backward(student, oracle, s, dout, alpha, what):
    numerical = oracle.central_differences("elu", [s, alpha], upstream=dout)
    expect_gradient_near(student.elu_backward(dout, s, alpha), numerical, what,
                         mistakes=oracle.elu_backward_mistakes(dout, s, alpha))


@elu.check(points=1)
def test_elu_matches_the_reference_on_a_small_example(student, oracle, rng):
    check_elu(student, oracle, rng.normal(0.0, 1.5, size=(2, 4)), 0.5, "elu(s, 0.5), shape (2, 4)")


@elu.check(points=1)
def test_elu_backward_matches_central_differences_on_a_small_example(student, oracle, rng):
    s, dout = off_kinks(rng, (2, 4)), rng.normal(size=(2, 4))
    check_elu_backward(student, oracle, s, dout, 0.5, "elu_backward(dout, s, 0.5), shape (2, 4)")


@elu.check(points=1)
def test_elu_and_backward_stay_finite_for_large_inputs(student, oracle, rng):
    s = np.concatenate([HUGE, off_kinks(rng, (4,))])
    dout, alpha = rng.normal(size=s.shape), 1.0
    advice = ("e^s overflows to inf for large positive s, and a mask multiplication "
              "such as alpha * (e^s - 1) * (s < 0) turns inf * 0 into nan. Select the "
              "branches with np.where, and exponentiate only np.minimum(s, 0).")
    got = student.elu(s, alpha)
    expect_finite(got, "elu(s, 1.0)", advice, inputs=LARGE)
    expect_close(got, oracle.elu(s, alpha), "elu(s, 1.0) for large |s|")
    got = student.elu_backward(dout, s, alpha)
    expect_finite(got, "elu_backward(dout, s, 1.0)", advice, inputs=LARGE)
    expect_close(got, oracle.elu_backward(dout, s, alpha), "elu_backward(dout, s, 1.0) for "
                 "large |s|", atol=1e-12, mistakes=oracle.elu_backward_mistakes(dout, s, alpha))


@elu.check(points=1)
def test_elu_backward_takes_the_slope_alpha_at_s_equal_zero(student, oracle, rng):
    s, dout = at_the_kink(rng, (3, 4))
    alpha = float(rng.uniform(1.5, 3.0))  # alpha != 1: the two slopes at 0 differ
    expect_close(student.elu_backward(dout, s, alpha), oracle.elu_backward(dout, s, alpha),
                 f"elu_backward(dout, s, {alpha:.3g}) where some s are exactly 0",
                 mistakes=oracle.elu_backward_at_zero_mistakes(dout, s, alpha))


@elu.check(points=1)
def test_elu_backward_keeps_float32(student, oracle, rng):
    shape = random_shape(rng)
    s, dout = off_kinks(rng, shape).astype(np.float32), rng.normal(size=shape).astype(np.float32)
    expect_backward_keeps_float32(student, oracle, "elu", s, dout, float(rng.uniform(0.5, 2.0)))


prelu = Question("lab03.prelu", functions=("prelu", "prelu_backward"), points=5)


def prelu_inputs(rng: np.random.Generator, m: int, d: int):
    s, dout = off_kinks(rng, (m, d)), rng.normal(size=(m, d))
    return s, dout, rng.uniform(0.05, 0.5, size=d)


def check_prelu(student, oracle, s, alpha, what):
    expect_close(student.prelu(s, alpha), oracle.prelu(s, alpha), what,
                 mistakes=oracle.prelu_mistakes(s, alpha))


def check_prelu_backward(student, oracle, s, dout, alpha, what):
    expect_prelu_backward(student.prelu_backward(dout, s, alpha), oracle, s, dout, alpha, what)


def expect_prelu_backward(got, oracle, s, dout, alpha, what):
    ds, dalpha = expect_pair(got, what, "ds, dalpha")
    numerical_ds = oracle.central_differences("prelu", [s, alpha], upstream=dout)
    expect_gradient_near(ds, numerical_ds, f"ds of {what}",
                         mistakes=oracle.prelu_backward_ds_mistakes(dout, s, alpha))
    expect(np.shape(dalpha) != s.shape,
           f"dalpha of {what} has shape {s.shape}, one row per example: alpha has shape "
           f"{alpha.shape} and is shared by every example, so sum dout * s (over s < 0) over "
           "the batch axis.", "dalpha-one-row-per-example")
    numerical_dalpha = oracle.central_differences("prelu", [s, alpha], wrt=1,
                                                  upstream=dout)
    expect_gradient_near(dalpha, numerical_dalpha, f"dalpha of {what}", batch_size=s.shape[0],
                         mistakes=oracle.prelu_backward_dalpha_mistakes(dout, s))


@prelu.check(points=1)
def test_prelu_matches_the_reference_on_a_small_example(student, oracle, rng):
    s, _, alpha = prelu_inputs(rng, 3, 4)
    check_prelu(student, oracle, s, alpha, "prelu(s, alpha), s of shape (3, 4)")


@prelu.check(points=1)
def test_prelu_backward_matches_central_differences_on_a_small_example(student, oracle, rng):
    s, dout, alpha = prelu_inputs(rng, 5, 3)
    check_prelu_backward(student, oracle, s, dout, alpha,
                         "prelu_backward(dout, s, alpha), s of shape (5, 3)")


@prelu.check(points=1)
def test_prelu_backward_does_not_modify_its_inputs(student, oracle, rng):
    m, d = random_batch(rng)
    s, dout, alpha = prelu_inputs(rng, m, d)
    got, after = student.call_returning_args("prelu_backward", dout, s, alpha)
    for name, before, now in zip(("dout", "s", "alpha"), (dout, s, alpha), after, strict=True):
        expect_unchanged(before, now, f"prelu_backward(dout, s, alpha), argument {name}")
    expect_prelu_backward(got, oracle, s, dout, alpha,
                          f"prelu_backward(dout, s, alpha), s of shape {s.shape}")


@prelu.check(points=1)
def test_prelu_backward_keeps_float32(student, oracle, rng):
    s, dout, alpha = (a.astype(np.float32) for a in prelu_inputs(rng, 4, 3))
    what = "prelu_backward(dout, s, alpha) for float32 inputs"
    ds, dalpha = expect_pair(student.prelu_backward(dout, s, alpha), what, "ds, dalpha")
    expected_ds, expected_dalpha = oracle.prelu_backward(*(a.astype(np.float64)
                                                           for a in (dout, s, alpha)))
    for name, got, expected in (("ds", ds, expected_ds), ("dalpha", dalpha, expected_dalpha)):
        expect_close(got, expected, f"{name} of {what}", **F32)
        expect_dtype(got, np.float32, f"{name} of {what} (np.zeros(D) is float64)")


softmax = Question("lab03.softmax", functions=("softmax",), points=5)


SHIFT_ADVICE = ("e^1000 overflows. Subtract each row's maximum first: "
                "softmax(s) = softmax(s - max_k s_k), and then np.exp only sees numbers <= 0.")


@softmax.check(points=1)
def test_softmax_matches_the_reference_on_a_small_example(student, oracle, rng):
    s = rng.normal(0.0, 2.0, size=(3, 4))
    expect_close(student.softmax(s), oracle.softmax(s), "softmax(s), s of shape (3, 4)",
                 mistakes=oracle.softmax_mistakes(s))


@softmax.check(points=1)
def test_softmax_stays_finite_for_large_logits(student, oracle, rng):
    m, k = random_batch(rng)
    offsets = rng.choice([-1000.0, 0.0, 1000.0], size=(m, 1))
    offsets[0] = 1000.0
    s = rng.normal(0.0, 3.0, size=(m, k)) + offsets
    got = student.softmax(s)
    expect_finite(got, "softmax(s)", SHIFT_ADVICE, inputs=LARGE)
    expect_close(got, oracle.softmax(s), "softmax(s) for large logits",
                 mistakes=oracle.softmax_mistakes(s))


@softmax.check(points=1)
def test_softmax_keeps_float32(student, oracle, rng):
    s = rng.normal(0.0, 3.0, size=random_batch(rng)).astype(np.float32)
    got = student.softmax(s)
    expect_close(got, oracle.softmax(s.astype(np.float64)), "softmax(s) for float32 s", **F32)
    expect_dtype(got, np.float32, "softmax(s) for float32 s (np.zeros(shape) is float64; "
                 "np.zeros_like(s) keeps s's dtype)")


@softmax.check(points=1)
def test_softmax_normalizes_along_the_axis_it_is_given(student, oracle, rng):
    s = rng.normal(0.0, 2.0, size=(4, 3))
    expect_close(student.softmax(s, axis=0), oracle.softmax(s, axis=0),
                 "softmax(s, axis=0), s of shape (4, 3): each column sums to 1",
                 mistakes=oracle.softmax_axis_mistakes(s, 0))


softmax_backward = Question("lab03.softmax_backward", functions=("softmax_backward",), points=6)


def check_softmax_backward(student, oracle, s, dout, what):
    numerical = oracle.central_differences("softmax", [s], upstream=dout)
    expect_gradient_near(student.softmax_backward(dout, s), numerical, what,
                         mistakes=oracle.softmax_backward_mistakes(dout, s))


@softmax_backward.check(points=1)
def test_softmax_backward_matches_central_differences_on_a_small_example(student, oracle, rng):
    s, dout = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    check_softmax_backward(student, oracle, s, dout, "softmax_backward(dout, s), shape (3, 4)")


@softmax_backward.check(points=1)
def test_softmax_backward_stays_finite_for_large_logits(student, oracle, rng):
    shape = random_batch(rng)
    s = rng.normal(0.0, 2.0, size=shape) + rng.choice([-1000.0, 1000.0], size=(shape[0], 1))
    dout = rng.normal(size=shape)
    got = student.softmax_backward(dout, s)
    expect_finite(got, "softmax_backward(dout, s)", SHIFT_ADVICE, inputs=LARGE)
    expect_close(got, oracle.softmax_backward(dout, s), "softmax_backward(dout, s) for large "
                 "logits", atol=1e-12, mistakes=oracle.softmax_backward_mistakes(dout, s))


@softmax_backward.check(points=1)
def test_softmax_backward_works_along_the_axis_it_is_given(student, oracle, rng):
    s, dout = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    numerical = oracle.central_differences("softmax", [s, 0], upstream=dout)
    expect_gradient_near(student.softmax_backward(dout, s, axis=0), numerical,
                         "softmax_backward(dout, s, axis=0), shape (4, 3)",
                         mistakes=oracle.softmax_backward_axis_mistakes(dout, s, 0))


@softmax_backward.check(points=1)
def test_softmax_backward_keeps_float32(student, oracle, rng):
    shape = random_batch(rng)
    s, dout = (rng.normal(size=shape).astype(np.float32) for _ in range(2))
    expect_backward_keeps_float32(student, oracle, "softmax", s, dout)


mse = Question("lab03.mse", functions=("mse",), points=3)


def check_mse(student, oracle, y_hat, y, what):
    m = y_hat.shape[0]
    loss, grad = expect_pair(student.mse(y_hat, y), what, "loss, gradient")
    expect_close(loss, oracle.mse(y_hat, y)[0], f"the loss of {what}", batch_size=m,
                 mistakes=oracle.mse_loss_mistakes(y_hat, y))
    numerical = oracle.central_differences("mse", [y_hat, y], output=0)
    expect_gradient_near(grad, numerical, f"the gradient of {what} with respect to y_hat",
                         batch_size=m, mistakes=oracle.mse_gradient_mistakes(y_hat, y))


@mse.check(points=1)
def test_mse_loss_and_gradient_on_a_small_example(student, oracle, rng):
    y_hat, y = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    check_mse(student, oracle, y_hat, y, "mse(y_hat, y), shape (4, 3)")


bce = Question("lab03.binary_cross_entropy_with_logits",
               functions=("binary_cross_entropy_with_logits",), points=3)


def check_bce(student, oracle, s, y, what, large=False):
    """Loss against the answer key; gradient against central differences of its loss, or
    (``large``: where rounding swamps differences) its gradient."""
    m = s.shape[0]
    loss, grad = expect_pair(student.binary_cross_entropy_with_logits(s, y), what,
                             "loss, gradient")
    expect_finite(loss, f"the loss of {what}", "some term overflows or takes a log of 0 "
                  "there: e^{-s} is inf for very negative s (log(1 + e^{-s}) needs the |s|), and "
                  "log(sigma(s)) is log(0) = -inf once sigma(s) rounds to 0 (and 1 - sigma(s) "
                  "to 0 for large s). Simplify the loss to max(s, 0) - y s + log(1 + e^{-|s|}) "
                  "(np.logaddexp(0, s) - y s is the same).", inputs=LARGE)
    reference_loss, reference_grad = oracle.binary_cross_entropy_with_logits(s, y)
    expect_close(loss, reference_loss, f"the loss of {what}", batch_size=m)
    mistakes = oracle.bce_gradient_mistakes(s, y)
    what = f"the gradient of {what} with respect to s"
    if large:
        expect_close(grad, reference_grad, what, atol=1e-12, batch_size=m, mistakes=mistakes)
    else:
        numerical = oracle.central_differences("binary_cross_entropy_with_logits", [s, y],
                                               output=0)
        expect_gradient_near(grad, numerical, what, batch_size=m, mistakes=mistakes)


@bce.check(points=1)
def test_bce_loss_and_gradient_on_a_small_example(student, oracle, rng):
    s, y = rng.normal(0.0, 2.0, size=5), rng.integers(0, 2, size=5).astype(np.float64)
    check_bce(student, oracle, s, y, "binary_cross_entropy_with_logits(s, y), m = 5")


@bce.check(points=1)
def test_bce_stays_finite_for_large_logits(student, oracle, rng):
    s = np.concatenate([HUGE, rng.normal(0.0, 2.0, size=4)])
    y = rng.integers(0, 2, size=s.size).astype(np.float64)
    y[:4], y[4:8] = [1.0, 0.0, 1.0, 0.0], [0.0, 1.0, 0.0, 1.0]
    check_bce(student, oracle, s, y, "binary_cross_entropy_with_logits(s, y) for large |s|",
              large=True)


sce = Question("lab03.softmax_cross_entropy", functions=("softmax_cross_entropy",), points=4)


def check_sce(student, oracle, s, labels, what, large=False):
    """As :func:`check_bce`, for the multinomial cross-entropy of integer labels."""
    m = s.shape[0]
    loss, grad = expect_pair(student.softmax_cross_entropy(s, labels), what, "loss, gradient")
    expect_finite(loss, f"the loss of {what}", "some term overflows or takes a log of 0 "
                  "there: e^s is inf for large scores unless each row's maximum is subtracted "
                  "first, and log(softmax(s)) is log(0) = -inf once the true class's probability "
                  "underflows. Use log softmax(s)_y = s_y - logsumexp(s) with "
                  "logsumexp(s) = max(s) + log(sum(exp(s - max(s)))).", inputs=LARGE)
    reference_loss, reference_grad = oracle.softmax_cross_entropy(s, labels)
    expect_close(loss, reference_loss, f"the loss of {what}", batch_size=m,
                 mistakes=oracle.sce_loss_mistakes(s, labels))
    mistakes = oracle.sce_gradient_mistakes(s, labels)
    what = f"the gradient of {what} with respect to s"
    if large:
        expect_close(grad, reference_grad, what, atol=1e-12, batch_size=m, mistakes=mistakes)
    else:
        numerical = oracle.central_differences("softmax_cross_entropy", [s, labels], output=0)
        expect_gradient_near(grad, numerical, what, batch_size=m, mistakes=mistakes)


def labels_for(rng: np.random.Generator, m: int, k: int) -> np.ndarray:
    """``m`` labels of ``k`` classes, the last class ``k - 1`` among them."""
    y = rng.integers(0, k, size=m).astype(np.int64)
    y[rng.integers(m)] = k - 1  # max(y) + 1 = k: only the check without the last class asks more
    return y


@sce.check(points=1)
def test_softmax_ce_loss_and_gradient_on_a_small_example(student, oracle, rng):
    s, labels = rng.normal(0.0, 2.0, size=(4, 3)), labels_for(rng, 4, 3)
    check_sce(student, oracle, s, labels, "softmax_cross_entropy(s, y), s of shape (4, 3)")


@sce.check(points=1)
def test_softmax_ce_when_no_example_has_the_last_class(student, oracle, rng):
    m, k = random_batch(rng)
    labels = labels_for(rng, m, k - 1)  # class k - 1 has scores but no example in the batch
    check_sce(student, oracle, rng.normal(0.0, 2.0, size=(m, k)), labels,
              f"softmax_cross_entropy(s, y), s of shape {(m, k)}, no label {k - 1} in y")


@sce.check(points=1)
def test_softmax_ce_stays_finite_for_large_logits(student, oracle, rng):
    m, k = random_batch(rng)
    labels = labels_for(rng, m, k)
    s = rng.normal(0.0, 2.0, size=(m, k)) + rng.choice([-1000.0, 1000.0], size=(m, 1))
    wrong = (labels + 1) % k
    s[np.arange(m), wrong] += 1000.0  # a confident wrong answer: the true class's p underflows
    check_sce(student, oracle, s, labels, "softmax_cross_entropy(s, y) for large logits",
              large=True)
