"""Lab 04: layers, modular backpropagation and the multi-layer perceptron (topics 11, 12, 17):
the visible checks.

The student builds a network from modules (lecture 001): the linear layer's forward
and backward messages, the softmax cross-entropy loss module, multinomial logistic
regression (a linear layer + softmax), an L-layer ReLU network (the lectures' w^l_ij)
with its backward pass, a whole-network gradient check, and mini-batch SGD.

Questions build on each other, but each is graded on its own: where a student's
function composes pieces graded by other questions (``mlp_forward`` calls
``linear_forward``, say), a *probe* runs it beside the student's code with those
pieces replaced by correct ones, so one mistake costs points on its own question
only. In the student's copy the correct pieces are stand-ins that give the answers
recorded from the answer key for the calls the solution makes on the check's inputs
(any other call goes to the student's own piece); when grading they are the answer
key's own functions. Backward passes are judged against central differences of the
answer key's forward pass with a random upstream gradient, at inputs kept away from
ReLU kinks; the training run is compared with the reference run of the same seed and
batch order. The hidden checks (instructor's side) add random shapes, depths and
problems.
"""

from __future__ import annotations

import numpy as np

from nnlabs.expect import (
    F32,
    GRADIENT_TOL,
    CheckFailed,
    expect,
    expect_close,
    expect_dtype,
    expect_gradient,
    expect_items,
    expect_unchanged,
)
from nnlabs.plain import NotDefined
from nnlabs.registry import Question

# What the probes below run beside the student's code: the planted model of the
# gradient-check question, and ``call_with``, which swaps the pieces a function composes for
# correct ones. Plain numpy (and NotDefined, for a missing function): it is executed in the
# sandboxed worker too.
LIBRARY = '''
def planted_model(X, T, grads, bug):
    """f(params) -> (loss, grads) of a tanh network with squared loss; grads are its
    gradients at the params the check draws (the answer key's), where a gradient check takes
    them; with ``bug`` the last entry of grads[bug] is 10% too large, so the largest relative
    error is 1/21."""

    def f(params):
        m = X.shape[0]
        H = np.tanh(X @ params["W1"] + params["b1"])
        R = H @ params["W2"] + params["b2"] - T
        analytic = {key: np.array(value, dtype=float) for key, value in grads.items()}
        if bug:
            analytic[bug].flat[-1] *= 1.1
        return 0.5 * float(np.sum(R * R)) / m, analytic

    return f


def same(a, b):
    """Whether two arguments are the same plain data, numbers within a relative 1e-10."""
    if isinstance(a, dict) or isinstance(b, dict):
        return (isinstance(a, dict) and isinstance(b, dict) and a.keys() == b.keys()
                and all(same(a[k], b[k]) for k in a))
    if isinstance(a, (list, tuple)) or isinstance(b, (list, tuple)):
        return (isinstance(a, (list, tuple)) and isinstance(b, (list, tuple))
                and len(a) == len(b) and all(same(x, z) for x, z in zip(a, b)))
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    try:
        a, b = np.asarray(a), np.asarray(b)
        if a.shape != b.shape:
            return False
        if a.dtype.kind in "fc" or b.dtype.kind in "fc":
            return bool(np.allclose(a, b, rtol=1e-10, atol=1e-13))
        return bool(np.array_equal(a, b))
    except (TypeError, ValueError):
        return False


def copied(value):
    if isinstance(value, dict):
        return {k: copied(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(copied(v) for v in value)
    if isinstance(value, np.ndarray):
        return value.copy()
    return value


def answering(name, calls, own):
    """A stand-in for the piece ``name``: the recorded result of a call in ``calls``
    (``[args, result]`` pairs), and for any other call the student's own piece ``own``."""

    def piece(*args, **kwargs):
        asked = list(args)
        if kwargs and own is not None:  # keywords by the names of the student's parameters
            code = own.__code__
            rest = code.co_varnames[len(args):code.co_argcount]
            if set(kwargs) == set(rest):
                asked += [kwargs[n] for n in rest]
        if len(asked) > len(args) or not kwargs:
            for known, result in calls:
                if same(known, asked):
                    return copied(result)
        if own is None:
            raise NotDefined(name)
        return own(*args, **kwargs)

    return piece


def call_with(namespace, name, args, replace, answers):
    """namespace[name](*args) with the functions named in ``replace`` swapped, for the
    duration of the call, for correct ones: those defined beside this function (when
    grading), or stand-ins answering from ``answers``."""
    function = namespace.get(name)
    if not callable(function):
        raise NotDefined(name)
    missing = object()
    saved = {n: namespace.get(n, missing) for n in replace}
    pieces = {n: globals()[n] for n in replace if n in globals()}
    pieces.update({n: answering(n, answers[n], saved[n] if callable(saved[n]) else None)
                   for n in replace if n in answers})
    try:
        namespace.update(pieces)
        return function(*args)
    finally:
        for n, value in saved.items():
            if value is missing:
                namespace.pop(n, None)
            else:
                namespace[n] = value
'''

