"""Activations: backward passes match central differences; values, kinks, stability and dtypes
as the lectures and the package conventions say."""

from functools import partial

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

from reference.activations import (
    elu,
    elu_backward,
    leaky_relu,
    leaky_relu_backward,
    prelu,
    prelu_backward,
    relu,
    relu_backward,
    sigmoid,
    sigmoid_backward,
    softmax,
    softmax_backward,
    tanh,
    tanh_backward,
)
from reference.gradcheck import numerical_gradient, relative_error

GRADCHECK = settings(max_examples=25, deadline=None)
TOLERANCE = 1e-7
STEP = 1e-5     # near eps^(1/3): balances the central difference's h^2 and eps / h errors
seeds = st.integers(0, 2**32 - 1)
shapes = array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4)
# |s| in [1e-3, 3]: off the kinks at 0 (the step h = 1e-5 never crosses one) and away from
# saturation, where |f| / |f'| would make the central difference's rounding error dominate.
off_kink_values = st.floats(1e-3, 3.0) | st.floats(-3.0, -1e-3)

# name -> (forward(s), backward(dout, s) = dL/ds); every entry is exercised by every test below
# that is parametrized over ACTIVATIONS.
ACTIVATIONS = {
    "sigmoid": (sigmoid, sigmoid_backward),
    "tanh": (tanh, tanh_backward),
    "relu": (relu, relu_backward),
    "leaky_relu": (partial(leaky_relu, alpha=0.1), partial(leaky_relu_backward, alpha=0.1)),
    "elu": (partial(elu, alpha=1.3), partial(elu_backward, alpha=1.3)),
    "prelu": (partial(prelu, alpha=0.3), lambda dout, s: prelu_backward(dout, s, 0.3)[0]),
    "softmax": (softmax, softmax_backward),
    "softmax_axis0": (partial(softmax, axis=0), partial(softmax_backward, axis=0)),
}


def assert_gradients_match(analytic, numerical, upstream):
    """Elementwise relative error below 1e-7, ``relative_error``'s guard at 1e-2 of the largest
    |upstream| or |numerical| entry. The central difference of sum(upstream * f) carries a
    rounding error of about 1e-16 |upstream| / h in every entry, and an entry of softmax's
    gradient can be far smaller than that scale (a dominant class), so such an entry is held
    to 1e-9 of the scale instead of 1e-7 of itself."""
    scale = max(float(np.max(np.abs(upstream))), float(np.max(np.abs(numerical))))
    assert relative_error(analytic, numerical, guard=max(1e-2 * scale, 1e-8)) < TOLERANCE


def central_differences(f, x, upstream):
    return numerical_gradient(f, x, upstream, h=STEP)


def no_floating_point_errors():
    """Overflow, division by zero and invalid operations raise. Underflow stays allowed:
    0 is the correctly rounded e^{-1000}, so a stable function may underflow."""
    return np.errstate(over="raise", divide="raise", invalid="raise")


@pytest.fixture
def rng():
    return np.random.default_rng(20261126)


# -- gradients ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ACTIVATIONS)
@given(data=st.data(), seed=seeds)
@GRADCHECK
def test_backward_matches_central_differences(name, data, seed):
    forward, backward = ACTIVATIONS[name]
    s = data.draw(arrays(np.float64, shapes, elements=off_kink_values))
    dout = np.random.default_rng(seed).standard_normal(s.shape)
    assert_gradients_match(backward(dout, s), central_differences(forward, s, dout), dout)


@given(data=st.data(), seed=seeds)
@GRADCHECK
def test_prelu_backward_ds_matches_central_differences_for_per_feature_slopes(data, seed):
    s = data.draw(arrays(np.float64, shapes, elements=off_kink_values))
    rng = np.random.default_rng(seed)
    alpha, dout = rng.uniform(-0.5, 0.5, s.shape[-1]), rng.standard_normal(s.shape)
    numerical = central_differences(lambda x: prelu(x, alpha), s, dout)
    assert_gradients_match(prelu_backward(dout, s, alpha)[0], numerical, dout)


@given(data=st.data(), seed=seeds)
@GRADCHECK
def test_prelu_backward_dalpha_matches_central_differences_for_a_shared_slope(data, seed):
    s = data.draw(arrays(np.float64, shapes, elements=off_kink_values))
    rng = np.random.default_rng(seed)
    alpha, dout = rng.uniform(-0.5, 0.5), rng.standard_normal(s.shape)
    numerical = central_differences(lambda a: prelu(s, a), np.array(alpha), dout)
    assert_gradients_match(np.asarray(prelu_backward(dout, s, alpha)[1]), numerical, dout)


