"""Lab 02: backpropagation, the chain rule and gradient checking (lecture topics 7-10).

Hand-derived gradients (``f = (x + y) z``, ``sin x^2``, the sum over paths,
``L(w1, w2)`` and the 2-2-1 network of lecture 002) are judged against central
differences of the *reference* forward function; the scalar autograd ``Value``
is judged by probes that build expressions with the student's class in the
worker and return the leaves' gradients, which are compared with central
differences of the same expression in plain floats; the gradient checker is
judged by what it must do: agree with exact derivatives, and tell a right
analytic gradient (small relative error) from a planted bug (large).

Feedback names the wrong variants students commonly write (``mistakes``).
"""

from __future__ import annotations

import math

import numpy as np

from autograder.expect import (
    CheckFailed,
    expect,
    expect_close,
    expect_dtype,
    expect_gradient,
)
from autograder.registry import Question
from reference.gradcheck import numerical_gradient

ORACLE_MODULES = ("reference.chain_rule", "reference.graph", "reference.gradcheck")

# Central differences with a step of 1e-4: O(h^2) error ~1e-9 relative, rounding ~1e-12,
# so a correct gradient is within GRADIENT_TOL (relative, elementwise); wrong ones are far off.
STEP = 1e-4
GRADIENT_TOL = 1e-5
F32 = {"rtol": 1e-4, "atol": 1e-6}

UPSTREAM_TIMES_LOCAL = ("downstream gradient = upstream gradient x local gradient: "
                        "multiply every local derivative along the path.")


# --------------------------------------------------------------------------- helpers


def expect_numbers(result: object, count: int, what: str, names: str) -> np.ndarray:
    """``result`` is a tuple (or list) of ``count`` numbers; returned as a float64 array."""
    kind = (f"a {type(result).__name__} of length {len(result)}"
            if isinstance(result, (tuple, list)) else f"a {type(result).__name__}")
    expect(isinstance(result, (tuple, list)) and len(result) == count,
           f"{what} should return a tuple of {count} numbers ({names}); got {kind}.")
    try:
        values = np.array([float(np.asarray(v).reshape(())) for v in result])
    except (TypeError, ValueError):
        raise CheckFailed(f"{what} should return {count} numbers ({names}).") from None
    return values


def expect_gradient_near(got: object, numerical: np.ndarray, what: str, **kwargs) -> None:
    expect_gradient(got, numerical, what, tol=GRADIENT_TOL, **kwargs)


def off_zero(rng: np.random.Generator, shape, low: float = 0.2, high: float = 2.0) -> np.ndarray:
    """Values with ``low <= |x| <= high`` and random signs."""
    return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(low, high, size=shape)


def random_shape(rng: np.random.Generator) -> tuple[int, ...]:
    return tuple(int(n) for n in rng.integers(2, 5, size=int(rng.integers(1, 3))))


# --------------------------------------------------------------------------- f = (x + y) z

add_mul = Question("lab02.add_mul_gradients", functions=("add_mul_gradients",))


def add_mul_mistakes(x: float, y: float, z: float) -> dict:
    q = x + y
    return {
        "it is (x + y, x + y, z): the local gradients of f = q z are swapped; df/dq = z and "
        "df/dz = q.": [q, q, z],
        "it is (1, 1, x + y): dq/dx = 1 is only the local gradient; multiply it by the "
        "upstream gradient df/dq = z.": [1.0, 1.0, q],
        "it is the lecture's answer (-4, -4, 3) at every point: return the gradient as a "
        "function of (x, y, z), not the numbers of the example.": [-4.0, -4.0, 3.0],
    }


def check_add_mul(student, oracle, x, y, z):
    what = f"add_mul_gradients({x:.4g}, {y:.4g}, {z:.4g})"
    got = expect_numbers(student.add_mul_gradients(x, y, z), 3, what, "df/dx, df/dy, df/dz")
    numerical = numerical_gradient(lambda v: (v[0] + v[1]) * v[2], np.array([x, y, z]), h=STEP)
    expect_gradient_near(got, numerical, what, mistakes=add_mul_mistakes(x, y, z))
    expect_close(got, np.array(oracle.add_mul_gradients(x, y, z)), what)


