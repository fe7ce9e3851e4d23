"""The batch grader's scores in a real nbgrader gradebook: re-grades, atomicity, errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

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


def full_marks(student: str) -> dict:
    questions = [{"id": q.id, "score": q.max_score, "max_score": q.max_score, "feedback": []}
                 for q in load_lab(LAB)]
    return {"submission": student, "lab": LAB, "score": sum(q["score"] for q in questions),
            "max_score": sum(q["max_score"] for q in questions), "questions": questions,
            "errors": [], "flags": []}


def unreadable(student: str, tmp_path: Path) -> dict:
    path = tmp_path / student / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
    path.parent.mkdir(parents=True)
    path.write_bytes(as_file(load_notebook(LAB))[:1000])
    return grade_submission(Submission(student, path))


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
    stray = {**full_marks("bob"), "lab": "lab04"}  # the gradebook has no lab 04
    with pytest.raises(GradebookError, match="generate_assignment"):
        write_trusted_scores(db_url, [{**full_marks("ada"), "questions": []}, stray])
    assert nbgrader_scores(db_url, ASSIGNMENT, NOTEBOOK) == before


def test_a_failed_write_adds_no_flags_to_the_records(db_url):
    records = [{**full_marks("ada"), "questions": []}, {**full_marks("bob"), "lab": "lab04"}]
    with pytest.raises(GradebookError):
        write_trusted_scores(db_url, records)
    assert [r["flags"] for r in records] == [[], []]


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
    fault = {**full_marks("ada"), "questions": [],
             "errors": ["the grader failed on this submission: RuntimeError: bug"]}
    write_trusted_scores(db_url, [fault])
    assert set(nbgrader_scores(db_url, ASSIGNMENT, NOTEBOOK)["ada"].values()) == {0.0}
    assert flagged(db_url, "ada")


def test_a_grader_fault_still_names_the_lab_the_gradebook_needs(tmp_path, monkeypatch):
    import autograder.batch

    def fault(*args, **kwargs):
        raise RuntimeError("a bug in the grader")

    monkeypatch.setattr(autograder.batch, "grade_submission", fault)
    path = tmp_path / "ada" / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
    (record,) = autograder.batch.grade_all([Submission("ada", path)])
    assert record["lab"] == LAB


def test_grade_with_gradebook_says_how_many_submissions_it_flagged(db_url, tmp_path, capsys):
    unreadable("ada", tmp_path)
    assert main(["grade", str(tmp_path / "ada"), "--gradebook", db_url]) == 0
    assert f"gradebook {db_url}: 1 written, 1 flagged for review" in capsys.readouterr().out


def test_a_record_of_no_lab_is_left_out_and_the_rest_of_the_class_is_written(db_url):
    stray = {**full_marks("bob"), "lab": "", "questions": [],
             "errors": ["bob/extra/notes.ipynb is not where a notebook is graded"]}
    write_trusted_scores(db_url, [full_marks("ada"), stray])
    assert {s: sum(v.values()) for s, v in nbgrader_scores(db_url, ASSIGNMENT, NOTEBOOK).items()} \
        == {"ada": FULL_MARKS}


def test_a_record_of_no_lab_says_it_was_not_written(db_url):
    stray = {**full_marks("bob"), "lab": "", "questions": []}
    write_trusted_scores(db_url, [full_marks("ada"), stray])
    assert stray["flags"] == [NOT_WRITTEN]


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
