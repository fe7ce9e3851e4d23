"""The answer key as the checks' ``oracle``, and the recording of it for visible checks.

A lab's answer key is the module ``autograder.answers.<lab>``: the reference
functions its checks ask for, central differences of them, and the values of
the wrong variants its feedback names. Hidden checks, which run only when
grading, ask it directly (:class:`ReferenceOracle`): ``oracle.sigmoid(s)`` is
``reference.activations.sigmoid(s)``. At release time the visible checks run
against it through a :class:`RecordingOracle`, whose answers become the
student package's fixtures (:mod:`nnlabs.oracle`).
"""

from __future__ import annotations

import base64
import functools
import importlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

import numpy as np

from nnlabs.oracle import call_key, pack
from nnlabs.plain import PlainDataError, encode
from reference.gradcheck import numerical_gradient

ANSWERS = "autograder.answers"

# Central differences with steps h = 1e-4 and h/2, extrapolated (Richardson): each alone is off
# by O(h^2), ~3e-5 relative for sin(x^2) at x near 2.5, which fails a correct answer on some
# grading seeds; (4 D(h/2) - D(h)) / 3 is off by O(h^4). Rounding stays near 1e-11 absolute,
# below what the checks count (nnlabs.expect.AGREE). Inputs are kept 0.1 or more off kinks.
STEP = 1e-4
# Central differences already worked out, by call: every submission of a run draws its hidden
# inputs from the one grading seed, so each asks for the ones the first asked for (they were
# a third of the grader's own work on a lab-03 submission). Pure functions of their inputs.
_DIFFERENCES: OrderedDict[str, np.ndarray] = OrderedDict()
_DIFFERENCES_LOCK = threading.Lock()
KEPT_DIFFERENCES = 1024


def answer_key(lab: str) -> ModuleType:
    """The module ``autograder.answers.<lab>``."""
    return importlib.import_module(f"{ANSWERS}.{lab}")


class ReferenceOracle:
    """Attribute lookup in a lab's answer key, and :meth:`central_differences` of any of its
    functions (so that a visible check can ask for a numerical gradient as one answer, with
    plain data as arguments, and the student package needs no gradient checker)."""

    def __init__(self, lab: str) -> None:
        self._lab = lab

    @functools.cached_property
    def _module(self) -> ModuleType:
        return answer_key(self._lab)

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("_"):
            raise AttributeError(name)
        if name == "central_differences":
            return self._central_differences
        function = getattr(self._module, name, None)
        if not callable(function):
            raise AttributeError(f"the oracle has no {name!r}")
        return function

    def _central_differences(self, function: str, args: Sequence[Any], wrt: int = 0,
                             upstream: np.ndarray | None = None,
                             output: int | None = None) -> np.ndarray:
        """The gradient of ``sum(upstream * f(*args))`` with respect to ``args[wrt]``, by
        central differences of the answer key's ``function`` (its ``output``-th result when
        it returns a tuple; ``upstream`` None for a scalar), extrapolated from the steps
        ``STEP`` and ``STEP / 2``. The same call again is answered from memory."""
        try:
            key = call_key(encode([self._lab, function, list(args), wrt, upstream, output]))
        except PlainDataError:
            key = None
        with _DIFFERENCES_LOCK:
            known = _DIFFERENCES.get(key)
            if known is not None:
                _DIFFERENCES.move_to_end(key)
                return known.copy()
        f = getattr(self._module, function)

        def of(x: np.ndarray) -> Any:
            value = f(*args[:wrt], x, *args[wrt + 1:])
            return value if output is None else value[output]

        coarse = numerical_gradient(of, args[wrt], upstream, h=STEP)
        fine = numerical_gradient(of, args[wrt], upstream, h=STEP / 2)
        gradient = (4 * fine - coarse) / 3
        if key is not None:
            with _DIFFERENCES_LOCK:
                _DIFFERENCES[key] = gradient.copy()
                while len(_DIFFERENCES) > KEPT_DIFFERENCES:
                    _DIFFERENCES.popitem(last=False)
        return gradient


class RecordingOracle(ReferenceOracle):
    """The answer key, remembering every answer it gives, keyed by its inputs."""

    def __init__(self, lab: str) -> None:
        super().__init__(lab)
        self.recorded: dict[str, dict[str, str]] = {}

    def __getattr__(self, name: str) -> Callable[..., Any]:
        function = super().__getattr__(name)

        def recorded(*args: Any, **kwargs: Any) -> Any:
            value = function(*args, **kwargs)
            call = encode([name, list(args), kwargs])
            self.recorded[call_key(call)] = {"call": base64.b64encode(call).decode(),
                                             "answer": pack(value)}
            return value

        return recorded


def fixture_text(recorded: dict[str, dict[str, str]]) -> str:
    """The recording as it is stored: sorted, so that it regenerates byte for byte."""
    return json.dumps(dict(sorted(recorded.items())), indent=0) + "\n"