# When grading, the instructor's side (autograder/hidden/lab04.py) puts here, for the oracle
# that is the answer key itself, the answer key's own versions of the pieces (source, run
# with LIBRARY): the probes then need no recorded answers. The student's copy has none.
GRADING_PIECES: dict[type, str] = {}


# --------------------------------------------------------------------------- probes
# Each probe is named after the student function it runs, so that feedback about that
# function ("`mlp_forward` raised ...") names it. ``replace`` names the pieces it swaps.

CLASSIFIER_PIECES = ("linear_forward", "linear_backward")
FORWARD_PIECES = ("linear_forward", "relu")
BACKWARD_PIECES = ("linear_forward", "linear_backward", "relu", "relu_backward",
                   "softmax_cross_entropy", "softmax_classifier_loss", "mlp_forward")
TRAINING_PIECES = ("linear_forward", "linear_backward", "softmax_cross_entropy",
                   "softmax_classifier_loss", "mlp_forward", "mlp_loss_and_gradients")


def softmax_classifier_loss(namespace, library, answers, replace, X, y, W, b):
    scope = {"np": np, "NotDefined": NotDefined}
    exec(library, scope)
    return scope["call_with"](namespace, "softmax_classifier_loss", (X, y, W, b), replace,
                              answers)


def mlp_forward(namespace, library, answers, replace, X, params):
    scope = {"np": np, "NotDefined": NotDefined}
    exec(library, scope)
    result = scope["call_with"](namespace, "mlp_forward", (X, params), replace, answers)
    return result, X, params


def mlp_loss_and_gradients(namespace, library, answers, replace, X, y, params):
    scope = {"np": np, "NotDefined": NotDefined}
    exec(library, scope)
    result = scope["call_with"](namespace, "mlp_loss_and_gradients", (X, y, params), replace,
                                answers)
    return result, X, params


def gradient_check(namespace, library, X, T, grads, params, bug, h=None):
    """The student's error for the planted model (with the step ``h`` when one is given),
    and params as the call left them (the grader compares them with what it sent)."""
    scope = {"np": np, "NotDefined": NotDefined}
    exec(library, scope)
    model = scope["planted_model"](X, T, grads, bug)
    args = (model, params) if h is None else (model, params, h)
    error = scope["call_with"](namespace, "gradient_check", args, (), {})
    return error, params


def train_softmax_classifier(namespace, library, answers, replace, X, y, lr, epochs,
                             batch_size, seed):
    scope = {"np": np, "NotDefined": NotDefined}
    exec(library, scope)
    return scope["call_with"](namespace, "train_softmax_classifier",
                              (X, y, lr, epochs, batch_size, seed), replace, answers)


def probe_arguments(oracle, answers_of: str, replace: tuple[str, ...], *args) -> tuple:
    """``(library, answers, replace)`` for a probe that swaps the pieces in ``replace``:
    when grading, the answer key's own pieces beside LIBRARY and no answers; else LIBRARY
    and the stand-ins' answers, the oracle's ``answers_of(replace, *args)``."""
    grading = GRADING_PIECES.get(type(oracle))
    if grading is not None:
        return LIBRARY + grading, {}, replace
    return LIBRARY, getattr(oracle, answers_of)(list(replace), *args), replace


# --------------------------------------------------------------------------- helpers


def expect_tuple(result: object, what: str, names: tuple[str, ...]) -> tuple:
    """``result`` is a tuple (or list) of ``len(names)`` values: this lab's feedback names
    them, ``should return a tuple (dX, dW, db)`` (see :func:`nnlabs.expect.expect_items`)."""
    return expect_items(result, len(names), what, f"a tuple ({', '.join(names)})")


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


def network_off_kinks(oracle, rng: np.random.Generator, n: int, sizes: list[int],
                      margin: float = 0.02) -> tuple[np.ndarray, dict]:
    """Inputs and parameters whose hidden potentials all keep |s| >= ``margin``: a central
    difference of step 1e-4 in any parameter never crosses a ReLU kink."""
    while True:
        X = rng.normal(size=(n, sizes[0]))
        params = random_params(rng, sizes)
        if all(np.abs(s).min() >= margin for s in oracle.hidden_potentials(X, params)):
            return X, params