@add_mul.check(points=1)
def test_add_mul_gradients_at_the_lectures_point(student, oracle):
    check_add_mul(student, oracle, -2.0, 5.0, -4.0)


@add_mul.check(points=1, hidden=True)
def test_add_mul_gradients_at_random_points(student, oracle, rng):
    for x, y, z in rng.normal(0.0, 3.0, size=(4, 3)):
        check_add_mul(student, oracle, float(x), float(y), float(z))


# --------------------------------------------------------------------------- sin x^2

sin_square = Question("lab02.sin_square_derivative", functions=("sin_square_derivative",))


def sin_square_mistakes(x: np.ndarray) -> dict:
    return {
        "it is cos(x^2): the inner derivative d(x^2)/dx = 2x is missing (chain rule: "
        "d sin(u)/du * du/dx).": np.cos(x**2),
        "it is 2x cos(x): the outer derivative cos is evaluated at x, not at the inner "
        "function's value u = x^2.": 2 * x * np.cos(x),
        "it is -2x sin(x^2): d sin(u)/du = cos(u), not -sin(u).": -2 * x * np.sin(x**2),
    }


def check_sin_square(student, x, what):
    numerical = numerical_gradient(lambda v: np.sin(v**2), x, np.ones_like(x), h=STEP)
    expect_gradient_near(student.sin_square_derivative(x), numerical, what,
                         mistakes=sin_square_mistakes(x))


@sin_square.check(points=1)
def test_sin_square_derivative_on_a_small_example(student, rng):
    check_sin_square(student, off_zero(rng, (5,)), "sin_square_derivative(x), shape (5,)")


@sin_square.check(points=1, hidden=True)
def test_sin_square_derivative_on_random_shapes(student, rng):
    x = off_zero(rng, random_shape(rng), 0.05, 3.0)
    check_sin_square(student, x, f"sin_square_derivative(x), shape {x.shape}")


@sin_square.check(points=1)
def test_sin_square_derivative_keeps_float32_and_its_input(student, rng):
    x = off_zero(rng, (3, 4)).astype(np.float32)
    got, (after,) = student.call_returning_args("sin_square_derivative", x)
    expect(isinstance(after, np.ndarray) and np.array_equal(after, x),
           "sin_square_derivative(x) modified its input array in place; build a new array.")
    expected = 2 * x.astype(np.float64) * np.cos(x.astype(np.float64) ** 2)
    expect_close(got, expected, "sin_square_derivative(x) for float32 x", **F32)
    expect_dtype(got, np.float32, "sin_square_derivative(x) for float32 x")


# --------------------------------------------------------------------------- sum over paths

paths = Question("lab02.sum_over_paths", functions=("sum_over_paths",))


def paths_mistakes(x: np.ndarray) -> dict:
    return {
        "it is x^2 cos x, the path through f = sin x only: add the path through g = x^2, "
        "dh/dg dg/dx = sin(x) 2x (one term per path).": x**2 * np.cos(x),
        "it is sin(x) 2x, the path through g = x^2 only: add the path through f = sin x, "
        "dh/df df/dx = x^2 cos x (one term per path).": np.sin(x) * 2 * x,
        "it is cos(x) 2x, the product of the two paths' local gradients: paths add, "
        "dh/dx = dh/df df/dx + dh/dg dg/dx.": np.cos(x) * 2 * x,
    }


def check_paths(student, x, what):
    numerical = numerical_gradient(lambda v: np.sin(v) * v**2, x, np.ones_like(x), h=STEP)
    expect_gradient_near(student.sum_over_paths(x), numerical, what, mistakes=paths_mistakes(x))


@paths.check(points=1)
def test_sum_over_paths_on_a_small_example(student, rng):
    check_paths(student, off_zero(rng, (5,)), "sum_over_paths(x), shape (5,)")


@paths.check(points=1, hidden=True)
def test_sum_over_paths_on_random_shapes(student, rng):
    x = off_zero(rng, random_shape(rng), 0.1, 4.0)
    check_paths(student, x, f"sum_over_paths(x), shape {x.shape}")


# --------------------------------------------------------------------------- L(w1, w2)

