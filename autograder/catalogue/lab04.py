"""Lab 04's catalogue: mistakes students make with layers, the MLP and mini-batch SGD, and
valid alternatives to the solution.

Each mistake replaces one function of the solution notebook, or changes a few of its lines
(an ``Edit``: the lines as they stand, then as the mistake has them), and must lose points
on its question, and only there; ``feedback`` is a phrase of what the check says back. Each
alternative replaces one or more functions with a different correct implementation and must
keep full marks.
"""

from __future__ import annotations

from autograder.catalogue import Edit, alternative, mistake_maker

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
    mistake("linear-backward-dW-transposed", "linear_backward", "dW = X^T dS", Edit(
        "linear_backward", {"dW = np.matmul(X.T, dS)": "dW = np.matmul(dS.T, X)"})),
    mistake("linear-backward-db-not-summed", "linear_backward", "summed over the examples",
            Edit("linear_backward", {"db = np.sum(dS, axis=0)": "db = dS"})),
    mistake("linear-backward-db-averaged", "linear_backward", "db is averaged over the batch",
            Edit("linear_backward", {"db = np.sum(dS, axis=0)": "db = np.mean(dS, axis=0)"})),
    mistake("linear-backward-dX-uses-W", "linear_backward", "dX uses W instead of W^T", """
        def linear_backward(dS, X, W):
            return dS @ W, X.T @ dS, dS.sum(axis=0)
        """),
    mistake("linear-backward-dX-drops-dS", "linear_backward", "as if the upstream gradient dS",
            Edit("linear_backward", {"dX = np.matmul(dS, W.T)":
                                     "dX = np.matmul(np.ones_like(dS), W.T)"})),
    mistake("linear-backward-dW-drops-dS", "linear_backward", "as if the upstream gradient dS",
            Edit("linear_backward", {"dW = np.matmul(X.T, dS)":
                                     "dW = np.matmul(X.T, np.ones_like(dS))"})),
    mistake("linear-backward-db-counts-the-examples", "linear_backward",
            "as if the upstream gradient dS", Edit("linear_backward", {
                "db = np.sum(dS, axis=0)": "db = np.full(dS.shape[1], float(dS.shape[0]))"})),
    mistake("linear-backward-float64-buffer", "linear_backward", "expected dtype float32", Edit(
        "linear_backward", {"dX = np.matmul(dS, W.T)": """
            dX = np.zeros(X.shape)
            dX[:] = np.matmul(dS, W.T)
            """})),
    # -- softmax cross-entropy and the classifier
    mistake("softmax-ce-without-the-average", "softmax_classifier", "the 1/m", Edit(
        "softmax_cross_entropy", {"loss = -np.mean(log_y_hat[rows, y])":
                                  "loss = -np.sum(np.log((exp / total)[rows, y]))",
                                  "return float(loss), dS / N": "return float(loss), dS"})),
    mistake("softmax-ce-forgets-the-targets", "softmax_classifier", "the one-hot targets are "
            "missing", Edit("softmax_cross_entropy", {
                "loss = -np.mean(log_y_hat[rows, y])":
                "loss = -np.mean(np.log((exp / total)[rows, y]))",
                "dS[rows, y] -= 1": ""})),
    mistake("softmax-ce-without-the-max-shift", "softmax_classifier", "Subtract each row's "
            "maximum", Edit("softmax_cross_entropy", {
                "shifted = S - np.max(S, axis=1, keepdims=True)": "shifted = S"})),
    mistake("softmax-ce-shifts-S-in-place", "softmax_classifier", "modified its input", Edit(
        "softmax_cross_entropy", {"shifted = S - np.max(S, axis=1, keepdims=True)": """
            S -= np.max(S, axis=1, keepdims=True)
            shifted = S
            """})),
    mistake("classifier-averages-twice", "softmax_classifier", "do not divide dW again", Edit(
        "softmax_classifier_loss", {"return loss, dW, db":
                                    "return loss, dW / X.shape[0], db / X.shape[0]"})),
    # -- mlp_forward
    mistake("mlp-forward-relu-on-the-scores", "mlp_forward", "ReLU to the output layer", Edit(
        "mlp_forward", {'return linear_forward(Z, params[f"W{L}"], params[f"b{L}"])':
                        'return relu(linear_forward(Z, params[f"W{L}"], params[f"b{L}"]))'})),
    mistake("mlp-forward-two-layers-only", "mlp_forward", "stops after two layers", """
        def mlp_forward(X, params):
            H = relu(linear_forward(X, params["W1"], params["b1"]))
            return linear_forward(H, params["W2"], params["b2"])
        """),
    # -- mlp backward
    mistake("mlp-backward-forgets-relu-backward", "mlp_backward", "local gradient is missing",
            Edit("mlp_loss_and_gradients", {
                "delta = relu_backward(dZ, potentials[l - 2])": "delta = dZ"})),
    mistake("mlp-backward-masks-the-scores", "mlp_backward", "it masks the scores too", Edit(
        "mlp_loss_and_gradients", {"loss, delta = softmax_cross_entropy(Z, y)": """
            loss, dS = softmax_cross_entropy(Z, y)
            delta = relu_backward(dS, potentials[-1])
            """})),
    mistake("mlp-backward-misnames-gradients", "mlp_backward", "grads should be a dict with "
            "the keys of params", Edit("mlp_loss_and_gradients", {
                'dZ, grads[f"W{l}"], grads[f"b{l}"] = linear_backward(delta, inputs[l - 1],':
                'dZ, grads[f"dW{l}"], grads[f"db{l}"] = linear_backward(delta, inputs[l - 1],'})),
    # -- gradient_check
    mistake("gradient-check-one-sided-difference", "gradient_check", "one-sided difference",
            Edit("gradient_check", {
                "_, analytic = f(params)": "loss, analytic = f(params)",
                """
                theta.flat[i] = old - h
                loss_minus, _ = f(params)
                """: "",
                "numerical.flat[i] = (loss_plus - loss_minus) / (2 * h)":
                "numerical.flat[i] = (loss_plus - loss) / h"})),
    mistake("gradient-check-divides-by-h", "gradient_check", "divides by 2h", Edit(
        "gradient_check", {"numerical.flat[i] = (loss_plus - loss_minus) / (2 * h)":
                           "numerical.flat[i] = (loss_plus - loss_minus) / h"})),
    mistake("gradient-check-averages-the-errors", "gradient_check", "averaged away", Edit(
        "gradient_check", {"worst = 0.0": "every_error = []",
                           "worst = max(worst, float(np.max(errors)))":
                           "every_error.extend(errors.flat)",
                           "return worst": "return float(np.mean(every_error))"})),
    mistake("gradient-check-forgets-to-restore", "gradient_check", "put every perturbed entry "
            "back", Edit("gradient_check", {"theta.flat[i] = old": ""})),
    mistake("gradient-check-skips-the-biases", "gradient_check", "never checked", Edit(
        "gradient_check", {"for key, theta in params.items():": """
            for key, theta in params.items():
                if not key.startswith("W"):
                    continue
            """})),
    # -- training
    mistake("train-never-shuffles", "train", "it never shuffles", Edit(
        "train_softmax_classifier", {"order = rng.permutation(N)": "order = np.arange(N)"})),
    mistake("train-reseeds-every-epoch", "train", "shuffles once and reuses that order", Edit(
        "train_softmax_classifier", {
            "order = rng.permutation(N)": "order = np.random.default_rng(seed).permutation(N)"})),
    mistake("train-drops-the-last-batch", "train", "drops the last, smaller batch", Edit(
        "train_softmax_classifier", {"for start in range(0, N, batch_size):":
                                     "for start in range(0, N - batch_size + 1, batch_size):"})),
    mistake("train-shuffles-X-but-not-y", "train", "labels are not shuffled", Edit(
        "train_softmax_classifier", {
            "_, dW, db = softmax_classifier_loss(X[idx], y[idx], W, b)":
            "_, dW, db = softmax_classifier_loss(X[idx], y[start:start + batch_size], W, b)"})),
    mistake("train-records-the-last-batch-loss", "train", "the loss on the whole training set",
            Edit("train_softmax_classifier", {
                "_, dW, db = softmax_classifier_loss(X[idx], y[idx], W, b)":
                "loss, dW, db = softmax_classifier_loss(X[idx], y[idx], W, b)",
                "losses.append(softmax_classifier_loss(X, y, W, b)[0])": "losses.append(loss)"})),
    # Edges of the domain (issue #19): a kink at exactly 0, another key order, a class no
    # label has, a step h other than the default.
    mistake("mlp-backward-relu-mask-at-zero-is-one", "mlp_backward", "it takes relu'(0) = 1",
            Edit("mlp_loss_and_gradients", {
                "delta = relu_backward(dZ, potentials[l - 2])":
                "delta = dZ * (potentials[l - 2] >= 0)"})),
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
    mistake("train-counts-the-classes-it-sees", "train", "when no example has some class", Edit(
        "train_softmax_classifier", {"K = int(np.max(y)) + 1": "K = len(np.unique(y))"})),
    mistake("gradient-check-fixed-step", "gradient_check", "not a fixed 1e-5", Edit(
        "gradient_check", {
            "theta.flat[i] = old + h": "theta.flat[i] = old + 1e-5",
            "theta.flat[i] = old - h": "theta.flat[i] = old - 1e-5",
            "numerical.flat[i] = (loss_plus - loss_minus) / (2 * h)":
            "numerical.flat[i] = (loss_plus - loss_minus) / 2e-5"})),
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