def labels(rng: np.random.Generator, n: int, k: int) -> np.ndarray:
    y = rng.integers(0, k, size=n).astype(np.int64)
    # Every class present when n >= k, and the last one always, so K = max(y) + 1.
    y[: min(n, k)] = np.arange(k - min(n, k), k)
    return rng.permutation(y)


# --------------------------------------------------------------------------- linear_forward

linear_forward_q = Question("lab04.linear_forward", functions=("linear_forward",), points=3)


def check_linear_forward(student, oracle, X, W, b, what):
    got = student.linear_forward(X, W, b)
    mistakes = {k: v for k, v in oracle.linear_forward_mistakes(X, W, b).items()
                if v is not None}
    expect_close(got, oracle.linear_forward(X, W, b), what, mistakes=mistakes)
    return got


@linear_forward_q.check(points=1)
def test_linear_forward_matches_the_reference_on_a_small_example(student, oracle, rng):
    X, W, b = rng.normal(size=(4, 3)), rng.normal(size=(3, 3)), rng.normal(size=3)
    check_linear_forward(student, oracle, X, W, b, "linear_forward(X, W, b), X (4, 3), W (3, 3)")


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

linear_backward_q = Question("lab04.linear_backward", functions=("linear_backward",), points=4)

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
    expect_shape(dW, W.shape, f"dW of {what}", {W.shape[::-1]: DW_TRANSPOSED})
    expect_shape(db, b.shape, f"db of {what}", {dS.shape: DB_NOT_SUMMED})
    expect_shape(dX, X.shape, f"dX of {what}", {})
    mistakes = oracle.linear_backward_mistakes(dS, X, W)
    numerical_dX = oracle.central_differences("linear_forward", [X, W, b], wrt=0, upstream=dS)
    expect_gradient(dX, numerical_dX, f"dX of {what}", tol=GRADIENT_TOL,
                    mistakes=mistakes["dX"])
    numerical_dW = oracle.central_differences("linear_forward", [X, W, b], wrt=1, upstream=dS)
    expect_gradient(dW, numerical_dW, f"dW of {what}", tol=GRADIENT_TOL,
                    mistakes=mistakes["dW"])
    numerical_db = oracle.central_differences("linear_forward", [X, W, b], wrt=2, upstream=dS)
    expect_gradient(db, numerical_db, f"db of {what}", tol=GRADIENT_TOL, batch_size=n,
                    mistakes=mistakes["db"])


@linear_backward_q.check(points=1)
def test_linear_backward_matches_central_differences_on_a_small_example(student, oracle, rng):
    X, W, b = rng.normal(size=(4, 3)), rng.normal(size=(3, 3)), rng.normal(size=3)
    dS = rng.normal(size=(4, 3))
    check_linear_backward(student, oracle, dS, X, W, b,
                          "linear_backward(dS, X, W), X (4, 3), W (3, 3)")


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
                        functions=("softmax_cross_entropy", "softmax_classifier_loss"), points=5)

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
    numerical = oracle.central_differences("softmax_cross_entropy", [S, y], output=0)
    expect_gradient(dS, numerical, f"dS of {what}", tol=GRADIENT_TOL, batch_size=m,
                    mistakes=oracle.softmax_cross_entropy_mistakes(S, y))


def check_classifier(student, oracle, X, y, W, b, what):
    m = X.shape[0]
    result = student.run(softmax_classifier_loss,
                         *probe_arguments(oracle, "network_answers", CLASSIFIER_PIECES, X, y,
                                          {"W1": W, "b1": b}), X, y, W, b)
    loss, dW, db = expect_tuple(result, what, ("loss", "dW", "db"))
    expect_close(loss, oracle.softmax_cross_entropy(oracle.linear_forward(X, W, b), y)[0],
                 f"the loss of {what}", batch_size=m)
    numerical_dW = oracle.central_differences("classifier_loss", [X, y, W, b], wrt=2)
    numerical_db = oracle.central_differences("classifier_loss", [X, y, W, b], wrt=3)
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

mlp_forward_q = Question("lab04.mlp_forward", functions=("mlp_forward",), points=4)


def check_mlp_forward(student, oracle, X, params, what):
    got, X_after, params_after = student.run(
        mlp_forward, *probe_arguments(oracle, "network_answers", FORWARD_PIECES, X, None, params),
        X, params)
    expect_unchanged(X, X_after, f"{what}, argument X")
    for key in params:
        expect_unchanged(params[key], params_after[key], f"{what}, params[{key!r}]")
    expected = oracle.mlp_forward(X, params)
    mistakes = oracle.mlp_forward_mistakes(X, params)
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


