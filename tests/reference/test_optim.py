"""Optimizers follow the lectures' update rules step by step; schedules give their formulas."""

import inspect
import math

import numpy as np
import pytest

from reference import optim
from reference.parameter import Parameter
from reference.regularization import l2_penalty

THETA0 = [1.0, -2.0]
# Three different gradients, so that a rule that mixes up steps, or keeps state
# summed over the elements instead of per element, gives other numbers.
GRADS = [[0.5, -1.0], [-0.25, 2.0], [1.5, 0.1]]

# theta after steps 1, 2, 3 from THETA0 with GRADS, computed element by element
# with Python's decimal module (40 digits) from the formulas in the docstrings,
# e.g. AdaGrad step 1, first element: 1 - 0.1 * 0.5 / (sqrt(0.25) + 1e-8) = 0.900000002.
HAND_COMPUTED = {
    "SGD": (lambda ps: optim.SGD(ps, lr=0.1), [
        [0.95, -1.9],
        [0.975, -2.1],
        [0.825, -2.11],
    ]),
    "Momentum": (lambda ps: optim.Momentum(ps, lr=0.1, mu=0.9), [
        [0.95, -1.9],          # v = -0.1 g1 = (-0.05, 0.1)
        [0.93, -2.01],         # v = 0.9 v - 0.1 g2 = (-0.02, -0.11)
        [0.762, -2.119],       # v = (-0.168, -0.109)
    ]),
    "Nesterov": (lambda ps: optim.Nesterov(ps, lr=0.1, mu=0.9), [
        [0.905, -1.81],        # theta - 0.9 * 0 + 1.9 * (-0.05, 0.1)
        [0.912, -2.109],
        [0.6108, -2.2171],
    ]),
    "AdaGrad": (lambda ps: optim.AdaGrad(ps, lr=0.1, eps=1e-8), [
        [0.900000002, -1.900000001],
        [0.94472136074999576824, -1.9894427196999915796],
        [0.85101710420219797893, -1.9939103901961192028],
    ]),
    "RMSProp": (lambda ps: optim.RMSProp(ps, lr=0.01, gamma=0.9, eps=1e-8), [
        [0.96837722539831608019, -1.9683772243983161751],
        [0.98312142014424062743, -1.9969486525615814870],
        [0.95317378333037394860, -1.9984527946329475201],
    ]),
    "Adam": (lambda ps: optim.Adam(ps, lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8), [
        [0.900000002, -1.900000001],
        [0.87336629870784616256, -1.9366103534720750882],
        [0.80631624291611129084, -1.9677376894782835630],
    ]),
}

# Every optimizer, configured so that every branch of its step runs.
ALL_OPTIMIZERS = {
    "SGD": lambda ps: optim.SGD(ps, lr=0.1, weight_decay=0.01),
    "Momentum": lambda ps: optim.Momentum(ps, lr=0.1),
    "Nesterov": lambda ps: optim.Nesterov(ps, lr=0.1),
    "AdaGrad": lambda ps: optim.AdaGrad(ps, lr=0.1),
    "RMSProp": lambda ps: optim.RMSProp(ps, lr=0.1),
    "Adam": lambda ps: optim.Adam(ps, lr=0.1, weight_decay=0.01),
    "AdamW": lambda ps: optim.AdamW(ps, lr=0.1),
}


def param(values, regularize=True, dtype=np.float64):
    return Parameter(np.array(values, dtype=dtype), regularize=regularize)


def run(opt, p, grads):
    """Feed the gradients one per step; return theta after each step."""
    trajectory = []
    for g in grads:
        p.grad[...] = g
        opt.step()
        trajectory.append(p.value.copy())
    return trajectory


@pytest.mark.parametrize("name", HAND_COMPUTED)
def test_first_three_steps_match_hand_computation(name):
    make, expected = HAND_COMPUTED[name]
    p = param(THETA0)
    trajectory = run(make([p]), p, GRADS)
    np.testing.assert_allclose(trajectory, expected, rtol=1e-12, atol=0)


