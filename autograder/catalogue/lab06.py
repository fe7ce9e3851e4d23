"""Lab 06's catalogue: mistakes students make with optimizers and schedules, and valid
alternatives to the solution.

Each mistake replaces one function of the solution notebook, or changes a few of its lines
(an ``Edit``: the lines as they stand, then as the mistake has them), and must lose points
on its question, and only there; ``feedback`` is a phrase of what the check tells the
student. Each alternative replaces one or more functions with a different correct
implementation and must keep full marks.
"""

from __future__ import annotations

from autograder.catalogue import Edit, alternative, mistake_maker

mistake = mistake_maker("lab06")


MISTAKES = [
    # -- sgd_step
    mistake("sgd-climbs-the-gradient", "sgd_step", "that climbs the loss", """
        def sgd_step(theta, g, lr):
            return theta + lr * g
        """),
    mistake("sgd-updates-theta-in-place", "sgd_step", "modified its input array in place", """
        def sgd_step(theta, g, lr):
            theta -= lr * g
            return theta
        """),
    mistake("sgd-float64-result", "sgd_step", "expected dtype float32", """
        def sgd_step(theta, g, lr):
            return np.asarray(theta, dtype=float) - lr * np.asarray(g, dtype=float)
        """),
    # -- minibatch
    mistake("updates-per-epoch-floor-division", "minibatch", "drops the last", """
        def updates_per_epoch(N, batch_size):
            return N // batch_size
        """),
    mistake("minibatch-gradient-summed-not-averaged", "minibatch", "without the 1/|B|", Edit(
        "minibatch_epoch", {"grad = 2.0 * X[batch].T @ residual / len(batch)":
                            "grad = 2.0 * X[batch].T @ residual"})),
    mistake("minibatch-divides-by-N", "minibatch", "divides every mini-batch's gradient by N",
            Edit("minibatch_epoch", {"grad = 2.0 * X[batch].T @ residual / len(batch)":
                                     "grad = 2.0 * X[batch].T @ residual / len(order)"})),
    mistake("minibatch-drops-the-last-batch", "minibatch", "drops the last, smaller", Edit(
        "minibatch_epoch", {
            "for start in range(0, len(order), batch_size):":
            "for start in range(0, len(order) - batch_size + 1, batch_size):"})),
    mistake("minibatch-ignores-the-order", "minibatch", "cut the mini-batches from `order`", Edit(
        "minibatch_epoch", {"batch = order[start:start + batch_size]":
                            "batch = np.arange(len(order))[start:start + batch_size]"})),
    mistake("minibatch-last-batch-divided-by-batch-size", "minibatch",
            "divides the last, smaller mini-batch's gradient by batch_size", Edit(
                "minibatch_epoch", {"grad = 2.0 * X[batch].T @ residual / len(batch)":
                                    "grad = 2.0 * X[batch].T @ residual / batch_size"})),
    mistake("minibatch-updates-theta-in-place", "minibatch", "modified its input array in place",
            Edit("minibatch_epoch", {"theta = theta - lr * grad": "theta -= lr * grad"})),
    # -- momentum_step
    mistake("momentum-without-learning-rate", "momentum_step", "the learning rate is missing",
            """
        def momentum_step(theta, g, v, lr, mu):
            v_new = mu * v - g
            return theta + v_new, v_new
        """),
    mistake("momentum-subtracts-the-velocity", "momentum_step", "theta moves against v", """
        def momentum_step(theta, g, v, lr, mu):
            v_new = mu * v - lr * g
            return theta - v_new, v_new
        """),
    mistake("momentum-torch-buffer", "momentum_step", "PyTorch's buffer", """
        def momentum_step(theta, g, v, lr, mu):
            b = mu * v + g
            return theta - lr * b, b
        """),
    mistake("momentum-state-in-place", "momentum_step", "updated the state v in place", """
        def momentum_step(theta, g, v, lr, mu):
            v *= mu
            v -= lr * g
            return theta + v, v
        """),
    mistake("momentum-returns-only-theta", "momentum_step", "return a tuple of 2", """
        def momentum_step(theta, g, v, lr, mu):
            v = mu * v - lr * g
            return theta + v
        """),
    # -- nesterov_step
    mistake("nesterov-gradient-at-theta", "nesterov_step", "which is plain momentum", """
        def nesterov_step(theta, v, grad_fn, lr, mu):
            v_new = mu * v - lr * grad_fn(theta)
            return theta + v_new, v_new
        """),
    mistake("nesterov-gradient-at-theta-minus-mu-v", "nesterov_step", "theta - mu v", """
        def nesterov_step(theta, v, grad_fn, lr, mu):
            v_new = mu * v - lr * grad_fn(theta - mu * v)
            return theta + v_new, v_new
        """),
    mistake("nesterov-two-gradient-calls", "nesterov_step", "exactly one gradient", """
        def nesterov_step(theta, v, grad_fn, lr, mu):
            grad_fn(theta)
            v_new = mu * v - lr * grad_fn(theta + mu * v)
            return theta + v_new, v_new
        """),
    mistake("nesterov-velocity-in-place", "nesterov_step", "modified its argument v", """
        def nesterov_step(theta, v, grad_fn, lr, mu):
            g = grad_fn(theta + mu * v)
            v *= mu
            v -= lr * g
            return theta + v, v
        """),
    # -- adagrad_step
    mistake("adagrad-accumulates-g-not-g-squared", "adagrad_step", "accumulates g instead of g^2",
            """
        def adagrad_step(theta, g, G, lr, eps=1e-8):
            G_new = G + g
            return theta - lr * g / (np.sqrt(G_new) + eps), G_new
        """),
    mistake("adagrad-eps-inside-the-root", "adagrad_step", "eps is inside the square root", """
        def adagrad_step(theta, g, G, lr, eps=1e-8):
            G_new = G + g * g
            return theta - lr * g / np.sqrt(G_new + eps), G_new
        """),
    mistake("adagrad-old-accumulator", "adagrad_step", "uses G before this step's g^2", """
        def adagrad_step(theta, g, G, lr, eps=1e-8):
            theta_new = theta - lr * g / (np.sqrt(G) + eps)
            return theta_new, G + g * g
        """),
    mistake("adagrad-state-in-place", "adagrad_step", "updated the state G in place", """
        def adagrad_step(theta, g, G, lr, eps=1e-8):
            G += g * g
            return theta - lr * g / (np.sqrt(G) + eps), G
        """),
    # -- rmsprop_step
    mistake("rmsprop-eps-inside-the-root", "rmsprop_step", "eps is inside the square root", """
        def rmsprop_step(theta, g, G, lr=0.001, gamma=0.9, eps=1e-8):
            G_new = gamma * G + (1 - gamma) * g ** 2
            return theta - lr * g / np.sqrt(G_new + eps), G_new
        """),
    mistake("rmsprop-swapped-decay", "rmsprop_step", "weights of the moving average are swapped",
            """
        def rmsprop_step(theta, g, G, lr=0.001, gamma=0.9, eps=1e-8):
            G_new = (1 - gamma) * G + gamma * g ** 2
            return theta - lr * g / (np.sqrt(G_new) + eps), G_new
        """),
    mistake("rmsprop-accumulates-like-adagrad", "rmsprop_step", "as AdaGrad does", """
        def rmsprop_step(theta, g, G, lr=0.001, gamma=0.9, eps=1e-8):
            G_new = G + g ** 2
            return theta - lr * g / (np.sqrt(G_new) + eps), G_new
        """),
    mistake("rmsprop-float64-state", "rmsprop_step", "expected dtype float32", """
        def rmsprop_step(theta, g, G, lr=0.001, gamma=0.9, eps=1e-8):
            G64, g64 = np.asarray(G, dtype=np.float64), np.asarray(g, dtype=np.float64)
            G_new = gamma * G64 + (1 - gamma) * g64 ** 2
            return theta - lr * g / (np.sqrt(G_new) + eps), G_new
        """),
    # -- adam_step
    mistake("adam-beta2-squared-typo", "adam_step", "1 - beta2^2", Edit(
        "adam_step", {"v_hat = v_new / (1 - beta2 ** t_new)":
                      "v_hat = v_new / (1 - beta2 ** 2)"})),
    mistake("adam-without-bias-correction", "adam_step", "the bias corrections are missing",
            Edit("adam_step", {"m_hat = m_new / (1 - beta1 ** t_new)": "m_hat = m_new",
                               "v_hat = v_new / (1 - beta2 ** t_new)": "v_hat = v_new"})),
    mistake("adam-increments-t-after-the-correction", "adam_step",
            "t is incremented after the bias correction", Edit("adam_step", {
                "m_hat = m_new / (1 - beta1 ** t_new)": "m_hat = m_new / (1 - beta1 ** t)",
                "v_hat = v_new / (1 - beta2 ** t_new)": "v_hat = v_new / (1 - beta2 ** t)"})),
    mistake("adam-never-increments-t", "adam_step", "t is not incremented", Edit(
        "adam_step", {"t_new = t + 1": "t_new = t"})),
    mistake("adam-moments-in-place", "adam_step", "updated the state m in place", Edit(
        "adam_step", {"""
            m_new = beta1 * m + (1 - beta1) * g
            v_new = beta2 * v + (1 - beta2) * g * g
            """: """
            m *= beta1
            m += (1 - beta1) * g
            v *= beta2
            v += (1 - beta2) * g * g
            m_new, v_new = m, v
            """})),
    # -- schedules
    mistake("step-schedule-without-floor", "schedules", "use t // every", """
        def step_schedule(t, lr0, drop=0.5, every=10):
            return float(lr0 * drop ** (t / every))
        """),
    mistake("inverse-time-without-the-one", "schedules", "ZeroDivisionError", """
        def inverse_time_schedule(t, lr0, k):
            return float(lr0 / (k * t))
        """),
    mistake("exponential-schedule-power-of-k", "schedules", "lr0 k^t", """
        def exponential_schedule(t, lr0, k):
            return float(lr0 * k ** t)
        """),
    mistake("cosine-rises-after-total", "schedules", "it rises again after t = total", """
        def cosine_schedule(t, lr0, total, lr_min=0.0):
            return float(lr_min + (lr0 - lr_min) * (1 + np.cos(np.pi * t / total)) / 2)
        """),
    mistake("cosine-ignores-lr-min", "schedules", "lr_min is ignored", """
        def cosine_schedule(t, lr0, total, lr_min=0.0):
            return float(lr0 * (1 + np.cos(np.pi * min(t, total) / total)) / 2)
        """),
    # Edges of the domain (issue #19): hyperparameters other than the usual ones.
    mistake("adagrad-eps-fixed-at-1e-8", "adagrad_step", "use the eps you are given", Edit(
        "adagrad_step", {"return theta - lr * g / (np.sqrt(G_new) + eps), G_new":
                         "return theta - lr * g / (np.sqrt(G_new) + 1e-8), G_new"})),
    mistake("adam-beta2-fixed-at-0-999", "adam_step", "use the hyperparameters you are given",
            Edit("adam_step", {
                "v_new = beta2 * v + (1 - beta2) * g * g": "v_new = 0.999 * v + 0.001 * g * g",
                "v_hat = v_new / (1 - beta2 ** t_new)": "v_hat = v_new / (1 - 0.999 ** t_new)"})),
    mistake("nesterov-look-ahead-in-float64", "nesterov_step", "expected dtype float32", Edit(
        "nesterov_step", {"g_ahead = grad_fn(theta + mu * v)":
                          "g_ahead = grad_fn(np.array(theta + mu * v, dtype=float))"})),
]

