"""The ``oracle`` of visible checks: answers recorded at release time, replayed.

Visible checks, which students run, work without the answer key: their inputs
come from a fixed seed, so the answer key's replies (the reference's values,
central differences of the reference, the values of the named wrong variants
feedback recognises) are recorded once, when the instructor releases the labs,
into ``nnlabs/fixtures/<lab>.json``, and replayed here (:class:`ReplayOracle`).
Visible checks always use the recording, so a stale recording shows up as a
failing test of the solution notebook.

An answer is found by its inputs: first by their exact bytes, then, since an
input built by a matrix product or a QR decomposition can differ in its last
bits on another machine's BLAS, by recorded inputs equal to them within a
relative ``1e-9`` (:data:`SAME_INPUT`; for float32 arrays, 64 of their ulps). Inputs
further apart find no answer.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from nnlabs.plain import decode, encode

FIXTURES = Path(__file__).parent / "fixtures"
SAME_INPUT = {"rtol": 1e-9, "atol": 1e-12}
"""How far a recorded input may be from the one asked about: last-bit differences
between BLAS kernels are about 1e-15 relative; visible checks' distinct inputs
differ by far more."""


def call_key(call: bytes) -> str:
    """The key of a recorded answer: the SHA-256 of its encoded call."""
    return hashlib.sha256(call).hexdigest()


def pack(value: Any) -> str:
    return base64.b64encode(encode(value)).decode()


def unpack(text: str) -> Any:
    return decode(base64.b64decode(text))


def same_input(a: Any, b: Any) -> bool:
    """``a`` and ``b`` (plain data) have one structure, and their floating-point numbers
    agree within :data:`SAME_INPUT`; everything else (strings, integers, dtypes, shapes)
    must be equal."""
    numeric = (np.ndarray, np.generic)
    if isinstance(a, numeric) or isinstance(b, numeric):
        if type(a) is not type(b) or np.shape(a) != np.shape(b) or a.dtype != b.dtype:
            return False
        if a.dtype.kind in "fc":
            # float32 inputs round 2^29 times coarser: the same few last bits, in their ulps.
            rtol = max(SAME_INPUT["rtol"], 64 * float(np.finfo(a.dtype).eps))
            return bool(np.allclose(a, b, rtol=rtol, atol=SAME_INPUT["atol"], equal_nan=True))
        return bool(np.array_equal(a, b))
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return math.isclose(a, b, rel_tol=SAME_INPUT["rtol"], abs_tol=SAME_INPUT["atol"]) \
            or (math.isnan(a) and math.isnan(b))
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same_input(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same_input(a[k], b[k]) for k in a)
    return a == b


class ReplayOracle:
    """Answers recorded from the reference, for the inputs the visible checks use."""

    def __init__(self, lab: str, recording: dict[str, dict[str, str]] | None = None) -> None:
        if recording is None:
            path = FIXTURES / f"{lab}.json"
            recording = json.loads(path.read_text()) if path.exists() else {}
        self._answers = recording
        self._calls: dict[str, Any] = {}        # key -> the recorded call, decoded on demand
        self._lab = lab

    def find(self, call: bytes) -> str | None:
        """The key of the recorded answer for ``call`` (an encoded ``[name, args, kwargs]``):
        the exact one, else one whose inputs are the same within :data:`SAME_INPUT`."""
        key = call_key(call)
        if key in self._answers:
            return key
        asked = decode(call)
        for other, entry in self._answers.items():
            if other not in self._calls:
                self._calls[other] = unpack(entry["call"])
            if same_input(self._calls[other], asked):
                return other
        return None

    def answers_exactly(self, recorded: dict[str, dict[str, str]]) -> bool:
        """Whether this recording answers every call of ``recorded`` (a fresh recording, as
        :class:`RecordingOracle` makes it) and holds no answer none of them uses."""
        used = {self.find(base64.b64decode(entry["call"])) for entry in recorded.values()}
        return None not in used and used == set(self._answers)

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("_"):
            raise AttributeError(name)

        def replay(*args: Any, **kwargs: Any) -> Any:
            key = self.find(encode([name, list(args), kwargs]))
            if key is None:
                raise LookupError(f"no recorded answer for oracle.{name} on these inputs; "
                                  f"run `make release` to record {self._lab}'s visible checks")
            return unpack(self._answers[key]["answer"])

        return replay
