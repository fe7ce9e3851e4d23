"""Lab 02's catalogue: mistakes students make when backpropagating by hand, building a
scalar autograd and checking gradients numerically, and valid alternatives.

Each mistake replaces one function (or the ``Value`` class) of the solution notebook, or
changes a few of its lines (an ``Edit``: the lines as they stand, then as the mistake has
them), and must lose points on its question, and only there; ``feedback`` is a phrase of
the message the check prints. Each alternative is a different correct implementation: full
marks.
"""

from __future__ import annotations

from autograder.catalogue import Edit, alternative, mistake_maker

mistake = mistake_maker("lab02")


# The lines of the solution's Value that a mistake changes: each operation's backward.
RIGHT = {
    "ADD": "self.grad += out.grad\nother.grad += out.grad",
    "MUL": "self.grad += other.data * out.grad\nother.grad += self.data * out.grad",
    "POW": "self.grad += k * self.data ** (k - 1) * out.grad",
    "EXP": "self.grad += out.data * out.grad",
    "TANH": "self.grad += (1.0 - out.data ** 2) * out.grad",
    "RELU": "self.grad += (1.0 if self.data > 0 else 0.0) * out.grad",
}


def value_with(**pieces: str) -> Edit:
    """The solution's Value with the backward of the named operations (keys of RIGHT)
    replaced."""
    return Edit("Value", {RIGHT[key]: body for key, body in pieces.items()})


# Each operation's local gradients, one per input it sends a gradient to; the solution's
# backward adds ``local * out.grad`` to each input's grad.
LOCAL = {"ADD": {"self": "1.0", "other": "1.0"},
         "MUL": {"self": "other.data", "other": "self.data"},
         "POW": {"self": "k * self.data ** (k - 1)"},
         "EXP": {"self": "out.data"},
         "TANH": {"self": "(1.0 - out.data ** 2)"},
         "RELU": {"self": "(1.0 if self.data > 0 else 0.0)"}}
SYMBOL = {"ADD": "+", "MUL": "*", "POW": "**", "EXP": "exp", "TANH": "tanh", "RELU": "relu"}
# How a backward can combine the upstream gradient out.grad with the local gradient wrongly.
COMBINED = {"divides by out.grad": "{local} / out.grad",
            "adds out.grad": "{local} + out.grad",
            "drops out.grad": "{local}"}


def upstream_mistakes() -> list:
    """For every operation of Value, a backward that divides by out.grad, adds it, or drops
    it: right wherever the operation is the graph's output (out.grad = 1), wrong elsewhere."""
    mistakes = []
    for op, locals_ in LOCAL.items():
        for kind, combined in COMBINED.items():
            body = "\n".join(f"{node}.grad += {combined.format(local=local)}"
                              for node, local in locals_.items())
            name = f"value-{op.lower()}-{kind.replace(' ', '-').replace('.', '-')}"
            mistakes.append(mistake(name, "value", f"a Value whose `{SYMBOL[op]}` backward {kind}",
                                    value_with(**{op: body})))
    return mistakes


