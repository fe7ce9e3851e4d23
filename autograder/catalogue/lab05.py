"""Lab 05's catalogue: mistakes students make with weight initialization and the
measurements of a deep network at initialization, and valid alternatives to the solution.

Each mistake replaces one function of the solution notebook, or changes a few of its lines
(an ``Edit``: the lines as they stand, then as the mistake has them), and must lose points
on its question, and only there; ``feedback`` is a phrase of what the check says about it.
Each alternative replaces one or more functions with a different correct implementation and
must keep full marks.
"""

from __future__ import annotations

from autograder.catalogue import Edit, alternative, mistake_maker

mistake = mistake_maker("lab05")


MISTAKES = [
    # -- zeros, constant
    mistake("constant-transposed", "constant_init", "the transpose", """
        def constant(fan_in, fan_out, rng=None, value=0.1):
            return np.full((fan_out, fan_in), float(value))
        """),
    mistake("constant-ignores-value", "constant_init", "use the `value` argument", """
        def constant(fan_in, fan_out, rng=None, value=0.1):
            return np.full((fan_in, fan_out), 0.1)
        """),
    # -- normal
    mistake("normal-std-squared", "normal", "pass std itself, not std**2", """
        def normal(fan_in, fan_out, rng, std=0.01):
            return rng.normal(0.0, std ** 2, size=(fan_in, fan_out))
        """),
    mistake("normal-sqrt-of-std", "normal", "do not take its square root", """
        def normal(fan_in, fan_out, rng, std=0.01):
            return rng.normal(0.0, np.sqrt(std), size=(fan_in, fan_out))
        """),
    mistake("normal-global-random-state", "normal", "ignores the generator", """
        def normal(fan_in, fan_out, rng, std=0.01):
            return std * np.random.randn(fan_in, fan_out)
        """),
    # -- uniform 1/sqrt(fan_in)
    mistake("uniform-fan-out", "uniform_fan_in", "the bound uses fan_in", """
        def uniform_fan_in(fan_in, fan_out, rng):
            a = 1.0 / np.sqrt(fan_out)
            return rng.uniform(-a, a, size=(fan_in, fan_out))
        """),
    mistake("uniform-not-zero-centred", "uniform_fan_in", "not U(0, a)", """
        def uniform_fan_in(fan_in, fan_out, rng):
            return rng.uniform(0.0, 1.0 / np.sqrt(fan_in), size=(fan_in, fan_out))
        """),
    mistake("uniform-sqrt-missing", "uniform_fan_in", "not 1/fan_in", """
        def uniform_fan_in(fan_in, fan_out, rng):
            return rng.uniform(-1.0 / fan_in, 1.0 / fan_in, size=(fan_in, fan_out))
        """),
    # -- Xavier
    mistake("xavier-uniform-he-bound", "xavier", "the bound sqrt(6/fan_in) belongs to He", """
        def xavier_uniform(fan_in, fan_out, rng):
            a = np.sqrt(6.0 / fan_in)
            return rng.uniform(-a, a, size=(fan_in, fan_out))
        """),
    mistake("xavier-uniform-bound-is-the-normal-std", "xavier", "has variance a^2/3", """
        def xavier_uniform(fan_in, fan_out, rng):
            a = np.sqrt(2.0 / (fan_in + fan_out))
            return rng.uniform(-a, a, size=(fan_in, fan_out))
        """),
    mistake("xavier-normal-std-is-the-variance", "xavier", "the square root is missing", """
        def xavier_normal(fan_in, fan_out, rng):
            return rng.normal(0.0, 2.0 / (fan_in + fan_out), size=(fan_in, fan_out))
        """),
    # -- He
    mistake("he-normal-variance-one-over-fan-in", "he", "He et al. double it", """
        def he_normal(fan_in, fan_out, rng):
            return rng.normal(0.0, np.sqrt(1.0 / fan_in), size=(fan_in, fan_out))
        """),
    mistake("he-normal-fan-out", "he", "He's variance uses fan_in", """
        def he_normal(fan_in, fan_out, rng):
            return rng.normal(0.0, np.sqrt(2.0 / fan_out), size=(fan_in, fan_out))
        """),
    mistake("he-uniform-transposed", "he", "the transpose", """
        def he_uniform(fan_in, fan_out, rng):
            a = np.sqrt(6.0 / fan_in)
            return rng.uniform(-a, a, size=(fan_out, fan_in))
        """),
    mistake("he-uniform-global-random-state", "he", "ignores the generator", """
        def he_uniform(fan_in, fan_out, rng):
            a = np.sqrt(6.0 / fan_in)
            return np.random.uniform(-a, a, size=(fan_in, fan_out))
        """),
    # -- Var(s) = n Var(w) Var(x)
    mistake("predicted-variance-without-n", "predicted_variance", "add their variances", """
        def predicted_variance(fan_in, var_w, var_x):
            return float(var_w * var_x)
        """),
    mistake("predicted-variance-sqrt-n", "predicted_variance", "grows like n_in", """
        def predicted_variance(fan_in, var_w, var_x):
            return float(np.sqrt(fan_in) * var_w * var_x)
        """),
    # -- per-layer stds
    mistake("stds-of-the-potentials", "activation_stds", "standard deviations of the potentials",
            Edit("activation_stds", {"a = f(a @ W)\nstds.append(a.std())": """
                s = a @ W
                stds.append(s.std())
                a = f(s)
                """})),
    mistake("stds-always-tanh", "activation_stds", "apply the activation named", Edit(
        "activation_stds", {"a = f(a @ W)": "a = np.tanh(a @ W)"})),
    mistake("stds-include-the-input", "activation_stds", "leave out the input", Edit(
        "activation_stds", {"a, stds = X, []": "a, stds = X, [X.std()]"})),
    mistake("stds-per-unit-averaged", "activation_stds", "per-unit standard deviations", Edit(
        "activation_stds", {"stds.append(a.std())": "stds.append(a.std(axis=0).mean())"})),
    # -- gradient norms
    mistake("norms-without-the-activation-derivative", "weight_gradient_norms",
            "multiply the upstream gradient by f'(s^l)", Edit("weight_gradient_norms", {
                "ds = delta * local": "ds = delta"})),
    mistake("norms-divided-by-n", "weight_gradient_norms", "do not divide by N", Edit(
        "weight_gradient_norms", {
            "norms[l] = np.sqrt(np.sum((inputs[l].T @ ds) ** 2))":
            "norms[l] = np.sqrt(np.sum((inputs[l].T @ ds) ** 2)) / X.shape[0]"})),
    mistake("norms-ignore-dout", "weight_gradient_norms", "expected", Edit(
        "weight_gradient_norms", {"delta = dout": "delta = np.ones_like(dout)"})),
    mistake("norms-propagate-before-the-derivative", "weight_gradient_norms",
            "expected", Edit("weight_gradient_norms", {
                "delta = ds @ weights[l].T": "delta = delta @ weights[l].T"})),
    # -- dead ReLUs
    mistake("dead-fraction-of-entries", "dead_fraction", "the fraction of entries", """
        def dead_fraction(S):
            return float(np.mean(S <= 0))
        """),
    mistake("dead-any-instead-of-all", "dead_fraction", "(np.any)", """
        def dead_fraction(S):
            return float(np.mean(np.any(S <= 0, axis=0)))
        """),
    mistake("dead-over-examples", "dead_fraction", "it counts examples (rows)", """
        def dead_fraction(S):
            return float(np.mean(np.all(S <= 0, axis=1)))
        """),
    mistake("dead-strict-inequality", "dead_fraction", "exactly 0", """
        def dead_fraction(S):
            return float(np.mean(np.all(S < 0, axis=0)))
        """),
    mistake("dead-applies-relu-in-place", "dead_fraction", "modified its input array", """
        def dead_fraction(S):
            S[S < 0] = 0
            return float(np.mean(np.all(S == 0, axis=0)))
        """),
    # -- symmetry
    mistake("spread-across-rows", "hidden_unit_spread", "the units are the columns", """
        def hidden_unit_spread(W):
            return float(np.max(W.max(axis=0) - W.min(axis=0)))
        """),
    mistake("spread-of-the-whole-matrix", "hidden_unit_spread", "the range of the whole matrix",
            """
        def hidden_unit_spread(W):
            return float(W.max() - W.min())
        """),
    mistake("spread-as-std", "hidden_unit_spread", "a standard deviation across the units", """
        def hidden_unit_spread(W):
            return float(np.max(np.std(W, axis=1)))
        """),
    # Edge of the domain (issue #19): an integer value.
    mistake("constant-keeps-an-integer-dtype", "constant_init", "whatever the type of value", """
        def constant(fan_in, fan_out, rng=None, value=0.1):
            return np.full((fan_in, fan_out), value)
        """),
]


