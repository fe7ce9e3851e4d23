"""Data: normalization, toy data sets, the bundled digits, mini-batches and IDX files.

Normalization (lecture 002, topic 6). Features on very different scales make
the gradient of the largest one dominate every update; rescaling every
feature to a common range lets all weights move in equal proportion. The
statistics are always computed on the *training* data (``fit``) and the same
transformation is applied to validation and test data (``transform``), which
therefore need not land exactly on mean 0 / std 1 or inside [0, 1].

Toy data sets (for decision boundaries a linear model cannot draw) return
``(X, y)``: ``X`` float64 of shape ``(N, 2)`` and integer labels ``y`` int64
of shape ``(N,)``, classes as balanced as ``N`` allows, rows shuffled.

Every random function takes a ``numpy.random.Generator`` ``rng``.
"""

from __future__ import annotations

import gzip
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import numpy as np

from reference import as_float, num_examples

# -- normalization ------------------------------------------------------------------


class Standardizer:
    """Standard normalization z^j = (x^j - mu^j) / sigma^j, per feature j (lecture 002).

    ``fit`` computes, over the n training rows,

        mu^j    = (1/n) sum_i x_i^j
        sigma^j = sqrt((1/n) sum_i (x_i^j - mu^j)^2)      (population std, as the lecture)

    A feature with sigma^j = 0 (constant on the training data) is divided by 1
    instead, so it maps to 0 rather than to nan.

    Attributes:
        mean_, std_: mu and sigma, shape ``(D,)``, after ``fit``; ``std_`` holds
            the guarded divisor (1 where sigma = 0).
    """

    def __init__(self) -> None:
        self.mean_: np.ndarray | None = None
        self.std_: np.ndarray | None = None

    def fit(self, X: np.ndarray) -> Standardizer:
        """Compute mu and sigma from the training inputs ``X`` (N, D); return self."""
        X = as_float(X)
        num_examples(X)
        self.mean_ = X.mean(axis=0)
        std = X.std(axis=0)
        self.std_ = np.where(std > 0, std, 1).astype(X.dtype)
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        """Apply the training statistics to ``X`` (N, D); returns a new array."""
        if self.mean_ is None or self.std_ is None:
            raise RuntimeError("call fit(X_train) before transform")
        X = as_float(X)
        return ((X - self.mean_) / self.std_).astype(X.dtype, copy=False)

    def fit_transform(self, X: np.ndarray) -> np.ndarray:
        """``fit(X)`` then ``transform(X)``."""
        return self.fit(X).transform(X)


class MinMaxScaler:
    """Min-max normalization z^j = (x^j - min_i x_i^j) / (max_i x_i^j - min_i x_i^j) (lecture 002).

    Maps every training feature onto [0, 1]. A constant feature (max = min)
    is divided by 1 instead and maps to 0.

    Attributes:
        min_, range_: the training minimum and the guarded max - min, shape ``(D,)``.
    """

    def __init__(self) -> None:
        self.min_: np.ndarray | None = None
        self.range_: np.ndarray | None = None

    def fit(self, X: np.ndarray) -> MinMaxScaler:
        """Compute the per-feature minimum and range of the training inputs ``X`` (N, D)."""
        X = as_float(X)
        num_examples(X)
        self.min_ = X.min(axis=0)
        spread = X.max(axis=0) - self.min_
        self.range_ = np.where(spread > 0, spread, 1).astype(X.dtype)
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        """Apply the training minimum and range to ``X`` (N, D); returns a new array."""
        if self.min_ is None or self.range_ is None:
            raise RuntimeError("call fit(X_train) before transform")
        X = as_float(X)
        return ((X - self.min_) / self.range_).astype(X.dtype, copy=False)

    def fit_transform(self, X: np.ndarray) -> np.ndarray:
        """``fit(X)`` then ``transform(X)``."""
        return self.fit(X).transform(X)


def standardize(X_train: np.ndarray, X_test: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:class:`Standardizer` fitted on ``X_train`` and applied to both sets, as plain data.

    Returns ``(Z_train, Z_test)``, each the shape of its input. Neither input is modified.
    """
    scaler = Standardizer().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test)


def min_max_scale(X_train: np.ndarray, X_test: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:class:`MinMaxScaler` fitted on ``X_train`` and applied to both sets, as plain data.

    Returns ``(Z_train, Z_test)``; ``Z_test`` may leave [0, 1]. Neither input is modified.
    """
    scaler = MinMaxScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test)


