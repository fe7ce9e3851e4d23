"""Lab 06: gradient descent and its refinements (lecture topics 21-24): the visible checks.

The student writes every optimizer as a *pure update function* on arrays: it takes the
parameter theta, the gradient g and the optimizer's state, and returns the new theta and
the new state, without modifying its arguments. A check drives the student's function
over a sequence of random gradients, threading theta and the state from one call to the
next (in one probe, so a sandboxed worker is asked once), and compares every step with
the answer key (the ``oracle``): the reference optimizer driven over the same gradients
from the same plain starting state. Faults that one step cannot show are what the checks
are built around: Adam's bias correction at t = 1, 2, 3 and at a large resumed t; RMSProp's
eps inside or outside the square root at gradients so small that sqrt(G) ~ eps; Nesterov's
gradient taken at the look-ahead point; state mutated in place or not returned. The hidden
checks (instructor's side) add random shapes, rates and starting states, and Adam resumed
at a large t.

Feedback names the wrong variants students commonly write: the answer key simulates them
on the same inputs (with small numpy rules, never with the reference optimizers) and a
result that matches one is told which.
"""

from __future__ import annotations

import math

import numpy as np

from nnlabs.expect import (
    F32,
    CheckFailed,
    expect,
    expect_close,
    expect_dtype,
    expect_unchanged,
    named_mistake,
)
from nnlabs.registry import Question
from nnlabs.student import StudentError

# Float64 trajectories are compared tightly: a bias correction off by one step at t ~ 100
# changes an update by ~1e-4 of its size, far above these tolerances.
TIGHT = {"rtol": 1e-8, "atol": 1e-12}

STATE = {"sgd_step": (), "momentum_step": ("v",), "adagrad_step": ("G",),
         "rmsprop_step": ("G",), "adam_step": ("m", "v", "t")}
KIND = {"sgd_step": "sgd", "momentum_step": "momentum", "adagrad_step": "adagrad",
        "rmsprop_step": "rmsprop", "adam_step": "adam"}


# --------------------------------------------------------------------------- probes


def drive_update_rule(namespace, name, theta, grads, state, hyper):
    """Call ``namespace[name](theta, g, *state, **hyper)`` for each g in ``grads``, threading
    theta and the state through; return every step's theta and state, or a problem."""
    step = namespace.get(name)
    thetas, states = [], [[] for _ in state]
    for i, g in enumerate(grads):
        result = step(theta, g, *state, **hyper)
        if state:
            if not isinstance(result, (tuple, list)) or len(result) != 1 + len(state):
                kind = (f"a {type(result).__name__} of length {len(result)}"
                        if isinstance(result, (tuple, list)) else f"a {type(result).__name__}")
                return {"problem": f"step {i + 1} returned {kind}; return a tuple of "
                                   f"{1 + len(state)}: the new theta and the new state."}
            theta, *state = result
        else:
            theta = result
        values = [theta, *state]
        for j, value in enumerate(values):
            if not isinstance(value, (np.ndarray, np.generic, int, float)) or isinstance(
                    value, bool):
                return {"problem": f"step {i + 1} returned a {type(value).__name__} as item "
                                   f"{j} of its result; return numpy arrays (and t as an int)."}
        if np.shape(theta) != np.shape(grads[0]):
            return {"problem": f"step {i + 1} returned theta of shape {np.shape(theta)}, "
                               f"expected {np.shape(grads[0])}."}
        thetas.append(np.array(theta, copy=True))
        for j, value in enumerate(state):
            states[j].append(np.array(value, copy=True))
    for j, values in enumerate(states):
        if len({np.shape(value) for value in values}) != 1:
            return {"problem": f"state item {j + 1} changes shape between steps."}
    return {"problem": "", "theta": np.array(thetas), "state": [np.array(s) for s in states]}


