"""Lab 04's trusted pieces (``TRUSTED``, plain numpy source that the probes run beside a
student's function in the worker, where the reference cannot be imported) give the answer
key's values: the same function, written twice, held together here."""

import numpy as np
import pytest

from autograder.answers.lab04 import PIECES, TRUSTED

SEEDS = range(8)


def trusted() -> dict:
    scope = {"np": np}
    exec(TRUSTED, scope)
    return scope


def network(rng: np.random.Generator, dtype: type, layers: int) -> tuple:
    """``(X, y, params)``: a batch, its labels (every class present) and a ReLU network."""
    sizes = [int(v) for v in rng.integers(2, 6, size=layers + 1)]
    n = int(rng.integers(sizes[-1], 9))
    X = rng.normal(size=(n, sizes[0])).astype(dtype)
    y = rng.permutation(np.arange(n) % sizes[-1])
    params = {}
    for k in range(1, layers + 1):
        params[f"W{k}"] = rng.normal(size=(sizes[k - 1], sizes[k])).astype(dtype)
        params[f"b{k}"] = rng.normal(size=sizes[k]).astype(dtype)
    return X, y, params


def arguments(name: str, rng: np.random.Generator, dtype: type) -> tuple:
    """Arguments for the piece ``name``, drawn from ``rng``."""
    X, y, params = network(rng, dtype, layers=int(rng.integers(1, 4)))
    W, b = params["W1"], params["b1"]
    S, first_labels = X @ W + b, rng.integers(0, W.shape[1], size=len(X))
    S[rng.random(S.shape) < 0.3] = 0.0  # the ReLU's kink, where relu'(0) = 0
    scale = dtype(rng.choice([1.0, 300.0]))  # large scores too, where e^s overflows
    return {"linear_forward": (X, W, b),
            "linear_backward": (rng.normal(size=S.shape).astype(dtype), X, W),
            "relu": (S,),
            "relu_backward": (rng.normal(size=S.shape).astype(dtype), S),
            "softmax_cross_entropy": (scale * S, first_labels),
            "softmax_classifier_loss": (X, first_labels, W, b),
            "mlp_forward": (X, params),
            "mlp_loss_and_gradients": (X, y, params)}[name]


def flat(value: object) -> list:
    """Every number of a result (arrays, tuples, dicts of arrays), in order."""
    if isinstance(value, dict):
        return [v for key in sorted(value) for v in flat(value[key])]
    if isinstance(value, (tuple, list)):
        return [v for item in value for v in flat(item)]
    return [np.asarray(value)]


def test_trusted_defines_exactly_the_pieces_the_answer_key_serves():
    defined = {name for name, value in trusted().items() if callable(value)}
    assert defined == set(PIECES)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", sorted(PIECES))
def test_a_trusted_piece_gives_the_answer_keys_values(name, dtype):
    piece = trusted()[name]
    tolerance = 1e-10 if dtype is np.float64 else 1e-4
    for seed in SEEDS:
        args = arguments(name, np.random.default_rng(seed), dtype)
        ours, theirs = flat(piece(*args)), flat(PIECES[name](*args))
        assert len(ours) == len(theirs)
        for a, b in zip(ours, theirs, strict=True):
            np.testing.assert_allclose(a, b, rtol=tolerance, atol=tolerance,
                                       err_msg=f"{name}, seed {seed}")
