"""``python -m nnlabs check NOTEBOOK``: a whole notebook's visible checks, from a terminal.

The notebook's code cells run in this process, top to bottom, as Run All runs them, except
its test cells and the experiments tagged ``demo``; then every question's visible checks run
on the functions they defined and one line per question says what passed. The exit status is
0 when every visible check passes, 1 otherwise: a script (or a pre-commit hook) can tell.

It runs the student's own code on the student's own machine: nothing is sandboxed. A cell or
a call that runs longer than ``--seconds`` is stopped where the system has interval timers
(Linux, macOS), so an infinite loop ends the check with a message, not a hung terminal.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import signal
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from nnlabs.notebook import Cell, NotebookError, cells_to_run, lab_of, read_notebook
from nnlabs.plain import strip_magics, student_traceback
from nnlabs.registry import LAB_MODULES, get_question, load_lab
from nnlabs.runner import run_visible
from nnlabs.student import LocalStudent, StudentError
from nnlabs.terminal import for_terminal

SECONDS = 10.0


class _Overtime(BaseException):
    """Raised by the interval timer in code that runs too long (not an ``Exception``, so the
    student's own ``except Exception`` cannot swallow it)."""


@contextlib.contextmanager
def _at_most(seconds: float) -> Iterator[None]:
    if not hasattr(signal, "setitimer"):  # Windows: no interval timers
        yield
        return

    def overtime(signum: int, frame: object) -> None:
        raise _Overtime

    previous = signal.signal(signal.SIGALRM, overtime)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class TimedStudent(LocalStudent):
    """The notebook's functions, each call stopped after ``seconds``."""

    def __init__(self, namespace: dict, seconds: float) -> None:
        super().__init__(namespace)
        self._seconds = seconds

    def call(self, name: str, args: tuple, kwargs: dict, return_args: bool = False) -> Any:
        return self._timed(name, lambda: super(TimedStudent, self).call(name, args, kwargs,
                                                                        return_args))

    def run(self, probe: Callable[..., Any], *args: Any) -> Any:
        return self._timed(probe.__name__, lambda: super(TimedStudent, self).run(probe, *args))

    def _timed(self, name: str, thunk: Callable[[], Any]) -> Any:
        try:
            with _at_most(self._seconds):
                return thunk()
        except _Overtime:
            raise StudentError(name, "Timeout",
                               f"did not return within {self._seconds:g} s") from None


def run_cells(cells: list[Cell], seconds: float) -> tuple[dict, list[str]]:
    """Execute ``cells`` into a fresh namespace, their output hidden; the namespace and one
    sentence per cell that raised or ran out of time."""
    namespace: dict = {"__name__": "__main__"}
    errors = []
    for cell in cells:
        try:
            code = compile(strip_magics(cell.source), f"<cell {cell.name}>", "exec")
            with contextlib.redirect_stdout(io.StringIO()), \
                    contextlib.redirect_stderr(io.StringIO()), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                with _at_most(seconds):
                    exec(code, namespace)
        except _Overtime:
            errors.append(f"cell {cell.name}: Timeout: did not finish within {seconds:g} s")
        except BaseException as exc:  # noqa: BLE001 - student code may raise anything
            errors.append(f"cell {cell.name}: {type(exc).__name__}: {exc}"
                          + (f"\n{student_traceback(exc)}".rstrip() if student_traceback(exc)
                             else ""))
    return namespace, errors


def check_notebook(path: Path, lab: str | None = None, seconds: float = SECONDS) -> dict:
    """The visible checks of the notebook at ``path``, as a record: ``lab``, ``questions``
    (``id``, ``score``, ``max_score`` of the visible checks, ``feedback``), ``score``,
    ``max_score`` and ``errors``, the shape the instructor's grader writes."""
    lab = lab or lab_of(path)
    record: dict = {"lab": lab or "", "score": 0.0, "max_score": 0.0, "questions": [],
                    "errors": []}
    if lab not in LAB_MODULES:
        record["errors"].append(f"cannot tell which lab {path.name} is: name it labNN_... "
                                "or pass --lab")
        return record
    try:
        cells = cells_to_run(read_notebook(path))
    except NotebookError as exc:
        record["errors"].append(str(exc))
        return record
    os.environ.setdefault("MPLBACKEND", "Agg")  # a plot in a cell opens no window
    namespace, record["errors"] = run_cells(cells, seconds)
    student = TimedStudent(namespace, seconds)
    for question in load_lab(lab):
        result = run_visible(question, student)
        record["questions"].append({"id": result.id, "score": result.score,
                                    "max_score": result.max_score,
                                    "feedback": result.feedback})
    record["score"] = sum(q["score"] for q in record["questions"])
    record["max_score"] = sum(q["max_score"] for q in record["questions"])
    return record


def report(record: dict) -> tuple[str, int]:
    """What a check of a whole notebook prints, and its exit status: 0 when the notebook
    was read, every cell ran and every visible check passed."""
    lines = [for_terminal(f"problem: {error}") for error in record["errors"]]
    possible = 0.0
    for q in record["questions"]:
        points = get_question(q["id"]).max_score  # all its checks', not only the visible ones
        possible += points
        mark = "PASS" if q["score"] == q["max_score"] else "FAIL"
        lines.append(f"[{mark}] {q['id']:<32} {q['score']:g} / {points:g} points")
        lines += ["       " + for_terminal(line) for note in q["feedback"]
                  for line in note.splitlines()]
    lines.append(f"{record['lab']}: {record['score']:g} / {possible:g} points from the visible "
                 "checks; grading runs them again on other inputs, with the hidden checks.")
    passed = not record["errors"] and record["score"] == record["max_score"]
    return "\n".join(lines), 0 if passed and record["questions"] else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nnlabs", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="run the visible checks on your notebook")
    check.add_argument("notebook", type=Path)
    check.add_argument("--lab", help="labNN, when it cannot be told from the file name")
    check.add_argument("--seconds", type=float, default=SECONDS,
                       help="wall clock for one cell or one call (default: %(default)g)")
    args = parser.parse_args(argv)
    text, status = report(check_notebook(args.notebook, args.lab, args.seconds))
    print(text)
    return status
