"""Lab 07's catalogue: mistakes students make with regularization, and valid alternatives.

Each mistake replaces one function of the solution notebook, or changes a few of its lines
(an ``Edit``: the lines as they stand, then as the mistake has them), and must lose points
on its question, and only there; ``feedback`` is a phrase of what the check says back. Each
alternative is a different correct implementation and must keep full marks.
"""

from __future__ import annotations

from autograder.catalogue import Edit, alternative, mistake_maker

mistake = mistake_maker("lab07")


MISTAKES = [
    # -- L2
    mistake("l2-without-the-half", "l2_penalty", "without the 1/2", """
        def l2_penalty(w, lam):
            return lam * float(np.sum(w ** 2)), lam * w
        """),
    mistake("l2-gradient-twice", "l2_penalty", "it is 2 lam w", """
        def l2_penalty(w, lam):
            return 0.5 * lam * float(np.sum(w ** 2)), 2 * lam * w
        """),
    mistake("l2-gradient-aliases-w", "l2_penalty", "modified its input array in place", """
        def l2_penalty(w, lam):
            value = 0.5 * lam * float(np.sum(w ** 2))
            grad = w
            grad *= lam
            return value, grad
        """),
    # -- L1
    mistake("l1-without-absolute-value", "l1_penalty", "without the absolute value", """
        def l1_penalty(w, lam):
            return lam * float(np.sum(w)), lam * np.sign(w)
        """),
    mistake("l1-gradient-is-abs", "l1_penalty", "the derivative of |w_i| is sign(w_i)", """
        def l1_penalty(w, lam):
            return lam * float(np.sum(np.abs(w))), lam * np.abs(w)
        """),
    mistake("l1-gradient-nonzero-at-zero", "l1_penalty", "sign(0) = 0", """
        def l1_penalty(w, lam):
            return lam * float(np.sum(np.abs(w))), lam * np.where(w >= 0, 1.0, -1.0)
        """),
    # -- elastic net over named parameters
    mistake("penalty-on-biases", "regularization_penalty", "it penalizes the biases too", """
        def regularization_penalty(params, l1, l2):
            value, grads = 0.0, {}
            for name, w in params.items():
                value += l1 * float(np.sum(np.abs(w))) + 0.5 * l2 * float(np.sum(w * w))
                grads[name] = l1 * np.sign(w) + l2 * w
            return value, grads
        """),
    mistake("penalty-skips-only-b", "regularization_penalty", "it penalizes gamma", Edit(
        "regularization_penalty", {'if name.startswith("W"):': 'if not name.startswith("b"):'})),
    mistake("penalty-grads-only-for-weights", "regularization_penalty",
            "one gradient per parameter", Edit("regularization_penalty", {
                "else:\n    grads[name] = np.zeros_like(w)": ""})),
    mistake("penalty-reuses-params-dict", "regularization_penalty",
            "modified its input array in place", Edit("regularization_penalty", {
                "value, grads = 0.0, {}": "value, grads = 0.0, params"})),
    # -- SGD with weight decay
    mistake("sgd-decay-without-learning-rate", "sgd_weight_decay_step",
            "the decay factor is (1 - eta kappa)", """
        def sgd_weight_decay_step(theta, g, lr, weight_decay):
            return (1.0 - weight_decay) * theta - lr * g
        """),
    mistake("sgd-in-place", "sgd_weight_decay_step", "modified its input array in place", """
        def sgd_weight_decay_step(theta, g, lr, weight_decay):
            theta *= 1.0 - lr * weight_decay
            theta -= lr * g
            return theta
        """),
    # -- Adam: L2 vs decoupled weight decay
    mistake("adamw-decay-through-the-gradient", "adam_weight_decay",
            "AdamW decouples the decay", Edit("adamw_step", {
                "theta = (1 - lr * weight_decay) * theta": "g = g + weight_decay * theta"})),
    mistake("adamw-decay-without-learning-rate", "adam_weight_decay",
            "multiplied by the learning rate", Edit("adamw_step", {
                "theta = (1 - lr * weight_decay) * theta": "theta = (1 - weight_decay) * theta"})),
    mistake("adamw-decay-after-the-step", "adam_weight_decay", "it decays after the Adam step",
            Edit("adamw_step", {
                "theta = (1 - lr * weight_decay) * theta": "",
                "return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v, t": """
                    theta = theta - lr * m_hat / (np.sqrt(v_hat) + eps)
                    return (1 - lr * weight_decay) * theta, m, v, t
                    """})),
    mistake("adam-l2-decays-outside-the-gradient", "adam_weight_decay", "(that is AdamW)", Edit(
        "adam_l2_step", {"g = g + weight_decay * theta":
                         "theta = (1 - lr * weight_decay) * theta"})),
    mistake("adam-l2-moments-in-place", "adam_weight_decay", "modified its input array", Edit(
        "adam_l2_step", {"""
            m = beta1 * m + (1 - beta1) * g
            v = beta2 * v + (1 - beta2) * g * g
            """: """
            m *= beta1
            m += (1 - beta1) * g
            v *= beta2
            v += (1 - beta2) * g * g
            """})),
    # -- dropout
    mistake("dropout-scales-by-p", "dropout", "scales by 1/p", Edit(
        "dropout_forward", {"mask *= 1.0 / keep_prob": "mask *= keep_prob"})),
    mistake("dropout-keeps-with-one-minus-p", "dropout", "That is 1 - p", Edit(
        "dropout_forward", {"mask = (rng.random(X.shape) < keep_prob).astype(X.dtype)":
                            "mask = (rng.random(X.shape) < 1 - keep_prob).astype(X.dtype)"})),
    mistake("dropout-not-inverted", "dropout", "weight scaling of plain dropout", Edit(
        "dropout_forward", {"return X.copy(), np.ones_like(X)":
                            "return keep_prob * X, np.full_like(X, keep_prob)",
                            "mask *= 1.0 / keep_prob": ""})),
    mistake("dropout-ignores-the-seed", "dropout", "default_rng(seed)", Edit(
        "dropout_forward", {
            "mask = (rng.random(X.shape) < keep_prob).astype(X.dtype)":
            "mask = (np.random.random(X.shape) < keep_prob).astype(X.dtype)"})),
    mistake("dropout-float64-mask", "dropout", "expected dtype float32", Edit(
        "dropout_forward", {"""
            mask = (rng.random(X.shape) < keep_prob).astype(X.dtype)
            mask *= 1.0 / keep_prob
            """: "mask = (rng.random(X.shape) < keep_prob) / keep_prob"})),
    mistake("dropout-backward-without-scaling", "dropout", "scaled by 1/p too", """
        def dropout_backward(dout, mask):
            return dout * (mask != 0)
        """),
    mistake("dropout-backward-without-dout", "dropout", "multiply by dout", """
        def dropout_backward(dout, mask):
            return np.array(mask, dtype=float)
        """),
    mistake("dropout-backward-divides-by-dout", "dropout", "do not divide by it", """
        def dropout_backward(dout, mask):
            return mask / dout
        """),
    mistake("dropout-backward-adds-dout", "dropout", "do not add it", """
        def dropout_backward(dout, mask):
            return mask + dout
        """),
    # -- early stopping
    mistake("early-stopping-tie-improves", "early_stopping", "a tie counts as an improvement",
            Edit("early_stopping", {"if error < best_error:": "if error <= best_error:"})),
    mistake("early-stopping-returns-last-theta", "early_stopping", "it returns the last theta",
            Edit("early_stopping", {"return theta_star, best_error": "return theta, best_error"})),
    mistake("early-stopping-one-evaluation-late", "early_stopping",
            "stops one evaluation late", Edit("early_stopping", {"while j < p:": "while j <= p:"})),
    mistake("early-stopping-theta-star-aliases-theta", "early_stopping", "store a copy", Edit(
        "early_stopping", {"theta_star, best_error, j = theta.copy(), np.inf, 0":
                           "theta_star, best_error, j = theta, np.inf, 0",
                           "best_error, j, theta_star = error, 0, theta.copy()":
                           "best_error, j, theta_star = error, 0, theta"})),
    # -- batch normalization
    mistake("batchnorm-swapped-momentum", "batchnorm", "the momentum is swapped", Edit(
        "batchnorm_forward", {
            "running_mean = (1 - momentum) * running_mean + momentum * mean":
            "running_mean = momentum * running_mean + (1 - momentum) * mean",
            "running_var = (1 - momentum) * running_var + momentum * var * n / (n - 1)":
            "running_var = momentum * running_var + (1 - momentum) * var * n / (n - 1)"})),
    mistake("batchnorm-biased-running-variance", "batchnorm", "averages the biased", Edit(
        "batchnorm_forward", {
            "running_var = (1 - momentum) * running_var + momentum * var * n / (n - 1)":
            "running_var = (1 - momentum) * running_var + momentum * var"})),
    mistake("batchnorm-normalizes-with-unbiased-variance", "batchnorm", "ddof=1", Edit(
        "batchnorm_forward", {
            "var = X.var(axis=0)": "var = X.var(axis=0, ddof=1)",
            "running_var = (1 - momentum) * running_var + momentum * var * n / (n - 1)":
            "running_var = (1 - momentum) * running_var + momentum * var"})),
    mistake("batchnorm-eval-uses-batch-statistics", "batchnorm", "batch's own statistics", Edit(
        "batchnorm_forward", {
            """
            if train:
                n = X.shape[0]
                mean = X.mean(axis=0)
                var = X.var(axis=0)
            """: """
            n = X.shape[0]
            mean = X.mean(axis=0)
            var = X.var(axis=0)
            if train:
            """,
            """
            else:
                mean, var = running_mean, running_var
                running_mean, running_var = running_mean.copy(), running_var.copy()
            """: ""})),
    mistake("batchnorm-running-averages-in-place", "batchnorm", "modified its input array", Edit(
        "batchnorm_forward", {
            "running_mean = (1 - momentum) * running_mean + momentum * mean":
            "running_mean *= 1 - momentum\nrunning_mean += momentum * mean",
            "running_var = (1 - momentum) * running_var + momentum * var * n / (n - 1)":
            "running_var *= 1 - momentum\nrunning_var += momentum * var * n / (n - 1)"})),
    mistake("batchnorm-backward-statistics-as-constants", "batchnorm",
            "as if the mean and variance were constants", """
        def batchnorm_backward(dout, cache):
            xhat, gamma, inv_std = cache
            return dout * gamma * inv_std, (dout * xhat).sum(axis=0), dout.sum(axis=0)
        """),
    mistake("batchnorm-backward-dgamma-without-xhat", "batchnorm", "dgamma = sum_n dout_n", Edit(
        "batchnorm_backward", {"dgamma = (dout * xhat).sum(axis=0)":
                               "dgamma = dout.sum(axis=0)"})),
    mistake("batchnorm-backward-dgamma-without-dout", "batchnorm", "multiply by dout", Edit(
        "batchnorm_backward", {"dgamma = (dout * xhat).sum(axis=0)":
                               "dgamma = xhat.sum(axis=0)"})),
    mistake("batchnorm-backward-dbeta-without-dout", "batchnorm", "multiply by dout", Edit(
        "batchnorm_backward", {"dbeta = dout.sum(axis=0)":
                               "dbeta = np.full(dout.shape[1], float(n))"})),
    # -- input noise
    mistake("noise-sigma-as-variance", "input_noise", "sigma is the standard deviation", Edit(
        "add_gaussian_noise", {
            "return X + (sigma * rng.standard_normal(X.shape)).astype(X.dtype)":
            "return X + (np.sqrt(sigma) * rng.standard_normal(X.shape)).astype(X.dtype)"})),
    mistake("noise-global-random-state", "input_noise", "default_rng(seed)", """
        def add_gaussian_noise(X, sigma, seed):
            return X + (sigma * np.random.standard_normal(X.shape)).astype(X.dtype)
        """),
    mistake("noise-uniform-with-matched-variance", "input_noise", "within one sigma", """
        def add_gaussian_noise(X, sigma, seed):
            rng = np.random.default_rng(seed)
            half_width = np.sqrt(3.0) * sigma
            return X + rng.uniform(-half_width, half_width, X.shape).astype(X.dtype)
        """),
    mistake("noise-added-in-place", "input_noise", "modified its input array in place", """
        def add_gaussian_noise(X, sigma, seed):
            rng = np.random.default_rng(seed)
            X += (sigma * rng.standard_normal(X.shape)).astype(X.dtype)
            return X
        """),
    # Edges of the domain (issue #19): float32 kept by a gradient and by the masks.
    mistake("l1-gradient-sign-by-where", "l1_penalty", "expected dtype float32", Edit(
        "l1_penalty", {"return lam * float(np.sum(np.abs(w))), lam * np.sign(w)":
                       "sign = np.where(w > 0, 1.0, np.where(w < 0, -1.0, 0.0))\n"
                       "return lam * float(np.sum(np.abs(w))), lam * sign"})),
    mistake("dropout-eval-mask-in-float64", "dropout", "np.ones(X.shape) is float64", Edit(
        "dropout_forward", {"return X.copy(), np.ones_like(X)":
                            "return X.copy(), np.ones(X.shape)"})),
]

