"""Lab 01's catalogue: mistakes students make with a single neuron, and valid alternatives.

Each mistake replaces one function of the solution notebook, or changes a few of its lines
(an ``Edit``: the lines as they stand, then as the mistake has them), and must lose points
on its question, and only there; ``feedback`` is a phrase of the name the check gives it.
Each alternative replaces one or more functions with a different correct implementation and
must keep full marks.
"""

from __future__ import annotations

from autograder.catalogue import Edit, alternative, mistake_maker

mistake = mistake_maker("lab01")


MISTAKES = [
    # -- the neuron
    mistake("add-bias-ones-last", "neuron_output", "the ones are the last column", """
        def add_bias(X):
            return np.column_stack([X, np.ones(X.shape[0])])
        """),
    mistake("neuron-output-ignores-the-bias", "neuron_output", "it ignores the bias", """
        def neuron_output(w, X, phi):
            return phi(X @ w[1:])
        """),
    # -- the perceptron's activation and prediction
    mistake("sign-is-np-sign", "perceptron_predict", "as np.sign is", """
        def sign(s):
            return np.sign(s)
        """),
    mistake("sign-minus-one-at-zero", "perceptron_predict", "it is -1 at s = 0", """
        def sign(s):
            return np.where(s > 0, 1.0, -1.0)
        """),
    mistake("perceptron-predicts-zero-one", "perceptron_predict", "its values are 0 and 1", """
        def perceptron_predict(w, X):
            s = np.column_stack([np.ones(X.shape[0]), X]) @ w
            return (s >= 0).astype(float)
        """),
    mistake("perceptron-predict-ignores-the-bias", "perceptron_predict", "it ignores the bias",
            """
        def perceptron_predict(w, X):
            return sign(X @ w[1:])
        """),
    # -- the perceptron learning rule
    mistake("perceptron-update-away-from-the-example", "perceptron_train",
            "it moves w away from a misclassified example", Edit("perceptron_train", {
                "w = w + lr * y_i * x_i": "w = w - lr * y_i * x_i"})),
    mistake("perceptron-bias-never-learns", "perceptron_train", "the bias w_0 never changes",
            Edit("perceptron_train", {"w = w + lr * y_i * x_i":
                                      "w[1:] = w[1:] + lr * y_i * x_i[1:]"})),
    mistake("perceptron-without-the-bias-column", "perceptron_train", "the bias is missing", """
        def perceptron_train(X, y, lr=1.0, epochs=100, w0=None):
            w = np.zeros(X.shape[1])
            for _ in range(epochs):
                for x_i, y_i in zip(X, y):
                    if np.sign(x_i @ w) != y_i:
                        w = w + lr * y_i * x_i
            return w
        """),
    mistake("perceptron-updates-where-s-is-zero", "perceptron_train", "np.sign(0) is 0", Edit(
        "perceptron_train", {"""
            y_hat = -1.0 if x_i @ w < 0 else 1.0
            if y_hat != y_i:
            """: "if y_i * (x_i @ w) <= 0:"})),
    mistake("perceptron-ignores-lr", "perceptron_train", "it ignores lr", Edit(
        "perceptron_train", {"w = w + lr * y_i * x_i": "w = w + y_i * x_i"})),
    mistake("perceptron-updates-w0-in-place", "perceptron_train", "modified its input array",
            Edit("perceptron_train", {
                "w = np.zeros(X1.shape[1]) if w0 is None else np.array(w0, dtype=float)":
                "w = np.zeros(X1.shape[1]) if w0 is None else w0",
                "w = w + lr * y_i * x_i": "w += lr * y_i * x_i"})),
    # -- least squares
    mistake("linear-regression-without-the-bias-column", "linear_regression",
            "the bias is missing", """
        def linear_regression(X, y):
            return np.linalg.inv(X.T @ X) @ X.T @ y
        """),
    mistake("linear-regression-ones-last", "linear_regression", "the bias is the last entry",
            Edit("linear_regression", {"X1 = np.column_stack([np.ones(X.shape[0]), X])":
                                       "X1 = np.column_stack([X, np.ones(X.shape[0])])"})),
    # -- ridge
    mistake("ridge-leaves-the-bias-unpenalized", "ridge_regression",
            "it leaves the bias unpenalized", Edit("ridge_regression", {
                "return np.linalg.solve(X1.T @ X1 + lam * np.eye(X1.shape[1]), X1.T @ y)": """
                    penalty = lam * np.eye(X1.shape[1])
                    penalty[0, 0] = 0.0
                    return np.linalg.solve(X1.T @ X1 + penalty, X1.T @ y)
                    """})),
    mistake("ridge-adds-lambda-to-every-entry", "ridge_regression",
            "it adds lam to every entry", """
        def ridge_regression(X, y, lam):
            X1 = np.column_stack([np.ones(X.shape[0]), X])
            return np.linalg.solve(X1.T @ X1 + lam, X1.T @ y)
        """),
    mistake("ridge-without-the-bias-column", "ridge_regression", "the bias is missing", """
        def ridge_regression(X, y, lam):
            return np.linalg.solve(X.T @ X + lam * np.eye(X.shape[1]), X.T @ y)
        """),
    # -- logistic regression
    mistake("logistic-gradient-without-1-over-m", "logistic_loss_and_grad", "without the 1/m",
            Edit("logistic_loss_and_grad", {
                "return float(loss), X1.T @ (y_hat - y) / X1.shape[0]":
                "return float(loss), X1.T @ (y_hat - y)"})),
    mistake("logistic-gradient-y-minus-y-hat", "logistic_loss_and_grad",
            "the gradient of the log-likelihood", Edit("logistic_loss_and_grad", {
                "return float(loss), X1.T @ (y_hat - y) / X1.shape[0]":
                "return float(loss), X1.T @ (y - y_hat) / X1.shape[0]"})),
    mistake("logistic-log-of-sigmoid", "logistic_loss_and_grad", "log(0) = -inf", Edit(
        "logistic_loss_and_grad", {"""
            loss = np.mean(np.logaddexp(0, s) - y * s)
            y_hat = np.exp(-np.logaddexp(0, -s))
            """: """
            y_hat = 1 / (1 + np.exp(-s))
            loss = -np.mean(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat))
            """})),
    mistake("logistic-loss-summed", "logistic_loss_and_grad", "it is the sum over the examples",
            Edit("logistic_loss_and_grad", {"loss = np.mean(np.logaddexp(0, s) - y * s)":
                                            "loss = np.sum(np.logaddexp(0, s) - y * s)"})),
    # -- gradient descent
    mistake("gradient-descent-without-the-2", "gradient_descent_neuron", "Is the 2 missing?",
            Edit("gradient_descent_neuron", {"grad = 2 / m * X1.T @ (X1 @ w - y)":
                                             "grad = 1 / m * X1.T @ (X1 @ w - y)"})),
    mistake("gradient-descent-summed-gradient", "gradient_descent_neuron",
            "m times the step size", Edit("gradient_descent_neuron", {
                "grad = 2 / m * X1.T @ (X1 @ w - y)": "grad = 2 * X1.T @ (X1 @ w - y)"})),
    mistake("gradient-descent-climbs", "gradient_descent_neuron", "it climbs the loss", Edit(
        "gradient_descent_neuron", {"grad = 2 / m * X1.T @ (X1 @ w - y)":
                                    "grad = 2 / m * X1.T @ (y - X1 @ w)"})),
    mistake("gradient-descent-losses-after-each-step-only", "gradient_descent_neuron",
            "the loss of the initial weights", Edit("gradient_descent_neuron", {
                "losses = [float(np.mean((y - X1 @ w) ** 2))]": "losses = []"})),
    mistake("gradient-descent-sum-of-squares-history", "gradient_descent_neuron",
            "it is the sum of squares", Edit("gradient_descent_neuron", {
                "losses = [float(np.mean((y - X1 @ w) ** 2))]":
                "losses = [float(np.sum((y - X1 @ w) ** 2))]",
                "losses.append(float(np.mean((y - X1 @ w) ** 2)))":
                "losses.append(float(np.sum((y - X1 @ w) ** 2)))"})),
    mistake("gradient-descent-updates-w0-in-place", "gradient_descent_neuron",
            "modified its input array", Edit("gradient_descent_neuron", {
                "w = np.zeros(X1.shape[1]) if w0 is None else np.array(w0, dtype=float)":
                "w = np.zeros(X1.shape[1]) if w0 is None else w0",
                "w = w - lr * grad": "w -= lr * grad"})),
    # -- standard normalization
    mistake("standardize-fits-on-the-test-set", "standardize", "with its own statistics", """
        def standardize(X_train, X_test):
            def fit_transform(X):
                sigma = X.std(axis=0)
                return (X - X.mean(axis=0)) / np.where(sigma > 0, sigma, 1.0)
            return fit_transform(X_train), fit_transform(X_test)
        """),
    mistake("standardize-whole-matrix", "standardize", "the whole matrix", Edit(
        "standardize", {"mu = X_train.mean(axis=0)": "mu = X_train.mean()",
                        "sigma = X_train.std(axis=0)": "sigma = X_train.std()"})),
    mistake("standardize-per-example", "standardize", "each example (row, axis=1)", """
        def standardize(X_train, X_test):
            def rows(X):
                return (X - X.mean(axis=1, keepdims=True)) / X.std(axis=1, keepdims=True)
            return rows(X_train), rows(X_test)
        """),
    mistake("standardize-sample-std", "standardize", "ddof=1", Edit(
        "standardize", {"sigma = X_train.std(axis=0)": "sigma = X_train.std(axis=0, ddof=1)"})),
    mistake("standardize-constant-feature-nan", "standardize", "constant on the training set",
            Edit("standardize", {"sigma = np.where(sigma > 0, sigma, 1.0)": ""})),
    mistake("standardize-in-place", "standardize", "modified its input array", Edit(
        "standardize", {"return (X_train - mu) / sigma, (X_test - mu) / sigma": """
            X_train -= mu
            X_train /= sigma
            X_test -= mu
            X_test /= sigma
            return X_train, X_test
            """})),
    # -- min-max normalization
    mistake("min-max-fits-on-the-test-set", "min_max_scale", "its own minimum and maximum", """
        def min_max_scale(X_train, X_test):
            def fit_transform(X):
                low, spread = X.min(axis=0), np.ptp(X, axis=0)
                return (X - low) / np.where(spread > 0, spread, 1.0)
            return fit_transform(X_train), fit_transform(X_test)
        """),
    mistake("min-max-divides-by-the-maximum", "min_max_scale", "it divides by the maximum",
            Edit("min_max_scale", {"""
                spread = X_train.max(axis=0) - low
                spread = np.where(spread > 0, spread, 1.0)
                """: "spread = X_train.max(axis=0)"})),
    mistake("min-max-whole-matrix", "min_max_scale", "the whole matrix", Edit(
        "min_max_scale", {"low = X_train.min(axis=0)": "low = X_train.min()",
                          "spread = X_train.max(axis=0) - low": "spread = X_train.max() - low"})),
    mistake("min-max-constant-feature-nan", "min_max_scale", "constant on the training set",
            Edit("min_max_scale", {"spread = np.where(spread > 0, spread, 1.0)": ""})),
    # Edge of the domain (issue #19): a constant training feature, another value at test time.
    mistake("min-max-guard-added-to-the-spread", "min_max_scale", "with a constant feature", """
        def min_max_scale(X_train, X_test):
            low = X_train.min(axis=0)
            spread = X_train.max(axis=0) - low + 1e-8
            return (X_train - low) / spread, (X_test - low) / spread
        """),
]

