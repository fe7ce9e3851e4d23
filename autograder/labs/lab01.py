"""Lab 01: a single neuron (lecture topics 1-6).

The neuron o = phi(w^T x) with the bias as the extra input x_0 = 1; the
McCulloch-Pitts perceptron, its sign activation (f(0) = +1) and its learning
rule; the linear neuron solved in closed form (least squares and ridge); the
logistic neuron's cross-entropy and its gradient; gradient descent on a
linear neuron; standard and min-max normalization.

Conventions graded here, those of :mod:`reference.neuron`: ``X`` holds the raw
inputs, shape ``(m, n)``, one example per row and no column of ones; a weight
vector has ``n + 1`` entries, ``w[0]`` the bias. Losses average over the m
examples. Normalization statistics come from the training set alone.

Values are compared with the reference (the ``oracle``); the logistic gradient
also with central differences of the reference loss. The perceptron is graded
both on its exact weights (the rule, in the given order) and on what it must
achieve: separating data that no hyperplane through the origin separates, so
that a bias that never learns, or updates in the wrong direction, fail. Feedback
names the mistakes students commonly make (``mistakes``: a sentence and the
value that mistake gives on the same inputs).
"""

from __future__ import annotations

import numpy as np

from autograder.expect import expect, expect_close, expect_gradient, expect_unchanged
from autograder.registry import Question
from autograder.student import StudentError
from reference.gradcheck import numerical_gradient

ORACLE_MODULES = ("reference.neuron", "reference.data", "reference.activations")

STEP = 1e-4
GRADIENT_TOL = 1e-5

# The perceptron's visible example, small enough to follow by hand: integers, so every inner
# potential is exact; no line through the origin separates (1, 1) from (3, 3); the first
# example is of class +1, where the convention f(0) = +1 decides the first step from w = 0.
PERCEPTRON_X = np.array([[3.0, 3.0], [1.0, 1.0], [0.0, 3.0], [4.0, 2.0],
                         [2.0, 1.0], [1.0, 5.0], [4.0, 0.0], [5.0, 1.0]])
PERCEPTRON_Y = np.array([1.0, -1.0, -1.0, 1.0, -1.0, 1.0, -1.0, 1.0])
PERCEPTRON_EPOCHS = 200


# --------------------------------------------------------------------------- helpers


def expect_tuple(result: object, size: int, what: str, names: str) -> tuple:
    """``result`` is a tuple (or list) of ``size`` items, as the docstring says."""
    kind = (f"a {type(result).__name__} of length {len(result)}"
            if isinstance(result, (tuple, list)) else f"a {type(result).__name__}")
    expect(isinstance(result, (tuple, list)) and len(result) == size,
           f"{what} should return {size} values ({names}); got {kind}.")
    return tuple(result)


def expect_finite(got: object, what: str, advice: str) -> None:
    """``got`` holds no nan or inf; otherwise fail with ``advice``."""
    try:
        values = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return  # not numbers: the comparison that follows says what came back
    expect(bool(np.isfinite(values).all()), f"{what} contains nan or inf: {advice}")


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
           f"{n + 1} entries, w[0] the bias.")


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


def sigmoid64(s: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(s, dtype=np.float64)))


def step(s: np.ndarray) -> np.ndarray:
    """The perceptron's f(s): -1 for s < 0, +1 otherwise."""
    return np.where(np.asarray(s) < 0, -1.0, 1.0)


def run_probe(student, probe, function: str, *args):
    """``student.run(probe, *args)``, with errors reported against the student's ``function``."""
    try:
        return student.run(probe, *args)
    except StudentError as error:
        raise StudentError(function, error.kind, error.message, error.traceback) from None


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


