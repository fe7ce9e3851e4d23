"""What ``nbgrader_config.py`` plugs into nbgrader: a quieter cell restorer and an honest export.

- :class:`RestoreHiddenTests` replaces nbgrader's ``OverwriteCells`` in
  ``autograde``. nbgrader saves a test cell's checksum *with* its hidden tests
  (``SaveCells`` runs before ``ClearHiddenTests`` in ``generate_assignment``),
  so every released test cell, untouched, looks changed to ``OverwriteCells``,
  which warns "Attribute 'checksum' for cell ... has changed!" and only then
  puts the hidden tests back. This class puts them back first when the cell
  is exactly what was released, so the warning is left for cells a student
  really edited.
- :class:`HideHiddenTests` clears hidden tests from ``generate_feedback``'s
  pages, which otherwise show the test cells as autograde ran them.
- :class:`FlaggedCsvExport` is ``nbgrader export``'s CSV with one more column,
  ``problems``: no submission, a notebook flagged for review (the batch grader
  flags what it could not grade or where the in-kernel score was higher than
  its own), grade cells that were never scored. A failed submission is never
  a plain 0. Its cells are neutralized as every CSV the project writes
  (:func:`autograder.names.csv_cell`): a student id like ``=HYPERLINK(...)``
  is text to a spreadsheet, not a formula.
"""

from __future__ import annotations

import csv

from nbformat.notebooknode import NotebookNode
from nbformat.v4 import new_code_cell
from nbgrader.api import Gradebook, MissingEntry, SubmittedAssignment
from nbgrader.plugins import ExportPlugin
from nbgrader.preprocessors import ClearHiddenTests, OverwriteCells
from traitlets import List

from autograder.names import csv_cell


class RestoreHiddenTests(OverwriteCells):
    """``OverwriteCells`` that expects a released test cell to lack its hidden tests."""

    def released_source(self, source: str) -> str:
        """``source`` as ``generate_assignment`` released it: the hidden tests cleared."""
        cell = new_code_cell(source)
        ClearHiddenTests(parent=self)._remove_hidden_test_region(cell)
        return cell.source

    def preprocess_cell(self, cell: NotebookNode, resources: dict,
                        cell_index: int) -> tuple[NotebookNode, dict]:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id is not None:
            try:
                source = self.gradebook.find_source_cell(grade_id, self.notebook_id,
                                                         self.assignment_id)
            except MissingEntry:
                source = None  # OverwriteCells says so
            if (source is not None and source.locked
                    and cell.source == self.released_source(source.source)):
                cell.source = source.source
        return super().preprocess_cell(cell, resources, cell_index)


class HideHiddenTests(ClearHiddenTests):
    """``ClearHiddenTests`` for ``generate_feedback``: the page shows no hidden tests.

    The HTML exporter configures ``display_data_priority`` for every
    preprocessor; declaring it configurable here keeps nbgrader from warning
    that this one does not recognize it.
    """

    display_data_priority = List(
        ClearHiddenTests.class_traits()["display_data_priority"].default(), config=True)


COLUMNS = ("assignment", "duedate", "timestamp", "student_id", "last_name", "first_name",
           "email", "raw_score", "late_submission_penalty", "score", "max_score", "problems")


def submission_problems(submission: SubmittedAssignment) -> list[str]:
    """Why this submission's score should not be taken at face value (empty: no reason)."""
    problems = []
    for notebook in submission.notebooks:
        if notebook.flagged:
            problems.append(f"{notebook.name} flagged for review (see its comments)")
        unscored = sorted(g.name for g in notebook.grades
                          if g.auto_score is None and g.manual_score is None)
        if unscored:
            problems.append(f"{notebook.name}: never scored: {', '.join(unscored)}")
    return problems


class FlaggedCsvExport(ExportPlugin):
    """One row per student and assignment, nbgrader's columns and ``problems``."""

    def export(self, gradebook: Gradebook) -> None:
        with open(self.to or "grades.csv", "w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, COLUMNS)
            writer.writeheader()
            for assignment in gradebook.assignments:
                if self.assignment and assignment.name not in map(str, self.assignment):
                    continue
                for student in gradebook.students:
                    if self.student and student.id not in map(str, self.student):
                        continue
                    row = {"assignment": assignment.name, "duedate": assignment.duedate,
                           "student_id": student.id, "last_name": student.last_name,
                           "first_name": student.first_name, "email": student.email,
                           "max_score": assignment.max_score}
                    try:
                        submission = gradebook.find_submission(assignment.name, student.id)
                    except MissingEntry:
                        row.update(timestamp="", raw_score=0.0, late_submission_penalty=0.0,
                                   score=0.0, problems="no submission")
                    else:
                        penalty = submission.late_submission_penalty or 0.0
                        row.update(timestamp=submission.timestamp, raw_score=submission.score,
                                   late_submission_penalty=penalty,
                                   score=max(0.0, submission.score - penalty),
                                   problems="; ".join(submission_problems(submission)))
                    writer.writerow({k: csv_cell(v) for k, v in row.items()})