two_weights = Question("lab02.two_weight_gradients", functions=("two_weight_gradients",))


def two_weight_mistakes(w1: float, w2: float, x: float, y: float) -> dict:
    f1 = math.tanh(w1 * x)
    f2 = 1.0 / (1.0 + math.exp(-w2 * f1))
    d2 = 2 * (f2 - y) * f2 * (1 - f2)
    return {
        "dL/df2 lost its factor 2: d(f2 - y)^2/df2 = 2 (f2 - y).": [d2 * w2 * (1 - f1**2) * x / 2,
                                                                   d2 * f1 / 2],
        "the derivative of the output sigmoid, f2 (1 - f2), is missing.":
            [2 * (f2 - y) * w2 * (1 - f1**2) * x, 2 * (f2 - y) * f1],
        "dL/dw1 misses the local gradient d(w2 f1)/df1 = w2.": [d2 * (1 - f1**2) * x, d2 * f1],
        "dL/dw1 misses the tanh derivative 1 - f1^2.": [d2 * w2 * x, d2 * f1],
        "both have the opposite sign: dL/df2 = 2 (f2 - y), not 2 (y - f2).":
            [-d2 * w2 * (1 - f1**2) * x, -d2 * f1],
    }


def check_two_weights(student, oracle, w1, w2, x, y):
    what = f"two_weight_gradients({w1:.4g}, {w2:.4g}, {x:.4g}, {y:.4g})"
    got = expect_numbers(student.two_weight_gradients(w1, w2, x, y), 2, what, "dL/dw1, dL/dw2")
    numerical = numerical_gradient(lambda v: oracle.two_weight_loss(v[0], v[1], x, y),
                                   np.array([w1, w2]), h=STEP)
    expect_gradient_near(got, numerical, what, mistakes=two_weight_mistakes(w1, w2, x, y))


@two_weights.check(points=1)
def test_two_weight_gradients_on_a_small_example(student, oracle, rng):
    w1, w2, x = (float(v) for v in off_zero(rng, 3, 0.3, 1.5))
    check_two_weights(student, oracle, w1, w2, x, float(rng.uniform(0.0, 1.0)))


@two_weights.check(points=2, hidden=True)
def test_two_weight_gradients_at_random_points(student, oracle, rng):
    for _ in range(3):
        w1, w2, x = (float(v) for v in off_zero(rng, 3, 0.2, 2.0))
        check_two_weights(student, oracle, w1, w2, x, float(rng.uniform(0.0, 1.0)))


# --------------------------------------------------------------------------- the 2-2-1 network

network = Question("lab02.network_gradients", functions=("network_gradients",))


def network_mistakes(w: np.ndarray, b: np.ndarray, x: np.ndarray, y: float) -> dict:
    h1 = np.tanh(w[0] * x[0] + w[1] * x[1] + b[0])
    h2 = np.tanh(w[2] * x[0] + w[3] * x[1] + b[1])
    o1 = 1.0 / (1.0 + np.exp(-(w[4] * h1 + w[5] * h2 + b[2])))

    def grads(do, d1, d2):
        return np.array([d1 * x[0], d1 * x[1], d2 * x[0], d2 * x[1], do * h1, do * h2,
                         d1, d2, do])

    do = 2 * (o1 - y) * o1 * (1 - o1)
    return {
        "the hidden deltas use the wrong outgoing weight: h1 reaches o1 through w5, h2 "
        "through w6.": grads(do, do * w[5] * (1 - h1**2), do * w[4] * (1 - h2**2)),
        "the hidden units' derivative f'(s) = 1 - h^2 is missing.":
            grads(do, do * w[4], do * w[5]),
        "the output's derivative g'(s3) = o1 (1 - o1) is missing.":
            grads(2 * (o1 - y), 2 * (o1 - y) * w[4] * (1 - h1**2),
                  2 * (o1 - y) * w[5] * (1 - h2**2)),
        "dL/do1 lost its factor 2: d(o1 - y)^2/do1 = 2 (o1 - y).":
            grads(do / 2, do / 2 * w[4] * (1 - h1**2), do / 2 * w[5] * (1 - h2**2)),
    }