def perceptron64(X: np.ndarray, y: np.ndarray, lr: float, epochs: int, w0: np.ndarray | None,
                 *, direction: float = 1.0, bias: bool = True, zero_is_wrong: bool = False,
                 every_example: bool = False) -> np.ndarray:
    """The perceptron rule with one planted mistake, for the feedback (never the oracle)."""
    Xb = with_ones(X)
    w = np.zeros(Xb.shape[1]) if w0 is None else np.array(w0, dtype=np.float64)
    for _ in range(epochs):
        mistakes = 0
        for x_i, y_i in zip(Xb, y, strict=True):
            s = x_i @ w
            wrong = step(s) != y_i or (zero_is_wrong and s == 0)
            if wrong or every_example:
                update = direction * lr * y_i * x_i
                if not bias:
                    update[0] = 0.0
                w = w + update
                mistakes += bool(wrong)
        if mistakes == 0:
            break
    return w


# --------------------------------------------------------------------------- the neuron

neuron = Question("lab01.neuron_output", functions=("add_bias", "neuron_output"))

# The activations a check hands to neuron_output, by name (a probe cannot receive functions).
ACTIVATIONS = {"identity": lambda s: s, "sigmoid": sigmoid64, "tanh": np.tanh}


def probe_neuron_output(namespace, w, X, activation):
    """The student's neuron_output(w, X, phi), phi a numpy function chosen by name."""
    phi = {"identity": lambda s: s, "sigmoid": lambda s: 0.5 * (1.0 + np.tanh(0.5 * s)),
           "tanh": np.tanh}[activation]
    function = namespace.get("neuron_output")
    if not callable(function):
        raise NameError("the notebook defines no function 'neuron_output'")
    return function(w, X, phi)


def check_add_bias(student, oracle, X, what):
    m, n = X.shape
    got = student.add_bias(X)
    expect(np.shape(got) != (m + 1, n), f"{what} added a row of ones: x_0 = 1 is an extra "
           "input of every example, a column: stack along axis=1.")
    expect_close(got, oracle.add_bias(X), what, mistakes={
        "the ones are the last column: x_0 = 1 comes first, x' = (1, x_1, ..., x_n), so that "
        "w[0] is the bias.": np.column_stack([X, np.ones(m)])})


def check_neuron_output(student, oracle, w, X, activation, what):
    phi = ACTIVATIONS[activation]
    got = run_probe(student, probe_neuron_output, "neuron_output", w, X, activation)
    s = oracle.add_bias(X) @ w
    mistakes = {"it ignores the bias: s = <w', x'> = w_0 * 1 + w_1 x_1 + ... + w_n x_n, and "
                "w[0] = w_0 is the bias.": phi(X @ w[1:]),
                "it takes w[-1] as the bias: the bias is the first weight, w[0], the weight of "
                "x_0 = 1.": phi(X @ w[:-1] + w[-1])}
    if activation != "identity":
        mistakes["it is the inner potential s = <w', x'>: apply the activation, o = phi(s)."] = s
    expect_close(got, phi(s), what, mistakes=mistakes)


@neuron.check(points=1)
def test_add_bias_prepends_a_column_of_ones(student, oracle, rng):
    check_add_bias(student, oracle, rng.normal(size=(4, 3)), "add_bias(X), X of shape (4, 3)")


@neuron.check(points=1)
def test_neuron_output_applies_phi_to_the_inner_potential_with_bias(student, oracle, rng):
    X, w = rng.normal(size=(5, 3)), rng.normal(size=4)
    check_neuron_output(student, oracle, w, X, "sigmoid",
                        "neuron_output(w, X, sigmoid), X of shape (5, 3)")


@neuron.check(points=1, hidden=True)
def test_add_bias_and_neuron_output_match_on_random_inputs(student, oracle, rng):
    m, n = (int(k) for k in rng.integers(1, 7, size=2))
    X, w = rng.normal(0.0, 2.0, size=(m, n)), rng.normal(size=n + 1)
    check_add_bias(student, oracle, X, f"add_bias(X), X of shape {X.shape}")
    for activation in ACTIVATIONS:
        check_neuron_output(student, oracle, w, X, activation,
                            f"neuron_output(w, X, {activation}), X of shape {X.shape}")


# --------------------------------------------------------------------------- the perceptron

perceptron = Question("lab01.perceptron_predict", functions=("sign", "perceptron_predict"))


