"""What the lecture's plain formulas cost: the reference's sigmoid and tanh against out= buffers.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \\
        .venv/bin/python benchmarks/bench_activations.py [--rounds 5] [--threads 2]

``reference.activations`` writes ``sigmoid``, ``sigmoid_backward`` and
``tanh_backward`` as the lecture writes them (``1 / (1 + exp(-s))``, one
temporary array per operation). Here they race, side by side in one process,
against the same formulas computed in preallocated buffers (``out=``), the form
the reference had before (issue #17). Two measures, each the best of
``--rounds`` alternating rounds:

    elementwise   each function alone on a (128, 256) float32 batch
    training      a 784-256-128-10 network of Sigmoid (or Tanh) hidden layers,
                  float32, batches of 128, softmax cross-entropy, Momentum: three
                  epochs of 6 000 synthetic images, the reference's layers with
                  either form of the activation

It prints the plain form's rate over the buffered form's (1.00 = no cost).
No torch needed.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable

import numpy as np
from threadpoolctl import threadpool_limits

from reference import activations, init
from reference.layers import Linear, Sequential, Sigmoid, Tanh
from reference.losses import softmax_cross_entropy
from reference.optim import Momentum

PAUSE = 0.1         # seconds of rest between two contestants' turns
EPOCHS = 3          # of the training measure, per round


# -- the buffered forms: the same formulas, each step in place in one buffer ------------------


def buffered_sigmoid(s: np.ndarray) -> np.ndarray:
    y_hat = np.negative(s, out=np.empty_like(s))
    with np.errstate(over="ignore"):
        np.exp(y_hat, out=y_hat)
        y_hat += 1.0
    return np.reciprocal(y_hat, out=y_hat)


def buffered_sigmoid_backward(dout: np.ndarray, s: np.ndarray) -> np.ndarray:
    e = np.abs(s, out=np.empty_like(s))
    np.negative(e, out=e)
    np.exp(e, out=e)
    local = np.add(e, 1.0, out=np.empty_like(e))
    local *= local
    np.divide(e, local, out=local)
    return dout * local


def buffered_tanh_backward(dout: np.ndarray, s: np.ndarray) -> np.ndarray:
    local = np.tanh(s, out=np.empty_like(s))
    local *= local
    np.subtract(1.0, local, out=local)
    return dout * local


class BufferedSigmoid(Sigmoid):
    _f = staticmethod(buffered_sigmoid)
    _f_backward = staticmethod(buffered_sigmoid_backward)


class BufferedTanh(Tanh):
    _f_backward = staticmethod(buffered_tanh_backward)


# -- the races ----------------------------------------------------------------------------------


def best_rates(contestants: dict[str, Callable[[], int]], rounds: int) -> dict[str, float]:
    """Each contestant's best rate (items per second) over alternating rounds, after a warm-up."""
    for run in contestants.values():
        run()
    rates: dict[str, list[float]] = {name: [] for name in contestants}
    for _ in range(rounds):
        for name, run in contestants.items():
            time.sleep(PAUSE)
            start = time.perf_counter()
            items = run()
            rates[name].append(items / (time.perf_counter() - start))
    return {name: max(r) for name, r in rates.items()}


def elementwise(rng: np.random.Generator, repeats: int = 400) -> dict[str, dict[str, Callable]]:
    s = rng.standard_normal((128, 256)).astype(np.float32)
    dout = rng.standard_normal((128, 256)).astype(np.float32)

    def times(f: Callable[[], object]) -> Callable[[], int]:
        def run() -> int:
            for _ in range(repeats):
                f()
            return repeats * s.size
        return run

    return {
        "sigmoid": {"plain": times(lambda: activations.sigmoid(s)),
                    "buffered": times(lambda: buffered_sigmoid(s))},
        "sigmoid_backward": {"plain": times(lambda: activations.sigmoid_backward(dout, s)),
                             "buffered": times(lambda: buffered_sigmoid_backward(dout, s))},
        "tanh_backward": {"plain": times(lambda: activations.tanh_backward(dout, s)),
                          "buffered": times(lambda: buffered_tanh_backward(dout, s))},
    }


def training(activation: type, seed: int, X: np.ndarray, y: np.ndarray) -> Callable[[], int]:
    """``EPOCHS`` epochs of the 784-256-128-10 network with ``activation`` between its layers."""
    rng = np.random.default_rng(seed)
    model = Sequential(Linear(784, 256, rng, init=init.xavier_normal, dtype=np.float32),
                       activation(),
                       Linear(256, 128, rng, init=init.xavier_normal, dtype=np.float32),
                       activation(),
                       Linear(128, 10, rng, init=init.xavier_normal, dtype=np.float32))
    optimizer = Momentum(model.parameters(), lr=0.01, mu=0.9)
    batches = [(X[i:i + 128], y[i:i + 128]) for i in range(0, len(X), 128)]

    def run() -> int:
        for _ in range(EPOCHS):
            for Xb, yb in batches:
                optimizer.zero_grad()
                _, dout = softmax_cross_entropy(model.forward(Xb), yb)
                model.backward(dout)
                optimizer.step()
        return EPOCHS * len(X)
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds per contestant")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1,
                        help="BLAS threads (default: the number of cores)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    rng = np.random.default_rng(args.seed)
    X = (rng.random((6_000, 784), dtype=np.float32) - 0.5).astype(np.float32)
    y = rng.integers(0, 10, size=6_000)
    races = elementwise(rng)
    races["training, Sigmoid"] = {"plain": training(Sigmoid, args.seed, X, y),
                                  "buffered": training(BufferedSigmoid, args.seed, X, y)}
    races["training, Tanh"] = {"plain": training(Tanh, args.seed, X, y),
                               "buffered": training(BufferedTanh, args.seed, X, y)}
    with threadpool_limits(limits=args.threads):
        results = {name: best_rates(race, args.rounds) for name, race in races.items()}

    print(f"best of {args.rounds} alternating rounds, {args.threads} BLAS threads, "
          f"numpy {np.__version__}")
    header = f"{'measure':<20}{'plain /s':>16}{'buffered /s':>16}{'plain/buffered':>16}"
    print(header)
    print("-" * len(header))
    for name, r in results.items():
        unit = "samples" if name.startswith("training") else "entries"
        print(f"{name:<20}{r['plain']:>16,.0f}{r['buffered']:>16,.0f}"
              f"{r['plain'] / r['buffered']:>15.2f}x   ({unit})")


if __name__ == "__main__":
    main()