def check_network(student, oracle, w, b, x, y, what):
    got = student.network_gradients(w, b, x, y)
    expect(isinstance(got, (tuple, list)) and len(got) == 2,
           f"{what} should return a pair (dL/dw of shape (6,), dL/db of shape (3,)).")
    numerical_w = numerical_gradient(lambda v: oracle.network_loss(v, b, x, y), w, h=STEP)
    numerical_b = numerical_gradient(lambda v: oracle.network_loss(w, v, x, y), b, h=STEP)
    mistakes = network_mistakes(w, b, x, y)
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


@network.check(points=2, hidden=True)
def test_network_gradients_at_random_points(student, oracle, rng):
    for _ in range(3):
        w, b, x, y = random_network(rng)
        check_network(student, oracle, w, b, x, y, "network_gradients(w, b, x, y)")


@network.check(points=1)
def test_network_gradients_do_not_modify_the_inputs(student, oracle, rng):
    w, b, x, y = random_network(rng)
    _, after = student.call_returning_args("network_gradients", w, b, x, y)
    for name, before, now in zip("wbx", (w, b, x), after[:3], strict=True):
        expect(isinstance(now, np.ndarray) and np.array_equal(now, before),
               f"network_gradients modified its input {name} in place; work on copies.")
    check_network(student, oracle, w, b, x, y, "network_gradients(w, b, x, y)")


# --------------------------------------------------------------------------- Value

value = Question("lab02.value", functions=("Value",))

# Each expression: its arity and its forward pass in plain floats (the probe builds the same
# expression with the student's Value). In those named after one operation, the last input c
# multiplies the operation's result: its backward receives out.grad = c, not 1, so a backward
# that divides by out.grad, adds it or drops it (all right where out.grad = 1) shows.
EXPRESSIONS = {
    "lecture": (3, lambda v: (v[0] + v[1]) * v[2]),
    "reused": (1, lambda v: (v[0] + v[0]) + (v[0] + v[0])),
    "add": (3, lambda v: (v[0] + v[1]) * v[2]),
    "mul": (3, lambda v: (v[0] * v[1]) * v[2]),
    "square": (2, lambda v: (v[0] * v[0]) * v[1]),
    "pow": (2, lambda v: (v[0] ** 3 + 2.0 * v[0] ** -1) * v[1]),
    "exp": (3, lambda v: math.exp(v[0] * v[1]) * v[2]),
    "tanh": (3, lambda v: math.tanh(v[0] + v[1]) * v[2]),
    "relu": (3, lambda v: (max(0.0, v[0] * v[1]) + max(0.0, v[0] - v[1])) * v[2]),
    "shared": (2, lambda v: math.tanh(v[0] * v[1]) + (v[0] * v[1]) * (v[0] * v[1]) * 3.0),
    "neuron": (5, lambda v: math.tanh(v[0] * v[1] + v[2] * v[3] + v[4])),
}
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


# How a backward can combine the upstream gradient with an operation's local gradient.
COMBINATIONS = {"multiplies by out.grad": lambda local, upstream: local * upstream,
                "divides by out.grad": lambda local, upstream: local / upstream,
                "adds out.grad": lambda local, upstream: local + upstream,
                "drops out.grad": lambda local, upstream: local}
SYMBOLS = {"+": "+", "*": "*", "pow": "**", "exp": "exp", "tanh": "tanh", "relu": "relu"}


