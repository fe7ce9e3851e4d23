"""Lab 03's hidden checks: random shapes, slopes and batches, drawn from the grading seed.

They add to the questions of :mod:`nnlabs.checks.lab03` and use its helpers; their
``oracle`` is the answer key, :mod:`autograder.answers.lab03`.
"""

from __future__ import annotations

import numpy as np

from nnlabs.checks.lab03 import (
    bce,
    check_bce,
    check_elu,
    check_elu_backward,
    check_leaky_relu,
    check_leaky_relu_backward,
    check_prelu,
    check_prelu_backward,
    check_relu_backward,
    check_sce,
    check_sigmoid_backward,
    check_softmax_backward,
    check_tanh,
    check_tanh_backward,
    elu,
    labels_for,
    leaky_relu,
    mse,
    off_kinks,
    prelu,
    prelu_inputs,
    random_batch,
    random_shape,
    relu_backward,
    sce,
    sigmoid,
    sigmoid_backward,
    softmax,
    softmax_backward,
    tanh,
)
from nnlabs.expect import expect, expect_close, expect_gradient_near, expect_pair


@sigmoid.check(points=1, hidden=True)
def test_sigmoid_matches_the_reference_on_random_inputs(student, oracle, rng):
    s = rng.normal(0.0, 4.0, size=random_shape(rng))
    expect_close(student.sigmoid(s), oracle.sigmoid(s), f"sigmoid(s) for s of shape {s.shape}",
                 mistakes=oracle.sigmoid_mistakes(s))


@sigmoid_backward.check(points=1, hidden=True)
def test_sigmoid_backward_matches_central_differences_on_random_inputs(student, oracle, rng):
    shape = random_shape(rng)
    s, dout = rng.normal(0.0, 3.0, size=shape), rng.normal(size=shape)
    check_sigmoid_backward(student, oracle, s, dout, f"sigmoid_backward(dout, s), shape {shape}")


@tanh.check(points=1, hidden=True)
def test_tanh_and_backward_match_on_random_inputs(student, oracle, rng):
    shape = random_shape(rng)
    s, dout = rng.normal(0.0, 2.0, size=shape), rng.normal(size=shape)
    check_tanh(student, oracle, s, f"tanh(s), shape {shape}")
    check_tanh_backward(student, oracle, s, dout, f"tanh_backward(dout, s), shape {shape}")


@relu_backward.check(points=1, hidden=True)
def test_relu_backward_matches_central_differences_on_random_inputs(student, oracle, rng):
    shape = random_shape(rng)
    s, dout = off_kinks(rng, shape), rng.normal(size=shape)
    dout.flat[0] = abs(dout.flat[0]) + 0.1  # s.flat[0] < 0: a mask taken from dout keeps it
    check_relu_backward(student, oracle, s, dout, f"relu_backward(dout, s), shape {shape}")


@leaky_relu.check(points=1, hidden=True)
def test_leaky_relu_and_backward_match_on_random_inputs_and_slopes(student, oracle, rng):
    shape, alpha = random_shape(rng), float(rng.uniform(0.02, 0.5))
    s, dout = off_kinks(rng, shape), rng.normal(size=shape)
    check_leaky_relu(student, oracle, s, alpha, f"leaky_relu(s, {alpha:.3g}), shape {shape}")
    check_leaky_relu_backward(student, oracle, s, dout, alpha,
                              f"leaky_relu_backward(dout, s, {alpha:.3g}), shape {shape}")


@elu.check(points=1, hidden=True)
def test_elu_and_backward_match_on_random_inputs_and_alphas(student, oracle, rng):
    shape, alpha = random_shape(rng), float(rng.uniform(0.2, 2.0))
    s, dout = off_kinks(rng, shape), rng.normal(size=shape)
    check_elu(student, oracle, s, alpha, f"elu(s, {alpha:.3g}), shape {shape}")
    check_elu_backward(student, oracle, s, dout, alpha,
                       f"elu_backward(dout, s, {alpha:.3g}), shape {shape}")