@given(data=st.data(), seed=seeds)
@GRADCHECK
def test_prelu_backward_dalpha_matches_central_differences_for_per_feature_slopes(data, seed):
    s = data.draw(arrays(np.float64, shapes, elements=off_kink_values))
    rng = np.random.default_rng(seed)
    alpha, dout = rng.uniform(-0.5, 0.5, s.shape[-1]), rng.standard_normal(s.shape)
    numerical = central_differences(lambda a: prelu(s, a), alpha, dout)
    assert_gradients_match(prelu_backward(dout, s, alpha)[1], numerical, dout)


def test_prelu_backward_dalpha_has_the_shape_and_dtype_of_a_per_feature_alpha(rng):
    s = rng.standard_normal((5, 3)).astype(np.float32)
    _, dalpha = prelu_backward(np.ones_like(s), s, np.full(3, 0.25, dtype=np.float32))
    assert (dalpha.shape, dalpha.dtype) == ((3,), np.float32)


def test_prelu_backward_dalpha_is_a_float64_scalar_for_a_python_float_alpha(rng):
    s = rng.standard_normal((5, 3)).astype(np.float32)
    _, dalpha = prelu_backward(np.ones_like(s), s, 0.25)
    assert (np.shape(dalpha), dalpha.dtype) == ((), np.float64)


# -- values from the lectures ------------------------------------------------------------


def test_sigmoid_of_zero_is_one_half():
    assert sigmoid(0.0) == 0.5


def test_sigmoid_matches_its_definition(rng):
    s = rng.uniform(-20, 20, 50)
    np.testing.assert_allclose(sigmoid(s), 1 / (1 + np.exp(-s)), rtol=1e-14)


def test_sigmoid_derivative_is_at_most_one_quarter_and_one_quarter_at_zero():
    local = sigmoid_backward(np.ones(201), np.arange(-100, 101) / 10)     # local[100]: s = 0
    assert (local[100], local.max()) == (0.25, 0.25)


def test_tanh_is_two_sigmoid_of_two_s_minus_one(rng):
    s = rng.uniform(-5, 5, 50)
    np.testing.assert_allclose(tanh(s), 2 * sigmoid(2 * s) - 1, rtol=1e-12, atol=1e-15)


def test_tanh_derivative_is_one_minus_tanh_squared(rng):
    s = rng.uniform(-3, 3, 50)
    np.testing.assert_allclose(tanh_backward(np.ones(50), s), 1 - np.tanh(s) ** 2, rtol=1e-14)


def test_relu_is_max_of_zero_and_s():
    s = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
    np.testing.assert_array_equal(relu(s), [0.0, 0.0, 0.0, 0.5, 2.0])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_relu_keeps_every_bit_of_max_with_zero_for_signed_zeros_nans_and_infinities(dtype):
    special = np.array([-0.0, 0.0, -1.5, 2.5, np.inf, -np.inf, np.nan, -np.nan], dtype)
    s = np.concatenate([special, np.random.default_rng(0).standard_normal(40).astype(dtype)])
    for shaped in (s, s.reshape(4, 12), s.reshape(2, 4, 6), s[:, None]):
        out = relu(shaped)
        assert out.shape == shaped.shape and out.dtype == dtype
        np.testing.assert_array_equal(out.view(np.uint8), np.maximum(shaped, 0).view(np.uint8))


def test_relu_derivative_is_one_for_positive_and_zero_for_negative_inputs():
    s = np.array([-2.0, -0.5, 0.5, 2.0])
    np.testing.assert_array_equal(relu_backward(np.ones(4), s), [0.0, 0.0, 1.0, 1.0])


# At s = 0 each of the ReLU family takes the slope of its left piece (as PyTorch does).
KINK_SLOPES = {
    "relu": (relu_backward, 0.0),
    "leaky_relu": (partial(leaky_relu_backward, alpha=0.1), 0.1),
    "elu": (partial(elu_backward, alpha=1.3), 1.3),
    "prelu": (lambda dout, s: prelu_backward(dout, s, 0.3)[0], 0.3),
}


@pytest.mark.parametrize("name", KINK_SLOPES)
def test_derivative_at_the_kink_is_the_left_slope(name):
    backward, slope = KINK_SLOPES[name]
    assert backward(np.ones(1), np.zeros(1))[0] == slope


def test_leaky_relu_is_max_of_alpha_s_and_s_for_the_lectures_alpha(rng):
    s = rng.standard_normal(20)
    np.testing.assert_array_equal(leaky_relu(s, 0.1), np.maximum(0.1 * s, s))


