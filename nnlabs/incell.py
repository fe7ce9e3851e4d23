"""``check(...)``: the call in a notebook's test cells.

In a student's notebook the test cell runs ``check("lab03.sigmoid")``: the
visible checks, with a table of what passed and what to fix. The cell's last
value is the score, which nbgrader reads as partial credit. (nbgrader's
source notebook adds, between ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN
TESTS``, the instructor's ``grade("lab03.sigmoid")``: every check, as grading
does; that part is not in a student's copy.)
"""

from __future__ import annotations

import contextlib
import inspect
import io
import os
import sys
import warnings
from collections.abc import Callable

from nnlabs.registry import Question, get_question
from nnlabs.runner import QuestionResult, run_visible
from nnlabs.student import LocalStudent, Student


class Score(float):
    """The points earned: a float, so that nbgrader reads the cell's output as partial credit."""


def notebook_namespace() -> dict:
    """The globals of the notebook (or script) that called ``check``."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is not None:
        return shell.user_ns
    return inspect.stack()[3].frame.f_globals


def format_result(result: QuestionResult, hidden: bool, points: float | None = None) -> str:
    """The table a student reads under a test cell: ``k / n points`` with ``n`` the
    question's ``points`` (all of its checks'), even when only the visible ones ran."""
    points = result.max_score if points is None else points
    kind = "all checks" if hidden else "visible checks"
    lines = [f"{result.id}: {result.score:g} / {points:g} points ({kind})"]
    for c in result.checks:
        mark = "PASS" if c.earned == c.points else "FAIL"
        lines.append(f"  [{mark}] {c.description} ({c.earned:g}/{c.points:g})")
        if c.feedback:
            lines.extend("         " + line for line in c.feedback.splitlines())
    if not hidden:
        rest = points - result.max_score
        more = (f", and hidden checks give the other {rest:g} point{'s' * (rest != 1)}"
                if rest else "")
        lines.append(f"  When your notebook is graded, these checks run again on other "
                     f"inputs{more}.")
    return "\n".join(lines)


def run_in_cell(question: Question, run: Callable[[Question, Student], QuestionResult],
                hidden: bool) -> Score:
    """``run(question, student)`` on this notebook's functions, its table printed; the points.

    Nothing reaches stderr while the checks run (nbgrader would zero the cell):
    warnings are silenced, stray stderr output is dropped.

    Under ``nbgrader validate``, which compares a cell's value with all of the
    question's points but scores nothing, a question whose checks all pass
    returns all its points, and the table of one that lost points goes to
    stderr, where validate shows it as the reason the cell failed.
    """
    namespace = notebook_namespace()
    with warnings.catch_warnings(), contextlib.redirect_stderr(io.StringIO()):
        warnings.simplefilter("ignore")
        result = run(question, LocalStudent(namespace))
    passed = result.score == result.max_score
    validating = os.environ.get("NBGRADER_VALIDATING") == "1"
    print(format_result(result, hidden, question.max_score),
          file=sys.stderr if validating and not passed else sys.stdout)
    return Score(question.max_score if validating and passed else result.score)


def check(question_id: str) -> Score:
    """Run a question's visible checks on the functions this notebook defines; return the
    points they give."""
    return run_in_cell(get_question(question_id), run_visible, hidden=False)
