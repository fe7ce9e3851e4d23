"""The ``oracle`` fixture: what a correct answer returns on the same inputs.

Hidden checks, which run only when grading, ask the reference implementation
itself: ``oracle.sigmoid(s)`` is ``reference.activations.sigmoid(s)``. A lab
module names the reference modules its oracle draws on (``ORACLE_MODULES``).

Visible checks, which students run, must work without the reference source
(a student release need not contain any answer). Their inputs come from a
fixed seed, so the oracle's answers can be recorded once, at release time
(:func:`record`), into ``autograder/fixtures/<lab>.json``, and replayed
(:class:`ReplayOracle`). Visible checks always use the recording, so a stale
recording shows up as a failing test of the solution notebook.
"""

from __future__ import annotations

import base64
import hashlib
import importlib
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from autograder.worker import decode, encode

FIXTURES = Path(__file__).parent / "fixtures"


def _key(name: str, args: tuple, kwargs: dict) -> str:
    return hashlib.sha256(encode([name, list(args), kwargs])).hexdigest()


class ReferenceOracle:
    """Attribute lookup over reference modules, first match wins."""

    def __init__(self, module_names: Sequence[str]) -> None:
        self._modules = [importlib.import_module(name) for name in module_names]

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("_"):
            raise AttributeError(name)
        for module in self._modules:
            if hasattr(module, name):
                return getattr(module, name)
        raise AttributeError(f"the oracle has no {name!r}")


class RecordingOracle(ReferenceOracle):
    """The reference, remembering every answer it gives, keyed by its inputs."""

    def __init__(self, module_names: Sequence[str]) -> None:
        super().__init__(module_names)
        self.recorded: dict[str, str] = {}

    def __getattr__(self, name: str) -> Callable[..., Any]:
        function = super().__getattr__(name)

        def recorded(*args: Any, **kwargs: Any) -> Any:
            value = function(*args, **kwargs)
            self.recorded[_key(name, args, kwargs)] = base64.b64encode(encode(value)).decode()
            return value

        return recorded


class ReplayOracle:
    """Answers recorded from the reference, for the inputs the visible checks use."""

    def __init__(self, lab: str) -> None:
        path = FIXTURES / f"{lab}.json"
        self._answers: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
        self._lab = lab

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("_"):
            raise AttributeError(name)

        def replay(*args: Any, **kwargs: Any) -> Any:
            answer = self._answers.get(_key(name, args, kwargs))
            if answer is None:
                raise LookupError(f"no recorded answer for oracle.{name} on these inputs; "
                                  f"run `make release` to record {self._lab}'s visible checks")
            return decode(base64.b64decode(answer))

        return replay


def fixture_text(recorded: dict[str, str]) -> str:
    """The recording as it is stored: sorted, so that it regenerates byte for byte."""
    return json.dumps(dict(sorted(recorded.items())), indent=0) + "\n"
