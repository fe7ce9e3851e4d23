"""nbgrader's SQLite gradebook: the scores it shows, and the batch grader's trusted scores in it.

``nbgrader autograde`` scores a notebook by running its test cells in the
student's own kernel, where the student's code can reach them (patch
``check``, redefine ``Score``...). The batch grader's scores are the trusted
ones; :func:`write_trusted_scores` (``python -m autograder grade --gradebook``)
puts them where formgrader, ``generate_feedback`` and ``nbgrader export``
read:

- each question's grade gets ``manual_score`` = the trusted score. nbgrader's
  ``Grade.score`` prefers the manual score, and ``autograde`` only ever writes
  ``auto_score``, so a later ``nbgrader autograde`` cannot undo it;
  ``auto_score`` keeps what the in-kernel run gave, for comparison;
- each question's answer cell gets a comment saying the batch grader scored it,
  with its feedback; the first one also lists the submission's problems;
- a question whose in-kernel score is higher than the trusted one is flagged
  (a flag returned for the record, and as needing review in formgrader);
- a submission with errors or flags is flagged for review; one the batch
  grader could not grade gets an explicit 0 on every question, never a stale
  earlier score;
- students and submissions missing from the gradebook are created;
- a record whose lab cannot be told (a notebook that is no lab's) is that
  submission's problem: it is not written, and a flag returned for it says so.

The records are not changed: :func:`write_trusted_scores` returns the flags it found for
each, which the caller adds (:meth:`autograder.record.Record.with_flags`).

One transaction per run: if anything else goes wrong (the gradebook lacks a
lab, say), nothing is written.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from nbgrader.api import (
    Assignment,
    Comment,
    Gradebook,
    MissingEntry,
    Student,
    SubmittedAssignment,
    SubmittedNotebook,
)
from nbgrader.api import Grade as GradeRow

from autograder.hidden import load_lab
from autograder.record import Record
from nnlabs.notebook import lab_of

COURSE_ID = "nnlabs"  # nbgrader_config.py gives it to nbgrader
TRUSTED = "Scored by the nnlabs batch grader (trusted): {score:g} / {max_score:g}."
NOT_WRITTEN = "not written to the gradebook: which lab it is cannot be told"


class GradebookError(Exception):
    """The gradebook cannot take these results; nothing was written."""


def database_url(path_or_url: str | Path) -> str:
    """An SQLAlchemy URL: ``sqlite:///...`` for a file path, anything with ``://`` as it is."""
    text = str(path_or_url)
    if "://" in text:
        return text
    path = Path(text).resolve()
    if not path.is_file():
        raise GradebookError(f"no gradebook at {path}: run `nbgrader generate_assignment` "
                             "in the course directory first")
    return f"sqlite:///{path}"


def nbgrader_scores(db_url: str, assignment: str, notebook: str) -> dict[str, dict[str, float]]:
    """``{student: {grade_id: score}}`` as nbgrader shows them, for every submission of
    ``notebook`` (the manual score where there is one, else the autograder's)."""
    scores: dict[str, dict[str, float]] = {}
    with Gradebook(db_url, COURSE_ID) as gradebook:
        for student in gradebook.students:
            try:
                submitted = gradebook.find_submission_notebook(notebook, assignment, student.id)
            except MissingEntry:
                continue
            scores[student.id] = {grade.name: float(grade.score) for grade in submitted.grades}
    return scores


def _assignment(gradebook: Gradebook, lab: str) -> Assignment:
    found = [a for a in gradebook.assignments if lab_of(Path(a.name)) == lab]
    if len(found) != 1 or len(found[0].notebooks) != 1:
        raise GradebookError(f"the gradebook has no single one-notebook assignment for {lab!r} "
                             f"(it has {', '.join(a.name for a in found) or 'none'}): run "
                             "`nbgrader generate_assignment` for the lab first")
    return found[0]


def _submitted_notebook(gradebook: Gradebook, assignment: Assignment,
                        student_id: str) -> SubmittedNotebook:
    """The student's submitted notebook, created with its grades and comments if missing."""
    session = gradebook.db
    try:
        student = gradebook.find_student(student_id)
    except MissingEntry:
        student = Student(id=student_id)
        session.add(student)
    try:
        submission = gradebook.find_submission(assignment.name, student_id)
    except MissingEntry:
        submission = SubmittedAssignment(assignment=assignment, student=student)
        session.add(submission)
    (source,) = assignment.notebooks
    notebook = next((n for n in submission.notebooks if n.name == source.name), None)
    if notebook is None:
        notebook = SubmittedNotebook(notebook=source, assignment=submission)
        session.add(notebook)
    have_grades = {g.cell_id for g in notebook.grades}
    have_comments = {c.cell_id for c in notebook.comments}
    session.add_all([GradeRow(cell_id=cell.id, notebook=notebook) for cell in source.grade_cells
                     if cell.id not in have_grades])
    session.add_all([Comment(cell_id=cell.id, notebook=notebook) for cell in source.solution_cells
                     if cell.id not in have_comments])
    session.flush()
    return notebook


def _write_record(gradebook: Gradebook, record: Record) -> list[str]:
    """Write ``record``'s scores and comments; the flags writing found."""
    lab, student_id = record.lab, record.submission
    notebook = _submitted_notebook(gradebook, _assignment(gradebook, lab), student_id)
    results = {q.id: q for q in record.questions}
    grades = {g.name: g for g in notebook.grades}
    comments = {c.name: c for c in notebook.comments}
    found = [] if results else ["not graded: every question gets 0 in the gradebook"]
    questions = load_lab(lab)
    for question in questions:
        result = results.get(question.id)
        score, max_score, feedback = ((result.score, result.max_score, result.feedback)
                                      if result else (0.0, question.max_score, ("not graded",)))
        grade = grades.get(question.test_cell)
        if grade is None:
            raise GradebookError(f"the gradebook's {lab} has no grade cell {question.test_cell}")
        in_kernel = grade.auto_score
        inflated = in_kernel is not None and in_kernel > score
        if inflated:
            found.append(f"{question.id}: nbgrader autograde gave {in_kernel:g}, the batch "
                         f"grader {score:g}: were the notebook's tests changed?")
        grade.manual_score = float(score)
        grade.needs_manual_grade = inflated
        comment = comments.get(question.answer_cell)
        if comment is not None:
            comment.manual_comment = "\n".join(
                [TRUSTED.format(score=score, max_score=max_score), *feedback])
    first = comments.get(questions[0].answer_cell)
    problems = [*record.errors, *record.flags, *found]
    if first is not None and problems:
        first.manual_comment += "\n\nProblems with this submission:\n" + "\n".join(
            f"- {p}" for p in problems)
    notebook.flagged = bool(problems)
    return found


def write_trusted_scores(db_url: str, records: Sequence[Record]) -> list[list[str]]:
    """Put the batch grader's ``records`` into the gradebook at ``db_url``, all or nothing.

    Returns, for each record in order, the flags writing found: in-kernel scores higher
    than the trusted ones, a submission that could not be graded, one of no lab (which is
    left out, :data:`NOT_WRITTEN`).
    """
    with Gradebook(db_url, COURSE_ID) as gradebook:
        try:
            found = [_write_record(gradebook, r) if r.lab else [NOT_WRITTEN] for r in records]
            gradebook.db.commit()
        except BaseException:
            gradebook.db.rollback()
            raise
    return found
