"""Lab 02: backpropagation, the chain rule and gradient checking (lecture topics 7-10): the
visible checks.

Hand-derived gradients (``f = (x + y) z``, ``sin x^2``, the sum over paths,
``L(w1, w2)`` and the 2-2-1 network of lecture 002) are judged against central
differences of the answer key's forward function (the ``oracle``); the scalar autograd
``Value`` is judged by probes that build expressions with the student's class in the
worker and return the leaves' gradients, which are compared with central
differences of the same expression in plain floats; the gradient checker is
judged by what it must do: agree with exact derivatives, and tell a right
analytic gradient (small relative error) from a planted bug (large). The hidden
checks (instructor's side) add random points and shapes.

Feedback names the wrong variants students commonly write (``mistakes``, from the answer key).
"""

from __future__ import annotations

import numpy as np

from nnlabs.draws import off_zero
from nnlabs.expect import (
    F32,
    expect,
    expect_close,
    expect_dtype,
    expect_gradient_near,
    expect_numbers,
)
from nnlabs.registry import Question

# --------------------------------------------------------------------------- f = (x + y) z

add_mul = Question("lab02.add_mul_gradients", functions=("add_mul_gradients",), points=2)


def check_add_mul(student, oracle, x, y, z):
    what = f"add_mul_gradients({x:.4g}, {y:.4g}, {z:.4g})"
    got = expect_numbers(student.add_mul_gradients(x, y, z), 3, what, "df/dx, df/dy, df/dz")
    numerical = oracle.central_differences("add_mul", [np.array([x, y, z])])
    expect_gradient_near(got, numerical, what, mistakes=oracle.add_mul_mistakes(x, y, z))
    expect_close(got, np.array(oracle.add_mul_gradients(x, y, z)), what)


@add_mul.check(points=1)
def test_add_mul_gradients_at_the_lectures_point(student, oracle):
    check_add_mul(student, oracle, -2.0, 5.0, -4.0)


# --------------------------------------------------------------------------- sin x^2

sin_square = Question("lab02.sin_square_derivative", functions=("sin_square_derivative",),
                      points=3)


def check_sin_square(student, oracle, x, what):
    numerical = oracle.central_differences("sin_square", [x], upstream=np.ones_like(x))
    expect_gradient_near(student.sin_square_derivative(x), numerical, what,
                         mistakes=oracle.sin_square_mistakes(x))


@sin_square.check(points=1)
def test_sin_square_derivative_on_a_small_example(student, oracle, rng):
    check_sin_square(student, oracle, off_zero(rng, (5,), 0.2, 2.0),
                     "sin_square_derivative(x), shape (5,)")


@sin_square.check(points=1)
def test_sin_square_derivative_keeps_float32_and_its_input(student, oracle, rng):
    x = off_zero(rng, (3, 4), 0.2, 2.0).astype(np.float32)
    got, (after,) = student.call_returning_args("sin_square_derivative", x)
    expect(isinstance(after, np.ndarray) and np.array_equal(after, x),
           "sin_square_derivative(x) modified its input array in place; build a new array.",
           "modified-input")
    expected = oracle.sin_square_derivative64(x)
    expect_close(got, expected, "sin_square_derivative(x) for float32 x", **F32)
    expect_dtype(got, np.float32, "sin_square_derivative(x) for float32 x")


# --------------------------------------------------------------------------- sum over paths

paths = Question("lab02.sum_over_paths", functions=("sum_over_paths",), points=2)


def check_paths(student, oracle, x, what):
    numerical = oracle.central_differences("paths_product", [x], upstream=np.ones_like(x))
    expect_gradient_near(student.sum_over_paths(x), numerical, what,
                         mistakes=oracle.paths_mistakes(x))


@paths.check(points=1)
def test_sum_over_paths_on_a_small_example(student, oracle, rng):
    check_paths(student, oracle, off_zero(rng, (5,), 0.2, 2.0), "sum_over_paths(x), shape (5,)")


# --------------------------------------------------------------------------- L(w1, w2)

two_weights = Question("lab02.two_weight_gradients", functions=("two_weight_gradients",),
                       points=3)


