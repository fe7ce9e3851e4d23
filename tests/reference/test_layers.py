"""Layers: every backward matches central differences; modes, statistics, dtypes as documented."""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from reference import activations, init
from reference.gradcheck import numerical_gradient, relative_error
from reference.layers import (
    ELU,
    BatchNorm1d,
    Dropout,
    LeakyReLU,
    Linear,
    PReLU,
    ReLU,
    Sequential,
    Sigmoid,
    Softmax,
    Tanh,
    batchnorm_backward,
    batchnorm_eval_forward,
    batchnorm_forward,
    batchnorm_running_averages,
    dropout_backward,
    dropout_forward,
    linear_backward,
    linear_forward,
)

GRADCHECK = settings(max_examples=20, deadline=None)
TOLERANCE = 1e-7
sizes = st.integers(1, 5)
batch_sizes = st.integers(3, 6)          # batch normalization needs a few examples per batch
seeds = st.integers(0, 2**32 - 1)


def assert_gradients_match(analytic, numerical):
    """Elementwise relative error below 1e-7, with ``relative_error``'s guard at 1e-3.

    Inputs and upstream gradients here are of order 1, and so is the error of
    :func:`central_differences` (about 1e-11) whatever the entry: an entry that
    happens to cancel to nearly 0 (below 1e-3) is held to an absolute error of
    1e-10 instead of a relative error its own rounding would not allow.
    """
    assert relative_error(analytic, numerical, guard=1e-3) < TOLERANCE


def central_differences(f, x, upstream=None, h=1e-4):
    """Central differences at steps h and 2h, Richardson-extrapolated: (4 D(h) - D(2h)) / 3.

    Each central difference has an error c h^2 + O(h^4) plus rounding of order
    1e-16 / h; the combination cancels c h^2, which allows a step a hundred times
    larger than plain central differences need, and so a hundred times less
    rounding: about 1e-11 here instead of 1e-9. Kinks must be more than 2h away.
    """
    half, full = numerical_gradient(f, x, upstream, h), numerical_gradient(f, x, upstream, 2 * h)
    return (4 * half - full) / 3


def off_kinks(rng, shape, margin=0.1):
    """Standard normal draws pushed at least ``margin`` away from 0, where ReLUs have kinks."""
    z = rng.standard_normal(shape)
    return np.sign(z) * (np.abs(z) + margin)


def numerical_parameter_gradient(model, param, X, upstream):
    """Central differences of sum(upstream * model.forward(X)) with respect to ``param.value``."""
    original = param.value

    def f(value):
        param.value = value
        return model.forward(X)

    try:
        return central_differences(f, original, upstream)
    finally:
        param.value = original


@pytest.fixture
def rng():
    return np.random.default_rng(20261125)


# -- linear: S = X W + b ---------------------------------------------------------------


def linear_problem(n, d, m, seed):
    rng = np.random.default_rng(seed)
    X, W, b = rng.standard_normal((n, d)), rng.standard_normal((d, m)), rng.standard_normal(m)
    return X, W, b, rng.standard_normal((n, m))


def test_linear_forward_computes_XW_plus_b(rng):
    X, W, b = rng.standard_normal((4, 3)), rng.standard_normal((3, 2)), rng.standard_normal(2)
    expected = [[X[n] @ W[:, j] + b[j] for j in range(2)] for n in range(4)]
    np.testing.assert_allclose(linear_forward(X, W, b), expected, rtol=1e-14)


@given(n=sizes, d=sizes, m=sizes, seed=seeds)
@GRADCHECK
def test_linear_backward_dX_matches_central_differences(n, d, m, seed):
    X, W, b, dS = linear_problem(n, d, m, seed)
    numerical = central_differences(lambda x: linear_forward(x, W, b), X, dS)
    assert_gradients_match(linear_backward(dS, X, W)[0], numerical)


@given(n=sizes, d=sizes, m=sizes, seed=seeds)
@GRADCHECK
def test_linear_backward_dW_matches_central_differences(n, d, m, seed):
    X, W, b, dS = linear_problem(n, d, m, seed)
    numerical = central_differences(lambda w: linear_forward(X, w, b), W, dS)
    assert_gradients_match(linear_backward(dS, X, W)[1], numerical)


