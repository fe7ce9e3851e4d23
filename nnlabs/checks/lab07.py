"""Lab 07: regularization (lecture topics 25-30): the visible checks.

Weight penalties (L2, L1, elastic net over named parameters, biases never
penalized), weight decay with SGD and, decoupled, with Adam (AdamW), inverted
dropout, early stopping, batch normalization and input-noise augmentation.

Conventions graded here (those of the answer key):

- L2 is P = ||w||^2 / 2 (gradient lam w); L1's gradient at w = 0 is 0 (sign(0) = 0).
- A parameter whose name starts with ``W`` is a weight; every other one is not penalized.
- AdamW decays first, theta <- (1 - lr kappa) theta, then takes Adam's step on the raw
  gradient; the step functions take ``t`` = steps done so far and return ``t + 1``.
- Dropout's ``keep_prob`` is the lectures' p; the mask holds mu in {0, 1/p}; evaluation
  mode returns X and a mask of ones.
- Batch norm's running averages: running = (1 - momentum) running + momentum batch, the
  running variance averaging the *unbiased* batch variance N/(N-1) var (PyTorch's rule).

Values are compared with the answer key (the ``oracle``), gradients with central
differences of its forward passes. Random quantities (masks, noise) cannot be compared
elementwise with the answer key: their checks are statistical, with bounds of 6 standard
deviations or more. The hidden checks (instructor's side) add random shapes, curves and
coefficients.
"""

from __future__ import annotations

import numpy as np

from nnlabs.draws import off_zero
from nnlabs.expect import (
    F32,
    GRADIENT_TOL,
    expect,
    expect_close,
    expect_dtype,
    expect_gradient,
    expect_tuple,
    expect_unchanged,
)
from nnlabs.registry import Question

# --------------------------------------------------------------------------- helpers


def random_matrix_shape(rng: np.random.Generator) -> tuple[int, int]:
    return int(rng.integers(2, 6)), int(rng.integers(2, 6))


# --------------------------------------------------------------------------- L2

l2 = Question("lab07.l2_penalty", functions=("l2_penalty",), points=3)


def check_l2(student, oracle, w, lam, what):
    value, grad = expect_tuple(student.l2_penalty(w, lam), 2, what, "value, gradient")
    expected_value, _ = oracle.l2_penalty(w, lam)
    expect_close(value, expected_value, f"the value of {what}",
                 mistakes=oracle.l2_value_mistakes(w, lam))
    numerical = oracle.central_differences("l2_penalty", [w, lam], output=0)
    expect_gradient(grad, numerical, f"the gradient of {what}", tol=GRADIENT_TOL,
                    mistakes=oracle.l2_gradient_mistakes(w, lam))


@l2.check(points=1)
def test_l2_value_and_gradient_on_a_small_example(student, oracle, rng):
    w, lam = rng.normal(size=(2, 3)), float(rng.uniform(0.1, 1.0))
    check_l2(student, oracle, w, lam, f"l2_penalty(w, lam={lam:.3g}), w of shape (2, 3)")


@l2.check(points=1)
def test_l2_keeps_float32_and_its_input(student, oracle, rng):
    w = rng.normal(size=random_matrix_shape(rng)).astype(np.float32)
    lam = float(rng.uniform(0.1, 1.0))
    (value, grad), (after, _) = student.call_returning_args("l2_penalty", w, lam)
    expect_unchanged(w, after, "l2_penalty(w, lam), argument w")
    expect_close(grad, oracle.l2_penalty(w.astype(np.float64), lam)[1],
                 "the gradient of l2_penalty for float32 w", **F32)
    expect_dtype(grad, np.float32, "the gradient of l2_penalty for float32 w")


# --------------------------------------------------------------------------- L1

l1 = Question("lab07.l1_penalty", functions=("l1_penalty",), points=4)


def check_l1_value(student, oracle, w, lam, what):
    value, grad = expect_tuple(student.l1_penalty(w, lam), 2, what, "value, gradient")
    value_mistakes, grad_mistakes = oracle.l1_mistakes(w, lam)
    expect_close(value, oracle.l1_penalty(w, lam)[0], f"the value of {what}",
                 mistakes=value_mistakes)
    return grad, grad_mistakes