MISTAKES = [
    # -- f = (x + y) z (first a mistake the visible checks see: the handout's tests take the
    # first one as the mistake a student's self-check reports)
    mistake("add-mul-local-gradients-swapped", "add_mul_gradients",
            "the local gradients of f = q z are swapped", """
        def add_mul_gradients(x, y, z):
            return x + y, x + y, z
        """),
    mistake("add-mul-hard-coded-lecture-numbers", "add_mul_gradients",
            "not the numbers of the example", """
        def add_mul_gradients(x, y, z):
            return -4.0, -4.0, 3.0
        """),
    mistake("add-mul-local-gradient-without-upstream", "add_mul_gradients",
            "multiply it by the upstream gradient", """
        def add_mul_gradients(x, y, z):
            return 1.0, 1.0, x + y
        """),
    # -- sin x^2
    mistake("sin-square-forgets-inner-derivative", "sin_square_derivative",
            "the inner derivative d(x^2)/dx = 2x is missing", """
        def sin_square_derivative(x):
            return np.cos(x ** 2)
        """),
    mistake("sin-square-outer-at-x", "sin_square_derivative",
            "the outer derivative cos is evaluated at x", """
        def sin_square_derivative(x):
            return 2 * x * np.cos(x)
        """),
    mistake("sin-square-promotes-float32", "sin_square_derivative", "expected dtype float32", """
        def sin_square_derivative(x):
            x = np.asarray(x, dtype=np.float64)
            return 2 * x * np.cos(x ** 2)
        """),
    mistake("sin-square-squares-in-place", "sin_square_derivative",
            "modified its input array in place", """
        def sin_square_derivative(x):
            two_x = 2 * x
            x **= 2
            return np.cos(x) * two_x
        """),
    # -- sum over paths
    mistake("paths-only-through-f", "sum_over_paths", "add the path through g = x^2", """
        def sum_over_paths(x):
            return x ** 2 * np.cos(x)
        """),
    mistake("paths-multiplied-instead-of-added", "sum_over_paths", "paths add", """
        def sum_over_paths(x):
            return np.cos(x) * 2 * x
        """),
    # -- L(w1, w2)
    mistake("two-weights-forgets-factor-2", "two_weight_gradients", "lost its factor 2", Edit(
        "two_weight_gradients", {"delta2 = 2.0 * (f2 - y) * f2 * (1.0 - f2)":
                                 "delta2 = (f2 - y) * f2 * (1.0 - f2)"})),
    mistake("two-weights-forgets-w2-on-the-path", "two_weight_gradients",
            "misses the local gradient d(w2 f1)/df1 = w2", Edit("two_weight_gradients", {
                "dl_dw1 = delta2 * w2 * (1.0 - f1 ** 2) * x":
                "dl_dw1 = delta2 * (1.0 - f1 ** 2) * x"})),
    mistake("two-weights-forgets-sigmoid-derivative", "two_weight_gradients",
            "the derivative of the output sigmoid", Edit("two_weight_gradients", {
                "delta2 = 2.0 * (f2 - y) * f2 * (1.0 - f2)": "delta2 = 2.0 * (f2 - y)"})),
    mistake("two-weights-y-minus-f2", "two_weight_gradients", "not 2 (y - f2)", Edit(
        "two_weight_gradients", {"delta2 = 2.0 * (f2 - y) * f2 * (1.0 - f2)":
                                 "delta2 = 2.0 * (y - f2) * f2 * (1.0 - f2)"})),
    # -- the 2-2-1 network
    mistake("network-swaps-w5-and-w6", "network_gradients", "the wrong outgoing weight", Edit(
        "network_gradients", {"delta_1 = delta_o * w5 * (1.0 - h1 ** 2)":
                              "delta_1 = delta_o * w6 * (1.0 - h1 ** 2)",
                              "delta_2 = delta_o * w6 * (1.0 - h2 ** 2)":
                              "delta_2 = delta_o * w5 * (1.0 - h2 ** 2)"})),
    mistake("network-forgets-hidden-derivative", "network_gradients",
            "the hidden units' derivative", Edit("network_gradients", {
                "delta_1 = delta_o * w5 * (1.0 - h1 ** 2)": "delta_1 = delta_o * w5",
                "delta_2 = delta_o * w6 * (1.0 - h2 ** 2)": "delta_2 = delta_o * w6"})),
    mistake("network-forgets-output-derivative", "network_gradients",
            "the output's derivative", Edit("network_gradients", {
                "delta_o = 2.0 * (o1 - y) * o1 * (1.0 - o1)": "delta_o = 2.0 * (o1 - y)"})),
    mistake("network-overwrites-w-in-place", "network_gradients",
            "modified its input w in place", Edit("network_gradients", {
                "return dw, db": "w[:] = dw\nreturn w, db"})),
    # -- Value
    mistake("value-add-assigns-instead-of-accumulating", "value",
            "assigned with `=` instead of `+=`", value_with(
                ADD="self.grad = out.grad\nother.grad = out.grad")),
    mistake("value-mul-assigns-instead-of-accumulating", "value",
            "assigned with `=` instead of `+=`", value_with(
                MUL="self.grad = other.data * out.grad\nother.grad = self.data * out.grad")),
    mistake("value-mul-does-not-swap-inputs", "value", "f = (x + y) * z", value_with(
        MUL="self.grad += self.data * out.grad\nother.grad += other.data * out.grad")),
    mistake("value-tanh-derivative-from-the-input", "value", "1 - tanh(s)^2", value_with(
        TANH="self.grad += (1.0 - self.data ** 2) * out.grad")),
    mistake("value-pow-forgets-k", "value", "k a^(k - 1)", value_with(
        POW="self.grad += self.data ** (k - 1) * out.grad")),
    mistake("value-backward-without-seed", "value", "d(out)/d(out) = 1", Edit(
        "Value", {"self.grad = 1.0": ""})),
    mistake("value-backward-recursive-without-topological-order", "value",
            "reverse topological order", Edit("Value", {"""
                self.grad = 1.0
                for node in reversed(order):
                    node._backward()
                """: """
                self.grad = 1.0

                def propagate(node):
                    node._backward()
                    for child in node._prev:
                        propagate(child)

                propagate(self)
                """})),
    # -- gradient check
    mistake("numerical-gradient-one-sided", "gradient_check", "one-sided difference", Edit(
        "numerical_gradient", {"grad = np.zeros(x.shape)": "grad = np.zeros(x.shape)\nbase = f(x)",
                               "x[i] = original - h\nminus = f(x)": "",
                               "grad[i] = (plus - minus) / (2 * h)":
                               "grad[i] = (plus - base) / h"})),
    mistake("numerical-gradient-divides-by-h", "gradient_check", "divide f(x + h) - f(x - h) by 2h",
            Edit("numerical_gradient", {"grad[i] = (plus - minus) / (2 * h)":
                                        "grad[i] = (plus - minus) / h"})),
    mistake("numerical-gradient-never-restores-x", "gradient_check", "modified x", Edit(
        "numerical_gradient", {"x[i] = original": ""})),
    mistake("numerical-gradient-ignores-h", "gradient_check", "use the argument h", Edit(
        "numerical_gradient", {"x[i] = original + h": "x[i] = original + 1e-5",
                               "x[i] = original - h": "x[i] = original - 1e-5",
                               "grad[i] = (plus - minus) / (2 * h)":
                               "grad[i] = (plus - minus) / 2e-5"})),
    mistake("relative-error-without-guard", "gradient_check", "0 / 0 is nan", Edit(
        "relative_error", {
            "return float(np.max(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), 1e-8)))":
            "return float(np.max(np.abs(a - b) / (np.abs(a) + np.abs(b))))"})),
    mistake("relative-error-mean-not-max", "gradient_check", "report the largest one", Edit(
        "relative_error", {
            "return float(np.max(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), 1e-8)))":
            "return float(np.mean(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), 1e-8)))"})),
    mistake("relative-error-absolute", "gradient_check", "without the division by |a| + |b|",
            Edit("relative_error", {
                "return float(np.max(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), 1e-8)))":
                "return float(np.max(np.abs(a - b)))"})),
    mistake("gradient-check-compares-gradient-with-itself", "gradient_check",
            "a checker must expose it", Edit("gradient_check", {
                "return relative_error(analytic, numerical_gradient(f, x, h))":
                "return relative_error(analytic, grad_f(x))"})),
    *upstream_mistakes(),
    # Edge of the domain (issue #19): denominators at the guard's scale.
    mistake("relative-error-guard-added-to-every-denominator", "gradient_check",
            "the guard only replaces", Edit("relative_error", {
                "return float(np.max(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), 1e-8)))":
                "return float(np.max(np.abs(a - b) / (np.abs(a) + np.abs(b) + 1e-8)))"})),
    mistake("gradient-check-keeps-an-integer-point", "gradient_check", "a list of integers", """
        def gradient_check(f, grad_f, x, h=1e-5):
            x = np.asarray(x)
            return relative_error(grad_f(x.copy()), numerical_gradient(f, x, h))
        """),
    # Edges of the domain (issue #19): a ReLU exactly at its kink, a step h other than the
    # default.
    mistake("value-relu-local-gradient-one-at-zero", "value", "local gradient at exactly 0 as 1",
            value_with(RELU="self.grad += (1.0 if self.data >= 0 else 0.0) * out.grad")),
    mistake("gradient-check-drops-its-step", "gradient_check", "Pass h on", Edit(
        "gradient_check", {"return relative_error(analytic, numerical_gradient(f, x, h))":
                           "return relative_error(analytic, numerical_gradient(f, x))"})),
]

