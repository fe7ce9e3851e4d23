"""Lab 05: weight initialization (lecture topics 15, 16, 18-20): the visible checks.

Every initializer has the signature ``init(fan_in, fan_out, rng, ...)`` and returns a
weight matrix of shape ``(fan_in, fan_out)`` drawn with the ``numpy.random.Generator`` it
is given. A generator cannot cross the grader's plain-data wire, so the checks send a
*seed* and the probe :func:`draw_weights` builds ``np.random.default_rng(seed)`` beside
the student's code. Random initializers are graded statistically on large draws: the
sample mean within four standard errors of 0, the sample variance within four standard
errors of the formula (the standard error of a sample variance is
``Var(w) sqrt((kurtosis - 1) / n)``), uniform bounds never exceeded, the shape not
transposed, and the same seed giving the same matrix (the draw uses ``rng``, not numpy's
global state). The variance and bound each initializer should have come from the answer key
(the ``oracle``).

The other questions measure what an initialization does to a deep network: the variance
formula ``Var(s) = n_in Var(w) Var(x)``, per-layer activation statistics and weight
gradient norms of a stack of tanh or ReLU layers, dead ReLU units and the symmetry of
hidden units. Their values are compared with the answer key (the ``oracle``). The hidden
checks (instructor's side) add random sizes and stacks, a simulation of ``Var(s)`` and
gradient norms from central differences of the answer key's forward pass.

Feedback names the wrong variants students commonly write: a sample variance that
matches a wrong formula (from the answer key) is told which one.
"""

from __future__ import annotations

import numpy as np

from nnlabs.expect import (
    CheckFailed,
    expect,
    expect_close,
    expect_dtype,
    expect_unchanged,
    named_mistake,
)
from nnlabs.plain import NotDefined
from nnlabs.registry import Question
from nnlabs.student import run_probe

# Kurtosis E[w^4] / Var(w)^2 of the two families: the spread of a sample variance.
NORMAL_KURTOSIS, UNIFORM_KURTOSIS = 3.0, 9.0 / 5.0
SIGMAS = 4.0

GLOBAL_STATE = ("two draws with the same seed differ: your function ignores the generator "
                "`rng` it receives (np.random.normal / np.random.uniform / np.random.randn use "
                "numpy's global state). Draw with rng.normal(...) or rng.uniform(...).")


# --------------------------------------------------------------------------- helpers


def draw_weights(namespace, name, fan_in, fan_out, seed, kwargs):
    """Probe: the student's initializer ``name`` called with a generator made from ``seed``."""
    function = namespace.get(name)
    if not callable(function):
        raise NotDefined(name)
    return function(fan_in, fan_out, np.random.default_rng(seed), **kwargs)


def draw(student, name: str, fan_in: int, fan_out: int, seed: int, **kwargs) -> object:
    """``name(fan_in, fan_out, np.random.default_rng(seed), **kwargs)`` run beside the
    student's code; errors name the student's function, not the probe."""
    return run_probe(student, draw_weights, name, name, fan_in, fan_out, seed, kwargs)


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
                          f"got shape {W.shape}{hint}",
                          "transposed" if W.shape == (fan_out, fan_in) else "wrong-shape")
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
    # The standard error of the mean from the sample's own spread: a zero-mean draw of the
    # wrong variance is told about its variance, not that it is off centre.
    mean_error = np.sqrt(float(np.var(W)) / n)
    expect(abs(mean) <= SIGMAS * mean_error,
           f"{what}: the sample mean of {n} weights is {mean:.3g}; a zero-mean distribution "
           f"gives |mean| < {SIGMAS * mean_error:.2g}. Is the distribution centred on 0 "
           "(U(-a, a), not U(0, a); N(0, sigma^2))?", "not-zero-centred")
    sample = float(np.var(W))
    relative = np.sqrt((kurtosis - 1.0) / n)
    if abs(sample - variance) > SIGMAS * relative * variance:
        difference = CheckFailed(f"{what}: the sample variance of {n} weights is {sample:.4g}; "
                                 f"the formula gives Var(w) = {variance:.4g} (a correct draw "
                                 f"is within {100 * SIGMAS * relative:.1f}% of it).")
        for sentence, wrong in (mistakes or {}).items():
            if abs(sample - wrong) <= SIGMAS * relative * wrong:
                raise named_mistake(what, sentence, f"the sample variance is {sample:.4g}, "
                                                    f"expected {variance:.4g}: ", difference)
        raise difference
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
           f"{what}: {GLOBAL_STATE}", "ignores-the-generator")
    other = draw(student, name, fan_in, fan_out, seed + 1, **kwargs)
    expect(isinstance(other, np.ndarray) and not np.array_equal(first, other),
           f"{what}: two different seeds give the same matrix: draw the weights with the "
           "generator `rng`.")


