"""reference.mlp: the parameter-dict MLP agrees with the layer objects, central differences
and PyTorch; the softmax classifier's SGD follows the documented batch order."""

from __future__ import annotations

import numpy as np
import pytest

from reference.data import minibatches
from reference.gradcheck import numerical_gradient
from reference.layers import Linear, ReLU, Sequential
from reference.losses import softmax_cross_entropy
from reference.mlp import (
    gradient_check,
    mlp_forward,
    mlp_loss_and_gradients,
    num_layers,
    softmax_classifier_loss,
    train_softmax_classifier,
)


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def network(rng, sizes):
    params = {}
    for k, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True), start=1):
        params[f"W{k}"] = rng.normal(size=(fan_in, fan_out)) / np.sqrt(fan_in)
        params[f"b{k}"] = rng.normal(0.0, 0.5, size=fan_out)
    return params


def test_num_layers_counts_weight_and_bias_pairs_and_rejects_other_keys(rng):
    assert num_layers(network(rng, [3, 4, 5, 2])) == 3
    with pytest.raises(ValueError, match="params must hold"):
        num_layers({"W1": np.zeros((2, 2)), "c1": np.zeros(2)})


def test_mlp_forward_equals_a_sequential_of_the_same_layers(rng):
    params, X = network(rng, [3, 4, 5, 2]), rng.normal(size=(6, 3))
    layers = [Linear(3, 4, rng), ReLU(), Linear(4, 5, rng), ReLU(), Linear(5, 2, rng)]
    for k, layer in enumerate(layers[::2], start=1):
        layer.W.value, layer.b.value = params[f"W{k}"], params[f"b{k}"]
    np.testing.assert_allclose(mlp_forward(X, params), Sequential(*layers).forward(X))


def test_one_layer_network_is_the_softmax_classifier(rng):
    params, X, y = network(rng, [4, 3]), rng.normal(size=(7, 4)), rng.integers(0, 3, size=7)
    loss, grads = mlp_loss_and_gradients(X, y, params)
    loss1, dW, db = softmax_classifier_loss(X, y, params["W1"], params["b1"])
    assert loss1 == pytest.approx(loss)
    np.testing.assert_allclose(dW, grads["W1"])
    np.testing.assert_allclose(db, grads["b1"])


def test_mlp_gradients_match_central_differences(rng):
    params, X, y = network(rng, [3, 5, 4, 3]), rng.normal(size=(6, 3)), rng.integers(0, 3, 6)
    _, grads = mlp_loss_and_gradients(X, y, params)
    assert list(grads) == list(params)
    for key in params:
        numerical = numerical_gradient(
            lambda v, key=key: mlp_loss_and_gradients(X, y, {**params, key: v})[0], params[key],
            h=1e-5)
        np.testing.assert_allclose(grads[key], numerical, rtol=1e-5, atol=1e-9)


def test_gradient_check_is_small_for_correct_gradients_and_finds_a_wrong_entry(rng):
    params, X, y = network(rng, [3, 5, 3]), rng.normal(size=(5, 3)), rng.integers(0, 3, 5)
    before = {key: value.copy() for key, value in params.items()}

    def wrong(p):
        loss, grads = mlp_loss_and_gradients(X, y, p)
        grads["b1"] = grads["b1"] * np.array([1.0] * 4 + [1.1])
        return loss, grads

    assert gradient_check(lambda p: mlp_loss_and_gradients(X, y, p), params) < 1e-6
    assert gradient_check(wrong, params) == pytest.approx(0.1 / 2.1, rel=1e-4)
    assert all(np.array_equal(params[key], before[key]) for key in params)


def test_training_follows_the_documented_batch_order(rng):
    X, y = rng.normal(size=(23, 3)), rng.integers(0, 3, size=23)
    W, b, losses = train_softmax_classifier(X, y, lr=0.3, epochs=3, batch_size=5, seed=7)
    order_rng, W2, b2 = np.random.default_rng(7), np.zeros((3, 3)), np.zeros(3)
    for _ in range(3):
        for Xb, yb in minibatches(X, y, 5, order_rng):
            _, dW, db = softmax_classifier_loss(Xb, yb, W2, b2)
            W2, b2 = W2 - 0.3 * dW, b2 - 0.3 * db
    np.testing.assert_allclose(W, W2, rtol=1e-12)
    np.testing.assert_allclose(b, b2, rtol=1e-12)
    assert len(losses) == 3
    assert losses[-1] == pytest.approx(softmax_cross_entropy(X @ W + b, y)[0])
    assert losses[-1] < losses[0] < np.log(3)


@pytest.mark.torch
def test_mlp_loss_and_gradients_match_pytorch(rng):
    torch = pytest.importorskip("torch")
    params, X, y = network(rng, [4, 6, 5, 3]), rng.normal(size=(8, 4)), rng.integers(0, 3, 8)
    loss, grads = mlp_loss_and_gradients(X, y, params)
    t = {key: torch.tensor(value, requires_grad=True) for key, value in params.items()}
    z = torch.tensor(X)
    for k in range(1, 4):
        z = z @ t[f"W{k}"] + t[f"b{k}"]
        z = torch.relu(z) if k < 3 else z
    expected = torch.nn.functional.cross_entropy(z, torch.tensor(y))
    expected.backward()
    assert loss == pytest.approx(expected.item(), rel=1e-12)
    for key in params:
        np.testing.assert_allclose(grads[key], t[key].grad.numpy(), rtol=1e-10, atol=1e-14)


def test_gradients_have_the_dtype_of_their_parameters():
    rng = np.random.default_rng(3)
    params = {"W1": rng.standard_normal((4, 5)).astype(np.float32), "b1": np.zeros(5, np.float32),
              "W2": rng.standard_normal((5, 3)).astype(np.float32), "b2": np.zeros(3)}
    X, y = rng.standard_normal((6, 4)), rng.integers(0, 3, 6)
    _, grads = mlp_loss_and_gradients(X, y, params)
    assert {k: g.dtype for k, g in grads.items()} == {k: p.dtype for k, p in params.items()}


def test_softmax_classifier_gradients_have_the_dtype_of_w_and_b():
    rng = np.random.default_rng(3)
    X, y = rng.standard_normal((6, 4)), rng.integers(0, 3, 6)
    _, dW, db = softmax_classifier_loss(X, y, np.zeros((4, 3), np.float32), np.zeros(3))
    assert (dW.dtype, db.dtype) == (np.float32, np.float64)
