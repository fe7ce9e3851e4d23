"""Lab 05: weight initialization (lecture topics 15, 16, 18-20).

Every initializer has the signature ``init(fan_in, fan_out, rng, ...)`` and returns a
weight matrix of shape ``(fan_in, fan_out)`` drawn with the ``numpy.random.Generator`` it
is given. A generator cannot cross the grader's plain-data wire, so the checks send a
*seed* and the probe :func:`draw_weights` builds ``np.random.default_rng(seed)`` beside
the student's code. Random initializers are graded statistically on large draws: the
sample mean within four standard errors of 0, the sample variance within four standard
errors of the formula (the standard error of a sample variance is
``Var(w) sqrt((kurtosis - 1) / n)``), uniform bounds never exceeded, the shape not
transposed, and the same seed giving the same matrix (the draw uses ``rng``, not numpy's
global state).

The other questions measure what an initialization does to a deep network: the variance
formula ``Var(s) = n_in Var(w) Var(x)``, per-layer activation statistics and weight
gradient norms of a stack of tanh or ReLU layers, dead ReLU units and the symmetry of
hidden units. Their values are compared with :mod:`reference.propagation` (the
``oracle``), gradient norms also with central differences.

Feedback names the wrong variants students commonly write: a sample variance that
matches a wrong formula is told which one.
"""

from __future__ import annotations

import numpy as np

from autograder.expect import CheckFailed, expect, expect_close, expect_unchanged
from autograder.registry import Question
from autograder.student import StudentError
from reference.gradcheck import numerical_gradient

ORACLE_MODULES = ("reference.init", "reference.propagation", "reference.activations")

# Kurtosis E[w^4] / Var(w)^2 of the two families: the spread of a sample variance.
NORMAL_KURTOSIS, UNIFORM_KURTOSIS = 3.0, 9.0 / 5.0
SIGMAS = 4.0

# Central differences as in lab 03: step 1e-4, relative tolerance 1e-5.
STEP = 1e-4
GRADIENT_TOL = 1e-5

GLOBAL_STATE = ("two draws with the same seed differ: your function ignores the generator "
                "`rng` it receives (np.random.normal / np.random.uniform / np.random.randn use "
                "numpy's global state). Draw with rng.normal(...) or rng.uniform(...).")


# --------------------------------------------------------------------------- helpers


def draw_weights(namespace, name, fan_in, fan_out, seed, kwargs):
    """Probe: the student's initializer ``name`` called with a generator made from ``seed``."""
    function = namespace.get(name)
    if not callable(function):
        raise NameError(f"the notebook defines no function {name!r}")
    return function(fan_in, fan_out, np.random.default_rng(seed), **kwargs)


def draw(student, name: str, fan_in: int, fan_out: int, seed: int, **kwargs) -> object:
    """``name(fan_in, fan_out, np.random.default_rng(seed), **kwargs)`` run beside the
    student's code; errors name the student's function, not the probe."""
    try:
        return student.run(draw_weights, name, fan_in, fan_out, seed, kwargs)
    except StudentError as error:
        raise StudentError(name, error.kind, error.message, error.traceback) from None


def seed_from(rng: np.random.Generator) -> int:
    return int(rng.integers(0, 2**31))


def unequal_fans(rng: np.random.Generator) -> tuple[int, int]:
    """``(fan_in, fan_out)`` between 150 and 500 that differ by at least 100, either
    way round, so that a formula using the wrong one is far off."""
    while True:
        fan_in, fan_out = (int(n) for n in rng.integers(150, 501, size=2))
        if abs(fan_in - fan_out) >= 100:
            return fan_in, fan_out