def sign_mistakes(s: np.ndarray) -> dict:
    return {"it is 0 at s = 0, as np.sign is: the perceptron's f(s) is -1 for s < 0 and +1 "
            "otherwise, so f(0) = +1.": np.sign(s),
            "it is -1 at s = 0: f(s) = -1 only for s < 0, so f(0) = +1.": np.where(s > 0, 1, -1),
            "its values are 0 and 1: the perceptron's outputs are -1 and +1.": (s >= 0) * 1.0}


def check_sign(student, oracle, s, what):
    expect_close(student.sign(s), oracle.sign(s), what, mistakes=sign_mistakes(s))


def check_perceptron_predict(student, oracle, w, X, what):
    s = with_ones(X) @ w
    mistakes = {"it ignores the bias: y_hat = f(<w', x'>) with x_0 = 1, so w[0] counts.":
                step(X @ w[1:])} | sign_mistakes(s)
    expect_close(student.perceptron_predict(w, X), oracle.perceptron_predict(w, X), what,
                 mistakes=mistakes)


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


@perceptron.check(points=1, hidden=True)
def test_sign_matches_on_random_inputs_with_zeros(student, oracle, rng):
    s = rng.normal(0.0, 3.0, size=(int(rng.integers(2, 5)), int(rng.integers(2, 5))))
    s[rng.random(s.shape) < 0.3] = 0.0
    s[0, 0] = 0.0
    check_sign(student, oracle, s, f"sign(s), s of shape {s.shape} with some zeros")


@perceptron.check(points=1, hidden=True)
def test_perceptron_predict_matches_on_random_inputs(student, oracle, rng):
    m, n = int(rng.integers(4, 10)), int(rng.integers(1, 5))
    w, X = boundary_example(rng, m, n)
    check_perceptron_predict(student, oracle, w, X, f"perceptron_predict(w, X), X of shape "
                             f"{X.shape}, some examples on the decision boundary")


# --------------------------------------------------------------------------- perceptron rule

perceptron_rule = Question("lab01.perceptron_train", functions=("perceptron_train",))


def perceptron_args(X, y, lr, epochs, w0) -> tuple:
    return (X, y, lr, epochs) if w0 is None else (X, y, lr, epochs, w0)


def check_perceptron_weights(student, oracle, X, y, lr, w0, what):
    args = perceptron_args(X, y, lr, PERCEPTRON_EPOCHS, w0)
    got = student.perceptron_train(*args)
    expect_weights(got, X.shape[1], what)
    variant = {"lr": lr, "epochs": PERCEPTRON_EPOCHS, "w0": w0}
    mistakes = {
        "it moves w away from a misclassified example, w - lr y_i x_i: the rule adds "
        "lr y_i x_i, which turns <w, x_i> towards the sign of y_i.":
        perceptron64(X, y, direction=-1.0, **variant),
        "the bias w_0 never changes: x_0 = 1 is part of every x_i, so each update adds "
        "lr y_i to w_0 as well.": perceptron64(X, y, bias=False, **variant),
        "it updates an example with s = 0 and y = +1 (np.sign(0) is 0): f(0) = +1, so that "
        "example is classified correctly and w must not change.":
        perceptron64(X, y, zero_is_wrong=True, **variant),
        "it updates w on every example: only a misclassified example, y_hat_i != y_i, "
        "changes w.": perceptron64(X, y, every_example=True, **variant)}
    if lr != 1.0:
        mistakes["it ignores lr: the update is w + lr y_i x_i."] = perceptron64(
            X, y, 1.0, PERCEPTRON_EPOCHS, w0)
    expect_close(got, oracle.perceptron_train(*args), what, mistakes=mistakes)


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


@perceptron_rule.check(points=1, hidden=True)
def test_perceptron_train_separates_random_data_that_need_a_bias(student, rng):
    m, n = int(rng.integers(10, 21)), int(rng.integers(2, 5))
    X, y = separable_data(rng, m, n)
    lr = float(rng.uniform(0.2, 2.0))
    check_separates(student, X, y, lr, f"perceptron_train(X, y, lr={lr:.3g}, epochs=200), "
                    f"X of shape {X.shape}")


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

