"""Plausible student mistakes written apart from the catalogue (issue #19), to measure how
many the checks catch: each must lose points on its own question. None was written to pass or
fail a particular check; many sit at the edge of a function's domain (a kink at exactly 0, a
non-default argument, float32 or integer inputs, a constant feature, a label missing from a
batch, a denominator at the guard's scale, parameters in another key order).

No entry repeats a line the catalogue's entries change (a test holds it to that): the same
mistake may be in both, written differently. The last round (from "edges of the domain,
second round") was written alongside the checks that catch it, so the list is not a sample
drawn independently of the checks."""

from autograder.catalogue import Variant, mistake_maker


def plausible(lab: str, name: str, question: str, source: str) -> Variant:
    return mistake_maker(lab)(name, question, "", source)


MISTAKES = [
    # -- lab01
    plausible("lab01", "sign-of-zero-is-minus-one", "perceptron_predict", """
        def sign(s):
            return np.where(s <= 0, -1.0, 1.0)
        """),
    plausible("lab01", "standardize-guard-added-to-sigma", "standardize", """
        def standardize(X_train, X_test):
            centre = np.mean(X_train, axis=0)
            scale = np.sqrt(np.mean((X_train - centre) ** 2, axis=0)) + 1e-8
            return (X_train - centre) / scale, (X_test - centre) / scale
        """),
    plausible("lab01", "min-max-test-scaled-by-its-own-minimum", "min_max_scale", """
        def min_max_scale(X_train, X_test):
            low = X_train.min(axis=0)
            spread = X_train.max(axis=0) - low
            spread = np.where(spread > 0, spread, 1.0)
            return (X_train - low) / spread, (X_test - X_test.min(axis=0)) / spread
        """),
    plausible("lab01", "min-max-range-floored-at-machine-epsilon", "min_max_scale", """
        def min_max_scale(X_train, X_test):
            lowest = np.min(X_train, axis=0)
            width = np.maximum(np.ptp(X_train, axis=0), np.finfo(float).eps)
            return (X_train - lowest) / width, (X_test - lowest) / width
        """),
    plausible("lab01", "perceptron-ignores-w0", "perceptron_train", """
        def perceptron_train(X, y, lr=1.0, epochs=100, w0=None):
            A = np.hstack([np.ones((len(X), 1)), X])
            weights = np.zeros(A.shape[1])
            for _ in range(epochs):
                changed = False
                for row, target in zip(A, y):
                    predicted = 1.0 if row @ weights >= 0 else -1.0
                    if predicted != target:
                        weights = weights + lr * target * row
                        changed = True
                if not changed:
                    break
            return weights
        """),
    plausible("lab01", "perceptron-converges-inside-the-example-loop", "perceptron_train", """
        def perceptron_train(X, y, lr=1.0, epochs=100, w0=None):
            A = np.hstack([np.ones((len(X), 1)), X])
            weights = np.zeros(A.shape[1]) if w0 is None else np.asarray(w0, dtype=float).copy()
            for _ in range(epochs):
                errors = 0
                for row, target in zip(A, y):
                    predicted = 1.0 if row @ weights >= 0 else -1.0
                    if predicted != target:
                        weights = weights + lr * target * row
                        errors += 1
                    if errors == 0:
                        break
                if errors == 0:
                    break
            return weights
        """),
    plausible("lab01", "gradient-descent-ignores-w0", "gradient_descent_neuron", """
        def gradient_descent_neuron(X, y, lr, epochs, w0=None):
            X1 = np.column_stack([np.ones(X.shape[0]), X])
            m = X1.shape[0]
            w = np.zeros(X1.shape[1])
            losses = [float(np.mean((y - X1 @ w) ** 2))]
            for _ in range(epochs):
                w = w - lr * 2 / m * X1.T @ (X1 @ w - y)
                losses.append(float(np.mean((y - X1 @ w) ** 2)))
            return w, losses
        """),
    plausible("lab01", "logistic-loss-log-of-one-plus-exp", "logistic_loss_and_grad", """
        def logistic_loss_and_grad(w, X, y):
            X1 = np.column_stack([np.ones(X.shape[0]), X])
            s = X1 @ w
            loss = np.mean(np.log(1 + np.exp(s)) - y * s)
            return float(loss), X1.T @ (1 / (1 + np.exp(-s)) - y) / X1.shape[0]
        """),
    # -- lab02
    plausible("lab02", "relative-error-guard-added", "gradient_check", """
        def relative_error(a, b):
            a, b = np.array(a, dtype=float), np.array(b, dtype=float)
            size = abs(a) + abs(b)
            size += 1e-8
            return float((abs(a - b) / size).max())
        """),
    plausible("lab02", "numerical-gradient-does-not-restore-x", "gradient_check", """
        def numerical_gradient(f, x, h=1e-5):
            grad = np.zeros(x.shape)
            for i in np.ndindex(x.shape):
                original = x[i]
                x[i] = original + h
                plus = f(x)
                x[i] = original - h
                minus = f(x)
                grad[i] = (plus - minus) / (2 * h)
            return grad
        """),
    plausible("lab02", "gradient-check-keeps-integer-inputs", "gradient_check", """
        def gradient_check(f, grad_f, x, h=1e-5):
            point = x if isinstance(x, np.ndarray) else np.array(x)
            analytic = grad_f(np.copy(point))
            return relative_error(analytic, numerical_gradient(f, point, h=h))
        """),
    plausible("lab02", "numerical-gradient-zeros-like-x", "gradient_check", """
        def numerical_gradient(f, x, h=1e-5):
            grad = np.zeros_like(x)
            for i in np.ndindex(x.shape):
                original = x[i]
                x[i] = original + h
                plus = f(x)
                x[i] = original - h
                minus = f(x)
                x[i] = original
                grad[i] = (plus - minus) / (2 * h)
            return grad
        """),
    plausible("lab02", "sin-square-derivative-squares-the-cosine", "sin_square_derivative", """
        def sin_square_derivative(x):
            return 2 * x * np.cos(x) ** 2
        """),
    # -- lab03
    plausible("lab03", "leaky-relu-backward-ge-zero", "leaky_relu", """
        def leaky_relu_backward(dout, s, alpha=0.01):
            return dout * np.where(s >= 0, 1.0, alpha).astype(dout.dtype)
        """),
    plausible("lab03", "elu-backward-ge-zero", "elu", """
        def elu_backward(dout, s, alpha=1.0):
            return dout * np.where(s >= 0, 1.0, alpha * np.exp(np.minimum(s, 0)))
        """),
    plausible("lab03", "tanh-backward-promotes-float32", "tanh", """
        def tanh_backward(dout, s):
            return dout * (1 - np.square(np.tanh(s), dtype=np.float64))
        """),
    plausible("lab03", "elu-backward-promotes-float32", "elu", """
        def elu_backward(dout, s, alpha=1.0):
            slope = np.where(s > 0, 1.0, alpha * np.exp(np.minimum(s, 0).astype(float)))
            return dout * slope
        """),
    plausible("lab03", "softmax-backward-promotes-float32", "softmax_backward", """
        def softmax_backward(dout, s, axis=-1):
            p = softmax(s, axis).astype(float)
            return p * (dout - (dout * p).sum(axis=axis, keepdims=True))
        """),
    plausible("lab03", "softmax-hard-coded-last-axis", "softmax", """
        def softmax(s, axis=-1):
            e = np.exp(s - s.max(axis=1, keepdims=True))
            return e / e.sum(axis=1, keepdims=True)
        """),
    plausible("lab03", "bce-without-the-absolute-value", "binary_cross_entropy_with_logits", """
        def binary_cross_entropy_with_logits(s, y):
            loss = np.mean(np.maximum(s, 0) - y * s + np.log1p(np.exp(-s)))
            return float(loss), (sigmoid(s) - y) / s.shape[0]
        """),
    plausible("lab03", "softmax-ce-one-hot-from-the-labels-seen", "softmax_cross_entropy", """
        def softmax_cross_entropy(s, y):
            m = s.shape[0]
            shifted = s - np.max(s, axis=1, keepdims=True)
            log_y_hat = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
            one_hot = np.zeros((m, len(np.unique(y))))
            one_hot[np.arange(m), y] = 1.0
            loss = -np.sum(log_y_hat[np.arange(m), y]) / m
            return float(loss), (np.exp(log_y_hat) - one_hot) / m
        """),
    plausible("lab03", "prelu-backward-float64-dalpha", "prelu", """
        def prelu_backward(dout, s, alpha):
            negative = np.minimum(s, 0)
            return np.where(s > 0, dout, alpha * dout), np.sum(dout * negative, axis=0, dtype=float)
        """),
    # -- lab05
    plausible("lab05", "constant-keeps-an-integer-value", "constant_init", """
        def constant(fan_in, fan_out, rng=None, value=0.1):
            W = np.empty((fan_in, fan_out), dtype=type(value))
            W[...] = value
            return W
        """),
    plausible("lab05", "dead-fraction-counts-units", "dead_fraction", """
        def dead_fraction(S):
            return float(np.sum(np.all(S <= 0, axis=0)))
        """),
    plausible("lab05", "he-normal-with-fan-out", "he", """
        def he_normal(fan_in, fan_out, rng):
            std = (2 / fan_out) ** 0.5
            return std * rng.standard_normal((fan_in, fan_out))
        """),
    plausible("lab05", "xavier-uniform-bound-sqrt-3", "xavier", """
        def xavier_uniform(fan_in, fan_out, rng):
            a = np.sqrt(3.0 / (fan_in + fan_out))
            return rng.uniform(-a, a, size=(fan_in, fan_out))
        """),
    plausible("lab05", "normal-ignores-its-rng", "normal", """
        def normal(fan_in, fan_out, rng, std=0.01):
            return std * np.random.standard_normal((fan_in, fan_out))
        """),
    # -- lab06
    plausible("lab06", "adam-accumulates-g-not-g-squared", "adam_step", """
        def adam_step(theta, g, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
            t_new = t + 1
            m_new = beta1 * m + (1 - beta1) * g
            v_new = beta2 * v + (1 - beta2) * g
            m_hat = m_new / (1 - beta1 ** t_new)
            v_hat = v_new / (1 - beta2 ** t_new)
            return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m_new, v_new, t_new
        """),
    plausible("lab06", "adam-bias-correction-with-the-old-t", "adam_step", """
        def adam_step(theta, g, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
            m_new = beta1 * m + (1 - beta1) * g
            v_new = beta2 * v + (1 - beta2) * g * g
            m_hat = m_new / (1 - beta1 ** max(t, 1))
            v_hat = v_new / (1 - beta2 ** max(t, 1))
            return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m_new, v_new, t + 1
        """),
    plausible("lab06", "minibatch-ignores-the-order", "minibatch", """
        def minibatch_epoch(theta, X, y, lr, batch_size, order):
            for start in range(0, len(order), batch_size):
                batch = np.arange(start, min(start + batch_size, len(order)))
                residual = X[batch] @ theta - y[batch]
                theta = theta - lr * 2.0 * X[batch].T @ residual / len(batch)
            return theta
        """),
    plausible("lab06", "cosine-schedule-not-clamped", "schedules", """
        def cosine_schedule(t, lr0, total, lr_min=0.0):
            return float(lr_min + 0.5 * (lr0 - lr_min) * (1 + np.cos(np.pi * t / total)))
        """),
    plausible("lab06", "step-schedule-drops-at-the-start-of-a-period", "schedules", """
        def step_schedule(t, lr0, drop=0.5, every=10):
            return lr0 * drop ** int(np.ceil(t / every))
        """),
    plausible("lab06", "rmsprop-forgets-one-minus-gamma", "rmsprop_step", """
        def rmsprop_step(theta, g, G, lr=0.001, gamma=0.9, eps=1e-8):
            G_new = gamma * G + g * g
            return theta - lr * g / (np.sqrt(G_new) + eps), G_new
        """),
    # -- lab07
    plausible("lab07", "penalty-assumes-the-key-order", "regularization_penalty", """
        def regularization_penalty(params, l1, l2):
            value, grads = 0.0, {}
            for i, (name, w) in enumerate(params.items()):
                if i % 2 == 0:
                    value += l1 * float(np.sum(np.abs(w))) + 0.5 * l2 * float(np.sum(w * w))
                    grads[name] = l1 * np.sign(w) + l2 * w
                else:
                    grads[name] = np.zeros_like(w)
            return value, grads
        """),
    plausible("lab07", "l1-subgradient-one-at-zero", "l1_penalty", """
        def l1_penalty(w, lam):
            grad = lam * np.sign(w)
            grad[w == 0] = lam
            return float(lam * np.abs(w).sum()), grad
        """),
    plausible("lab07", "l2-penalty-without-the-half", "l2_penalty", """
        def l2_penalty(w, lam):
            return lam * float(np.sum(w * w)), lam * w
        """),
    plausible("lab07", "dropout-backward-unscaled-mask", "dropout", """
        def dropout_backward(dout, mask):
            return dout * (mask > 0)
        """),
    plausible("lab07", "batchnorm-backward-without-gamma", "batchnorm", """
        def batchnorm_backward(dout, cache):
            xhat, gamma, inv_std = cache
            n = dout.shape[0]
            dxhat = dout
            dX = inv_std / n * (n * dxhat - dxhat.sum(axis=0) - xhat * (dxhat * xhat).sum(axis=0))
            return dX, (dout * xhat).sum(axis=0), dout.sum(axis=0)
        """),
    plausible("lab07", "noise-promotes-float32", "input_noise", """
        def add_gaussian_noise(X, sigma, seed):
            rng = np.random.default_rng(seed)
            return X + sigma * rng.standard_normal(X.shape)
        """),
    plausible("lab07", "adamw-decays-after-the-step", "adam_weight_decay", """
        def adamw_step(theta, g, m, v, t, lr, beta1, beta2, eps, weight_decay):
            step = t + 1
            m_new = beta1 * m + (1 - beta1) * g
            v_new = beta2 * v + (1 - beta2) * np.square(g)
            corrected_m, corrected_v = m_new / (1 - beta1 ** step), v_new / (1 - beta2 ** step)
            update = lr * corrected_m / (np.sqrt(corrected_v) + eps)
            moved = theta - update
            return moved - lr * weight_decay * moved, m_new, v_new, step
        """),
    # -- edges of the domain, second round (issue #19): a kink at exactly 0, an optional
    # argument at another value, another key order, a class no label has, float32 kept
    plausible("lab02", "value-relu-local-gradient-as-output-over-input", "value", """
        class Value:
            def __init__(self, data, _children=(), _op=""):
                self.data, self.grad = float(data), 0.0
                self._prev, self._op = tuple(_children), _op
                self._backward = lambda: None

            def _node(self, data, parents, op, locals_):
                out = Value(data, parents, op)

                def _backward():
                    for parent, local in zip(parents, locals_()):
                        parent.grad += local * out.grad
                out._backward = _backward
                return out

            def __add__(self, other):
                other = other if isinstance(other, Value) else Value(other)
                return self._node(self.data + other.data, (self, other), "+", lambda: (1.0, 1.0))

            def __mul__(self, other):
                other = other if isinstance(other, Value) else Value(other)
                return self._node(self.data * other.data, (self, other), "*",
                                  lambda: (other.data, self.data))

            def __pow__(self, k):
                return self._node(self.data ** k, (self,), "pow",
                                  lambda: (k * self.data ** (k - 1),))

            def exp(self):
                e = math.exp(self.data)
                return self._node(e, (self,), "exp", lambda: (e,))

            def tanh(self):
                t = math.tanh(self.data)
                return self._node(t, (self,), "tanh", lambda: (1 - t * t,))

            def relu(self):
                r = max(0.0, self.data)
                return self._node(r, (self,), "relu", lambda: (r / self.data,))

            def backward(self):
                seen, order = set(), []

                def walk(node):
                    if id(node) in seen:
                        return
                    seen.add(id(node))
                    for parent in node._prev:
                        walk(parent)
                    order.append(node)

                walk(self)
                self.grad = 1.0
                for node in order[::-1]:
                    node._backward()

            def __neg__(self):
                return self * -1.0

            def __sub__(self, other):
                return self + (-other)

            def __truediv__(self, other):
                return self * (other if isinstance(other, Value) else Value(other)) ** -1

            def __radd__(self, other):
                return self + other

            def __rmul__(self, other):
                return self * other

            def __rsub__(self, other):
                return Value(other) - self

            def __rtruediv__(self, other):
                return Value(other) / self
        """),
    plausible("lab02", "gradient-check-default-step", "gradient_check", """
        def gradient_check(f, grad_f, x, h=1e-5):
            point = np.asarray(x, dtype=float).copy()
            analytic = grad_f(point.copy())
            return relative_error(analytic, numerical_gradient(f, point, 1e-5))
        """),
    plausible("lab04", "mlp-backward-heaviside-one-at-zero", "mlp_backward", """
        def mlp_loss_and_gradients(X, y, params):
            depth = len(params) // 2
            cache, Z = [], X
            for l in range(1, depth + 1):
                S = linear_forward(Z, params[f"W{l}"], params[f"b{l}"])
                cache.append((Z, S))
                Z = relu(S) if l < depth else S
            loss, delta = softmax_cross_entropy(Z, y)
            grads = {}
            for l in range(depth, 0, -1):
                Z_in, _ = cache[l - 1]
                upstream, grads[f"W{l}"], grads[f"b{l}"] = linear_backward(delta, Z_in,
                                                                           params[f"W{l}"])
                if l > 1:
                    delta = upstream * np.heaviside(cache[l - 2][1], 1.0)
            return loss, grads
        """),
    plausible("lab04", "mlp-forward-weights-and-biases-in-dict-order", "mlp_forward", """
        def mlp_forward(X, params):
            weights = [value for key, value in params.items() if key.startswith("W")]
            biases = [value for key, value in params.items() if key.startswith("b")]
            out = X
            for depth, (W, b) in enumerate(zip(weights, biases), start=1):
                out = linear_forward(out, W, b)
                if depth < len(weights):
                    out = relu(out)
            return out
        """),
    plausible("lab04", "mlp-backward-weights-and-biases-in-dict-order", "mlp_backward", """
        def mlp_loss_and_gradients(X, y, params):
            w_keys = [key for key in params if key.startswith("W")]
            b_keys = [key for key in params if key.startswith("b")]
            ins, pots, Z = [], [], X
            for i, (wk, bk) in enumerate(zip(w_keys, b_keys)):
                ins.append(Z)
                pots.append(linear_forward(Z, params[wk], params[bk]))
                Z = relu(pots[-1]) if i < len(w_keys) - 1 else pots[-1]
            loss, delta = softmax_cross_entropy(Z, y)
            grads = {}
            for i in reversed(range(len(w_keys))):
                dZ, grads[w_keys[i]], grads[b_keys[i]] = linear_backward(delta, ins[i],
                                                                         params[w_keys[i]])
                if i > 0:
                    delta = relu_backward(dZ, pots[i - 1])
            return loss, grads
        """),
    plausible("lab04", "softmax-ce-one-hot-width-from-bincount", "softmax_classifier", """
        def softmax_cross_entropy(S, y):
            m = len(y)
            targets = np.eye(np.bincount(y).size)[y]
            z = S - np.max(S, axis=1, keepdims=True)
            log_probs = z - np.log(np.sum(np.exp(z), axis=1, keepdims=True))
            return float(-np.sum(targets * log_probs) / m), (np.exp(log_probs) - targets) / m
        """),
    plausible("lab04", "train-classes-from-a-set", "train", """
        def train_softmax_classifier(X, y, lr, epochs, batch_size, seed):
            rng = np.random.default_rng(seed)
            n_classes = len(set(y.tolist()))
            W, b = np.zeros((X.shape[1], n_classes)), np.zeros(n_classes)
            history = []
            for _ in range(epochs):
                order = rng.permutation(X.shape[0])
                for first in range(0, X.shape[0], batch_size):
                    batch = order[first:first + batch_size]
                    _, dW, db = softmax_classifier_loss(X[batch], y[batch], W, b)
                    W = W - lr * dW
                    b = b - lr * db
                history.append(softmax_classifier_loss(X, y, W, b)[0])
            return W, b, history
        """),
    plausible("lab04", "gradient-check-own-step", "gradient_check", """
        def gradient_check(f, params, h=1e-5):
            step = 1e-5
            _, analytic = f(params)
            largest = 0.0
            for name, array in params.items():
                for index in np.ndindex(array.shape):
                    saved = array[index]
                    array[index] = saved + step
                    up = f(params)[0]
                    array[index] = saved - step
                    down = f(params)[0]
                    array[index] = saved
                    numeric = (up - down) / (2 * step)
                    exact = analytic[name][index]
                    largest = max(largest, abs(exact - numeric)
                                  / max(abs(exact) + abs(numeric), 1e-8))
            return largest
        """),
    plausible("lab06", "adagrad-constant-eps", "adagrad_step", """
        def adagrad_step(theta, g, G, lr, eps=1e-8):
            EPS = 1e-8
            G_new = G + np.square(g)
            return theta - lr * g / (EPS + np.sqrt(G_new)), G_new
        """),
    plausible("lab06", "adam-eps-hard-coded", "adam_step", """
        def adam_step(theta, g, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
            count = t + 1
            m_new = beta1 * m + (1 - beta1) * g
            v_new = beta2 * v + (1 - beta2) * np.square(g)
            m_hat, v_hat = m_new / (1 - beta1 ** count), v_new / (1 - beta2 ** count)
            return theta - lr * m_hat / (np.sqrt(v_hat) + 1e-8), m_new, v_new, count
        """),
    plausible("lab06", "nesterov-velocity-in-a-float64-buffer", "nesterov_step", """
        def nesterov_step(theta, v, grad_fn, lr, mu):
            velocity = np.zeros(np.shape(theta))
            velocity[...] = mu * v - lr * grad_fn(theta + mu * v)
            return theta + velocity, velocity
        """),
    plausible("lab07", "l1-gradient-from-comparisons", "l1_penalty", """
        def l1_penalty(w, lam):
            return lam * float(np.abs(w).sum()), lam * (w > 0) - lam * (w < 0)
        """),
    plausible("lab07", "dropout-eval-mask-full-of-floats", "dropout", """
        def dropout_forward(X, keep_prob, seed, train):
            if train:
                keep = np.random.default_rng(seed).random(X.shape) < keep_prob
                mask = keep.astype(X.dtype) / X.dtype.type(keep_prob)
                return X * mask, mask
            return X.copy(), np.full(X.shape, 1.0)
        """),
]
