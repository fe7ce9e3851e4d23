"""Training throughput: the reference layers against PyTorch CPU eager, and against their GEMMs.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \\
        .venv/bin/python benchmarks/bench_mlp.py [--rounds 3] [--threads 2] [--quick]

Two workloads, both ReLU MLPs trained in float32 on softmax cross-entropy by
SGD with momentum 0.9 (``reference.optim.Momentum`` against ``torch.optim.SGD``,
which give the same iterates):

    mlp    784-256-128-10, batches of 128, 60 000 synthetic "images" (one epoch a round)
    spiral 2-64-64-3, batches of 32, 3 000 spiral points (20 epochs a round)

Both frameworks start from the same weights (the reference's initialization
copied into torch) and see the same batches in the same order. After a
warm-up, their rounds alternate in one process, and each one's fastest round
counts (load from other processes can only slow a round down). The
mean training loss of the last round is printed for both as a check that they
computed the same thing. A third contestant runs only the matrix products of
the reference's training steps (forward X W, backward X^T dS and dS W^T,
the latter skipped for the first layer as the reference skips it) on arrays
of the same shapes: the rate those alone allow. A fourth adds to them only
the optimizer's update of the weights (``Momentum.step``): the rate no
implementation with a separate ``step()`` can beat, whatever its layers,
activations and loss cost. A fifth, ``flat``, is the whole training step
written flat with only the elementwise work no design can skip, each in its
cheapest numpy form: the most a numpy implementation of this net can reach.

BLAS and torch use the same number of threads (``--threads``, set through
threadpoolctl and ``torch.set_num_threads``); the libraries and the OpenBLAS
kernel are printed. OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE, set on some
machines, slow numpy down: unset them for this command alone, as above.
torch is needed here only (``pip install torch==2.13.0``, the CPU build).
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from threadpoolctl import threadpool_info, threadpool_limits

from reference import init
from reference.data import make_spirals
from reference.layers import Linear, ReLU, Sequential
from reference.losses import softmax_cross_entropy
from reference.optim import Momentum
from reference.parameter import Parameter

LR, MU = 0.01, 0.9
PAUSE = 0.25        # seconds of rest between two contestants' turns


@dataclass
class Workload:
    name: str
    sizes: list[int]
    batch_size: int
    X: np.ndarray           # float32, already in the order of the batches
    y: np.ndarray           # int64
    epochs_per_round: int

    @property
    def label(self) -> str:
        return f"{self.name} {'-'.join(map(str, self.sizes))} b{self.batch_size}"

    def batches(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """Contiguous slices (views, no copies); the last batch may be smaller."""
        b = self.batch_size
        return [(self.X[i:i + b], self.y[i:i + b]) for i in range(0, len(self.X), b)]


def synthetic_images(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """n vectors of 784 centred "pixels" in [-0.5, 0.5), labelled by a random linear teacher."""
    X = rng.random((n, 784), dtype=np.float32)
    X -= 0.5
    teacher = rng.standard_normal((784, 10)).astype(np.float32)
    return X, np.argmax(X @ teacher, axis=1).astype(np.int64)


def workloads(quick: bool, rng: np.random.Generator) -> list[Workload]:
    n_images, n_per_arm, spiral_epochs = (6_000, 200, 5) if quick else (60_000, 1_000, 20)
    X, y = synthetic_images(n_images, rng)
    Xs, ys = make_spirals(n_per_arm, n_classes=3, rng=rng)
    order = rng.permutation(len(Xs))
    return [Workload("mlp", [784, 256, 128, 10], 128, X, y, 1),
            Workload("spiral", [2, 64, 64, 3], 32,
                     np.ascontiguousarray(Xs[order], dtype=np.float32), ys[order], spiral_epochs)]


# -- the three contestants: each returns (seconds, mean loss) for one round -----------------


def reference_mlp(sizes: list[int], rng: np.random.Generator) -> Sequential:
    layers: list = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=True):
        layers += [Linear(fan_in, fan_out, rng, init=init.he_normal, dtype=np.float32), ReLU()]
    return Sequential(*layers[:-1])


def torch_copy(model: Sequential) -> torch.nn.Sequential:
    """The same network in torch, with the reference's weights (W^T: torch stores (out, in))."""
    layers: list[torch.nn.Module] = []
    for layer in model:
        if isinstance(layer, Linear):
            fan_in, fan_out = layer.W.shape
            linear = torch.nn.Linear(fan_in, fan_out, dtype=torch.float32)
            with torch.no_grad():
                linear.weight.copy_(torch.from_numpy(layer.W.value.T.copy()))
                linear.bias.copy_(torch.from_numpy(layer.b.value))
            layers.append(linear)
        else:
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


Run = Callable[[list], tuple[float, float]]
"""A contestant: trains on a list of batches, returns (seconds, sum of the batch losses)."""