def check_two_weights(student, oracle, w1, w2, x, y):
    what = f"two_weight_gradients({w1:.4g}, {w2:.4g}, {x:.4g}, {y:.4g})"
    got = expect_numbers(student.two_weight_gradients(w1, w2, x, y), 2, what, "dL/dw1, dL/dw2")
    numerical = oracle.central_differences("two_weight_loss_of_w", [np.array([w1, w2]), x, y])
    expect_gradient_near(got, numerical, what,
                         mistakes=oracle.two_weight_mistakes(w1, w2, x, y))


@two_weights.check(points=1)
def test_two_weight_gradients_on_a_small_example(student, oracle, rng):
    w1, w2, x = (float(v) for v in off_zero(rng, 3, 0.3, 1.5))
    check_two_weights(student, oracle, w1, w2, x, float(rng.uniform(0.0, 1.0)))


# --------------------------------------------------------------------------- the 2-2-1 network

network = Question("lab02.network_gradients", functions=("network_gradients",), points=4)


def check_network(student, oracle, w, b, x, y, what):
    got = student.network_gradients(w, b, x, y)
    expect(isinstance(got, (tuple, list)) and len(got) == 2,
           f"{what} should return a pair (dL/dw of shape (6,), dL/db of shape (3,)).")
    numerical_w = oracle.central_differences("network_loss", [w, b, x, y], wrt=0)
    numerical_b = oracle.central_differences("network_loss", [w, b, x, y], wrt=1)
    mistakes = oracle.network_mistakes(w, b, x, y)
    expect_gradient_near(got[0], numerical_w, f"dL/dw of {what}",
                         mistakes={k: v[:6] for k, v in mistakes.items()})
    expect_gradient_near(got[1], numerical_b, f"dL/db of {what}",
                         mistakes={k: v[6:] for k, v in mistakes.items()})


def random_network(rng: np.random.Generator) -> tuple:
    return (off_zero(rng, 6, 0.2, 1.5), off_zero(rng, 3, 0.1, 0.5), off_zero(rng, 2, 0.3, 2.0),
            float(rng.uniform(0.0, 1.0)))


@network.check(points=1)
def test_network_gradients_on_a_small_example(student, oracle, rng):
    w, b, x, y = random_network(rng)
    check_network(student, oracle, w, b, x, y, "network_gradients(w, b, x, y)")


@network.check(points=1)
def test_network_gradients_do_not_modify_the_inputs(student, oracle, rng):
    w, b, x, y = random_network(rng)
    _, after = student.call_returning_args("network_gradients", w, b, x, y)
    for name, before, now in zip("wbx", (w, b, x), after[:3], strict=True):
        expect(isinstance(now, np.ndarray) and np.array_equal(now, before),
               f"network_gradients modified its input {name} in place; work on copies.",
               "modified-input")
    check_network(student, oracle, w, b, x, y, "network_gradients(w, b, x, y)")


# --------------------------------------------------------------------------- Value

value = Question("lab02.value", functions=("Value",), points=6)

# Each expression's number of inputs (the probe builds it with the student's Value; the
# answer key evaluates the same expression in plain floats). In those named after one
# operation, the last input c multiplies the operation's result: its backward receives
# out.grad = c, not 1, so a backward that divides by out.grad, adds it or drops it (all
# right where out.grad = 1) shows.
ARITY = {"lecture": 3, "reused": 1, "add": 3, "mul": 3, "square": 2, "pow": 2, "exp": 3,
         "tanh": 3, "relu": 3, "shared": 2, "neuron": 5}
OPERATIONS = ("add", "mul", "square", "pow", "exp", "tanh", "relu")

WHAT_IT_TESTS = {
    "lecture": "f = (x + y) * z",
    "reused": "b = a + a; c = b + b (a node used twice: its gradients add up, +=)",
    "add": "(a + b) * c (the sum receives the upstream gradient c)",
    "mul": "(a * b) * c (the inner product receives the upstream gradient c)",
    "square": "(a * a) * c (both inputs of the product are the same node: +=, not =)",
    "pow": "(a ** 3 + 2 * a ** -1) * c (d(a^k)/da = k a^(k - 1), times the upstream gradient)",
    "exp": "(a * b).exp() * c (d e^s/ds = e^s, times the upstream gradient c)",
    "tanh": "(a + b).tanh() * c (d tanh(s)/ds = 1 - tanh(s)^2, from the output, times c)",
    "relu": "((a * b).relu() + (a - b).relu()) * c (ReLU' = 1 for s > 0, else 0, times c)",
    "shared": "u = a * b; u.tanh() + u * u * 3 (u feeds two branches: backward must visit "
              "the nodes in reverse topological order, so that u's gradient is complete "
              "before it is passed on)",
    "neuron": "(w1 * x1 + w2 * x2 + b).tanh()",
}