@given(n=sizes, d=sizes, m=sizes, seed=seeds)
@GRADCHECK
def test_linear_backward_db_matches_central_differences(n, d, m, seed):
    X, W, b, dS = linear_problem(n, d, m, seed)
    numerical = central_differences(lambda v: linear_forward(X, W, v), b, dS)
    assert_gradients_match(linear_backward(dS, X, W)[2], numerical)


def test_linear_backward_without_input_grad_gives_none_and_the_same_dW_db():
    X, W, _, dS = linear_problem(4, 3, 2, 7)
    dX, dW, db = linear_backward(dS, X, W, need_input_grad=False)
    _, dW_full, db_full = linear_backward(dS, X, W)
    assert dX is None
    np.testing.assert_array_equal(dW, dW_full)
    np.testing.assert_array_equal(db, db_full)


def test_linear_layer_draws_W_with_its_initializer_and_zeros_b():
    layer = Linear(5, 3, np.random.default_rng(1), init=init.he_normal)
    np.testing.assert_array_equal(layer.W.value, init.he_normal(5, 3, np.random.default_rng(1)))
    np.testing.assert_array_equal(layer.b.value, np.zeros(3))


def test_linear_layer_penalizes_W_but_not_b(rng):
    layer = Linear(5, 3, rng)
    assert [(p.name, p.regularize) for p in layer.parameters()] == [("W", True), ("b", False)]


def test_linear_holding_wraps_the_given_arrays_without_copying(rng):
    W, b = rng.standard_normal((4, 3)), rng.standard_normal(3)
    layer = Linear.holding(W, b)
    assert layer.W.value is W and layer.b.value is b
    assert [(p.name, p.regularize) for p in layer.parameters()] == [("W", True), ("b", False)]


def test_linear_layer_backward_writes_the_functional_gradients(rng):
    layer, X, dS = Linear(4, 3, rng), rng.standard_normal((5, 4)), rng.standard_normal((5, 3))
    layer.forward(X)
    dX = layer.backward(dS)
    for got, expected in zip([dX, layer.W.grad, layer.b.grad],
                             linear_backward(dS, X, layer.W.value), strict=True):
        np.testing.assert_array_equal(got, expected)


# -- activations ------------------------------------------------------------------------

ACTIVATIONS = {
    "sigmoid": (Sigmoid, activations.sigmoid),
    "tanh": (Tanh, activations.tanh),
    "relu": (ReLU, activations.relu),
    "leaky_relu": (lambda: LeakyReLU(alpha=0.1), lambda s: activations.leaky_relu(s, 0.1)),
    "elu": (lambda: ELU(alpha=1.3), lambda s: activations.elu(s, 1.3)),
    "softmax": (Softmax, activations.softmax),
}


@pytest.mark.parametrize("name", ACTIVATIONS)
@given(n=sizes, d=sizes, seed=seeds)
@GRADCHECK
def test_activation_layer_backward_matches_central_differences(name, n, d, seed):
    layer = ACTIVATIONS[name][0]()
    rng = np.random.default_rng(seed)
    s, dout = off_kinks(rng, (n, d)), rng.standard_normal((n, d))
    numerical = central_differences(layer.forward, s, dout)
    layer.forward(s)
    assert_gradients_match(layer.backward(dout), numerical)


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_layer_forward_is_the_activations_function(name, rng):
    make_layer, f = ACTIVATIONS[name]
    s = rng.standard_normal((4, 3))
    np.testing.assert_array_equal(make_layer().forward(s), f(s))


@given(n=sizes, d=sizes, seed=seeds)
@GRADCHECK
def test_prelu_backward_dx_matches_central_differences(n, d, seed):
    rng = np.random.default_rng(seed)
    layer = PReLU(d)
    layer.alpha.value = rng.uniform(-0.5, 0.5, d)
    s, dout = off_kinks(rng, (n, d)), rng.standard_normal((n, d))
    numerical = central_differences(layer.forward, s, dout)
    layer.forward(s)
    assert_gradients_match(layer.backward(dout), numerical)


