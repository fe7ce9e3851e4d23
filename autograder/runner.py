"""Run a question's checks against a student's code and score them.

Fixtures are injected by argument name, as pytest does: ``student``, ``oracle``
and ``rng`` (see :mod:`autograder.registry`). Visible checks draw their inputs
from a fixed seed, so a student sees the same example each run; hidden checks
draw from the grading seed, so their inputs are unknown until grading time.

There is no default grading seed: the checks ship with the course, so inputs
drawn from a known seed could be computed beforehand and answered from a table.
Grading draws a fresh random seed unless the instructor gives one
(``NNLABS_GRADING_SEED``, to re-grade as before); the batch grader records it
with every result.
"""

from __future__ import annotations

import inspect
import os
import secrets
import zlib
from dataclasses import dataclass, field

import numpy as np

from autograder.expect import CheckFailed
from autograder.oracle import ReferenceOracle, ReplayOracle
from autograder.registry import Check, Question
from autograder.student import Student, StudentError

VISIBLE_SEED = 20261123
SEED_VARIABLE = "NNLABS_GRADING_SEED"


def grading_seed() -> int:
    """``NNLABS_GRADING_SEED`` when set (a re-grade), else a fresh random seed: 53 bits,
    too many to search at grading time, and exact in any JSON reader."""
    given = os.environ.get(SEED_VARIABLE, "").strip()
    return int(given) if given else secrets.randbelow(2**53)


# Student failures after which the question's remaining checks are not attempted.
FATAL_KINDS = ("Timeout", "WorkerDied", "OutOfTime")


@dataclass
class CheckResult:
    name: str
    description: str
    points: float
    earned: float
    hidden: bool
    feedback: str = ""
    flag: str = ""  # for the instructor: what looks like gaming the checks


HARD_CODED = ("passes on the visible example but not on other inputs drawn at grading time, "
              "so the points are not given: is the answer hard-coded, or does the code "
              "behave differently when graded?")


@dataclass
class QuestionResult:
    id: str
    checks: list[CheckResult] = field(default_factory=list)

    @property
    def score(self) -> float:
        return sum(c.earned for c in self.checks)

    @property
    def max_score(self) -> float:
        return sum(c.points for c in self.checks)

    @property
    def feedback(self) -> list[str]:
        return [f"{c.description}: {c.feedback}" for c in self.checks if c.feedback]

    @property
    def flags(self) -> list[str]:
        return [f"{self.id}, {c.description}: {c.flag}" for c in self.checks if c.flag]


def check_rng(check: Check, fresh: bool = False, seed: int | None = None) -> np.random.Generator:
    """The visible seed for a visible check; the grading seed ``seed`` (a fresh one when
    None) for a hidden one, or for a visible check run again on ``fresh`` inputs."""
    if check.hidden or fresh:
        seed = grading_seed() if seed is None else seed
    else:
        seed = VISIBLE_SEED
    name = f"{check.question_id}.{check.name}" + ("#fresh" if fresh else "")
    return np.random.default_rng([seed, zlib.crc32(name.encode())])


def oracle_modules(question: Question) -> tuple[str, ...]:
    """The reference modules a question's lab module names as its oracle."""
    return getattr(inspect.getmodule(question.checks[0].function), "ORACLE_MODULES", ())


def run_check(check: Check, student: Student, oracle: object, fresh: bool = False,
              seed: int | None = None) -> CheckResult:
    """Run one check; any failure becomes feedback and zero points, never an exception.

    ``fresh`` draws a visible check's inputs from the grading seed ``seed`` instead."""
    fixtures = {"student": student, "oracle": oracle, "rng": check_rng(check, fresh, seed)}
    wanted = inspect.signature(check.function).parameters
    result = CheckResult(check.name, check.description, check.points, 0.0, check.hidden)
    try:
        check.function(**{name: fixtures[name] for name in wanted})
        result.earned = check.points
    except CheckFailed as failure:
        result.feedback = str(failure)
    except StudentError as error:
        result.feedback = error.explain()
        if error.traceback and error.kind != "NotImplementedError":
            result.feedback += "\n" + error.traceback
        if error.kind in FATAL_KINDS:
            raise
    except Exception as exc:  # noqa: BLE001 - a result the check could not even evaluate
        result.feedback = f"the check could not evaluate your result ({type(exc).__name__}: {exc})."
    return result


def run_question(question: Question, student: Student, *, hidden: bool,
                 seed: int | None = None) -> QuestionResult:
    """Visible checks only, or (``hidden=True``) every check, as grading does, the hidden
    inputs drawn from the grading seed ``seed`` (a fresh one when None).

    Visible checks ask the recorded oracle, hidden checks the reference itself
    (see :mod:`autograder.oracle`). When grading, a visible check that draws its
    inputs from ``rng`` and passes is run again on fresh inputs against the
    reference: its points stand only if it passes there too, so answers
    hard-coded for the visible example, or code that recognises it, earn nothing.
    """
    checks = question.checks if hidden else question.visible_checks()
    replay = ReplayOracle(question.lab)
    reference = ReferenceOracle(oracle_modules(question)) if hidden else None
    outcome = QuestionResult(question.id)
    seed = grading_seed() if seed is None else seed
    for i, check in enumerate(checks):
        try:
            result = run_check(check, student, reference if check.hidden else replay, seed=seed)
            if hidden and not check.hidden and result.earned and redrawable(check):
                again = run_check(check, student, reference, fresh=True, seed=seed)
                if not again.earned:
                    result.earned, result.flag = 0.0, HARD_CODED
                    result.feedback = f"{HARD_CODED} On other inputs: {again.feedback}"
            outcome.checks.append(result)
        except StudentError as fatal:
            outcome.checks.append(CheckResult(check.name, check.description, check.points, 0.0,
                                              check.hidden, fatal.explain()))
            for rest in checks[i + 1:]:
                outcome.checks.append(CheckResult(
                    rest.name, rest.description, rest.points, 0.0, rest.hidden,
                    "not run: your code stopped responding earlier in this question."))
            break
    return outcome


def redrawable(check: Check) -> bool:
    """A check whose inputs come from its ``rng`` fixture, so other inputs can be drawn."""
    return "rng" in inspect.signature(check.function).parameters