least_squares = Question("lab01.linear_regression", functions=("linear_regression",))


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


@least_squares.check(points=1, hidden=True)
def test_linear_regression_matches_on_random_data(student, oracle, rng):
    m = int(rng.integers(8, 40))
    X, y = regression_data(rng, m, int(rng.integers(1, 6)))
    check_linear_regression(student, oracle, X, y, f"linear_regression(X, y), X of shape "
                            f"{X.shape}")


@least_squares.check(points=1, hidden=True)
def test_linear_regression_recovers_noise_free_weights_bias_first(student, rng):
    n = int(rng.integers(1, 5))
    X, _ = regression_data(rng, int(rng.integers(6, 20)), n)
    w_true = rng.normal(0.0, 2.0, size=n + 1)
    check_linear_regression(student, None, X, with_ones(X) @ w_true,
                            f"linear_regression(X, y) with y = X' w exactly, w = "
                            f"{np.array2string(w_true, precision=3)}", expected=w_true)


# --------------------------------------------------------------------------- ridge

ridge = Question("lab01.ridge_regression", functions=("ridge_regression",))


def check_ridge(student, oracle, X, y, lam, what):
    got = student.ridge_regression(X, y, lam)
    expect_weights(got, X.shape[1], what)
    Xb = with_ones(X)
    unpenalized_bias = np.eye(Xb.shape[1])
    unpenalized_bias[0, 0] = 0.0
    mistakes = {
        "it leaves the bias unpenalized: the lecture's formula adds lam I with the full "
        "(n + 1) x (n + 1) identity, so w_0 is penalized too.":
        np.linalg.solve(Xb.T @ Xb + lam * unpenalized_bias, Xb.T @ y)}
    with np.errstate(all="ignore"):
        everywhere = Xb.T @ Xb + lam
        if np.linalg.cond(everywhere) < 1e12:
            mistakes["it adds lam to every entry of X^T X (X.T @ X + lam broadcasts): add it "
                     "to the diagonal only, X^T X + lam I (np.eye)."] = np.linalg.solve(
                         everywhere, Xb.T @ y)
    expect_close(got, oracle.ridge_regression(X, y, lam), what, mistakes=mistakes)


@ridge.check(points=1)
def test_ridge_regression_on_a_small_example(student, oracle, rng):
    X, y = regression_data(rng, 8, 2)
    check_ridge(student, oracle, X, y, 0.5, "ridge_regression(X, y, lam=0.5), X of shape (8, 2)")


@ridge.check(points=1, hidden=True)
def test_ridge_regression_matches_on_random_data_and_lambdas(student, oracle, rng):
    X, y = regression_data(rng, int(rng.integers(8, 40)), int(rng.integers(1, 6)))
    lam = float(10 ** rng.uniform(-2, 1.5))
    check_ridge(student, oracle, X, y, lam, f"ridge_regression(X, y, lam={lam:.3g}), X of "
                f"shape {X.shape}")


@ridge.check(points=1, hidden=True)
def test_ridge_regression_solves_problems_with_more_weights_than_examples(student, oracle, rng):
    n = int(rng.integers(5, 9))
    X, y = regression_data(rng, int(rng.integers(2, n)), n)
    lam = float(rng.uniform(0.1, 2.0))
    check_ridge(student, oracle, X, y, lam, f"ridge_regression(X, y, lam={lam:.3g}), X of "
                f"shape {X.shape} (fewer examples than weights, so X^T X is singular)")


# --------------------------------------------------------------------------- logistic

logistic = Question("lab01.logistic_loss_and_grad", functions=("logistic_loss_and_grad",))