def _scalar_adam_step3(bias1, bias2, lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8):
    """Adam's theta_3 for THETA0[0] and GRADS[.][0], with bias corrections bias(t)."""
    theta, m, v = THETA0[0], 0.0, 0.0
    for t, g in enumerate([gs[0] for gs in GRADS], start=1):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        theta -= lr * (m / bias1(t)) / (math.sqrt(v / bias2(t)) + eps)
    return theta


@pytest.mark.parametrize("bias1,bias2", [
    (lambda t: 1 - 0.9**t, lambda t: 1 - 0.999**2),    # the typo 1 - beta2**2
    (lambda t: 1 - 0.9**2, lambda t: 1 - 0.999**t),    # the typo 1 - beta1**2
    (lambda t: 1 - 0.999**t, lambda t: 1 - 0.9**t),    # corrections swapped
    (lambda t: 1.0, lambda t: 1.0),                    # no bias correction
    (lambda t: 1 - 0.9**(t + 1), lambda t: 1 - 0.999**(t + 1)),  # t incremented twice
], ids=["beta2**2", "beta1**2", "swapped", "uncorrected", "t+1"])
def test_adam_expected_values_reject_bias_correction_typos(bias1, bias2):
    # The hand-computed theta_3 must be far (beyond the test's rtol) from what
    # a mistyped bias correction gives, or the test above would not catch it.
    mutant = _scalar_adam_step3(bias1, bias2)
    assert abs(mutant - HAND_COMPUTED["Adam"][1][2][0]) > 1e-6


def test_scalar_adam_without_typo_reproduces_hand_computed_step3():
    # Guards the mutants above: the scalar helper itself is right.
    correct = _scalar_adam_step3(lambda t: 1 - 0.9**t, lambda t: 1 - 0.999**t)
    assert correct == pytest.approx(HAND_COMPUTED["Adam"][1][2][0], rel=1e-12)


def test_adam_bias_correction_holds_at_step_1000():
    # With a constant gradient, m_t = (1 - beta1^t) g and v_t = (1 - beta2^t) g^2,
    # so the corrected step is alpha g / (|g| + eps) at every t; 0.999^1000 = 0.37
    # is far from negligible, so a wrong correction shows.
    g = np.array([0.5, -1.0])
    p = param(THETA0)
    opt = optim.Adam([p], lr=0.0005)
    run(opt, p, [g] * 1000)
    expected = np.array(THETA0) - 1000 * 0.0005 * g / (np.abs(g) + 1e-8)   # about (0.5, -1.5)
    np.testing.assert_allclose(p.value, expected, rtol=1e-10)


@pytest.mark.parametrize("make,outside,inside", [
    (lambda ps: optim.RMSProp(ps, lr=0.01, gamma=0.9, eps=1e-8),
     -9.968476908167397e-05, -9.9999999999995e-09),
    (lambda ps: optim.AdaGrad(ps, lr=0.1, eps=1e-8),
     -0.0009900990099009901, -9.999999999995e-08),
], ids=["RMSProp", "AdaGrad"])
def test_eps_is_added_outside_the_square_root(make, outside, inside):
    # For g = 1e-10, sqrt(G) is about 1e-10 << eps: alpha g / (sqrt(G) + eps)
    # and alpha g / sqrt(G + eps) differ by four orders of magnitude.
    p = param([0.0])
    run(make([p]), p, [[1e-10]])
    assert p.value[0] == pytest.approx(outside, rel=1e-12)
    assert p.value[0] != pytest.approx(inside, rel=1e-2)


def test_momentum_velocity_is_minus_learning_rate_times_gradient():
    # Lecture 001: v <- mu v - alpha g, theta <- theta + v (v points downhill).
    p = param([1.0])
    opt = optim.Momentum([p], lr=0.1, mu=0.9)
    run(opt, p, [[2.0]])
    assert opt.v[0][0] == pytest.approx(-0.2)