def nesterov_step_on_a_quadratic(namespace, A, b, theta, lr, mu, steps):
    """Nesterov steps on L(theta) = 1/2 theta^T A theta - b^T theta, v starting at zero;
    the gradient function records the points it is evaluated at."""
    step = namespace.get("nesterov_step")
    if not callable(step):
        raise LookupError("the notebook defines no function `nesterov_step`: was it renamed, "
                          "or did its cell fail to run?")
    points = []

    def grad(x):
        points.append(np.array(x, dtype=np.float64))
        return A @ points[-1] - b

    v = np.zeros_like(theta)
    thetas, vs, calls = [], [], []
    for i in range(steps):
        before = len(points)
        result = step(theta, v, grad, lr, mu)
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            return {"problem": f"step {i + 1} returned a {type(result).__name__}; return the "
                               "pair (theta, v)."}
        theta, v = result
        if np.shape(theta) != np.shape(b) or np.shape(v) != np.shape(b):
            return {"problem": f"step {i + 1} returned theta and v of shapes {np.shape(theta)} "
                               f"and {np.shape(v)}; expected {np.shape(b)}."}
        thetas.append(np.array(theta, dtype=np.float64))
        vs.append(np.array(v, dtype=np.float64))
        calls.append(len(points) - before)
    first = points[0] if points else np.full(np.shape(b), np.nan)
    return {"problem": "", "theta": np.array(thetas), "v": np.array(vs),
            "calls": np.array(calls), "first_point": first}


# --------------------------------------------------------------------------- helpers


def random_shape(rng: np.random.Generator) -> tuple[int, ...]:
    """A parameter shape of 1 or 2 axes, 2 to 12 entries."""
    while True:
        shape = tuple(int(n) for n in rng.integers(1, 5, size=int(rng.integers(1, 3))))
        if 2 <= math.prod(shape) <= 12:
            return shape


def expect_sequence(got, expected, what, mistakes, tol):
    """``got`` (steps first) equals ``expected``; if not, a matching mistake is named, else
    the first step that differs is shown."""
    got_a = np.asarray(got, dtype=np.float64)
    exp_a = np.asarray(expected, dtype=np.float64)
    if got_a.shape == exp_a.shape and np.allclose(got_a, exp_a, **tol):
        return
    try:
        first_difference(got_a, exp_a, what, tol)
    except CheckFailed as difference:
        for sentence, wrong in mistakes.items():
            wrong = np.asarray(wrong, dtype=np.float64)
            if wrong.shape == got_a.shape and np.allclose(got_a, wrong, equal_nan=True, **tol):
                raise named_mistake(what, sentence, fallback=difference) from None
        raise


def first_difference(got_a, exp_a, what, tol):
    """Fail at the first step where ``got_a`` differs from ``exp_a`` (or at their shapes)."""
    if got_a.shape != exp_a.shape:
        raise CheckFailed(f"{what}: expected shape {exp_a.shape}, got {got_a.shape}.",
                          "wrong-shape")
    steps = len(exp_a)
    bad = [i for i in range(steps) if not np.allclose(got_a[i], exp_a[i], **tol)]
    i = bad[0]
    expect_close(got_a[i], exp_a[i], f"{what}, after step {i + 1} of {steps} "
                 f"(steps 1-{i} were right)" if i else f"{what}, after step 1 of {steps}", **tol)


def check_update_rule(student, oracle, name, theta0, grads, state0, hyper, what,
                      named_mistakes=True, tol=TIGHT):
    """Drive the student's ``name`` over ``grads`` and compare theta and the state after every
    step with the reference optimizer; with ``named_mistakes``, a result that matches one of
    the answer key's wrong update rules (simulated on the same inputs) is told which."""
    # One direct call first: it names the student's function in any error it raises.
    getattr(student, name)(theta0, grads[0], *state0, **hyper)
    got = student.run(drive_update_rule, name, theta0, grads, list(state0), hyper)
    expect(not got["problem"], f"{what}: {got['problem']}")
    names = STATE[name]
    start = dict(zip(names, state0, strict=True))
    expected = oracle.optimizer_trajectory(KIND[name], theta0, grads, state=start, **hyper)
    simulated = (oracle.update_rule_mistakes(name, theta0, grads, list(state0), hyper)
                 if named_mistakes else {})
    # The step count first: a t that is not incremented also spoils every theta.
    if "t" in names:
        j = names.index("t")
        expect_sequence(got["state"][j], expected["t"], f"{what}: the returned t",
                        {s: states[j] for s, (_, states) in simulated.items()}, tol)
    expect_sequence(got["theta"], expected["theta"], f"{what}: theta",
                    {s: thetas for s, (thetas, _) in simulated.items()}, tol)
    for j, key in enumerate(names):
        expect_sequence(got["state"][j], expected[key], f"{what}: the returned {key}",
                        {s: states[j] for s, (_, states) in simulated.items()}, tol)
    return got