@l1.check(points=1)
def test_l1_value_and_gradient_on_a_small_example(student, oracle, rng):
    w, lam = off_zero(rng, (2, 3)), float(rng.uniform(0.1, 1.0))
    what = f"l1_penalty(w, lam={lam:.3g}), w of shape (2, 3)"
    grad, mistakes = check_l1_value(student, oracle, w, lam, what)
    numerical = oracle.central_differences("l1_penalty", [w, lam], output=0)
    expect_gradient(grad, numerical, f"the gradient of {what}", tol=GRADIENT_TOL,
                    mistakes=mistakes)


@l1.check(points=1)
def test_l1_gradient_is_zero_where_a_weight_is_zero(student, oracle, rng):
    w, lam = off_zero(rng, (3, 4)), float(rng.uniform(0.1, 1.0))
    w[rng.random(w.shape) < 0.4] = 0.0
    w[0, 0] = 0.0
    what = "l1_penalty(w, lam) where some w are exactly 0"
    grad, mistakes = check_l1_value(student, oracle, w, lam, what)
    expect_close(grad, oracle.l1_penalty(w, lam)[1], f"the gradient of {what}",
                 mistakes=mistakes)


# --------------------------------------------------------------------------- elastic net

penalty = Question("lab07.regularization_penalty", functions=("regularization_penalty",),
                   points=4)


def named_parameters(rng: np.random.Generator, extra: bool) -> dict[str, np.ndarray]:
    """A two-layer network's parameters (``W1``, ``b1``, ``W2``, ``b2``); with ``extra``
    random sizes and batch-norm parameters ``gamma1``, ``beta1`` too."""
    d, h, k = (int(n) for n in rng.integers(2, 5, size=3)) if extra else (3, 4, 2)
    params = {"W1": rng.normal(size=(d, h)), "b1": off_zero(rng, (h,)),
              "W2": rng.normal(size=(h, k)), "b2": off_zero(rng, (k,))}
    if extra:
        params |= {"gamma1": rng.uniform(0.5, 1.5, size=h), "beta1": off_zero(rng, (h,))}
    return params


def check_penalty(student, oracle, params, l1, l2, what):
    value, grads = expect_tuple(student.regularization_penalty(params, l1, l2), 2, what,
                                "value, grads")
    expected_value, expected_grads = oracle.regularization_penalty(params, l1, l2)
    values, _ = oracle.penalty_mistakes(params, l1, l2, "W1")
    expect_close(value, expected_value, f"the value of {what}", mistakes=values)
    expect(isinstance(grads, dict) and set(grads) == set(params),
           f"{what}: grads should be a dict with one gradient per parameter, keys "
           f"{sorted(params)} (zeros for the biases); got "
           f"{sorted(grads) if isinstance(grads, dict) else type(grads).__name__}.",
           "grads-not-one-per-parameter")
    for name in params:
        _, mistakes = oracle.penalty_mistakes(params, l1, l2, name)
        expect_close(grads[name], expected_grads[name], f"grads[{name!r}] of {what}",
                     mistakes=mistakes)


@penalty.check(points=1)
def test_penalty_on_a_two_layer_network(student, oracle, rng):
    params = named_parameters(rng, extra=False)
    l1, l2 = (float(x) for x in rng.uniform(0.05, 0.5, size=2))
    check_penalty(student, oracle, params, l1, l2,
                  f"regularization_penalty(params, l1={l1:.3g}, l2={l2:.3g})")


@penalty.check(points=1)
def test_penalty_skips_biases_and_batchnorm_parameters(student, oracle, rng):
    params = named_parameters(rng, extra=True)
    l1, l2 = (float(x) for x in rng.uniform(0.01, 1.0, size=2))
    check_penalty(student, oracle, params, l1, l2,
                  f"regularization_penalty(params, l1={l1:.3g}, l2={l2:.3g}), "
                  f"params {sorted(params)}")


@penalty.check(points=1)
def test_penalty_does_not_modify_the_parameters(student, oracle, rng):
    params = named_parameters(rng, extra=True)
    _, (after, _, _) = student.call_returning_args("regularization_penalty", params, 0.1, 0.2)
    for name, value in params.items():
        got = after.get(name) if isinstance(after, dict) else None
        expect_unchanged(value, got, f"regularization_penalty(params, ...), params[{name!r}] "
                         "(build a new dict for the gradients)")
    check_penalty(student, oracle, params, 0.1, 0.2, "regularization_penalty(params, 0.1, 0.2)")


# --------------------------------------------------------------------------- SGD weight decay

sgd = Question("lab07.sgd_weight_decay_step", functions=("sgd_weight_decay_step",), points=2)