ALTERNATIVES = [
    alternative("penalties-with-einsum-and-copysign", """
        def l2_penalty(w, lam):
            return lam / 2 * float(np.vdot(w, w)), w * lam

        def l1_penalty(w, lam):
            grad = np.where(w == 0, 0.0, np.copysign(lam, w)).astype(w.dtype)
            return lam * float(np.abs(w).sum()), grad
        """),
    alternative("penalty-by-comprehension", """
        def regularization_penalty(params, l1, l2):
            weights = [k for k in params if k[0] == "W"]
            value = sum(l1 * np.abs(params[k]).sum() + l2 * (params[k] ** 2).sum() / 2
                        for k in weights)
            grads = {k: (l1 * np.sign(v) + l2 * v) if k in weights else 0 * v
                     for k, v in params.items()}
            return float(value), grads
        """),
    alternative("adam-through-one-shared-helper", """
        def adam_l2_step(theta, g, m, v, t, lr, beta1, beta2, eps, weight_decay):
            g = g + weight_decay * theta
            m = beta1 * m + (1 - beta1) * g
            v = beta2 * v + (1 - beta2) * np.square(g)
            step = lr * np.sqrt(1 - beta2 ** (t + 1)) / (1 - beta1 ** (t + 1))
            denominator = np.sqrt(v) + eps * np.sqrt(1 - beta2 ** (t + 1))
            return theta - step * m / denominator, m, v, t + 1

        def adamw_step(theta, g, m, v, t, lr, beta1, beta2, eps, weight_decay):
            decayed = theta - lr * weight_decay * theta
            return adam_l2_step(decayed, g, m, v, t, lr, beta1, beta2, eps, 0.0)
        """),
    alternative("dropout-with-binomial-mask", """
        def dropout_forward(X, keep_prob, seed, train):
            if not train:
                return np.array(X), np.ones(X.shape, dtype=X.dtype)
            keep = np.random.default_rng(seed).binomial(1, keep_prob, size=X.shape)
            mask = np.where(keep == 1, 1 / keep_prob, 0).astype(X.dtype)
            return mask * X, mask
        """),
    alternative("early-stopping-one-update-at-a-time-with-for-loop", """
        def early_stopping(theta0, update, validation_error, n, p):
            theta, theta_star, best_error = np.array(theta0), np.array(theta0), float("inf")
            since_best = 0
            while True:
                for _ in range(n):
                    theta = update(theta, 1)
                error = validation_error(theta)
                if error < best_error:
                    best_error, theta_star, since_best = error, np.copy(theta), 0
                else:
                    since_best += 1
                    if since_best >= p:
                        return theta_star, best_error
        """),
    alternative("batchnorm-step-by-step-backward", """
        def batchnorm_backward(dout, cache):
            xhat, gamma, inv_std = cache
            n = dout.shape[0]
            dxhat = dout * gamma
            dvar = np.sum(dxhat * xhat, axis=0) * -0.5 * inv_std ** 2
            dmean = -np.sum(dxhat, axis=0) * inv_std
            centered = xhat / inv_std
            dX = dxhat * inv_std + dvar * 2 * centered / n + dmean / n
            return dX, np.sum(dout * xhat, axis=0), np.sum(dout, axis=0)
        """),
]
