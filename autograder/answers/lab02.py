"""Lab 02's answer key: the reference chain-rule gradients, ``Value`` and gradient checker,
the forward functions whose central differences judge them, and the wrong variants its
checks' feedback names (each a sentence and the value that mistake gives on the same inputs).

The checks ask for these through their ``oracle``; the visible checks' answers are recorded
from here at release time, so none of this ships to students. That includes the grader's
own scalar autograd (:func:`value_model`), which gives the gradients of a ``Value`` whose
backward divides by out.grad, adds it or drops it, to name those mistakes.
"""

from __future__ import annotations

import math

import numpy as np

from nnlabs.checks.lab02 import probe_value_expression
from reference.chain_rule import (  # noqa: F401 - the oracle's answers
    add_mul_gradients,
    gradient_check,
    network_gradients,
    network_loss,
    sin_square_derivative,
    sum_over_paths,
    two_weight_gradients,
    two_weight_loss,
)
from reference.gradcheck import numerical_gradient, relative_error  # noqa: F401
from reference.graph import Value  # noqa: F401

# --------------------------------------------------------------------------- forward functions
# Central differences of these judge the hand-derived gradients (oracle.central_differences).


def add_mul(v: np.ndarray) -> float:
    """``f = (x + y) z`` at ``v = (x, y, z)``."""
    return (v[0] + v[1]) * v[2]


def sin_square(x: np.ndarray) -> np.ndarray:
    """``sin(x^2)``, elementwise."""
    return np.sin(x**2)


def sin_square_derivative64(x: np.ndarray) -> np.ndarray:
    """``2x cos(x^2)`` in float64, to compare a float32 result with."""
    return 2 * x.astype(np.float64) * np.cos(x.astype(np.float64) ** 2)


def paths_product(x: np.ndarray) -> np.ndarray:
    """``h = f g`` with ``f = sin x``, ``g = x^2``, elementwise."""
    return np.sin(x) * x**2


def two_weight_loss_of_w(w: np.ndarray, x: float, y: float) -> float:
    """:func:`two_weight_loss` as a function of ``w = (w1, w2)``."""
    return two_weight_loss(w[0], w[1], x, y)


# --------------------------------------------------------------------------- mistakes


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


def sin_square_mistakes(x: np.ndarray) -> dict:
    return {
        "it is cos(x^2): the inner derivative d(x^2)/dx = 2x is missing (chain rule: "
        "d sin(u)/du * du/dx).": np.cos(x**2),
        "it is 2x cos(x): the outer derivative cos is evaluated at x, not at the inner "
        "function's value u = x^2.": 2 * x * np.cos(x),
        "it is -2x sin(x^2): d sin(u)/du = cos(u), not -sin(u).": -2 * x * np.sin(x**2),
    }


def paths_mistakes(x: np.ndarray) -> dict:
    return {
        "it is x^2 cos x, the path through f = sin x only: add the path through g = x^2, "
        "dh/dg dg/dx = sin(x) 2x (one term per path).": x**2 * np.cos(x),
        "it is sin(x) 2x, the path through g = x^2 only: add the path through f = sin x, "
        "dh/df df/dx = x^2 cos x (one term per path).": np.sin(x) * 2 * x,
        "it is cos(x) 2x, the product of the two paths' local gradients: paths add, "
        "dh/dx = dh/df df/dx + dh/dg dg/dx.": np.cos(x) * 2 * x,
    }


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


# --------------------------------------------------------------------------- Value
# Each expression the Value checks build (nnlabs.checks.lab02.probe_value_expression), in
# plain floats: its forward value, and by central differences its leaves' gradients.


def lecture_expression(v) -> float:
    return (v[0] + v[1]) * v[2]


def reused_expression(v) -> float:
    return (v[0] + v[0]) + (v[0] + v[0])


def add_expression(v) -> float:
    return (v[0] + v[1]) * v[2]


def mul_expression(v) -> float:
    return (v[0] * v[1]) * v[2]


def square_expression(v) -> float:
    return (v[0] * v[0]) * v[1]


def pow_expression(v) -> float:
    return (v[0] ** 3 + 2.0 * v[0] ** -1) * v[1]


def exp_expression(v) -> float:
    return math.exp(v[0] * v[1]) * v[2]


def tanh_expression(v) -> float:
    return math.tanh(v[0] + v[1]) * v[2]


def relu_expression(v) -> float:
    return (max(0.0, v[0] * v[1]) + max(0.0, v[0] - v[1])) * v[2]


def shared_expression(v) -> float:
    return math.tanh(v[0] * v[1]) + (v[0] * v[1]) * (v[0] * v[1]) * 3.0


def neuron_expression(v) -> float:
    return math.tanh(v[0] * v[1] + v[2] * v[3] + v[4])


EXPRESSIONS = {"lecture": lecture_expression, "reused": reused_expression,
               "add": add_expression, "mul": mul_expression, "square": square_expression,
               "pow": pow_expression, "exp": exp_expression, "tanh": tanh_expression,
               "relu": relu_expression, "shared": shared_expression,
               "neuron": neuron_expression}