def expect_weights(W: object, fan_in: int, fan_out: int, what: str) -> np.ndarray:
    """``W`` is a finite real array of shape ``(fan_in, fan_out)``; returned as float64."""
    expect(isinstance(W, np.ndarray),
           f"{what}: expected a numpy array of shape ({fan_in}, {fan_out}), "
           f"got a {type(W).__name__}.")
    if W.shape != (fan_in, fan_out):
        hint = (": the transpose. W has one row per input (fan_in) and one column per unit "
                "(fan_out), so that a layer computes S = X W."
                if W.shape == (fan_out, fan_in) else ".")
        raise CheckFailed(f"{what}: expected shape (fan_in, fan_out) = ({fan_in}, {fan_out}), "
                          f"got shape {W.shape}{hint}")
    expect(W.dtype.kind == "f", f"{what}: expected floating-point weights, got dtype {W.dtype}.")
    expect(bool(np.isfinite(W).all()), f"{what}: contains nan or inf.")
    return W.astype(np.float64)


def expect_distribution(W: np.ndarray, variance: float, kurtosis: float, what: str, *,
                        bound: float | None = None,
                        mistakes: dict[str, float] | None = None) -> None:
    """Mean ~ 0 and variance ~ ``variance`` within ``SIGMAS`` standard errors; no value
    beyond ``bound``. A variance that matches one of ``mistakes`` (sentence -> the variance
    that mistake gives) is named."""
    n = W.size
    mean = float(W.mean())
    mean_error = np.sqrt(variance / n)
    expect(abs(mean) <= SIGMAS * mean_error,
           f"{what}: the sample mean of {n} weights is {mean:.3g}; a zero-mean distribution "
           f"gives |mean| < {SIGMAS * mean_error:.2g}. Is the distribution centred on 0 "
           "(U(-a, a), not U(0, a); N(0, sigma^2))?")
    sample = float(np.var(W))
    relative = np.sqrt((kurtosis - 1.0) / n)
    if abs(sample - variance) > SIGMAS * relative * variance:
        for sentence, wrong in (mistakes or {}).items():
            if abs(sample - wrong) <= SIGMAS * relative * wrong:
                raise CheckFailed(f"{what}: the sample variance is {sample:.4g}, expected "
                                  f"{variance:.4g}: {sentence}")
        raise CheckFailed(f"{what}: the sample variance of {n} weights is {sample:.4g}; the "
                          f"formula gives Var(w) = {variance:.4g} (a correct draw is within "
                          f"{100 * SIGMAS * relative:.1f}% of it).")
    if bound is not None:
        largest = float(np.max(np.abs(W)))
        expect(largest <= bound * (1 + 1e-12),
               f"{what}: a weight of size {largest:.4g} exceeds the bound a = {bound:.4g} of "
               "U(-a, a).")


def expect_reproducible(student, name: str, fan_in: int, fan_out: int, seed: int,
                        what: str, **kwargs) -> None:
    """The same seed gives the same matrix, another seed another one."""
    first = draw(student, name, fan_in, fan_out, seed, **kwargs)
    expect_weights(first, fan_in, fan_out, what)
    again = draw(student, name, fan_in, fan_out, seed, **kwargs)
    expect(isinstance(again, np.ndarray) and np.array_equal(first, again),
           f"{what}: {GLOBAL_STATE}")
    other = draw(student, name, fan_in, fan_out, seed + 1, **kwargs)
    expect(isinstance(other, np.ndarray) and not np.array_equal(first, other),
           f"{what}: two different seeds give the same matrix: draw the weights with the "
           "generator `rng`.")


# --------------------------------------------------------------------------- zeros, constant

constant_init = Question("lab05.constant_init", functions=("zeros", "constant"))


def check_constant_init(student, oracle, fan_in, fan_out, value):
    what = f"zeros({fan_in}, {fan_out})"
    W = expect_weights(student.zeros(fan_in, fan_out), fan_in, fan_out, what)
    expect_close(W, oracle.zeros(fan_in, fan_out), what)
    what = f"constant({fan_in}, {fan_out}, value={value})"
    W = expect_weights(student.constant(fan_in, fan_out, value=value), fan_in, fan_out, what)
    expect_close(W, oracle.constant(fan_in, fan_out, value=value), what, mistakes={
        "every weight is 0.1, the default: use the `value` argument.": np.full(W.shape, 0.1)})


