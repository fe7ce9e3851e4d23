"""The batch grader's scores in a real nbgrader gradebook: re-grades, atomicity, errors."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

import autograder.batch
from autograder.batch import Submission, grade_submission
from autograder.catalogue import as_file, load_notebook, notebook_path
from autograder.cli import main
from autograder.gradebook import (
    COURSE_ID,
    NOT_WRITTEN,
    GradebookError,
    database_url,
    nbgrader_scores,
    write_trusted_scores,
)
from autograder.hidden import load_lab
from autograder.record import QuestionEntry, Record
from autograder.release import ROOT, nbgrader

LAB = "lab03"
SOURCE = notebook_path(LAB)
ASSIGNMENT, NOTEBOOK = SOURCE.parent.name, SOURCE.stem
FULL_MARKS = sum(q.max_score for q in load_lab(LAB))


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    """A gradebook that ``nbgrader generate_assignment`` filled with lab 03 and nothing else."""
    root = tmp_path_factory.mktemp("course")
    shutil.copytree(SOURCE.parent, root / "solutions" / ASSIGNMENT)
    shutil.copy(ROOT / "nbgrader_config.py", root)
    nbgrader("generate_assignment", ASSIGNMENT, root=root, db_url=f"sqlite:///{root}/gradebook.db")
    return root / "gradebook.db"


@pytest.fixture
def db_url(generated, tmp_path) -> str:
    shutil.copy(generated, tmp_path / "gradebook.db")
    return f"sqlite:///{tmp_path}/gradebook.db"


def full_marks(student: str) -> Record:
    return Record.graded(student, LAB, [QuestionEntry(q.id, q.max_score, q.max_score)
                                        for q in load_lab(LAB)], [], [], seed=1)


def unreadable(student: str, tmp_path: Path) -> Record:
    path = tmp_path / student / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
    path.parent.mkdir(parents=True)
    path.write_bytes(as_file(load_notebook(LAB))[:1000])
    return grade_submission(Submission(student, path))


@pytest.fixture
def grader_fault(monkeypatch) -> Callable[[], None]:
    """Call it to make every grading from then on fail in the grader itself."""

    def fault(*args, **kwargs):
        raise RuntimeError("a bug in the grader")

    return lambda: monkeypatch.setattr(autograder.batch, "grade_submission", fault)


def flagged(db_url: str, student: str) -> bool:
    with Gradebook(db_url, COURSE_ID) as gradebook:
        return gradebook.find_submission_notebook(NOTEBOOK, ASSIGNMENT, student).flagged


def test_students_and_submissions_missing_from_the_gradebook_are_created(db_url):
    write_trusted_scores(db_url, [full_marks("ada")])
    assert sum(nbgrader_scores(db_url, ASSIGNMENT, NOTEBOOK)["ada"].values()) == FULL_MARKS


def test_a_failed_regrade_replaces_the_earlier_score_with_zeros(db_url, tmp_path):
    write_trusted_scores(db_url, [full_marks("ada")])
    write_trusted_scores(db_url, [unreadable("ada", tmp_path)])
    assert set(nbgrader_scores(db_url, ASSIGNMENT, NOTEBOOK)["ada"].values()) == {0.0}


def test_a_failed_regrade_is_flagged_for_review(db_url, tmp_path):
    write_trusted_scores(db_url, [full_marks("ada")])
    write_trusted_scores(db_url, [unreadable("ada", tmp_path)])
    assert flagged(db_url, "ada")


def test_a_clean_regrade_clears_the_flag(db_url, tmp_path):
    write_trusted_scores(db_url, [unreadable("ada", tmp_path)])
    write_trusted_scores(db_url, [full_marks("ada")])
    assert not flagged(db_url, "ada")


def test_writing_twice_gives_the_same_gradebook(db_url):
    write_trusted_scores(db_url, [full_marks("ada"), full_marks("bob")])
    once = nbgrader_scores(db_url, ASSIGNMENT, NOTEBOOK)
    write_trusted_scores(db_url, [full_marks("ada"), full_marks("bob")])
    assert nbgrader_scores(db_url, ASSIGNMENT, NOTEBOOK) == once


def test_a_record_that_cannot_be_written_leaves_the_gradebook_untouched(db_url):
    write_trusted_scores(db_url, [full_marks("ada")])
    before = nbgrader_scores(db_url, ASSIGNMENT, NOTEBOOK)
    stray = replace(full_marks("bob"), lab="lab04")  # the gradebook has no lab 04
    with pytest.raises(GradebookError, match="generate_assignment"):
        write_trusted_scores(db_url, [replace(full_marks("ada"), questions=()), stray])
    assert nbgrader_scores(db_url, ASSIGNMENT, NOTEBOOK) == before


def test_writing_returns_the_flags_it_found_for_each_record_in_order(db_url):
    found = write_trusted_scores(db_url, [full_marks("ada"), replace(full_marks("bob"),
                                                                     questions=())])
    assert found == [[], ["not graded: every question gets 0 in the gradebook"]]


def test_a_missing_gradebook_file_is_an_error_not_a_new_empty_gradebook(tmp_path):
    with pytest.raises(GradebookError, match="generate_assignment"):
        database_url(tmp_path / "gradebook.db")
    assert not (tmp_path / "gradebook.db").exists()


def test_grade_refuses_a_missing_gradebook_before_grading(tmp_path, capsys):
    notebook = tmp_path / "ada" / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
    notebook.parent.mkdir(parents=True)
    notebook.write_bytes(as_file(load_notebook(LAB)))
    assert main(["grade", str(tmp_path / "ada"), "--gradebook", str(tmp_path / "none.db")]) == 2
    assert "no gradebook" in capsys.readouterr().err


def test_a_submission_the_grader_failed_on_gets_zeros_and_a_flag(db_url):
    fault = Record.crashed("ada", LAB, "the grader failed on this submission: RuntimeError: bug",
                           seed=1)
    write_trusted_scores(db_url, [fault])
    assert set(nbgrader_scores(db_url, ASSIGNMENT, NOTEBOOK)["ada"].values()) == {0.0}
    assert flagged(db_url, "ada")


def test_a_grader_fault_still_names_the_lab_the_gradebook_needs(tmp_path, grader_fault):
    grader_fault()
    path = tmp_path / "ada" / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
    (record,) = autograder.batch.grade_all([Submission("ada", path)])
    assert record.lab == LAB


def test_grade_with_gradebook_says_how_many_submissions_it_flagged(db_url, tmp_path, capsys):
    unreadable("ada", tmp_path)
    assert main(["grade", str(tmp_path / "ada"), "--gradebook", db_url]) == 0
    assert f"gradebook {db_url}: 1 written, 1 flagged for review" in capsys.readouterr().out


def test_a_record_of_no_lab_is_left_out_and_the_rest_of_the_class_is_written(db_url):
    stray = Record.ungraded("bob", None, "bob/extra/notes.ipynb is not where a notebook is "
                            "graded", seed=1)
    write_trusted_scores(db_url, [full_marks("ada"), stray])
    assert {s: sum(v.values()) for s, v in nbgrader_scores(db_url, ASSIGNMENT, NOTEBOOK).items()} \
        == {"ada": FULL_MARKS}


def test_a_record_of_no_lab_says_it_was_not_written(db_url):
    stray = replace(full_marks("bob"), lab="", questions=())
    assert write_trusted_scores(db_url, [full_marks("ada"), stray])[1] == [NOT_WRITTEN]


def test_grade_with_a_stray_notebook_writes_the_rest_of_the_class(db_url, tmp_path, capsys):
    notebook = tmp_path / "class" / "ada" / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
    notebook.parent.mkdir(parents=True)
    notebook.write_bytes(as_file(load_notebook(LAB)))
    (tmp_path / "class" / "ada" / "extra").mkdir()
    (tmp_path / "class" / "ada" / "extra" / "notes.ipynb").write_text("{}")
    (tmp_path / "class" / "bob" / "extra").mkdir(parents=True)
    (tmp_path / "class" / "bob" / "extra" / "notes.ipynb").write_text("{}")
    assert main(["grade", str(tmp_path / "class"), "--gradebook", db_url]) == 0
    assert sum(nbgrader_scores(db_url, ASSIGNMENT, NOTEBOOK)["ada"].values()) == FULL_MARKS
    assert "1 not written (no lab)" in capsys.readouterr().out


def test_grade_writes_what_the_gradebook_found_into_the_json(db_url, tmp_path, grader_fault):
    unreadable("ada", tmp_path)
    grader_fault()
    out = tmp_path / "results.json"
    assert main(["grade", str(tmp_path / "ada"), "--gradebook", db_url, "--json", str(out)]) == 0
    (record,) = json.loads(out.read_text())["submissions"]
    assert record["flags"] == ["not graded: every question gets 0 in the gradebook"]
