"""The batch grader's result record: one per submission, and its JSON.

A record is what grading one submission gives (:mod:`autograder.batch`), what the
gradebook, the CSV, the feedback pages, Canvas, Gradescope and the class report read, and
what ``--json`` writes. Its JSON (:meth:`Record.to_json`, read back by
:meth:`Record.from_json`; the Dask cluster sends it between processes too) is::

    {"submission": str, "lab": str, "score": float, "max_score": float,
     "questions": [QUESTION], "errors": [str], "flags": [str], "seed": int}

    QUESTION = {"id": str, "score": float, "max_score": float, "feedback": [str],
                "mistakes": [str], "checks": [CHECK]}

    CHECK = {"name": str, "description": str, "hidden": bool, "points": float,
             "earned": float, "mistake": str | None}

``errors`` say why points were lost to something other than a wrong answer (a notebook
that cannot be read, a cell that raised); ``flags``, what an instructor should look at
(a classmate's identical file, a cell that hung, tampering). ``mistakes`` are the ids of
the mistakes the question's feedback named (``lab03.sigmoid_backward.<key>``, see
:mod:`nnlabs.expect`); each check's ``mistake`` is that id or null. ``seed`` is the
grading seed the hidden checks drew their inputs from.

A record is never changed once made: what comes later (the gradebook's findings) makes
a new one (:meth:`Record.with_flags`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from nnlabs.registry import Check, Question
from nnlabs.runner import CheckResult, QuestionResult


@dataclass(frozen=True)
class CheckEntry:
    """One check run on a submission: what it was worth and what it earned."""

    name: str
    description: str
    hidden: bool
    points: float
    earned: float
    mistake: str | None = None

    @classmethod
    def of(cls, result: CheckResult) -> CheckEntry:
        return cls(result.name, result.description, result.hidden, result.points,
                   result.earned, result.mistake or None)

    @classmethod
    def unearned(cls, check: Check) -> CheckEntry:
        """A check that was not run: none of its points."""
        return cls(check.name, check.description, check.hidden, check.points, 0.0)

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "description": self.description, "hidden": self.hidden,
                "points": self.points, "earned": self.earned, "mistake": self.mistake}


@dataclass(frozen=True)
class QuestionEntry:
    """One question of a submission: its score, the feedback and the checks behind it."""

    id: str
    score: float
    max_score: float
    feedback: tuple[str, ...] = ()
    mistakes: tuple[str, ...] = ()
    checks: tuple[CheckEntry, ...] = ()

    @classmethod
    def graded(cls, result: QuestionResult) -> QuestionEntry:
        return cls(result.id, result.score, result.max_score, tuple(result.feedback),
                   tuple(result.mistakes), tuple(CheckEntry.of(c) for c in result.checks))

    @classmethod
    def ungraded(cls, question: Question, reason: str) -> QuestionEntry:
        """The question at 0 because of ``reason``, its checks listed as not earned."""
        return cls(question.id, 0.0, question.max_score, (f"not graded: {reason}",), (),
                   tuple(CheckEntry.unearned(c) for c in question.checks))

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "score": self.score, "max_score": self.max_score,
                "feedback": list(self.feedback), "mistakes": list(self.mistakes),
                "checks": [c.to_json() for c in self.checks]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> QuestionEntry:
        return cls(data["id"], data["score"], data["max_score"], tuple(data["feedback"]),
                   tuple(data["mistakes"]), tuple(CheckEntry(**c) for c in data["checks"]))


@dataclass(frozen=True)
class Record:
    """A submission's result (the module docstring gives its JSON). Made by one of
    :meth:`graded`, :meth:`ungraded` and :meth:`crashed`."""

    submission: str
    lab: str
    score: float
    max_score: float
    questions: tuple[QuestionEntry, ...]
    errors: tuple[str, ...]
    flags: tuple[str, ...]
    seed: int

    @classmethod
    def graded(cls, submission: str, lab: str, questions: Sequence[QuestionEntry],
               errors: Iterable[str], flags: Iterable[str], seed: int) -> Record:
        """A submission whose questions were graded (some perhaps not, see
        :meth:`QuestionEntry.ungraded`): its score is theirs."""
        return cls(submission, lab, float(sum(q.score for q in questions)),
                   float(sum(q.max_score for q in questions)), tuple(questions), tuple(errors),
                   tuple(flags), seed)

    @classmethod
    def ungraded(cls, submission: str, lab: str | None, problem: str, seed: int,
                 questions: Sequence[Question] = (), flags: Iterable[str] = ()) -> Record:
        """A submission not graded at all because of ``problem`` (no notebook, an unreadable
        one, no lab): every question of its lab (none when the lab cannot be told) at 0."""
        return cls.graded(submission, lab or "", [QuestionEntry.ungraded(q, problem)
                                                  for q in questions], [problem], flags, seed)

    @classmethod
    def crashed(cls, submission: str, lab: str | None, error: str, seed: int,
                flags: Iterable[str] = ()) -> Record:
        """A submission the grader failed on (a fault of its own, a lost Dask worker): no
        question, 0 of 0, ``error`` saying why."""
        return cls(submission, lab or "", 0.0, 0.0, (), (error,), tuple(flags), seed)

    def with_flags(self, flags: Iterable[str]) -> Record:
        """This record, ``flags`` added after its own."""
        return replace(self, flags=(*self.flags, *flags))

    def to_json(self) -> dict[str, Any]:
        """The record as JSON data, in the module docstring's shape and key order."""
        return {"submission": self.submission, "lab": self.lab, "score": self.score,
                "max_score": self.max_score,
                "questions": [q.to_json() for q in self.questions],
                "errors": list(self.errors), "flags": list(self.flags), "seed": self.seed}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Record:
        """The record :meth:`to_json` gave ``data`` for."""
        return cls(data["submission"], data["lab"], data["score"], data["max_score"],
                   tuple(QuestionEntry.from_json(q) for q in data["questions"]),
                   tuple(data["errors"]), tuple(data["flags"]), data["seed"])