# --------------------------------------------------------------------------- mlp backward

mlp_backward_q = Question("lab04.mlp_backward", functions=("mlp_loss_and_gradients",), points=6)


def check_mlp_backward(student, oracle, X, y, params, what, numerical=True):
    result, X_after, params_after = student.run(
        mlp_loss_and_gradients,
        *probe_arguments(oracle, "network_answers", BACKWARD_PIECES, X, y, params), X, y, params)
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
    mistakes = oracle.mlp_backward_mistakes(X, y, params)
    for key in params:
        if numerical:
            expected = oracle.central_differences("mlp_loss_with", [X, y, params, key,
                                                                    params[key]], wrt=4)
            expect_gradient(grads[key], expected, f"grads[{key!r}] of {what}", tol=GRADIENT_TOL,
                            batch_size=m, mistakes=mistakes[key])
        else:
            expect_close(grads[key], reference_grads[key], f"grads[{key!r}] of {what}",
                         batch_size=m, mistakes=mistakes[key])


@mlp_backward_q.check(points=1)
def test_mlp_gradients_of_a_3_layer_network_on_a_small_example(student, oracle, rng):
    X, params = network_off_kinks(oracle, rng, 5, [3, 4, 4, 3])
    check_mlp_backward(student, oracle, X, labels(rng, 5, 3), params,
                       "mlp_loss_and_gradients(X, y, params), layers 3-4-4-3", numerical=False)


# --------------------------------------------------------------------------- gradient check

gradient_check_q = Question("lab04.gradient_check", functions=("gradient_check",), points=4)

PLANTED_ERROR = 0.1 / 2.1   # one gradient entry 10% too large: |1.1g - g| / (|1.1g| + |g|)
CORRECT_BELOW = 1e-6


def planted_problem(oracle, rng: np.random.Generator, ones_column: bool = False
                    ) -> tuple[np.ndarray, np.ndarray, dict, dict]:
    """A tanh network 3-4-2 whose every gradient entry is at least 1e-3 in size: relative
    errors of a correct central difference (h = 1e-5) then stay far below 1e-6. Returns
    its inputs, targets, parameters and gradients. With ``ones_column`` the first input is
    1 for every example."""
    while True:
        n, d, hidden, out = int(rng.integers(4, 8)), int(rng.integers(2, 5)), 4, 2
        X, T = rng.normal(size=(n, d)), rng.normal(size=(n, out))
        if ones_column:
            X[:, 0] = 1.0
        params = random_params(rng, [d, hidden, out])
        grads = oracle.planted_gradients(X, T, params)
        if min(np.abs(g).min() for g in grads.values()) > 1e-3:
            return X, T, params, grads


def run_gradient_check(student, oracle, rng, bug, h=None, problem=None):
    """The student's error for a planted problem (``problem``, else a fresh one), with the
    step ``h`` when one is given (else the default)."""
    X, T, params, grads = problem if problem is not None else planted_problem(oracle, rng)
    step = () if h is None else (h,)
    error, after = student.run(gradient_check, LIBRARY, X, T, grads, params, bug, *step)
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
def test_gradient_check_passes_correct_gradients_and_finds_a_planted_bug(student, oracle, rng):
    expect_correct_gradients_pass(run_gradient_check(student, oracle, rng, ""))
    expect_planted_bug_found(run_gradient_check(student, oracle, rng, "W2"), "grads['W2']")


@gradient_check_q.check(points=1)
def test_gradient_check_finds_a_bug_in_any_parameter(student, oracle, rng):
    for bug in ("W1", "b1"):
        expect_planted_bug_found(run_gradient_check(student, oracle, rng, bug),
                                 f"grads[{bug!r}]")


# --------------------------------------------------------------------------- training

train_q = Question("lab04.train", functions=("train_softmax_classifier",), points=5)


def run_training(student, oracle, X, y, lr, epochs, batch_size, seed):
    """The student's ``(W, b, losses)``, run beside correct pieces."""
    return student.run(train_softmax_classifier,
                       *probe_arguments(oracle, "training_answers", TRAINING_PIECES, X, y, lr,
                                        epochs, batch_size, seed),
                       X, y, lr, epochs, batch_size, seed)


def check_training(student, oracle, X, y, lr, epochs, batch_size, seed, what):
    result = run_training(student, oracle, X, y, lr, epochs, batch_size, seed)
    W, b, losses = expect_tuple(result, what, ("W", "b", "losses"))
    W_ref, b_ref, losses_ref = oracle.train_softmax_classifier(X, y, lr, epochs, batch_size, seed)
    mistakes = oracle.train_mistakes(X, y, lr, epochs, batch_size, seed)
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