@given(n=sizes, d=sizes, seed=seeds)
@GRADCHECK
def test_prelu_backward_dalpha_matches_central_differences(n, d, seed):
    rng = np.random.default_rng(seed)
    layer = PReLU(d)
    s, dout = off_kinks(rng, (n, d)), rng.standard_normal((n, d))
    numerical = numerical_parameter_gradient(layer, layer.alpha, s, dout)
    layer.forward(s)
    layer.backward(dout)
    assert_gradients_match(layer.alpha.grad, numerical)


def test_prelu_alpha_is_an_unpenalized_parameter_starting_at_init():
    (alpha,) = PReLU(4, init=0.2).parameters()
    assert (alpha.name, alpha.regularize) == ("alpha", False)
    np.testing.assert_array_equal(alpha.value, np.full(4, 0.2))


# -- dropout ----------------------------------------------------------------------------


@given(n=sizes, d=sizes, seed=seeds)
@GRADCHECK
def test_dropout_backward_matches_central_differences_for_a_fixed_mask(n, d, seed):
    rng = np.random.default_rng(seed)
    X, dout = rng.standard_normal((n, d)), rng.standard_normal((n, d))
    _, mask = dropout_forward(X, 0.6, rng)
    numerical = central_differences(lambda x: x * mask, X, dout)
    assert_gradients_match(dropout_backward(dout, mask), numerical)


@pytest.mark.parametrize("keep_prob", [0.2, 0.5, 0.8, 1.0])
def test_dropout_mask_takes_the_values_zero_and_one_over_keep_prob(keep_prob, rng):
    _, mask = dropout_forward(np.ones((50, 40)), keep_prob, rng)
    assert set(np.unique(mask)) <= {0.0, 1.0 / keep_prob}


@pytest.mark.parametrize("keep_prob", [0.2, 0.5, 0.8])
def test_dropout_preserves_the_expectation(keep_prob, rng):
    # Each output x mu has mean x and standard deviation |x| sqrt((1 - p) / p): the mean
    # of K draws lies within 5 standard errors of x except with probability 6e-7 per unit.
    x, draws = rng.uniform(-2, 2, size=8), 20_000
    out, _ = dropout_forward(np.tile(x, (draws, 1)), keep_prob, rng)
    standard_error = np.abs(x) * np.sqrt((1 - keep_prob) / keep_prob / draws)
    assert np.all(np.abs(out.mean(axis=0) - x) < 5 * standard_error)


def test_dropout_layer_backward_multiplies_by_the_mask_of_its_forward_pass(rng):
    layer, X, dout = Dropout(0.5, rng), rng.uniform(1, 2, (6, 5)), rng.standard_normal((6, 5))
    mask = layer.forward(X) / X
    np.testing.assert_allclose(layer.backward(dout), dout * mask, rtol=1e-15)


def test_dropout_layer_draws_a_new_mask_every_forward_pass(rng):
    layer, X = Dropout(0.5, rng), np.ones((10, 10))
    assert not np.array_equal(layer.forward(X), layer.forward(X))


def test_dropout_layer_is_the_identity_in_eval_mode(rng):
    layer, X = Dropout(0.5, rng).eval(), rng.standard_normal((6, 5))
    np.testing.assert_array_equal(layer.forward(X), X)


def test_dropout_layer_passes_the_gradient_unchanged_in_eval_mode(rng):
    layer, X, dout = Dropout(0.5, rng).eval(), rng.standard_normal((6, 5)), np.ones((6, 5))
    layer.forward(X)
    np.testing.assert_array_equal(layer.backward(dout), dout)


@pytest.mark.parametrize("keep_prob", [0.0, -0.1, 1.5])
def test_dropout_rejects_keep_prob_outside_zero_one(keep_prob, rng):
    with pytest.raises(ValueError, match="keep_prob"):
        Dropout(keep_prob, rng)


