"""Lab 01: a single neuron (lecture topics 1-6): the visible checks.

The neuron o = phi(w^T x) with the bias as the extra input x_0 = 1; the
McCulloch-Pitts perceptron, its sign activation (f(0) = +1) and its learning
rule; the linear neuron solved in closed form (least squares and ridge); the
logistic neuron's cross-entropy and its gradient; gradient descent on a
linear neuron; standard and min-max normalization.

Conventions graded here, those of the answer key: ``X`` holds the raw
inputs, shape ``(m, n)``, one example per row and no column of ones; a weight
vector has ``n + 1`` entries, ``w[0]`` the bias. Losses average over the m
examples. Normalization statistics come from the training set alone.

Values are compared with the answer key (the ``oracle``); the logistic gradient
also with central differences of the answer key's loss. The perceptron is graded
both on its exact weights (the rule, in the given order) and on what it must
achieve: separating data that no hyperplane through the origin separates, so
that a bias that never learns, or updates in the wrong direction, fail. The hidden
checks (instructor's side) add random shapes and the same checks on other inputs.

Feedback names the mistakes students commonly make (``mistakes``: a sentence and
the value that mistake gives on the same inputs, from the answer key).
"""

from __future__ import annotations

import numpy as np

from nnlabs.expect import (
    GRADIENT_TOL,
    expect,
    expect_close,
    expect_finite,
    expect_gradient,
    expect_tuple,
    expect_unchanged,
)
from nnlabs.plain import NotDefined
from nnlabs.registry import Question
from nnlabs.student import run_probe

# The perceptron's visible example, small enough to follow by hand: integers, so every inner
# potential is exact; no line through the origin separates (1, 1) from (3, 3); the first
# example is of class +1, where the convention f(0) = +1 decides the first step from w = 0.
PERCEPTRON_X = np.array([[3.0, 3.0], [1.0, 1.0], [0.0, 3.0], [4.0, 2.0],
                         [2.0, 1.0], [1.0, 5.0], [4.0, 0.0], [5.0, 1.0]])
PERCEPTRON_Y = np.array([1.0, -1.0, -1.0, 1.0, -1.0, 1.0, -1.0, 1.0])
PERCEPTRON_EPOCHS = 200


# --------------------------------------------------------------------------- helpers


def as_vector(got: object, what: str) -> np.ndarray:
    """A list or array of numbers as a float64 array (the loss history)."""
    try:
        values = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        values = None
    expect(values is not None and values.ndim == 1,
           f"{what} should be a list (or 1-D array) of numbers; got a {type(got).__name__}.")
    return values


def expect_weights(got: object, n: int, what: str) -> None:
    """Weights of ``n`` entries instead of ``n + 1``: the bias is missing; say so."""
    try:
        shape = np.shape(got)
    except ValueError:  # a ragged list: the comparison that follows says what came back
        return
    expect(shape != (n,), f"{what}: the weights have {n} entries, one per feature, so the bias "
           "is missing. Prepend the column x_0 = 1 to X (add_bias) so that w has n + 1 = "
           f"{n + 1} entries, w[0] the bias.", "bias-missing")


def with_ones(X: np.ndarray) -> np.ndarray:
    """The lectures' X: a column of ones, then the raw inputs."""
    return np.column_stack([np.ones(len(X)), X])


def linear(X: np.ndarray, w: np.ndarray) -> np.ndarray:
    """w_0 + w_1 x_1 + ... + w_n x_n for every row, one elementwise operation at a time.

    Inputs of visible checks must come out bit for bit the same on every machine (the recorded
    oracle answers are keyed by them), which a matrix product, left to BLAS, does not promise.
    """
    s = np.full(len(X), w[0])
    for j in range(X.shape[1]):
        s = s + w[j + 1] * X[:, j]
    return s


def step(s: np.ndarray) -> np.ndarray:
    """The perceptron's f(s): -1 for s < 0, +1 otherwise."""
    return np.where(np.asarray(s) < 0, -1.0, 1.0)


