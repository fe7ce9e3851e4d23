"""Lab 03's catalogue: mistakes students make with activations and losses, and valid
alternatives to the solution.

Each mistake replaces one function of the solution notebook, or changes a few of its lines
(an ``Edit``: the lines as they stand, then as the mistake has them), and must lose points
on its question, and only there; where the check names the mistake, ``feedback`` is a
phrase of that name. Each alternative replaces one or more functions with a different
correct implementation and must keep full marks.
"""

from __future__ import annotations

from autograder.catalogue import Edit, alternative, mistake_maker

mistake = mistake_maker("lab03")


# Each backward's signature, its local gradient and what it returns around it; the question.
BACKWARDS = {
    "sigmoid_backward": ("(dout, s)", "sigmoid(s) * (1 - sigmoid(s))", "{ds}", "sigmoid_backward"),
    "tanh_backward": ("(dout, s)", "(1 - np.tanh(s) ** 2)", "{ds}", "tanh"),
    "relu_backward": ("(dout, s)", "(s > 0)", "{ds}", "relu_backward"),
    "leaky_relu_backward": ("(dout, s, alpha=0.01)", "np.where(s > 0, 1.0, alpha)", "{ds}",
                            "leaky_relu"),
    "elu_backward": ("(dout, s, alpha=1.0)",
                     "np.where(s > 0, 1.0, alpha * np.exp(np.minimum(s, 0)))", "{ds}", "elu"),
    "prelu_backward": ("(dout, s, alpha)", "np.where(s > 0, 1.0, alpha)",
                       "{ds}, np.sum(dout * np.minimum(s, 0), axis=0)", "prelu"),
}
# How a backward can combine the upstream gradient dout with the local gradient wrongly.
COMBINED = {"without-dout": ("{local}", "multiply by dout"),
            "divides-by-dout": ("{local} / dout", "do not divide by it"),
            "adds-dout": ("{local} + dout", "do not add it")}


def upstream_mistakes(written: set[str]) -> list:
    """Every backward dropping dout, dividing by it or adding it instead of multiplying
    (those not already in ``written``, by name)."""
    mistakes = []
    for function, (signature, local, returned, question) in BACKWARDS.items():
        for kind, (combined, feedback) in COMBINED.items():
            name = f"{function.replace('_', '-')}-{kind}"
            if name not in written:
                ds = combined.format(local=local)
                mistakes.append(mistake(name, question, feedback,
                                        f"def {function}{signature}:\n"
                                        f"    return {returned.format(ds=ds)}\n"))
    return mistakes