def check_float32(student, oracle, name, rng, state0, hyper, what):
    shape = random_shape(rng)
    theta0 = rng.normal(size=shape).astype(np.float32)
    grads = rng.normal(size=(3, *shape)).astype(np.float32)
    state = tuple(value.astype(np.float32) if isinstance(value, np.ndarray) else value
                  for value in state0(shape))
    got = check_update_rule(student, oracle, name, theta0, grads, state, hyper,
                            f"{what} with float32 arrays", named_mistakes=False, tol=F32)
    expect_dtype(got["theta"], np.float32, f"{what}: theta for float32 theta and g")
    for key, value in zip(STATE[name], got["state"], strict=True):
        if key != "t":
            expect_dtype(value, np.float32, f"{what}: the returned {key} for float32 inputs")


def check_not_mutated(student, name, rng, state0, hyper, what):
    shape = random_shape(rng)
    theta, g = rng.normal(size=shape), rng.normal(size=shape)
    state = state0(shape)
    _, after = student.call_returning_args(name, theta, g, *state, **hyper)
    expect_unchanged(theta, after[0], f"{what}, argument theta")
    expect_unchanged(g, after[1], f"{what}, argument g")
    for key, before, now in zip(STATE[name], state, after[2:], strict=True):
        if key != "t":
            expect(isinstance(now, np.ndarray) and np.array_equal(before, now),
                   f"{what}, argument {key}: your function updated the state {key} in place "
                   f"(e.g. `{key} *= ...` or `{key} += ...`). The docstring promises that no "
                   f"argument is modified: build the new {key} (`{key} = ... {key} ...`) and "
                   "return it.", "state-updated-in-place")


# --------------------------------------------------------------------------- sgd_step

sgd = Question("lab06.sgd_step", functions=("sgd_step",), points=3)


@sgd.check(points=1)
def test_sgd_step_follows_the_reference_over_four_steps(student, oracle, rng):
    theta0, grads = rng.normal(size=3), rng.normal(size=(4, 3))
    check_update_rule(student, oracle, "sgd_step", theta0, grads, (), {"lr": 0.1},
                      "sgd_step(theta, g, lr=0.1), 4 steps")


@sgd.check(points=1)
def test_sgd_step_keeps_float32_and_does_not_modify_theta(student, oracle, rng):
    check_float32(student, oracle, "sgd_step", rng, lambda shape: (), {"lr": 0.05}, "sgd_step")
    check_not_mutated(student, "sgd_step", rng, lambda shape: (), {"lr": 0.05}, "sgd_step")


# --------------------------------------------------------------------------- minibatch

minibatch = Question("lab06.minibatch", functions=("updates_per_epoch", "minibatch_epoch"),
                     points=5)


def regression_data(rng, N, D):
    X = rng.normal(size=(N, D))
    y = X @ rng.normal(size=D) + 0.1 * rng.normal(size=N)
    return X, y


def check_updates_per_epoch(student, oracle, N, batch_size):
    got = student.updates_per_epoch(N, batch_size)
    expected = oracle.updates_per_epoch(N, batch_size)
    what = f"updates_per_epoch(N={N}, batch_size={batch_size})"
    expect(isinstance(got, (int, np.integer)) and not isinstance(got, bool),
           f"{what}: expected an int, got a {type(got).__name__} ({got!r}).")
    for sentence, wrong in oracle.updates_per_epoch_mistakes(N, batch_size).items():
        if got == wrong and got != expected:
            raise named_mistake(what, sentence, f"expected {expected}, got {got}: ",
                                CheckFailed(f"{what}: expected {expected}, got {got}."))
    expect(got == expected, f"{what}: expected {expected}, got {got}.")