@sgd.check(points=1)
def test_sgd_weight_decay_on_a_small_example(student, oracle, rng):
    theta, g = rng.normal(size=(2, 3)), rng.normal(size=(2, 3))
    lr, kappa = float(rng.uniform(0.05, 0.5)), float(rng.uniform(0.05, 0.5))
    expect_close(student.sgd_weight_decay_step(theta, g, lr, kappa),
                 oracle.sgd_weight_decay_step(theta, g, lr, kappa),
                 f"sgd_weight_decay_step(theta, g, lr={lr:.3g}, weight_decay={kappa:.3g})",
                 mistakes=oracle.sgd_mistakes(theta, g, lr, kappa))


@sgd.check(points=1)
def test_sgd_weight_decay_is_gradient_descent_on_the_l2_penalized_loss(student, oracle, rng):
    shape = random_matrix_shape(rng)
    theta, g = rng.normal(size=shape), rng.normal(size=shape)
    lr, kappa = float(rng.uniform(0.01, 0.9)), float(rng.uniform(0.01, 0.9))
    got, (theta_after, g_after, _, _) = student.call_returning_args(
        "sgd_weight_decay_step", theta, g, lr, kappa)
    expect_unchanged(theta, theta_after, "sgd_weight_decay_step, argument theta")
    expect_unchanged(g, g_after, "sgd_weight_decay_step, argument g")
    expect_close(got, oracle.sgd_weight_decay_step(theta, g, lr, kappa),
                 f"sgd_weight_decay_step for theta of shape {shape}",
                 mistakes=oracle.sgd_mistakes(theta, g, lr, kappa))


# --------------------------------------------------------------------------- Adam + decay

adam = Question("lab07.adam_weight_decay", functions=("adam_l2_step", "adamw_step"), points=4)


def check_adam_steps(student, oracle, step, theta0, grads, hyper, what):
    """``len(grads)`` steps from m = v = 0, t = 0; theta, m, v, t compared after every one."""
    theta, m, v, t = theta0, np.zeros_like(theta0), np.zeros_like(theta0), 0
    th, mm, vv, tt = theta, m, v, t
    for k, g in enumerate(grads, start=1):
        got = expect_tuple(getattr(student, step)(th, g, mm, vv, tt, *hyper), 4,
                           f"{step}(...)", "theta, m, v, t")
        theta, m, v, t = getattr(oracle, step)(theta, g, m, v, t, *hyper)
        mistakes = oracle.adam_mistakes(step, theta0, grads[:k], hyper)
        expect_close(got[0], theta, f"theta after {k} {step} steps ({what})", mistakes=mistakes)
        expect_close(got[1], m, f"m after {k} {step} steps ({what})")
        expect_close(got[2], v, f"v after {k} {step} steps ({what})")
        expect(np.ndim(got[3]) == 0 and got[3] == t,
               f"{step} should return t + 1 = {t} after step {k} ({what}); got {got[3]!r}: "
               "t counts the steps taken, incremented before the bias correction 1 - beta^t.")
        th, mm, vv, tt = got


def adam_hyper(rng: np.random.Generator) -> tuple:
    """(lr, beta1, beta2, eps, weight_decay) with a decay large enough to show."""
    return (float(rng.uniform(0.05, 0.2)), 0.9, 0.999, 1e-8, float(rng.uniform(0.1, 0.5)))


@adam.check(points=1)
def test_adam_l2_three_steps_on_a_small_example(student, oracle, rng):
    theta, grads = rng.normal(size=(2, 3)), [rng.normal(size=(2, 3)) for _ in range(3)]
    check_adam_steps(student, oracle, "adam_l2_step", theta, grads, adam_hyper(rng), "2x3")


@adam.check(points=1)
def test_adamw_three_steps_on_a_small_example(student, oracle, rng):
    theta, grads = rng.normal(size=(2, 3)), [rng.normal(size=(2, 3)) for _ in range(3)]
    check_adam_steps(student, oracle, "adamw_step", theta, grads, adam_hyper(rng), "2x3")


@adam.check(points=1)
def test_adam_steps_do_not_modify_their_inputs(student, oracle, rng):
    shape = random_matrix_shape(rng)
    hyper = adam_hyper(rng)
    for step in ("adam_l2_step", "adamw_step"):
        theta, g = rng.normal(size=shape), rng.normal(size=shape)
        m, v = rng.normal(size=shape) * 0.1, rng.uniform(0.01, 0.1, size=shape)
        _, after = student.call_returning_args(step, theta, g, m, v, 3, *hyper)
        for name, before, got in zip(("theta", "g", "m", "v"), (theta, g, m, v), after[:4],
                                     strict=True):
            expect_unchanged(before, got, f"{step}, argument {name} (return new arrays)")
        check_adam_steps(student, oracle, step, theta, [g], hyper, f"theta of shape {shape}")