STABLE_LOSS = ("log(sigma(s)) is log(0) = -inf once sigma(s) rounds to 0 (and log(1 - sigma(s)) "
               "once it rounds to 1). Write each term with s = <w, x>: "
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
    Xb = with_ones(X)
    y_hat = sigmoid64(Xb @ w)
    mistakes = {"it is X^T (y - y_hat) / m, the gradient of the log-likelihood: the loss is the "
                "negative log-likelihood, its gradient X^T (y_hat - y) / m.":
                Xb.T @ (y - y_hat) / m,
                "it is X^T (y_hat - y) without the 1/m: the loss is an average, so is its "
                "gradient.": Xb.T @ (y_hat - y)}
    if numerical:
        reference = numerical_gradient(lambda v: oracle.logistic_loss_and_grad(v, X, y)[0], w,
                                       h=STEP)
        expect_gradient(grad, reference, f"the gradient of {what}", tol=GRADIENT_TOL,
                        batch_size=m, mistakes=mistakes)
    else:
        expect_close(grad, expected_grad, f"the gradient of {what}", batch_size=m,
                     mistakes=mistakes)


@logistic.check(points=1)
def test_logistic_loss_and_gradient_on_a_small_example(student, oracle, rng):
    X, w, y = classification_data(rng, 6, 2)
    check_logistic(student, oracle, w, X, y, "logistic_loss_and_grad(w, X, y), X of shape (6, 2)")


@logistic.check(points=1, hidden=True)
def test_logistic_loss_and_gradient_on_random_inputs(student, oracle, rng):
    m, n = int(rng.integers(3, 30)), int(rng.integers(1, 6))
    X, w, y = classification_data(rng, m, n)
    check_logistic(student, oracle, w, X, y, f"logistic_loss_and_grad(w, X, y), X of shape "
                   f"{X.shape}")


@logistic.check(points=1)
def test_logistic_loss_stays_finite_for_large_scores(student, oracle, rng):
    m, n = int(rng.integers(4, 12)), int(rng.integers(1, 4))
    X, w, y = classification_data(rng, m, n)
    w = w * 400.0 / np.abs(w).max()  # |s| in the hundreds: sigma(s) rounds to 0 or 1
    check_logistic(student, oracle, w, X, y, "logistic_loss_and_grad(w, X, y) with scores "
                   "|s| in the hundreds", numerical=False)


# --------------------------------------------------------------------------- gradient descent

descent = Question("lab01.gradient_descent_neuron", functions=("gradient_descent_neuron",))


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
           "initial weights, L(w_0), then holds the loss after each step.")
    expect_close(losses, expected_losses, f"the losses of {what}", batch_size=m, mistakes={
        "it is the sum of squares: the loss is the mean, (1/m) sum_i (y_i - <w, x_i>)^2.":
        np.asarray(expected_losses) * m})


@descent.check(points=1)
def test_gradient_descent_neuron_on_a_small_example(student, oracle, rng):
    X, y = regression_data(rng, 6, 2)
    check_descent(student, oracle, X, y, 0.05, 5, None, "gradient_descent_neuron(X, y, "
                  "lr=0.05, epochs=5), X of shape (6, 2)")


@descent.check(points=1, hidden=True)
def test_gradient_descent_neuron_matches_from_a_random_start(student, oracle, rng):
    m, n = int(rng.integers(5, 20)), int(rng.integers(1, 5))
    X, y = regression_data(rng, m, n)
    lr, epochs = float(rng.uniform(0.005, 0.05)), int(rng.integers(3, 20))
    check_descent(student, oracle, X, y, lr, epochs, rng.normal(size=n + 1),
                  f"gradient_descent_neuron(X, y, lr={lr:.3g}, epochs={epochs}, w0), X of "
                  f"shape {X.shape}")


@descent.check(points=1, hidden=True)
def test_gradient_descent_neuron_converges_to_the_least_squares_weights(student, oracle, rng):
    n = int(rng.integers(1, 4))
    X = rng.normal(size=(40, n))
    y = with_ones(X) @ rng.normal(size=n + 1) + 0.1 * rng.normal(size=40)
    what = "gradient_descent_neuron(X, y, lr=0.1, epochs=1000) on standardized inputs"
    w, _ = expect_tuple(student.gradient_descent_neuron(X, y, 0.1, 1000), 2, what, "w, losses")
    expect_weights(w, n, f"w of {what}")
    expect_finite(w, f"w of {what}", "gradient descent diverged, although lr = 0.1 is a safe "
                  "step for these inputs: does each step go against the gradient, "
                  "w - lr (2/m) X^T (Xw - y), averaged over the m examples?")
    expect_close(w, oracle.linear_regression(X, y), f"w of {what}: after 1000 steps it should "
                 "be the least-squares solution (X^T X)^{-1} X^T y", rtol=1e-6, atol=1e-6)


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