# -- toy data sets ------------------------------------------------------------------


def _class_sizes(n: int, n_classes: int) -> list[int]:
    """Split n into n_classes sizes that differ by at most one."""
    if n < n_classes:
        raise ValueError(f"need at least {n_classes} examples, got {n}")
    return [n // n_classes + (1 if c < n % n_classes else 0) for c in range(n_classes)]


def _shuffled(X: np.ndarray, y: np.ndarray,
              rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    order = rng.permutation(len(y))
    return X[order].astype(np.float64), y[order].astype(np.int64)


def make_spirals(n_per_class: int, n_classes: int = 3, noise: float = 0.2, *,
                 rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved spiral arms, one per class (the CS231n spiral data).

    Arm c has radii r evenly spaced in [0, 1] and angles
    t = 4c + 4r + noise * N(0, 1), and points (r sin t, r cos t).

    Returns:
        ``X`` (n_per_class * n_classes, 2) float64 and ``y`` int64 in {0, ..., n_classes - 1}.
    """
    r = np.linspace(0.0, 1.0, n_per_class)
    X, y = [], []
    for c in range(n_classes):
        t = np.linspace(4.0 * c, 4.0 * (c + 1), n_per_class) + noise * rng.standard_normal(
            n_per_class)
        X.append(np.column_stack([r * np.sin(t), r * np.cos(t)]))
        y.append(np.full(n_per_class, c))
    return _shuffled(np.concatenate(X), np.concatenate(y), rng)


def make_moons(n: int, noise: float = 0.1, *,
               rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles (as scikit-learn's ``make_moons``), plus N(0, noise^2).

    Class 0: (cos t, sin t); class 1: (1 - cos t, 1/2 - sin t), t in [0, pi].
    """
    n0, n1 = _class_sizes(n, 2)
    t0, t1 = np.linspace(0.0, np.pi, n0), np.linspace(0.0, np.pi, n1)
    X = np.concatenate([np.column_stack([np.cos(t0), np.sin(t0)]),
                        np.column_stack([1.0 - np.cos(t1), 0.5 - np.sin(t1)])])
    X = X + noise * rng.standard_normal(X.shape)
    return _shuffled(X, np.repeat([0, 1], [n0, n1]), rng)


def make_circles(n: int, noise: float = 0.05, factor: float = 0.5, *,
                 rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """A circle of radius 1 (class 0) around one of radius ``factor`` (class 1).

    Points are evenly spaced on each circle, plus N(0, noise^2) per coordinate.
    """
    if not 0 < factor < 1:
        raise ValueError(f"factor must be in (0, 1), got {factor}")
    n0, n1 = _class_sizes(n, 2)
    t0 = np.linspace(0.0, 2 * np.pi, n0, endpoint=False)
    t1 = np.linspace(0.0, 2 * np.pi, n1, endpoint=False)
    X = np.concatenate([np.column_stack([np.cos(t0), np.sin(t0)]),
                        factor * np.column_stack([np.cos(t1), np.sin(t1)])])
    X = X + noise * rng.standard_normal(X.shape)
    return _shuffled(X, np.repeat([0, 1], [n0, n1]), rng)


def make_xor(n: int, noise: float = 0.3, *,
             rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """XOR: four Gaussian blobs around (+-1, +-1); label 1 where the signs differ.

    Example i sits at corner i mod 4 plus N(0, noise^2) per coordinate, so the
    two classes differ in size by at most one. The label is the XOR of
    (x_1 > 0) and (x_2 > 0) at the corner.
    """
    corners = np.array([[-1.0, -1.0], [1.0, 1.0], [-1.0, 1.0], [1.0, -1.0]])
    labels = np.array([0, 0, 1, 1])
    which = np.arange(n) % 4
    X = corners[which] + noise * rng.standard_normal((n, 2))
    return _shuffled(X, labels[which], rng)


# -- the bundled handwritten digits ----------------------------------------------------


class Split(NamedTuple):
    """A data set split into training, validation and test parts."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray


def load_digits(rng: np.random.Generator | int, val_fraction: float = 0.15,
                test_fraction: float = 0.15) -> Split:
    """scikit-learn's bundled 8x8 handwritten digits, split into train / validation / test.

    1797 images of the digits 0-9 (UCI ML hand-written digits, test part),
    read from a file inside the scikit-learn package: no network. Each image
    is a row of 64 pixels with integer values 0..16, divided here by 16, so
    ``X`` is float64 in [0, 1] of shape (N, 64); ``y`` is int64 in {0, ..., 9}.

    The split is stratified: within every class the examples are shuffled
    with ``rng`` and round(n_c * fraction) of them go to validation and to
    test, the rest to training; each part is then shuffled. The three parts
    are disjoint and together hold every image exactly once.

    Args:
        rng: a Generator, or an int seed for one.
        val_fraction, test_fraction: the shares of each class held out.
    """
    from sklearn.datasets import load_digits as sklearn_digits

    if val_fraction < 0 or test_fraction < 0 or val_fraction + test_fraction >= 1:
        raise ValueError("need val_fraction, test_fraction >= 0 with a sum below 1")
    rng = np.random.default_rng(rng)
    digits = sklearn_digits()
    X = digits.data.astype(np.float64) / 16.0
    y = digits.target.astype(np.int64)
    parts: tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]] = ([], [], [])
    for c in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == c))
        n_val, n_test = round(len(idx) * val_fraction), round(len(idx) * test_fraction)
        parts[0].append(idx[n_val + n_test:])
        parts[1].append(idx[:n_val])
        parts[2].append(idx[n_val:n_val + n_test])
    train, val, test = (rng.permutation(np.concatenate(p)) for p in parts)
    return Split(X[train], y[train], X[val], y[val], X[test], y[test])


# -- mini-batches --------------------------------------------------------------------


def check_batch_size(batch_size: int) -> None:
    """A ``ValueError`` unless ``batch_size >= 1``: a mini-batch holds at least one example."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1 (a mini-batch holds at least one example), "
                         f"got {batch_size}")


def minibatches(X: np.ndarray, y: np.ndarray, batch_size: int,
                rng: np.random.Generator | None = None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield ``(X_batch, y_batch)`` pairs that cover every example exactly once (one epoch).

    Batches hold ``batch_size`` rows; the last one holds the remainder (it is
    kept, not dropped). With ``rng`` the order is a fresh random permutation
    (mini-batch SGD, lecture 001); without it the rows come in their order.
    ``batch_size = 1`` is online learning, ``batch_size >= N`` full-batch learning.
    """
    check_batch_size(batch_size)
    n = len(X)
    if len(y) != n:
        raise ValueError(f"X and y differ in length: {n} vs {len(y)}")
    order = rng.permutation(n) if rng is not None else np.arange(n)
    for start in range(0, n, batch_size):
        idx = order[start:start + batch_size]
        yield X[idx], y[idx]


# -- IDX files (the MNIST format) ---------------------------------------------------------

_IDX_DTYPES = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


def load_idx(path: str | Path) -> np.ndarray:
    """Read an IDX file (the format of the MNIST files) into an array.

    Layout: a 4-byte magic number ``0x00 0x00 <type> <ndim>``, then ``ndim``
    big-endian uint32 dimension sizes, then the values in C order, big-endian.
    Types: 0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32,
    0x0E float64. A path ending in ``.gz`` is decompressed with gzip.

    Returns:
        An array of shape ``dims`` in the native byte order.
    """
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as f:
        raw = f.read()
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise ValueError(f"{path}: not an IDX file (bad magic number)")
    code, ndim = raw[2], raw[3]
    if code not in _IDX_DTYPES:
        raise ValueError(f"{path}: unknown IDX type code 0x{code:02X}")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"{path}: truncated IDX header")
    dims = struct.unpack(f">{ndim}I", raw[4:header])
    dtype = _IDX_DTYPES[code]
    count = int(np.prod(dims, dtype=np.int64))
    if len(raw) - header != count * dtype.itemsize:
        raise ValueError(f"{path}: expected {count} values of {dtype.itemsize} bytes "
                         f"after the header, found {len(raw) - header} bytes")
    data = np.frombuffer(raw, dtype=dtype, count=count, offset=header)
    return data.astype(dtype.newbyteorder("="), copy=True).reshape(dims)
