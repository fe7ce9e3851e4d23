"""Lab 04's hidden checks: random shapes, depths, networks and training problems, drawn from
the grading seed.

They add to the questions of :mod:`nnlabs.checks.lab04` and use its helpers; their
``oracle`` is the answer key, :mod:`autograder.answers.lab04`. Importing this module also
gives the probes of :mod:`nnlabs.checks.lab04` the answer key's own pieces for that oracle,
so that when grading they run the student's code beside correct functions, not recorded
answers.
"""

from __future__ import annotations

import numpy as np

from autograder.answers.lab04 import TRUSTED
from autograder.oracle import ReferenceOracle
from nnlabs.checks import lab04
from nnlabs.checks.lab04 import (
    check_classifier,
    check_linear_backward,
    check_linear_forward,
    check_mlp_backward,
    check_mlp_forward,
    check_softmax_cross_entropy,
    check_training,
    classification_problem,
    classifier_q,
    expect_correct_gradients_pass,
    expect_tuple,
    gradient_check_q,
    labels,
    linear_backward_q,
    linear_forward_q,
    mlp_backward_q,
    mlp_forward_q,
    network_off_kinks,
    random_layer,
    random_params,
    run_gradient_check,
    run_training,
    train_q,
)
from nnlabs.expect import expect

lab04.GRADING_PIECES[ReferenceOracle] = TRUSTED


def unit_vectors(angles: np.ndarray) -> np.ndarray:
    """The points of the unit circle at ``angles``, one a row."""
    return np.column_stack([np.cos(angles), np.sin(angles)])


@linear_forward_q.check(points=1, hidden=True)
def test_linear_forward_matches_the_reference_on_random_shapes(student, oracle, rng):
    for square in (False, True):
        n, d, k = random_layer(rng, square)
        X, W, b = rng.normal(size=(n, d)), rng.normal(size=(d, k)), rng.normal(size=k)
        check_linear_forward(student, oracle, X, W, b,
                             f"linear_forward(X, W, b), X {X.shape}, W {W.shape}")


@linear_backward_q.check(points=1, hidden=True)
def test_linear_backward_matches_central_differences_on_random_shapes(student, oracle, rng):
    n, d, k = random_layer(rng)
    X, W, b = rng.normal(size=(n, d)), rng.normal(size=(d, k)), rng.normal(size=k)
    dS = rng.normal(size=(n, k))
    check_linear_backward(student, oracle, dS, X, W, b,
                          f"linear_backward(dS, X, W), X {X.shape}, W {W.shape}")


@linear_backward_q.check(points=1, hidden=True)
def test_linear_backward_matches_central_differences_for_square_weights(student, oracle, rng):
    n, d, k = random_layer(rng, square=True)
    X, W, b = rng.normal(size=(n, d)), rng.normal(size=(d, k)), rng.normal(size=k)
    dS = rng.normal(size=(n, k))
    check_linear_backward(student, oracle, dS, X, W, b,
                          f"linear_backward(dS, X, W), X {X.shape}, W {W.shape}")


@classifier_q.check(points=1, hidden=True)
def test_softmax_classifier_on_random_inputs(student, oracle, rng):
    n, d, k = random_layer(rng)
    # No label is k - 1, so the number of classes must come from the scores, not max(y) + 1.
    X, y = rng.normal(size=(n, d)), labels(rng, n, k - 1)
    W, b = rng.normal(size=(d, k)), rng.normal(size=k)
    S = rng.normal(0.0, 3.0, size=(n, k))
    check_softmax_cross_entropy(student, oracle, S, y, f"softmax_cross_entropy(S, y), S {S.shape}"
                                f", no label {k - 1} in y")
    check_classifier(student, oracle, X, y, W, b,
                     f"softmax_classifier_loss(X, y, W, b), X {X.shape}, W {W.shape}")


@mlp_forward_q.check(points=1, hidden=True)
def test_mlp_forward_matches_the_reference_for_every_depth(student, oracle, rng):
    for L in (1, 2, 3, 4):
        sizes = [int(v) for v in rng.integers(2, 7, size=L + 1)]
        X = rng.normal(size=(int(rng.integers(2, 8)), sizes[0]))
        params = random_params(rng, sizes)
        check_mlp_forward(student, oracle, X, params,
                          f"mlp_forward(X, params), {L} layers {'-'.join(map(str, sizes))}")


@mlp_forward_q.check(points=1, hidden=True)
def test_mlp_forward_of_a_wide_network(student, oracle, rng):
    sizes = [int(rng.integers(5, 12)), 30, 20, int(rng.integers(3, 8))]
    X = rng.normal(size=(int(rng.integers(10, 30)), sizes[0]))
    check_mlp_forward(student, oracle, X, random_params(rng, sizes),
                      f"mlp_forward(X, params), layers {'-'.join(map(str, sizes))}")


