"""The classes nbgrader_config.py plugs into nbgrader, on every lab and on a real gradebook."""

from __future__ import annotations

import csv
import shutil

import pytest
from nbgrader.api import Gradebook
from nbgrader.plugins import CsvExportPlugin

from autograder.catalogue import load_notebook, notebook_path
from autograder.gradebook import COURSE_ID, write_trusted_scores
from autograder.hidden import LAB_MODULES, load_lab
from autograder.nbgrader_plugins import FlaggedCsvExport, RestoreHiddenTests
from autograder.record import QuestionEntry, Record
from autograder.release import ROOT, nbgrader
from nnlabs.notebook import is_test_cell


def test_cells(notebook: dict) -> dict[str, str]:
    return {c["metadata"]["nbgrader"]["grade_id"]: "".join(c["source"])
            for c in notebook["cells"] if is_test_cell(c)}


test_cells.__test__ = False  # a helper, not a test


@pytest.mark.parametrize("lab", LAB_MODULES)
def test_every_released_test_cell_is_recognised_as_released(lab):
    restore = RestoreHiddenTests()
    source, release = test_cells(load_notebook(lab)), test_cells(load_notebook(lab, "labs"))
    assert {name: restore.released_source(text) for name, text in source.items()} == release


@pytest.mark.parametrize("lab", LAB_MODULES)
def test_every_source_test_cell_has_hidden_tests_to_restore(lab):
    source, release = test_cells(load_notebook(lab)), test_cells(load_notebook(lab, "labs"))
    assert all(source[name] != release[name] for name in source)


@pytest.fixture(scope="module")
def graded_gradebook(tmp_path_factory) -> str:
    """A lab-03 gradebook from generate_assignment, two students written by the batch grader."""
    tmp_path = tmp_path_factory.mktemp("course")
    source = notebook_path("lab03")
    shutil.copytree(source.parent, tmp_path / "solutions" / source.parent.name)
    shutil.copy(ROOT / "nbgrader_config.py", tmp_path)
    db_url = f"sqlite:///{tmp_path}/gradebook.db"
    nbgrader("generate_assignment", source.parent.name, root=tmp_path, db_url=db_url)
    questions = [QuestionEntry(q.id, q.max_score / 2, q.max_score) for q in load_lab("lab03")]
    write_trusted_scores(db_url, [
        Record.graded(name, "lab03", questions, errors, [], seed=1)
        for name, errors in (("ada", []), ("bob", ["cell #3: ValueError: oops"]))])
    return db_url


def export_rows(plugin_class: type, db_url: str, to: str) -> list[dict]:
    with Gradebook(db_url, COURSE_ID) as gradebook:
        plugin_class(to=to).export(gradebook)
    with open(to, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_flagged_export_keeps_nbgraders_columns_and_values(graded_gradebook, tmp_path):
    ours = export_rows(FlaggedCsvExport, graded_gradebook, str(tmp_path / "ours.csv"))
    theirs = export_rows(CsvExportPlugin, graded_gradebook, str(tmp_path / "theirs.csv"))
    assert [{k: row[k] for k in theirs[0]} for row in ours] == theirs


def test_flagged_export_names_the_flagged_submission_only(graded_gradebook, tmp_path):
    rows = export_rows(FlaggedCsvExport, graded_gradebook, str(tmp_path / "ours.csv"))
    assert {r["student_id"]: bool(r["problems"]) for r in rows} == {"ada": False, "bob": True}


def test_flagged_export_writes_a_formula_student_id_as_text(graded_gradebook, tmp_path):
    db = tmp_path / "gradebook.db"
    shutil.copy(graded_gradebook.removeprefix("sqlite:///"), db)
    questions = [QuestionEntry(q.id, 0.0, q.max_score) for q in load_lab("lab03")]
    write_trusted_scores(f"sqlite:///{db}", [
        Record.graded("=1+1", "lab03", questions, [], [], seed=1)])
    rows = export_rows(FlaggedCsvExport, f"sqlite:///{db}", str(tmp_path / "ours.csv"))
    assert "'=1+1" in [r["student_id"] for r in rows]
