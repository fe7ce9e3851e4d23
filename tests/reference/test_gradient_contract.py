"""One gradient contract for the whole reference (reference.parameter): gradients accumulate.

A backward pass adds to ``p.grad``, as ``graph.Value`` adds one contribution per path; two
backward passes give the sum of their gradients, and ``zero_grad`` starts again from zero.
"""

from __future__ import annotations

import numpy as np
import pytest

from reference import optim
from reference.graph import Value
from reference.layers import BatchNorm1d, Linear, PReLU, ReLU, Sequential
from reference.losses import softmax_cross_entropy
from reference.regularization import add_penalty, l2_penalty
from reference.train import train

# name -> a layer with parameters, in the mode its backward pass is tested in
LAYERS = {
    "Linear": lambda rng: Linear(4, 3, rng),
    "PReLU": lambda rng: PReLU(4),
    "BatchNorm1d-training": lambda rng: BatchNorm1d(4),
    "BatchNorm1d-evaluation": lambda rng: BatchNorm1d(4).eval(),
    "Sequential": lambda rng: Sequential(Linear(4, 5, rng), ReLU(), Linear(5, 3, rng)),
}


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(17)


def backward_passes(layer, X: np.ndarray, douts: list[np.ndarray]) -> list[np.ndarray]:
    """The parameters' gradients after a forward and backward pass for each of ``douts``."""
    for dout in douts:
        layer.forward(X)
        layer.backward(dout)
    return [p.grad.copy() for p in layer.parameters()]


@pytest.mark.parametrize("name", LAYERS)
def test_two_backward_passes_add_their_gradients(name, rng):
    layer, X = LAYERS[name](rng), rng.standard_normal((6, 4))
    shape = layer.forward(X).shape
    d1, d2 = rng.standard_normal(shape), rng.standard_normal(shape)
    alone = []
    for dout in (d1, d2):
        layer.zero_grad()
        alone.append(backward_passes(layer, X, [dout]))
    layer.zero_grad()
    both = backward_passes(layer, X, [d1, d2])
    for got, first, second in zip(both, *alone, strict=True):
        np.testing.assert_array_equal(got, first + second)


@pytest.mark.parametrize("name", LAYERS)
def test_zero_grad_resets_every_gradient_in_place(name, rng):
    layer, X = LAYERS[name](rng), rng.standard_normal((6, 4))
    backward_passes(layer, X, [rng.standard_normal(layer.forward(X).shape)])
    arrays = [p.grad for p in layer.parameters()]
    layer.zero_grad()
    assert all(p.grad is g and not g.any()
               for p, g in zip(layer.parameters(), arrays, strict=True))


def test_a_penalty_adds_its_gradient_to_the_backward_pass(rng):
    layer, X, dS = Linear(4, 3, rng), rng.standard_normal((6, 4)), rng.standard_normal((6, 3))
    data_gradient = backward_passes(layer, X, [dS])[0]
    add_penalty(layer.parameters(), l2_penalty, lam=0.5)
    np.testing.assert_allclose(layer.W.grad, data_gradient + 0.5 * layer.W.value, rtol=1e-15)


def test_a_value_used_in_two_graphs_sums_both_backward_passes():
    x = Value(3.0)
    (x * x).backward()              # d(x^2)/dx = 6
    (x * 4.0).backward()            # d(4x)/dx = 4
    assert x.grad == 10.0


def test_the_training_loop_zeroes_the_gradients_before_every_step(rng):
    X, y = rng.standard_normal((8, 4)), rng.integers(0, 3, 8)

    def trained(stale: float) -> list[np.ndarray]:
        model = Sequential(Linear(4, 5, np.random.default_rng(0)), ReLU(),
                           Linear(5, 3, np.random.default_rng(1)))
        for p in model.parameters():
            p.grad[...] = stale      # left over from somewhere else: must not move the weights
        train(model, softmax_cross_entropy, optim.SGD(model.parameters(), lr=0.1), X, y,
              epochs=2, batch_size=4, rng=np.random.default_rng(2), progress=False)
        return [p.value for p in model.parameters()]

    for got, expected in zip(trained(100.0), trained(0.0), strict=True):
        np.testing.assert_array_equal(got, expected)