def probe_value_expression(namespace, expression, inputs):
    """Build ``expression`` from the student's ``Value``, backpropagate, return data and grads."""
    Value = namespace["Value"]
    leaves = [Value(float(v)) for v in inputs]
    if expression in ("lecture", "add"):
        x, y, z = leaves
        out = (x + y) * z
    elif expression == "reused":
        (a,) = leaves
        b = a + a
        out = b + b
    elif expression == "mul":
        a, b, c = leaves
        out = (a * b) * c
    elif expression == "square":
        a, c = leaves
        out = (a * a) * c
    elif expression == "pow":
        a, c = leaves
        out = (a ** 3 + a ** -1 * 2.0) * c
    elif expression == "exp":
        a, b, c = leaves
        out = (a * b).exp() * c
    elif expression == "tanh":
        a, b, c = leaves
        out = (a + b).tanh() * c
    elif expression == "relu":
        a, b, c = leaves
        out = ((a * b).relu() + (a + b * -1.0).relu()) * c
    elif expression == "shared":
        a, b = leaves
        u = a * b
        out = u.tanh() + u * u * 3.0
    else:
        w1, x1, w2, x2, bias = leaves
        out = (w1 * x1 + w2 * x2 + bias).tanh()
    out.backward()
    return {"data": float(out.data), "grads": [float(leaf.grad) for leaf in leaves]}


def check_value(student, oracle, expression: str, inputs: np.ndarray) -> None:
    what = f"Value: {WHAT_IT_TESTS[expression]}, at {np.round(inputs, 4).tolist()}"
    result = student.run(probe_value_expression, expression, inputs)
    expect_close(np.array(result["data"]), np.array(oracle.value_forward(expression, inputs)),
                 f"the forward value of {what}")
    numerical = oracle.central_differences("value_forward", [expression, inputs], wrt=1)
    expect_gradient_near(np.array(result["grads"]), numerical, f"the leaves' grad of {what}",
                         mistakes=oracle.value_mistakes(expression, inputs, numerical))


def operation_inputs(rng: np.random.Generator, expression: str) -> np.ndarray:
    """Inputs for one operation's expression: off zero, and an upstream gradient c with
    1.5 <= |c| <= 3, far from 1 (where c, 1/c and nothing agree). For ``relu``, off the kinks
    and with one ReLU passing its gradient and the other blocking it."""
    arity = ARITY[expression]
    while True:
        inputs = off_zero(rng, arity, 0.3, 1.5)
        inputs[-1] = off_zero(rng, 1, 1.5, 3.0)[0]
        a, b = inputs[:2]
        if expression != "relu" or (abs(a - b) >= 0.1 and (a * b > 0) != (a - b > 0)):
            return inputs


@value.check(points=1)
def test_value_backpropagates_the_lectures_graph(student, oracle, rng):
    check_value(student, oracle, "lecture", rng.normal(0.0, 3.0, size=3))


@value.check(points=1)
def test_value_accumulates_the_gradient_of_a_reused_node(student, oracle, rng):
    check_value(student, oracle, "reused", off_zero(rng, 1, 0.5, 2.0))


@value.check(points=1)
def test_value_operations_each_multiply_a_random_upstream_gradient(student, oracle, rng):
    for expression in OPERATIONS:
        check_value(student, oracle, expression, operation_inputs(rng, expression))


@value.check(points=1)
def test_value_relu_at_exactly_zero_gives_zero_and_passes_no_gradient(student, oracle, rng):
    """((a * b).relu() + (a - b).relu()) * c with a = b (the second ReLU's input is exactly
    0), then with a = 0 (the first one's): relu(0) = 0, and its local gradient there is 0."""
    a, c = off_zero(rng, 1, 0.3, 1.5)[0], off_zero(rng, 1, 1.5, 3.0)[0]
    for inputs in (np.array([a, a, c]), np.array([0.0, abs(a), c])):
        what = (f"Value: {WHAT_IT_TESTS['relu']}, at {np.round(inputs, 4).tolist()}, where a "
                "ReLU's input is exactly 0")
        result = student.run(probe_value_expression, "relu", inputs)
        expect_close(np.array(result["data"]), np.array(oracle.value_forward("relu", inputs)),
                     f"the forward value of {what}")
        expect_close(np.array(result["grads"]), oracle.value_gradients("relu", inputs),
                     f"the leaves' grad of {what}",
                     mistakes=oracle.value_relu_at_zero_mistakes(inputs))