def value_forward(expression: str, inputs: np.ndarray) -> float:
    """The value of ``expression`` (a key of :data:`EXPRESSIONS`) at ``inputs``, in floats."""
    return EXPRESSIONS[expression](list(inputs))


# How a backward can combine the upstream gradient with an operation's local gradient.
COMBINATIONS = {"multiplies by out.grad": lambda local, upstream: local * upstream,
                "divides by out.grad": lambda local, upstream: local / upstream,
                "adds out.grad": lambda local, upstream: local + upstream,
                "drops out.grad": lambda local, upstream: local}
SYMBOLS = {"+": "+", "*": "*", "pow": "**", "exp": "exp", "tanh": "tanh", "relu": "relu"}


def value_model(wrong_op: str = "", combine=COMBINATIONS["multiplies by out.grad"],
                relu_at_zero: float = 0.0) -> type:
    """The grader's own scalar autograd, with the backward of operation ``wrong_op`` (a
    ``_op`` of :data:`SYMBOLS`) combining upstream and local gradients by ``combine``:
    the gradients a Value with that mistake gives, to name the mistake in feedback.
    ``relu_at_zero`` is ReLU's local gradient at exactly 0 (the notebook's convention: 0)."""

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
                             (1.0 if self.data > 0 else relu_at_zero if self.data == 0
                              else 0.0,))

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


def value_upstream_mistakes(expression: str, inputs: np.ndarray) -> dict:
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
        # 1 whatever a is: two mistakes give it, and no input tells them apart.
        mistakes["it is 1, not 4: either a gradient was assigned with `=` instead of `+=`, so "
                 "the second use of a node overwrote the first, or it matches a Value whose "
                 "`+` backward divides by out.grad instead of multiplying by it."] = np.ones(1)
    if expression == "square":
        mistakes["it is a c, not 2 a c: a gradient was assigned with `=` instead of `+=`, so "
                 "the second input of a * a overwrote the first."] = np.array(
                     [inputs[0] * inputs[1], inputs[0] ** 2])
    return mistakes | value_upstream_mistakes(expression, inputs)


RELU_PRIME_AT_ZERO = ("it takes ReLU's local gradient at exactly 0 as 1 (self.data >= 0): the "
                      "convention is 1 if self.data > 0 else 0, so a ReLU whose input is exactly "
                      "0 passes no gradient.")


def value_gradients(expression: str, inputs: np.ndarray, relu_at_zero: float = 0.0) -> np.ndarray:
    """The leaves' exact gradients of ``expression`` at ``inputs``, from the grader's own
    autograd: where central differences cannot judge (a ReLU exactly at its kink)."""
    model = value_model(relu_at_zero=relu_at_zero)
    return np.array(probe_value_expression({"Value": model}, expression, inputs)["grads"])


def value_relu_at_zero_mistakes(inputs: np.ndarray) -> dict:
    return {RELU_PRIME_AT_ZERO: value_gradients("relu", inputs, relu_at_zero=1.0)}


# --------------------------------------------------------------------------- gradient check
# The functions the student's numerical_gradient differentiates (the probe defines the same
# ones beside the student's code), and the exact gradient of the coupled one.


def cubic(v: np.ndarray) -> float:
    return float(np.sum(v**3))


def coupled(v: np.ndarray) -> float:
    return float(np.sin(np.sum(v * np.arange(1, v.size + 1).reshape(v.shape))) + np.sum(v**2))


def coupled_gradient(v: np.ndarray) -> np.ndarray:
    return (np.cos(np.sum(v * np.arange(1, v.size + 1).reshape(v.shape)))
            * np.arange(1, v.size + 1).reshape(v.shape) + 2 * v)


TEST_FUNCTIONS = {"cubic": cubic, "coupled": coupled}


def numerical_gradient_mistakes(function: str, x: np.ndarray, h: float) -> dict:
    f = TEST_FUNCTIONS[function]
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


def relative_error_mistakes(a: np.ndarray, b: np.ndarray) -> dict:
    diff = np.abs(a - b)
    return {
        "it adds the guard to every denominator, |a - b| / (|a| + |b| + 1e-8): the guard only "
        "replaces a denominator smaller than it, max(|a| + |b|, 1e-8).":
            np.max(diff / (np.abs(a) + np.abs(b) + 1e-8)),
        "it is the mean of the elementwise relative errors: report the largest one, so "
        "that one wrong entry is not averaged away.":
            np.mean(diff / np.maximum(np.abs(a) + np.abs(b), 1e-8)),
        "it is the plain |a - b| without the division by |a| + |b|: an absolute error "
        "depends on the gradient's scale.": np.max(diff),
        "it uses norms, ||a - b|| / (||a|| + ||b||): the checker takes the largest "
        "elementwise |a_i - b_i| / max(|a_i| + |b_i|, 1e-8).":
            np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b)),
    }