# --------------------------------------------------------------------------- dropout

dropout = Question("lab07.dropout", functions=("dropout_forward", "dropout_backward"), points=7)


def keep_probability(rng: np.random.Generator) -> float:
    """A keep probability away from 1/2, where keeping with probability 1 - p would hide."""
    return float(rng.choice([0.2, 0.3, 0.6, 0.75, 0.9]))


def expect_inverted_mask(out, mask, X, p, what):
    expect(isinstance(mask, np.ndarray) and mask.shape == X.shape,
           f"{what}: the mask should be an array of X's shape {X.shape}; got "
           f"{type(mask).__name__} {getattr(mask, 'shape', '')}.")
    kept = mask[mask != 0]
    expect(kept.size > 0, f"{what}: the mask is all zeros.")
    expect(not np.allclose(kept, p), f"{what}: the kept units of the mask are p = {p:.3g}: "
           f"inverted dropout scales by 1/p, mu in {{0, 1/p}} = {{0, {1 / p:.4g}}}.",
           "mask-scales-by-p")
    expect(not np.allclose(kept, 1.0), f"{what}: the kept units of the mask are 1: inverted "
           f"dropout scales them by 1/p during training, mu in {{0, {1 / p:.4g}}}, so that "
           "nothing changes at test time (rather than the test-time weight scaling of plain "
           "dropout).", "mask-not-scaled")
    expect(np.allclose(kept, 1.0 / p), f"{what}: the mask should hold 0 and 1/p = {1 / p:.4g}; "
           f"got values {np.unique(mask)[:5]}.")
    expect_close(out, X * mask, f"{what}: out should be X * mask")


def expect_kept_fraction(mask, p, what):
    n = mask.size
    kept = float(np.mean(mask != 0))
    bound = 6 * np.sqrt(p * (1 - p) / n) + 1e-12
    hint = (" That is 1 - p: keep a unit with probability p (rng.random(shape) < p)."
            if abs(kept - (1 - p)) <= bound else "")
    expect(abs(kept - p) <= bound, f"{what}: {kept:.3f} of the units were kept; with "
           f"keep_prob p = {p:.3g} expect about {p:.3g} (within {bound:.3f}).{hint}",
           "wrong-keep-rate" if hint else "")


@dropout.check(points=1)
def test_dropout_train_mask_is_zero_or_one_over_p(student, rng):
    X, p, seed = rng.normal(size=(100, 40)), keep_probability(rng), int(rng.integers(1e6))
    what = f"dropout_forward(X, keep_prob={p:.3g}, seed, train=True)"
    out, mask = expect_tuple(student.dropout_forward(X, p, seed, True), 2, what, "out, mask")
    expect_inverted_mask(out, mask, X, p, what)
    expect_kept_fraction(mask, p, what)


@dropout.check(points=1)
def test_dropout_eval_is_the_identity(student, oracle, rng):
    X, p, seed = rng.normal(size=(4, 5)), keep_probability(rng), int(rng.integers(1e6))
    what = f"dropout_forward(X, keep_prob={p:.3g}, seed, train=False)"
    out, mask = expect_tuple(student.dropout_forward(X, p, seed, False), 2, what, "out, mask")
    expect_close(out, oracle.dropout_forward(X, p, seed, False)[0], what,
                 mistakes=oracle.dropout_eval_mistakes(X, p))
    expect_close(mask, np.ones_like(X), f"the mask of {what} (every unit kept, unscaled)")


@dropout.check(points=1)
def test_dropout_same_seed_same_mask(student, rng):
    X, p, seed = rng.normal(size=(6, 7)), keep_probability(rng), int(rng.integers(1e6))
    what = "dropout_forward(X, keep_prob, seed, train=True) called twice with the same seed"
    _, first = student.dropout_forward(X, p, seed, True)
    _, second = student.dropout_forward(X, p, seed, True)
    expect(np.array_equal(first, second), f"{what} gave two different masks: draw the mask "
           "from np.random.default_rng(seed), not from np.random's global state.",
           "ignores-the-seed")


