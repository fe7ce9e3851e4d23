"""Lab 04: layers, modular backpropagation and the multi-layer perceptron (topics 11, 12, 17).

The student builds a network from modules (lecture 001): the linear layer's forward
and backward messages, the softmax cross-entropy loss module, multinomial logistic
regression (a linear layer + softmax), an L-layer ReLU network (the lectures' w^l_ij)
with its backward pass, a whole-network gradient check, and mini-batch SGD.

Questions build on each other, but each is graded on its own: where a student's
function composes pieces graded by other questions (``mlp_forward`` calls
``linear_forward``, say), a *probe* runs it beside the student's code with those
pieces replaced by correct ones (``TRUSTED``), so one mistake costs points on its
own question only. Backward passes are judged against central differences of the
reference forward pass with a random upstream gradient, at inputs kept away from
ReLU kinks; the training run is compared with the reference run of the same seed
and batch order.
"""

from __future__ import annotations

import numpy as np

from autograder.expect import (
    CheckFailed,
    expect,
    expect_close,
    expect_dtype,
    expect_gradient,
    expect_unchanged,
)
from autograder.registry import Question
from reference.gradcheck import numerical_gradient

ORACLE_MODULES = ("reference.mlp", "reference.layers", "reference.losses")

# Central differences with step 1e-4 and a relative tolerance of 1e-5, as lab 03.
STEP = 1e-4
GRADIENT_TOL = 1e-5
F32 = {"rtol": 1e-4, "atol": 1e-6}

# Correct versions of every piece, run beside the student's code by the probes below so
# that a question is graded on its own function only. Also the planted models of the
# gradient-check question. Plain numpy: it is executed in the sandboxed worker too.
TRUSTED = '''
def linear_forward(X, W, b):
    return X @ W + b


def linear_backward(dS, X, W):
    return dS @ W.T, X.T @ dS, dS.sum(axis=0)


def relu(s):
    return np.maximum(s, 0)


def relu_backward(dout, s):
    return dout * (s > 0)


def softmax_cross_entropy(S, y):
    m = S.shape[0]
    rows = np.arange(m)
    shifted = S - S.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    dS = np.exp(log_p)
    dS[rows, y] -= 1
    return -float(np.sum(log_p[rows, y])) / m, dS / m


def softmax_classifier_loss(X, y, W, b):
    loss, dS = softmax_cross_entropy(linear_forward(X, W, b), y)
    _, dW, db = linear_backward(dS, X, W)
    return loss, dW, db


def mlp_forward(X, params):
    z, L = X, len(params) // 2
    for l in range(1, L + 1):
        s = linear_forward(z, params[f"W{l}"], params[f"b{l}"])
        z = relu(s) if l < L else s
    return z


def mlp_loss_and_gradients(X, y, params):
    L = len(params) // 2
    inputs, potentials, z = [], [], X
    for l in range(1, L + 1):
        inputs.append(z)
        potentials.append(linear_forward(z, params[f"W{l}"], params[f"b{l}"]))
        z = relu(potentials[-1]) if l < L else potentials[-1]
    loss, delta = softmax_cross_entropy(z, y)
    grads = {}
    for l in range(L, 0, -1):
        dz, grads[f"W{l}"], grads[f"b{l}"] = linear_backward(delta, inputs[l - 1],
                                                             params[f"W{l}"])
        if l > 1:
            delta = relu_backward(dz, potentials[l - 2])
    return loss, grads


def gradient_check(f, params, h=1e-5):
    loss, analytic = f(params)
    worst = 0.0
    for key, value in params.items():
        for i in range(value.size):
            old = value.flat[i]
            value.flat[i] = old + h
            plus = f(params)[0]
            value.flat[i] = old - h
            minus = f(params)[0]
            value.flat[i] = old
            a, n = analytic[key].flat[i], (plus - minus) / (2 * h)
            worst = max(worst, abs(a - n) / max(abs(a) + abs(n), 1e-8))
    return worst


def planted_model(X, T, bug):
    """f(params) -> (loss, grads) of a tanh network with squared loss; with ``bug`` the
    last entry of grads[bug] is 10% too large, so the largest relative error is 1/21."""

    def f(params):
        m = X.shape[0]
        H = np.tanh(X @ params["W1"] + params["b1"])
        R = H @ params["W2"] + params["b2"] - T
        dY = R / m
        dH = (dY @ params["W2"].T) * (1 - H * H)
        grads = {"W1": X.T @ dH, "b1": dH.sum(axis=0), "W2": H.T @ dY, "b2": dY.sum(axis=0)}
        if bug:
            grads[bug].flat[-1] *= 1.1
        return 0.5 * float(np.sum(R * R)) / m, grads

    return f


def call_with(namespace, name, args, replace):
    """namespace[name](*args) with the functions named in ``replace`` swapped for the ones
    above for the duration of the call."""
    function = namespace.get(name)
    if not callable(function):
        raise NameError(f"the notebook defines no function {name!r}")
    missing = object()
    saved = {n: namespace.get(n, missing) for n in replace}
    try:
        namespace.update({n: globals()[n] for n in replace})
        return function(*args)
    finally:
        for n, value in saved.items():
            if value is missing:
                namespace.pop(n, None)
            else:
                namespace[n] = value
'''



def trusted() -> dict:
    """``TRUSTED`` executed, for the grader's own use (the planted models)."""
    scope: dict = {"np": np}
    exec(TRUSTED, scope)
    return scope


