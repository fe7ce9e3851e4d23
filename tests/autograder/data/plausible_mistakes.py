"""Plausible student mistakes written apart from the catalogue (issue #19), to measure how
many the checks catch: each must lose points on its own question. None was written to pass or
fail a particular check; many sit at the edge of a function's domain (a kink at exactly 0, a
non-default argument, float32 or integer inputs, a constant feature, a label missing from a
batch, a denominator at the guard's scale)."""

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
            mu, sigma = X_train.mean(axis=0), X_train.std(axis=0)
            return (X_train - mu) / (sigma + 1e-8), (X_test - mu) / (sigma + 1e-8)
        """),
    plausible("lab01", "min-max-test-scaled-by-its-own-minimum", "min_max_scale", """
        def min_max_scale(X_train, X_test):
            low = X_train.min(axis=0)
            spread = X_train.max(axis=0) - low
            spread = np.where(spread > 0, spread, 1.0)
            return (X_train - low) / spread, (X_test - X_test.min(axis=0)) / spread
        """),
    plausible("lab01", "min-max-guard-added-to-spread", "min_max_scale", """
        def min_max_scale(X_train, X_test):
            low = X_train.min(axis=0)
            spread = X_train.max(axis=0) - low + 1e-8
            return (X_train - low) / spread, (X_test - low) / spread
        """),
    plausible("lab01", "perceptron-ignores-w0", "perceptron_train", """
        def perceptron_train(X, y, lr=1.0, epochs=100, w0=None):
            X1 = np.column_stack([np.ones(X.shape[0]), X])
            w = np.zeros(X1.shape[1])
            for _ in range(epochs):
                mistakes = 0
                for x_i, y_i in zip(X1, y):
                    if (-1.0 if x_i @ w < 0 else 1.0) != y_i:
                        w = w + lr * y_i * x_i
                        mistakes += 1
                if mistakes == 0:
                    break
            return w
        """),
    plausible("lab01", "perceptron-converges-inside-the-example-loop", "perceptron_train", """
        def perceptron_train(X, y, lr=1.0, epochs=100, w0=None):
            X1 = np.column_stack([np.ones(X.shape[0]), X])
            w = np.zeros(X1.shape[1]) if w0 is None else np.array(w0, dtype=float)
            for _ in range(epochs):
                mistakes = 0
                for x_i, y_i in zip(X1, y):
                    if (-1.0 if x_i @ w < 0 else 1.0) != y_i:
                        w = w + lr * y_i * x_i
                        mistakes += 1
                    if mistakes == 0:
                        break
                if mistakes == 0:
                    break
            return w
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
            a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
            return float(np.max(np.abs(a - b) / (np.abs(a) + np.abs(b) + 1e-8)))
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
            x = np.asarray(x)
            return relative_error(grad_f(x.copy()), numerical_gradient(f, x, h))
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
            t = np.tanh(np.asarray(s, dtype=np.float64))
            return dout * (1.0 - t ** 2)
        """),
    plausible("lab03", "elu-backward-promotes-float32", "elu", """
        def elu_backward(dout, s, alpha=1.0):
            local = np.ones(s.shape)
            negative = s <= 0
            local[negative] = alpha * np.exp(s[negative])
            return dout * local
        """),
    plausible("lab03", "softmax-backward-promotes-float32", "softmax_backward", """
        def softmax_backward(dout, s, axis=-1):
            y_hat = softmax(np.asarray(s, dtype=np.float64), axis)
            return y_hat * (dout - np.sum(dout * y_hat, axis=axis, keepdims=True))
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
            one_hot = np.eye(int(y.max()) + 1)[y]
            loss = -np.sum(log_y_hat[np.arange(m), y]) / m
            return float(loss), (np.exp(log_y_hat) - one_hot) / m
        """),
    plausible("lab03", "prelu-backward-float64-dalpha", "prelu", """
        def prelu_backward(dout, s, alpha):
            ds = np.where(s > 0, dout, alpha * dout)
            dalpha = np.zeros(s.shape[1])
            for j in range(s.shape[1]):
                dalpha[j] = np.sum(dout[:, j] * np.minimum(s[:, j], 0))
            return ds, dalpha
        """),
    # -- lab05
    plausible("lab05", "constant-keeps-an-integer-value", "constant_init", """
        def constant(fan_in, fan_out, rng=None, value=0.1):
            return np.full((fan_in, fan_out), value)
        """),
    plausible("lab05", "dead-fraction-counts-units", "dead_fraction", """
        def dead_fraction(S):
            return float(np.sum(np.all(S <= 0, axis=0)))
        """),
    plausible("lab05", "he-normal-with-fan-out", "he", """
        def he_normal(fan_in, fan_out, rng):
            return rng.normal(0.0, np.sqrt(2.0 / fan_out), size=(fan_in, fan_out))
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
    plausible("lab06", "step-schedule-true-division", "schedules", """
        def step_schedule(t, lr0, drop=0.5, every=10):
            return float(lr0 * drop ** (t / every))
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
            return lam * float(np.sum(np.abs(w))), lam * np.where(w >= 0, 1.0, -1.0)
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
            t = t + 1
            m = beta1 * m + (1 - beta1) * g
            v = beta2 * v + (1 - beta2) * g * g
            m_hat = m / (1 - beta1**t)
            v_hat = v / (1 - beta2**t)
            theta = theta - lr * m_hat / (np.sqrt(v_hat) + eps)
            return (1 - lr * weight_decay) * theta, m, v, t
        """),
]