def reference_run(model: Sequential) -> Run:
    optimizer = Momentum(model.parameters(), lr=LR, mu=MU)

    def run(batches: list) -> tuple[float, float]:
        total = 0.0
        start = time.perf_counter()
        for Xb, yb in batches:
            optimizer.zero_grad()         # gradients accumulate (reference.parameter)
            loss, dout = softmax_cross_entropy(model.forward(Xb), yb)
            model.backward(dout)
            optimizer.step()
            total += loss
        return time.perf_counter() - start, total
    return run


def torch_run(model: torch.nn.Sequential) -> Run:
    optimizer = torch.optim.SGD(model.parameters(), lr=LR, momentum=MU)

    def run(batches: list) -> tuple[float, float]:
        total = 0.0
        start = time.perf_counter()
        for Xb, yb in batches:
            optimizer.zero_grad(set_to_none=True)
            loss = torch.nn.functional.cross_entropy(model(Xb), yb)
            loss.backward()
            optimizer.step()
            total += loss.item()
        return time.perf_counter() - start, total
    return run


def gemm_run(model: Sequential, batch_size: int, with_step: bool = False) -> Run:
    """Only the matrix products of the reference's steps, on arrays of the same shapes.

    ``with_step`` adds the optimizer's update (``Momentum.step`` on parameters
    of the model's shapes, fed the products' dW): the least any implementation
    with a separate ``step()`` must do, whatever its layers cost.
    """
    Ws = [layer.W.value for layer in model if isinstance(layer, Linear)]
    rng = np.random.default_rng(0)
    acts = [rng.random((batch_size, W.shape[1]), dtype=np.float32) for W in Ws]  # H^l, dS^l
    params = [Parameter(np.zeros_like(W)) for W in Ws]   # updated by the step, never read
    optimizer = Momentum(params, lr=LR, mu=MU)

    def run(batches: list) -> tuple[float, float]:
        start = time.perf_counter()
        for Xb, _ in batches:
            n = len(Xb)
            inputs = [Xb, *(a[:n] for a in acts[:-1])]
            for H, W in zip(inputs, Ws, strict=True):
                H @ W                                            # forward
            for i, (H, W, dS, p) in enumerate(zip(inputs, Ws, acts, params, strict=True)):
                p.grad = H.T @ dS[:n]                            # dW
                if i:
                    dS[:n] @ W.T                                 # dX, not for the first layer
            if with_step:
                optimizer.step()
        return time.perf_counter() - start, float("nan")
    return run


def flat_run(model: Sequential) -> Run:
    """The whole training step with nothing but what numpy must do, written flat.

    The matrix products and ``Momentum.step`` (weights and biases) of
    :func:`gemm_run`, plus only the elementwise work no design can skip, each
    in its cheapest numpy form: the bias add in place on the product, ReLU in
    place, the loss and its gradient (``softmax_cross_entropy``), ReLU's backward
    as a masked multiply in place (the mask from the ReLU's output), and the bias
    gradients as one sum each. No layer objects, no caches, no dtype checks, no
    allocation that an ``out=`` avoids: the rate any numpy implementation of
    this net with a separate ``step()`` can at best reach.
    """
    Ws = [layer.W.value.copy() for layer in model if isinstance(layer, Linear)]
    bs = [layer.b.value.copy() for layer in model if isinstance(layer, Linear)]
    Wp, bp = [Parameter(W) for W in Ws], [Parameter(b) for b in bs]
    optimizer = Momentum([*Wp, *bp], lr=LR, mu=MU)

    def run(batches: list) -> tuple[float, float]:
        total = 0.0
        start = time.perf_counter()
        for Xb, yb in batches:
            hs = [Xb]
            for i, (W, b) in enumerate(zip(Ws, bs, strict=True)):
                S = hs[-1] @ W
                S += b
                if i < len(Ws) - 1:
                    np.maximum(S, 0, out=S)
                hs.append(S)
            loss, dS = softmax_cross_entropy(hs[-1], yb)
            for i in range(len(Ws) - 1, -1, -1):
                Wp[i].grad, bp[i].grad = hs[i].T @ dS, dS.sum(axis=0)
                if i:
                    dS = dS @ Ws[i].T
                    np.multiply(dS, hs[i] > 0, out=dS)
            optimizer.step()
            total += loss
        return time.perf_counter() - start, total
    return run


# -- the run ---------------------------------------------------------------------------------


def busy_seconds() -> tuple[float, float] | None:
    """(CPU seconds used by the whole machine, by this process) so far; None off Linux."""
    try:
        with open("/proc/stat") as stat:
            fields = [int(v) for v in stat.readline().split()[1:]]
    except OSError:
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    own = os.times()
    ticks = os.sysconf("SC_CLK_TCK")
    return (user + nice + system + irq + softirq + steal) / ticks, own.user + own.system


