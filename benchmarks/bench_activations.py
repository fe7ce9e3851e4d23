"""What the lecture's plain formulas cost: the reference's sigmoid and tanh against out= buffers.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \\
        .venv/bin/python benchmarks/bench_activations.py [--turns 3000] [--threads 1]

``reference.activations`` writes ``sigmoid``, ``sigmoid_backward`` and
``tanh_backward`` as the lecture writes them (``1 / (1 + exp(-s))``, one
temporary array per operation). Here they race, side by side in one process,
against the same formulas computed in preallocated buffers (``out=``), the form
the reference had before (issue #17). Two measures:

    elementwise   each function alone on a (128, 256) float32 batch
    training      one training step of a 784-256-128-10 network of Sigmoid (or
                  Tanh) hidden layers, float32, batches of 128 of 6 000 synthetic
                  images, softmax cross-entropy, Momentum: the reference's layers
                  with either form of the activation

The two forms take turns call by call (step by step), so that the load of
other processes falls on both alike, and each one's median time counts. It
prints the plain form's time over the buffered form's (1.00 = no cost, 1.10 =
10 % slower). No torch needed.
"""

from __future__ import annotations

import argparse
import itertools
import time
from collections.abc import Callable

import numpy as np
from threadpoolctl import threadpool_limits

from reference import activations, init
from reference.layers import Linear, Sequential, Sigmoid, Tanh
from reference.losses import softmax_cross_entropy
from reference.optim import Momentum

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
#
# The two forms take turns call by call (and batch by batch in training), so that whatever
# else runs on the machine slows both alike; each one's median time per call counts.


def race(plain: Callable[[], object], buffered: Callable[[], object], turns: int
         ) -> tuple[float, float]:
    """The median seconds of one call of each, over ``turns`` alternating calls."""
    plain(), buffered()                                  # warm-up
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(turns):
        for f, spent in zip((plain, buffered), times, strict=True):
            start = time.perf_counter()
            f()
            spent.append(time.perf_counter() - start)
    return float(np.median(times[0])), float(np.median(times[1]))


def elementwise(rng: np.random.Generator) -> dict[str, tuple[Callable, Callable]]:
    s = rng.standard_normal((128, 256)).astype(np.float32)
    dout = rng.standard_normal((128, 256)).astype(np.float32)
    return {
        "sigmoid": (lambda: activations.sigmoid(s), lambda: buffered_sigmoid(s)),
        "sigmoid_backward": (lambda: activations.sigmoid_backward(dout, s),
                             lambda: buffered_sigmoid_backward(dout, s)),
        "tanh_backward": (lambda: activations.tanh_backward(dout, s),
                          lambda: buffered_tanh_backward(dout, s)),
    }


def training_step(activation: type, seed: int, X: np.ndarray, y: np.ndarray
                  ) -> Callable[[], object]:
    """One training step per call, through the batches of X in turn: the 784-256-128-10
    network with ``activation`` between its layers (the same weights for either form)."""
    rng = np.random.default_rng(seed)
    model = Sequential(Linear(784, 256, rng, init=init.xavier_normal, dtype=np.float32),
                       activation(),
                       Linear(256, 128, rng, init=init.xavier_normal, dtype=np.float32),
                       activation(),
                       Linear(128, 10, rng, init=init.xavier_normal, dtype=np.float32))
    optimizer = Momentum(model.parameters(), lr=0.01, mu=0.9)
    batches = itertools.cycle([(X[i:i + 128], y[i:i + 128]) for i in range(0, len(X), 128)])

    def step() -> None:
        Xb, yb = next(batches)
        optimizer.zero_grad()
        _, dout = softmax_cross_entropy(model.forward(Xb), yb)
        model.backward(dout)
        optimizer.step()
    return step


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--turns", type=int, default=3000,
                        help="alternating calls of each form (a tenth of them in training)")
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads (default 1)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    rng = np.random.default_rng(args.seed)
    X = rng.random((6_000, 784), dtype=np.float32) - 0.5
    y = rng.integers(0, 10, size=6_000)
    with threadpool_limits(limits=args.threads):
        results = {name: race(*pair, args.turns) for name, pair in elementwise(rng).items()}
        for name, activation, buffered in [("Sigmoid", Sigmoid, BufferedSigmoid),
                                           ("Tanh", Tanh, BufferedTanh)]:
            results[f"training, {name}"] = race(training_step(activation, args.seed, X, y),
                                                training_step(buffered, args.seed, X, y),
                                                args.turns // 10)

    print(f"median of {args.turns} alternating calls ({args.turns // 10} training steps), "
          f"{args.threads} BLAS threads, numpy {np.__version__}")
    header = f"{'measure':<20}{'plain':>12}{'buffered':>12}{'plain/buffered time':>22}"
    print(header)
    print("-" * len(header))
    for name, (plain, buffered) in results.items():
        print(f"{name:<20}{plain * 1e6:>10.1f}us{buffered * 1e6:>10.1f}us"
              f"{plain / buffered:>21.2f}x")


if __name__ == "__main__":
    main()
