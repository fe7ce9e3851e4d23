"""Data sets for the labs' experiments: toy problems in the plane and the bundled digits.

Toy data sets (for decision boundaries a linear model cannot draw) return
``(X, y)``: ``X`` float64 of shape ``(N, 2)`` and integer labels ``y`` int64
of shape ``(N,)``, classes as balanced as ``N`` allows, rows shuffled. Every
random function takes a ``numpy.random.Generator`` ``rng``.

They are part of the student runtime (the labs' demo cells use them); the
reference re-exports them from :mod:`reference.data`.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import numpy as np

DIGITS = Path(__file__).parent / "data" / "digits.npz"


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
    """The bundled 8x8 handwritten digits, split into train / validation / test.

    1797 images of the digits 0-9 (the test part of UCI's Optical Recognition of
    Handwritten Digits, E. Alpaydin and C. Kaynak, 1998, CC BY 4.0), read from
    ``nnlabs/data/digits.npz`` beside this module: no network. Each image
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
    if val_fraction < 0 or test_fraction < 0 or val_fraction + test_fraction >= 1:
        raise ValueError("need val_fraction, test_fraction >= 0 with a sum below 1")
    rng = np.random.default_rng(rng)
    with np.load(DIGITS) as digits:
        X = digits["images"].astype(np.float64) / 16.0
        y = digits["labels"].astype(np.int64)
    parts: tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]] = ([], [], [])
    for c in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == c))
        n_val, n_test = round(len(idx) * val_fraction), round(len(idx) * test_fraction)
        parts[0].append(idx[n_val + n_test:])
        parts[1].append(idx[:n_val])
        parts[2].append(idx[n_val:n_val + n_test])
    train, val, test = (rng.permutation(np.concatenate(p)) for p in parts)
    return Split(X[train], y[train], X[val], y[val], X[test], y[test])
