"""Losses: gradients match central differences; values, stability, targets and dtypes as the
lectures and the package conventions say."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes

from reference.activations import sigmoid, sigmoid_backward, softmax, softmax_backward
from reference.gradcheck import numerical_gradient, relative_error
from reference.losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    mse,
    softmax_cross_entropy,
)

GRADCHECK = settings(max_examples=25, deadline=None)
TOLERANCE = 1e-7
STEP = 1e-5     # near eps^(1/3): balances the central difference's h^2 and eps / h errors
seeds = st.integers(0, 2**32 - 1)
batch_sizes = st.integers(1, 6)
classes = st.integers(2, 5)
binary_shapes = st.tuples(batch_sizes, st.booleans()).map(lambda t: (t[0], 1) if t[1] else t[:1])


def assert_loss_gradient_matches(loss_fn, x, y):
    """dL/dx of ``loss_fn(x, y)`` against central differences with step ``STEP``: elementwise
    relative error below 1e-7, ``relative_error``'s guard at 1e-2 of the larger of |L| and the
    largest gradient entry. A central difference carries a rounding error of about
    1e-16 |L| / h in every entry, and an entry can be far smaller than that (a confident,
    correct prediction), so such an entry is held to 1e-9 of the scale instead of 1e-7 of
    itself."""
    loss, analytic = loss_fn(x, y)
    numerical = numerical_gradient(lambda x_: loss_fn(x_, y)[0], x, h=STEP)
    scale = max(abs(loss), float(np.max(np.abs(numerical))))
    assert relative_error(analytic, numerical, guard=max(1e-2 * scale, 1e-8)) < TOLERANCE


def no_floating_point_errors():
    """Overflow, division by zero and invalid operations raise. Underflow stays allowed:
    0 is the correctly rounded e^{-1000}, so a stable function may underflow."""
    return np.errstate(over="raise", divide="raise", invalid="raise")


def one_hot(labels, k):
    return np.eye(k)[labels]


def probabilities(rng, m, k):
    """Rows of a softmax-like output, every entry in [1 / (2k - 1), 2 / (k + 1)]: away from 0,
    where -log p is too curved for a central difference."""
    u = rng.uniform(1, 2, (m, k))
    return u / u.sum(axis=1, keepdims=True)


@pytest.fixture
def rng():
    return np.random.default_rng(20261127)


# -- gradients ---------------------------------------------------------------------------


@given(shape=array_shapes(min_dims=1, max_dims=2, min_side=1, max_side=5), seed=seeds)
@GRADCHECK
def test_mse_gradient_matches_central_differences(shape, seed):
    rng = np.random.default_rng(seed)
    assert_loss_gradient_matches(mse, rng.standard_normal(shape), rng.standard_normal(shape))


@given(shape=binary_shapes, seed=seeds)
@GRADCHECK
def test_binary_cross_entropy_gradient_matches_central_differences(shape, seed):
    rng = np.random.default_rng(seed)
    y_hat, y = rng.uniform(0.05, 0.95, shape), rng.integers(0, 2, shape)
    assert_loss_gradient_matches(binary_cross_entropy, y_hat, y)


@given(shape=binary_shapes, seed=seeds)
@GRADCHECK
def test_binary_cross_entropy_with_logits_gradient_matches_central_differences(shape, seed):
    rng = np.random.default_rng(seed)
    s, y = rng.standard_normal(shape), rng.integers(0, 2, shape)
    assert_loss_gradient_matches(binary_cross_entropy_with_logits, s, y)


@given(m=batch_sizes, k=classes, seed=seeds)
@GRADCHECK
def test_softmax_cross_entropy_gradient_matches_central_differences_for_labels(m, k, seed):
    rng = np.random.default_rng(seed)
    s, y = rng.standard_normal((m, k)), rng.integers(0, k, m)
    assert_loss_gradient_matches(softmax_cross_entropy, s, y)


@given(m=batch_sizes, k=classes, seed=seeds)
@GRADCHECK
def test_softmax_cross_entropy_gradient_matches_central_differences_for_probabilities(m, k,
                                                                                     seed):
    rng = np.random.default_rng(seed)
    s, Y = rng.standard_normal((m, k)), rng.dirichlet(np.ones(k), m)
    assert_loss_gradient_matches(softmax_cross_entropy, s, Y)


def test_softmax_cross_entropy_gradient_is_exact_for_targets_not_summing_to_one(rng):
    s, Y = rng.standard_normal((4, 3)), rng.uniform(0, 2, (4, 3))
    assert_loss_gradient_matches(softmax_cross_entropy, s, Y)


@given(m=batch_sizes, k=classes, seed=seeds)
@GRADCHECK
def test_cross_entropy_gradient_matches_central_differences_for_labels(m, k, seed):
    rng = np.random.default_rng(seed)
    p, y = probabilities(rng, m, k), rng.integers(0, k, m)
    assert_loss_gradient_matches(cross_entropy, p, y)


@given(m=batch_sizes, k=classes, seed=seeds)
@GRADCHECK
def test_cross_entropy_gradient_matches_central_differences_for_probabilities(m, k, seed):
    rng = np.random.default_rng(seed)
    p, Y = probabilities(rng, m, k), rng.dirichlet(np.ones(k), m)
    assert_loss_gradient_matches(cross_entropy, p, Y)


# -- values from the lectures ------------------------------------------------------------


def test_mse_of_a_hand_example():
    loss, _ = mse(np.array([1.0, 2.0, 3.0]), np.array([1.0, 1.0, 1.0]))
    assert loss == pytest.approx((0 + 1 + 4) / 3, rel=1e-15)


def test_mse_gradient_is_minus_two_over_m_times_y_minus_y_hat():
    _, grad = mse(np.array([1.0, 2.0, 3.0]), np.array([1.0, 1.0, 1.0]))
    np.testing.assert_allclose(grad, [0.0, 2 / 3, 4 / 3], rtol=1e-15)


def test_mse_sums_over_outputs_and_averages_over_the_batch():
    loss, _ = mse(np.array([[1.0, 2.0], [3.0, 4.0]]), np.zeros((2, 2)))
    assert loss == pytest.approx((1 + 4 + 9 + 16) / 2, rel=1e-15)


def test_binary_cross_entropy_of_a_hand_example():
    loss, _ = binary_cross_entropy(np.array([0.9, 0.2]), np.array([1, 0]))
    assert loss == pytest.approx(-(np.log(0.9) + np.log(0.8)) / 2, rel=1e-15)


def test_binary_cross_entropy_with_logits_equals_binary_cross_entropy_of_sigmoid(rng):
    s, y = rng.standard_normal(8), rng.integers(0, 2, 8)
    loss, _ = binary_cross_entropy_with_logits(s, y)
    assert loss == pytest.approx(binary_cross_entropy(sigmoid(s), y)[0], rel=1e-13)


def test_binary_cross_entropy_with_logits_gradient_is_the_chain_through_sigmoid(rng):
    # Lecture 001: dL/ds_i = (y_hat_i - y_i) / m, the chain dL/dy_hat * sigma'(s) simplified.
    s, y = rng.standard_normal(8), rng.integers(0, 2, 8)
    chained = sigmoid_backward(binary_cross_entropy(sigmoid(s), y)[1], s)
    np.testing.assert_allclose(binary_cross_entropy_with_logits(s, y)[1], chained, rtol=1e-12)


@pytest.mark.parametrize("k", [2, 3, 10])
def test_softmax_cross_entropy_of_equal_scores_is_log_k(k):
    loss, _ = softmax_cross_entropy(np.full((4, k), 7.0), np.arange(4) % k)
    assert loss == pytest.approx(np.log(k), rel=1e-15)


def test_softmax_cross_entropy_gives_the_same_result_for_labels_and_one_hot_targets(rng):
    s, y = rng.standard_normal((6, 4)), rng.integers(0, 4, 6)
    (loss, grad), (loss_1hot, grad_1hot) = softmax_cross_entropy(s, y), softmax_cross_entropy(
        s, one_hot(y, 4))
    assert loss == pytest.approx(loss_1hot, rel=1e-15)
    np.testing.assert_allclose(grad, grad_1hot, rtol=1e-15)


def test_softmax_cross_entropy_gradient_is_y_hat_minus_y_over_m(rng):
    s, y = rng.standard_normal((6, 4)), rng.integers(0, 4, 6)
    _, grad = softmax_cross_entropy(s, y)
    np.testing.assert_allclose(grad, (softmax(s) - one_hot(y, 4)) / 6, rtol=1e-14, atol=1e-17)


def test_cross_entropy_of_softmax_equals_softmax_cross_entropy(rng):
    s, y = rng.standard_normal((6, 4)), rng.integers(0, 4, 6)
    loss, _ = cross_entropy(softmax(s), y)
    assert loss == pytest.approx(softmax_cross_entropy(s, y)[0], rel=1e-14)


def test_cross_entropy_chained_through_softmax_gives_the_fused_gradient(rng):
    s, y = rng.standard_normal((6, 4)), rng.integers(0, 4, 6)
    chained = softmax_backward(cross_entropy(softmax(s), y)[1], s)
    np.testing.assert_allclose(chained, softmax_cross_entropy(s, y)[1], rtol=1e-12, atol=1e-17)


@pytest.mark.parametrize("k", [2, 3, 10])
def test_cross_entropy_of_a_uniform_distribution_is_log_k(k):
    loss, _ = cross_entropy(np.full((4, k), 1 / k), np.arange(4) % k)
    assert loss == pytest.approx(np.log(k), rel=1e-15)


# -- probabilities of exactly 0 or 1 -----------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_binary_cross_entropy_is_capped_at_100_per_example_as_in_torch(dtype):
    # float32 is the trap: 1 - 1e-12 rounds to 1 there, so clipping y_hat itself would not help.
    with no_floating_point_errors():
        loss, _ = binary_cross_entropy(np.array([0.0, 1.0, 1.0, 0.0], dtype), [0, 1, 0, 1])
    assert loss == 100.0 / 2


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_binary_cross_entropy_gradient_is_finite_at_probabilities_zero_and_one(dtype):
    with no_floating_point_errors():
        _, grad = binary_cross_entropy(np.array([0.0, 1.0, 1.0, 0.0], dtype), [0, 1, 0, 1])
    assert np.all(np.isfinite(grad))


def test_cross_entropy_is_capped_at_100_for_a_zero_probability():
    with no_floating_point_errors():
        loss, _ = cross_entropy(np.array([[0.0, 1.0]]), [0])
    assert loss == 100.0


def test_cross_entropy_gradient_is_zero_where_the_target_is_zero_even_at_probability_zero():
    with no_floating_point_errors():
        _, grad = cross_entropy(np.array([[0.0, 1.0, 0.0]]), np.array([[0.0, 1.0, 0.0]]))
    np.testing.assert_array_equal(grad, [[0.0, -1.0, 0.0]])


# -- numerical stability of the losses from scores ---------------------------------------


def test_binary_cross_entropy_with_logits_is_exact_at_huge_scores():
    with no_floating_point_errors():
        loss, grad = binary_cross_entropy_with_logits(
            np.array([1000.0, -1000.0, 1000.0, -1000.0]), np.array([0, 1, 1, 0]))
    assert loss == 500.0
    np.testing.assert_array_equal(grad, [0.25, -0.25, 0.0, 0.0])


@pytest.mark.parametrize("targets", ["labels", "one-hot"])
def test_softmax_cross_entropy_is_exact_at_huge_scores(targets):
    s, y = np.array([[1e4, 0.0, -1e4], [1e4, 0.0, -1e4]]), np.array([2, 0])
    with no_floating_point_errors():
        loss, grad = softmax_cross_entropy(s, y if targets == "labels" else one_hot(y, 3))
    assert loss == 1e4
    np.testing.assert_array_equal(grad, [[0.5, 0.0, -0.5], [0.0, 0.0, 0.0]])


# -- targets, dtypes and inputs ----------------------------------------------------------


def binary_problem(rng, dtype):
    return rng.uniform(0.05, 0.95, (6, 1)).astype(dtype), rng.integers(0, 2, (6, 1))


def logits_problem(rng, dtype):
    return rng.standard_normal((6, 1)).astype(dtype), rng.integers(0, 2, (6, 1))


def labels_problem(rng, dtype):
    return rng.standard_normal((6, 4)).astype(dtype), rng.integers(0, 4, 6)


def targets_problem(rng, dtype):
    return rng.standard_normal((6, 4)).astype(dtype), rng.dirichlet(np.ones(4), 6)


def probabilities_problem(rng, dtype):
    p, y = labels_problem(rng, dtype)
    return softmax(p), y


# name -> (loss function, problem(rng, dtype) -> (prediction of that dtype, float64/int target))
LOSSES = {
    "mse": (mse, lambda rng, dtype: (rng.standard_normal((6, 3)).astype(dtype),
                                     rng.standard_normal((6, 3)))),
    "binary_cross_entropy": (binary_cross_entropy, binary_problem),
    "binary_cross_entropy_with_logits": (binary_cross_entropy_with_logits, logits_problem),
    "softmax_cross_entropy_labels": (softmax_cross_entropy, labels_problem),
    "softmax_cross_entropy_targets": (softmax_cross_entropy, targets_problem),
    "cross_entropy_labels": (cross_entropy, probabilities_problem),
}


@pytest.mark.parametrize("name", LOSSES)
def test_loss_is_a_python_float(name, rng):
    loss_fn, problem = LOSSES[name]
    assert type(loss_fn(*problem(rng, np.float32))[0]) is float


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", LOSSES)
def test_gradient_keeps_the_prediction_dtype(name, dtype, rng):
    loss_fn, problem = LOSSES[name]
    assert loss_fn(*problem(rng, dtype))[1].dtype == dtype


@pytest.mark.parametrize("name", LOSSES)
def test_inputs_are_not_modified(name, rng):
    loss_fn, problem = LOSSES[name]
    prediction, target = problem(rng, np.float64)
    prediction_before, target_before = prediction.copy(), target.copy()
    loss_fn(prediction, target)
    np.testing.assert_array_equal(prediction, prediction_before)
    np.testing.assert_array_equal(target, target_before)


def test_integer_lists_are_accepted_as_float64():
    loss, grad = mse([[1, 2], [3, 5]], [[0, 0], [0, 0]])
    assert (loss, grad.dtype) == (19.5, np.float64)
    np.testing.assert_array_equal(grad, [[1.0, 2.0], [3.0, 5.0]])


@pytest.mark.parametrize("loss_fn", [mse, binary_cross_entropy, binary_cross_entropy_with_logits])
def test_targets_of_shape_m_fit_predictions_of_shape_m_by_1(loss_fn, rng):
    prediction, y = rng.uniform(0.1, 0.9, (5, 1)), rng.integers(0, 2, 5)
    (loss, grad), expected = loss_fn(prediction, y), loss_fn(prediction, y.reshape(5, 1))
    assert (loss, grad.shape) == (expected[0], (5, 1))


@pytest.mark.parametrize("name", LOSSES)
def test_loss_of_an_empty_batch_is_a_value_error(name, rng):
    loss_fn, problem = LOSSES[name]
    prediction, target = problem(rng, np.float64)
    with pytest.raises(ValueError, match="empty batch"):
        loss_fn(prediction[:0], target[:0])


@pytest.mark.parametrize("loss_fn,y", [(binary_cross_entropy, [1, 0]),
                                       (cross_entropy, [0, 1])])
@pytest.mark.parametrize("bad", [-0.5, 1.5])
def test_losses_from_probabilities_reject_values_outside_0_and_1(loss_fn, y, bad):
    p = np.array([[bad, 1 - bad], [0.5, 0.5]])
    with pytest.raises(ValueError, match=r"probabilities must lie in \[0, 1\]"):
        loss_fn(p[:, :1] if loss_fn is binary_cross_entropy else p, y)


def test_mse_rejects_targets_that_would_broadcast_to_a_matrix():
    with pytest.raises(ValueError, match="shape"):
        mse(np.zeros(3), np.zeros((3, 1)))


@pytest.mark.parametrize("loss_fn", [softmax_cross_entropy, cross_entropy])
@pytest.mark.parametrize("label", [-1, 3])
def test_class_losses_reject_labels_out_of_range(loss_fn, label):
    with pytest.raises(ValueError, match="labels must lie in 0..2"):
        loss_fn(np.full((2, 3), 1 / 3), np.array([0, label]))


def test_softmax_cross_entropy_rejects_labels_that_are_not_integers():
    with pytest.raises(ValueError, match="integer labels"):
        softmax_cross_entropy(np.zeros((2, 3)), np.array([0.0, 1.0]))


# -- PyTorch -----------------------------------------------------------------------------


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


def torch_loss(name, torch):
    """The torch.nn.functional counterpart of LOSSES[name], on (prediction, target) tensors."""
    F = torch.nn.functional
    return {
        "mse": lambda x, y: F.mse_loss(x, y, reduction="sum") / x.shape[0],
        "binary_cross_entropy": lambda x, y: F.binary_cross_entropy(x, y.to(x.dtype)),
        "binary_cross_entropy_with_logits":
            lambda x, y: F.binary_cross_entropy_with_logits(x, y.to(x.dtype)),
        "softmax_cross_entropy_labels": F.cross_entropy,
        "softmax_cross_entropy_targets": F.cross_entropy,
        "cross_entropy_labels": lambda x, y: F.nll_loss(torch.log(x), y),
    }[name]


@pytest.mark.torch
@pytest.mark.parametrize("name", LOSSES)
def test_loss_and_gradient_match_torch(name, rng, torch):
    loss_fn, problem = LOSSES[name]
    prediction, target = problem(rng, np.float64)
    x = torch.tensor(prediction, requires_grad=True)
    expected = torch_loss(name, torch)(x, torch.from_numpy(target))
    expected.backward()
    loss, grad = loss_fn(prediction, target)
    assert loss == pytest.approx(expected.item(), rel=1e-13)
    np.testing.assert_allclose(grad, x.grad.numpy(), rtol=1e-12, atol=1e-17)


@pytest.mark.torch
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_binary_cross_entropy_matches_torch_at_and_near_probabilities_zero_and_one(dtype, torch):
    y_hat = np.array([0.0, 1.0, 1.0, 0.0, 1e-50, 1 - 1e-10, 1e-10, 0.3], dtype=dtype)
    y = np.array([0, 1, 0, 1, 1, 1, 0, 1], dtype=dtype)
    x = torch.tensor(y_hat, requires_grad=True)
    expected = torch.nn.functional.binary_cross_entropy(x, torch.from_numpy(y))
    expected.backward()
    loss, grad = binary_cross_entropy(y_hat, y)
    assert loss == pytest.approx(expected.item(), rel=1e-6 if dtype == "float32" else 1e-13)
    # torch floors y_hat (1 - y_hat) at 1e-12 rounded to float32, 4e-9 below ours, in float64 too
    np.testing.assert_allclose(grad, x.grad.numpy(), rtol=1e-6 if dtype == "float32" else 1e-8)