# --------------------------------------------------------------------------- gradient check

gradcheck = Question("lab02.gradient_check",
                     functions=("numerical_gradient", "relative_error", "gradient_check"),
                     points=10)


def probe_numerical_gradient(namespace, function, x, h):
    """The student's numerical gradient of a known function; and ``x`` after the call."""
    if function == "cubic":
        def f(v):
            return float(np.sum(v**3))
    else:
        def f(v):
            weights = np.arange(1, v.size + 1).reshape(v.shape)
            return float(np.sin(np.sum(v * weights)) + np.sum(v**2))
    x_in = np.array(x)
    grad = namespace["numerical_gradient"](f, x_in, h=h)
    return {"grad": np.asarray(grad, dtype=np.float64), "x_after": x_in}


def probe_gradient_check(namespace, x, h):
    """The student's checker on f(v) = sum(sin(v^2)) with the right gradient and planted
    bugs; and on f(v) = sum(v[1:]^2), whose gradient has an exact 0 (0 / 0 needs a guard)."""
    def f(v):
        return float(np.sum(np.sin(v**2)))

    candidates = {
        "right": lambda v: 2 * v * np.cos(v**2),
        "missing inner derivative": lambda v: np.cos(v**2),
        "sign flipped": lambda v: -2 * v * np.cos(v**2),
        "one entry off by 1%": lambda v: 2 * v * np.cos(v**2) * np.where(
            np.arange(v.size) == v.size - 1, 1.01, 1.0),
    }
    errors = {name: float(namespace["gradient_check"](f, grad, np.array(x), h=h))
              for name, grad in candidates.items()}

    def g(v):
        return float(np.sum(v[1:] ** 2))

    def g_grad(v):
        out = 2 * v
        out[0] = 0.0
        return out

    errors["right, with an exact 0"] = float(namespace["gradient_check"](g, g_grad, np.array(x),
                                                                         h=h))
    return errors


def probe_gradient_check_of_a_list(namespace, point):
    """The student's checker on f(v) = sum(sin(v^2)) and its right gradient, at ``point``
    given as a list of integers."""
    def f(v):
        return float(np.sum(np.sin(v**2)))

    return float(namespace["gradient_check"](f, lambda v: 2 * v * np.cos(v**2), point))


def check_numerical_gradient(student, oracle, function, x, h, exact, what):
    result = student.run(probe_numerical_gradient, function, x, h)
    expect(np.array_equal(result["x_after"], x),
           f"{what} modified x: restore every entry after perturbing it (or perturb a copy).",
           "x-not-restored")
    expect_close(result["grad"], exact, what, rtol=1e-7, atol=1e-7,
                 mistakes=oracle.numerical_gradient_mistakes(function, x, h))


@gradcheck.check(points=1)
def test_numerical_gradient_of_a_cubic(student, oracle, rng):
    x = off_zero(rng, 4, 0.5, 2.0)
    check_numerical_gradient(student, oracle, "cubic", x, 1e-5, 3 * x**2,
                             "numerical_gradient(f, x) for f(x) = sum(x^3), x of shape (4,)")


@gradcheck.check(points=1)
def test_numerical_gradient_uses_the_step_h(student, oracle, rng):
    x, h = off_zero(rng, 3, 0.5, 2.0), 1e-2
    # (x + h)^3 - (x - h)^3 = 6 x^2 h + 2 h^3: the central difference is 3 x^2 + h^2.
    what = "numerical_gradient(f, x, h=1e-2) for f(x) = sum(x^3)"
    result = student.run(probe_numerical_gradient, "cubic", x, h)
    expect_close(result["grad"], 3 * x**2 + h**2, what, rtol=1e-9,
                 mistakes={"it is 3x^2 + h'^2 for a step h' other than the h you were "
                           "given: use the argument h.": 3 * x**2 + 1e-10,
                           **oracle.numerical_gradient_mistakes("cubic", x, h)})


