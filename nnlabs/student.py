"""The student's code as a check sees it: call a function, get plain data back.

Checks call ``student.relu_backward(dout, s)`` and never see the difference
between the two places the student's code can live:

- :class:`LocalStudent`: the notebook's own namespace, when ``check(...)`` runs
  in the student's kernel (visible checks while working; nbgrader's autograde);
- the batch grader's sandboxed worker: a sandboxed worker process, in the
  batch grader.

In both, arguments are copied going in and results come back through the same
plain-data filter (:mod:`nnlabs.plain`), so a result
that is not a number, a string or a numeric array (an object claiming equality
with everything, say) fails in both paths alike, with the same message.
"""

from __future__ import annotations

import contextlib
import io
import warnings
from collections.abc import Callable
from typing import Any

from nnlabs.plain import NotDefined, PlainDataError, decode, encode, student_traceback


class StudentError(Exception):
    """The student's code raised, returned non-plain data, hung, or is missing.

    ``kind`` is the exception's type name as the student's code raised it
    (``"NotImplementedError"``...; ``"NotDefined"``, :class:`nnlabs.plain.NotDefined`, for a
    function the notebook lacks), or what the grader saw: ``"Timeout"``, ``"NotPlainData"``,
    ``"WorkerDied"``, ``"OutOfTime"`` (the submission's wall clock ran out).
    """

    def __init__(self, function: str, kind: str, message: str, traceback: str = "") -> None:
        self.function, self.kind, self.message, self.traceback = function, kind, message, traceback
        super().__init__(self.explain())

    @classmethod
    def of(cls, function: str, exc: BaseException) -> StudentError:
        """What ``exc``, raised by the student's code (or by a probe) while ``function`` ran,
        tells: its type's name, message and the notebook's frames of its traceback."""
        return cls(function, type(exc).__name__, str(exc), student_traceback(exc))

    def explain(self) -> str:
        if self.kind == "NotImplementedError":
            return f"`{self.function}` is not implemented yet (it raises NotImplementedError)."
        if self.kind == NotDefined.__name__:
            return f"{NotDefined(self.function)}: was it renamed, or did its cell fail to run?"
        if self.kind == "NotPlainData":
            return (f"`{self.function}` {self.message}; return a numpy array or a number "
                    "(or a tuple of them, as the docstring says).")
        if self.kind == "Timeout":
            return f"`{self.function}` {self.message}: an infinite loop?"
        if self.kind == "OutOfTime":
            return f"`{self.function}` {self.message}."
        if self.kind == "MemoryError":
            return (f"`{self.function}` ran out of memory (MemoryError): does it build an "
                    "array far larger than its inputs?")
        return f"`{self.function}` raised {self.kind}: {self.message}"


class Student:
    """Attribute access gives a callable for the student's function of that name."""

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("_"):
            raise AttributeError(name)
        return lambda *args, **kwargs: self.call(name, args, kwargs)

    def call(self, name: str, args: tuple, kwargs: dict, return_args: bool = False) -> Any:
        raise NotImplementedError

    def run(self, probe: Callable[..., Any], *args: Any) -> Any:
        """``probe(namespace, *args)`` beside the student's code; plain data comes back.

        ``probe`` is a self-contained module-level function of a lab module
        (numpy as ``np`` and builtins only: in the batch grader its source is
        sent to the worker; :class:`nnlabs.plain.NotDefined`, for a function the notebook
        lacks, is there too). It receives the student's namespace and may build
        their objects, pass callbacks, call methods; what it returns crosses
        back through the plain-data filter. Use it where a plain call cannot
        express the check, and :meth:`call` everywhere else.
        """
        raise NotImplementedError

    def call_returning_args(self, name: str, *args: Any, **kwargs: Any) -> tuple[Any, tuple]:
        """``(result, args_after_the_call)``: to see whether the student mutated an input."""
        value = self.call(name, args, kwargs, return_args=True)
        return value["result"], tuple(value["args"])


def run_probe(student: Student, probe: Callable[..., Any], function: str, *args: Any) -> Any:
    """``student.run(probe, *args)``, with errors reported against the student's ``function``
    (the one the probe runs), not the probe."""
    try:
        return student.run(probe, *args)
    except StudentError as error:
        raise StudentError(function, error.kind, error.message, error.traceback) from None


def plain_copy(value: Any) -> Any:
    """``value`` through the wire format: a deep copy made only of plain data."""
    return decode(encode(value))


class LocalStudent(Student):
    """The student's functions in a namespace dict (a notebook's globals).

    Warnings and anything written to stderr while the student's code runs are
    swallowed: nbgrader zeroes a test cell that writes to stderr, and a numpy
    warning must not cost a correct answer its points.
    """

    def __init__(self, namespace: dict) -> None:
        self._namespace = namespace

    def call(self, name: str, args: tuple, kwargs: dict, return_args: bool = False) -> Any:
        function = self._namespace.get(name)
        if not callable(function):
            raise StudentError.of(name, NotDefined(name))
        args, kwargs = plain_copy(list(args)), plain_copy(kwargs)
        return self._quietly(name, lambda: (
            {"result": function(*args, **kwargs), "args": args} if return_args
            else function(*args, **kwargs)))

    def run(self, probe: Callable[..., Any], *args: Any) -> Any:
        args = plain_copy(list(args))
        return self._quietly(probe.__name__, lambda: probe(self._namespace, *args))

    @staticmethod
    def _quietly(name: str, thunk: Callable[[], Any]) -> Any:
        """``thunk()`` with warnings and stderr swallowed, its result as plain data."""
        try:
            with warnings.catch_warnings(), contextlib.redirect_stderr(io.StringIO()):
                warnings.simplefilter("ignore")
                result = thunk()
            return plain_copy(result)
        except PlainDataError as exc:
            raise StudentError(name, "NotPlainData", f"returned {exc}") from None
        except Exception as exc:  # noqa: BLE001 - student code may raise anything
            raise StudentError.of(name, exc) from None