@dropout.check(points=1)
def test_dropout_backward_uses_the_forward_mask(student, oracle, rng):
    shape = random_matrix_shape(rng)
    X, dout = rng.normal(size=shape), rng.normal(size=shape)
    p, seed = keep_probability(rng), int(rng.integers(1e6))
    # The mask is the answer key's (a valid forward mask that the recorded answers know):
    # a student's own forward may draw another valid one, for which nothing is recorded.
    _, mask = oracle.dropout_forward(X, p, seed, True)
    mask = np.asarray(mask, dtype=np.float64)
    got = student.dropout_backward(dout, mask)
    numerical = oracle.central_differences("times_mask", [X, mask], upstream=dout)
    expect_gradient(got, numerical, "dropout_backward(dout, mask) against central differences "
                    "of X * mask", tol=GRADIENT_TOL,
                    mistakes=oracle.dropout_backward_mistakes(dout, mask))


@dropout.check(points=1)
def test_dropout_keeps_float32_and_its_input(student, rng):
    X = rng.normal(size=random_matrix_shape(rng)).astype(np.float32)
    p, seed = keep_probability(rng), int(rng.integers(1e6))
    (out, mask), (after, *_) = student.call_returning_args("dropout_forward", X, p, seed, True)
    expect_unchanged(X, after, "dropout_forward(X, ...), argument X")
    expect_dtype(out, np.float32, "dropout_forward(X, ...) for float32 X")


# --------------------------------------------------------------------------- early stopping

early = Question("lab07.early_stopping", functions=("early_stopping",), points=4)


def probe_early_stopping(namespace, curve, theta0, n, p, in_place):
    """Run the student's early_stopping with scripted ``update`` and ``validation_error``:
    theta counts updates, the validation error after k updates is curve[k]. With
    ``in_place`` the update modifies theta in place, as a training loop does."""
    performed = [0]

    def update(theta, k):
        performed[0] += k
        if in_place:
            theta += k
            return theta
        return theta + k

    def validation_error(theta):
        return float(curve[int(round(float(theta[0])))])

    start = np.array([float(theta0)])
    result = namespace["early_stopping"](start, update, validation_error, n, p)
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        return {"bad": repr(type(result).__name__)}
    theta_star = np.array(result[0], dtype=np.float64).reshape(-1)
    return {"theta_star": theta_star, "best": float(result[1]), "updates": performed[0],
            "theta0": start}


def scripted_curve(evaluations: list[float], theta0: int, n: int) -> np.ndarray:
    """The validation error after k updates, for k = 0 .. : ``evaluations`` at the
    evaluation points theta0 + i n, values in between (never evaluated) set to 99."""
    curve = np.full(theta0 + n * (len(evaluations) + 2), 99.0)
    curve[theta0 + n * np.arange(1, len(evaluations) + 1)] = evaluations
    return curve


def check_early_stopping(student, oracle, evaluations, theta0, n, p, what, in_place=False):
    curve = scripted_curve(evaluations, theta0, n)
    got = student.run(probe_early_stopping, curve, theta0, n, p, in_place)
    expect("bad" not in got, f"{what}: early_stopping should return (theta_star, best_error); "
           f"got a {got.get('bad')}.")
    expect(got["theta_star"].size == 1, f"{what}: theta_star should have theta0's shape (1,); "
           f"got {got['theta_star'].size} values.")
    expect_unchanged(np.array([float(theta0)]), got["theta0"],
                     f"{what}: theta0 (copy it: theta <- theta_0)")
    theta_star, best, updates = oracle.early_stopping_on_curve(curve, theta0, n, p)
    expected = np.array([theta_star[0], best, updates])
    mistakes = oracle.early_stopping_mistakes(evaluations, theta0, n, p, in_place)
    got_vector = np.array([got["theta_star"][0], got["best"], got["updates"]])
    expect_close(got_vector, expected, f"{what}: (theta*, bestError, updates performed)",
                 mistakes=mistakes)


@early.check(points=1)
def test_early_stopping_returns_the_best_theta_of_a_dip_then_a_rise(student, oracle, rng):
    n, p = int(rng.integers(2, 4)), 3
    evaluations = [1.0, 0.8, 0.6, 0.5, 0.55, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9]
    check_early_stopping(student, oracle, evaluations, 0, n, p,
                         f"early_stopping with n = {n}, p = {p}, validation errors "
                         f"{evaluations} after every n updates")


