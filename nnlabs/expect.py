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

A name found by matching values (a wrong variant, a constant factor) is a guess
from one input, so such a verdict carries its :attr:`CheckFailed.fallback`: what it
says without the name. The runner draws a second input for the check and keeps a
name only if the second verdict names it too (:func:`nnlabs.runner.run_check`);
otherwise the student is told what differs and nothing more.
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

# The keys of verdicts that name a kind of difference (a mistake's family), not one mistake,
# and of those that state a fact about the result (its type, shape, dtype, finiteness).
FAMILY_KEYS = frozenset({*(key for key, _ in SCALE_HINTS.values()), "missing-batch-average",
                         "averaged-twice", "constant-factor", "per-column-factor",
                         "per-row-factor", "transposed"})
FACT_KEYS = frozenset({"not-an-array", "wrong-shape", "not-real-numbers", "not-finite",
                       "wrong-dtype", "modified-input"})

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

# Central differences with a step of 1e-4 are accurate to about 4e-11 absolute on the labs'
# functions (their O(h^2) error, and rounding near 1e-12): entries of a gradient that differ
# by less than AGREE agree as far as central differences can tell. Without it, a correct
# entry of 2e-6 fails a 1e-5 relative tolerance on a few grading seeds in a hundred.
AGREE = 1e-9


# A correct gradient is within GRADIENT_TOL (relative, elementwise: :func:`gradient_error`) of
# the answer key's central differences (``autograder.oracle.STEP``), even where it is as small
# as 1e-6; every wrong variant is off by far more.
GRADIENT_TOL = 1e-5

# Tolerances when a float32 result is compared with float64 expectations.
F32 = {"rtol": 1e-4, "atol": 1e-6}


def gradient_error(got: np.ndarray, expected: np.ndarray) -> float:
    """The lectures' relative error of two gradients, its largest entry:
    ``|got - expected| / max(|got| + |expected|, GUARD)``, with differences below ``AGREE``
    counted as none."""
    scale = np.abs(got) + np.abs(expected)
    np.putmask(scale, scale < GUARD, GUARD)
    difference = np.abs(got - expected)
    np.putmask(difference, difference < AGREE, 0.0)
    return float((difference / scale).max(initial=0.0))


class CheckFailed(AssertionError):
    """A check's verdict: the message is shown to the student as feedback. ``mistake``, when
    the verdict names a mistake, is its key (see :func:`mistake_key`), else empty.
    ``fallback``, when the name is a guess from matching values, is the verdict to give
    instead if a second input does not show the same mistake (see :meth:`verdicts`)."""

    def __init__(self, message: str, mistake: str = "",
                 fallback: CheckFailed | None = None) -> None:
        super().__init__(message)
        self.mistake = mistake
        self.fallback = fallback

    def verdicts(self) -> list[CheckFailed]:
        """This verdict and its fallbacks, most specific first; the last needs no second
        input (it names nothing, or what it names is a fact about the result, such as its
        shape or dtype)."""
        chain = [self]
        while chain[-1].fallback is not None:
            chain.append(chain[-1].fallback)
        return chain

    def extended(self, text: str) -> CheckFailed:
        """The same verdict, and each of its fallbacks, with ``text`` appended."""
        fallback = self.fallback.extended(text) if self.fallback is not None else None
        return CheckFailed(f"{self} {text}", self.mistake, fallback)

    def confirmed_by(self, again: CheckFailed | None) -> CheckFailed:
        """The most specific of :meth:`verdicts` that ``again`` (the verdict on a second
        input, None if it passed) names too, else the last, which names no guess."""
        seen = {v.mistake for v in again.verdicts() if v.mistake} if again else set()
        chain = self.verdicts()
        return next((v for v in chain[:-1] if v.mistake in seen), chain[-1])