@constant_init.check(points=1)
def test_zeros_and_constant_on_a_small_example(student, oracle):
    check_constant_init(student, oracle, 3, 2, 0.5)


@constant_init.check(points=1, hidden=True)
def test_zeros_and_constant_have_shape_fan_in_by_fan_out(student, oracle, rng):
    fan_in, fan_out = (int(n) for n in rng.choice(np.arange(1, 9), size=2, replace=False))
    check_constant_init(student, oracle, fan_in, fan_out, float(rng.uniform(-1.0, 1.0)))


# --------------------------------------------------------------------------- normal

normal = Question("lab05.normal", functions=("normal",))


def check_normal(student, fan_in, fan_out, std, seed):
    what = f"normal({fan_in}, {fan_out}, rng, std={std})"
    W = expect_weights(draw(student, "normal", fan_in, fan_out, seed, std=std),
                       fan_in, fan_out, what)
    expect_distribution(W, std**2, NORMAL_KURTOSIS, what, mistakes={
        "that is std^4: numpy's `scale` is the standard deviation, pass std itself, not std**2.":
        std**4,
        "that is std, not std^2: `scale` is the standard deviation; do not take its square "
        "root.": std,
        "that is 1: the draw is not scaled by std (rng.standard_normal(shape) * std).": 1.0})


@normal.check(points=1)
def test_normal_draws_the_stated_variance(student, rng):
    check_normal(student, 300, 200, 0.5, seed_from(rng))


@normal.check(points=1, hidden=True)
def test_normal_on_random_sizes_and_stds(student, rng):
    fan_in, fan_out = unequal_fans(rng)
    check_normal(student, fan_in, fan_out, float(rng.choice([0.01, 0.05, 0.2, 2.0, 3.0])),
                 seed_from(rng))


@normal.check(points=1)
def test_normal_uses_the_generator_it_is_given(student, rng):
    fan_in, fan_out = unequal_fans(rng)
    expect_reproducible(student, "normal", fan_in, fan_out, seed_from(rng),
                        f"normal({fan_in}, {fan_out}, rng, std=0.1)", std=0.1)


# --------------------------------------------------------------------------- uniform 1/sqrt(fan_in)

uniform_fan_in = Question("lab05.uniform_fan_in", functions=("uniform_fan_in",))


def check_uniform_fan_in(student, fan_in, fan_out, seed):
    what = f"uniform_fan_in({fan_in}, {fan_out}, rng)"
    W = expect_weights(draw(student, "uniform_fan_in", fan_in, fan_out, seed),
                       fan_in, fan_out, what)
    expect_distribution(W, 1.0 / (3 * fan_in), UNIFORM_KURTOSIS, what,
                        bound=1.0 / np.sqrt(fan_in), mistakes={
        "that is 1/(3 fan_out): the bound uses fan_in, the number of inputs of a unit "
        "(the rows of W).": 1.0 / (3 * fan_out),
        "that is 1/(3 fan_in^2): the bound is 1/sqrt(fan_in), not 1/fan_in.":
        1.0 / (3 * fan_in**2),
        "that is 1/fan_in: the bound of the lectures is 1/sqrt(fan_in), which gives "
        "Var(w) = a^2/3 = 1/(3 fan_in).": 1.0 / fan_in})


@uniform_fan_in.check(points=1)
def test_uniform_fan_in_variance_bounds_and_shape(student, rng):
    check_uniform_fan_in(student, 300, 200, seed_from(rng))


@uniform_fan_in.check(points=1, hidden=True)
def test_uniform_fan_in_on_random_sizes(student, rng):
    fan_in, fan_out = unequal_fans(rng)
    check_uniform_fan_in(student, fan_in, fan_out, seed_from(rng))


# ----------------------------------------------------------------------- Var(s) = n Var(w) Var(x)

predicted_variance = Question("lab05.predicted_variance", functions=("predicted_variance",))