@early.check(points=1)
def test_early_stopping_a_tie_is_not_an_improvement(student, oracle, rng):
    n, p = int(rng.integers(1, 5)), 3
    base = float(rng.uniform(0.3, 0.6))
    evaluations = [base + 0.4, base + 0.2, base, base + 0.1, base, base + 0.2, base + 0.3,
                   base + 0.1, base + 0.5, base + 0.6, base + 0.7]
    check_early_stopping(student, oracle, evaluations, int(rng.integers(0, 5)), n, p,
                         f"early_stopping with n = {n}, p = {p} on a curve with a tie")


@early.check(points=1)
def test_early_stopping_copies_theta_star_when_updates_are_in_place(student, oracle, rng):
    n, p = int(rng.integers(1, 4)), 2
    offset = float(rng.uniform(0.0, 0.5))
    evaluations = [e + offset for e in (0.9, 0.7, 0.4, 0.5, 0.6, 0.7, 0.8)]
    check_early_stopping(student, oracle, evaluations, int(rng.integers(0, 10)), n, p,
                         f"early_stopping with n = {n}, p = {p} and an update that modifies "
                         "theta in place", in_place=True)


# --------------------------------------------------------------------------- batch norm

bn = Question("lab07.batchnorm", functions=("batchnorm_forward", "batchnorm_backward"),
              points=5)


def bn_state(rng, d):
    return rng.uniform(0.5, 1.5, size=d), rng.normal(size=d), rng.normal(size=d) * 0.1, \
        rng.uniform(0.8, 1.2, size=d)


def check_bn_train(student, oracle, X, momentum, what, rng):
    gamma, beta, rm, rv = bn_state(rng, X.shape[1])
    eps = 1e-5
    got = expect_tuple(student.batchnorm_forward(X, gamma, beta, rm, rv, momentum, eps, True),
                       4, what, "out, cache, running_mean, running_var")
    out, _, new_rm, new_rv = oracle.batchnorm_forward(X, gamma, beta, rm, rv, momentum, eps, True)
    out_mistakes, rm_mistakes, rv_mistakes = oracle.bn_train_mistakes(X, gamma, beta, rm, rv,
                                                                      momentum, eps)
    expect_close(got[0], out, f"out of {what}", mistakes=out_mistakes)
    expect_close(got[2], new_rm, f"running_mean after {what}", mistakes=rm_mistakes)
    expect_close(got[3], new_rv, f"running_var after {what}", mistakes=rv_mistakes)
    return gamma, beta


@bn.check(points=1)
def test_batchnorm_train_forward_and_running_averages(student, oracle, rng):
    X = rng.normal(2.0, 3.0, size=(5, 3))
    check_bn_train(student, oracle, X, 0.1, "batchnorm_forward(X, ..., momentum=0.1, "
                   "train=True), X of shape (5, 3)", rng)


def check_bn_backward(student, oracle, X, gamma, beta, what, rng):
    d = X.shape[1]
    rm, rv, eps = np.zeros(d), np.ones(d), 1e-5
    dout = rng.normal(size=X.shape)
    got = expect_tuple(student.batchnorm_forward(X, gamma, beta, rm, rv, 0.1, eps, True), 4,
                       "batchnorm_forward(...)", "out, cache, running_mean, running_var")
    dX, dgamma, dbeta = expect_tuple(student.batchnorm_backward(dout, got[1]), 3, what,
                                     "dX, dgamma, dbeta")
    args = [X, gamma, beta, rm, rv, 0.1, eps, True]

    def out_gradient(wrt):
        return oracle.central_differences("batchnorm_forward", args, wrt=wrt, upstream=dout,
                                          output=0)

    dX_mistakes, dgamma_mistakes, dbeta_mistakes = oracle.bn_backward_mistakes(dout, X, gamma,
                                                                               eps)
    expect_gradient(dX, out_gradient(0), f"dX of {what}", tol=GRADIENT_TOL,
                    batch_size=X.shape[0], mistakes=dX_mistakes)
    expect_gradient(dgamma, out_gradient(1), f"dgamma of {what}", tol=GRADIENT_TOL,
                    mistakes=dgamma_mistakes)
    expect_gradient(dbeta, out_gradient(2), f"dbeta of {what}", tol=GRADIENT_TOL,
                    mistakes=dbeta_mistakes)