# --------------------------------------------------------------------------- zeros, constant

constant_init = Question("lab05.constant_init", functions=("zeros", "constant"), points=3)


def check_constant_init(student, oracle, fan_in, fan_out, value):
    what = f"zeros({fan_in}, {fan_out})"
    W = expect_weights(student.zeros(fan_in, fan_out), fan_in, fan_out, what)
    expect_close(W, oracle.zeros(fan_in, fan_out), what)
    what = f"constant({fan_in}, {fan_out}, value={value})"
    W = expect_weights(student.constant(fan_in, fan_out, value=value), fan_in, fan_out, what)
    expect_close(W, oracle.constant(fan_in, fan_out, value=value), what,
                 mistakes=oracle.constant_mistakes(fan_in, fan_out))


@constant_init.check(points=1)
def test_zeros_and_constant_on_a_small_example(student, oracle):
    check_constant_init(student, oracle, 3, 2, 0.5)


@constant_init.check(points=1)
def test_constant_with_an_integer_value_gives_float_weights(student, oracle, rng):
    value = int(rng.integers(1, 5))
    what = f"constant(3, 4, value={value})"
    W = student.constant(3, 4, value=value)
    expect_dtype(W, np.float64, f"{what}: weights are floats, whatever the type of value "
                 "(np.full(shape, value) keeps an int's dtype; float(value) does not)")
    expect_close(W, oracle.constant(3, 4, value=value), what)


# --------------------------------------------------------------------------- normal

normal = Question("lab05.normal", functions=("normal",), points=3)


def check_normal(student, oracle, fan_in, fan_out, std, seed):
    what = f"normal({fan_in}, {fan_out}, rng, std={std})"
    W = expect_weights(draw(student, "normal", fan_in, fan_out, seed, std=std),
                       fan_in, fan_out, what)
    expect_distribution(W, oracle.normal_variance(std), NORMAL_KURTOSIS, what,
                        mistakes=oracle.normal_mistakes(std))


@normal.check(points=1)
def test_normal_draws_the_stated_variance(student, oracle, rng):
    check_normal(student, oracle, 300, 200, 0.5, seed_from(rng))


@normal.check(points=1)
def test_normal_uses_the_generator_it_is_given(student, rng):
    fan_in, fan_out = unequal_fans(rng)
    expect_reproducible(student, "normal", fan_in, fan_out, seed_from(rng),
                        f"normal({fan_in}, {fan_out}, rng, std=0.1)", std=0.1)


# --------------------------------------------------------------------------- uniform 1/sqrt(fan_in)

uniform_fan_in = Question("lab05.uniform_fan_in", functions=("uniform_fan_in",), points=2)


def check_uniform_fan_in(student, oracle, fan_in, fan_out, seed):
    what = f"uniform_fan_in({fan_in}, {fan_out}, rng)"
    W = expect_weights(draw(student, "uniform_fan_in", fan_in, fan_out, seed),
                       fan_in, fan_out, what)
    variance, bound = oracle.uniform_fan_in_distribution(fan_in)
    expect_distribution(W, variance, UNIFORM_KURTOSIS, what, bound=bound,
                        mistakes=oracle.uniform_fan_in_mistakes(fan_in, fan_out))


@uniform_fan_in.check(points=1)
def test_uniform_fan_in_variance_bounds_and_shape(student, oracle, rng):
    check_uniform_fan_in(student, oracle, 300, 200, seed_from(rng))


# ----------------------------------------------------------------------- Var(s) = n Var(w) Var(x)

predicted_variance = Question("lab05.predicted_variance", functions=("predicted_variance",),
                              points=2)


def check_predicted_variance(student, oracle, fan_in, var_w, var_x, simulated=None):
    what = f"predicted_variance({fan_in}, {var_w:.4g}, {var_x:.4g})"
    got = student.predicted_variance(fan_in, var_w, var_x)
    expected = oracle.predicted_variance(fan_in, var_w, var_x)
    try:
        expect_close(got, expected, what,
                     mistakes=oracle.predicted_variance_mistakes(fan_in, var_w, var_x))
    except CheckFailed as failure:
        if simulated is None:
            raise
        raise failure.extended(f"A simulation of s = X W with these variances gives "
                               f"Var(s) = {simulated:.4g}.") from None


