"""Assertions for checks, with feedback that teaches.

Each helper raises :class:`CheckFailed` with a message that says what was
expected, what came back and, where the answer matches a known wrong variant,
which mistake it looks like. Checks pass known wrong variants as ``mistakes``:
a mapping from a sentence naming the mistake to the value that mistake
produces on the same inputs.

A verdict that names a mistake also carries its machine-readable key
(:attr:`CheckFailed.mistake`): the sentence's :func:`mistake_key`, or for the
diagnoses every comparison makes (a wrong shape, a flipped sign, an input
changed in place, ...) a fixed key; the grader prefixes the question's id
(``lab03.sigmoid_backward.dout-times-sigma-s-forget-1-minus-sigma``), so a class
report can count who made which mistake.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import numpy as np

# Constant factors a result is commonly off by: each one's key and what it usually means.
SCALE_HINTS = {
    -1.0: ("opposite-sign", "it has the opposite sign: is a minus sign missing or doubled?"),
    2.0: ("twice-the-value", "it is twice the expected value."),
    0.5: ("half-the-value", "it is half the expected value."),
}

# Words a mistake's key leaves out, how many of the others it keeps, and the operators it
# spells out (sentences can differ only in one: "the `+` backward", "the `*` backward").
FILLER = frozenset("a an the it is are be of to you your did do does this that".split())
KEY_WORDS = 8
OPERATORS = {"**": "pow", "^": "pow", "+": "plus", "-": "minus", "*": "times", "/": "over",
             ">=": "ge", "<=": "le", ">": "gt", "<": "lt"}
KEY_TOKEN = re.compile(r"[a-z0-9]+|\*\*|>=|<=|[-+*/^<>]")


def mistake_key(sentence: str) -> str:
    """A named mistake's key: the first eight words of its sentence that are not filler
    (operators spelled out), lower case, joined by hyphens. ``"it is dout * sigma(s): did you
    forget the (1 - sigma(s)) factor?"`` gives ``dout-times-sigma-s-forget-1-minus-sigma``:
    the same sentence always gives the same key, whatever the inputs."""
    words = [OPERATORS.get(w, w) for w in KEY_TOKEN.findall(sentence.lower())
             if w not in FILLER]
    return "-".join(words[:KEY_WORDS]) or "unnamed"


WITHOUT_DOUT = ("it is the local gradient alone, without the upstream gradient: "
                "multiply by dout (delta = upstream x local gradient).")


def upstream_mistakes(dout: np.ndarray, local: np.ndarray) -> dict:
    """A backward's ``mistakes``: the upstream gradient ``dout`` dropped from, divided into or
    added to the ``local`` gradient, where ``dout * local`` is right."""
    return {WITHOUT_DOUT: local,
            "it is the local gradient divided by dout: multiply by the upstream gradient, do "
            "not divide by it (delta = upstream x local gradient).": local / dout,
            "it is the local gradient plus dout: multiply by the upstream gradient, do not add "
            "it (delta = upstream x local gradient).": local + dout}


# Where both gradients are smaller than this, their difference is measured against it.
GUARD = 1e-8


def gradient_error(got: np.ndarray, expected: np.ndarray) -> float:
    """The lectures' relative error of two gradients, its largest entry:
    ``|got - expected| / max(|got| + |expected|, GUARD)``."""
    scale = np.abs(got) + np.abs(expected)
    np.putmask(scale, scale < GUARD, GUARD)
    return float((np.abs(got - expected) / scale).max(initial=0.0))


class CheckFailed(AssertionError):
    """A check's verdict: the message is shown to the student as feedback. ``mistake``, when
    the verdict names a mistake, is its key (see :func:`mistake_key`), else empty."""

    def __init__(self, message: str, mistake: str = "") -> None:
        super().__init__(message)
        self.mistake = mistake


def named_mistake(what: str, sentence: str, detail: str = "") -> CheckFailed:
    """The verdict that ``what`` shows the mistake ``sentence`` names (``detail``, the numbers
    that show it, goes between them), keyed by :func:`mistake_key`."""
    return CheckFailed(f"{what}: {detail}{sentence}", mistake_key(sentence))


def _show(a: np.ndarray, limit: int = 6) -> str:
    flat = np.asarray(a, dtype=np.float64).reshape(-1)
    text = np.array2string(flat[:limit], precision=5, separator=", ", suppress_small=True)
    return text if flat.size <= limit else text[:-1] + ", ...]"


def _as_array(got: Any, what: str, expected: np.ndarray) -> np.ndarray:
    if isinstance(got, (bool, np.bool_)) or not isinstance(got, (int, float, np.ndarray,
                                                                 np.generic)):
        raise CheckFailed(f"{what}: expected a numpy array of shape {expected.shape}, "
                          f"got a {type(got).__name__}.", "not-an-array")
    return np.asarray(got)


def _scale_between(got: np.ndarray, expected: np.ndarray) -> float | None:
    """c if got == c * expected for one constant c (least squares), else None."""
    e, g = expected.reshape(-1).astype(np.float64), got.reshape(-1).astype(np.float64)
    denominator = float(e @ e)
    if denominator == 0.0:
        return None
    c = float(e @ g) / denominator
    return c if np.allclose(g, c * e, rtol=1e-5, atol=1e-10) else None


def _prepare(got: Any, expected: np.ndarray, what: str) -> tuple[np.ndarray, np.ndarray]:
    """Both as float64 arrays, after the checks every comparison shares: type, shape, finiteness."""
    got = _as_array(got, what, expected)
    if got.shape != expected.shape:
        transposed = got.shape == expected.shape[::-1]
        raise CheckFailed(f"{what}: expected shape {expected.shape}, got shape {got.shape}"
                          f"{' (the transpose?)' if transposed else ''}.",
                          "transposed" if transposed else "wrong-shape")
    if got.dtype.kind not in "biuf":
        raise CheckFailed(f"{what}: expected real numbers, got dtype {got.dtype}.",
                          "not-real-numbers")
    g, e = got.astype(np.float64), expected.astype(np.float64)
    if np.isfinite(e).all() and not np.isfinite(g).all():
        raise CheckFailed(f"{what}: contains nan or inf where the expected values are finite "
                          f"(got {_show(g)}): does an exp overflow? Use a numerically stable form.",
                          "not-finite")
    return g, e


def _explain(g: np.ndarray, e: np.ndarray, what: str, rtol: float, atol: float,
             mistakes: Mapping[str, Any] | None, batch_size: int | None,
             suffix: str = "") -> CheckFailed:
    """Why ``g`` is not ``e`` (then ``suffix``): a named mistake, a telling constant factor,
    or the numbers."""
    for mistake, wrong in (mistakes or {}).items():
        wrong = np.asarray(wrong, dtype=np.float64)
        if wrong.shape == g.shape and np.allclose(g, wrong, rtol=rtol, atol=atol):
            return CheckFailed(f"{what}: {mistake}{suffix}", mistake_key(mistake))
    hints = dict(SCALE_HINTS)
    if batch_size and batch_size > 1:
        hints[float(batch_size)] = ("missing-batch-average", "it is N times the expected "
                                    "value: is the average over the batch (the 1/m) missing?")
        hints[1.0 / batch_size] = ("averaged-twice", "it is 1/N of the expected value: did "
                                   "you average over the batch twice?")
    scale = _scale_between(g, e)
    for factor, (key, meaning) in hints.items():
        if scale is not None and np.isclose(scale, factor, rtol=1e-4):
            return CheckFailed(f"{what}: {meaning} Expected {_show(e)}, got {_show(g)}."
                               f"{suffix}", key)
    worst = int(np.argmax(np.abs(g - e)))
    return CheckFailed(f"{what}: expected {_show(e)}, got {_show(g)} "
                       f"(largest difference {abs(g.flat[worst] - e.flat[worst]):.3g} "
                       f"at flat index {worst}).{suffix}")


def expect_close(got: Any, expected: Any, what: str, *, rtol: float = 1e-6,
                 atol: float = 1e-8, mistakes: Mapping[str, Any] | None = None,
                 batch_size: int | None = None) -> None:
    """``got`` equals ``expected`` elementwise within ``rtol``/``atol``, shape included.

    ``batch_size``, when given, lets the message recognise a result that is
    N or 1/N times the expected one (a missing or doubled average over the batch).
    """
    g, e = _prepare(got, np.asarray(expected), what)
    if not np.allclose(g, e, rtol=rtol, atol=atol):
        raise _explain(g, e, what, rtol, atol, mistakes, batch_size)


def expect_gradient(got: Any, numerical: np.ndarray, what: str, *, tol: float = 1e-6,
                    mistakes: Mapping[str, Any] | None = None,
                    batch_size: int | None = None) -> None:
    """An analytic gradient agrees with central differences: relative error below ``tol``."""
    g, e = _prepare(got, np.asarray(numerical), what)
    error = gradient_error(g, e)
    if error >= tol:
        raise _explain(g, e, what, tol, 1e-7, mistakes, batch_size,
                       f" The relative error against central differences is {error:.2g}.")


def expect_dtype(got: Any, dtype: np.dtype | type, what: str) -> None:
    """``got`` is an array (or numpy scalar) of exactly ``dtype``."""
    actual = getattr(got, "dtype", type(got).__name__)
    if actual != np.dtype(dtype):
        raise CheckFailed(f"{what}: expected dtype {np.dtype(dtype)}, got {actual}: "
                          "avoid mixing in float64 constants or arrays (np.float64(...), "
                          "np.array([...]) without dtype).", "wrong-dtype")


def expect_unchanged(before: np.ndarray, after: Any, what: str) -> None:
    """An input array came back from the call unchanged (the function did not mutate it)."""
    if not (isinstance(after, np.ndarray) and after.shape == before.shape
            and np.array_equal(after, before, equal_nan=True)):
        raise CheckFailed(f"{what}: your function modified its input array in place "
                          "(e.g. `x[x < 0] = 0` or `x *= ...`); work on a copy or build a "
                          "new array.", "modified-input")


def expect(condition: bool, message: str, mistake: str = "") -> None:
    """A plain assertion with a teaching message; ``mistake``, the key of the mistake a
    failure names, if it names one."""
    if not condition:
        raise CheckFailed(message, mistake)