ALTERNATIVES = [
    alternative("minibatch-with-array-split-and-math-ceil", """
        def updates_per_epoch(N, batch_size):
            import math
            return math.ceil(N / batch_size)

        def minibatch_epoch(theta, X, y, lr, batch_size, order):
            theta = theta.copy()
            for batch in np.array_split(order, range(batch_size, len(order), batch_size)):
                X_b, y_b = X[batch], y[batch]
                grad = 2 * np.mean((X_b @ theta - y_b)[:, None] * X_b, axis=0)
                theta -= lr * grad
            return theta
        """),
    alternative("optimizers-on-copies-updated-in-place", """
        def sgd_step(theta, g, lr):
            out = theta.copy()
            out -= lr * g
            return out

        def momentum_step(theta, g, v, lr, mu):
            v = v.copy()
            v *= mu
            v -= lr * g
            return theta + v, v

        def adagrad_step(theta, g, G, lr, eps=1e-8):
            G = G.copy()
            G += np.square(g)
            return theta - lr * g / (np.sqrt(G) + eps), G

        def rmsprop_step(theta, g, G, lr=0.001, gamma=0.9, eps=1e-8):
            G = G.copy()
            G *= gamma
            G += (1 - gamma) * np.square(g)
            theta = theta.copy()
            theta -= lr * g / (np.sqrt(G) + eps)
            return theta, G
        """),
    alternative("adam-with-folded-step-size", """
        def adam_step(theta, g, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
            t = t + 1
            m = beta1 * m + (1 - beta1) * g
            v = beta2 * v + (1 - beta2) * np.square(g)
            v_hat = v / (1 - beta2 ** t)
            step = lr / (1 - beta1 ** t)
            return theta - step * m / (np.sqrt(v_hat) + eps), m, v, t
        """),
    alternative("nesterov-with-explicit-look-ahead-and-torch-style-schedules", """
        def nesterov_step(theta, v, grad_fn, lr, mu):
            look_ahead = theta + mu * v
            v_next = mu * v
            v_next = v_next - lr * grad_fn(look_ahead)
            theta_next = look_ahead - mu * v + v_next
            return theta_next, v_next

        def step_schedule(t, lr0, drop=0.5, every=10):
            import math
            return lr0 * drop ** math.floor(t / every)

        def cosine_schedule(t, lr0, total, lr_min=0.0):
            import math
            if t >= total:
                return float(lr_min)
            return lr_min + (lr0 - lr_min) * 0.5 * (1.0 + math.cos(math.pi * t / total))
        """),
]