def named_mistake(what: str, sentence: str, detail: str = "",
                  fallback: CheckFailed | None = None) -> CheckFailed:
    """The verdict that ``what`` shows the mistake ``sentence`` names (``detail``, the numbers
    that show it, goes between them), keyed by :func:`mistake_key`; ``fallback``, for a name
    found by matching values, says what differs without it (see :class:`CheckFailed`)."""
    return CheckFailed(f"{what}: {detail}{sentence}", mistake_key(sentence), fallback)


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
                          f"(got {_show(g)}).", "not-finite")
    return g, e


def _values(g: np.ndarray, e: np.ndarray, what: str, suffix: str) -> CheckFailed:
    """What differs, and nothing more: expected and got, and where they differ most."""
    worst = int(np.argmax(np.abs(g - e)))
    return CheckFailed(f"{what}: expected {_show(e)}, got {_show(g)} "
                       f"(largest difference {abs(g.flat[worst] - e.flat[worst]):.3g} "
                       f"at flat index {worst}).{suffix}")


def _axis_factors(g: np.ndarray, e: np.ndarray, axis: int) -> np.ndarray | None:
    """Factors c, one per index along ``axis`` of a 2-D result, with g == c * e there (each
    column's own factor for axis 1), when they exist and are not all one constant."""
    if g.ndim != 2 or min(g.shape) < 2:
        return None
    denominator = (e * e).sum(axis=1 - axis)
    if (denominator == 0.0).any():
        return None
    c = (e * g).sum(axis=1 - axis) / denominator
    shaped = c[None, :] if axis == 1 else c[:, None]
    if np.allclose(c, c.mean(), rtol=1e-4) or not np.allclose(g, shaped * e, rtol=1e-5,
                                                              atol=1e-10):
        return None
    return c


def _family(g: np.ndarray, e: np.ndarray, what: str, batch_size: int | None,
            suffix: str) -> CheckFailed:
    """The kind of difference between ``g`` and ``e``, where it is one a mistake's family
    leaves (a constant factor such as -1, N or 1/N, a factor per column or per row, a
    transposition), with the values as its fallback; else the values alone."""
    plain = _values(g, e, what, suffix)
    shown = f" Expected {_show(e)}, got {_show(g)}.{suffix}"
    hints = dict(SCALE_HINTS)
    if batch_size and batch_size > 1:
        hints[float(batch_size)] = ("missing-batch-average", "it is N times the expected "
                                    "value: is the average over the batch (the 1/m) missing?")
        hints[1.0 / batch_size] = ("averaged-twice", "it is 1/N of the expected value: did "
                                   "you average over the batch twice?")
    scale = _scale_between(g, e)
    if scale is not None and abs(scale) > 1e-9:
        for factor, (key, meaning) in hints.items():
            if np.isclose(scale, factor, rtol=1e-4):
                return CheckFailed(f"{what}: {meaning}{shown}", key, plain)
    if scale is not None and abs(scale) > 1e-9 and g.size > 1:  # any two numbers have a ratio
        return CheckFailed(f"{what}: it is {scale:.4g} times the expected value everywhere: a "
                           f"constant factor is missing or extra (a scale such as 1/N, a "
                           f"learning rate or a coefficient?).{shown}", "constant-factor", plain)
    for axis, part, example in ((1, "column", "a per-feature factor such as gamma"),
                                (0, "row", "a per-example factor")):
        factors = _axis_factors(g, e, axis)
        if factors is not None:
            return CheckFailed(f"{what}: each {part} is the expected {part} times a factor of "
                               f"its own ({_show(factors)}): is {example} missing or extra?"
                               f"{shown}", f"per-{part}-factor", plain)
    if g.ndim == 2 and g.shape[0] == g.shape[1] > 1 and not np.allclose(e, e.T) \
            and np.allclose(g, e.T, rtol=1e-6, atol=1e-10):
        return CheckFailed(f"{what}: it is the transpose of the expected matrix: are the "
                           f"factors of a product swapped, or is a .T missing or extra?{shown}",
                           "transposed", plain)
    return plain