def check_predicted_variance(student, oracle, fan_in, var_w, var_x, simulated=None):
    what = f"predicted_variance({fan_in}, {var_w:.4g}, {var_x:.4g})"
    got = student.predicted_variance(fan_in, var_w, var_x)
    expected = oracle.predicted_variance(fan_in, var_w, var_x)
    try:
        expect_close(got, expected, what, mistakes={
            "it is Var(w) Var(x), the variance of one term w_i x_i: the n_in independent "
            "terms of s = sum_i w_i x_i add their variances.": var_w * var_x,
            "it is sqrt(n_in) Var(w) Var(x): variances of independent terms add, so Var(s) "
            "grows like n_in (its standard deviation like sqrt(n_in)).":
            np.sqrt(fan_in) * var_w * var_x,
            "it is n_in sqrt(Var(w) Var(x)), a standard deviation: Var(w_i x_i) = "
            "Var(w) Var(x) for independent, zero-mean w and x.": fan_in * np.sqrt(var_w * var_x),
        })
    except CheckFailed as failure:
        if simulated is None:
            raise
        raise CheckFailed(f"{failure} A simulation of s = X W with these variances gives "
                          f"Var(s) = {simulated:.4g}.") from None


@predicted_variance.check(points=1)
def test_predicted_variance_on_a_small_example(student, oracle):
    check_predicted_variance(student, oracle, 250, 0.004, 2.0)


@predicted_variance.check(points=1, hidden=True)
def test_predicted_variance_matches_the_formula_and_a_simulation(student, oracle, rng):
    fan_in = int(rng.integers(20, 300))
    var_w, var_x = float(rng.uniform(0.1, 3.0)) / fan_in, float(rng.uniform(0.2, 4.0))
    X = rng.normal(0.0, np.sqrt(var_x), size=(200, fan_in))
    W = rng.normal(0.0, np.sqrt(var_w), size=(fan_in, 100))
    check_predicted_variance(student, oracle, fan_in, var_w, var_x, simulated=float(np.var(X @ W)))


# --------------------------------------------------------------------------- Xavier / Glorot

xavier = Question("lab05.xavier", functions=("xavier_uniform", "xavier_normal"))


def xavier_mistakes(fan_in: int, fan_out: int) -> dict[str, float]:
    n = fan_in + fan_out
    return {
        "that is 2/fan_in, He's variance: the bound sqrt(6/fan_in) belongs to He; Glorot's "
        "is sqrt(6/(fan_in + fan_out)).": 2.0 / fan_in,
        "that is 2/(3 (fan_in + fan_out)): sqrt(2/(fan_in + fan_out)) is the normal's "
        "standard deviation; U(-a, a) has variance a^2/3, so a = sqrt(6/(fan_in + fan_out)).":
        2.0 / (3 * n),
        "that is (2/(fan_in + fan_out))^2: the square root is missing, std = "
        "sqrt(2/(fan_in + fan_out)).": (2.0 / n) ** 2,
        "that is 12/(fan_in + fan_out)^2: the square root is missing from the bound "
        "a = sqrt(6/(fan_in + fan_out)).": 12.0 / n**2,
        "that is 1/fan_in, the forward-only condition; Glorot and Bengio average it with "
        "1/fan_out: Var(w) = 2/(fan_in + fan_out).": 1.0 / fan_in,
    }


def check_xavier_uniform(student, fan_in, fan_out, seed):
    what = f"xavier_uniform({fan_in}, {fan_out}, rng)"
    W = expect_weights(draw(student, "xavier_uniform", fan_in, fan_out, seed),
                       fan_in, fan_out, what)
    expect_distribution(W, 2.0 / (fan_in + fan_out), UNIFORM_KURTOSIS, what,
                        bound=np.sqrt(6.0 / (fan_in + fan_out)),
                        mistakes=xavier_mistakes(fan_in, fan_out))


def check_xavier_normal(student, fan_in, fan_out, seed):
    what = f"xavier_normal({fan_in}, {fan_out}, rng)"
    W = expect_weights(draw(student, "xavier_normal", fan_in, fan_out, seed),
                       fan_in, fan_out, what)
    expect_distribution(W, 2.0 / (fan_in + fan_out), NORMAL_KURTOSIS, what,
                        mistakes=xavier_mistakes(fan_in, fan_out))