def test_nesterov_matches_gradient_at_look_ahead_point_on_quadratic():
    # L(theta) = theta^T A theta / 2 - b^T theta; the textbook rule evaluates the
    # gradient at theta + mu v, the optimizer holds phi = theta + mu v.
    A = np.array([[3.0, 0.5], [0.5, 1.0]])
    b = np.array([1.0, -1.0])
    lr, mu = 0.1, 0.9
    p = param(THETA0)
    opt = optim.Nesterov([p], lr=lr, mu=mu)
    theta, v = np.array(THETA0), np.zeros(2)
    for _ in range(20):
        v = mu * v - lr * (A @ (theta + mu * v) - b)
        theta = theta + v
        p.grad[...] = A @ p.value - b
        opt.step()
        np.testing.assert_allclose(p.value, theta + mu * v, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("cls", [optim.SGD, optim.Adam])
def test_weight_decay_is_the_l2_penalty_added_to_the_gradient(cls):
    # SGD: exactly gradient descent on the L2-penalized loss; Adam: L2 in the gradient.
    kappa = 0.05
    decayed, penalized = param(THETA0), param(THETA0)
    with_decay = cls([decayed], lr=0.1, weight_decay=kappa)
    plain = cls([penalized], lr=0.1)
    for g in GRADS:
        decayed.grad[...] = g
        with_decay.step()
        penalized.grad[...] = np.array(g) + l2_penalty(penalized.value, kappa)[1]
        plain.step()
        np.testing.assert_allclose(decayed.value, penalized.value, rtol=1e-14)


@pytest.mark.parametrize("make_decayed,make_plain", [
    (lambda ps: optim.SGD(ps, lr=0.1, weight_decay=0.5), lambda ps: optim.SGD(ps, lr=0.1)),
    (lambda ps: optim.Adam(ps, lr=0.1, weight_decay=0.5), lambda ps: optim.Adam(ps, lr=0.1)),
    (lambda ps: optim.AdamW(ps, lr=0.1, weight_decay=0.5),
     lambda ps: optim.AdamW(ps, lr=0.1, weight_decay=0.0)),
], ids=["SGD", "Adam", "AdamW"])
def test_weight_decay_never_touches_biases(make_decayed, make_plain):
    bias_decayed, bias_plain = param(THETA0, regularize=False), param(THETA0, regularize=False)
    np.testing.assert_array_equal(run(make_decayed([bias_decayed]), bias_decayed, GRADS),
                                  run(make_plain([bias_plain]), bias_plain, GRADS))


def test_adamw_decays_theta_then_takes_adam_step_on_raw_gradient():
    # Lecture 003: theta <- (1 - alpha kappa) theta + f(theta, grad E), where f is
    # the step plain Adam takes on the same raw gradients.
    lr, kappa = 0.1, 0.1
    decoupled, plain = param(THETA0), param(THETA0)
    adamw = optim.AdamW([decoupled], lr=lr, weight_decay=kappa)
    adam = optim.Adam([plain], lr=lr)
    for g in GRADS:
        before_w, before_a = decoupled.value.copy(), plain.value.copy()
        decoupled.grad[...] = plain.grad[...] = g
        adamw.step()
        adam.step()
        adam_step = plain.value - before_a
        np.testing.assert_allclose(decoupled.value, (1 - lr * kappa) * before_w + adam_step,
                                   rtol=1e-14)


def test_learning_rate_assigned_between_steps_is_used():
    p = param([1.0])
    opt = optim.SGD([p], lr=0.1)
    run(opt, p, [[1.0]])
    opt.lr = optim.step_schedule(10, 0.1)   # 0.05
    run(opt, p, [[1.0]])
    assert p.value[0] == pytest.approx(1.0 - 0.1 - 0.05, rel=1e-15)


@pytest.mark.parametrize("name", ALL_OPTIMIZERS)
def test_float32_parameter_is_updated_in_place_and_stays_float32(name):
    p = param(THETA0, dtype=np.float32)
    value = p.value
    opt = ALL_OPTIMIZERS[name]([p])
    opt.lr = np.float64(0.1)   # a schedule may hand over a numpy float64
    run(opt, p, np.array(GRADS, dtype=np.float32))
    assert p.value is value
    assert p.value.dtype == np.float32


@pytest.mark.parametrize("name,state", [
    ("Momentum", ["v"]), ("Nesterov", ["v"]), ("AdaGrad", ["G"]), ("RMSProp", ["G"]),
    ("Adam", ["m", "v"]), ("AdamW", ["m", "v"]),
])
def test_optimizer_state_has_the_parameter_dtype(name, state):
    p = param(THETA0, dtype=np.float32)
    opt = ALL_OPTIMIZERS[name]([p])
    run(opt, p, np.array(GRADS, dtype=np.float32))
    assert [getattr(opt, s)[0].dtype for s in state] == [np.float32] * len(state)


@pytest.mark.parametrize("name", ALL_OPTIMIZERS)
def test_zero_grad_zeros_every_gradient_in_place(name):
    ps = [param([[1.0, 2.0]]), param([3.0], regularize=False)]
    grads = [p.grad for p in ps]
    for p in ps:
        p.grad[...] = 7.0
    ALL_OPTIMIZERS[name](ps).zero_grad()
    assert all(p.grad is g and not g.any() for p, g in zip(ps, grads, strict=True))


@pytest.mark.parametrize("build", [
    lambda ps: optim.SGD(ps, lr=-0.1),
    lambda ps: optim.Momentum(ps, lr=0.1, mu=1.5),
    lambda ps: optim.RMSProp(ps, gamma=1.0),
    lambda ps: optim.AdaGrad(ps, eps=-1e-8),
    lambda ps: optim.Adam(ps, beta2=1.0),
    lambda ps: optim.AdamW(ps, weight_decay=-0.01),
], ids=["lr<0", "mu>1", "gamma=1", "eps<0", "beta2=1", "weight_decay<0"])
def test_out_of_range_hyperparameter_raises(build):
    with pytest.raises(ValueError):
        build([param([1.0])])


def test_empty_parameter_list_raises():
    with pytest.raises(ValueError, match="empty"):
        optim.SGD([], lr=0.1)


def test_bare_array_instead_of_parameter_raises():
    with pytest.raises(TypeError, match="Parameter"):
        optim.SGD([np.zeros(3)], lr=0.1)


@pytest.mark.parametrize("schedule,expected", [
    (lambda t: optim.step_schedule(t, 0.1), {0: 0.1, 9: 0.1, 10: 0.05, 25: 0.025}),
    (lambda t: optim.step_schedule(t, 1.0, drop=0.1, every=3), {2: 1.0, 3: 0.1, 7: 0.01}),
    (lambda t: optim.exponential_schedule(t, 0.1, k=0.5),
     {0: 0.1, 2: 0.1 / math.e, 4: 0.1 / math.e**2}),
    (lambda t: optim.inverse_time_schedule(t, 0.1, k=0.5), {0: 0.1, 2: 0.05, 4: 0.1 / 3}),
    (lambda t: optim.cosine_schedule(t, 0.1, total=100),
     {0: 0.1, 50: 0.05, 100: 0.0, 150: 0.0}),
    (lambda t: optim.cosine_schedule(t, 0.1, total=100, lr_min=0.02),
     {0: 0.1, 50: 0.06, 100: 0.02, 200: 0.02}),
], ids=["step", "step_custom", "exponential", "inverse_time", "cosine", "cosine_lr_min"])
def test_schedule_values(schedule, expected):
    assert {t: schedule(t) for t in expected} == pytest.approx(expected, rel=1e-12, abs=1e-15)


# --- comparison with PyTorch (float64, 5 steps); skipped where torch is not installed ---

# Conventions checked to match before comparing: torch's SGD momentum buffer is
# -v/alpha (same iterates at a constant alpha) and its Nesterov update is the
# same look-ahead form; Adagrad and RMSprop add eps outside the square root as
# here (torch's Adagrad default eps is 1e-10 and RMSprop's alpha is our gamma,
# default 0.99, so both are passed explicitly); Adam's weight_decay is L2 in the
# gradient and AdamW multiplies theta by (1 - lr weight_decay) first, as here.
TORCH_PAIRS = {
    "SGD": (lambda ps: optim.SGD(ps, lr=0.1),
            lambda t, ps: t.optim.SGD(ps, lr=0.1)),
    "SGD_weight_decay": (lambda ps: optim.SGD(ps, lr=0.1, weight_decay=0.05),
                         lambda t, ps: t.optim.SGD(ps, lr=0.1, weight_decay=0.05)),
    "Momentum": (lambda ps: optim.Momentum(ps, lr=0.1, mu=0.9),
                 lambda t, ps: t.optim.SGD(ps, lr=0.1, momentum=0.9)),
    "Nesterov": (lambda ps: optim.Nesterov(ps, lr=0.1, mu=0.9),
                 lambda t, ps: t.optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True)),
    "AdaGrad": (lambda ps: optim.AdaGrad(ps, lr=0.1, eps=1e-8),
                lambda t, ps: t.optim.Adagrad(ps, lr=0.1, eps=1e-8)),
    "RMSProp": (lambda ps: optim.RMSProp(ps, lr=0.01, gamma=0.9, eps=1e-8),
                lambda t, ps: t.optim.RMSprop(ps, lr=0.01, alpha=0.9, eps=1e-8)),
    "Adam": (lambda ps: optim.Adam(ps, lr=0.1),
             lambda t, ps: t.optim.Adam(ps, lr=0.1)),
    "Adam_L2": (lambda ps: optim.Adam(ps, lr=0.1, weight_decay=0.1),
                lambda t, ps: t.optim.Adam(ps, lr=0.1, weight_decay=0.1)),
    "AdamW": (lambda ps: optim.AdamW(ps, lr=0.1, weight_decay=0.1),
              lambda t, ps: t.optim.AdamW(ps, lr=0.1, weight_decay=0.1)),
}


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


