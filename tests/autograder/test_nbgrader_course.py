"""Every lab through `nbgrader generate_assignment` in a temporary course, then its gradebook."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from autograder.catalogue import notebook_path
from autograder.gradebook import COURSE_ID, nbgrader_scores, write_trusted_scores
from autograder.registry import LAB_MODULES, load_lab
from autograder.release import ROOT, nbgrader

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def db_url(tmp_path_factory) -> str:
    """A course holding every lab's source and this course's config, after
    ``nbgrader generate_assignment "*"``; then a student with full marks in every lab,
    written by the batch grader's gradebook writer."""
    root: Path = tmp_path_factory.mktemp("course")
    shutil.copytree(ROOT / "solutions", root / "solutions")
    shutil.copy(ROOT / "nbgrader_config.py", root)
    url = f"sqlite:///{root}/gradebook.db"
    nbgrader("generate_assignment", "*", root=root, db_url=url)
    records = []
    for lab in LAB_MODULES:
        questions = [{"id": q.id, "score": q.max_score, "max_score": q.max_score,
                      "feedback": []} for q in load_lab(lab)]
        records.append({"submission": "ada", "lab": lab, "score": 0.0, "max_score": 0.0,
                        "questions": questions, "errors": [], "flags": []})
    write_trusted_scores(url, records)
    return url


def names(lab: str) -> tuple[str, str]:
    source = notebook_path(lab)
    return source.parent.name, source.stem


@pytest.mark.parametrize("lab", LAB_MODULES)
def test_generated_gradebook_has_one_grade_cell_per_question_with_its_points(db_url, lab):
    assignment, notebook = names(lab)
    with Gradebook(db_url, COURSE_ID) as gradebook:
        cells = {c.name: c.max_score for c in
                 gradebook.find_notebook(notebook, assignment).grade_cells}
    assert cells == {q.test_cell: q.max_score for q in load_lab(lab)}


@pytest.mark.parametrize("lab", LAB_MODULES)
def test_trusted_scores_land_on_every_labs_grade_cells(db_url, lab):
    assignment, notebook = names(lab)
    assert nbgrader_scores(db_url, assignment, notebook)["ada"] == {
        q.test_cell: q.max_score for q in load_lab(lab)}