# -- batch normalization ------------------------------------------------------------------


def batchnorm_problem(n, d, seed):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    gamma, beta = rng.uniform(0.5, 1.5, d), rng.standard_normal(d)
    return X, gamma, beta, rng.standard_normal((n, d))


@pytest.mark.parametrize("wrt", [0, 1, 2], ids=["dX", "dgamma", "dbeta"])
@given(n=batch_sizes, d=sizes, seed=seeds)
@GRADCHECK
def test_batchnorm_backward_matches_central_differences(wrt, n, d, seed):
    *inputs, dout = batchnorm_problem(n, d, seed)       # X, gamma, beta

    def out(a):
        return batchnorm_forward(*inputs[:wrt], a, *inputs[wrt + 1:])[0]

    numerical = central_differences(out, inputs[wrt], dout)
    analytic = batchnorm_backward(dout, batchnorm_forward(*inputs)[1])[wrt]
    assert_gradients_match(analytic, numerical)


def test_batchnorm_training_output_has_zero_mean_and_unit_variance_per_feature(rng):
    out, _ = batchnorm_forward(rng.normal(3.0, 5.0, (64, 4)), np.ones(4), np.zeros(4), eps=0.0)
    np.testing.assert_allclose(out.mean(axis=0), 0.0, atol=1e-14)
    np.testing.assert_allclose(out.var(axis=0), 1.0, rtol=1e-14)


def trained_batchnorm(rng, steps=3, momentum=0.3):
    layer = BatchNorm1d(4, momentum=momentum)
    layer.gamma.value, layer.beta.value = rng.uniform(0.5, 1.5, 4), rng.standard_normal(4)
    batches = [rng.normal(2.0, 3.0, (8, 4)) for _ in range(steps)]
    for X in batches:
        layer.forward(X)
    return layer, batches


def test_batchnorm_running_statistics_follow_the_momentum_rule_with_unbiased_variance(rng):
    layer, batches = trained_batchnorm(rng, momentum=0.3)
    mean, var = np.zeros(4), np.ones(4)
    for X in batches:
        mean = 0.7 * mean + 0.3 * X.mean(axis=0)
        var = 0.7 * var + 0.3 * X.var(axis=0, ddof=1)
    np.testing.assert_allclose(layer.running_mean, mean, rtol=1e-14)
    np.testing.assert_allclose(layer.running_var, var, rtol=1e-14)


def test_batchnorm_eval_normalizes_with_the_running_statistics(rng):
    layer, _ = trained_batchnorm(rng)
    X = rng.standard_normal((5, 4))
    expected = ((X - layer.running_mean) / np.sqrt(layer.running_var + layer.eps)
                * layer.gamma.value + layer.beta.value)
    np.testing.assert_allclose(layer.eval().forward(X), expected, rtol=1e-14)


def test_batchnorm_eval_leaves_the_running_statistics_unchanged(rng):
    layer, _ = trained_batchnorm(rng)
    mean, var = layer.running_mean.copy(), layer.running_var.copy()
    layer.eval().forward(rng.standard_normal((5, 4)))
    np.testing.assert_array_equal(layer.running_mean, mean)
    np.testing.assert_array_equal(layer.running_var, var)


@pytest.mark.parametrize("param", ["x", "gamma", "beta"])
def test_batchnorm_eval_backward_matches_central_differences(param, rng):
    layer, _ = trained_batchnorm(rng)
    layer.eval()
    X, dout = rng.standard_normal((5, 4)), rng.standard_normal((5, 4))
    if param == "x":
        numerical = central_differences(layer.forward, X, dout)
    else:
        numerical = numerical_parameter_gradient(layer, getattr(layer, param), X, dout)
    layer.forward(X)
    dX = layer.backward(dout)
    analytic = dX if param == "x" else getattr(layer, param).grad
    assert_gradients_match(analytic, numerical)


def test_batchnorm_training_rejects_a_batch_of_one(rng):
    with pytest.raises(ValueError, match="at least 2"):
        BatchNorm1d(3).forward(rng.standard_normal((1, 3)))


