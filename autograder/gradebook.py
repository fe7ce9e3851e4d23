"""nbgrader's SQLite gradebook: reading the scores ``nbgrader autograde`` wrote."""

from __future__ import annotations

from nbgrader.api import Gradebook, MissingEntry


def nbgrader_scores(db_url: str, assignment: str, notebook: str) -> dict[str, dict[str, float]]:
    """``{student: {grade_id: score}}`` for every autograded submission of ``notebook``."""
    scores: dict[str, dict[str, float]] = {}
    with Gradebook(db_url) as gradebook:
        for student in gradebook.students:
            try:
                submitted = gradebook.find_submission_notebook(notebook, assignment, student.id)
            except MissingEntry:
                continue
            scores[student.id] = {grade.name: float(grade.score) for grade in submitted.grades}
    return scores