MISTAKES = [
    # -- sigmoid
    mistake("sigmoid-sign-flipped", "sigmoid", "sigma(-s)", """
        def sigmoid(s):
            return 1 / (1 + np.exp(s))
        """),
    mistake("sigmoid-exp-ratio-overflows", "sigmoid", "e^s / (1 + e^s) overflows", """
        def sigmoid(s):
            return np.exp(s) / (1 + np.exp(s))
        """),
    mistake("sigmoid-promotes-float32", "sigmoid", "expected dtype float32", """
        def sigmoid(s):
            s = np.asarray(s, dtype=float)
            e = np.exp(-np.abs(s))
            return np.where(s >= 0, 1 / (1 + e), e / (1 + e))
        """),
    # -- sigmoid_backward
    mistake("sigmoid-backward-forgets-one-minus-sigma", "sigmoid_backward",
            "did you forget the (1 - sigma(s)) factor?", Edit("sigmoid_backward", {
                "return dout * y_hat * (1 - y_hat)": "return dout * y_hat"})),
    mistake("sigmoid-backward-without-dout", "sigmoid_backward", "multiply by dout", Edit(
        "sigmoid_backward", {"return dout * y_hat * (1 - y_hat)": "return y_hat * (1 - y_hat)"})),
    mistake("sigmoid-backward-treats-s-as-output", "sigmoid_backward",
            "backward receives the inner potential s", """
        def sigmoid_backward(dout, s):
            return dout * s * (1 - s)
        """),
    mistake("sigmoid-backward-overflowing-quotient", "sigmoid_backward",
            "inf / inf for very negative s", """
        def sigmoid_backward(dout, s):
            return dout * np.exp(-s) / (1 + np.exp(-s)) ** 2
        """),
    mistake("sigmoid-backward-float64-buffer", "sigmoid_backward", "expected dtype float32", Edit(
        "sigmoid_backward", {"return dout * y_hat * (1 - y_hat)": """
            ds = np.zeros(s.shape)
            ds[:] = dout * y_hat * (1 - y_hat)
            return ds
            """})),
    # -- tanh
    mistake("tanh-lecture-identity-without-2s", "tanh", "2 sigma(2s) - 1", """
        def tanh(s):
            return 2 * sigmoid(s) - 1
        """),
    mistake("tanh-quotient-of-exponentials", "tanh", "inf / inf", """
        def tanh(s):
            return (np.exp(s) - np.exp(-s)) / (np.exp(s) + np.exp(-s))
        """),
    mistake("tanh-backward-one-minus-s-squared", "tanh", "1 - s^2", """
        def tanh_backward(dout, s):
            return dout * (1 - s ** 2)
        """),
    mistake("tanh-backward-square-missing", "tanh", "the derivative squares tanh", """
        def tanh_backward(dout, s):
            return dout * (1 - np.tanh(s))
        """),
    # -- relu
    mistake("relu-np-max-reduces", "relu", "np.maximum(s, 0) compares elementwise", """
        def relu(s):
            return np.max(s, 0)
        """),
    mistake("relu-modifies-input", "relu", "modified its input array in place", """
        def relu(s):
            s[s < 0] = 0
            return s
        """),
    mistake("relu-float64-zeros", "relu", "np.zeros(shape) is float64", """
        def relu(s):
            out = np.zeros(s.shape)
            out[s > 0] = s[s > 0]
            return out
        """),
    mistake("relu-returns-a-list", "relu", "got a list", """
        def relu(s):
            return [max(0.0, float(value)) for value in np.ravel(s)]
        """),
    # -- relu_backward
    mistake("relu-backward-greater-or-equal", "relu_backward", "ReLU'(0) = 0", """
        def relu_backward(dout, s):
            return dout * (s >= 0)
        """),
    mistake("relu-backward-times-the-output", "relu_backward",
            "multiplies by the ReLU's output", """
        def relu_backward(dout, s):
            return dout * relu(s)
        """),
    mistake("relu-backward-mask-from-dout", "relu_backward", "not from the sign of dout", """
        def relu_backward(dout, s):
            return np.maximum(dout, 0)
        """),
    mistake("relu-backward-without-dout", "relu_backward", "multiply by dout", """
        def relu_backward(dout, s):
            return (s > 0).astype(float)
        """),
    mistake("relu-backward-writes-into-dout", "relu_backward",
            "modified its input array in place", """
        def relu_backward(dout, s):
            dout[s <= 0] = 0
            return dout
        """),
    # -- leaky relu
    mistake("leaky-relu-slope-on-the-positive-side", "leaky_relu",
            "slope alpha on the positive side", """
        def leaky_relu(s, alpha=0.01):
            return np.where(s > 0, alpha * s, s)
        """),
    mistake("leaky-relu-ignores-alpha", "leaky_relu", "use the alpha argument", """
        def leaky_relu(s, alpha=0.01):
            return np.where(s > 0, s, 0.01 * s)
        """),
    mistake("leaky-relu-backward-swapped-slopes", "leaky_relu", "the slopes are swapped", """
        def leaky_relu_backward(dout, s, alpha=0.01):
            return np.where(s > 0, alpha * dout, dout)
        """),
    mistake("leaky-relu-backward-float64-slopes", "leaky_relu", "expected dtype float32", """
        def leaky_relu_backward(dout, s, alpha=0.01):
            slope = np.full(s.shape, alpha)
            slope[s > 0] = 1
            return dout * slope
        """),
    # Edge of the domain (issue #19): the kink at exactly 0, and a non-default axis.
    mistake("leaky-relu-backward-right-slope-at-zero", "leaky_relu",
            "the notebook takes the left slope there", """
        def leaky_relu_backward(dout, s, alpha=0.01):
            return np.where(s >= 0, dout, alpha * dout)
        """),
    # -- elu
    mistake("elu-alpha-on-the-positive-side", "elu", "alpha multiplies the positive side", """
        def elu(s, alpha=1.0):
            return alpha * np.where(s > 0, s, np.expm1(np.minimum(s, 0)))
        """),
    mistake("elu-forgets-the-minus-one", "elu", "the -1 is missing", """
        def elu(s, alpha=1.0):
            return np.where(s > 0, s, alpha * np.exp(np.minimum(s, 0)))
        """),
    mistake("elu-mask-arithmetic-nan", "elu", "turns inf * 0 into nan", """
        def elu(s, alpha=1.0):
            return s * (s > 0) + alpha * (np.exp(s) - 1) * (s <= 0)
        """),
    mistake("elu-backward-uses-the-value", "elu", "ELU's value", """
        def elu_backward(dout, s, alpha=1.0):
            return np.where(s > 0, dout, dout * alpha * np.expm1(np.minimum(s, 0)))
        """),
    mistake("elu-backward-right-slope-at-zero", "elu", "the notebook takes the left slope there",
            """
        def elu_backward(dout, s, alpha=1.0):
            return np.where(s >= 0, dout, dout * alpha * np.exp(np.minimum(s, 0)))
        """),
    # -- prelu
    mistake("prelu-slopes-on-the-positive-side", "prelu", "on the positive side", """
        def prelu(s, alpha):
            return np.where(s > 0, alpha * s, s)
        """),
    mistake("prelu-backward-dalpha-per-example", "prelu", "one row per example", Edit(
        "prelu_backward", {"dalpha = np.sum(dout * np.minimum(s, 0), axis=0)":
                           "dalpha = dout * np.minimum(s, 0)"})),
    mistake("prelu-backward-dalpha-averaged", "prelu", "not the mean", Edit(
        "prelu_backward", {"dalpha = np.sum(dout * np.minimum(s, 0), axis=0)":
                           "dalpha = np.mean(dout * np.minimum(s, 0), axis=0)"})),
    mistake("prelu-backward-scales-dout-in-place", "prelu", "modified its input array in place",
            Edit("prelu_backward", {"""
                ds = np.where(s > 0, dout, alpha * dout)
                dalpha = np.sum(dout * np.minimum(s, 0), axis=0)
                """: """
                dalpha = np.sum(dout * np.minimum(s, 0), axis=0)
                ds = dout
                ds *= np.where(s > 0, 1.0, alpha)
                """})),
    # -- softmax
    mistake("softmax-without-the-max-shift", "softmax", "Subtract each row's maximum", """
        def softmax(s, axis=-1):
            e = np.exp(s)
            return e / np.sum(e, axis=axis, keepdims=True)
        """),
    mistake("softmax-over-the-batch-axis", "softmax", "normalizes each column", """
        def softmax(s, axis=-1):
            e = np.exp(s - np.max(s, axis=0, keepdims=True))
            return e / np.sum(e, axis=0, keepdims=True)
        """),
    mistake("softmax-max-without-keepdims", "softmax", "could not be broadcast", """
        def softmax(s, axis=-1):
            e = np.exp(s - np.max(s, axis=axis))
            return e / np.sum(e, axis=axis, keepdims=True)
        """),
    mistake("softmax-float64-rows", "softmax", "np.zeros(shape) is float64", """
        def softmax(s, axis=-1):
            out = np.zeros(s.shape)
            e = np.exp(s - np.max(s, axis=axis, keepdims=True))
            out[...] = e / np.sum(e, axis=axis, keepdims=True)
            return out
        """),
    mistake("softmax-ignores-its-axis", "softmax", "whatever axis is passed", """
        def softmax(s, axis=-1):
            e = np.exp(s - np.max(s, axis=-1, keepdims=True))
            return e / np.sum(e, axis=-1, keepdims=True)
        """),
    # -- softmax_backward
    mistake("softmax-backward-ignores-its-axis", "softmax_backward", "whatever axis is passed",
            """
        def softmax_backward(dout, s, axis=-1):
            y_hat = softmax(s)
            return y_hat * (dout - np.sum(dout * y_hat, axis=-1, keepdims=True))
        """),
    mistake("softmax-backward-diagonal-only", "softmax_backward", "only the diagonal", """
        def softmax_backward(dout, s, axis=-1):
            y_hat = softmax(s, axis)
            return y_hat * (1 - y_hat) * dout
        """),
    mistake("softmax-backward-sum-over-the-batch", "softmax_backward", "runs over the batch", """
        def softmax_backward(dout, s, axis=-1):
            y_hat = softmax(s, axis)
            return y_hat * (dout - np.sum(dout * y_hat, axis=0, keepdims=True))
        """),
    mistake("softmax-backward-unshifted-exp", "softmax_backward",
            "Subtract each row's maximum", """
        def softmax_backward(dout, s, axis=-1):
            e = np.exp(s)
            y_hat = e / np.sum(e, axis=axis, keepdims=True)
            return y_hat * (dout - np.sum(dout * y_hat, axis=axis, keepdims=True))
        """),
    # -- mse
    mistake("mse-mean-over-every-entry", "mse", "divides by m*K", """
        def mse(y_hat, y):
            return np.mean((y_hat - y) ** 2), 2 * (y_hat - y) / y_hat.size
        """),
    mistake("mse-without-the-average", "mse", "the 1/m", """
        def mse(y_hat, y):
            return np.sum((y_hat - y) ** 2), 2 * (y_hat - y)
        """),
    mistake("mse-gradient-sign-flipped", "mse", "opposite sign", """
        def mse(y_hat, y):
            m = y_hat.shape[0]
            return np.sum((y_hat - y) ** 2) / m, 2 * (y - y_hat) / m
        """),
    mistake("mse-gradient-without-the-2", "mse", "half the expected value", """
        def mse(y_hat, y):
            m = y_hat.shape[0]
            return np.sum((y_hat - y) ** 2) / m, (y_hat - y) / m
        """),
    # -- binary cross-entropy
    mistake("bce-log-of-sigmoid", "binary_cross_entropy_with_logits", "log(0) = -inf", """
        def binary_cross_entropy_with_logits(s, y):
            y_hat = 1 / (1 + np.exp(-s))
            loss = -np.mean(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat))
            return loss, (y_hat - y) / s.shape[0]
        """),
    mistake("bce-gradient-without-1-over-m", "binary_cross_entropy_with_logits", "the 1/m", """
        def binary_cross_entropy_with_logits(s, y):
            loss = np.mean(np.logaddexp(0, s) - y * s)
            return loss, sigmoid(s) - y
        """),
    mistake("bce-gradient-without-the-sigmoid", "binary_cross_entropy_with_logits",
            "apply the sigmoid first", """
        def binary_cross_entropy_with_logits(s, y):
            loss = np.mean(np.logaddexp(0, s) - y * s)
            return loss, (s - y) / s.shape[0]
        """),
    # -- softmax cross-entropy
    mistake("softmax-ce-gradient-without-1-over-m", "softmax_cross_entropy", "the 1/m", Edit(
        "softmax_cross_entropy", {"return float(loss), grad / m": "return float(loss), grad"})),
    mistake("softmax-ce-gradient-without-one-hot", "softmax_cross_entropy",
            "subtract the one-hot targets", Edit("softmax_cross_entropy", {
                "grad[rows, y] -= 1": ""})),
    mistake("softmax-ce-log-of-softmax", "softmax_cross_entropy", "log(0) = -inf", Edit(
        "softmax_cross_entropy", {"loss = -np.sum(log_y_hat[rows, y]) / m":
                                  "loss = -np.sum(np.log(softmax(s)[rows, y])) / m"})),
    mistake("softmax-backward-without-dout", "softmax_backward", "multiply by dout", """
        def softmax_backward(dout, s, axis=-1):
            y_hat = softmax(s, axis)
            return y_hat * (1 - y_hat)
        """),
    # Edge of the domain (issue #19): backward passes keep float32 too.
    mistake("tanh-backward-in-float64", "tanh", "expected dtype float32", """
        def tanh_backward(dout, s):
            return dout * (1.0 - np.tanh(np.asarray(s, dtype=np.float64)) ** 2)
        """),
    mistake("elu-backward-float64-slopes", "elu", "expected dtype float32", """
        def elu_backward(dout, s, alpha=1.0):
            local = np.ones(s.shape)
            local[s <= 0] = alpha * np.exp(s[s <= 0])
            return dout * local
        """),
    mistake("prelu-backward-dalpha-in-float64", "prelu", "expected dtype float32", """
        def prelu_backward(dout, s, alpha):
            dalpha = np.zeros(s.shape[1])
            for j in range(s.shape[1]):
                dalpha[j] = np.sum(dout[:, j] * np.minimum(s[:, j], 0))
            return np.where(s > 0, dout, alpha * dout), dalpha
        """),
    mistake("softmax-backward-in-float64", "softmax_backward", "expected dtype float32", """
        def softmax_backward(dout, s, axis=-1):
            y_hat = softmax(np.asarray(s, dtype=np.float64), axis)
            return y_hat * (dout - np.sum(dout * y_hat, axis=axis, keepdims=True))
        """),
    # Edge of the domain: a batch in which the last class has no example.
    mistake("softmax-ce-classes-counted-from-the-labels", "softmax_cross_entropy",
            "could not be broadcast together", """
        def softmax_cross_entropy(s, y):
            m = s.shape[0]
            shifted = s - np.max(s, axis=1, keepdims=True)
            log_y_hat = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
            one_hot = np.eye(int(y.max()) + 1)[y]
            return float(-np.mean(log_y_hat[np.arange(m), y])), (np.exp(log_y_hat) - one_hot) / m
        """),
]
MISTAKES += upstream_mistakes({m.name for m in MISTAKES})