def check_epoch(student, oracle, rng, N, D, batch_size, what):
    X, y = regression_data(rng, N, D)
    theta, order = rng.normal(size=D), rng.permutation(N)
    lr = float(rng.uniform(0.01, 0.05))
    args = (theta, X, y, lr, batch_size, order)
    expected = oracle.minibatch_epoch(*args)
    mistakes = oracle.epoch_mistakes(*args)
    got = student.minibatch_epoch(*args)
    what = f"minibatch_epoch(theta, X, y, lr={lr:.3g}, batch_size={batch_size}, order), {what}"
    if batch_size >= N and isinstance(got, np.ndarray) and got.shape == theta.shape:
        # One update: compare the step itself, so a factor of N in it is recognised.
        expect_close(got - theta, expected - theta, f"{what}: the step theta_new - theta",
                     batch_size=N, mistakes={s: w - theta for s, w in mistakes.items()})
    expect_close(got, expected, what, mistakes=mistakes)


@minibatch.check(points=1)
def test_updates_per_epoch_for_batch_online_and_mini_batch_learning(student, oracle):
    for N, batch_size in [(10, 10), (10, 1), (10, 4), (12, 4)]:
        check_updates_per_epoch(student, oracle, N, batch_size)


@minibatch.check(points=1)
def test_minibatch_epoch_matches_the_reference_on_a_small_example(student, oracle, rng):
    check_epoch(student, oracle, rng, 7, 3, 3, "N = 7, D = 3")


@minibatch.check(points=1)
def test_minibatch_epoch_does_not_modify_its_inputs(student, oracle, rng):
    X, y = regression_data(rng, 8, 3)
    theta, order = rng.normal(size=3), rng.permutation(8)
    _, after = student.call_returning_args("minibatch_epoch", theta, X, y, 0.05, 3, order)
    for name, before, now in zip(("theta", "X", "y"), (theta, X, y), after, strict=False):
        expect_unchanged(before, now, f"minibatch_epoch, argument {name}")
    check_epoch(student, oracle, rng, 8, 3, 3, "N = 8, mini-batches of 3")


# --------------------------------------------------------------------------- momentum_step

momentum = Question("lab06.momentum_step", functions=("momentum_step",), points=3)


def momentum_state(rng):
    return lambda shape: (0.1 * rng.normal(size=shape),)


@momentum.check(points=1)
def test_momentum_step_follows_the_reference_over_five_steps(student, oracle, rng):
    theta0, grads = rng.normal(size=3), rng.normal(size=(5, 3))
    check_update_rule(student, oracle, "momentum_step", theta0, grads, (np.zeros(3),),
                      {"lr": 0.1, "mu": 0.9}, "momentum_step(theta, g, v, lr=0.1, mu=0.9), "
                      "5 steps from v = 0")


@momentum.check(points=1)
def test_momentum_step_keeps_float32_and_does_not_modify_its_arguments(student, oracle, rng):
    hyper = {"lr": 0.1, "mu": 0.8}
    check_float32(student, oracle, "momentum_step", rng, momentum_state(rng), hyper,
                  "momentum_step")
    check_not_mutated(student, "momentum_step", rng, momentum_state(rng), hyper,
                      "momentum_step")


# --------------------------------------------------------------------------- nesterov_step

nesterov = Question("lab06.nesterov_step", functions=("nesterov_step",), points=4)


def quadratic(rng, D, condition):
    """A symmetric positive definite A with eigenvalues in [1, condition], and b."""
    Q, _ = np.linalg.qr(rng.normal(size=(D, D)))
    A = Q @ np.diag(np.geomspace(1.0, condition, D)) @ Q.T
    return (A + A.T) / 2, rng.normal(size=D)


def check_nesterov(student, oracle, A, b, theta0, lr, mu, steps, what):
    got = student.run(nesterov_step_on_a_quadratic, A, b, theta0, lr, mu, steps)
    expect(not got["problem"], f"{what}: {got['problem']}")
    expect(bool(np.all(got["calls"] == 1)),
           f"{what}: grad_fn was called {got['calls'].tolist()} times in the successive steps; "
           "each step needs exactly one gradient, at the look-ahead point theta + mu v.",
           "gradient-calls-per-step")
    expected = oracle.nesterov_on_quadratic(A, b, theta0, lr, mu, steps)
    if not np.allclose(got["first_point"], theta0, **TIGHT):
        raise CheckFailed(f"{what}: at the first step (v = 0) grad_fn must be called at theta "
                          f"itself, theta + mu * 0; it was called at {got['first_point']}.")
    expect_sequence(got["theta"], expected["theta"], f"{what}: theta",
                    oracle.nesterov_mistakes(A, b, theta0, lr, mu, steps), TIGHT)
    expect_sequence(got["v"], expected["v"], f"{what}: the returned v", {}, TIGHT)