@xavier.check(points=1)
def test_xavier_uniform_variance_bounds_and_shape(student, rng):
    check_xavier_uniform(student, 300, 200, seed_from(rng))


@xavier.check(points=1)
def test_xavier_normal_variance_and_shape(student, rng):
    check_xavier_normal(student, 300, 200, seed_from(rng))


@xavier.check(points=1, hidden=True)
def test_xavier_on_random_sizes(student, rng):
    fan_in, fan_out = unequal_fans(rng)
    check_xavier_uniform(student, fan_in, fan_out, seed_from(rng))
    check_xavier_normal(student, fan_out, fan_in, seed_from(rng))


# --------------------------------------------------------------------------- He

he = Question("lab05.he", functions=("he_uniform", "he_normal"))


def he_mistakes(fan_in: int, fan_out: int) -> dict[str, float]:
    return {
        "that is 1/fan_in: He et al. double it to 2/fan_in, because a ReLU zeroes half of "
        "its inputs and so halves the signal's second moment.": 1.0 / fan_in,
        "that is 2/fan_out: He's variance uses fan_in, the number of inputs of a unit "
        "(the rows of W).": 2.0 / fan_out,
        "that is 2/(fan_in + fan_out), Glorot's variance: He's is 2/fan_in.":
        2.0 / (fan_in + fan_out),
        "that is (2/fan_in)^2: the square root is missing, std = sqrt(2/fan_in).":
        (2.0 / fan_in) ** 2,
        "that is 12/fan_in^2: the square root is missing from the bound a = sqrt(6/fan_in).":
        12.0 / fan_in**2,
        "that is 2/(3 fan_in): sqrt(2/fan_in) is the normal's standard deviation; "
        "U(-a, a) has variance a^2/3, so a = sqrt(6/fan_in).": 2.0 / (3 * fan_in),
    }


def check_he_uniform(student, fan_in, fan_out, seed):
    what = f"he_uniform({fan_in}, {fan_out}, rng)"
    W = expect_weights(draw(student, "he_uniform", fan_in, fan_out, seed), fan_in, fan_out, what)
    expect_distribution(W, 2.0 / fan_in, UNIFORM_KURTOSIS, what, bound=np.sqrt(6.0 / fan_in),
                        mistakes=he_mistakes(fan_in, fan_out))


def check_he_normal(student, fan_in, fan_out, seed):
    what = f"he_normal({fan_in}, {fan_out}, rng)"
    W = expect_weights(draw(student, "he_normal", fan_in, fan_out, seed), fan_in, fan_out, what)
    expect_distribution(W, 2.0 / fan_in, NORMAL_KURTOSIS, what,
                        mistakes=he_mistakes(fan_in, fan_out))


@he.check(points=1)
def test_he_uniform_variance_bounds_and_shape(student, rng):
    check_he_uniform(student, 300, 200, seed_from(rng))


@he.check(points=1)
def test_he_normal_variance_and_shape(student, rng):
    check_he_normal(student, 300, 200, seed_from(rng))


@he.check(points=1, hidden=True)
def test_he_on_random_sizes(student, rng):
    fan_in, fan_out = unequal_fans(rng)
    check_he_uniform(student, fan_in, fan_out, seed_from(rng))
    check_he_normal(student, fan_out, fan_in, seed_from(rng))


@he.check(points=1)
def test_he_initializers_use_the_generator_they_are_given(student, rng):
    fan_in, fan_out = unequal_fans(rng)
    for name in ("he_uniform", "he_normal"):
        expect_reproducible(student, name, fan_in, fan_out, seed_from(rng),
                            f"{name}({fan_in}, {fan_out}, rng)")


# --------------------------------------------------------------------------- per-layer stds

activation_stds = Question("lab05.activation_stds", functions=("activation_stds",))