def test_batchnorm_running_averages_follow_the_momentum_rule_and_leave_their_inputs(rng):
    X = rng.standard_normal((6, 3))
    _, cache = batchnorm_forward(X, np.ones(3), np.zeros(3))
    mean, var = np.full(3, 0.5), np.full(3, 2.0)
    new_mean, new_var = batchnorm_running_averages(mean, var, cache, 0.25)
    np.testing.assert_allclose(new_mean, 0.75 * 0.5 + 0.25 * X.mean(axis=0), rtol=1e-14)
    np.testing.assert_allclose(new_var, 0.75 * 2.0 + 0.25 * X.var(axis=0, ddof=1), rtol=1e-14)
    assert (mean == 0.5).all() and (var == 2.0).all()


def test_batchnorm_running_averages_of_one_example_are_a_value_error(rng):
    _, cache = batchnorm_forward(rng.standard_normal((1, 3)), np.ones(3), np.zeros(3))
    with pytest.raises(ValueError, match="at least 2"):
        batchnorm_running_averages(np.zeros(3), np.ones(3), cache, 0.1)


def test_batchnorm_eval_forward_is_the_layers_evaluation_pass(rng):
    layer, _ = trained_batchnorm(rng)
    X = rng.standard_normal((5, 4))
    out, _ = batchnorm_eval_forward(X, layer.gamma.value, layer.beta.value, layer.running_mean,
                                    layer.running_var, layer.eps)
    np.testing.assert_array_equal(out, layer.eval().forward(X))


def test_batchnorm_gamma_starts_at_one_and_beta_at_zero_both_unpenalized():
    gamma, beta = BatchNorm1d(3).parameters()
    assert [(p.name, p.regularize) for p in (gamma, beta)] == [("gamma", False), ("beta", False)]
    np.testing.assert_array_equal(gamma.value, np.ones(3))
    np.testing.assert_array_equal(beta.value, np.zeros(3))


# -- Sequential -------------------------------------------------------------------------


def small_network(d, h, k, rng):
    """Linear layers, He-initialized, with a kind of layer between each pair.

    Batch normalization follows an activation, not a linear layer, whose bias
    gradient it would make exactly 0 (it subtracts the mean). No sigmoid or
    softmax: each multiplies the gradient by 1/4 or less, and a product of such
    factors sinks the gradient towards the central differences' rounding error.
    """
    def linear(fan_in, fan_out):
        return Linear(fan_in, fan_out, rng, init=init.he_normal)

    return Sequential(linear(d, h), Tanh(), BatchNorm1d(h), linear(h, h), PReLU(h),
                      linear(h, h), ReLU(), linear(h, k))


def assume_well_conditioned(model, X, margin=1e-2, min_var=0.05):
    """Skip draws where the central differences cannot be trusted: an input of a PReLU or
    ReLU within ``margin`` of its kink, or a feature entering batch normalization with a
    batch variance below ``min_var`` (1 / sqrt(var) makes its derivatives explode)."""
    for i, layer in enumerate(model):
        if isinstance(layer, PReLU | ReLU):
            assume(np.min(np.abs(model[:i].forward(X))) > margin)
        if isinstance(layer, BatchNorm1d):
            assume(np.min(np.var(model[:i].forward(X), axis=0)) > min_var)


@given(n=batch_sizes, d=sizes, h=sizes, k=sizes, seed=seeds)
@GRADCHECK
def test_sequential_input_gradient_matches_central_differences(n, d, h, k, seed):
    rng = np.random.default_rng(seed)
    model, X = small_network(d, h, k, rng), rng.standard_normal((n, d))
    assume_well_conditioned(model, X)
    dout = rng.standard_normal((n, k))
    numerical = central_differences(model.forward, X, dout)
    model.forward(X)
    assert_gradients_match(model.backward(dout, need_input_grad=True), numerical)