@predicted_variance.check(points=1)
def test_predicted_variance_on_a_small_example(student, oracle):
    check_predicted_variance(student, oracle, 250, 0.004, 2.0)


# --------------------------------------------------------------------------- Xavier / Glorot

xavier = Question("lab05.xavier", functions=("xavier_uniform", "xavier_normal"), points=3)


def check_initializer(student, oracle, name: str, fan_in: int, fan_out: int, seed: int) -> None:
    """The student's ``name``, one of ``xavier_uniform``, ``xavier_normal``, ``he_uniform``
    and ``he_normal``: its draw has the scheme's variance (Xavier from both fans, He from
    fan_in), the family's spread, and for U(-a, a) no weight beyond a."""
    scheme, family = name.split("_")
    what = f"{name}({fan_in}, {fan_out}, rng)"
    W = expect_weights(draw(student, name, fan_in, fan_out, seed), fan_in, fan_out, what)
    fans = (fan_in, fan_out) if scheme == "xavier" else (fan_in,)
    variance, bound = getattr(oracle, f"{scheme}_distribution")(*fans)
    uniform = family == "uniform"
    expect_distribution(W, variance, UNIFORM_KURTOSIS if uniform else NORMAL_KURTOSIS, what,
                        bound=bound if uniform else None,
                        mistakes=getattr(oracle, f"{scheme}_mistakes")(fan_in, fan_out))


@xavier.check(points=1)
def test_xavier_uniform_variance_bounds_and_shape(student, oracle, rng):
    check_initializer(student, oracle, "xavier_uniform", 300, 200, seed_from(rng))


@xavier.check(points=1)
def test_xavier_normal_variance_and_shape(student, oracle, rng):
    check_initializer(student, oracle, "xavier_normal", 300, 200, seed_from(rng))


# --------------------------------------------------------------------------- He

he = Question("lab05.he", functions=("he_uniform", "he_normal"), points=4)


@he.check(points=1)
def test_he_uniform_variance_bounds_and_shape(student, oracle, rng):
    check_initializer(student, oracle, "he_uniform", 300, 200, seed_from(rng))


@he.check(points=1)
def test_he_normal_variance_and_shape(student, oracle, rng):
    check_initializer(student, oracle, "he_normal", 300, 200, seed_from(rng))


@he.check(points=1)
def test_he_initializers_use_the_generator_they_are_given(student, rng):
    fan_in, fan_out = unequal_fans(rng)
    for name in ("he_uniform", "he_normal"):
        expect_reproducible(student, name, fan_in, fan_out, seed_from(rng),
                            f"{name}({fan_in}, {fan_out}, rng)")


# --------------------------------------------------------------------------- per-layer stds

activation_stds = Question("lab05.activation_stds", functions=("activation_stds",), points=3)


def stack(rng: np.random.Generator, depth: int, widths: list[int], std_of) -> list[np.ndarray]:
    """Weights of a stack of ``depth`` layers: ``widths[l] -> widths[l + 1]``, N(0, std^2)
    with ``std = std_of(fan_in, fan_out)``."""
    return [rng.normal(0.0, std_of(widths[i], widths[i + 1]), size=(widths[i], widths[i + 1]))
            for i in range(depth)]


def check_activation_stds(student, oracle, X, weights, activation, what):
    got = student.activation_stds(X, weights, activation)
    expect(not (isinstance(got, np.ndarray) and got.shape == (len(weights) + 1,)),
           f"{what}: expected {len(weights)} values, one per layer a^1 ... a^L; got "
           f"{len(weights) + 1}: leave out the input a^0 = X.", "includes-the-input-layer")
    expect_close(got, oracle.activation_stds(X, weights, activation), what, rtol=1e-6,
                 atol=1e-12, mistakes=oracle.activation_stds_mistakes(X, weights, activation))


@activation_stds.check(points=1)
def test_activation_stds_on_a_small_tanh_stack(student, oracle, rng):
    X = rng.standard_normal((40, 30))
    weights = stack(rng, 4, [30] * 5, lambda fi, fo: 0.3)
    check_activation_stds(student, oracle, X, weights, "tanh",
                          "activation_stds(X, weights, 'tanh'), 4 layers of 30 units")