def stack(rng: np.random.Generator, depth: int, widths: list[int], std_of) -> list[np.ndarray]:
    """Weights of a stack of ``depth`` layers: ``widths[l] -> widths[l + 1]``, N(0, std^2)
    with ``std = std_of(fan_in, fan_out)``."""
    return [rng.normal(0.0, std_of(widths[i], widths[i + 1]), size=(widths[i], widths[i + 1]))
            for i in range(depth)]


def activation_stds_mistakes(X, weights, activation) -> dict:
    f = np.tanh if activation == "tanh" else (lambda s: np.maximum(s, 0.0))
    a, potentials, outputs, per_unit = X, [], [], []
    for W in weights:
        s = a @ W
        a = f(s)
        potentials.append(np.std(s))
        outputs.append(np.std(a))
        per_unit.append(np.mean(np.std(a, axis=0)))
    tanh_outputs, a = [], X
    for W in weights:
        a = np.tanh(a @ W)
        tanh_outputs.append(np.std(a))
    mistakes = {
        "these are the standard deviations of the potentials s^l = a^{l-1} W^l: report "
        "those of the activations a^l = f(s^l).": np.array(potentials),
        "these are the variances, not the standard deviations (np.var instead of np.std).":
        np.array(outputs) ** 2,
        "these are per-unit standard deviations, averaged: take np.std over all the entries "
        "of a^l (the histogram of the layer's activations).": np.array(per_unit)}
    if activation == "relu":
        mistakes["these are a tanh network's values: apply the activation named by "
                 "`activation`."] = np.array(tanh_outputs)
    return mistakes


def check_activation_stds(student, oracle, X, weights, activation, what):
    got = student.activation_stds(X, weights, activation)
    expect(not (isinstance(got, np.ndarray) and got.shape == (len(weights) + 1,)),
           f"{what}: expected {len(weights)} values, one per layer a^1 ... a^L; got "
           f"{len(weights) + 1}: leave out the input a^0 = X.")
    expect_close(got, oracle.activation_stds(X, weights, activation), what, rtol=1e-6,
                 atol=1e-12, mistakes=activation_stds_mistakes(X, weights, activation))


@activation_stds.check(points=1)
def test_activation_stds_on_a_small_tanh_stack(student, oracle, rng):
    X = rng.standard_normal((40, 30))
    weights = stack(rng, 4, [30] * 5, lambda fi, fo: 0.3)
    check_activation_stds(student, oracle, X, weights, "tanh",
                          "activation_stds(X, weights, 'tanh'), 4 layers of 30 units")


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


@activation_stds.check(points=1)
def test_activation_stds_of_relu_stacks_with_xavier_and_he(student, oracle, rng):
    depth = int(rng.integers(4, 8))
    widths = [int(n) for n in rng.integers(20, 60, size=depth + 1)]
    X = rng.standard_normal((int(rng.integers(30, 80)), widths[0]))
    schemes = {"Xavier": lambda fi, fo: np.sqrt(2.0 / (fi + fo)),
               "He": lambda fi, fo: np.sqrt(2.0 / fi)}
    for scheme, std_of in schemes.items():
        weights = stack(rng, depth, widths, std_of)
        check_activation_stds(student, oracle, X, weights, "relu",
                              f"activation_stds(X, weights, 'relu'), {scheme} weights, "
                              f"{depth} layers")


# --------------------------------------------------------------------------- gradient norms

gradient_norms = Question("lab05.weight_gradient_norms", functions=("weight_gradient_norms",))


def gradient_norms_mistakes(X, weights, dout, activation) -> dict:
    """Norms for a backward pass that forgets f'(s) (delta passed through unchanged)."""
    f = np.tanh if activation == "tanh" else (lambda s: np.maximum(s, 0.0))
    a, inputs = X, []
    for W in weights:
        inputs.append(a)
        a = f(a @ W)
    forgetful, delta = [0.0] * len(weights), dout
    for layer in range(len(weights) - 1, -1, -1):
        forgetful[layer] = np.linalg.norm(inputs[layer].T @ delta)
        delta = delta @ weights[layer].T
    return {"these norms leave out the activation's derivative: multiply the upstream "
            "gradient by f'(s^l) before forming dL/dW^l = (a^{l-1})^T (delta^l * f'(s^l)).":
            np.array(forgetful)}