ALTERNATIVES = [
    alternative("initializers-by-scaling-standard-draws", """
        def normal(fan_in, fan_out, rng, std=0.01):
            return rng.normal(0.0, std, size=(fan_in, fan_out))

        def xavier_uniform(fan_in, fan_out, rng):
            a = np.sqrt(6.0 / (fan_in + fan_out))
            return a * (2.0 * rng.random((fan_in, fan_out)) - 1.0)

        def he_uniform(fan_in, fan_out, rng):
            return np.sqrt(6.0 / fan_in) * rng.uniform(-1.0, 1.0, size=(fan_in, fan_out))

        def he_normal(fan_in, fan_out, rng):
            return np.sqrt(2.0 / fan_in) * rng.standard_normal((fan_in, fan_out))
        """),
    alternative("initializers-through-variance", """
        def uniform_fan_in(fan_in, fan_out, rng):
            variance = 1.0 / (3.0 * fan_in)
            a = np.sqrt(3.0 * variance)
            return rng.uniform(low=-a, high=a, size=(fan_in, fan_out))

        def xavier_normal(fan_in, fan_out, rng):
            variance = 2.0 / (fan_in + fan_out)
            return rng.normal(scale=np.sqrt(variance), size=(fan_in, fan_out))

        def zeros(fan_in, fan_out, rng=None):
            return np.zeros(shape=(fan_in, fan_out), dtype=np.float64)

        def constant(fan_in, fan_out, rng=None, value=0.1):
            return value * np.ones((fan_in, fan_out))
        """),
    alternative("measurements-written-another-way", """
        def activation_stds(X, weights, activation="tanh"):
            stds = np.empty(len(weights))
            a = X
            for l, W in enumerate(weights):
                s = a @ W
                a = np.tanh(s) if activation == "tanh" else s * (s > 0)
                stds[l] = np.sqrt(np.mean((a - a.mean()) ** 2))
            return stds

        def dead_fraction(S):
            return float((S.max(axis=0) <= 0).sum() / S.shape[1])

        def hidden_unit_spread(W):
            return float(np.max(np.max(W, axis=1) - np.min(W, axis=1)))

        def predicted_variance(fan_in, var_w, var_x):
            return fan_in * (var_w * var_x)
        """),
    alternative("gradient-norms-with-caches", """
        def weight_gradient_norms(X, weights, dout, activation="tanh"):
            caches, a = [], X
            for W in weights:
                s = a @ W
                caches.append((a, s))
                a = np.tanh(s) if activation == "tanh" else np.where(s > 0, s, 0.0)
            norms = []
            for (a_prev, s), W in zip(reversed(caches), reversed(weights)):
                if activation == "tanh":
                    dout = dout * (1.0 - np.tanh(s) ** 2)
                else:
                    dout = np.where(s > 0, dout, 0.0)
                norms.append(np.linalg.norm(a_prev.T @ dout, "fro"))
                dout = dout @ W.T
            return np.array(norms[::-1])
        """),
    alternative("constant-by-scaling-ones", """
        def constant(fan_in, fan_out, rng=None, value=0.1):
            return value * np.ones((fan_in, fan_out))
        """),
]