# --------------------------------------------------------------------------- probes
# Each probe is named after the student function it runs, so that feedback about that
# function ("`mlp_forward` raised ...") names it.


def softmax_classifier_loss(namespace, library, X, y, W, b):
    scope = {"np": np}
    exec(library, scope)
    return scope["call_with"](namespace, "softmax_classifier_loss", (X, y, W, b),
                              ("linear_forward", "linear_backward"))


def mlp_forward(namespace, library, X, params):
    scope = {"np": np}
    exec(library, scope)
    result = scope["call_with"](namespace, "mlp_forward", (X, params),
                                ("linear_forward", "relu"))
    return result, X, params


def mlp_loss_and_gradients(namespace, library, X, y, params):
    scope = {"np": np}
    exec(library, scope)
    result = scope["call_with"](namespace, "mlp_loss_and_gradients", (X, y, params),
                                ("linear_forward", "linear_backward", "relu", "relu_backward",
                                 "softmax_cross_entropy", "softmax_classifier_loss",
                                 "mlp_forward"))
    return result, X, params


def gradient_check(namespace, library, X, T, params, bug):
    """The student's error for the planted model, and params as the call left them (the
    grader compares them with what it sent)."""
    scope = {"np": np}
    exec(library, scope)
    error = scope["call_with"](namespace, "gradient_check",
                               (scope["planted_model"](X, T, bug), params), ())
    return error, params


def train_softmax_classifier(namespace, library, X, y, lr, epochs, batch_size, seed):
    scope = {"np": np}
    exec(library, scope)
    return scope["call_with"](namespace, "train_softmax_classifier",
                              (X, y, lr, epochs, batch_size, seed),
                              ("linear_forward", "linear_backward", "softmax_cross_entropy",
                               "softmax_classifier_loss", "mlp_forward",
                               "mlp_loss_and_gradients"))


# --------------------------------------------------------------------------- helpers


def central_differences(f, x: np.ndarray, upstream: np.ndarray | None = None) -> np.ndarray:
    return numerical_gradient(f, x, upstream, h=STEP)


def expect_tuple(result: object, what: str, names: tuple[str, ...]) -> tuple:
    """``result`` is a tuple (or list) of ``len(names)`` values."""
    kind = (f"a {type(result).__name__} of length {len(result)}"
            if isinstance(result, (tuple, list)) else f"a {type(result).__name__}")
    expect(isinstance(result, (tuple, list)) and len(result) == len(names),
           f"{what} should return a tuple ({', '.join(names)}); got {kind}.")
    return tuple(result)


def expect_shape(got: object, shape: tuple[int, ...], what: str, hints: dict) -> None:
    """``got`` has ``shape``; a wrong shape listed in ``hints`` (shape -> sentence) is named."""
    actual = np.shape(got) if isinstance(got, (np.ndarray, np.generic, float, int)) else None
    if actual is not None and actual != shape and actual in hints:
        raise CheckFailed(f"{what}: expected shape {shape}, got {actual}: {hints[actual]}")


def random_layer(rng: np.random.Generator, square: bool = False) -> tuple[int, int, int]:
    """``(N, fan_in, fan_out)``: 2-7 examples, 2-6 inputs and outputs, all three different
    (so that a transposed result cannot pass) unless ``square`` (fan_in = fan_out != N)."""
    while True:
        n, d, k = (int(v) for v in rng.integers(2, 7, size=3))
        n += int(rng.integers(0, 2))
        if square and n != d:
            return n, d, d
        if not square and len({n, d, k}) == 3:
            return n, d, k


def random_params(rng: np.random.Generator, sizes: list[int], scale: float = 1.0) -> dict:
    params = {}
    for k, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True), start=1):
        params[f"W{k}"] = rng.normal(0.0, scale / np.sqrt(fan_in), size=(fan_in, fan_out))
        params[f"b{k}"] = rng.normal(0.0, 0.5, size=fan_out)
    return params


def hidden_potentials(X: np.ndarray, params: dict) -> list[np.ndarray]:
    """The inner potentials s^l of the hidden layers (numpy in the grader, not the oracle)."""
    z, L, out = X, len(params) // 2, []
    for k in range(1, L):
        s = z @ params[f"W{k}"] + params[f"b{k}"]
        out.append(s)
        z = np.maximum(s, 0)
    return out


def network_off_kinks(rng: np.random.Generator, n: int, sizes: list[int],
                      margin: float = 0.02) -> tuple[np.ndarray, dict]:
    """Inputs and parameters whose hidden potentials all keep |s| >= ``margin``: a central
    difference of step 1e-4 in any parameter never crosses a ReLU kink."""
    while True:
        X = rng.normal(size=(n, sizes[0]))
        params = random_params(rng, sizes)
        if all(np.abs(s).min() >= margin for s in hidden_potentials(X, params)):
            return X, params


def labels(rng: np.random.Generator, n: int, k: int) -> np.ndarray:
    y = rng.integers(0, k, size=n).astype(np.int64)
    y[: min(n, k)] = np.arange(min(n, k))  # every class present, so K = max(y) + 1
    return rng.permutation(y)