DIVIDED_BY_N = ("it is 1/N of the expected norms: L = sum(dout * a^L) has no average over the "
                "batch (dout already carries whatever 1/m the loss has); do not divide by N.")


def check_gradient_norms(student, oracle, X, weights, dout, activation, what, expected=None):
    got = student.weight_gradient_norms(X, weights, dout, activation)
    if expected is None:
        expected = oracle.weight_gradient_norms(X, weights, dout, activation)
    mistakes = gradient_norms_mistakes(X, weights, dout, activation)
    mistakes[DIVIDED_BY_N] = np.asarray(expected) / X.shape[0]
    expect_close(got, expected, what, rtol=1e-6, atol=1e-12, mistakes=mistakes)


@gradient_norms.check(points=1)
def test_weight_gradient_norms_on_a_small_tanh_stack(student, oracle, rng):
    X = rng.standard_normal((20, 10))
    weights = stack(rng, 3, [10, 12, 12, 4], lambda fi, fo: np.sqrt(1.0 / fi))
    dout = rng.standard_normal((20, 4))
    check_gradient_norms(student, oracle, X, weights, dout, "tanh",
                         "weight_gradient_norms(X, weights, dout, 'tanh'), 3 layers")


@gradient_norms.check(points=1, hidden=True)
def test_weight_gradient_norms_of_random_relu_stacks(student, oracle, rng):
    depth = int(rng.integers(3, 7))
    widths = [int(n) for n in rng.integers(10, 40, size=depth + 1)]
    X = rng.standard_normal((int(rng.integers(20, 60)), widths[0]))
    weights = stack(rng, depth, widths, lambda fi, fo: np.sqrt(2.0 / fi))
    dout = rng.standard_normal((X.shape[0], widths[-1]))
    check_gradient_norms(student, oracle, X, weights, dout, "relu",
                         f"weight_gradient_norms(X, weights, dout, 'relu'), {depth} layers")


@gradient_norms.check(points=1, hidden=True)
def test_weight_gradient_norms_match_central_differences(student, oracle, rng):
    widths = [int(n) for n in rng.integers(2, 5, size=4)]
    X = rng.standard_normal((int(rng.integers(3, 7)), widths[0]))
    weights = stack(rng, 3, widths, lambda fi, fo: 1.0)
    dout = rng.standard_normal((X.shape[0], widths[-1]))
    numerical = []
    for layer in range(3):
        def loss(W, layer=layer):
            changed = [W if i == layer else w for i, w in enumerate(weights)]
            return np.sum(dout * oracle.forward_activations(X, changed, "tanh")[-1])
        numerical.append(np.linalg.norm(numerical_gradient(loss, weights[layer], h=STEP)))
    check_gradient_norms(student, oracle, X, weights, dout, "tanh",
                         "weight_gradient_norms(X, weights, dout, 'tanh') against central "
                         "differences", expected=np.array(numerical))


# --------------------------------------------------------------------------- dead ReLUs

dead_fraction = Question("lab05.dead_fraction", functions=("dead_fraction",))


def dead_fraction_mistakes(S: np.ndarray) -> dict:
    return {
        "it is the fraction of entries with s <= 0: a unit (a column of S) is dead only if "
        "it is inactive on every example.": np.mean(S <= 0),
        "it counts units inactive on at least one example (np.any): a dead unit is inactive "
        "on every example (np.all).": np.mean(np.any(S <= 0, axis=0)),
        "it counts examples (rows), not units: the units are the columns of S "
        "(axis=0 runs over the examples).": np.mean(np.all(S <= 0, axis=1)),
        "it misses units whose potentials are exactly 0: ReLU gives them output 0 and "
        "gradient 0 as well, so they are dead too (s <= 0, not s < 0).":
        np.mean(np.all(S < 0, axis=0)),
    }


