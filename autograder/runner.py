"""Grading a question: its visible checks on fresh inputs and its hidden checks, against the
answer key.

There is no default grading seed: the checks ship with the course, so inputs
drawn from a known seed could be computed beforehand and answered from a table.
Grading draws a fresh random seed unless the instructor gives one
(``NNLABS_GRADING_SEED``, to re-grade as before); the batch grader records it
with every result.
"""

from __future__ import annotations

import functools
import os
import secrets

from autograder.oracle import ReferenceOracle
from nnlabs.oracle import ReplayOracle
from nnlabs.registry import Check, Question
from nnlabs.runner import (
    CheckResult,
    QuestionResult,
    redrawable,
    run_check,
    run_checks,
    run_visible,
)
from nnlabs.student import Student

SEED_VARIABLE = "NNLABS_GRADING_SEED"

HARD_CODED = ("passes on the visible example but not on other inputs drawn at grading time, "
              "so the points are not given: is the answer hard-coded, or does the code "
              "behave differently when graded?")


def grading_seed() -> int:
    """``NNLABS_GRADING_SEED`` when set (a re-grade), else a fresh random seed: 53 bits,
    too many to search at grading time, and exact in any JSON reader."""
    given = os.environ.get(SEED_VARIABLE, "").strip()
    return int(given) if given else secrets.randbelow(2**53)


@functools.cache
def _replay(lab: str) -> ReplayOracle:
    """The lab's recorded answers, read once per process (every question of every
    submission asks them; reading them again cost 11 ms per lab-03 submission)."""
    return ReplayOracle(lab)


def run_question(question: Question, student: Student, *, hidden: bool,
                 seed: int | None = None) -> QuestionResult:
    """Visible checks only, or (``hidden=True``) every check, as grading does, the hidden
    inputs drawn from the grading seed ``seed`` (a fresh one when None).

    Visible checks ask the recorded answers, hidden checks the answer key itself
    (see :mod:`autograder.oracle`). When grading, a visible check that draws its
    inputs from ``rng`` and passes is run again on fresh inputs against the
    answer key: its points stand only if it passes there too, so answers
    hard-coded for the visible example, or code that recognises it, earn nothing.
    """
    if not hidden:
        return run_visible(question, student)
    replay, reference = _replay(question.lab), ReferenceOracle(question.lab)
    seed = grading_seed() if seed is None else seed

    def judge(check: Check) -> CheckResult:
        if check.hidden:
            return run_check(check, student, reference, seed=seed)
        result = run_check(check, student, replay)
        if result.earned and redrawable(check):
            again = run_check(check, student, reference, fresh=True, seed=seed)
            if not again.earned:
                result.earned, result.flag, result.mistake = 0.0, HARD_CODED, again.mistake
                result.feedback = f"{HARD_CODED} On other inputs: {again.feedback}"
        return result

    return run_checks(question.id, question.checks, judge)
