"""A mini-batch training loop with history, progress bar and early stopping (topics 21-25, 28).

One epoch is one pass over the training set in mini-batches (lecture 001:
the weights change after every small sample of training patterns). Each step is

    optimizer.zero_grad()                     gradients accumulate: start from zero
    out = model.forward(X_batch)              model in training mode
    loss, dout = loss_fn(out, y_batch)        loss averaged over the batch
    model.backward(dout)                      adds dL/dp to p.grad for every parameter
    optimizer.step()                          moves every p.value

After every epoch the model is evaluated, in evaluation mode (dropout off,
batch normalization on its running statistics), on the whole training set
and on the validation set if one is given. The history therefore reports the
training and validation loss of the *same* parameters, which is what the
overfitting curves of lecture 003 compare.

Accuracy is the share of correctly classified examples: for outputs with
more than one column (one score per class) the predicted class is the
argmax; for a single column (one logit) it is 1 where the output is > 0,
else 0. For regression outputs accuracy means nothing and can be ignored.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
from tqdm.auto import tqdm

from reference import as_float, num_examples
from reference.data import check_batch_size, minibatches
from reference.losses import mse
from reference.optim import sgd_step
from reference.parameter import Parameter
from reference.regularization import EarlyStopping

LossFn = Callable[[np.ndarray, np.ndarray], tuple[float, np.ndarray]]


class Model(Protocol):
    """What :func:`train` needs of a model (``reference.layers.Sequential`` has it)."""

    def forward(self, X: np.ndarray) -> np.ndarray: ...
    def backward(self, dout: np.ndarray) -> np.ndarray | None: ...
    def parameters(self) -> list[Parameter]: ...
    def train(self) -> object: ...
    def eval(self) -> object: ...


class Optimizer(Protocol):
    """What :func:`train` needs of an optimizer (every ``reference.optim`` class has it)."""

    lr: float

    def step(self) -> None: ...
    def zero_grad(self) -> None: ...


@dataclass
class History:
    """Per-epoch measurements, one entry per completed epoch in every list.

    Attributes:
        train_loss, train_acc: on the whole training set, after the epoch, in eval mode.
        val_loss, val_acc: the same on the validation set (empty without one).
        lr: the optimizer's learning rate during the epoch.
        best_epoch: with early stopping, the index (into these lists) of the
            epoch whose parameters were restored; None otherwise.
    """

    train_loss: list[float] = field(default_factory=list)
    train_acc: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_acc: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    best_epoch: int | None = None

    @property
    def epochs(self) -> int:
        """The number of completed epochs."""
        return len(self.train_loss)


def predict(model: Model, X: np.ndarray) -> np.ndarray:
    """Class labels ``(N,)`` for inputs ``X`` (N, D), the model in evaluation mode.

    Argmax of the scores for a multi-column output, ``out > 0`` for a single logit.
    """
    model.eval()
    return _labels(model.forward(X))


def _labels(out: np.ndarray) -> np.ndarray:
    if out.ndim == 2 and out.shape[1] > 1:
        return np.argmax(out, axis=1)
    return (out.reshape(len(out)) > 0).astype(np.int64)


def accuracy(out: np.ndarray, y: np.ndarray) -> float:
    """Share of the N examples whose predicted label (see :func:`predict`) equals ``y``;
    a ``ValueError`` for an empty batch (N = 0)."""
    num_examples(np.asarray(out))
    return float(np.mean(_labels(out) == np.asarray(y).reshape(len(out))))


def evaluate(model: Model, loss_fn: LossFn, X: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """``(loss, accuracy)`` of the model on ``(X, y)`` in one forward pass, in evaluation mode.

    The model is left in evaluation mode.
    """
    model.eval()
    out = model.forward(X)
    loss, _ = loss_fn(out, y)
    return float(loss), accuracy(out, y)


def minibatch_epoch(theta: np.ndarray, X: np.ndarray, y: np.ndarray, lr: float,
                    batch_size: int, order: np.ndarray) -> np.ndarray:
    """One epoch of mini-batch gradient descent on the linear model y_hat = X theta (lecture 001).

    The examples are visited in ``order`` (a permutation of 0..N-1), cut into
    consecutive mini-batches B of ``batch_size`` (the last may be smaller); each
    makes one step of :func:`reference.optim.sgd_step` on the batch's mean squared
    error L_B = 1/|B| sum_{i in B} (y_hat_i - y_i)^2.

    Returns:
        theta after the epoch, shape (D,) (``theta`` is not modified).
    """
    check_batch_size(batch_size)
    theta = as_float(theta).copy()
    for start in range(0, len(order), batch_size):
        batch = np.asarray(order[start:start + batch_size])
        _, dy_hat = mse(X[batch] @ theta, y[batch])
        theta = sgd_step(theta, X[batch].T @ dy_hat, lr)
    return theta


def train(model: Model, loss_fn: LossFn, optimizer: Optimizer,
          X_train: np.ndarray, y_train: np.ndarray, *,
          epochs: int, batch_size: int, rng: np.random.Generator,
          X_val: np.ndarray | None = None, y_val: np.ndarray | None = None,
          schedule: Callable[[int], float] | None = None,
          early_stopping: EarlyStopping | None = None,
          progress: bool = True,
          on_epoch: Callable[[int, History], None] | None = None) -> History:
    """Train ``model`` by mini-batch gradient descent and return its :class:`History`.

    Args:
        model: forward/backward/parameters/train/eval, e.g. a ``Sequential``.
        loss_fn: ``loss_fn(out, y) -> (loss, dL/dout)``, averaged over the batch.
        optimizer: holds ``model.parameters()``; ``step()`` applies one update.
        X_train, y_train: ``(N, D)`` inputs and their targets.
        epochs: the largest number of passes over the training set.
        batch_size: examples per step; the last batch of an epoch may be smaller.
        rng: shuffles the training set anew every epoch.
        X_val, y_val: validation data, evaluated after every epoch.
        schedule: ``schedule(epoch) -> lr`` (epoch counted from 0), assigned
            to ``optimizer.lr`` at the start of every epoch.
        early_stopping: observes the validation loss every ``period`` epochs
            (its ``period`` counts epochs here); when it says stop, training
            ends. Either way its best parameters (theta*) are restored at the
            end and ``History.best_epoch`` records when they were seen. Needs
            validation data.
        progress: show a tqdm bar over the epochs (on stderr). False shows nothing.
        on_epoch: ``on_epoch(epoch, history)`` is called after every epoch
            (epoch counted from 0), e.g. to print a line of a log.

    Returns:
        The history, one entry per completed epoch.
    """
    has_val = X_val is not None and y_val is not None
    if early_stopping is not None and not has_val:
        raise ValueError("early stopping needs validation data (X_val, y_val)")
    params = model.parameters()
    history = History()
    bar = tqdm(range(epochs), desc="epochs", unit="epoch", disable=not progress)
    for epoch in bar:
        if schedule is not None:
            optimizer.lr = schedule(epoch)
        model.train()
        for Xb, yb in minibatches(X_train, y_train, batch_size, rng):
            optimizer.zero_grad()
            out = model.forward(Xb)
            _, dout = loss_fn(out, yb)
            model.backward(dout)
            optimizer.step()

        history.lr.append(float(optimizer.lr))
        loss, acc = evaluate(model, loss_fn, X_train, y_train)
        history.train_loss.append(loss)
        history.train_acc.append(acc)
        postfix = {"loss": f"{loss:.4f}", "acc": f"{acc:.3f}"}
        if has_val:
            loss, acc = evaluate(model, loss_fn, X_val, y_val)
            history.val_loss.append(loss)
            history.val_acc.append(acc)
            postfix.update(val_loss=f"{loss:.4f}", val_acc=f"{acc:.3f}")
        bar.set_postfix(postfix, refresh=False)
        if on_epoch is not None:
            on_epoch(epoch, history)

        if early_stopping is not None and (epoch + 1) % early_stopping.period == 0:
            best_before = early_stopping.best_error
            stop = early_stopping.observe(history.val_loss[-1], params)
            if early_stopping.best_error < best_before:
                history.best_epoch = epoch
            if stop:
                break
    bar.close()

    if early_stopping is not None and early_stopping.best_values is not None:
        early_stopping.restore(params)
    return history
