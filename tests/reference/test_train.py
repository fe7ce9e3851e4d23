"""The training loop: it trains, records one history entry per epoch, schedules, stops early."""

import numpy as np
import pytest

from reference import init
from reference.data import load_digits, make_spirals
from reference.layers import Dropout, Linear, ReLU, Sequential, Tanh
from reference.losses import softmax_cross_entropy
from reference.optim import SGD, Adam
from reference.regularization import EarlyStopping
from reference.train import accuracy, evaluate, train


def mlp(sizes, rng, weight_init=init.he_normal, activation=ReLU):
    """Linear layers of the given widths with ``activation`` between them (none after the last)."""
    layers = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=True):
        layers += [Linear(fan_in, fan_out, rng, init=weight_init), activation()]
    return Sequential(*layers[:-1])


@pytest.fixture
def rng():
    return np.random.default_rng(20261123)


@pytest.fixture
def spirals(rng):
    return make_spirals(100, n_classes=3, noise=0.2, rng=rng)


class Recorder:
    """Wraps a model and logs the mode of every forward pass and the size of its batch."""

    def __init__(self, model):
        self.model, self.mode, self.forwards = model, None, []

    def train(self):
        self.mode = "train"
        self.model.train()

    def eval(self):
        self.mode = "eval"
        self.model.eval()

    def forward(self, X):
        self.forwards.append((self.mode, len(X)))
        return self.model.forward(X)

    def backward(self, dout):
        return self.model.backward(dout)

    def parameters(self):
        return self.model.parameters()


# -- training reaches the accuracy a working loop must reach ----------------------------


@pytest.mark.slow
def test_mlp_fits_the_spirals_to_97_percent_training_accuracy(spirals, rng):
    X, y = spirals
    model = mlp([2, 64, 64, 3], rng)
    history = train(model, softmax_cross_entropy, Adam(model.parameters(), lr=0.01), X, y,
                    epochs=200, batch_size=32, rng=rng, progress=False)
    assert history.train_acc[-1] >= 0.97


@pytest.mark.slow
def test_mlp_reaches_95_percent_test_accuracy_on_the_digits(rng):
    split = load_digits(rng)
    model = mlp([64, 128, 64, 10], rng)
    train(model, softmax_cross_entropy, Adam(model.parameters(), lr=3e-3),
          split.X_train, split.y_train, epochs=30, batch_size=32, rng=rng, progress=False)
    _, test_acc = evaluate(model, softmax_cross_entropy, split.X_test, split.y_test)
    assert test_acc >= 0.95


# -- symmetric initialization (lecture 002: the proof that zeros trap an MLP) -------------


def hidden_activations_after_100_steps(weight_init, X, y, rng):
    first, hidden_activation = Linear(2, 8, rng, init=weight_init), Tanh()
    model = Sequential(first, hidden_activation, Linear(8, 3, rng, init=weight_init))
    train(model, softmax_cross_entropy, SGD(model.parameters(), lr=0.5), X, y,
          epochs=100, batch_size=len(X), rng=rng, progress=False)
    model.eval()
    return hidden_activation.forward(first.forward(X))


@pytest.mark.slow
@pytest.mark.parametrize("weight_init", [init.zeros, init.constant], ids=["zeros", "constant"])
def test_symmetric_initialization_leaves_all_hidden_units_identical(weight_init, spirals, rng):
    H = hidden_activations_after_100_steps(weight_init, *spirals, rng)
    np.testing.assert_allclose(H, np.repeat(H[:, :1], H.shape[1], axis=1), rtol=1e-12, atol=0)


@pytest.mark.slow
def test_he_initialization_gives_hidden_units_that_differ(spirals, rng):
    H = hidden_activations_after_100_steps(init.he_normal, *spirals, rng)
    assert np.min(np.std(H - H[:, :1], axis=0)[1:]) > 1e-2


# -- early stopping -----------------------------------------------------------------


@pytest.fixture
def noisy_labels_run(rng):
    """A wide MLP memorizing random labels: the validation loss soon rises for good."""
    X_train, X_val = rng.standard_normal((30, 2)), rng.standard_normal((60, 2))
    y_train, y_val = rng.integers(0, 3, size=30), rng.integers(0, 3, size=60)
    model = mlp([2, 128, 128, 3], rng)
    stopper = EarlyStopping(period=1, patience=5)
    history = train(model, softmax_cross_entropy, Adam(model.parameters(), lr=0.01),
                    X_train, y_train, epochs=300, batch_size=10, rng=rng,
                    X_val=X_val, y_val=y_val, early_stopping=stopper, progress=False)
    return model, history, stopper, X_val, y_val


