"""Lab 04's catalogue: mistakes students make with layers, the MLP and mini-batch SGD, and
valid alternatives to the solution.

Each mistake replaces one function of the solution notebook and must lose points on its
question, and only there; ``feedback`` is a phrase of what the check says back. Each
alternative replaces one or more functions with a different correct implementation and
must keep full marks.
"""

from __future__ import annotations

from autograder.catalogue import alternative, mistake_maker

mistake = mistake_maker("lab04")


MISTAKES = [
    # -- linear_forward
    mistake("linear-forward-without-bias", "linear_forward", "X W without the bias", """
        def linear_forward(X, W, b):
            return X @ W
        """),
    mistake("linear-forward-transposes-W", "linear_forward", "no transpose", """
        def linear_forward(X, W, b):
            return X @ W.T + b
        """),
    mistake("linear-forward-promotes-float32", "linear_forward", "expected dtype float32", """
        def linear_forward(X, W, b):
            return np.asarray(X, dtype=float) @ W + b
        """),
    # -- linear_backward
    mistake("linear-backward-dW-transposed", "linear_backward", "dW = X^T dS", """
        def linear_backward(dS, X, W):
            return dS @ W.T, dS.T @ X, dS.sum(axis=0)
        """),
    mistake("linear-backward-db-not-summed", "linear_backward", "summed over the examples", """
        def linear_backward(dS, X, W):
            return dS @ W.T, X.T @ dS, dS
        """),
    mistake("linear-backward-db-averaged", "linear_backward", "db is averaged over the batch", """
        def linear_backward(dS, X, W):
            return dS @ W.T, X.T @ dS, dS.mean(axis=0)
        """),
    mistake("linear-backward-dX-uses-W", "linear_backward", "dX uses W instead of W^T", """
        def linear_backward(dS, X, W):
            return dS @ W, X.T @ dS, dS.sum(axis=0)
        """),
    mistake("linear-backward-dX-drops-dS", "linear_backward", "as if the upstream gradient dS",
            """
        def linear_backward(dS, X, W):
            return np.ones_like(dS) @ W.T, X.T @ dS, dS.sum(axis=0)
        """),
    mistake("linear-backward-dW-drops-dS", "linear_backward", "as if the upstream gradient dS",
            """
        def linear_backward(dS, X, W):
            return dS @ W.T, X.T @ np.ones_like(dS), dS.sum(axis=0)
        """),
    mistake("linear-backward-db-counts-the-examples", "linear_backward",
            "as if the upstream gradient dS", """
        def linear_backward(dS, X, W):
            return dS @ W.T, X.T @ dS, np.full(dS.shape[1], float(dS.shape[0]))
        """),
    mistake("linear-backward-float64-buffer", "linear_backward", "expected dtype float32", """
        def linear_backward(dS, X, W):
            dX = np.zeros(X.shape)
            dX[:] = dS @ W.T
            return dX, X.T @ dS, dS.sum(axis=0)
        """),
    # -- softmax cross-entropy and the classifier
    mistake("softmax-ce-without-the-average", "softmax_classifier", "the 1/m", """
        def softmax_cross_entropy(S, y):
            shifted = S - S.max(axis=1, keepdims=True)
            P = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
            rows = np.arange(len(y))
            loss = -np.sum(np.log(P[rows, y]))
            P[rows, y] -= 1
            return loss, P
        """),
    mistake("softmax-ce-forgets-the-targets", "softmax_classifier", "the one-hot targets are "
            "missing", """
        def softmax_cross_entropy(S, y):
            N = S.shape[0]
            shifted = S - S.max(axis=1, keepdims=True)
            P = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
            return -np.mean(np.log(P[np.arange(N), y])), P / N
        """),
    mistake("softmax-ce-without-the-max-shift", "softmax_classifier", "Subtract each row's "
            "maximum", """
        def softmax_cross_entropy(S, y):
            N = S.shape[0]
            P = np.exp(S) / np.exp(S).sum(axis=1, keepdims=True)
            loss = -np.mean(np.log(P[np.arange(N), y]))
            P[np.arange(N), y] -= 1
            return loss, P / N
        """),
    mistake("softmax-ce-shifts-S-in-place", "softmax_classifier", "modified its input", """
        def softmax_cross_entropy(S, y):
            N = S.shape[0]
            S -= S.max(axis=1, keepdims=True)
            P = np.exp(S) / np.exp(S).sum(axis=1, keepdims=True)
            loss = -np.mean(np.log(P[np.arange(N), y]))
            P[np.arange(N), y] -= 1
            return loss, P / N
        """),
    mistake("classifier-averages-twice", "softmax_classifier", "do not divide dW again", """
        def softmax_classifier_loss(X, y, W, b):
            loss, dS = softmax_cross_entropy(linear_forward(X, W, b), y)
            _, dW, db = linear_backward(dS, X, W)
            return loss, dW / X.shape[0], db / X.shape[0]
        """),
    # -- mlp_forward
    mistake("mlp-forward-relu-on-the-scores", "mlp_forward", "ReLU to the output layer", """
        def mlp_forward(X, params):
            Z = X
            for l in range(1, len(params) // 2 + 1):
                Z = relu(linear_forward(Z, params[f"W{l}"], params[f"b{l}"]))
            return Z
        """),
    mistake("mlp-forward-two-layers-only", "mlp_forward", "stops after two layers", """
        def mlp_forward(X, params):
            H = relu(linear_forward(X, params["W1"], params["b1"]))
            return linear_forward(H, params["W2"], params["b2"])
        """),
    # -- mlp backward
    mistake("mlp-backward-forgets-relu-backward", "mlp_backward", "local gradient is missing",
            """
        def mlp_loss_and_gradients(X, y, params):
            L = len(params) // 2
            inputs, Z = [], X
            for l in range(1, L + 1):
                inputs.append(Z)
                S = linear_forward(Z, params[f"W{l}"], params[f"b{l}"])
                Z = relu(S) if l < L else S
            loss, delta = softmax_cross_entropy(Z, y)
            grads = {}
            for l in range(L, 0, -1):
                delta, grads[f"W{l}"], grads[f"b{l}"] = linear_backward(
                    delta, inputs[l - 1], params[f"W{l}"])
            return loss, grads
        """),
    mistake("mlp-backward-masks-the-scores", "mlp_backward", "it masks the scores too", """
        def mlp_loss_and_gradients(X, y, params):
            L = len(params) // 2
            inputs, potentials, Z = [], [], X
            for l in range(1, L + 1):
                inputs.append(Z)
                potentials.append(linear_forward(Z, params[f"W{l}"], params[f"b{l}"]))
                Z = relu(potentials[-1]) if l < L else potentials[-1]
            loss, dS = softmax_cross_entropy(Z, y)
            delta = relu_backward(dS, potentials[-1])
            grads = {}
            for l in range(L, 0, -1):
                dZ, grads[f"W{l}"], grads[f"b{l}"] = linear_backward(
                    delta, inputs[l - 1], params[f"W{l}"])
                if l > 1:
                    delta = relu_backward(dZ, potentials[l - 2])
            return loss, grads
        """),
    mistake("mlp-backward-misnames-gradients", "mlp_backward", "grads should be a dict with "
            "the keys of params", """
        def mlp_loss_and_gradients(X, y, params):
            L = len(params) // 2
            inputs, potentials, Z = [], [], X
            for l in range(1, L + 1):
                inputs.append(Z)
                potentials.append(linear_forward(Z, params[f"W{l}"], params[f"b{l}"]))
                Z = relu(potentials[-1]) if l < L else potentials[-1]
            loss, delta = softmax_cross_entropy(Z, y)
            grads = {}
            for l in range(L, 0, -1):
                dZ, grads[f"dW{l}"], grads[f"db{l}"] = linear_backward(
                    delta, inputs[l - 1], params[f"W{l}"])
                if l > 1:
                    delta = relu_backward(dZ, potentials[l - 2])
            return loss, grads
        """),
    # -- gradient_check
    mistake("gradient-check-one-sided-difference", "gradient_check", "one-sided difference", """
        def gradient_check(f, params, h=1e-5):
            loss, analytic = f(params)
            worst = 0.0
            for key, theta in params.items():
                for i in range(theta.size):
                    old = theta.flat[i]
                    theta.flat[i] = old + h
                    n = (f(params)[0] - loss) / h
                    theta.flat[i] = old
                    a = analytic[key].flat[i]
                    worst = max(worst, abs(a - n) / max(abs(a) + abs(n), 1e-8))
            return worst
        """),
    mistake("gradient-check-divides-by-h", "gradient_check", "divides by 2h", """
        def gradient_check(f, params, h=1e-5):
            _, analytic = f(params)
            worst = 0.0
            for key, theta in params.items():
                for i in range(theta.size):
                    old = theta.flat[i]
                    theta.flat[i] = old + h
                    plus = f(params)[0]
                    theta.flat[i] = old - h
                    minus = f(params)[0]
                    theta.flat[i] = old
                    a, n = analytic[key].flat[i], (plus - minus) / h
                    worst = max(worst, abs(a - n) / max(abs(a) + abs(n), 1e-8))
            return worst
        """),
    mistake("gradient-check-averages-the-errors", "gradient_check", "averaged away", """
        def gradient_check(f, params, h=1e-5):
            _, analytic = f(params)
            errors = []
            for key, theta in params.items():
                for i in range(theta.size):
                    old = theta.flat[i]
                    theta.flat[i] = old + h
                    plus = f(params)[0]
                    theta.flat[i] = old - h
                    minus = f(params)[0]
                    theta.flat[i] = old
                    a, n = analytic[key].flat[i], (plus - minus) / (2 * h)
                    errors.append(abs(a - n) / max(abs(a) + abs(n), 1e-8))
            return float(np.mean(errors))
        """),
    mistake("gradient-check-forgets-to-restore", "gradient_check", "put every perturbed entry "
            "back", """
        def gradient_check(f, params, h=1e-5):
            _, analytic = f(params)
            worst = 0.0
            for key, theta in params.items():
                for i in range(theta.size):
                    old = theta.flat[i]
                    theta.flat[i] = old + h
                    plus = f(params)[0]
                    theta.flat[i] = old - h
                    minus = f(params)[0]
                    a, n = analytic[key].flat[i], (plus - minus) / (2 * h)
                    worst = max(worst, abs(a - n) / max(abs(a) + abs(n), 1e-8))
            return worst
        """),
    mistake("gradient-check-skips-the-biases", "gradient_check", "never checked", """
        def gradient_check(f, params, h=1e-5):
            _, analytic = f(params)
            worst = 0.0
            for key, theta in params.items():
                if not key.startswith("W"):
                    continue
                for i in range(theta.size):
                    old = theta.flat[i]
                    theta.flat[i] = old + h
                    plus = f(params)[0]
                    theta.flat[i] = old - h
                    minus = f(params)[0]
                    theta.flat[i] = old
                    a, n = analytic[key].flat[i], (plus - minus) / (2 * h)
                    worst = max(worst, abs(a - n) / max(abs(a) + abs(n), 1e-8))
            return worst
        """),
    # -- training
    mistake("train-never-shuffles", "train", "it never shuffles", """
        def train_softmax_classifier(X, y, lr, epochs, batch_size, seed):
            K = int(np.max(y)) + 1
            W, b = np.zeros((X.shape[1], K)), np.zeros(K)
            losses = []
            for _ in range(epochs):
                for start in range(0, len(y), batch_size):
                    Xb, yb = X[start:start + batch_size], y[start:start + batch_size]
                    _, dW, db = softmax_classifier_loss(Xb, yb, W, b)
                    W, b = W - lr * dW, b - lr * db
                losses.append(softmax_classifier_loss(X, y, W, b)[0])
            return W, b, losses
        """),
    mistake("train-reseeds-every-epoch", "train", "shuffles once and reuses that order", """
        def train_softmax_classifier(X, y, lr, epochs, batch_size, seed):
            K = int(np.max(y)) + 1
            W, b = np.zeros((X.shape[1], K)), np.zeros(K)
            losses = []
            for _ in range(epochs):
                order = np.random.default_rng(seed).permutation(len(y))
                for start in range(0, len(y), batch_size):
                    idx = order[start:start + batch_size]
                    _, dW, db = softmax_classifier_loss(X[idx], y[idx], W, b)
                    W, b = W - lr * dW, b - lr * db
                losses.append(softmax_classifier_loss(X, y, W, b)[0])
            return W, b, losses
        """),
    mistake("train-drops-the-last-batch", "train", "drops the last, smaller batch", """
        def train_softmax_classifier(X, y, lr, epochs, batch_size, seed):
            rng = np.random.default_rng(seed)
            K = int(np.max(y)) + 1
            W, b = np.zeros((X.shape[1], K)), np.zeros(K)
            losses = []
            for _ in range(epochs):
                order = rng.permutation(len(y))
                for i in range(len(y) // batch_size):
                    idx = order[i * batch_size:(i + 1) * batch_size]
                    _, dW, db = softmax_classifier_loss(X[idx], y[idx], W, b)
                    W, b = W - lr * dW, b - lr * db
                losses.append(softmax_classifier_loss(X, y, W, b)[0])
            return W, b, losses
        """),
    mistake("train-shuffles-X-but-not-y", "train", "labels are not shuffled", """
        def train_softmax_classifier(X, y, lr, epochs, batch_size, seed):
            rng = np.random.default_rng(seed)
            K = int(np.max(y)) + 1
            W, b = np.zeros((X.shape[1], K)), np.zeros(K)
            losses = []
            for _ in range(epochs):
                Xs = X[rng.permutation(len(y))]
                for start in range(0, len(y), batch_size):
                    Xb, yb = Xs[start:start + batch_size], y[start:start + batch_size]
                    _, dW, db = softmax_classifier_loss(Xb, yb, W, b)
                    W, b = W - lr * dW, b - lr * db
                losses.append(softmax_classifier_loss(X, y, W, b)[0])
            return W, b, losses
        """),
    mistake("train-records-the-last-batch-loss", "train", "the loss on the whole training set",
            """
        def train_softmax_classifier(X, y, lr, epochs, batch_size, seed):
            rng = np.random.default_rng(seed)
            K = int(np.max(y)) + 1
            W, b = np.zeros((X.shape[1], K)), np.zeros(K)
            losses = []
            for _ in range(epochs):
                order = rng.permutation(len(y))
                for start in range(0, len(y), batch_size):
                    idx = order[start:start + batch_size]
                    loss, dW, db = softmax_classifier_loss(X[idx], y[idx], W, b)
                    W, b = W - lr * dW, b - lr * db
                losses.append(loss)
            return W, b, losses
        """),
    # Edges of the domain (issue #19): a kink at exactly 0, another key order, a class no
    # label has, a step h other than the default.
    mistake("mlp-backward-relu-mask-at-zero-is-one", "mlp_backward", "it takes relu'(0) = 1",
            """
        def mlp_loss_and_gradients(X, y, params):
            L = len(params) // 2
            inputs, potentials, Z = [], [], X
            for l in range(1, L + 1):
                inputs.append(Z)
                potentials.append(linear_forward(Z, params[f"W{l}"], params[f"b{l}"]))
                Z = relu(potentials[-1]) if l < L else potentials[-1]
            loss, delta = softmax_cross_entropy(Z, y)
            grads = {}
            for l in range(L, 0, -1):
                dZ, grads[f"W{l}"], grads[f"b{l}"] = linear_backward(
                    delta, inputs[l - 1], params[f"W{l}"])
                if l > 1:
                    delta = dZ * (potentials[l - 2] >= 0)
            return loss, grads
        """),
    mistake("mlp-forward-pairs-params-by-position", "mlp_forward", "params in another key order",
            """
        def mlp_forward(X, params):
            values = list(params.values())
            layers = list(zip(values[0::2], values[1::2]))
            Z = X
            for W, b in layers[:-1]:
                Z = relu(linear_forward(Z, W, b))
            return linear_forward(Z, *layers[-1])
        """),
    mistake("mlp-backward-pairs-params-by-position", "mlp_backward", "params in another key order",
            """
        def mlp_loss_and_gradients(X, y, params):
            names = list(params)
            layers = [(names[i], names[i + 1]) for i in range(0, len(names), 2)]
            inputs, potentials, Z = [], [], X
            for k, (w, b) in enumerate(layers):
                inputs.append(Z)
                potentials.append(linear_forward(Z, params[w], params[b]))
                Z = relu(potentials[-1]) if k < len(layers) - 1 else potentials[-1]
            loss, delta = softmax_cross_entropy(Z, y)
            grads = {}
            for k in range(len(layers) - 1, -1, -1):
                w, b = layers[k]
                dZ, grads[w], grads[b] = linear_backward(delta, inputs[k], params[w])
                if k > 0:
                    delta = relu_backward(dZ, potentials[k - 1])
            return loss, grads
        """),
    mistake("softmax-ce-one-hot-from-the-largest-label", "softmax_classifier",
            "for a batch without the last class", """
        def softmax_cross_entropy(S, y):
            Y = np.eye(int(np.max(y)) + 1)[y]
            shifted = S - S.max(axis=1, keepdims=True)
            log_P = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
            loss = -np.mean(np.sum(Y * log_P, axis=1))
            return float(loss), (np.exp(log_P) - Y) / S.shape[0]
        """),
    mistake("train-counts-the-classes-it-sees", "train", "when no example has some class", """
        def train_softmax_classifier(X, y, lr, epochs, batch_size, seed):
            rng = np.random.default_rng(seed)
            K = len(np.unique(y))
            W, b = np.zeros((X.shape[1], K)), np.zeros(K)
            losses = []
            for _ in range(epochs):
                order = rng.permutation(len(y))
                for start in range(0, len(y), batch_size):
                    idx = order[start:start + batch_size]
                    _, dW, db = softmax_classifier_loss(X[idx], y[idx], W, b)
                    W, b = W - lr * dW, b - lr * db
                losses.append(softmax_classifier_loss(X, y, W, b)[0])
            return W, b, losses
        """),
    mistake("gradient-check-fixed-step", "gradient_check", "not a fixed 1e-5", """
        def gradient_check(f, params, h=1e-5):
            _, analytic = f(params)
            worst = 0.0
            for key, theta in params.items():
                for i in range(theta.size):
                    old = theta.flat[i]
                    theta.flat[i] = old + 1e-5
                    plus = f(params)[0]
                    theta.flat[i] = old - 1e-5
                    minus = f(params)[0]
                    theta.flat[i] = old
                    a, n = analytic[key].flat[i], (plus - minus) / 2e-5
                    worst = max(worst, abs(a - n) / max(abs(a) + abs(n), 1e-8))
            return worst
        """),
]