def value_model(wrong_op: str = "", combine=COMBINATIONS["multiplies by out.grad"]) -> type:
    """The grader's own scalar autograd, with the backward of operation ``wrong_op`` (a
    ``_op`` of :data:`SYMBOLS`) combining upstream and local gradients by ``combine``:
    the gradients a Value with that mistake gives, to name the mistake in feedback."""

    class Model:
        def __init__(self, data, children=(), op=""):
            self.data, self.grad, self.children, self.op = float(data), 0.0, children, op
            self.locals: tuple = ()

        def node(self, data, children, op, locals_):
            out = Model(data, children, op)
            out.locals = locals_
            return out

        def __add__(self, other):
            other = other if isinstance(other, Model) else Model(other)
            return self.node(self.data + other.data, (self, other), "+", (1.0, 1.0))

        def __mul__(self, other):
            other = other if isinstance(other, Model) else Model(other)
            return self.node(self.data * other.data, (self, other), "*", (other.data, self.data))

        def __pow__(self, k):
            return self.node(self.data ** k, (self,), "pow", (k * self.data ** (k - 1),))

        def exp(self):
            return self.node(math.exp(self.data), (self,), "exp", (math.exp(self.data),))

        def tanh(self):
            t = math.tanh(self.data)
            return self.node(t, (self,), "tanh", (1.0 - t * t,))

        def relu(self):
            return self.node(max(0.0, self.data), (self,), "relu",
                             (1.0 if self.data > 0 else 0.0,))

        def backward(self):
            order, seen = [], set()

            def visit(node):
                if id(node) not in seen:
                    seen.add(id(node))
                    for child in node.children:
                        visit(child)
                    order.append(node)

            visit(self)
            self.grad = 1.0
            for node in reversed(order):
                rule = combine if node.op == wrong_op else COMBINATIONS["multiplies by out.grad"]
                for child, local in zip(node.children, node.locals, strict=True):
                    child.grad += rule(local, node.grad)

    return Model


def upstream_mistakes(expression: str, inputs: np.ndarray) -> dict:
    """What a Value gives on ``expression`` when one operation's backward divides by out.grad,
    adds it or drops it, each named; the expression's own operation first, since two
    mistakes can give the same gradients (a ReLU or the sum above it dropping out.grad)."""
    mistakes = {}
    own = {"add": "+", "mul": "*", "square": "*", "pow": "pow"}.get(expression, expression)
    for op, symbol in sorted(SYMBOLS.items(), key=lambda item: item[0] != own):
        for kind, combine in COMBINATIONS.items():
            if kind == "multiplies by out.grad":
                continue
            try:
                wrong = probe_value_expression({"Value": value_model(op, combine)}, expression,
                                               inputs)["grads"]
            except ZeroDivisionError:
                continue
            mistakes[f"it matches a Value whose `{symbol}` backward {kind} instead of "
                     "multiplying by it: downstream gradient = upstream gradient (out.grad) x "
                     "local gradient, self.grad += local * out.grad."] = np.array(wrong)
    return mistakes


def value_mistakes(expression: str, inputs: np.ndarray, numerical: np.ndarray) -> dict:
    mistakes = {"all gradients are 0: does backward set the output's own gradient, "
                "d(out)/d(out) = 1, before applying the local gradients?":
                np.zeros_like(numerical)}
    if expression == "reused":
        mistakes["it is 1, not 4: a gradient was assigned with `=` instead of `+=`, so the "
                 "second use of a node overwrote the first."] = np.ones(1)
    if expression == "square":
        mistakes["it is a c, not 2 a c: a gradient was assigned with `=` instead of `+=`, so "
                 "the second input of a * a overwrote the first."] = np.array(
                     [inputs[0] * inputs[1], inputs[0] ** 2])
    return mistakes | upstream_mistakes(expression, inputs)


def check_value(student, expression: str, inputs: np.ndarray) -> None:
    arity, forward = EXPRESSIONS[expression]
    what = f"Value: {WHAT_IT_TESTS[expression]}, at {np.round(inputs, 4).tolist()}"
    result = student.run(probe_value_expression, expression, inputs)
    expect_close(np.array(result["data"]), np.array(forward(list(inputs))),
                 f"the forward value of {what}")
    numerical = numerical_gradient(lambda v: forward(list(v)), inputs, h=STEP)
    expect_gradient_near(np.array(result["grads"]), numerical, f"the leaves' grad of {what}",
                         mistakes=value_mistakes(expression, inputs, numerical))


def operation_inputs(rng: np.random.Generator, expression: str) -> np.ndarray:
    """Inputs for one operation's expression: off zero, and an upstream gradient c with
    1.5 <= |c| <= 3, far from 1 (where c, 1/c and nothing agree). For ``relu``, off the kinks
    and with one ReLU passing its gradient and the other blocking it."""
    arity = EXPRESSIONS[expression][0]
    while True:
        inputs = off_zero(rng, arity, 0.3, 1.5)
        inputs[-1] = off_zero(rng, 1, 1.5, 3.0)[0]
        a, b = inputs[:2]
        if expression != "relu" or (abs(a - b) >= 0.1 and (a * b > 0) != (a - b > 0)):
            return inputs