ALTERNATIVES = [
    alternative("add-mul-in-one-line", """
        def add_mul_gradients(x, y, z):
            return float(z), float(z), float(x + y)
        """),
    alternative("sin-square-and-paths-by-product-rule-expanded", """
        def sin_square_derivative(x):
            return 2 * x * np.cos(x ** 2)

        def sum_over_paths(x):
            return x * (x * np.cos(x) + 2 * np.sin(x))
        """),
    alternative("two-weights-and-network-with-sigmoid-via-tanh", """
        def two_weight_gradients(w1, w2, x, y):
            f1 = np.tanh(w1 * x)
            f2 = 0.5 * (1 + np.tanh(0.5 * w2 * f1))
            dl_df2 = 2 * (f2 - y)
            ds2 = dl_df2 * f2 * (1 - f2)
            return float(ds2 * w2 * (1 - f1 * f1) * x), float(ds2 * f1)

        def network_gradients(w, b, x, y):
            W = np.array([[w[0], w[1]], [w[2], w[3]]])
            h = np.tanh(W @ x + b[:2])
            o1 = 0.5 * (1 + np.tanh(0.5 * (w[4:] @ h + b[2])))
            delta_o = 2 * (o1 - y) * o1 * (1 - o1)
            delta_h = delta_o * w[4:] * (1 - h ** 2)
            dW = np.outer(delta_h, x)
            return np.concatenate([dW.ravel(), delta_o * h]), np.append(delta_h, delta_o)
        """),
    alternative("value-with-iterative-topological-sort", Edit("Value", {
        """
        def visit(node):
            if node not in visited:
                visited.add(node)
                for child in node._prev:
                    visit(child)
                order.append(node)

        visit(self)
        """: """
        stack = [(self, False)]
        while stack:
            node, inputs_done = stack.pop()
            if inputs_done:
                order.append(node)
            elif node not in visited:
                visited.add(node)
                stack.append((node, True))
                stack.extend((child, False) for child in node._prev)
        """,
        RIGHT["TANH"]: "self.grad += (1.0 - math.tanh(self.data) ** 2) * out.grad",
    }).of_solution("lab02")),
    alternative("gradient-check-on-copies-with-unit-vectors", """
        def numerical_gradient(f, x, h=1e-5):
            x = np.asarray(x, dtype=np.float64)
            grad = np.empty(x.shape)
            for i in range(x.size):
                e = np.zeros(x.size)
                e[i] = h
                e = e.reshape(x.shape)
                grad.flat[i] = (f(x + e) - f(x - e)) / (2 * h)
            return grad

        def relative_error(a, b):
            diff = np.abs(np.subtract(a, b, dtype=np.float64))
            scale = np.abs(a) + np.abs(b)
            return float(np.max(diff / np.where(scale > 1e-8, scale, 1e-8)))
        """),
    alternative("relative-error-guard-by-replacing-small-denominators", """
        def relative_error(a, b):
            a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
            denominator = np.abs(a) + np.abs(b)
            denominator[denominator < 1e-8] = 1e-8
            return float((np.abs(a - b) / denominator).max())
        """),
]