ALTERNATIVES = [
    alternative("linear-layer-with-einsum", """
        def linear_forward(X, W, b):
            return np.einsum("ni,ij->nj", X, W) + b[None, :]

        def linear_backward(dS, X, W):
            dX = np.einsum("nj,ij->ni", dS, W)
            dW = np.einsum("ni,nj->ij", X, dS)
            db = np.einsum("nj->j", dS)
            return dX, dW, db
        """),
    alternative("softmax-ce-by-logsumexp-and-one-hot", """
        def softmax_cross_entropy(S, y):
            N, K = S.shape
            top = S.max(axis=1, keepdims=True)
            log_total = top + np.log(np.exp(S - top).sum(axis=1, keepdims=True))
            Y = np.eye(K, dtype=S.dtype)[y]
            loss = float(np.sum(log_total[:, 0] - np.sum(Y * S, axis=1)) / N)
            return loss, (np.exp(S - log_total) - Y) / N
        """),
    alternative("mlp-as-a-list-of-modules", """
        def mlp_forward(X, params):
            layers = [(params[f"W{l}"], params[f"b{l}"]) for l in range(1, len(params) // 2 + 1)]
            Z = X
            for W, b in layers[:-1]:
                Z = np.maximum(Z @ W + b, 0.0)
            W, b = layers[-1]
            return Z @ W + b

        def mlp_loss_and_gradients(X, y, params):
            L = len(params) // 2
            caches, Z = [], X
            for l in range(1, L + 1):
                S = Z @ params[f"W{l}"] + params[f"b{l}"]
                caches.append((Z, S))
                Z = np.maximum(S, 0.0) if l < L else S
            loss, delta = softmax_cross_entropy(Z, y)
            grads = {}
            for l in reversed(range(1, L + 1)):
                Z_in, S = caches[l - 1]
                if l < L:
                    delta = delta * (S > 0)
                grads[f"W{l}"] = Z_in.T @ delta
                grads[f"b{l}"] = delta.sum(axis=0)
                delta = delta @ params[f"W{l}"].T
            return loss, grads
        """),
    alternative("gradient-check-on-copies", """
        def gradient_check(f, params, h=1e-5):
            _, analytic = f(params)
            worst = 0.0
            for key in params:
                for i in np.ndindex(params[key].shape):
                    losses = []
                    for sign in (1, -1):
                        moved = params[key].copy()
                        moved[i] += sign * h
                        losses.append(f({**params, key: moved})[0])
                    a = analytic[key][i]
                    n = (losses[0] - losses[1]) / (2 * h)
                    worst = max(worst, abs(a - n) / max(abs(a) + abs(n), 1e-8))
            return float(worst)
        """),
    alternative("train-with-shuffle-in-place-and-while-loop", """
        def train_softmax_classifier(X, y, lr, epochs, batch_size, seed):
            rng = np.random.default_rng(seed)
            K = int(y.max()) + 1
            W = np.zeros((X.shape[1], K))
            b = np.zeros(K)
            losses = []
            for _ in range(epochs):
                order = np.arange(len(y))
                rng.shuffle(order)
                start = 0
                while start < len(y):
                    idx = order[start:start + batch_size]
                    _, dW, db = softmax_classifier_loss(X[idx], y[idx], W, b)
                    W -= lr * dW
                    b -= lr * db
                    start += batch_size
                loss, _, _ = softmax_classifier_loss(X, y, W, b)
                losses.append(loss)
            return W, b, losses
        """),
]