@given(n=batch_sizes, d=sizes, h=sizes, k=sizes, seed=seeds)
@GRADCHECK
def test_sequential_parameter_gradients_match_central_differences(n, d, h, k, seed):
    rng = np.random.default_rng(seed)
    model, X = small_network(d, h, k, rng), rng.standard_normal((n, d))
    assume_well_conditioned(model, X)
    dout = rng.standard_normal((n, k))
    numerical = [numerical_parameter_gradient(model, p, X, dout) for p in model.parameters()]
    model.forward(X)
    model.backward(dout)
    for p, expected in zip(model.parameters(), numerical, strict=True):
        assert_gradients_match(p.grad, expected)


def test_sequential_backward_returns_no_input_gradient_by_default(rng):
    model = Sequential(Linear(3, 4, rng), ReLU(), Linear(4, 2, rng))
    model.forward(rng.standard_normal((5, 3)))
    assert model.backward(rng.standard_normal((5, 2))) is None


def test_sequential_backward_skips_layers_below_the_lowest_with_parameters(rng):
    class Untouchable(ReLU):
        def backward(self, dout, *, need_input_grad=True):
            raise AssertionError("backward of a layer below every parameter")

    model = Sequential(Untouchable(), Linear(3, 4, rng), Tanh(), Linear(4, 2, rng))
    model.forward(rng.standard_normal((5, 3)))
    model.backward(rng.standard_normal((5, 2)))


def test_sequential_parameter_gradients_do_not_depend_on_need_input_grad(rng):
    model, X, dout = small_network(3, 4, 2, rng), rng.standard_normal((6, 3)), np.ones((6, 2))
    model.forward(X)
    model.backward(dout, need_input_grad=True)
    with_input_grad = [p.grad for p in model.parameters()]
    model.backward(dout)
    for p, expected in zip(model.parameters(), with_input_grad, strict=True):
        np.testing.assert_array_equal(p.grad, expected)


def test_sequential_parameters_lists_every_layers_parameters_in_order(rng):
    first, norm, last = Linear(3, 4, rng), BatchNorm1d(4), Linear(4, 2, rng)
    model = Sequential(first, norm, ReLU(), last)
    expected = [first.W, first.b, norm.gamma, norm.beta, last.W, last.b]
    assert [id(p) for p in model.parameters()] == [id(p) for p in expected]


def nested_model(rng):
    inner = Sequential(BatchNorm1d(4))
    outer = Sequential(Linear(3, 4, rng), Dropout(0.5, rng), inner)
    return outer, [outer, *outer, inner[0]]


def test_sequential_eval_sets_every_layer_to_evaluation_mode(rng):
    model, layers = nested_model(rng)
    model.eval()
    assert [layer.training for layer in layers] == [False] * 5


def test_sequential_train_sets_every_layer_back_to_training_mode(rng):
    model, layers = nested_model(rng)
    model.eval()
    model.train()
    assert [layer.training for layer in layers] == [True] * 5


def test_sequential_indexing_length_and_iteration_reach_the_layers(rng):
    layers = [Linear(3, 4, rng), ReLU(), Linear(4, 2, rng)]
    model = Sequential(*layers)
    assert (len(model), model[1], list(model)) == (3, layers[1], layers)


def test_sequential_slice_is_a_sequential_of_the_same_layers(rng):
    layers = [Linear(3, 4, rng), ReLU(), Linear(4, 2, rng)]
    head = Sequential(*layers)[:2]
    assert isinstance(head, Sequential) and list(head) == layers[:2]


def test_backward_before_forward_says_so(rng):
    with pytest.raises(RuntimeError, match="forward pass first"):
        Linear(3, 2, rng).backward(np.ones((1, 2)))


# -- dtypes and inputs, for every layer -----------------------------------------------------

