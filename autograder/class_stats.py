"""Where a class stands, from the batch grader's records: the numbers of the class report.

Everything here is computed from the batch grader's records (see
:mod:`autograder.record`), one lab at a time: the distribution of the total
scores, each question's mean, share of full marks and discrimination, each
check's pass rate and the mistakes the feedback named, with who made them.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from autograder.record import Record

MAX_BINS = 20


@dataclass(frozen=True)
class QuestionStats:
    """``mean`` points, ``full`` the share of submissions with full marks, ``discrimination``
    the correlation of the question's score with the rest of the total (nan when either
    does not vary)."""

    id: str
    max_score: float
    mean: float
    full: float
    discrimination: float

    @property
    def mean_share(self) -> float:
        return self.mean / self.max_score if self.max_score else 1.0


@dataclass(frozen=True)
class CheckStats:
    """How many of the submissions that ran a check passed it (earned all its points)."""

    question: str
    name: str
    description: str
    hidden: bool
    passed: int
    total: int

    @property
    def pass_rate(self) -> float:
        return self.passed / self.total if self.total else 0.0


@dataclass
class LabStats:
    """One lab's class: its records' numbers."""

    lab: str
    max_score: float
    scores: list[float]
    errors: list[tuple[str, tuple[str, ...]]]  # (submission, its errors), those with any
    flags: list[tuple[str, tuple[str, ...]]]  # (submission, its flags), those with any
    edges: np.ndarray
    counts: np.ndarray
    questions: list[QuestionStats]
    checks: list[CheckStats]
    mistakes: dict[str, list[str]] = field(default_factory=dict)  # id -> submissions
    examples: dict[str, str] = field(default_factory=dict)  # id -> a feedback line naming it

    @property
    def count(self) -> int:
        return len(self.scores)

    @property
    def mean(self) -> float:
        return float(np.mean(self.scores)) if self.scores else math.nan

    @property
    def median(self) -> float:
        return float(np.median(self.scores)) if self.scores else math.nan


def by_lab(records: Iterable[Record]) -> dict[str, list[Record]]:
    """The records grouped by lab, labs in sorted order (a record of no lab under ``""``)."""
    groups: dict[str, list[Record]] = defaultdict(list)
    for record in records:
        groups[record.lab].append(record)
    return dict(sorted(groups.items()))


def histogram(scores: list[float], max_score: float) -> tuple[np.ndarray, np.ndarray]:
    """Bin edges from 0 to ``max_score`` or just past it, a whole number of points apart (one
    point where there are at most :data:`MAX_BINS` points; the last bin holds its upper edge
    too), and the number of scores in each."""
    top = max(max_score, max(scores, default=0.0), 1.0)
    width = math.ceil(top / MAX_BINS)
    edges = np.arange(0.0, math.ceil(top / width) * width + width / 2, width)
    counts, _ = np.histogram(scores, bins=edges)
    return edges, counts


def correlation(x: list[float], y: list[float]) -> float:
    """Pearson's correlation (the point-biserial one where ``x`` is right or wrong); nan
    when either does not vary."""
    a, b = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if len(a) < 2 or np.ptp(a) == 0 or np.ptp(b) == 0:
        return math.nan
    return float(np.corrcoef(a, b)[0, 1])


def question_stats(records: list[Record]) -> list[QuestionStats]:
    """Each question of the records, those that most need teaching (lowest mean share of
    the points) first."""
    ids = list(dict.fromkeys(q.id for r in records for q in r.questions))
    stats = []
    for qid in ids:
        scored = [(q, r.score) for r in records for q in r.questions if q.id == qid]
        own = [q.score for q, _ in scored]
        rest = [total - q.score for q, total in scored]
        top = max(q.max_score for q, _ in scored)
        stats.append(QuestionStats(qid, top, float(np.mean(own)),
                                   sum(1 for q, _ in scored if q.score >= q.max_score)
                                   / len(scored), correlation(own, rest)))
    return sorted(stats, key=lambda s: (s.mean_share, -_or_zero(s.discrimination), s.id))


def _or_zero(value: float) -> float:
    return 0.0 if math.isnan(value) else value


def check_stats(records: list[Record]) -> list[CheckStats]:
    """Each check the records ran, the hardest (lowest pass rate) first."""
    tally: dict[tuple[str, str], list] = {}
    for record in records:
        for q in record.questions:
            for c in q.checks:
                entry = tally.setdefault((q.id, c.name), [c, 0, 0])
                entry[1] += c.earned >= c.points
                entry[2] += 1
    stats = [CheckStats(qid, name, c.description, c.hidden, passed, total)
             for (qid, name), (c, passed, total) in tally.items()]
    return sorted(stats, key=lambda s: (s.pass_rate, s.question, s.name))


def mistake_tally(records: list[Record]) -> tuple[dict[str, list[str]], dict[str, str]]:
    """Each mistake id the feedback named, with the submissions that made it (the most
    common first), and one feedback line that names it."""
    who: dict[str, list[str]] = defaultdict(list)
    examples: dict[str, str] = {}
    for record in records:
        for q in record.questions:
            for mistake in q.mistakes:
                who[mistake].append(record.submission)
            for c in q.checks:
                if c.mistake and c.mistake not in examples:
                    examples[c.mistake] = next(
                        (f for f in q.feedback if f.startswith(c.description + ":")), "")
    ordered = dict(sorted(who.items(), key=lambda item: (-len(item[1]), item[0])))
    return ordered, examples


def lab_stats(lab: str, records: list[Record]) -> LabStats:
    """The numbers of one lab's records."""
    scores = [float(r.score) for r in records]
    max_score = max((float(r.max_score) for r in records), default=0.0)
    edges, counts = histogram(scores, max_score)
    mistakes, examples = mistake_tally(records)
    return LabStats(lab, max_score, scores,
                    [(r.submission, r.errors) for r in records if r.errors],
                    [(r.submission, r.flags) for r in records if r.flags],
                    edges, counts, question_stats(records), check_stats(records),
                    mistakes, examples)