ALTERNATIVES = [
    alternative("neuron-with-hstack-and-explicit-bias", """
        def add_bias(X):
            return np.hstack([np.ones((len(X), 1)), X])

        def neuron_output(w, X, phi):
            return phi(X @ w[1:] + w[0])
        """),
    alternative("sign-and-predict-by-comparison", """
        def sign(s):
            return 2.0 * (np.asarray(s) >= 0) - 1.0

        def perceptron_predict(w, X):
            return np.array([1.0 if w[0] + x @ w[1:] >= 0 else -1.0 for x in X])
        """),
    alternative("perceptron-running-every-epoch-with-index-loops", """
        def perceptron_train(X, y, lr=1.0, epochs=100, w0=None):
            m, n = X.shape
            w = np.zeros(n + 1) if w0 is None else w0.astype(float).copy()
            for _ in range(epochs):
                for i in range(m):
                    x_i = np.concatenate([[1.0], X[i]])
                    if y[i] * (1.0 if x_i @ w >= 0 else -1.0) < 0:
                        w += lr * y[i] * x_i
            return w
        """),
    alternative("closed-forms-with-np-linalg-inv", """
        def linear_regression(X, y):
            X1 = np.insert(X, 0, 1.0, axis=1)
            return np.linalg.inv(X1.T @ X1) @ X1.T @ y

        def ridge_regression(X, y, lam):
            X1 = np.insert(X, 0, 1.0, axis=1)
            return np.linalg.inv(X1.T @ X1 + lam * np.identity(X1.shape[1])) @ (X1.T @ y)
        """),
    alternative("least-squares-by-lstsq-and-ridge-as-augmented-least-squares", """
        def linear_regression(X, y):
            X1 = np.column_stack([np.ones(len(X)), X])
            return np.linalg.lstsq(X1, y, rcond=None)[0]

        def ridge_regression(X, y, lam):
            X1 = np.column_stack([np.ones(len(X)), X])
            k = X1.shape[1]
            A = np.vstack([X1, np.sqrt(lam) * np.eye(k)])
            return np.linalg.lstsq(A, np.concatenate([y, np.zeros(k)]), rcond=None)[0]
        """),
    alternative("logistic-with-stable-piecewise-sigmoid-and-a-loop", """
        def logistic_loss_and_grad(w, X, y):
            m = X.shape[0]
            loss, grad = 0.0, np.zeros_like(w, dtype=float)
            for i in range(m):
                x_i = np.concatenate([[1.0], X[i]])
                s = x_i @ w
                loss += max(s, 0.0) + np.log1p(np.exp(-abs(s))) - y[i] * s
                y_hat = 1 / (1 + np.exp(-s)) if s >= 0 else np.exp(s) / (1 + np.exp(s))
                grad += (y_hat - y[i]) * x_i
            return loss / m, grad / m
        """),
    alternative("gradient-descent-summing-per-example-gradients", """
        def gradient_descent_neuron(X, y, lr, epochs, w0=None):
            m, n = X.shape
            X1 = np.column_stack([np.ones(m), X])
            w = np.zeros(n + 1) if w0 is None else np.copy(w0)

            def loss(w):
                r = y - X1 @ w
                return r @ r / m

            losses = [loss(w)]
            for _ in range(epochs):
                grad = sum(2 * (x_i @ w - y_i) * x_i for x_i, y_i in zip(X1, y)) / m
                w = w - lr * grad
                losses.append(loss(w))
            return w, np.array(losses)
        """),
    alternative("normalization-by-hand-and-with-ptp", """
        def standardize(X_train, X_test):
            m = X_train.shape[0]
            mu = X_train.sum(axis=0) / m
            sigma = np.sqrt(((X_train - mu) ** 2).sum(axis=0) / m)
            sigma[sigma == 0] = 1.0
            return (X_train - mu) / sigma, (X_test - mu) / sigma

        def min_max_scale(X_train, X_test):
            low, spread = np.min(X_train, axis=0), np.ptp(X_train, axis=0)
            spread = np.where(spread == 0, 1, spread)
            return (X_train - low) / spread, (X_test - low) / spread
        """),
    alternative("min-max-scale-with-ptp-and-a-masked-guard", """
        def min_max_scale(X_train, X_test):
            low, spread = X_train.min(axis=0), np.ptp(X_train, axis=0)
            spread[spread == 0] = 1.0
            return (X_train - low) / spread, (X_test - low) / spread
        """),
]