@value.check(points=1)
def test_value_backpropagates_the_lectures_graph(student, rng):
    check_value(student, "lecture", rng.normal(0.0, 3.0, size=3))


@value.check(points=1)
def test_value_accumulates_the_gradient_of_a_reused_node(student, rng):
    check_value(student, "reused", off_zero(rng, 1, 0.5, 2.0))


@value.check(points=1)
def test_value_operations_each_multiply_a_random_upstream_gradient(student, rng):
    for expression in OPERATIONS:
        check_value(student, expression, operation_inputs(rng, expression))


@value.check(points=1, hidden=True)
def test_value_node_in_two_branches_backpropagates_in_topological_order(student, rng):
    for _ in range(2):
        check_value(student, "shared", off_zero(rng, 2, 0.3, 1.0))
    check_value(student, "reused", off_zero(rng, 1, 0.5, 3.0))


@value.check(points=1, hidden=True)
def test_value_neuron_on_random_inputs(student, rng):
    for _ in range(3):
        check_value(student, "neuron", off_zero(rng, 5, 0.1, 1.0))


# --------------------------------------------------------------------------- gradient check

gradcheck = Question("lab02.gradient_check",
                     functions=("numerical_gradient", "relative_error", "gradient_check"))

TEST_FUNCTIONS = {
    "cubic": (lambda v: float(np.sum(v**3)), lambda v: 3 * v**2),
    "coupled": (lambda v: float(np.sin(np.sum(v * np.arange(1, v.size + 1).reshape(v.shape)))
                                + np.sum(v**2)),
                lambda v: (np.cos(np.sum(v * np.arange(1, v.size + 1).reshape(v.shape)))
                           * np.arange(1, v.size + 1).reshape(v.shape) + 2 * v)),
}


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


def numerical_gradient_mistakes(function: str, x: np.ndarray, h: float) -> dict:
    f = TEST_FUNCTIONS[function][0]
    central = numerical_gradient(f, x, h=h)
    forward = np.zeros_like(x)
    for i in range(x.size):
        step = np.zeros_like(x)
        step.flat[i] = h
        forward.flat[i] = (f(x + step) - f(x)) / h
    return {"it matches the one-sided difference (f(x + h) - f(x)) / h, whose error is O(h): "
            "use the central difference (f(x + h) - f(x - h)) / 2h, error O(h^2).": forward,
            "it is twice the central difference: divide f(x + h) - f(x - h) by 2h, not h.":
            2 * central}


def check_numerical_gradient(student, function, x, h, exact, what):
    result = student.run(probe_numerical_gradient, function, x, h)
    expect(np.array_equal(result["x_after"], x),
           f"{what} modified x: restore every entry after perturbing it (or perturb a copy).")
    expect_close(result["grad"], exact, what, rtol=1e-7, atol=1e-7,
                 mistakes=numerical_gradient_mistakes(function, x, h))


@gradcheck.check(points=1)
def test_numerical_gradient_of_a_cubic(student, rng):
    x = off_zero(rng, 4, 0.5, 2.0)
    check_numerical_gradient(student, "cubic", x, 1e-5, 3 * x**2,
                             "numerical_gradient(f, x) for f(x) = sum(x^3), x of shape (4,)")


@gradcheck.check(points=1, hidden=True)
def test_numerical_gradient_of_a_coupled_function_of_a_matrix(student, rng):
    x = rng.normal(0.0, 0.3, size=(2, 3))
    check_numerical_gradient(student, "coupled", x, 1e-5, TEST_FUNCTIONS["coupled"][1](x),
                             "numerical_gradient(f, x) for f(x) = sin(sum(c * x)) + sum(x^2), "
                             "x of shape (2, 3) (perturb one entry at a time)")