LAYERS = {
    "linear": lambda d, rng, dtype: Linear(d, d, rng, dtype=dtype),
    "sigmoid": lambda d, rng, dtype: Sigmoid(),
    "tanh": lambda d, rng, dtype: Tanh(),
    "relu": lambda d, rng, dtype: ReLU(),
    "leaky_relu": lambda d, rng, dtype: LeakyReLU(),
    "elu": lambda d, rng, dtype: ELU(),
    "prelu": lambda d, rng, dtype: PReLU(d, dtype=dtype),
    "softmax": lambda d, rng, dtype: Softmax(),
    "dropout": lambda d, rng, dtype: Dropout(0.5, rng),
    "batchnorm": lambda d, rng, dtype: BatchNorm1d(d, dtype=dtype),
    "sequential": lambda d, rng, dtype: Sequential(Linear(d, d, rng, dtype=dtype), ReLU(),
                                                   BatchNorm1d(d, dtype=dtype)),
}


def forward_backward(layer, X, dout):
    """One training step's passes; returns (output, input gradient)."""
    out = layer.forward(X)
    return out, layer.backward(dout, need_input_grad=True)


@pytest.mark.parametrize("name", LAYERS)
def test_layer_keeps_float32_output_and_gradients(name, rng):
    layer = LAYERS[name](4, rng, np.float32)
    X, dout = off_kinks(rng, (6, 4)).astype(np.float32), np.ones((6, 4), np.float32)
    arrays = [*forward_backward(layer, X, dout), *(p.grad for p in layer.parameters())]
    assert [a.dtype for a in arrays] == [np.float32] * len(arrays)


@pytest.mark.parametrize(("layer_dtype", "input_dtype"), [(np.float64, np.float32),
                                                        (np.float32, np.float64)])
@pytest.mark.parametrize("name", LAYERS)
def test_layer_computes_in_its_input_dtype_and_each_gradient_in_its_parameter_dtype(
        name, layer_dtype, input_dtype, rng):
    layer = LAYERS[name](4, rng, layer_dtype)
    X, dout = off_kinks(rng, (6, 4)).astype(input_dtype), np.ones((6, 4), input_dtype)
    out, dx = forward_backward(layer, X, dout)
    assert (out.dtype, dx.dtype) == (input_dtype, input_dtype)
    assert [p.grad.dtype for p in layer.parameters()] == [layer_dtype] * len(layer.parameters())


@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("name", LAYERS)
def test_layer_turns_integer_input_into_float64(name, training, rng):
    X, warm_up = rng.integers(-3, 4, (6, 4)), rng.standard_normal((6, 4))

    def run(X):
        layer = LAYERS[name](4, np.random.default_rng(7), np.float64)
        if not training:
            layer.forward(warm_up)          # running statistics to evaluate with
            layer.eval()
        return forward_backward(layer, X, np.ones((6, 4)))

    out, dx = run(X)
    assert (out.dtype, dx.dtype) == (np.float64, np.float64)
    np.testing.assert_array_equal(out, run(X.astype(np.float64))[0])


def test_linear_forward_and_backward_turn_integers_into_float64(rng):
    X, W, b, dS = (rng.integers(-3, 4, shape) for shape in [(4, 3), (3, 2), (2,), (4, 2)])
    S = linear_forward(X, W, b.astype(np.float64))
    grads = linear_backward(dS, X, W)
    assert [a.dtype for a in (S, *grads)] == [np.float64] * 4
    np.testing.assert_array_equal(S, X @ W + b)
    np.testing.assert_array_equal(grads[1], X.T @ dS)


def test_dropout_forward_turns_integers_into_float64(rng):
    out, mask = dropout_forward(np.arange(12).reshape(3, 4), 0.5, rng)
    assert (out.dtype, mask.dtype) == (np.float64, np.float64)
    np.testing.assert_array_equal(out, np.arange(12).reshape(3, 4) * mask)


def test_batchnorm_forward_of_an_empty_batch_is_a_value_error():
    with pytest.raises(ValueError, match="empty batch"):
        batchnorm_forward(np.zeros((0, 3)), np.ones(3), np.zeros(3))


def test_linear_backward_uses_the_input_as_it_is_at_backward_time(rng):
    # Linear.forward keeps a reference to x, not a copy (documented): an in-place change of x
    # between forward and backward changes dW = X^T dS.
    layer, X, dS = Linear(3, 2, rng), rng.standard_normal((4, 3)), rng.standard_normal((4, 2))
    layer.forward(X)
    X *= 2.0
    layer.backward(dS)
    np.testing.assert_allclose(layer.W.grad, X.T @ dS, rtol=1e-15)