standardization = Question("lab01.standardize", functions=("standardize",))
min_max = Question("lab01.min_max_scale", functions=("min_max_scale",))

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


def standardize_mistakes(X_train, X_test) -> tuple[dict, dict]:
    """Named wrong values of (Z_train, Z_test)."""
    mu = X_train.mean(axis=0)

    def rows(X):
        return (X - X.mean(axis=1, keepdims=True)) / X.std(axis=1, keepdims=True)

    both = {"it uses the mean and std of the whole matrix (no axis): each feature j has its "
            "own mu^j and sigma^j, np.mean(X, axis=0).":
            lambda X: (X - X_train.mean()) / X_train.std(),
            "it divides by the sample std (ddof=1, 1/(n-1)): the lecture's sigma^j is the "
            "population std, sqrt((1/n) sum_i (x_i^j - mu^j)^2), np.std's default.":
            lambda X: (X - mu) / X_train.std(axis=0, ddof=1),
            "it standardizes each example (row, axis=1): the statistics are per feature, over "
            "the examples: axis=0.": rows}
    train = {k: f(X_train) for k, f in both.items()}
    test = {k: f(X_test) for k, f in both.items()}
    test["it standardizes the test set with its own statistics: the test data are transformed "
         "with the training mu and sigma, fitted on the training set alone."] = (
             (X_test - X_test.mean(axis=0)) / X_test.std(axis=0))
    return train, test


def min_max_mistakes(X_train, X_test) -> tuple[dict, dict]:
    low, high = X_train.min(axis=0), X_train.max(axis=0)
    both = {"it divides by the maximum: z = (x - min) / (max - min), the range of the feature.":
            lambda X: (X - low) / high,
            "it uses the minimum and maximum of the whole matrix (no axis): each feature j has "
            "its own, np.min(X, axis=0).":
            lambda X: (X - X_train.min()) / (X_train.max() - X_train.min())}
    train = {k: f(X_train) for k, f in both.items()}
    test = {k: f(X_test) for k, f in both.items()}
    test["it fits the test set on its own minimum and maximum: the test data are transformed "
         "with the training set's, and may leave [0, 1]."] = (
             (X_test - X_test.min(axis=0)) / (X_test.max(axis=0) - X_test.min(axis=0)))
    return train, test


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
    X_train[:, j] = X_test[:, j] = int(rng.integers(-20, 21)) / 4
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
                  "X_test), shapes (8, 3) and (4, 3)", standardize_mistakes(X_train, X_test))


@standardization.check(points=1, hidden=True)
def test_standardize_matches_on_random_data(student, oracle, rng):
    X_train, X_test = scaling_data(rng, *scaling_shape(rng))
    check_scaling(student, oracle, "standardize", X_train, X_test, f"standardize(X_train, "
                  f"X_test), shapes {X_train.shape} and {X_test.shape}",
                  standardize_mistakes(X_train, X_test))


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
                  "X_test), shapes (8, 3) and (4, 3)", min_max_mistakes(X_train, X_test))


@min_max.check(points=1, hidden=True)
def test_min_max_scale_matches_on_random_data(student, oracle, rng):
    X_train, X_test = scaling_data(rng, *scaling_shape(rng))
    check_scaling(student, oracle, "min_max_scale", X_train, X_test, f"min_max_scale(X_train, "
                  f"X_test), shapes {X_train.shape} and {X_test.shape}",
                  min_max_mistakes(X_train, X_test))


@min_max.check(points=1)
def test_min_max_scale_maps_a_constant_feature_to_zero(student, oracle, rng):
    check_constant_feature(student, oracle, "min_max_scale", rng,
                           "min_max_scale(X_train, X_test) with a constant feature")
