"""Questions and their checks: the one place a lab's grading is written.

A lab's module of visible checks (``nnlabs/checks/lab03.py``) declares its questions,
each with all the points it is worth, and their visible checks::

    relu = Question("lab03.relu_backward", functions=("relu_backward",), points=3)

    @relu.check(points=1)
    def test_matches_central_differences_on_a_small_example(student, oracle, rng): ...

The instructor's side adds the hidden checks to the same questions
(``autograder/hidden/lab03.py``: ``@relu.check(points=2, hidden=True)``), so a
student's copy of this package holds no hidden check, and a question's
``points`` say what the hidden ones add.

A check is a plain pytest-style function: it asserts (through the helpers in
:mod:`nnlabs.expect`) and receives its fixtures by argument name:

``student``  the student's code (:mod:`nnlabs.student`), called like a module;
``oracle``   the values recorded from the answer key at release time
             (:mod:`nnlabs.oracle`), or when grading, the answer key itself;
``rng``      a ``numpy.random.Generator`` seeded from the check's name and from
             whether it is visible or hidden, so hidden inputs differ from the
             visible ones and are drawn at grading time.

A question's points are the sum of its checks' points (visible and hidden): partial credit.
"""

from __future__ import annotations

import functools
import importlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

CHECKS = "nnlabs.checks"
LAB_MODULES = tuple(sorted(p.stem for p in (Path(__file__).parent / "checks").glob("lab[0-9]*.py")))


@dataclass(frozen=True)
class Check:
    """One graded fact about a question, worth ``points``."""

    question_id: str
    function: Callable[..., None]
    points: float
    hidden: bool

    @property
    def name(self) -> str:
        return self.function.__name__

    @functools.cached_property
    def fixtures(self) -> tuple[str, ...]:
        """The fixtures the check asks for (``student``, ``oracle``, ``rng``), by name;
        read once, as a class is graded check by check."""
        return tuple(inspect.signature(self.function).parameters)

    @property
    def description(self) -> str:
        """The test name as a sentence: ``test_keeps_float32`` -> ``keeps float32``."""
        return self.name.removeprefix("test_").replace("_", " ")


@dataclass
class Question:
    """A graded question: an id like ``lab03.relu_backward`` and its checks.

    ``functions`` names what the student must define; a missing name fails the
    question's checks with a message saying so, not with a crash. ``points`` is
    what all its checks are worth, the hidden ones included.
    """

    id: str
    functions: tuple[str, ...]
    points: float
    checks: list[Check] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.id in QUESTIONS:
            raise ValueError(f"question {self.id} is declared twice")
        QUESTIONS[self.id] = self

    @property
    def lab(self) -> str:
        return self.id.split(".", 1)[0]

    @property
    def max_score(self) -> float:
        return float(self.points)

    @property
    def answer_cell(self) -> str:
        """The nbgrader ``grade_id`` of the notebook cell the student answers in."""
        return self.id.split(".", 1)[1]

    @property
    def test_cell(self) -> str:
        """The nbgrader ``grade_id`` of the question's test cell (its points in nbgrader)."""
        return "test_" + self.answer_cell

    def visible_checks(self) -> list[Check]:
        return [c for c in self.checks if not c.hidden]

    def check(self, points: float, hidden: bool = False) -> Callable:
        """Decorator that adds a check worth ``points`` to this question."""

        def register(function: Callable[..., None]) -> Callable[..., None]:
            # pytest collects a lab module's functions by name: names must be unique per lab.
            if any(c.name == function.__name__ for q in QUESTIONS.values() if q.lab == self.lab
                   for c in q.checks):
                raise ValueError(f"{self.lab} has two checks named {function.__name__}")
            self.checks.append(Check(self.id, function, float(points), hidden))
            return function

        return register


QUESTIONS: dict[str, Question] = {}


def load_lab(lab: str) -> list[Question]:
    """Import ``nnlabs.checks.<lab>`` and return its questions in declaration order."""
    importlib.import_module(f"{CHECKS}.{lab}")
    return questions_of(lab)


def questions_of(lab: str) -> list[Question]:
    """The questions of ``lab`` declared so far, in declaration order."""
    return [q for q in QUESTIONS.values() if q.lab == lab]


def get_question(question_id: str) -> Question:
    """The question with this id, importing its lab module on first use."""
    lab = question_id.split(".", 1)[0]
    if question_id not in QUESTIONS:
        if lab not in LAB_MODULES:
            raise KeyError(f"no lab {lab!r}; labs are {', '.join(LAB_MODULES)}")
        load_lab(lab)
    try:
        return QUESTIONS[question_id]
    except KeyError:
        known = ", ".join(q.id for q in questions_of(lab))
        raise KeyError(f"no question {question_id!r}; {lab} has {known}") from None