def softmax64(S: np.ndarray) -> np.ndarray:
    e = np.exp(S - S.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


# --------------------------------------------------------------------------- linear_forward

linear_forward_q = Question("lab04.linear_forward", functions=("linear_forward",))


def linear_forward_mistakes(X: np.ndarray, W: np.ndarray, b: np.ndarray) -> dict:
    return {"it is X W without the bias: add b to every row, S = X W + b (broadcasting).":
            X @ W,
            "it is X W^T + b: with W of shape (fan_in, fan_out), S = X W + b, no transpose.":
            X @ W.T + b if W.shape[0] == W.shape[1] else None,
            "it is X W - b: the bias is added, S = X W + b.": X @ W - b}


def check_linear_forward(student, oracle, X, W, b, what):
    got = student.linear_forward(X, W, b)
    mistakes = {k: v for k, v in linear_forward_mistakes(X, W, b).items() if v is not None}
    expect_close(got, oracle.linear_forward(X, W, b), what, mistakes=mistakes)
    return got


@linear_forward_q.check(points=1)
def test_linear_forward_matches_the_reference_on_a_small_example(student, oracle, rng):
    X, W, b = rng.normal(size=(4, 3)), rng.normal(size=(3, 3)), rng.normal(size=3)
    check_linear_forward(student, oracle, X, W, b, "linear_forward(X, W, b), X (4, 3), W (3, 3)")


@linear_forward_q.check(points=1, hidden=True)
def test_linear_forward_matches_the_reference_on_random_shapes(student, oracle, rng):
    for square in (False, True):
        n, d, k = random_layer(rng, square)
        X, W, b = rng.normal(size=(n, d)), rng.normal(size=(d, k)), rng.normal(size=k)
        check_linear_forward(student, oracle, X, W, b,
                             f"linear_forward(X, W, b), X {X.shape}, W {W.shape}")


@linear_forward_q.check(points=1)
def test_linear_forward_keeps_float32_and_its_inputs(student, oracle, rng):
    n, d, k = random_layer(rng)
    X = rng.normal(size=(n, d)).astype(np.float32)
    W = rng.normal(size=(d, k)).astype(np.float32)
    b = rng.normal(size=k).astype(np.float32)
    got, after = student.call_returning_args("linear_forward", X, W, b)
    for name, before, now in zip("XWb", (X, W, b), after, strict=True):
        expect_unchanged(before, now, f"linear_forward(X, W, b), argument {name}")
    expected = oracle.linear_forward(X.astype(np.float64), W.astype(np.float64),
                                     b.astype(np.float64))
    expect_close(got, expected, "linear_forward(X, W, b) for float32 inputs", **F32)
    expect_dtype(got, np.float32, "linear_forward(X, W, b) for float32 inputs")


# --------------------------------------------------------------------------- linear_backward

linear_backward_q = Question("lab04.linear_backward", functions=("linear_backward",))

DW_TRANSPOSED = ("dW is dS^T X, the transpose: dW = X^T dS has W's shape (fan_in, fan_out), "
                 "entry (i, j) = sum_n x_ni dS_nj.")
DX_WITH_W = ("dX uses W instead of W^T: delta^l_i = sum_j delta^{l+1}_j w_ij, i.e. "
             "dX = dS W^T.")
DB_NOT_SUMMED = ("db is dS itself, one row per example: the bias is shared by the whole batch, "
                 "so its gradient is summed over the examples, db = sum_n dS_n.")
DS_DROPPED = ("it is the local gradient alone, as if the upstream gradient dS were all ones: "
              "each message is the upstream gradient times the local one, dX = dS W^T, "
              "dW = X^T dS, db = sum_n dS_n.")
DB_AVERAGED = ("db is averaged over the batch: the 1/m is already inside dS (the loss averages), "
               "so db = sum_n dS_n, a sum.")


def check_linear_backward(student, oracle, dS, X, W, b, what):
    n, k = dS.shape
    result = expect_tuple(student.linear_backward(dS, X, W), what, ("dX", "dW", "db"))
    dX, dW, db = result
    square = W.shape[0] == W.shape[1]
    expect_shape(dW, W.shape, f"dW of {what}", {W.shape[::-1]: DW_TRANSPOSED})
    expect_shape(db, b.shape, f"db of {what}", {dS.shape: DB_NOT_SUMMED})
    expect_shape(dX, X.shape, f"dX of {what}", {})
    ones = np.ones_like(dS)  # what the local gradients give without the upstream dS
    numerical_dX = central_differences(lambda x: oracle.linear_forward(x, W, b), X, dS)
    expect_gradient(dX, numerical_dX, f"dX of {what}", tol=GRADIENT_TOL,
                    mistakes={DS_DROPPED: ones @ W.T} | ({DX_WITH_W: dS @ W} if square else {}))
    numerical_dW = central_differences(lambda w: oracle.linear_forward(X, w, b), W, dS)
    expect_gradient(dW, numerical_dW, f"dW of {what}", tol=GRADIENT_TOL,
                    mistakes={DS_DROPPED: X.T @ ones} | (
                        {DW_TRANSPOSED: dS.T @ X} if square else {}))
    numerical_db = central_differences(lambda c: oracle.linear_forward(X, W, c), b, dS)
    expect_gradient(db, numerical_db, f"db of {what}", tol=GRADIENT_TOL, batch_size=n,
                    mistakes={DB_AVERAGED: dS.mean(axis=0), DS_DROPPED: ones.sum(axis=0)})


@linear_backward_q.check(points=1)
def test_linear_backward_matches_central_differences_on_a_small_example(student, oracle, rng):
    X, W, b = rng.normal(size=(4, 3)), rng.normal(size=(3, 3)), rng.normal(size=3)
    dS = rng.normal(size=(4, 3))
    check_linear_backward(student, oracle, dS, X, W, b,
                          "linear_backward(dS, X, W), X (4, 3), W (3, 3)")


@linear_backward_q.check(points=1, hidden=True)
def test_linear_backward_matches_central_differences_on_random_shapes(student, oracle, rng):
    n, d, k = random_layer(rng)
    X, W, b = rng.normal(size=(n, d)), rng.normal(size=(d, k)), rng.normal(size=k)
    dS = rng.normal(size=(n, k))
    check_linear_backward(student, oracle, dS, X, W, b,
                          f"linear_backward(dS, X, W), X {X.shape}, W {W.shape}")


@linear_backward_q.check(points=1, hidden=True)
def test_linear_backward_matches_central_differences_for_square_weights(student, oracle, rng):
    n, d, k = random_layer(rng, square=True)
    X, W, b = rng.normal(size=(n, d)), rng.normal(size=(d, k)), rng.normal(size=k)
    dS = rng.normal(size=(n, k))
    check_linear_backward(student, oracle, dS, X, W, b,
                          f"linear_backward(dS, X, W), X {X.shape}, W {W.shape}")


@linear_backward_q.check(points=1)
def test_linear_backward_keeps_float32_and_its_inputs(student, oracle, rng):
    n, d, k = random_layer(rng)
    dS = rng.normal(size=(n, k)).astype(np.float32)
    X = rng.normal(size=(n, d)).astype(np.float32)
    W = rng.normal(size=(d, k)).astype(np.float32)
    got, after = student.call_returning_args("linear_backward", dS, X, W)
    for name, before, now in zip(("dS", "X", "W"), (dS, X, W), after, strict=True):
        expect_unchanged(before, now, f"linear_backward(dS, X, W), argument {name}")
    expected = oracle.linear_backward(dS.astype(np.float64), X.astype(np.float64),
                                      W.astype(np.float64))
    got = expect_tuple(got, "linear_backward(dS, X, W)", ("dX", "dW", "db"))
    for name, value, reference in zip(("dX", "dW", "db"), got, expected, strict=True):
        what = f"{name} of linear_backward(dS, X, W) for float32 inputs"
        expect_close(value, reference, what, **F32)
        expect_dtype(value, np.float32, what)


# --------------------------------------------------------------------------- softmax classifier

classifier_q = Question("lab04.softmax_classifier",
                        functions=("softmax_cross_entropy", "softmax_classifier_loss"))

SHIFT_ADVICE = ("e^s overflows for large scores. Subtract each row's maximum first "
                "(softmax(s) = softmax(s - max_k s_k)) and compute log softmax(s)_y = "
                "s_y - log sum_c e^{s_c} from the shifted scores.")


def check_softmax_cross_entropy(student, oracle, S, y, what):
    m = S.shape[0]
    loss, dS = expect_tuple(student.softmax_cross_entropy(S, y), what, ("loss", "dS"))
    expect(bool(np.all(np.isfinite(np.asarray(loss, dtype=np.float64)))),
           f"the loss of {what} is not finite: {SHIFT_ADVICE}")
    reference_loss, _ = oracle.softmax_cross_entropy(S, y)
    expect_close(loss, reference_loss, f"the loss of {what}", batch_size=m)
    Y = np.eye(S.shape[1])[y]
    P = softmax64(S)
    numerical = central_differences(lambda s: oracle.softmax_cross_entropy(s, y)[0], S)
    expect_gradient(dS, numerical, f"dS of {what}", tol=GRADIENT_TOL, batch_size=m, mistakes={
        "it is softmax(S) / m: the one-hot targets are missing, dS = (Y_hat - Y) / m.": P / m,
        "it is (Y - Y_hat) / m: the sign is flipped, dS = (Y_hat - Y) / m.": (Y - P) / m})


def check_classifier(student, oracle, X, y, W, b, what):
    m = X.shape[0]
    result = student.run(softmax_classifier_loss, TRUSTED, X, y, W, b)
    loss, dW, db = expect_tuple(result, what, ("loss", "dW", "db"))
    expect_close(loss, oracle.softmax_cross_entropy(oracle.linear_forward(X, W, b), y)[0],
                 f"the loss of {what}", batch_size=m)

    def loss_of(W_, b_):
        return oracle.softmax_cross_entropy(oracle.linear_forward(X, W_, b_), y)[0]

    numerical_dW = central_differences(lambda w: loss_of(w, b), W)
    numerical_db = central_differences(lambda c: loss_of(W, c), b)
    twice = "it is 1/m of the expected value: the 1/m is already in dS; do not divide dW again."
    expect_gradient(dW, numerical_dW, f"dW of {what}", tol=GRADIENT_TOL, batch_size=m,
                    mistakes={twice: numerical_dW / m})
    expect_gradient(db, numerical_db, f"db of {what}", tol=GRADIENT_TOL, batch_size=m,
                    mistakes={twice.replace("dW", "db"): numerical_db / m})


@classifier_q.check(points=1)
def test_softmax_cross_entropy_on_a_small_example(student, oracle, rng):
    S, y = rng.normal(0.0, 2.0, size=(4, 3)), labels(rng, 4, 3)
    check_softmax_cross_entropy(student, oracle, S, y, "softmax_cross_entropy(S, y), S (4, 3)")


@classifier_q.check(points=1)
def test_softmax_classifier_loss_on_a_small_example(student, oracle, rng):
    X, y = rng.normal(size=(5, 4)), labels(rng, 5, 3)
    W, b = rng.normal(size=(4, 3)), rng.normal(size=3)
    check_classifier(student, oracle, X, y, W, b,
                     "softmax_classifier_loss(X, y, W, b), X (5, 4), W (4, 3)")


@classifier_q.check(points=1, hidden=True)
def test_softmax_classifier_on_random_inputs(student, oracle, rng):
    n, d, k = random_layer(rng)
    X, y = rng.normal(size=(n, d)), labels(rng, n, k)
    W, b = rng.normal(size=(d, k)), rng.normal(size=k)
    S = rng.normal(0.0, 3.0, size=(n, k))
    check_softmax_cross_entropy(student, oracle, S, y, f"softmax_cross_entropy(S, y), S {S.shape}")
    check_classifier(student, oracle, X, y, W, b,
                     f"softmax_classifier_loss(X, y, W, b), X {X.shape}, W {W.shape}")


@classifier_q.check(points=1)
def test_softmax_cross_entropy_is_finite_for_large_scores_and_keeps_its_input(student, oracle,
                                                                              rng):
    n, _, k = random_layer(rng)
    y = labels(rng, n, k)
    S = rng.normal(0.0, 3.0, size=(n, k)) + rng.choice([-1000.0, 1000.0], size=(n, 1))
    S[0, (y[0] + 1) % k] += 1000.0  # a confident wrong answer
    result, (S_after, _) = student.call_returning_args("softmax_cross_entropy", S, y)
    expect_unchanged(S, S_after, "softmax_cross_entropy(S, y), argument S")
    loss, dS = expect_tuple(result, "softmax_cross_entropy(S, y)", ("loss", "dS"))
    values = np.asarray(dS, dtype=np.float64)
    expect(bool(np.isfinite(np.asarray(loss, dtype=np.float64)).all()
                and np.isfinite(values).all()),
           f"softmax_cross_entropy(S, y) gives nan or inf for scores near +-1000: {SHIFT_ADVICE}")
    reference_loss, reference_dS = oracle.softmax_cross_entropy(S, y)
    expect_close(loss, reference_loss, "the loss of softmax_cross_entropy(S, y) for large "
                 "scores", batch_size=n)
    expect_close(dS, reference_dS, "dS of softmax_cross_entropy(S, y) for large scores",
                 atol=1e-12, batch_size=n)


# --------------------------------------------------------------------------- mlp_forward

mlp_forward_q = Question("lab04.mlp_forward", functions=("mlp_forward",))


def mlp_forward_mistakes(X: np.ndarray, params: dict) -> dict:
    L = len(params) // 2
    z, zs = X, []
    for k in range(1, L + 1):
        z = np.maximum(z @ params[f"W{k}"] + params[f"b{k}"], 0)
        zs.append(z)
    mistakes = {"it applies ReLU to the output layer too: the last layer gives the scores "
                "S = z^{L-1} W^L + b^L, with no activation (the softmax comes with the loss).":
                zs[-1]}
    if L > 2:
        mistakes["it stops after two layers: loop over l = 1, ..., L with "
                 "L = len(params) // 2."] = (np.maximum(X @ params["W1"] + params["b1"], 0)
                                             @ params["W2"] + params["b2"])
    return mistakes


def check_mlp_forward(student, oracle, X, params, what):
    got, X_after, params_after = student.run(mlp_forward, TRUSTED, X, params)
    expect_unchanged(X, X_after, f"{what}, argument X")
    for key in params:
        expect_unchanged(params[key], params_after[key], f"{what}, params[{key!r}]")
    expected = oracle.mlp_forward(X, params)
    mistakes = mlp_forward_mistakes(X, params)
    for mistake, wrong in mistakes.items():  # a mistake that gives the wrong shape
        if (wrong.shape != expected.shape and isinstance(got, np.ndarray)
                and got.shape == wrong.shape and np.allclose(got, wrong)):
            raise CheckFailed(f"{what}: expected shape {expected.shape}, got {got.shape}: "
                              f"{mistake}")
    expect_close(got, expected, what, mistakes=mistakes)


@mlp_forward_q.check(points=1)
def test_mlp_forward_of_a_3_layer_network_on_a_small_example(student, oracle, rng):
    X = rng.normal(size=(5, 4))
    params = random_params(rng, [4, 3, 3, 2])
    check_mlp_forward(student, oracle, X, params, "mlp_forward(X, params), layers 4-3-3-2")


@mlp_forward_q.check(points=1, hidden=True)
def test_mlp_forward_matches_the_reference_for_every_depth(student, oracle, rng):
    for L in (1, 2, 3, 4):
        sizes = [int(v) for v in rng.integers(2, 7, size=L + 1)]
        X = rng.normal(size=(int(rng.integers(2, 8)), sizes[0]))
        params = random_params(rng, sizes)
        check_mlp_forward(student, oracle, X, params,
                          f"mlp_forward(X, params), {L} layers {'-'.join(map(str, sizes))}")


@mlp_forward_q.check(points=1, hidden=True)
def test_mlp_forward_of_a_wide_network(student, oracle, rng):
    sizes = [int(rng.integers(5, 12)), 30, 20, int(rng.integers(3, 8))]
    X = rng.normal(size=(int(rng.integers(10, 30)), sizes[0]))
    check_mlp_forward(student, oracle, X, random_params(rng, sizes),
                      f"mlp_forward(X, params), layers {'-'.join(map(str, sizes))}")


# --------------------------------------------------------------------------- mlp backward

mlp_backward_q = Question("lab04.mlp_backward", functions=("mlp_loss_and_gradients",))


def mlp_backward_mistakes(X: np.ndarray, y: np.ndarray, params: dict) -> dict[str, dict]:
    """Per parameter, the gradients of the wrong variants (numpy in the grader)."""
    L = len(params) // 2
    inputs, potentials, z = [], [], X
    for k in range(1, L + 1):
        inputs.append(z)
        potentials.append(z @ params[f"W{k}"] + params[f"b{k}"])
        z = np.maximum(potentials[-1], 0) if k < L else potentials[-1]
    m = X.shape[0]
    delta0 = (softmax64(z) - np.eye(z.shape[1])[y]) / m
    variants = {"no_mask": {}, "mask_scores": {}}
    for name in variants:
        delta = delta0 * (z > 0) if name == "mask_scores" else delta0
        for k in range(L, 0, -1):
            variants[name][f"W{k}"] = inputs[k - 1].T @ delta
            variants[name][f"b{k}"] = delta.sum(axis=0)
            delta = delta @ params[f"W{k}"].T
            if name != "no_mask" and k > 1:
                delta = delta * (potentials[k - 2] > 0)
    return {key: {
        "the ReLU's local gradient is missing: on the way down, multiply by relu'(s^l) = "
        "1{s^l > 0} after each hidden layer (delta^l = (delta^{l+1} W^T) * 1{s^l > 0}).":
        variants["no_mask"][key],
        "it masks the scores too: the output layer has no ReLU, so delta^L = dL/dS comes "
        "straight from the loss.": variants["mask_scores"][key]} for key in params}


def check_mlp_backward(student, oracle, X, y, params, what, numerical=True):
    result, X_after, params_after = student.run(mlp_loss_and_gradients, TRUSTED, X, y, params)
    loss, grads = expect_tuple(result, what, ("loss", "grads"))
    expect(isinstance(grads, dict) and set(grads) == set(params),
           f"{what}: grads should be a dict with the keys of params, {sorted(params)}; got "
           f"{sorted(grads) if isinstance(grads, dict) else type(grads).__name__}.")
    for key in params:
        expect_unchanged(params[key], params_after[key], f"{what}, params[{key!r}]")
    expect_unchanged(X, X_after, f"{what}, argument X")
    m = X.shape[0]
    reference_loss, reference_grads = oracle.mlp_loss_and_gradients(X, y, params)
    expect_close(loss, reference_loss, f"the loss of {what}", batch_size=m)
    mistakes = mlp_backward_mistakes(X, y, params)
    for key in params:
        if numerical:
            def loss_of(value, key=key):
                return oracle.softmax_cross_entropy(oracle.mlp_forward(X, {**params, key: value}),
                                                    y)[0]

            expected = central_differences(loss_of, params[key])
            expect_gradient(grads[key], expected, f"grads[{key!r}] of {what}", tol=GRADIENT_TOL,
                            batch_size=m, mistakes=mistakes[key])
        else:
            expect_close(grads[key], reference_grads[key], f"grads[{key!r}] of {what}",
                         batch_size=m, mistakes=mistakes[key])


@mlp_backward_q.check(points=1)
def test_mlp_gradients_of_a_3_layer_network_on_a_small_example(student, oracle, rng):
    X, params = network_off_kinks(rng, 5, [3, 4, 4, 3])
    check_mlp_backward(student, oracle, X, labels(rng, 5, 3), params,
                       "mlp_loss_and_gradients(X, y, params), layers 3-4-4-3", numerical=False)


@mlp_backward_q.check(points=1, hidden=True)
def test_mlp_gradients_match_central_differences(student, oracle, rng):
    sizes = [int(rng.integers(2, 5)), int(rng.integers(3, 6)), int(rng.integers(3, 6)),
             int(rng.integers(2, 5))]
    n = int(rng.integers(4, 8))
    X, params = network_off_kinks(rng, n, sizes)
    check_mlp_backward(student, oracle, X, labels(rng, n, sizes[-1]), params,
                       f"mlp_loss_and_gradients(X, y, params), layers "
                       f"{'-'.join(map(str, sizes))}")


@mlp_backward_q.check(points=1, hidden=True)
def test_mlp_gradients_match_the_reference_for_every_depth(student, oracle, rng):
    for L in (1, 2, 4):
        sizes = [int(v) for v in rng.integers(2, 7, size=L + 1)]
        n = int(rng.integers(3, 10))
        X = rng.normal(size=(n, sizes[0]))
        check_mlp_backward(student, oracle, X, labels(rng, n, sizes[-1]),
                           random_params(rng, sizes),
                           f"mlp_loss_and_gradients(X, y, params), {L} layers "
                           f"{'-'.join(map(str, sizes))}", numerical=False)


@mlp_backward_q.check(points=1, hidden=True)
def test_mlp_gradients_of_a_wide_network_with_many_examples(student, oracle, rng):
    sizes = [int(rng.integers(5, 10)), 32, 16, int(rng.integers(3, 8))]
    n = int(rng.integers(20, 60))
    X = rng.normal(size=(n, sizes[0]))
    check_mlp_backward(student, oracle, X, labels(rng, n, sizes[-1]), random_params(rng, sizes),
                       f"mlp_loss_and_gradients(X, y, params), layers "
                       f"{'-'.join(map(str, sizes))}, N = {n}", numerical=False)


# --------------------------------------------------------------------------- gradient check

gradient_check_q = Question("lab04.gradient_check", functions=("gradient_check",))

PLANTED_ERROR = 0.1 / 2.1   # one gradient entry 10% too large: |1.1g - g| / (|1.1g| + |g|)
CORRECT_BELOW = 1e-6


def planted_problem(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, dict]:
    """A tanh network 3-4-2 whose every gradient entry is at least 1e-3 in size: relative
    errors of a correct central difference (h = 1e-5) then stay far below 1e-6."""
    f = trusted()["planted_model"]
    while True:
        n, d, hidden, out = int(rng.integers(4, 8)), int(rng.integers(2, 5)), 4, 2
        X, T = rng.normal(size=(n, d)), rng.normal(size=(n, out))
        params = random_params(rng, [d, hidden, out])
        _, grads = f(X, T, "")(params)
        if min(np.abs(g).min() for g in grads.values()) > 1e-3:
            return X, T, params


def run_gradient_check(student, rng, bug):
    X, T, params = planted_problem(rng)
    error, after = student.run(gradient_check, TRUSTED, X, T, params, bug)
    changed = [key for key in params
               if not (isinstance(after, dict) and np.array_equal(params[key], after.get(key)))]
    expect(not changed, "gradient_check(f, params) left params changed "
           f"({', '.join(changed)}): put every perturbed entry back to its old value "
           "before moving on, or the next gradients are taken at the wrong point.")
    expect(isinstance(error, (int, float, np.generic)) and not isinstance(error, (bool, np.bool_)),
           f"gradient_check(f, params) should return one number, got {type(error).__name__}.")
    return float(error)


def expect_correct_gradients_pass(error: float) -> None:
    hint = ""
    if abs(error - 1 / 3) < 1e-3:
        hint = (" 1/3 is what a numerical gradient twice the analytic one gives: the central "
                "difference divides by 2h, (L(w + h) - L(w - h)) / (2h).")
    elif 1e-8 < error < 1e-2:
        hint = (" Errors of that size come from a one-sided difference (L(w + h) - L(w)) / h, "
                "whose error is O(h); the central difference's is O(h^2).")
    expect(error < CORRECT_BELOW,
           f"for a network whose gradients are correct, gradient_check returned {error:.3g}; "
           f"expected below {CORRECT_BELOW:g}.{hint}")


def expect_planted_bug_found(error: float, where: str) -> None:
    hint = ""
    if error < PLANTED_ERROR / 3:
        hint = (" Is the bug averaged away (return the largest relative error, not the mean), "
                "or is that parameter never checked (loop over every key of params)?")
    expect(abs(error - PLANTED_ERROR) < 1e-4,
           f"with one entry of {where} 10% too large, gradient_check returned {error:.4g}; "
           f"expected the largest relative error |a - n| / max(|a| + |n|, 1e-8) = "
           f"0.1 / 2.1 = {PLANTED_ERROR:.4f}.{hint}")


@gradient_check_q.check(points=1)
def test_gradient_check_passes_correct_gradients_and_finds_a_planted_bug(student, rng):
    expect_correct_gradients_pass(run_gradient_check(student, rng, ""))
    expect_planted_bug_found(run_gradient_check(student, rng, "W2"), "grads['W2']")


@gradient_check_q.check(points=1, hidden=True)
def test_gradient_check_passes_correct_gradients_on_random_networks(student, rng):
    for _ in range(2):
        expect_correct_gradients_pass(run_gradient_check(student, rng, ""))


@gradient_check_q.check(points=1)
def test_gradient_check_finds_a_bug_in_any_parameter(student, rng):
    for bug in ("W1", "b1"):
        expect_planted_bug_found(run_gradient_check(student, rng, bug), f"grads[{bug!r}]")


# --------------------------------------------------------------------------- training

train_q = Question("lab04.train", functions=("train_softmax_classifier",))


def sgd_variant(X, y, lr, epochs, batch_size, seed, *, shuffle="each", drop_last=False,
                labels_shuffled=True):
    """Wrong training runs, for naming mistakes (numpy in the grader)."""
    rng = np.random.default_rng(seed)
    n, k = len(y), int(y.max()) + 1
    W, b = np.zeros((X.shape[1], k)), np.zeros(k)
    order = rng.permutation(n) if shuffle == "once" else None
    for _ in range(epochs):
        if shuffle == "each":
            order = rng.permutation(n)
        elif shuffle == "never":
            order = np.arange(n)
        stop = n - n % batch_size if drop_last else n
        for start in range(0, stop, batch_size):
            idx = order[start:start + batch_size]
            Xb, yb = X[idx], (y[idx] if labels_shuffled else y[start:start + batch_size])
            dS = (softmax64(Xb @ W + b) - np.eye(k)[yb]) / len(idx)
            W, b = W - lr * Xb.T @ dS, b - lr * dS.sum(axis=0)
    return W, b


def train_mistakes(X, y, lr, epochs, batch_size, seed) -> dict[str, tuple]:
    return {
        "it never shuffles: draw a fresh order rng.permutation(N) at the start of every epoch "
        "(mini-batch SGD samples the batches at random).":
        sgd_variant(X, y, lr, epochs, batch_size, seed, shuffle="never"),
        "it shuffles once and reuses that order every epoch: draw a fresh rng.permutation(N) "
        "at the start of every epoch (one generator, made once from the seed).":
        sgd_variant(X, y, lr, epochs, batch_size, seed, shuffle="once"),
        "it drops the last, smaller batch: an epoch uses every example once, so the last "
        "batch holds the N mod batch_size examples left over.":
        sgd_variant(X, y, lr, epochs, batch_size, seed, drop_last=True),
        "the labels are not shuffled with the inputs: index X and y with the same "
        "permutation, X[idx] and y[idx].":
        sgd_variant(X, y, lr, epochs, batch_size, seed, labels_shuffled=False),
    }


def check_training(student, oracle, X, y, lr, epochs, batch_size, seed, what):
    result = student.run(train_softmax_classifier, TRUSTED, X, y, lr, epochs, batch_size, seed)
    W, b, losses = expect_tuple(result, what, ("W", "b", "losses"))
    W_ref, b_ref, losses_ref = oracle.train_softmax_classifier(X, y, lr, epochs, batch_size, seed)
    mistakes = train_mistakes(X, y, lr, epochs, batch_size, seed)
    expect_close(W, W_ref, f"W after {what}", rtol=1e-6, atol=1e-9,
                 mistakes={k: v[0] for k, v in mistakes.items()})
    expect_close(b, b_ref, f"b after {what}", rtol=1e-6, atol=1e-9,
                 mistakes={k: v[1] for k, v in mistakes.items()})
    expect(isinstance(losses, (list, tuple, np.ndarray)) and len(losses) == epochs,
           f"losses of {what} should hold one number per epoch ({epochs}), got "
           f"{len(losses) if isinstance(losses, (list, tuple, np.ndarray)) else losses!r}.")
    expect_close(np.asarray(losses, dtype=np.float64), np.asarray(losses_ref),
                 f"losses of {what} (the loss on the whole training set after each epoch)",
                 rtol=1e-6)


def classification_problem(rng: np.random.Generator, n: int, d: int, k: int):
    centres = rng.normal(0.0, 2.0, size=(k, d))
    y = labels(rng, n, k)
    return centres[y] + rng.normal(size=(n, d)), y


@train_q.check(points=1)
def test_training_matches_the_reference_run_on_a_small_problem(student, oracle, rng):
    X, y = classification_problem(rng, 30, 3, 3)
    check_training(student, oracle, X, y, 0.5, 4, 7, 11,
                   "train_softmax_classifier(X, y, lr=0.5, epochs=4, batch_size=7, seed=11)")


@train_q.check(points=1, hidden=True)
def test_training_matches_the_reference_run_on_random_problems(student, oracle, rng):
    n, d, k = int(rng.integers(20, 50)), int(rng.integers(2, 6)), int(rng.integers(2, 5))
    X, y = classification_problem(rng, n, d, k)
    batch_size = int(rng.integers(3, 10))
    while n % batch_size == 0:  # a smaller last batch
        batch_size += 1
    seed, epochs, lr = int(rng.integers(0, 2**31)), int(rng.integers(3, 7)), 0.3
    check_training(student, oracle, X, y, lr, epochs, batch_size, seed,
                   f"train_softmax_classifier(X, y, lr={lr}, epochs={epochs}, "
                   f"batch_size={batch_size}, seed={seed}), N = {n}")


@train_q.check(points=1, hidden=True)
def test_training_with_online_and_full_batches(student, oracle, rng):
    n, d, k = int(rng.integers(8, 14)), 2, 3
    X, y = classification_problem(rng, n, d, k)
    seed = int(rng.integers(0, 2**31))
    for batch_size in (1, n + 3):
        check_training(student, oracle, X, y, 0.2, 3, batch_size, seed,
                       f"train_softmax_classifier(X, y, lr=0.2, epochs=3, "
                       f"batch_size={batch_size}, seed={seed}), N = {n}")


@train_q.check(points=1, hidden=True)
def test_training_reduces_the_loss_and_fits_separable_data(student, oracle, rng):
    X, y = classification_problem(rng, 40, 2, 3)
    X = X + 3.0 * np.eye(3)[y][:, :2]   # well-separated classes
    seed = int(rng.integers(0, 2**31))
    result = student.run(train_softmax_classifier, TRUSTED, X, y, 0.5, 10, 10, seed)
    W, b, losses = expect_tuple(result, "train_softmax_classifier(...)", ("W", "b", "losses"))
    losses = np.asarray(losses, dtype=np.float64)
    expect(losses.shape == (10,) and losses[-1] < losses[0] < np.log(3) + 1e-9,
           f"the training loss should fall from below log K = {np.log(3):.3f} (the loss of W = 0 "
           f"is exactly log K): got {np.array2string(losses[[0, -1]], precision=4)} for the "
           "first and last epochs.")
    accuracy = float(np.mean(np.argmax(X @ np.asarray(W) + np.asarray(b), axis=1) == y))
    W_ref, b_ref, _ = oracle.train_softmax_classifier(X, y, 0.5, 10, 10, seed)
    expected = float(np.mean(np.argmax(X @ W_ref + b_ref, axis=1) == y))
    expect(accuracy >= expected - 1e-9,
           f"training accuracy {accuracy:.3f}, expected {expected:.3f} for this seed.")