@pytest.mark.parametrize("name", LAYERS)
def test_layer_leaves_its_input_and_upstream_gradient_unchanged(name, rng):
    layer = LAYERS[name](4, rng, np.float64)
    X, dout = rng.standard_normal((6, 4)), rng.standard_normal((6, 4))
    X_before, dout_before = X.copy(), dout.copy()
    forward_backward(layer, X, dout)
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(dout, dout_before)


# -- PyTorch agrees (float64) -----------------------------------------------------------------


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


@pytest.mark.torch
def test_linear_matches_torch_forward_and_backward(torch, rng):
    layer, X, dS = Linear(5, 3, rng), rng.standard_normal((4, 5)), rng.standard_normal((4, 3))
    layer.b.value = rng.standard_normal(3)
    tl = torch.nn.Linear(5, 3, dtype=torch.float64)
    with torch.no_grad():
        tl.weight.copy_(torch.from_numpy(layer.W.value.T))
        tl.bias.copy_(torch.from_numpy(layer.b.value))
    tX = torch.from_numpy(X).requires_grad_()
    tS = tl(tX)
    tS.backward(torch.from_numpy(dS))
    S, dX = layer.forward(X), layer.backward(dS)
    for ours, theirs in [(S, tS), (dX, tX.grad), (layer.W.grad, tl.weight.grad.T),
                         (layer.b.grad, tl.bias.grad)]:
        np.testing.assert_allclose(ours, theirs.detach().numpy(), rtol=1e-12, atol=1e-14)


@pytest.mark.torch
def test_batchnorm1d_matches_torch_in_training_mode(torch, rng):
    layer, X, dout = BatchNorm1d(3, momentum=0.2), rng.normal(1, 2, (6, 3)), rng.normal(size=(6, 3))
    layer.gamma.value, layer.beta.value = rng.uniform(0.5, 1.5, 3), rng.standard_normal(3)
    tl = torch.nn.BatchNorm1d(3, momentum=0.2, dtype=torch.float64)
    with torch.no_grad():
        tl.weight.copy_(torch.from_numpy(layer.gamma.value))
        tl.bias.copy_(torch.from_numpy(layer.beta.value))
    tX = torch.from_numpy(X).requires_grad_()
    tout = tl(tX)
    tout.backward(torch.from_numpy(dout))
    out, dX = layer.forward(X), layer.backward(dout)
    for ours, theirs in [(out, tout), (dX, tX.grad), (layer.gamma.grad, tl.weight.grad),
                         (layer.beta.grad, tl.bias.grad)]:
        np.testing.assert_allclose(ours, theirs.detach().numpy(), rtol=1e-10, atol=1e-12)


def trained_with_torch(torch, rng):
    """A BatchNorm1d and torch's, after the same three training batches."""
    layer = BatchNorm1d(3, momentum=0.2)
    tl = torch.nn.BatchNorm1d(3, momentum=0.2, dtype=torch.float64)
    for _ in range(3):
        X = rng.normal(1, 2, (6, 3))
        layer.forward(X)
        tl(torch.from_numpy(X))
    return layer, tl


@pytest.mark.torch
def test_batchnorm1d_running_statistics_match_torch(torch, rng):
    layer, tl = trained_with_torch(torch, rng)
    np.testing.assert_allclose(layer.running_mean, tl.running_mean.numpy(), rtol=1e-12)
    np.testing.assert_allclose(layer.running_var, tl.running_var.numpy(), rtol=1e-12)


@pytest.mark.torch
def test_batchnorm1d_eval_output_matches_torch(torch, rng):
    layer, tl = trained_with_torch(torch, rng)
    X = rng.standard_normal((4, 3))
    expected = tl.eval()(torch.from_numpy(X)).detach().numpy()
    np.testing.assert_allclose(layer.eval().forward(X), expected, rtol=1e-10, atol=1e-12)