@gradcheck.check(points=1)
def test_numerical_gradient_uses_the_step_h(student, rng):
    x, h = off_zero(rng, 3, 0.5, 2.0), 1e-2
    # (x + h)^3 - (x - h)^3 = 6 x^2 h + 2 h^3: the central difference is 3 x^2 + h^2.
    what = "numerical_gradient(f, x, h=1e-2) for f(x) = sum(x^3)"
    result = student.run(probe_numerical_gradient, "cubic", x, h)
    expect_close(result["grad"], 3 * x**2 + h**2, what, rtol=1e-9,
                 mistakes={"it is 3x^2 + h'^2 for a step h' other than the h you were "
                           "given: use the argument h.": 3 * x**2 + 1e-10,
                           **numerical_gradient_mistakes("cubic", x, h)})


def relative_error_mistakes(a: np.ndarray, b: np.ndarray) -> dict:
    diff = np.abs(a - b)
    return {
        "it is the mean of the elementwise relative errors: report the largest one, so "
        "that one wrong entry is not averaged away.":
            np.mean(diff / np.maximum(np.abs(a) + np.abs(b), 1e-8)),
        "it is the plain |a - b| without the division by |a| + |b|: an absolute error "
        "depends on the gradient's scale.": np.max(diff),
        "it uses norms, ||a - b|| / (||a|| + ||b||): the checker takes the largest "
        "elementwise |a_i - b_i| / max(|a_i| + |b_i|, 1e-8).":
            np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b)),
    }


@gradcheck.check(points=1)
def test_relative_error_on_a_small_example(student, oracle, rng):
    a = rng.normal(size=5)
    b = a * (1 + rng.normal(0.0, 0.1, size=5))
    expect_close(student.relative_error(a, b), oracle.relative_error(a, b),
                 "relative_error(a, b) for a, b of shape (5,)",
                 mistakes=relative_error_mistakes(a, b))


@gradcheck.check(points=1, hidden=True)
def test_relative_error_on_random_matrices_with_zeros(student, oracle, rng):
    a = rng.normal(size=(3, 4))
    b = a + rng.normal(0.0, 1e-3, size=(3, 4))
    a[0, 0] = b[0, 0] = 0.0
    a[1, 1], b[1, 1] = 0.0, 1e-12
    got = student.relative_error(a, b)
    what = "relative_error(a, b) where a and b are both 0 in one entry"
    expect(bool(np.isfinite(np.asarray(got, dtype=np.float64)).all()),
           f"{what} is {got}: 0 / 0 is nan. Guard the denominator: "
           "|a - b| / max(|a| + |b|, 1e-8).")
    expect_close(got, oracle.relative_error(a, b), "relative_error(a, b) for a, b of shape "
                 "(3, 4) with zeros", mistakes=relative_error_mistakes(a, b))


def check_gradient_check(student, x, what):
    errors = student.run(probe_gradient_check, x, 1e-5)
    for name in ("right", "right, with an exact 0"):
        error = errors[name]
        expect(bool(np.isfinite(error)),
               f"{what}: for a right gradient with an exact 0 entry it reported {error}: "
               "0 / 0 is nan; guard the denominator, max(|a| + |b|, 1e-8).")
        expect(error < 1e-7, f"{what}: for the right gradient it reported a relative error "
               f"of {error:.3g}; central differences with h = 1e-5 agree to ~1e-9. A "
               "one-sided difference (error O(h)) or a missing guard would explain it.")
    for name in ("missing inner derivative", "sign flipped", "one entry off by 1%"):
        expect(errors[name] > 1e-3, f"{what}: for a wrong gradient ({name}) it reported "
               f"a relative error of only {errors[name]:.3g}; a checker must expose it. "
               "Report the largest elementwise relative error.")


@gradcheck.check(points=1)
def test_gradient_check_tells_right_from_wrong_gradients(student, rng):
    check_gradient_check(student, off_zero(rng, 4, 0.3, 1.1),
                         "gradient_check on f = sum(sin(x^2))")


@gradcheck.check(points=1, hidden=True)
def test_gradient_check_exposes_planted_bugs_at_random_points(student, rng):
    for _ in range(2):
        check_gradient_check(student, off_zero(rng, int(rng.integers(3, 7)), 0.3, 1.1),
                             "gradient_check on f = sum(sin(x^2))")