def _explain(g: np.ndarray, e: np.ndarray, what: str, rtol: float, atol: float,
             mistakes: Mapping[str, Any] | None, batch_size: int | None,
             suffix: str = "") -> CheckFailed:
    """Why ``g`` is not ``e`` (then ``suffix``): a named mistake, else the kind of difference
    (:func:`_family`), else the numbers; each name with what to say without it as its
    fallback."""
    family = _family(g, e, what, batch_size, suffix)
    for mistake, wrong in (mistakes or {}).items():
        wrong = np.asarray(wrong, dtype=np.float64)
        if wrong.shape == g.shape and np.allclose(g, wrong, rtol=rtol, atol=atol):
            return CheckFailed(f"{what}: {mistake}{suffix}", mistake_key(mistake), family)
    return family


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


def expect_gradient_near(got: Any, numerical: np.ndarray, what: str, **kwargs: Any) -> None:
    """:func:`expect_gradient` with the labs' tolerance, :data:`GRADIENT_TOL`."""
    expect_gradient(got, numerical, what, tol=GRADIENT_TOL, **kwargs)


def expect_finite(got: Any, what: str, advice: str, *, inputs: str = "") -> None:
    """``got`` holds no nan or inf; otherwise fail with ``advice`` (how to compute it stably),
    keyed by the advice. ``inputs``, when given, names the inputs that overflow, and the
    message shows the values that came back."""
    try:
        values = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return  # not numbers: the comparison that follows says what came back
    if np.isfinite(values).all():
        return
    context = ""
    if inputs:
        shown = np.array2string(values.ravel()[:6], precision=4)
        context = f" (got {shown}{', ...' if values.size > 6 else ''}) for {inputs}"
    raise CheckFailed(f"{what} contains nan or inf{context}: {advice}", mistake_key(advice))


def expect_items(result: Any, count: int, what: str, returns: str) -> tuple:
    """``result`` is a tuple (or list) of ``count`` items, as the docstring says; otherwise
    the verdict is that ``what`` should return ``returns`` (``"2 values (loss, grad)"``),
    and what came back instead."""
    kind = (f"a {type(result).__name__} of length {len(result)}"
            if isinstance(result, (tuple, list)) else f"a {type(result).__name__}")
    expect(isinstance(result, (tuple, list)) and len(result) == count,
           f"{what} should return {returns}; got {kind}.")
    return tuple(result)


def expect_tuple(result: Any, size: int, what: str, names: str) -> tuple:
    """``result`` is a tuple (or list) of ``size`` values, ``names`` (``"loss, grad"``)."""
    return expect_items(result, size, what, f"{size} values ({names})")


def expect_pair(result: Any, what: str, names: str) -> tuple:
    """``result`` is a pair, ``names`` (``"loss, gradient"``), as a loss returns."""
    return expect_items(result, 2, what, f"a pair ({names})")


def expect_numbers(result: Any, count: int, what: str, names: str) -> np.ndarray:
    """``result`` is a tuple (or list) of ``count`` numbers, ``names``; returned as a float64
    array."""
    expect_items(result, count, what, f"a tuple of {count} numbers ({names})")
    try:
        return np.array([float(np.asarray(v).reshape(())) for v in result])
    except (TypeError, ValueError):
        raise CheckFailed(f"{what} should return {count} numbers ({names}).") from None


def expect_dtype(got: Any, dtype: np.dtype | type, what: str) -> None:
    """``got`` is an array (or numpy scalar) of exactly ``dtype``."""
    actual = getattr(got, "dtype", type(got).__name__)
    if actual != np.dtype(dtype):
        widened = np.dtype(dtype) == np.float32 and actual == np.float64
        advice = (": avoid mixing in float64 constants or arrays (np.float64(...), "
                  "np.array([...]) without dtype)" if widened else "")
        raise CheckFailed(f"{what}: expected dtype {np.dtype(dtype)}, got {actual}{advice}.",
                          "wrong-dtype")


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
