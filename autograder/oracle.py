"""The ``oracle`` fixture: what a correct answer returns on the same inputs.

When grading, the oracle is the reference implementation itself: checks call
``oracle.sigmoid(s)`` and get ``reference.activations.sigmoid(s)``. A lab
module names the reference modules its oracle draws on (``ORACLE_MODULES``).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from typing import Any


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