@prelu.check(points=1, hidden=True)
def test_prelu_and_backward_match_on_random_inputs(student, oracle, rng):
    m, d = random_batch(rng)
    s, dout, alpha = prelu_inputs(rng, m, d)
    check_prelu(student, oracle, s, alpha, f"prelu(s, alpha), s of shape {s.shape}")
    check_prelu_backward(student, oracle, s, dout, alpha,
                         f"prelu_backward(dout, s, alpha), s of shape {s.shape}")


@softmax.check(points=1, hidden=True)
def test_softmax_matches_the_reference_on_random_inputs(student, oracle, rng):
    s = rng.normal(0.0, 3.0, size=random_batch(rng))
    expect_close(student.softmax(s), oracle.softmax(s), f"softmax(s), s of shape {s.shape}",
                 mistakes=oracle.softmax_mistakes(s))


@softmax_backward.check(points=1, hidden=True)
def test_softmax_backward_matches_central_differences_on_random_inputs(student, oracle, rng):
    shape = random_batch(rng)
    s, dout = rng.normal(0.0, 2.0, size=shape), rng.normal(size=shape)
    check_softmax_backward(student, oracle, s, dout, f"softmax_backward(dout, s), shape {shape}")


@softmax_backward.check(points=1, hidden=True)
def test_softmax_backward_rows_sum_to_zero(student, rng):
    shape = random_batch(rng)
    s, dout = rng.normal(0.0, 2.0, size=shape), rng.normal(size=shape)
    got = student.softmax_backward(dout, s)
    expect(isinstance(got, np.ndarray) and got.shape == shape,
           f"softmax_backward(dout, s) should return an array of shape {shape}.")
    sums = got.astype(np.float64).sum(axis=-1)
    expect(bool(np.allclose(sums, 0.0, atol=1e-9)),
           "each row of softmax_backward(dout, s) should sum to 0: adding a constant to a row "
           "of logits does not change the softmax, so no gradient flows along (1, ..., 1). "
           f"Your row sums are {np.array2string(sums[:4], precision=4)}: is a Jacobian term "
           "missing (only the diagonal y (1 - y)?)")


@mse.check(points=1, hidden=True)
def test_mse_loss_matches_on_random_inputs(student, oracle, rng):
    shape = random_batch(rng)
    y_hat, y = rng.normal(0.0, 2.0, size=shape), rng.normal(size=shape)
    loss, _ = expect_pair(student.mse(y_hat, y), "mse(y_hat, y)", "loss, gradient")
    expect_close(loss, oracle.mse(y_hat, y)[0], f"the loss of mse(y_hat, y), shape {shape}",
                 batch_size=shape[0], mistakes=oracle.mse_loss_mistakes(y_hat, y))


@mse.check(points=1, hidden=True)
def test_mse_gradient_matches_central_differences_on_random_inputs(student, oracle, rng):
    shape = random_batch(rng)
    y_hat, y = rng.normal(0.0, 2.0, size=shape), rng.normal(size=shape)
    _, grad = expect_pair(student.mse(y_hat, y), "mse(y_hat, y)", "loss, gradient")
    numerical = oracle.central_differences("mse", [y_hat, y], output=0)
    expect_gradient_near(grad, numerical, f"the gradient of mse(y_hat, y), shape {shape}",
                         batch_size=shape[0], mistakes=oracle.mse_gradient_mistakes(y_hat, y))


@bce.check(points=1, hidden=True)
def test_bce_loss_and_gradient_on_random_inputs(student, oracle, rng):
    m = int(rng.integers(2, 30))
    s, y = rng.normal(0.0, 2.0, size=m), rng.integers(0, 2, size=m).astype(np.float64)
    check_bce(student, oracle, s, y, f"binary_cross_entropy_with_logits(s, y), m = {m}")


@sce.check(points=1, hidden=True)
def test_softmax_ce_loss_and_gradient_on_random_inputs(student, oracle, rng):
    m, k = random_batch(rng)
    # No label is k - 1, so the number of classes must come from s, not from max(y) + 1.
    s, labels = rng.normal(0.0, 2.0, size=(m, k)), labels_for(rng, m, k - 1)
    check_sce(student, oracle, s, labels, f"softmax_cross_entropy(s, y), s of shape {(m, k)}, "
              f"no label {k - 1} in y")