@nesterov.check(points=1)
def test_nesterov_step_follows_the_reference_on_a_quadratic(student, oracle, rng):
    A, b = quadratic(rng, 3, 10.0)
    check_nesterov(student, oracle, A, b, rng.normal(size=3), 0.05, 0.9, 6,
                   "nesterov_step(theta, v, grad_fn, lr=0.05, mu=0.9), 6 steps on a quadratic")


@nesterov.check(points=1)
def test_nesterov_step_does_not_modify_theta_or_v(student, oracle, rng):
    # grad_fn cannot cross to a sandboxed worker: a probe makes the call, the grader compares.
    theta, v = rng.normal(size=4), 0.1 * rng.normal(size=4)
    after = student.run(nesterov_step_with_arguments_watched, theta, v)
    changed = [name for name, sent, back in zip(("theta", "v"), (theta, v), after, strict=True)
               if not np.array_equal(sent, back)]
    expect(not changed, f"nesterov_step(theta, v, grad_fn, lr, mu): your function modified "
           f"its argument {' and '.join(changed)} in place (e.g. `v *= mu` or `theta += v`); "
           "build new arrays and return them.", "modified-input")
    A, b = quadratic(rng, 4, 10.0)
    check_nesterov(student, oracle, A, b, theta, 0.05, 0.9, 4,
                   "nesterov_step(theta, v, grad_fn, lr=0.05, mu=0.9), 4 steps on a quadratic")


def nesterov_step_with_arguments_watched(namespace, theta, v):
    """theta and v as nesterov_step left them (the grader compares them with what it sent)."""
    step = namespace.get("nesterov_step")
    if not callable(step):
        raise LookupError("the notebook defines no function `nesterov_step`")
    step(theta, v, lambda x: 2.0 * np.asarray(x), 0.1, 0.9)
    return theta, v