@bn.check(points=1)
def test_batchnorm_backward_matches_central_differences(student, oracle, rng):
    X = rng.normal(1.0, 2.0, size=(4, 3))
    gamma, beta = rng.uniform(0.5, 1.5, size=3), rng.normal(size=3)
    check_bn_backward(student, oracle, X, gamma, beta, "batchnorm_backward, X of shape (4, 3)",
                      rng)


@bn.check(points=1)
def test_batchnorm_eval_uses_the_running_averages(student, oracle, rng):
    d, momentum, eps = int(rng.integers(2, 5)), float(rng.uniform(0.1, 0.4)), 1e-5
    gamma, beta = rng.uniform(0.5, 1.5, size=d), rng.normal(size=d)
    rm, rv = np.zeros(d), np.ones(d)
    srm, srv = rm, rv
    for _ in range(4):
        X = rng.normal(3.0, 2.0, size=(6, d))
        got = expect_tuple(student.batchnorm_forward(X, gamma, beta, srm, srv, momentum, eps,
                                                     True), 4, "batchnorm_forward(...)",
                           "out, cache, running_mean, running_var")
        srm, srv = got[2], got[3]
        _, _, rm, rv = oracle.batchnorm_forward(X, gamma, beta, rm, rv, momentum, eps, True)
    X = rng.normal(3.0, 2.0, size=(5, d))
    what = ("batchnorm_forward(X, ..., train=False) after four training batches with "
            f"momentum={momentum:.3g}")
    got = expect_tuple(student.batchnorm_forward(X, gamma, beta, srm, srv, momentum, eps, False),
                       4, what, "out, cache, running_mean, running_var")
    expected = oracle.batchnorm_forward(X, gamma, beta, rm, rv, momentum, eps, False)[0]
    expect_close(got[0], expected, what, mistakes=oracle.bn_eval_mistakes(X, gamma, beta, eps))
    expect_close(got[2], rm, f"running_mean returned by {what} (unchanged in evaluation)")


@bn.check(points=1)
def test_batchnorm_does_not_modify_its_inputs(student, oracle, rng):
    d = int(rng.integers(2, 5))
    X = rng.normal(size=(5, d))
    gamma, beta, rm, rv = bn_state(rng, d)
    _, after = student.call_returning_args("batchnorm_forward", X, gamma, beta, rm, rv, 0.1,
                                           1e-5, True)
    for name, before, got in zip(("X", "gamma", "beta", "running_mean", "running_var"),
                                 (X, gamma, beta, rm, rv), after[:5], strict=True):
        expect_unchanged(before, got, f"batchnorm_forward, argument {name} (return the new "
                         "running averages as new arrays)")
    check_bn_train(student, oracle, X, 0.1, f"batchnorm_forward(X, ..., momentum=0.1, "
                   f"train=True), X of shape {X.shape}", rng)


# --------------------------------------------------------------------------- input noise

noise = Question("lab07.input_noise", functions=("add_gaussian_noise",), points=4)


def noise_of(student, X, sigma, seed, what):
    got = student.add_gaussian_noise(X, sigma, seed)
    expect(isinstance(got, np.ndarray) and got.shape == X.shape,
           f"{what}: expected an array of X's shape {X.shape}; got {type(got).__name__} "
           f"{getattr(got, 'shape', '')}.")
    return got.astype(np.float64) - X.astype(np.float64)


@noise.check(points=1)
def test_noise_has_mean_zero_and_standard_deviation_sigma(student, rng):
    X = rng.normal(size=(200, 30))
    sigma, seed = float(rng.uniform(0.1, 0.4)), int(rng.integers(1e6))
    what = f"add_gaussian_noise(X, sigma={sigma:.3g}, seed), X of shape (200, 30)"
    eps = noise_of(student, X, sigma, seed, what)
    mean, std, n = float(eps.mean()), float(eps.std()), eps.size
    expect(abs(mean) <= 6 * sigma / np.sqrt(n), f"{what}: the noise has mean {mean:.4g}, "
           "expected 0.")
    hint = (" That is sqrt(sigma): sigma is the standard deviation, not the variance "
            "(sigma * standard_normal)." if np.isclose(std, np.sqrt(sigma), rtol=0.05) else "")
    expect(abs(std / sigma - 1) <= 6 / np.sqrt(2 * n), f"{what}: the noise has standard "
           f"deviation {std:.4g}, expected sigma = {sigma:.4g}.{hint}",
           "sigma-as-variance" if hint else "")