def regression_data(rng: np.random.Generator, m: int, n: int, noise: float = 0.1
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Well-conditioned inputs (m, n) and targets (m,) of a linear model with a bias."""
    X = rng.normal(0.0, 1.0, size=(m, n)) + rng.uniform(-2.0, 2.0, size=n)
    w_true = rng.normal(0.0, 2.0, size=n + 1)
    return X, linear(X, w_true) + noise * rng.normal(size=m)


def classification_data(rng: np.random.Generator, m: int, n: int
                        ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Inputs (m, n), weights (n + 1,) and targets in {0., 1.}, both classes present."""
    X = rng.normal(size=(m, n))
    w = rng.normal(size=n + 1)
    y = rng.integers(0, 2, size=m).astype(np.float64)
    y[:2] = 0.0, 1.0
    return X, w, y


def separable_data(rng: np.random.Generator, m: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """``m`` points in n dimensions labelled -1/+1 by a hyperplane 2 to 4 away from the origin.

    No point lies within 0.5 of the hyperplane; the points p and 3p, on one ray from the
    origin, have opposite labels, so no hyperplane through the origin separates the data
    (a bias must be learned); the first example is of class +1.
    """
    d = rng.normal(size=n)
    d /= np.linalg.norm(d)
    offset = rng.uniform(2.0, 4.0)
    rows = []
    while len(rows) < m - 2:
        x = offset * d + rng.uniform(-3.0, 3.0, size=n)
        if abs(x @ d - offset) >= 0.5:
            rows.append(x)
    p = 0.3 * rng.normal(size=n)
    p += (0.5 * offset - p @ d) * d  # p . d = offset / 2: p on one side, 3p on the other
    X = np.array([*rows, p, 3.0 * p])[rng.permutation(m)]
    y = np.where(X @ d < offset, -1.0, 1.0)
    first = int(np.flatnonzero(y > 0)[0])
    X[[0, first]], y[[0, first]] = X[[first, 0]], y[[first, 0]]
    return X, y


# --------------------------------------------------------------------------- the neuron

neuron = Question("lab01.neuron_output", functions=("add_bias", "neuron_output"), points=3)


def probe_neuron_output(namespace, w, X, activation):
    """The student's neuron_output(w, X, phi), phi a numpy function chosen by name."""
    phi = {"identity": lambda s: s, "sigmoid": lambda s: 0.5 * (1.0 + np.tanh(0.5 * s)),
           "tanh": np.tanh}[activation]
    function = namespace.get("neuron_output")
    if not callable(function):
        raise NotDefined("neuron_output")
    return function(w, X, phi)


def check_add_bias(student, oracle, X, what):
    m, n = X.shape
    got = student.add_bias(X)
    expect(np.shape(got) != (m + 1, n), f"{what} added a row of ones: x_0 = 1 is an extra "
           "input of every example, a column: stack along axis=1.")
    expect_close(got, oracle.add_bias(X), what, mistakes=oracle.add_bias_mistakes(X))


def check_neuron_output(student, oracle, w, X, activation, what):
    got = run_probe(student, probe_neuron_output, "neuron_output", w, X, activation)
    expect_close(got, oracle.neuron_output_with(w, X, activation), what,
                 mistakes=oracle.neuron_output_mistakes(w, X, activation))


@neuron.check(points=1)
def test_add_bias_prepends_a_column_of_ones(student, oracle, rng):
    check_add_bias(student, oracle, rng.normal(size=(4, 3)), "add_bias(X), X of shape (4, 3)")


@neuron.check(points=1)
def test_neuron_output_applies_phi_to_the_inner_potential_with_bias(student, oracle, rng):
    X, w = rng.normal(size=(5, 3)), rng.normal(size=4)
    check_neuron_output(student, oracle, w, X, "sigmoid",
                        "neuron_output(w, X, sigmoid), X of shape (5, 3)")


# --------------------------------------------------------------------------- the perceptron

perceptron = Question("lab01.perceptron_predict", functions=("sign", "perceptron_predict"),
                      points=4)


def check_sign(student, oracle, s, what):
    expect_close(student.sign(s), oracle.sign(s), what, mistakes=oracle.sign_mistakes(s))


def check_perceptron_predict(student, oracle, w, X, what):
    expect_close(student.perceptron_predict(w, X), oracle.perceptron_predict(w, X), what,
                 mistakes=oracle.perceptron_predict_mistakes(w, X))


def boundary_example(rng: np.random.Generator, m: int, n: int):
    """Integer weights and inputs, so inner potentials are exact; example 0 lies on the
    decision boundary (s = 0) and so, by chance, may others."""
    w = rng.integers(-3, 4, size=n + 1).astype(np.float64)
    w[1] = rng.choice([-1.0, 1.0])
    X = rng.integers(-4, 5, size=(m, n)).astype(np.float64)
    X[0, 0] = -(w[0] + X[0, 1:] @ w[2:]) / w[1]
    return w, X


@perceptron.check(points=1)
def test_sign_is_minus_one_below_zero_and_plus_one_from_zero_on(student, oracle, rng):
    s = rng.normal(size=7)
    s[[1, 4]] = 0.0
    check_sign(student, oracle, s, "sign(s) for s = " + np.array2string(s, precision=2))


@perceptron.check(points=1)
def test_perceptron_predict_on_a_small_example_with_a_point_on_the_boundary(student, oracle,
                                                                             rng):
    w, X = boundary_example(rng, 5, 2)
    check_perceptron_predict(student, oracle, w, X,
                             f"perceptron_predict(w, X) for w = {w}, X of shape (5, 2)")


# --------------------------------------------------------------------------- perceptron rule

perceptron_rule = Question("lab01.perceptron_train", functions=("perceptron_train",), points=5)


def perceptron_args(X, y, lr, epochs, w0) -> tuple:
    return (X, y, lr, epochs) if w0 is None else (X, y, lr, epochs, w0)


def check_perceptron_weights(student, oracle, X, y, lr, w0, what):
    args = perceptron_args(X, y, lr, PERCEPTRON_EPOCHS, w0)
    got = student.perceptron_train(*args)
    expect_weights(got, X.shape[1], what)
    expect_close(got, oracle.perceptron_train(*args), what,
                 mistakes=oracle.perceptron_train_mistakes(X, y, lr, w0))


def check_separates(student, X, y, lr, what):
    got = student.perceptron_train(X, y, lr, PERCEPTRON_EPOCHS)
    expect_weights(got, X.shape[1], what)
    w = np.asarray(got, dtype=np.float64)
    expect(w.shape == (X.shape[1] + 1,), f"{what}: expected weights of shape "
           f"({X.shape[1] + 1},), got shape {w.shape}.")
    wrong = int(np.sum(step(with_ones(X) @ w) != y))
    expect(wrong == 0, f"{what}: {wrong} of the {len(y)} training examples are still "
           f"misclassified after {PERCEPTRON_EPOCHS} epochs, although a hyperplane separates "
           "them (the perceptron convergence theorem promises it finds one). No hyperplane "
           "through the origin does, so the bias w_0 must learn too; and each update must "
           "add lr y_i x_i (x_i with x_0 = 1).")


@perceptron_rule.check(points=1)
def test_perceptron_train_gives_the_rules_weights_on_a_small_example(student, oracle):
    check_perceptron_weights(student, oracle, PERCEPTRON_X, PERCEPTRON_Y, 1.0, None,
                             "perceptron_train(X, y, lr=1.0, epochs=200) on the 8 examples "
                             "of the notebook's table")


@perceptron_rule.check(points=1)
def test_perceptron_train_separates_data_that_need_a_bias(student, rng):
    X, y = separable_data(rng, 12, 2)
    check_separates(student, X, y, 0.5, "perceptron_train(X, y, lr=0.5, epochs=200), 12 "
                    "separable examples in 2-D")


@perceptron_rule.check(points=1)
def test_perceptron_train_gives_the_rules_weights_from_zero_and_from_a_random_start(
        student, oracle, rng):
    m, n = int(rng.integers(10, 21)), int(rng.integers(2, 5))
    X, y = separable_data(rng, m, n)
    lr = float(rng.uniform(0.2, 2.0))
    check_perceptron_weights(student, oracle, X, y, lr, None, f"perceptron_train(X, y, "
                             f"lr={lr:.3g}, epochs=200), X of shape {X.shape}")
    check_perceptron_weights(student, oracle, X, y, lr, rng.normal(size=n + 1),
                             f"perceptron_train(X, y, lr={lr:.3g}, epochs=200, w0), X of shape "
                             f"{X.shape}")


@perceptron_rule.check(points=1)
def test_perceptron_train_does_not_modify_its_inputs(student, oracle, rng):
    X, y = separable_data(rng, 10, 2)
    w0 = rng.normal(size=3)
    _, after = student.call_returning_args("perceptron_train", X, y, 1.0, PERCEPTRON_EPOCHS, w0)
    for name, before, now in (("X", X, after[0]), ("y", y, after[1]), ("w0", w0, after[4])):
        expect_unchanged(before, now, f"perceptron_train(X, y, lr, epochs, w0), argument {name} "
                         "(start from a copy, w = w0.copy(), and update with w = w + ...)")
    check_perceptron_weights(student, oracle, X, y, 1.0, w0,
                             "perceptron_train(X, y, lr=1, epochs=200, w0), X of shape (10, 2)")


# --------------------------------------------------------------------------- least squares

least_squares = Question("lab01.linear_regression", functions=("linear_regression",), points=3)


def check_linear_regression(student, oracle, X, y, what, expected=None):
    got = student.linear_regression(X, y)
    expect_weights(got, X.shape[1], what)
    w = oracle.linear_regression(X, y) if expected is None else expected
    expect_close(got, w, what, mistakes={
        "the bias is the last entry: w[0] is the bias, the weight of the first column, "
        "x_0 = 1.": np.roll(w, -1)})


@least_squares.check(points=1)
def test_linear_regression_solves_the_normal_equation_on_a_small_example(student, oracle, rng):
    X, y = regression_data(rng, 8, 2)
    check_linear_regression(student, oracle, X, y, "linear_regression(X, y), X of shape (8, 2)")


# --------------------------------------------------------------------------- ridge

ridge = Question("lab01.ridge_regression", functions=("ridge_regression",), points=3)


def check_ridge(student, oracle, X, y, lam, what):
    got = student.ridge_regression(X, y, lam)
    expect_weights(got, X.shape[1], what)
    expect_close(got, oracle.ridge_regression(X, y, lam), what,
                 mistakes=oracle.ridge_regression_mistakes(X, y, lam))


@ridge.check(points=1)
def test_ridge_regression_on_a_small_example(student, oracle, rng):
    X, y = regression_data(rng, 8, 2)
    check_ridge(student, oracle, X, y, 0.5, "ridge_regression(X, y, lam=0.5), X of shape (8, 2)")


# --------------------------------------------------------------------------- logistic

logistic = Question("lab01.logistic_loss_and_grad", functions=("logistic_loss_and_grad",),
                    points=3)

STABLE_LOSS = ("some term overflows or takes a log of 0 there: e^s is inf for large s, so "
               "log(1 + e^s) is too, and log(sigma(s)) is log(0) = -inf once sigma(s) rounds to "
               "0 (and log(1 - sigma(s)) once it rounds to 1). Write each term with s = <w, x>: "
               "-[y log sigma(s) + (1 - y) log(1 - sigma(s))] = log(1 + e^s) - y s, and "
               "log(1 + e^s) = np.logaddexp(0, s).")


def check_logistic(student, oracle, w, X, y, what, numerical=True):
    m = X.shape[0]
    loss, grad = expect_tuple(student.logistic_loss_and_grad(w, X, y), 2, what, "loss, grad")
    expect_finite(loss, f"the loss of {what}", STABLE_LOSS)
    expected_loss, expected_grad = oracle.logistic_loss_and_grad(w, X, y)
    expect_close(loss, expected_loss, f"the loss of {what}", batch_size=m, mistakes={
        "it is the sum over the examples: the loss is averaged, -(1/m) sum_i [...]":
        expected_loss * m})
    expect_weights(grad, X.shape[1], f"the gradient of {what}")
    mistakes = oracle.logistic_gradient_mistakes(w, X, y)
    if numerical:
        differences = oracle.central_differences("logistic_loss_and_grad", [w, X, y],
                                                 output=0)
        expect_gradient(grad, differences, f"the gradient of {what}", tol=GRADIENT_TOL,
                        batch_size=m, mistakes=mistakes)
    else:
        expect_close(grad, expected_grad, f"the gradient of {what}", batch_size=m,
                     mistakes=mistakes)


@logistic.check(points=1)
def test_logistic_loss_and_gradient_on_a_small_example(student, oracle, rng):
    X, w, y = classification_data(rng, 6, 2)
    check_logistic(student, oracle, w, X, y, "logistic_loss_and_grad(w, X, y), X of shape (6, 2)")


@logistic.check(points=1)
def test_logistic_loss_stays_finite_for_large_scores(student, oracle, rng):
    m, n = int(rng.integers(4, 12)), int(rng.integers(1, 4))
    X, w, y = classification_data(rng, m, n)
    w = w * 400.0 / np.abs(w).max()  # |s| in the hundreds: sigma(s) rounds to 0 or 1
    check_logistic(student, oracle, w, X, y, "logistic_loss_and_grad(w, X, y) with scores "
                   "|s| in the hundreds", numerical=False)


# --------------------------------------------------------------------------- gradient descent

descent = Question("lab01.gradient_descent_neuron", functions=("gradient_descent_neuron",),
                   points=4)


def check_descent(student, oracle, X, y, lr, epochs, w0, what):
    m = X.shape[0]
    args = (X, y, lr, epochs) if w0 is None else (X, y, lr, epochs, w0)
    w, losses = expect_tuple(student.gradient_descent_neuron(*args), 2, what, "w, losses")
    expect_weights(w, X.shape[1], f"w of {what}")
    expected_w, expected_losses = oracle.gradient_descent_neuron(*args)

    def at(rate):
        return oracle.gradient_descent_neuron(X, y, rate, epochs, w0)[0]

    expect_close(w, expected_w, f"w of {what}", mistakes={
        "it is where gradient descent with half the step size goes: the gradient of "
        "(1/m) sum_i (y_i - <w, x_i>)^2 is (2/m) X^T (Xw - y). Is the 2 missing?": at(lr / 2),
        "it is where gradient descent with m times the step size goes: the loss averages over "
        "the m examples, so its gradient is (2/m) X^T (Xw - y), with the 1/m.": at(lr * m),
        "it climbs the loss: with the gradient (2/m) X^T (Xw - y) (prediction minus target), "
        "the step is w - lr * gradient. A sign is flipped.": at(-lr)})
    losses = as_vector(losses, f"the losses of {what}")
    expect(losses.shape == (epochs + 1,), f"the losses of {what}: expected {epochs + 1} values "
           f"for {epochs} epochs, got {losses.size}: the list starts with the loss of the "
           "initial weights, L(w_0), then holds the loss after each step.",
           "losses-without-the-initial-weights")
    expect_close(losses, expected_losses, f"the losses of {what}", batch_size=m, mistakes={
        "it is the sum of squares: the loss is the mean, (1/m) sum_i (y_i - <w, x_i>)^2.":
        np.asarray(expected_losses) * m})


@descent.check(points=1)
def test_gradient_descent_neuron_on_a_small_example(student, oracle, rng):
    X, y = regression_data(rng, 6, 2)
    check_descent(student, oracle, X, y, 0.05, 5, None, "gradient_descent_neuron(X, y, "
                  "lr=0.05, epochs=5), X of shape (6, 2)")


@descent.check(points=1)
def test_gradient_descent_neuron_does_not_modify_w0(student, oracle, rng):
    X, y = regression_data(rng, 8, 2)
    w0 = rng.normal(size=3)
    _, after = student.call_returning_args("gradient_descent_neuron", X, y, 0.05, 3, w0)
    expect_unchanged(X, after[0], "gradient_descent_neuron(X, y, lr, epochs, w0), argument X")
    expect_unchanged(w0, after[4], "gradient_descent_neuron(X, y, lr, epochs, w0), argument "
                     "w0 (start from a copy: w = w0.copy(), or w = w - lr * grad, not w -= ...)")
    check_descent(student, oracle, X, y, 0.05, 3, w0,
                  "gradient_descent_neuron(X, y, lr=0.05, epochs=3, w0), X of shape (8, 2)")


# --------------------------------------------------------------------------- normalization

standardization = Question("lab01.standardize", functions=("standardize",), points=4)
min_max = Question("lab01.min_max_scale", functions=("min_max_scale",), points=3)

CONSTANT_FEATURE = {
    "standardize": "a feature that is constant on the training set has sigma^j = 0, and "
                   "0 / 0 = nan: divide it by 1 instead, so that it becomes 0 "
                   "(np.where(sigma > 0, sigma, 1)).",
    "min_max_scale": "a feature that is constant on the training set has max - min = 0, and "
                     "0 / 0 = nan: divide it by 1 instead, so that it becomes 0 "
                     "(np.where(spread > 0, spread, 1)).",
}


def scaling_data(rng: np.random.Generator, m: int, k: int, m_test: int):
    """Training and test inputs, features on scales from 0.01 to 100, the test set shifted."""
    scale = rng.choice([0.01, 0.1, 1.0, 10.0, 100.0], size=k)
    shift = rng.uniform(-50, 50, size=k) * scale
    X_train = rng.normal(size=(m, k)) * scale + shift
    X_test = rng.normal(size=(m_test, k)) * scale + shift + 0.5 * scale
    return X_train, X_test


def scaling_shape(rng: np.random.Generator) -> tuple[int, int, int]:
    """(m, k, m_test): m training examples != k features, so that axes cannot be confused."""
    m, k = int(rng.integers(5, 15)), int(rng.integers(2, 6))
    return m, k, int(rng.integers(3, 8))


def check_scaling(student, oracle, function, X_train, X_test, what, mistakes=None):
    result = getattr(student, function)(X_train, X_test)
    Z_train, Z_test = expect_tuple(result, 2, what, "Z_train, Z_test")
    expected_train, expected_test = getattr(oracle, function)(X_train, X_test)
    train_mistakes, test_mistakes = mistakes or ({}, {})
    expect_close(Z_train, expected_train, f"Z_train of {what}", mistakes=train_mistakes)
    expect_close(Z_test, expected_test, f"Z_test of {what}", mistakes=test_mistakes)


def check_constant_feature(student, oracle, function, rng, what):
    m, k, m_test = scaling_shape(rng)
    X_train, X_test = scaling_data(rng, m, k, m_test)
    j = int(rng.integers(k))
    # A multiple of 1/4: the mean of its copies is exact, so its sigma is exactly 0 (the mean
    # of copies of 0.1 need not be 0.1, and their sigma then is a tiny number, not 0).
    X_train[:, j] = int(rng.integers(-20, 21)) / 4
    X_test[:, j] = X_train[0, j] + float(rng.choice([-1.0, 1.0]) * rng.uniform(0.5, 2.0))
    # ... and its test value another: the guard's 1 shows (a spread of 1e-8 blows it up).
    Z_train, Z_test = expect_tuple(getattr(student, function)(X_train, X_test), 2, what,
                                   "Z_train, Z_test")
    expect_finite(Z_train, f"Z_train of {what}", CONSTANT_FEATURE[function])
    expect_finite(Z_test, f"Z_test of {what}", CONSTANT_FEATURE[function])
    expected_train, expected_test = getattr(oracle, function)(X_train, X_test)
    expect_close(Z_train, expected_train, f"Z_train of {what}")
    expect_close(Z_test, expected_test, f"Z_test of {what}")


@standardization.check(points=1)
def test_standardize_uses_the_training_statistics_on_a_small_example(student, oracle, rng):
    X_train, X_test = scaling_data(rng, 8, 3, 4)
    check_scaling(student, oracle, "standardize", X_train, X_test, "standardize(X_train, "
                  "X_test), shapes (8, 3) and (4, 3)",
                  oracle.standardize_mistakes(X_train, X_test))


@standardization.check(points=1)
def test_standardize_maps_a_constant_feature_to_zero(student, oracle, rng):
    check_constant_feature(student, oracle, "standardize", rng,
                           "standardize(X_train, X_test) with a constant feature")


@standardization.check(points=1)
def test_standardize_does_not_modify_its_inputs(student, oracle, rng):
    X_train, X_test = scaling_data(rng, *scaling_shape(rng))
    _, after = student.call_returning_args("standardize", X_train, X_test)
    for name, before, now in zip(("X_train", "X_test"), (X_train, X_test), after, strict=True):
        expect_unchanged(before, now, f"standardize(X_train, X_test), argument {name}")
    check_scaling(student, oracle, "standardize", X_train, X_test,
                  f"standardize(X_train, X_test), shapes {X_train.shape} and {X_test.shape}")


@min_max.check(points=1)
def test_min_max_scale_uses_the_training_range_on_a_small_example(student, oracle, rng):
    X_train, X_test = scaling_data(rng, 8, 3, 4)
    check_scaling(student, oracle, "min_max_scale", X_train, X_test, "min_max_scale(X_train, "
                  "X_test), shapes (8, 3) and (4, 3)", oracle.min_max_mistakes(X_train, X_test))


@min_max.check(points=1)
def test_min_max_scale_maps_a_constant_feature_to_zero(student, oracle, rng):
    check_constant_feature(student, oracle, "min_max_scale", rng,
                           "min_max_scale(X_train, X_test) with a constant feature")