def batch_with_dead_units(rng: np.random.Generator, m: int, units: int) -> np.ndarray:
    """Potentials ``S`` of ``units`` ReLUs on ``m`` examples: dead columns (the first one
    exactly 0 everywhere), columns inactive on all but one example (the second one among
    them) and random, living columns."""
    S = rng.normal(0.0, 1.0, size=(m, units))
    kind = rng.integers(0, 3, size=units)               # 0 dead, 1 nearly dead, 2 random
    kind[:2] = [0, 1]
    S[:, kind < 2] = -np.abs(S[:, kind < 2])
    nearly = np.flatnonzero(kind == 1)
    S[rng.integers(0, m, size=nearly.size), nearly] = 0.5
    S[:, 0] = 0.0
    return S


def check_dead_fraction(student, oracle, S, what):
    expect_close(student.dead_fraction(S), oracle.dead_fraction(S), what,
                 mistakes=dead_fraction_mistakes(S))


@dead_fraction.check(points=1)
def test_dead_fraction_on_a_small_batch(student, oracle, rng):
    S = batch_with_dead_units(rng, 6, 8)
    check_dead_fraction(student, oracle, S, "dead_fraction(S), S of shape (6, 8)")


@dead_fraction.check(points=1, hidden=True)
def test_dead_fraction_on_random_batches(student, oracle, rng):
    m, units = int(rng.integers(5, 40)), int(rng.integers(5, 40))
    S = batch_with_dead_units(rng, m, units)
    check_dead_fraction(student, oracle, S, f"dead_fraction(S), S of shape {S.shape}")


@dead_fraction.check(points=1)
def test_dead_fraction_does_not_modify_its_input(student, oracle, rng):
    S = batch_with_dead_units(rng, int(rng.integers(5, 20)), int(rng.integers(5, 20)))
    _, (after,) = student.call_returning_args("dead_fraction", S)
    expect_unchanged(S, after, "dead_fraction(S)")
    check_dead_fraction(student, oracle, S, f"dead_fraction(S), S of shape {S.shape}")


# --------------------------------------------------------------------------- symmetry

hidden_unit_spread = Question("lab05.hidden_unit_spread", functions=("hidden_unit_spread",))


def spread_mistakes(W: np.ndarray) -> dict:
    return {
        "it is the range of the whole matrix: units whose weight vectors are identical can "
        "still have different weights for different inputs; take the range of each row.":
        np.max(W) - np.min(W),
        "it compares the weights of one unit across its inputs (the rows): the units are "
        "the columns of W; compare each row across the columns.":
        np.max(np.max(W, axis=0) - np.min(W, axis=0)),
        "it is a standard deviation across the units: the spread asked for is the range "
        "max_j w_ij - min_j w_ij, maximised over the inputs i.":
        np.max(np.std(W, axis=1)),
    }


def check_spread(student, oracle, W, what):
    expect_close(student.hidden_unit_spread(W), oracle.hidden_unit_spread(W), what, atol=1e-12,
                 mistakes=spread_mistakes(W))


@hidden_unit_spread.check(points=1)
def test_hidden_unit_spread_on_a_small_example(student, oracle, rng):
    W = rng.normal(size=(3, 5))
    check_spread(student, oracle, W, "hidden_unit_spread(W), W of shape (3, 5)")


@hidden_unit_spread.check(points=1)
def test_hidden_unit_spread_is_zero_for_symmetric_units(student, oracle, rng):
    fan_in, units = int(rng.integers(2, 8)), int(rng.integers(2, 8))
    column = rng.normal(size=(fan_in, 1))
    check_spread(student, oracle, np.repeat(column, units, axis=1),
                 f"hidden_unit_spread(W) for {units} identical units of {fan_in} weights")
    W = rng.normal(size=(fan_in, units))
    check_spread(student, oracle, W, f"hidden_unit_spread(W), W of shape {W.shape}")