@pytest.mark.torch
@pytest.mark.parametrize("name", TORCH_PAIRS)
def test_matches_torch_optim_over_five_steps(name, torch):
    ours_make, torch_make = TORCH_PAIRS[name]
    rng = np.random.default_rng(4)
    theta0 = rng.standard_normal((3, 2))
    grads = rng.standard_normal((5, 3, 2))
    p = param(theta0)
    ours = run(ours_make([p]), p, grads)
    tp = torch.nn.Parameter(torch.tensor(theta0, dtype=torch.float64))
    theirs_opt = torch_make(torch, [tp])
    theirs = []
    for g in grads:
        tp.grad = torch.tensor(g, dtype=torch.float64)
        theirs_opt.step()
        theirs.append(tp.detach().numpy().copy())
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("build", [
    lambda: optim.step_schedule(5, 0.1, every=0),
    lambda: optim.cosine_schedule(5, 0.1, total=0),
], ids=["step_every_0", "cosine_total_0"])
def test_schedule_with_an_impossible_duration_is_a_value_error(build):
    with pytest.raises(ValueError, match="got"):
        build()


@pytest.mark.parametrize("name", ALL_OPTIMIZERS)
def test_an_integer_parameter_value_becomes_float64_and_steps(name):
    p = Parameter(np.array([1, -2]))
    p.grad[...] = [1, 1]
    ALL_OPTIMIZERS[name]([p]).step()
    assert p.value.dtype == np.float64 and p.grad.dtype == np.float64
    assert np.all(p.value != [1, -2])