def test_leaky_relu_default_slope_is_one_hundredth():
    s = np.array([-1.0])
    assert (leaky_relu(s)[0], leaky_relu_backward(np.ones(1), s)[0]) == (-0.01, 0.01)


def test_elu_is_s_for_positive_and_alpha_times_exp_minus_one_for_negative_inputs():
    s = np.array([-2.0, -0.5, 0.5, 2.0])
    expected = [1.3 * np.expm1(-2.0), 1.3 * np.expm1(-0.5), 0.5, 2.0]
    np.testing.assert_allclose(elu(s, 1.3), expected, rtol=1e-15)


def test_elu_approaches_minus_alpha_for_very_negative_inputs():
    assert elu(np.array([-50.0]), 1.3)[0] == pytest.approx(-1.3, rel=1e-15)


def test_elu_default_alpha_is_one():
    np.testing.assert_array_equal(elu(np.array([-2.0])), np.expm1([-2.0]))


def test_prelu_scales_each_feature_by_its_own_slope():
    s = np.array([[-1.0, -2.0, 3.0], [-4.0, 5.0, -6.0]])
    expected = [[-0.1, -0.4, 3.0], [-0.4, 5.0, -1.8]]
    np.testing.assert_allclose(prelu(s, np.array([0.1, 0.2, 0.3])), expected, rtol=1e-15)


def test_softmax_rows_are_probability_distributions(rng):
    y_hat = softmax(3 * rng.standard_normal((6, 5)))
    assert np.all(y_hat > 0)
    np.testing.assert_allclose(y_hat.sum(axis=1), 1.0, rtol=1e-15)


def test_softmax_over_axis_0_normalizes_columns(rng):
    np.testing.assert_allclose(softmax(rng.standard_normal((6, 5)), axis=0).sum(axis=0), 1.0,
                               rtol=1e-15)


def test_softmax_is_unchanged_by_adding_a_constant_to_a_row(rng):
    s = rng.standard_normal((4, 5))
    shift = rng.uniform(-100, 100, (4, 1))
    np.testing.assert_allclose(softmax(s + shift), softmax(s), rtol=1e-12)


def test_softmax_backward_rows_sum_to_zero(rng):
    # softmax ignores a common shift of a row's scores, so no gradient points along it.
    ds = softmax_backward(rng.standard_normal((4, 5)), rng.standard_normal((4, 5)))
    np.testing.assert_allclose(ds.sum(axis=1), 0.0, atol=1e-15)


# -- numerical stability -----------------------------------------------------------------

HUGE = np.array([[-1000.0, -1.0, 0.0, 1.0, 1000.0]])


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_forward_is_finite_and_raises_no_floating_point_error_at_huge_inputs(name):
    forward, _ = ACTIVATIONS[name]
    with no_floating_point_errors():
        assert np.all(np.isfinite(forward(HUGE)))


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_backward_is_finite_and_raises_no_floating_point_error_at_huge_inputs(name):
    _, backward = ACTIVATIONS[name]
    with no_floating_point_errors():
        assert np.all(np.isfinite(backward(np.ones_like(HUGE), HUGE)))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_saturates_to_exactly_zero_and_one(dtype):
    with no_floating_point_errors():
        y_hat = sigmoid(np.array([-1000.0, 1000.0], dtype=dtype))
    np.testing.assert_array_equal(y_hat, [0.0, 1.0])


def test_sigmoid_is_accurate_far_in_the_negative_tail():
    # e^{-40} / (1 + e^{-40}); 1 - sigma(40) or (1 + tanh(-20)) / 2 would cancel to exactly 0.
    assert sigmoid(-40.0) == pytest.approx(np.exp(-40.0), rel=1e-15)


@pytest.mark.parametrize("s", [40.0, -40.0])
def test_sigmoid_derivative_is_accurate_far_in_both_tails(s):
    # sigma'(s) = e^{-40} / (1 + e^{-40})^2 for s = +-40; sigma(40) (1 - sigma(40)) would be 0.
    assert sigmoid_backward(1.0, s) == pytest.approx(np.exp(-40.0), rel=1e-14)


def test_softmax_of_huge_scores_puts_all_mass_on_the_largest():
    with no_floating_point_errors():
        y_hat = softmax(np.array([[1e4, 0.0, -1e4], [1e4, 1e4, 1e4]]))
    np.testing.assert_allclose(y_hat, [[1.0, 0.0, 0.0], [1 / 3, 1 / 3, 1 / 3]], rtol=1e-15)


