"""Data: normalization, toy data sets, the bundled digits, mini-batches and IDX files.

Normalization (lecture 002, topic 6). Features on very different scales make
the gradient of the largest one dominate every update; rescaling every
feature to a common range lets all weights move in equal proportion. The
statistics are always computed on the *training* data (``fit``) and the same
transformation is applied to validation and test data (``transform``), which
therefore need not land exactly on mean 0 / std 1 or inside [0, 1].

The toy data sets and the bundled digits are the student runtime's
(:mod:`nnlabs.datasets`: the labs' experiments use them), re-exported here.

Every random function takes a ``numpy.random.Generator`` ``rng``.
"""

from __future__ import annotations

import gzip
import math
import struct
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from nnlabs.datasets import (  # noqa: F401 - the toy data sets and digits, re-exported
    Split,
    load_digits,
    make_circles,
    make_moons,
    make_spirals,
    make_xor,
)
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


def updates_per_epoch(N: int, batch_size: int) -> int:
    """Parameter updates in one epoch over N examples: ceil(N / batch_size), the last
    mini-batch holding the remainder. batch_size = N is batch learning (1 update),
    batch_size = 1 online learning (N updates)."""
    check_batch_size(batch_size)
    return math.ceil(N / batch_size)


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
