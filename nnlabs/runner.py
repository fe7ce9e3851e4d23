"""Run a question's checks against a student's code and score them.

Fixtures are injected by argument name, as pytest does: ``student``, ``oracle``
and ``rng`` (see :mod:`nnlabs.registry`). Visible checks draw their inputs
from a fixed seed, so a student sees the same example each run, and ask the
answers recorded for those inputs (:mod:`nnlabs.oracle`). Grading (the
instructor's side) runs the same checks again with inputs from a grading seed,
and the hidden checks with them.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from nnlabs.expect import CheckFailed
from nnlabs.oracle import ReplayOracle
from nnlabs.registry import Check, Question
from nnlabs.student import Student, StudentError

VISIBLE_SEED = 20261123

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
    mistake: str = ""  # the id of the mistake the feedback names: <question id>.<key>


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
    def mistakes(self) -> list[str]:
        """The ids of the mistakes the checks' feedback named, each once, in check order."""
        return list(dict.fromkeys(c.mistake for c in self.checks if c.mistake))

    @property
    def flags(self) -> list[str]:
        return [f"{self.id}, {c.description}: {c.flag}" for c in self.checks if c.flag]


def check_rng(check: Check, fresh: bool = False, seed: int | None = None,
              second: bool = False) -> np.random.Generator:
    """The visible seed for a visible check; the grading seed ``seed`` for a hidden one, or
    for a visible check run again on ``fresh`` inputs. ``second`` gives the inputs drawn to
    confirm a named mistake: other draws from the same seed."""
    if check.hidden or fresh:
        if seed is None:
            raise ValueError(f"{check.name} draws from the grading seed: give it")
    else:
        seed = VISIBLE_SEED
    name = (f"{check.question_id}.{check.name}" + ("#fresh" if fresh else "")
            + ("#second" if second else ""))
    return np.random.default_rng([seed, zlib.crc32(name.encode())])


def redrawable(check: Check) -> bool:
    """A check whose inputs come from its ``rng`` fixture, so other inputs can be drawn."""
    return "rng" in check.fixtures


def call_check(check: Check, student: Student, oracle: object, rng: np.random.Generator) -> None:
    """The check's function with the fixtures it asks for."""
    fixtures = {"student": student, "oracle": oracle, "rng": rng}
    check.function(**{name: fixtures[name] for name in check.fixtures})


def confirmed(failure: CheckFailed, check: Check, student: Student, oracle: object,
              fresh: bool, seed: int | None) -> CheckFailed:
    """``failure`` as given if what it names is a fact or is named again on a second input
    drawn for the check; else its most specific fallback the second verdict names too, or
    the one that names nothing (a check with fixed inputs has no second input)."""
    if failure.fallback is None:
        return failure
    again = None
    if redrawable(check):
        try:
            call_check(check, student, oracle, check_rng(check, fresh, seed, second=True))
        except CheckFailed as verdict:
            again = verdict
        except StudentError as error:
            if error.kind in FATAL_KINDS:
                raise
        except Exception:  # noqa: BLE001, S110 - no second verdict: nothing confirms the name
            pass
    return failure.confirmed_by(again)


def run_check(check: Check, student: Student, oracle: object, fresh: bool = False,
              seed: int | None = None, second: bool = False) -> CheckResult:
    """Run one check; any failure becomes feedback and zero points, never an exception.

    ``fresh`` draws a visible check's inputs from the grading seed ``seed`` instead;
    ``second`` draws the inputs that confirm a named mistake (recorded at release time for
    the visible checks). A verdict that names a mistake by its values names it only if a
    second input shows it too (:func:`confirmed`)."""
    result = CheckResult(check.name, check.description, check.points, 0.0, check.hidden)
    try:
        call_check(check, student, oracle, check_rng(check, fresh, seed, second))
        result.earned = check.points
    except CheckFailed as failure:
        failure = confirmed(failure, check, student, oracle, fresh, seed)
        result.feedback = str(failure)
        if failure.mistake:
            result.mistake = f"{check.question_id}.{failure.mistake}"
    except StudentError as error:
        result.feedback = error.explain()
        if error.traceback and error.kind != "NotImplementedError":
            result.feedback += "\n" + error.traceback
        if error.kind in FATAL_KINDS:
            raise
    except Exception as exc:  # noqa: BLE001 - a result the check could not even evaluate
        result.feedback = f"the check could not evaluate your result ({type(exc).__name__}: {exc})."
    return result


def run_checks(question_id: str, checks: Sequence[Check],
               judge: Callable[[Check], CheckResult]) -> QuestionResult:
    """``judge(check)`` for each check in turn; after one that found the student's code
    unresponsive (a hang, a dead worker, no time left), the rest score 0 without running."""
    outcome = QuestionResult(question_id)
    for i, check in enumerate(checks):
        try:
            outcome.checks.append(judge(check))
        except StudentError as fatal:
            outcome.checks.append(CheckResult(check.name, check.description, check.points, 0.0,
                                              check.hidden, fatal.explain()))
            for rest in checks[i + 1:]:
                outcome.checks.append(CheckResult(
                    rest.name, rest.description, rest.points, 0.0, rest.hidden,
                    "not run: your code stopped responding earlier in this question."))
            break
    return outcome


def run_visible(question: Question, student: Student) -> QuestionResult:
    """The question's visible checks, on the inputs of the visible seed, judged by the
    answers recorded for them."""
    replay = ReplayOracle(question.lab)
    return run_checks(question.id, question.visible_checks(),
                      lambda check: run_check(check, student, replay))