@activation_stds.check(points=1)
def test_activation_stds_of_relu_stacks_with_xavier_and_he(student, oracle, rng):
    depth = int(rng.integers(4, 8))
    widths = [int(n) for n in rng.integers(20, 60, size=depth + 1)]
    X = rng.standard_normal((int(rng.integers(30, 80)), widths[0]))
    schemes = {"Xavier": oracle.xavier_std, "He": oracle.he_std}
    for scheme, std_of in schemes.items():
        weights = stack(rng, depth, widths, std_of)
        check_activation_stds(student, oracle, X, weights, "relu",
                              f"activation_stds(X, weights, 'relu'), {scheme} weights, "
                              f"{depth} layers")


# --------------------------------------------------------------------------- gradient norms

gradient_norms = Question("lab05.weight_gradient_norms", functions=("weight_gradient_norms",),
                          points=3)


DIVIDED_BY_N = ("it is 1/N of the expected norms: L = sum(dout * a^L) has no average over the "
                "batch (dout already carries whatever 1/m the loss has); do not divide by N.")


def check_gradient_norms(student, oracle, X, weights, dout, activation, what, expected=None):
    got = student.weight_gradient_norms(X, weights, dout, activation)
    if expected is None:
        expected = oracle.weight_gradient_norms(X, weights, dout, activation)
    mistakes = {**oracle.gradient_norms_mistakes(X, weights, dout, activation),
                DIVIDED_BY_N: np.asarray(expected) / X.shape[0]}
    expect_close(got, expected, what, rtol=1e-6, atol=1e-12, mistakes=mistakes)


@gradient_norms.check(points=1)
def test_weight_gradient_norms_on_a_small_tanh_stack(student, oracle, rng):
    X = rng.standard_normal((20, 10))
    weights = stack(rng, 3, [10, 12, 12, 4], lambda fi, fo: np.sqrt(1.0 / fi))
    dout = rng.standard_normal((20, 4))
    check_gradient_norms(student, oracle, X, weights, dout, "tanh",
                         "weight_gradient_norms(X, weights, dout, 'tanh'), 3 layers")


# --------------------------------------------------------------------------- dead ReLUs

dead_fraction = Question("lab05.dead_fraction", functions=("dead_fraction",), points=3)


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
                 mistakes=oracle.dead_fraction_mistakes(S))


@dead_fraction.check(points=1)
def test_dead_fraction_on_a_small_batch(student, oracle, rng):
    S = batch_with_dead_units(rng, 6, 8)
    check_dead_fraction(student, oracle, S, "dead_fraction(S), S of shape (6, 8)")


@dead_fraction.check(points=1)
def test_dead_fraction_does_not_modify_its_input(student, oracle, rng):
    S = batch_with_dead_units(rng, int(rng.integers(5, 20)), int(rng.integers(5, 20)))
    _, (after,) = student.call_returning_args("dead_fraction", S)
    expect_unchanged(S, after, "dead_fraction(S)")
    check_dead_fraction(student, oracle, S, f"dead_fraction(S), S of shape {S.shape}")


# --------------------------------------------------------------------------- symmetry

hidden_unit_spread = Question("lab05.hidden_unit_spread", functions=("hidden_unit_spread",),
                              points=2)


def check_spread(student, oracle, W, what):
    expect_close(student.hidden_unit_spread(W), oracle.hidden_unit_spread(W), what, atol=1e-12,
                 mistakes=oracle.spread_mistakes(W))


@hidden_unit_spread.check(points=1)
def test_hidden_unit_spread_on_a_small_example(student, oracle, rng):
    W = rng.normal(size=(3, 5))
    # The largest weight and the smallest in different rows and columns: the whole matrix's
    # range exceeds every row's and every column's by at least 1.
    W[0, 0] = np.abs(W).max() + 1.0
    W[1, 1] = -W[0, 0]
    check_spread(student, oracle, W, "hidden_unit_spread(W), W of shape (3, 5)")


@hidden_unit_spread.check(points=1)
def test_hidden_unit_spread_is_zero_for_symmetric_units(student, oracle, rng):
    fan_in, units = int(rng.integers(2, 8)), int(rng.integers(2, 8))
    column = rng.normal(size=(fan_in, 1))
    W = rng.normal(size=(fan_in, units))
    # Random units first: on identical ones two mistakes (the whole matrix's range, the
    # range across the rows) give the same number, so a name there would be a guess.
    check_spread(student, oracle, W, f"hidden_unit_spread(W), W of shape {W.shape}")
    check_spread(student, oracle, np.repeat(column, units, axis=1),
                 f"hidden_unit_spread(W) for {units} identical units of {fan_in} weights")