# --------------------------------------------------------------------------- edges of the domain
# (issue #19): a potential exactly at the ReLU's kink, parameters in another key order, labels
# missing a class, a step h other than the default.


@mlp_backward_q.check(points=1)
def test_mlp_gradients_take_relu_prime_of_zero_as_zero(student, oracle, rng):
    """Two blank examples (X = 0) meet biases of exactly 0: those hidden potentials sit on
    the kink, where the notebook's relu_backward passes no gradient, 1{s > 0}."""
    n, sizes = 6, [3, 5, 3]
    X, params = network_off_kinks(oracle, rng, n, sizes)
    X[:2] = 0.0
    params["b1"][rng.permutation(sizes[1])[:2]] = 0.0
    y = labels(rng, n, sizes[-1])
    what = "mlp_loss_and_gradients(X, y, params) where some hidden potentials are exactly 0"
    result, _, _ = student.run(
        mlp_loss_and_gradients,
        *probe_arguments(oracle, "network_answers", BACKWARD_PIECES, X, y, params), X, y, params)
    _, grads = expect_tuple(result, what, ("loss", "grads"))
    expect(isinstance(grads, dict) and set(grads) == set(params),
           f"{what}: grads should be a dict with the keys of params, {sorted(params)}.")
    _, expected = oracle.mlp_loss_and_gradients(X, y, params)
    at_zero = oracle.mlp_backward_at_zero_mistakes(X, y, params)
    for key in params:
        expect_close(grads[key], expected[key], f"grads[{key!r}] of {what}", batch_size=n,
                     mistakes=at_zero[key])


@mlp_forward_q.check(points=1)
def test_mlp_forward_for_params_in_another_key_order(student, oracle, rng):
    X = rng.normal(size=(5, 4))
    params = dict(reversed(random_params(rng, [4, 3, 3, 2]).items()))
    check_mlp_forward(student, oracle, X, params, "mlp_forward(X, params), layers 4-3-3-2, "
                      f"params in the key order {list(params)} (take each by its name)")


@mlp_backward_q.check(points=1)
def test_mlp_gradients_for_params_in_another_key_order(student, oracle, rng):
    X, params = network_off_kinks(oracle, rng, 5, [3, 4, 4, 3])
    params = dict(reversed(params.items()))
    check_mlp_backward(student, oracle, X, labels(rng, 5, 3), params,
                       "mlp_loss_and_gradients(X, y, params), layers 3-4-4-3, params in the "
                       f"key order {list(params)} (take each by its name)", numerical=False)


@classifier_q.check(points=1)
def test_softmax_cross_entropy_for_a_batch_without_the_last_class(student, oracle, rng):
    n, _, k = random_layer(rng)
    k = max(k, 3)
    S, y = rng.normal(0.0, 2.0, size=(n, k)), labels(rng, n, k - 1)
    check_softmax_cross_entropy(student, oracle, S, y, f"softmax_cross_entropy(S, y), S {S.shape}, "
                                f"no label {k - 1} in y (K is S's number of columns)")


@train_q.check(points=1)
def test_training_when_no_example_has_some_class(student, oracle, rng):
    X, y = classification_problem(rng, 24, 3, 3)
    y = np.where(y >= 1, y + 1, y)   # classes 0, 2 and 3: K = max(y) + 1 = 4, class 1 unseen
    check_training(student, oracle, X, y, 0.3, 3, 7, 5,
                   "train_softmax_classifier(X, y, lr=0.3, epochs=3, batch_size=7, seed=5), "
                   "labels {0, 2, 3}: K = max(y) + 1 = 4")


@gradient_check_q.check(points=1)
def test_gradient_check_takes_the_step_h_it_is_given(student, oracle, rng):
    # W1's first row, on an input of ones, errs exactly as b1 does, and W2, b2 (the loss is
    # quadratic in them) not at all: the largest error is a weight's, whether or not the
    # biases are checked (another check asks that they are).
    problem, h = planted_problem(oracle, rng, ones_column=True), 1e-2
    error = run_gradient_check(student, oracle, rng, "", h=h, problem=problem)
    expected = oracle.planted_error(*problem, h)
    what = f"gradient_check(f, params, h={h:g}) for correct gradients"
    expect(error > expected / 100,
           f"{what} returned {error:.3g}; with a step of {h:g} central differences are off by "
           f"O(h^2), a largest relative error of {expected:.3g} here: take the step from the "
           "argument h, not a fixed 1e-5.")
    expect_close(error, expected, what, rtol=1e-3, atol=0.0)