@gradcheck.check(points=1)
def test_relative_error_on_a_small_example(student, oracle, rng):
    a = off_zero(rng, 5, 0.1, 2.0)  # |a| + |b| >= 0.1: the guard 1e-8 never decides here
    b = a * (1 + rng.normal(0.0, 0.1, size=5))
    expect_close(student.relative_error(a, b), oracle.relative_error(a, b),
                 "relative_error(a, b) for a, b of shape (5,)",
                 mistakes=oracle.relative_error_mistakes(a, b))


@gradcheck.check(points=1)
def test_relative_error_where_the_guard_decides(student, oracle, rng):
    """Entries whose |a| + |b| is below, at and above the guard 1e-8: the guard replaces a
    small denominator, it is not added to every one."""
    a = np.array([2e-9, 6e-9, 3e-8, 0.0]) * rng.uniform(0.8, 1.2, size=4)
    b = a * np.array([0.25, 0.5, 0.6, 1.0])
    expect_close(student.relative_error(a, b), oracle.relative_error(a, b),
                 "relative_error(a, b) for entries of size about 1e-8", rtol=1e-9,
                 mistakes=oracle.relative_error_mistakes(a, b))


def check_gradient_check(student, x, what):
    errors = student.run(probe_gradient_check, x, 1e-5)
    for name in ("right", "right, with an exact 0"):
        error = errors[name]
        expect(bool(np.isfinite(error)),
               f"{what}: for a right gradient with an exact 0 entry it reported {error}: "
               "0 / 0 is nan; guard the denominator, max(|a| + |b|, 1e-8).",
               "relative-error-without-guard")
        expect(error < 1e-7, f"{what}: for the right gradient it reported a relative error "
               f"of {error:.3g}; central differences with h = 1e-5 agree to ~1e-9. A "
               "one-sided difference (error O(h)) or a missing guard would explain it.")
    for name in ("missing inner derivative", "sign flipped", "one entry off by 1%"):
        expect(errors[name] > 1e-3, f"{what}: for a wrong gradient ({name}) it reported "
               f"a relative error of only {errors[name]:.3g}; a checker must expose it. "
               "Report the largest elementwise relative error: report the largest one.",
               "checker-misses-a-wrong-gradient")


@gradcheck.check(points=1)
def test_gradient_check_accepts_a_list_of_integers(student, rng):
    point = [int(v) for v in rng.choice([-3, -2, -1, 1, 2, 3], size=4)]
    error = student.run(probe_gradient_check_of_a_list, point)
    expect(isinstance(error, float) and error < 1e-7,
           f"gradient_check(f, grad_f, x={point}), a list of integers, for the right gradient "
           f"of f = sum(sin(x^2)): it reported {error!r}, not an error below 1e-7. Convert x "
           "to a float array first (np.array(x, dtype=float)): an integer array truncates "
           "x + h to x.")


@gradcheck.check(points=1)
def test_gradient_check_tells_right_from_wrong_gradients(student, rng):
    check_gradient_check(student, off_zero(rng, 4, 0.3, 1.1),
                         "gradient_check on f = sum(sin(x^2))")


# --------------------------------------------------------------------------- edges of the domain
# (issue #19): an optional argument at a value other than its default.


def probe_gradient_check_with_step(namespace, x, h):
    """The student's checker on f(v) = sum(v^3) and its right gradient 3 v^2, with step h."""
    def f(v):
        return float(np.sum(v**3))

    return float(namespace["gradient_check"](f, lambda v: 3 * v**2, np.array(x), h=h))


@gradcheck.check(points=1)
def test_gradient_check_passes_its_step_h_on(student, rng):
    x, h = off_zero(rng, 3, 0.5, 2.0), 1e-2
    # The central difference of sum(x^3) is 3 x^2 + h^2: an error h^2 / (6 x^2 + h^2).
    expected = float(np.max(h**2 / (6 * x**2 + h**2)))
    error = student.run(probe_gradient_check_with_step, x, h)
    expect(abs(error - expected) <= 1e-5 * expected,
           f"gradient_check(f, grad_f, x, h={h:g}) for f = sum(x^3) and its right gradient "
           f"3 x^2 reported {error:.4g}; with that step the central difference is 3 x^2 + h^2, "
           f"a relative error of {expected:.4g}. Pass h on: numerical_gradient(f, x, h).")
