"""Every lab through nbgrader in one temporary course: generate_assignment, autograde, gradebook.

The course holds every lab's source and this repository's ``nbgrader_config.py``.
``nbgrader generate_assignment "*"`` releases them all; one student, ``bea``,
hands in every lab half done (the released notebook with the first half of
the answers typed in), which ``nbgrader autograde "*"`` and the batch grader
both grade; another, ``ada``, gets full marks written by the gradebook writer.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from autograder.catalogue import as_file, load_notebook, notebook_path, typed_into_release
from autograder.gradebook import COURSE_ID, nbgrader_scores, write_trusted_scores
from autograder.hidden import LAB_MODULES, load_lab
from autograder.record import QuestionEntry, Record
from autograder.release import ROOT, nbgrader

pytestmark = pytest.mark.slow


@dataclass
class Course:
    db_url: str
    autograde_log: str
    in_kernel: dict[str, dict[str, float]]  # bea's scores per lab, as nbgrader autograde gave
    batch: dict[str, dict[str, float]]      # ... and as the batch grader gave


def names(lab: str) -> tuple[str, str]:
    source = notebook_path(lab)
    return source.parent.name, source.stem


def full_marks(lab: str) -> dict[str, float]:
    return {q.test_cell: q.max_score for q in load_lab(lab)}


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Course:
    root: Path = tmp_path_factory.mktemp("course")
    shutil.copytree(ROOT / "solutions", root / "solutions")
    shutil.copy(ROOT / "nbgrader_config.py", root)
    url = f"sqlite:///{root}/gradebook.db"
    nbgrader("generate_assignment", "*", root=root, db_url=url)
    for lab in LAB_MODULES:
        assignment, notebook = names(lab)
        half = typed_into_release(lab, load_notebook(lab), keep=len(load_lab(lab)) // 2)
        path = root / "submitted" / "bea" / assignment / f"{notebook}.ipynb"
        path.parent.mkdir(parents=True)
        path.write_bytes(as_file(half))
    autograde = nbgrader("autograde", "*", root=root, db_url=url)
    in_kernel = {lab: nbgrader_scores(url, *names(lab))["bea"] for lab in LAB_MODULES}
    subprocess.run([sys.executable, "-m", "autograder", "grade", str(root / "submitted"),
                    "--jobs", "2", "--json", str(root / "results.json")], check=True,
                   capture_output=True)
    batch = {r["lab"]: {q.test_cell: next(x["score"] for x in r["questions"] if x["id"] == q.id)
                        for q in load_lab(r["lab"])}
             for r in json.loads((root / "results.json").read_text())["submissions"]}
    write_trusted_scores(url, [
        Record.graded("ada", lab, [QuestionEntry(q.id, q.max_score, q.max_score)
                                   for q in load_lab(lab)], [], [], seed=1)
        for lab in LAB_MODULES])
    return Course(url, autograde.stderr, in_kernel, batch)


@pytest.mark.parametrize("lab", LAB_MODULES)
def test_generated_gradebook_has_one_grade_cell_per_question_with_its_points(course, lab):
    assignment, notebook = names(lab)
    with Gradebook(course.db_url, COURSE_ID) as gradebook:
        cells = {c.name: c.max_score for c in
                 gradebook.find_notebook(notebook, assignment).grade_cells}
    assert cells == full_marks(lab)


@pytest.mark.parametrize("lab", LAB_MODULES)
def test_autograde_and_batch_grader_agree_on_a_half_done_notebook(course, lab):
    assert course.in_kernel[lab] == course.batch[lab]


@pytest.mark.parametrize("lab", LAB_MODULES)
def test_a_half_done_notebook_earns_some_points_but_not_all(course, lab):
    assert 0 < sum(course.in_kernel[lab].values()) < sum(full_marks(lab).values())


def test_autograde_of_every_lab_reports_no_checksum_change(course):
    assert [line for line in course.autograde_log.splitlines() if "checksum" in line.lower()] == []


@pytest.mark.parametrize("lab", LAB_MODULES)
def test_trusted_scores_land_on_every_labs_grade_cells(course, lab):
    assert nbgrader_scores(course.db_url, *names(lab))["ada"] == full_marks(lab)