def describe_threads(threads: int) -> None:
    print(f"threads: {threads} (threadpoolctl limits for every BLAS/OpenMP library; "
          f"torch.set_num_threads -> {torch.get_num_threads()})")
    for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        print(f"  {name}={os.environ[name]!r}" if name in os.environ else f"  {name} unset")
    for lib in threadpool_info():
        arch = f", kernel {lib['architecture']}" if lib.get("architecture") else ""
        print(f"  {lib['internal_api']} {lib['version']} ({lib['user_api']}, "
              f"{lib['num_threads']} threads{arch}): {os.path.basename(lib['filepath'])}")
    print(f"  numpy {np.__version__}, torch {torch.__version__}")


def measure(workload: Workload, rounds: int, seed: int) -> dict[str, tuple[float, float]]:
    """The best round's samples/s and the last round's mean loss for each contestant.

    A round is ``epochs_per_round`` passes over the data by each contestant in
    turn, every one seeing the same batches in the same order. Between turns the
    process sleeps ``PAUSE`` seconds (untimed): BLAS and OpenMP worker threads
    spin for a while after their last call and would steal the cores of the
    next contestant. (Turns every few batches suffer badly from that.)
    """
    model = reference_mlp(workload.sizes, np.random.default_rng(seed))
    contestants = {"reference": reference_run(model), "torch": torch_run(torch_copy(model)),
                   "gemm": gemm_run(model, workload.batch_size),
                   "gemm+step": gemm_run(model, workload.batch_size, with_step=True),
                   "flat": flat_run(model)}
    batches = {name: workload.batches() for name in contestants}
    batches["torch"] = [(torch.from_numpy(Xb), torch.from_numpy(yb))
                        for Xb, yb in batches["torch"]]
    n_batches = len(batches["reference"])
    for name, run in contestants.items():       # warm-up: caches, allocator, lazy init
        run(batches[name][:max(1, n_batches // 10)])

    rates: dict[str, list[float]] = {name: [] for name in contestants}
    losses: dict[str, float] = {}
    for _ in range(rounds):
        for name, run in contestants.items():
            time.sleep(PAUSE)
            seconds, loss_sum = 0.0, 0.0
            for _ in range(workload.epochs_per_round):
                t, loss = run(batches[name])
                seconds += t
                loss_sum += loss
            rates[name].append(len(workload.X) * workload.epochs_per_round / seconds)
            losses[name] = loss_sum / (n_batches * workload.epochs_per_round)
    return {name: (max(r), losses[name]) for name, r in rates.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds per contestant")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1,
                        help="BLAS / torch threads (default: the number of cores)")
    parser.add_argument("--quick", action="store_true",
                        help="a tenth of the samples, fewer epochs: a smoke test")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    before, start = busy_seconds(), time.perf_counter()
    with threadpool_limits(limits=args.threads):
        describe_threads(args.threads)
        results = {w.label: measure(w, args.rounds, args.seed)
                   for w in workloads(args.quick, np.random.default_rng(args.seed))}
    after, wall = busy_seconds(), time.perf_counter() - start

    print(f"\nbest of {args.rounds} alternating rounds, samples/s "
          f"(targets, issue #10: reference/(GEMM+step) >= 0.90 on mlp; "
          f"reference/torch >= 3 on spiral)")
    header = (f"{'workload':<24}{'reference':>11}{'torch':>11}{'ref/torch':>11}"
              f"{'GEMM only':>12}{'ref/GEMM':>10}{'GEMM+step':>12}{'ref/floor':>11}"
              f"{'ceiling':>9}{'flat':>11}{'flat/floor':>12}{'ref/flat':>10}"
              f"   last-round loss ref / torch / flat")
    print(header)
    print("-" * len(header))
    for label, r in results.items():
        (ref, ref_loss), (tch, tch_loss) = r["reference"], r["torch"]
        gemm, floor, (flat, flat_loss) = r["gemm"][0], r["gemm+step"][0], r["flat"]
        print(f"{label:<24}{ref:>11,.0f}{tch:>11,.0f}{ref / tch:>10.2f}x"
              f"{gemm:>12,.0f}{ref / gemm:>9.0%}{floor:>12,.0f}{ref / floor:>10.0%}"
              f"{floor / gemm:>8.0%}{flat:>11,.0f}{flat / floor:>11.0%}{ref / flat:>9.0%}"
              f"    {ref_loss:.4f} / {tch_loss:.4f} / {flat_loss:.4f}")
    print("ref/floor: reference / (GEMM+step), the share of the floor that the reference reaches")
    print("ceiling: GEMM+step / GEMM, the most ref/GEMM can be for any implementation "
          "whose optimizer updates the weights in a step() of its own")
    print("flat: the whole step with only the elementwise work numpy cannot skip, no layers "
          "(flat/floor: the most ref/floor can be in numpy)")
    if before is not None and after is not None:
        others = (after[0] - before[0]) - (after[1] - before[1])
        print(f"\nother processes used {others / wall:.2f} of the {os.cpu_count()} cores "
              f"during the {wall:.0f} s run (more than a few hundredths make the figures noisy)")


if __name__ == "__main__":
    main()