# -- dtypes and inputs -------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", ACTIVATIONS)
def test_forward_and_backward_keep_the_input_dtype(name, dtype, rng):
    forward, backward = ACTIVATIONS[name]
    s, dout = rng.standard_normal((2, 2, 3, 4)).astype(dtype)
    assert (forward(s).dtype, backward(dout, s).dtype) == (dtype, dtype)


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_integer_lists_are_accepted_as_float64(name):
    forward, backward = ACTIVATIONS[name]
    s, dout = [[-2, 0, 3], [1, -1, 2]], [[1, 2, 3], [-1, -2, -3]]
    out, ds = forward(s), backward(dout, s)
    assert (out.dtype, ds.dtype) == (np.float64, np.float64)
    np.testing.assert_array_equal(out, forward(np.array(s, dtype=np.float64)))
    np.testing.assert_array_equal(ds, backward(np.array(dout, float), np.array(s, float)))


@pytest.mark.parametrize("name", [name for name in ACTIVATIONS if "softmax" not in name])
def test_elementwise_activations_accept_a_python_float(name):
    forward, backward = ACTIVATIONS[name]
    s, dout = np.array([-0.5]), np.array([2.0])
    np.testing.assert_array_equal(forward(-0.5), forward(s)[0], strict=True)
    np.testing.assert_array_equal(backward(2.0, -0.5), backward(dout, s)[0], strict=True)


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_inputs_are_not_modified(name, rng):
    forward, backward = ACTIVATIONS[name]
    s, dout = rng.standard_normal((2, 4, 5))
    s_before, dout_before = s.copy(), dout.copy()
    forward(s)
    backward(dout, s)
    np.testing.assert_array_equal(s, s_before)
    np.testing.assert_array_equal(dout, dout_before)


def test_prelu_backward_does_not_modify_alpha(rng):
    s, dout, alpha = rng.standard_normal((4, 3)), rng.standard_normal((4, 3)), np.full(3, 0.2)
    prelu_backward(dout, s, alpha)
    np.testing.assert_array_equal(alpha, np.full(3, 0.2))


# -- PyTorch -----------------------------------------------------------------------------


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


def torch_activation(name, torch):
    """The torch.nn.functional counterpart of ACTIVATIONS[name]'s forward."""
    F = torch.nn.functional
    return {
        "sigmoid": torch.sigmoid,
        "tanh": torch.tanh,
        "relu": F.relu,
        "leaky_relu": partial(F.leaky_relu, negative_slope=0.1),
        "elu": partial(F.elu, alpha=1.3),
        "prelu": lambda t: F.prelu(t, torch.tensor([0.3], dtype=torch.float64)),
        "softmax": partial(F.softmax, dim=-1),
        "softmax_axis0": partial(F.softmax, dim=0),
    }[name]


def torch_input(rng):
    """Scores (4, 5) in float64 with exact zeros, so the kink conventions are compared too."""
    s = 3 * rng.standard_normal((4, 5))
    s[::2, ::2] = 0.0
    return s


@pytest.mark.torch
@pytest.mark.parametrize("name", ACTIVATIONS)
def test_forward_matches_torch(name, rng, torch):
    s = torch_input(rng)
    expected = torch_activation(name, torch)(torch.from_numpy(s)).numpy()
    np.testing.assert_allclose(ACTIVATIONS[name][0](s), expected, rtol=1e-14, atol=1e-300)


@pytest.mark.torch
@pytest.mark.parametrize("name", ACTIVATIONS)
def test_backward_matches_torch(name, rng, torch):
    s, dout = torch_input(rng), rng.standard_normal((4, 5))
    t = torch.tensor(s, requires_grad=True)
    torch_activation(name, torch)(t).backward(torch.from_numpy(dout))
    np.testing.assert_allclose(ACTIVATIONS[name][1](dout, s), t.grad.numpy(), rtol=1e-12,
                               atol=1e-15)


@pytest.mark.torch
def test_prelu_backward_with_per_feature_slopes_matches_torch(rng, torch):
    s, dout, alpha = torch_input(rng), rng.standard_normal((4, 5)), rng.uniform(0, 0.5, 5)
    t, weight = torch.tensor(s, requires_grad=True), torch.tensor(alpha, requires_grad=True)
    torch.nn.functional.prelu(t, weight).backward(torch.from_numpy(dout))
    ds, dalpha = prelu_backward(dout, s, alpha)
    np.testing.assert_allclose(ds, t.grad.numpy(), rtol=1e-14)
    np.testing.assert_allclose(dalpha, weight.grad.numpy(), rtol=1e-12)
