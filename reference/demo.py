"""Train the reference MLP on the bundled handwritten digits and plot its learning curves.

    python -m reference.demo --out build/demo

A 64-128-64-10 ReLU network with He initialization, trained by Adam on
mini-batches of 32 with the multinomial cross-entropy, on scikit-learn's
8x8 digits (70 % train, 15 % validation, 15 % test; pixels scaled to [0, 1]).
It prints one line per epoch and the final accuracies, and writes
``OUT/training_curves.png``: loss and accuracy per epoch, training and validation.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from reference import init
from reference.data import load_digits
from reference.layers import Linear, ReLU, Sequential
from reference.losses import softmax_cross_entropy
from reference.optim import Adam
from reference.train import History, evaluate, train


def build_mlp(sizes: list[int], rng: np.random.Generator) -> Sequential:
    """Linear layers of the given widths with ReLU between them, He-initialized."""
    layers: list = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=True):
        layers += [Linear(fan_in, fan_out, rng, init=init.he_normal), ReLU()]
    return Sequential(*layers[:-1])   # no ReLU after the output layer: it gives logits


def plot_history(history: History, path: Path) -> None:
    """Save the loss and accuracy curves, training and validation, to ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    epochs = np.arange(1, history.epochs + 1)
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 4), constrained_layout=True)
    ax_loss.plot(epochs, history.train_loss, label="training")
    ax_loss.plot(epochs, history.val_loss, label="validation")
    ax_loss.set(xlabel="epoch", ylabel="cross-entropy loss", yscale="log", title="Loss")
    ax_acc.plot(epochs, history.train_acc, label="training")
    ax_acc.plot(epochs, history.val_acc, label="validation")
    ax_acc.set(xlabel="epoch", ylabel="accuracy", title="Accuracy")
    for ax in (ax_loss, ax_acc):
        ax.grid(alpha=0.3)
        ax.legend()
    fig.suptitle("Reference MLP 64-128-64-10 on the bundled 8x8 digits (Adam)")
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("build/demo"),
                        help="folder for training_curves.png (created if missing)")
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    start = time.perf_counter()
    rng = np.random.default_rng(args.seed)
    split = load_digits(rng)
    print(f"digits: {len(split.y_train)} train, {len(split.y_val)} validation, "
          f"{len(split.y_test)} test images of 8x8 pixels")
    model = build_mlp([64, 128, 64, 10], rng)
    optimizer = Adam(model.parameters(), lr=2e-3)

    def log(epoch: int, history: History) -> None:
        print(f"epoch {epoch + 1:3d}/{args.epochs}  "
              f"train loss {history.train_loss[-1]:.4f} acc {history.train_acc[-1]:.4f}  "
              f"val loss {history.val_loss[-1]:.4f} acc {history.val_acc[-1]:.4f}", flush=True)

    history = train(model, softmax_cross_entropy, optimizer, split.X_train, split.y_train,
                    epochs=args.epochs, batch_size=32, rng=rng,
                    X_val=split.X_val, y_val=split.y_val, progress=False, on_epoch=log)

    accuracies = {name: evaluate(model, softmax_cross_entropy, X, y)[1]
                  for name, X, y in [("train", split.X_train, split.y_train),
                                     ("validation", split.X_val, split.y_val),
                                     ("test", split.X_test, split.y_test)]}
    print("final accuracy: " + ", ".join(f"{k} {v:.4f}" for k, v in accuracies.items()))

    args.out.mkdir(parents=True, exist_ok=True)
    plot_path = args.out / "training_curves.png"
    plot_history(history, plot_path)
    print(f"wrote {plot_path} ({time.perf_counter() - start:.1f} s)")


if __name__ == "__main__":
    main()