@pytest.mark.slow
def test_early_stopping_stops_patience_epochs_after_the_best(noisy_labels_run):
    _, history, stopper, _, _ = noisy_labels_run
    assert history.epochs < 300
    assert history.epochs == history.best_epoch + 1 + stopper.patience


@pytest.mark.slow
def test_early_stopping_restores_the_best_parameters(noisy_labels_run):
    model, history, _, X_val, y_val = noisy_labels_run
    best = min(history.val_loss)
    assert history.val_loss[history.best_epoch] == best
    assert history.val_loss[-1] > best                     # the last parameters were worse
    assert evaluate(model, softmax_cross_entropy, X_val, y_val)[0] == pytest.approx(best)


def test_early_stopping_without_validation_data_is_refused(spirals, rng):
    model = mlp([2, 8, 3], rng)
    with pytest.raises(ValueError, match="validation"):
        train(model, softmax_cross_entropy, SGD(model.parameters(), lr=0.1), *spirals,
              epochs=1, batch_size=32, rng=rng, early_stopping=EarlyStopping(1, 1),
              progress=False)


# -- what the loop records and does each epoch ----------------------------------------------


def test_history_has_one_entry_per_epoch(spirals, rng):
    X, y = spirals
    model = mlp([2, 8, 3], rng)
    history = train(model, softmax_cross_entropy, SGD(model.parameters(), lr=0.1), X, y,
                    epochs=4, batch_size=64, rng=rng, X_val=X, y_val=y, progress=False)
    lengths = {len(h) for h in (history.train_loss, history.train_acc, history.val_loss,
                                history.val_acc, history.lr)}
    assert lengths == {4}


def test_schedule_sets_the_learning_rate_of_every_epoch(spirals, rng):
    model = mlp([2, 8, 3], rng)
    optimizer = SGD(model.parameters(), lr=1.0)
    history = train(model, softmax_cross_entropy, optimizer, *spirals, epochs=3, batch_size=64,
                    rng=rng, schedule=lambda epoch: 0.1 / (1 + epoch), progress=False)
    assert history.lr == pytest.approx([0.1, 0.05, 0.1 / 3])


def test_steps_run_in_training_mode_and_evaluations_in_eval_mode(spirals, rng):
    X, y = spirals   # 300 examples: batches of 128, 128, 44, then two evaluations
    model = Recorder(mlp([2, 8, 3], rng))
    train(model, softmax_cross_entropy, SGD(model.parameters(), lr=0.1), X, y,
          epochs=1, batch_size=128, rng=rng, X_val=X[:50], y_val=y[:50], progress=False)
    assert model.forwards == [("train", 128), ("train", 128), ("train", 44),
                              ("eval", 300), ("eval", 50)]


def test_evaluation_switches_dropout_off(spirals, rng):
    X, y = spirals
    model = Sequential(Linear(2, 64, rng), ReLU(), Dropout(0.5, rng), Linear(64, 3, rng))
    model.train()
    first = evaluate(model, softmax_cross_entropy, X, y)
    assert evaluate(model, softmax_cross_entropy, X, y) == first


def test_progress_false_prints_nothing(spirals, rng, capsys):
    model = mlp([2, 8, 3], rng)
    train(model, softmax_cross_entropy, SGD(model.parameters(), lr=0.1), *spirals,
          epochs=2, batch_size=64, rng=rng, progress=False)
    assert capsys.readouterr() == ("", "")


def test_progress_true_draws_a_bar_on_stderr(spirals, rng, capsys):
    model = mlp([2, 8, 3], rng)
    train(model, softmax_cross_entropy, SGD(model.parameters(), lr=0.1), *spirals,
          epochs=2, batch_size=64, rng=rng)
    assert "2/2" in capsys.readouterr().err


def test_accuracy_of_an_empty_batch_is_a_value_error():
    with pytest.raises(ValueError, match="empty batch"):
        accuracy(np.zeros((0, 3)), np.zeros(0, int))