@mlp_backward_q.check(points=1, hidden=True)
def test_mlp_gradients_match_central_differences(student, oracle, rng):
    sizes = [int(rng.integers(2, 5)), int(rng.integers(3, 6)), int(rng.integers(3, 6)),
             int(rng.integers(2, 5))]
    n = int(rng.integers(4, 8))
    X, params = network_off_kinks(oracle, rng, n, sizes)
    # Every example's first score below 0, so masking the scores by relu' drops a gradient.
    params["b3"][0] -= oracle.mlp_forward(X, params)[:, 0].max() + 1.0
    check_mlp_backward(student, oracle, X, labels(rng, n, sizes[-1]), params,
                       f"mlp_loss_and_gradients(X, y, params), layers "
                       f"{'-'.join(map(str, sizes))}")


@mlp_backward_q.check(points=1, hidden=True)
def test_mlp_gradients_match_the_reference_for_every_depth(student, oracle, rng):
    for L in (1, 2, 4):
        sizes = [int(v) for v in rng.integers(2, 7, size=L + 1)]
        n = int(rng.integers(3, 10))
        X = rng.normal(size=(n, sizes[0]))
        check_mlp_backward(student, oracle, X, labels(rng, n, sizes[-1]),
                           random_params(rng, sizes),
                           f"mlp_loss_and_gradients(X, y, params), {L} layers "
                           f"{'-'.join(map(str, sizes))}", numerical=False)


@mlp_backward_q.check(points=1, hidden=True)
def test_mlp_gradients_of_a_wide_network_with_many_examples(student, oracle, rng):
    sizes = [int(rng.integers(5, 10)), 32, 16, int(rng.integers(3, 8))]
    n = int(rng.integers(20, 60))
    X = rng.normal(size=(n, sizes[0]))
    check_mlp_backward(student, oracle, X, labels(rng, n, sizes[-1]), random_params(rng, sizes),
                       f"mlp_loss_and_gradients(X, y, params), layers "
                       f"{'-'.join(map(str, sizes))}, N = {n}", numerical=False)


@gradient_check_q.check(points=1, hidden=True)
def test_gradient_check_passes_correct_gradients_on_random_networks(student, oracle, rng):
    for _ in range(2):
        expect_correct_gradients_pass(run_gradient_check(student, oracle, rng, ""))


@train_q.check(points=1, hidden=True)
def test_training_matches_the_reference_run_on_random_problems(student, oracle, rng):
    n, d, k = int(rng.integers(20, 50)), int(rng.integers(2, 6)), int(rng.integers(2, 5))
    X, y = classification_problem(rng, n, d, k)
    batch_size = int(rng.integers(3, 10))
    while n % batch_size == 0:  # a smaller last batch
        batch_size += 1
    seed, epochs, lr = int(rng.integers(0, 2**31)), int(rng.integers(3, 7)), 0.3
    check_training(student, oracle, X, y, lr, epochs, batch_size, seed,
                   f"train_softmax_classifier(X, y, lr={lr}, epochs={epochs}, "
                   f"batch_size={batch_size}, seed={seed}), N = {n}")


@train_q.check(points=1, hidden=True)
def test_training_with_online_and_full_batches(student, oracle, rng):
    n, d, k = int(rng.integers(8, 14)), 2, 3
    X, y = classification_problem(rng, n, d, k)
    seed = int(rng.integers(0, 2**31))
    for batch_size in (1, n + 3):
        check_training(student, oracle, X, y, 0.2, 3, batch_size, seed,
                       f"train_softmax_classifier(X, y, lr=0.2, epochs=3, "
                       f"batch_size={batch_size}, seed={seed}), N = {n}")


@train_q.check(points=1, hidden=True)
def test_training_reduces_the_loss_and_fits_separable_data(student, oracle, rng):
    y = labels(rng, 40, 3)
    # Each class within distance 1 of its own corner of a triangle of side 5.2: separable with a
    # wide margin, so 10 epochs fit every example whatever their order (lr 0.1 keeps it stable).
    corners = rng.uniform(0.0, 2 * np.pi) + np.array([0.0, 2 * np.pi / 3, 4 * np.pi / 3])
    angles = rng.uniform(0.0, 2 * np.pi, size=40)
    X = (3.0 * unit_vectors(corners)[y]
         + rng.uniform(0.0, 1.0, size=(40, 1)) * unit_vectors(angles))
    seed = int(rng.integers(0, 2**31))
    result = run_training(student, oracle, X, y, 0.1, 10, 10, seed)
    W, b, losses = expect_tuple(result, "train_softmax_classifier(...)", ("W", "b", "losses"))
    losses = np.asarray(losses, dtype=np.float64)
    expect(losses.shape == (10,) and losses[-1] < losses[0] < np.log(3) + 1e-9,
           f"the training loss should fall from below log K = {np.log(3):.3f} (the loss of W = 0 "
           f"is exactly log K): got {np.array2string(losses[[0, -1]], precision=4)} for the "
           "first and last epochs.")
    accuracy = float(np.mean(np.argmax(X @ np.asarray(W) + np.asarray(b), axis=1) == y))
    W_ref, b_ref, _ = oracle.train_softmax_classifier(X, y, 0.1, 10, 10, seed)
    expected = float(np.mean(np.argmax(X @ W_ref + b_ref, axis=1) == y))
    expect(accuracy >= expected - 1e-9,
           f"training accuracy {accuracy:.3f}, expected {expected:.3f} for this seed.")