@noise.check(points=1)
def test_noise_same_seed_same_noise(student, rng):
    X, sigma, seed = rng.normal(size=(5, 4)), 0.5, int(rng.integers(1e6))
    first = noise_of(student, X, sigma, seed, "add_gaussian_noise(X, sigma, seed)")
    second = noise_of(student, X, sigma, seed, "add_gaussian_noise(X, sigma, seed)")
    third = noise_of(student, X, sigma, seed + 1, "add_gaussian_noise(X, sigma, seed + 1)")
    expect(np.array_equal(first, second), "add_gaussian_noise called twice with the same seed "
           "gave different noise: draw it from np.random.default_rng(seed).", "ignores-the-seed")
    expect(not np.array_equal(first, third), "add_gaussian_noise gave the same noise for two "
           "different seeds: draw it from np.random.default_rng(seed).")


@noise.check(points=1)
def test_noise_is_gaussian(student, rng):
    X = rng.normal(size=(300, 40))
    sigma, seed = float(rng.uniform(0.1, 1.0)), int(rng.integers(1e6))
    what = f"add_gaussian_noise(X, sigma={sigma:.3g}, seed)"
    eps = noise_of(student, X, sigma, seed, what)
    inside = float(np.mean(np.abs(eps) <= sigma))
    spread = float(eps.std())
    expect(abs(float(np.mean(np.abs(eps) <= spread)) - 0.6827) > 0.025
           or abs(spread / sigma - 1) <= 0.04,
           f"{what}: the noise is Gaussian but its standard deviation is {spread:.4g}: sigma "
           f"is the standard deviation, N(0, sigma^2), so scale standard normal draws by "
           f"sigma = {sigma:.3g}.", "noise-std-not-sigma")
    expect(abs(inside - 0.6827) <= 0.025 and abs(spread / sigma - 1) <= 0.04,
           f"{what}: {inside:.3f} of the noise lies within one sigma and its standard "
           f"deviation is {eps.std():.4g}; Gaussian noise N(0, sigma^2) has 0.683 within "
           "one sigma and standard deviation sigma (np.random.default_rng(seed)"
           ".standard_normal(X.shape) * sigma).", "noise-not-gaussian")


@noise.check(points=1)
def test_noise_keeps_float32_and_its_input(student, rng):
    X = rng.normal(size=random_matrix_shape(rng)).astype(np.float32)
    sigma, seed = float(rng.uniform(0.1, 1.0)), int(rng.integers(1e6))
    got, (after, _, _) = student.call_returning_args("add_gaussian_noise", X, sigma, seed)
    expect_unchanged(X, after, "add_gaussian_noise(X, ...), argument X")
    expect_dtype(got, np.float32, "add_gaussian_noise(X, ...) for float32 X")


# --------------------------------------------------------------------------- edges of the domain
# (issue #19): the dtype of every array the notebook promises in X's (or w's) dtype.


@l1.check(points=1)
def test_l1_gradient_keeps_float32(student, oracle, rng):
    w = off_zero(rng, random_matrix_shape(rng)).astype(np.float32)
    w.flat[0] = 0.0
    lam = float(rng.uniform(0.1, 1.0))
    _, grad = expect_tuple(student.l1_penalty(w, lam), 2, "l1_penalty(w, lam)", "value, gradient")
    what = "the gradient of l1_penalty(w, lam) for float32 w"
    expect_close(grad, oracle.l1_penalty(w.astype(np.float64), lam)[1], what, **F32)
    expect_dtype(grad, np.float32, f"{what} (np.sign(w) keeps w's dtype; np.where(w > 0, 1.0, "
                 "...) is float64)")


@dropout.check(points=1)
def test_dropout_masks_and_backward_keep_float32(student, rng):
    shape = random_matrix_shape(rng)
    X, dout = (rng.normal(size=shape).astype(np.float32) for _ in range(2))
    p, seed = keep_probability(rng), int(rng.integers(1e6))
    for train in (True, False):
        what = f"dropout_forward(X, keep_prob={p:.3g}, seed, train={train}) for float32 X"
        out, mask = expect_tuple(student.dropout_forward(X, p, seed, train), 2, what, "out, mask")
        expect_dtype(out, np.float32, what)
        expect_dtype(mask, np.float32, f"the mask of {what} (np.ones_like(X) keeps X's dtype; "
                     "np.ones(X.shape) is float64)")
        expect_dtype(student.dropout_backward(dout, mask), np.float32,
                     f"dropout_backward(dout, mask) for float32 dout and the mask of {what}")