# (our class, torch's, {our argument: torch's}) for the defaults both have
DEFAULTS = [
    (optim.Momentum, "SGD", {"mu": "momentum"}),
    (optim.AdaGrad, "Adagrad", {"lr": "lr", "eps": "eps"}),
    (optim.RMSProp, "RMSprop", {"lr": "lr", "gamma": "alpha", "eps": "eps"}),
    (optim.Adam, "Adam", {"lr": "lr", "beta1": "betas", "eps": "eps",
                          "weight_decay": "weight_decay"}),
    (optim.AdamW, "AdamW", {"lr": "lr", "eps": "eps", "weight_decay": "weight_decay"}),
]


@pytest.mark.torch
@pytest.mark.parametrize(("ours", "theirs", "names"), DEFAULTS,
                         ids=[cls.__name__ for cls, _, _ in DEFAULTS])
def test_every_default_that_differs_from_torch_is_named_in_the_docstring(ours, theirs, names,
                                                                         torch):
    torch_class = getattr(torch.optim, theirs)
    for our_name, torch_name in names.items():
        mine = inspect.signature(ours).parameters[our_name].default
        other = inspect.signature(torch_class).parameters[torch_name].default
        other = other[0] if torch_name == "betas" else other
        if mine != other:
            assert f"{other:g}" in inspect.getdoc(ours), (our_name, mine, other)