ALTERNATIVES = [
    # Correct values, but numpy warns "overflow in exp" for very negative s: the warning
    # must not cost points (nbgrader zeroes a test cell that writes to stderr).
    alternative("sigmoid-textbook-form-that-warns-on-overflow", """
        def sigmoid(s):
            return 1 / (1 + np.exp(-s))
        """),
    alternative("relu-with-boolean-masks", """
        def relu(s):
            out = s.copy()
            out[out < 0] = 0
            return out

        def relu_backward(dout, s):
            ds = dout.copy()
            ds[s <= 0] = 0
            return ds
        """),
    alternative("sigmoid-from-tanh-and-backward-reusing-it", """
        def sigmoid(s):
            return 0.5 * (1 + np.tanh(0.5 * s))

        def sigmoid_backward(dout, s):
            y_hat = sigmoid(s)
            return dout * y_hat * (1 - y_hat)
        """),
    alternative("tanh-as-2-sigma-2s-minus-1", """
        def tanh(s):
            return 2 * sigmoid(2 * s) - 1

        def tanh_backward(dout, s):
            t = tanh(s)
            return dout * (1 - t ** 2)
        """),
    alternative("softmax-by-logsumexp-and-explicit-jacobians", """
        def softmax(s, axis=-1):
            top = np.max(s, axis=axis, keepdims=True)
            lse = top + np.log(np.sum(np.exp(s - top), axis=axis, keepdims=True))
            return np.exp(s - lse)

        def softmax_backward(dout, s, axis=-1):
            y_hat = np.moveaxis(softmax(s, axis), axis, -1)  # one example per row
            upstream = np.moveaxis(dout, axis, -1)
            ds = np.empty_like(y_hat)
            for i in range(y_hat.shape[0]):
                jacobian = np.diag(y_hat[i]) - np.outer(y_hat[i], y_hat[i])
                ds[i] = jacobian.T @ upstream[i]
            return np.moveaxis(ds, -1, axis)
        """),
    alternative("elu-with-np-piecewise", """
        def elu(s, alpha=1.0):
            return np.piecewise(s, [s > 0], [lambda x: x, lambda x: alpha * np.expm1(x)])

        def elu_backward(dout, s, alpha=1.0):
            return dout * np.piecewise(s, [s > 0], [1.0, lambda x: alpha * np.exp(x)])
        """),
    alternative("leaky-relu-by-maximum-with-float32-slopes", """
        def leaky_relu(s, alpha=0.01):
            return np.maximum(s, alpha * s)

        def leaky_relu_backward(dout, s, alpha=0.01):
            return dout * np.where(s > 0, 1, alpha).astype(dout.dtype)
        """),
    alternative("prelu-with-masks-and-einsum", """
        def prelu(s, alpha):
            negative = s <= 0
            return s * ~negative + alpha * s * negative

        def prelu_backward(dout, s, alpha):
            negative = s <= 0
            ds = dout * np.where(negative, alpha, 1.0)
            return ds, np.einsum("ij,ij->j", dout, s * negative)
        """),
    alternative("losses-with-loops-and-logaddexp", """
        def mse(y_hat, y):
            residual = y_hat - y
            return np.mean(np.sum(residual ** 2, axis=1)), 2 * residual / len(residual)

        def binary_cross_entropy_with_logits(s, y):
            return np.mean(np.logaddexp(0, s) - y * s), (sigmoid(s) - y) / len(s)

        def softmax_cross_entropy(s, y):
            m = s.shape[0]
            loss, grad = 0.0, np.zeros_like(s)
            for i in range(m):
                row = s[i] - s[i].max()
                log_sum = np.log(np.sum(np.exp(row)))
                loss += log_sum - row[y[i]]
                grad[i] = np.exp(row - log_sum)
                grad[i, y[i]] -= 1
            return loss / m, grad / m
        """),
    # The notebook's f'(s) = f(s) + alpha for s <= 0: at the kink it is alpha, the left slope.
    alternative("elu-backward-from-the-value-plus-alpha", """
        def elu_backward(dout, s, alpha=1.0):
            return np.where(s > 0, dout, dout * (elu(s, alpha) + alpha))
        """),
]