def five_gradients(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """theta0 (3,) and five gradients (5, 3), the first column scaled by 1e-4: sqrt(G) ~ 1e-4
    there, so eps inside the root changes theta far beyond TIGHT."""
    theta0, grads = rng.normal(size=3), rng.normal(size=(5, 3))
    grads[:, 0] *= 1e-4
    return theta0, grads


# --------------------------------------------------------------------------- adagrad_step

adagrad = Question("lab06.adagrad_step", functions=("adagrad_step",), points=4)


@adagrad.check(points=1)
def test_adagrad_step_follows_the_reference_over_five_steps(student, oracle, rng):
    theta0, grads = five_gradients(rng)
    check_update_rule(student, oracle, "adagrad_step", theta0, grads, (np.zeros(3),),
                      {"lr": 0.1, "eps": 1e-8}, "adagrad_step(theta, g, G, lr=0.1, eps=1e-8), "
                      "5 steps from G = 0")


@adagrad.check(points=1)
def test_adagrad_step_follows_the_reference_on_positive_and_mixed_gradients(student, oracle,
                                                                            rng):
    shape = random_shape(rng)
    lr = float(rng.uniform(0.01, 0.5))
    theta0 = rng.normal(size=shape)
    G0 = rng.uniform(0.1, 2.0, size=shape)
    G0.flat[0] = 0.0  # with g ~ 1e-4 there, sqrt(G) ~ eps: where eps goes shows
    scales = np.geomspace(1e-4, 10.0, num=math.prod(shape)).reshape(shape)
    positive = np.abs(rng.normal(size=(5, *shape))) * scales
    mixed = rng.normal(size=(5, *shape)) * scales
    for kind, grads in (("positive", positive), ("mixed-sign", mixed)):
        check_update_rule(student, oracle, "adagrad_step", theta0, grads, (G0,),
                          {"lr": lr, "eps": 1e-8}, f"adagrad_step, lr={lr:.3g}, shape {shape}, "
                          f"5 steps of {kind} gradients from a nonzero G")


@adagrad.check(points=1)
def test_adagrad_step_keeps_float32_and_does_not_modify_its_arguments(student, oracle, rng):
    def state(shape):
        return (rng.uniform(0.1, 1.0, size=shape),)
    hyper = {"lr": 0.05, "eps": 1e-7}
    check_float32(student, oracle, "adagrad_step", rng, state, hyper, "adagrad_step")
    check_not_mutated(student, "adagrad_step", rng, state, hyper, "adagrad_step")


# --------------------------------------------------------------------------- rmsprop_step

rmsprop = Question("lab06.rmsprop_step", functions=("rmsprop_step",), points=4)


@rmsprop.check(points=1)
def test_rmsprop_step_follows_the_reference_over_five_steps(student, oracle, rng):
    theta0, grads = five_gradients(rng)
    check_update_rule(student, oracle, "rmsprop_step", theta0, grads, (np.zeros(3),),
                      {"lr": 0.01, "gamma": 0.9, "eps": 1e-8},
                      "rmsprop_step(theta, g, G, lr=0.01, gamma=0.9, eps=1e-8), 5 steps from "
                      "G = 0")


@rmsprop.check(points=1)
def test_rmsprop_step_puts_eps_outside_the_root_for_tiny_gradients(student, oracle, rng):
    theta0 = rng.normal(size=4)
    grads = rng.choice([-1.0, 1.0], size=(5, 4)) * np.array([1e-8, 3e-8, 1e-7, 1e-6])
    check_update_rule(student, oracle, "rmsprop_step", theta0, grads, (np.zeros(4),),
                      {"lr": 0.01, "gamma": 0.9, "eps": 1e-8},
                      "rmsprop_step with gradients of size 1e-8 to 1e-6 (sqrt(G) ~ eps)")


@rmsprop.check(points=1)
def test_rmsprop_step_keeps_float32_and_does_not_modify_its_arguments(student, oracle, rng):
    def state(shape):
        return (rng.uniform(0.1, 1.0, size=shape),)
    hyper = {"lr": 0.01, "gamma": 0.9, "eps": 1e-6}
    check_float32(student, oracle, "rmsprop_step", rng, state, hyper, "rmsprop_step")
    check_not_mutated(student, "rmsprop_step", rng, state, hyper, "rmsprop_step")


# --------------------------------------------------------------------------- adam_step

adam = Question("lab06.adam_step", functions=("adam_step",), points=5)


def adam_hyper(rng=None):
    if rng is None:
        return {"lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}
    return {"lr": float(rng.uniform(0.001, 0.05)), "beta1": float(rng.uniform(0.8, 0.95)),
            "beta2": 0.999, "eps": 1e-8}


@adam.check(points=1)
def test_adam_step_follows_the_reference_over_its_first_six_steps(student, oracle, rng):
    theta0, grads = rng.normal(size=3), rng.normal(size=(6, 3))
    check_update_rule(student, oracle, "adam_step", theta0, grads, (np.zeros(3), np.zeros(3), 0),
                      adam_hyper(), "adam_step(theta, g, m, v, t, lr=0.01, beta1=0.9, "
                      "beta2=0.999, eps=1e-8), steps t = 1 to 6 from m = v = 0, t = 0")


@adam.check(points=1)
def test_adam_step_keeps_float32_and_does_not_modify_its_arguments(student, oracle, rng):
    def state(shape):
        return (0.1 * rng.normal(size=shape), rng.uniform(0.01, 0.1, size=shape), 3)
    check_float32(student, oracle, "adam_step", rng, state, adam_hyper(), "adam_step")
    check_not_mutated(student, "adam_step", rng, state, adam_hyper(), "adam_step")


# --------------------------------------------------------------------------- schedules

schedules = Question("lab06.schedules", functions=(
    "step_schedule", "exponential_schedule", "inverse_time_schedule", "cosine_schedule"),
    points=3)


def check_schedule(student, oracle, name, ts, kwargs):
    function = getattr(student, name)
    shown = ", ".join(f"{k}={v:g}" for k, v in kwargs.items())
    what = f"{name}(t, {shown}) at t = {list(ts)}"
    got = []
    for t in ts:
        try:
            got.append(function(t, **kwargs))
        except StudentError as error:
            if error.kind not in ("ZeroDivisionError", "FloatingPointError"):
                raise
            raise CheckFailed(f"{name}(t={t}, {shown}) raised {error.kind}: a schedule is "
                              f"defined at every t >= 0, and alpha_0 = lr0 (is the 1 of "
                              f"1 + k t missing?).") from None
    for value in got:
        expect(isinstance(value, (float, int, np.floating, np.integer)) and not isinstance(
            value, bool) or (isinstance(value, np.ndarray) and value.shape == ()),
            f"{what}: expected a number for each t, got a {type(value).__name__}.")
    expected = [getattr(oracle, name)(t, **kwargs) for t in ts]
    expect_close(np.array(got, dtype=np.float64), np.array(expected), what, rtol=1e-9,
                 atol=1e-14, mistakes=oracle.schedule_mistakes(name, ts, kwargs))


@schedules.check(points=1)
def test_schedules_match_the_reference_on_a_small_example(student, oracle):
    check_schedule(student, oracle, "step_schedule", [0, 1, 9, 10, 11, 25],
                   {"lr0": 0.1, "drop": 0.5, "every": 10})
    check_schedule(student, oracle, "exponential_schedule", [0, 1, 5, 20], {"lr0": 0.1, "k": 0.1})
    check_schedule(student, oracle, "inverse_time_schedule", [0, 1, 5, 20],
                   {"lr0": 0.1, "k": 0.5})
    check_schedule(student, oracle, "cosine_schedule", [0, 5, 10, 15, 20, 30],
                   {"lr0": 0.1, "total": 20, "lr_min": 0.001})


# --------------------------------------------------------------------------- edges of the domain
# (issue #19): every hyperparameter at a value other than the usual one, where it shows.


@adagrad.check(points=1)
def test_adagrad_step_uses_the_eps_it_is_given(student, oracle, rng):
    eps, grads = 3e-3, rng.normal(size=(5, 4)) * 1e-2   # sqrt(G) ~ eps: eps's value shows
    check_update_rule(student, oracle, "adagrad_step", rng.normal(size=4), grads,
                      (np.zeros(4),), {"lr": 0.1, "eps": eps},
                      f"adagrad_step(theta, g, G, lr=0.1, eps={eps:g}), 5 steps of gradients "
                      "of size 1e-2 from G = 0 (use the eps you are given)")


@adam.check(points=1)
def test_adam_step_uses_every_hyperparameter_it_is_given(student, oracle, rng):
    hyper = {"lr": 0.05, "beta1": 0.8, "beta2": 0.95, "eps": 3e-3}
    grads = rng.normal(size=(6, 4)) * 1e-2   # sqrt(v) ~ eps, and beta2 far from 0.999
    shown = ", ".join(f"{k}={v:g}" for k, v in hyper.items())
    check_update_rule(student, oracle, "adam_step", rng.normal(size=4), grads,
                      (np.zeros(4), np.zeros(4), 0), hyper,
                      f"adam_step(theta, g, m, v, t, {shown}), steps t = 1 to 6 of gradients "
                      "of size 1e-2 from m = v = 0 (use the hyperparameters you are given)")


def nesterov_step_in_float32(namespace, A, b, theta, lr, mu):
    """What one nesterov_step returns from theta and v = 0 (float32) on the gradient A x - b
    of float32 A and b, each array as it came back."""
    step = namespace.get("nesterov_step")
    if not callable(step):
        raise LookupError("the notebook defines no function `nesterov_step`")
    result = step(theta, np.zeros_like(theta), lambda x: A @ x - b, lr, mu)
    if not isinstance(result, (tuple, list)):
        return []
    return [np.asarray(part) for part in result]


@nesterov.check(points=1)
def test_nesterov_step_keeps_float32(student, oracle, rng):
    A, b = (value.astype(np.float32) for value in quadratic(rng, 3, 10.0))
    theta = rng.normal(size=3).astype(np.float32)
    what = ("nesterov_step(theta, v, grad_fn, lr=0.05, mu=0.9) for float32 theta and v and a "
            "float32 gradient")
    result = student.run(nesterov_step_in_float32, A, b, theta, 0.05, 0.9)
    expect(len(result) == 2, f"{what} should return the pair (theta, v).")
    expected = oracle.nesterov_on_quadratic(A.astype(np.float64), b.astype(np.float64),
                                            theta.astype(np.float64), 0.05, 0.9, 1)
    for name, got in zip(("theta", "v"), result, strict=True):
        expect_close(got, expected[name][0], f"the returned {name} of {what}", **F32)
        expect_dtype(got, np.float32, f"the returned {name} of {what}")
