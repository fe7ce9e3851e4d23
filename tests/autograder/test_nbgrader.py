"""nbgrader end to end on lab 03, against the batch grader, in a temporary course directory.

One course, built once for the module: the lab's source and this repository's
``nbgrader_config.py`` copied in, ``nbgrader generate_assignment``, a small
class in ``submitted/<student>/lab03_activations/`` made the way students
make it (the released notebook with their answers typed in), then, as an
instructor runs them: ``nbgrader autograde``, ``nbgrader export``,
``python -m autograder grade --gradebook``, ``nbgrader generate_feedback`` and
``nbgrader export`` again. Each test reads one fact off that course.
"""

from __future__ import annotations

import copy
import csv
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from nbgrader.api import Gradebook
from nbgrader.apps.api import NbGraderAPI
from nbgrader.coursedir import CourseDirectory

from autograder.catalogue import (
    apply_variant,
    as_file,
    load_catalogue,
    load_notebook,
    notebook_path,
    typed_into_release,
)
from autograder.gradebook import COURSE_ID, nbgrader_scores
from autograder.hidden import load_lab
from autograder.release import ROOT, nbgrader

LAB = "lab03"
SOURCE = notebook_path(LAB)
# The instructor gives both graders one seed, so that their hidden inputs are the same.
SEED = "20261203"
ASSIGNMENT, NOTEBOOK = SOURCE.parent.name, SOURCE.stem
BLAS_CELL = ("from threadpoolctl import threadpool_info\n"
             'print("BLAS threads:", max(i["num_threads"] for i in threadpool_info()))')
PATCHED_CHECK = ("import autograder\n"
                 "from nnlabs.incell import Score\n"
                 "from nnlabs.registry import get_question\n\n\n"
                 "def check(question_id):\n"
                 "    return Score(get_question(question_id).max_score)\n\n\n"
                 "autograder.grade = check\n")


def code_cell(source: str) -> dict:
    return {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
            "source": source}


def grade_id(cell: dict) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def with_variants(*names: str) -> dict:
    """The solution with each named catalogue variant applied (each replaces other functions)."""
    catalogue = {v.name: v for v in load_catalogue(LAB)}
    notebook = load_notebook(LAB)
    for name in names:
        notebook = apply_variant(notebook, catalogue[name])
    return notebook


MISTAKES = ("sigmoid-sign-flipped", "relu-modifies-input", "softmax-backward-sum-over-the-batch")


def class_of_lab03() -> dict[str, bytes]:
    solution = load_notebook(LAB)
    correct = typed_into_release(LAB, solution)
    partial = typed_into_release(LAB, solution, keep=5)
    partial["cells"].append(code_cell(BLAS_CELL))
    dies = copy.deepcopy(correct)
    first_test = next(i for i, c in enumerate(dies["cells"]) if grade_id(c) == "test_sigmoid")
    dies["cells"].insert(first_test + 1, code_cell("import os\nos._exit(1)"))
    deleted = copy.deepcopy(correct)
    deleted["cells"] = [c for c in deleted["cells"] if grade_id(c) != "test_tanh"]
    edited = copy.deepcopy(partial)
    (cell,) = [c for c in edited["cells"] if grade_id(c) == "test_relu"]
    cell["source"] = "score = 3.0\nscore"
    patched = copy.deepcopy(partial)
    patched["cells"].insert(first_test - 1, code_cell(PATCHED_CHECK))
    notebooks = {
        "correct": correct, "partial": partial,
        "mistakes": typed_into_release(LAB, with_variants(*MISTAKES)),
        "warns": typed_into_release(
            LAB, with_variants("sigmoid-textbook-form-that-warns-on-overflow")),
        "kernel-dies": dies, "deleted-test": deleted, "edited-test": edited, "patched": patched,
        # Not byte for byte the correct one: two students with the same file are flagged.
        "resubmits": {**correct, "metadata": {**correct["metadata"],
                                              "authors": [{"name": "resubmits"}]}}}
    files = {name: as_file(nb) for name, nb in notebooks.items()}
    files["truncated"] = files["correct"][:2000]
    return files


HONEST = ("correct", "partial", "mistakes", "warns")


@dataclass
class Course:
    root: Path
    db_url: str
    autograde_log: str
    in_kernel: dict[str, dict[str, float]]      # nbgrader's scores right after autograde
    export_before: dict[str, dict[str, str]]    # nbgrader export before --gradebook
    records: dict[str, dict]                    # the batch grader's --json, by student
    gradebook: dict[str, dict[str, float]]      # nbgrader's scores after --gradebook
    export_after: dict[str, dict[str, str]]
    formgrader: dict[str, dict]                 # formgrader's list of submissions, by student
    needs_review: list[str]                     # "patched"'s grades formgrader marks for review
    rerun: dict[str, float]                     # "patched" after autograde ran once more
    # "resubmits" handed in the correct notebook, then a broken one, re-graded by both:
    resubmitted: dict[str, float]               # nbgrader's scores after autograde failed on it
    regraded: dict[str, float]                  # ... and after grade --gradebook on it
    regraded_export: dict[str, str]

    def feedback(self, student: str) -> str:
        path = self.root / "feedback" / student / ASSIGNMENT / f"{NOTEBOOK}.html"
        return path.read_text(encoding="utf-8")

    def autograded(self, student: str) -> dict:
        path = self.root / "autograded" / student / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
        return json.loads(path.read_text(encoding="utf-8"))


def read_export(root: Path) -> dict[str, dict[str, str]]:
    nbgrader("export", "--to=grades.csv", root=root, db_url=f"sqlite:///{root}/gradebook.db")
    with open(root / "grades.csv", newline="", encoding="utf-8") as f:
        return {row["student_id"]: row for row in csv.DictReader(f)}


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Course:
    root = tmp_path_factory.mktemp("course")
    shutil.copytree(SOURCE.parent, root / "solutions" / ASSIGNMENT)
    shutil.copy(ROOT / "nbgrader_config.py", root)
    db_url = f"sqlite:///{root}/gradebook.db"
    nbgrader("generate_assignment", ASSIGNMENT, root=root, db_url=db_url)
    for student, content in class_of_lab03().items():
        path = root / "submitted" / student / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
        path.parent.mkdir(parents=True)
        path.write_bytes(content)
    # Two BLAS threads asked for: the course's configuration must still give kernels one.
    autograde = nbgrader("autograde", ASSIGNMENT, root=root, db_url=db_url, check=False,
                         NNLABS_GRADING_SEED=SEED, OMP_NUM_THREADS="2", OPENBLAS_NUM_THREADS="2",
                         MKL_NUM_THREADS="2")
    in_kernel = nbgrader_scores(db_url, ASSIGNMENT, NOTEBOOK)
    export_before = read_export(root)
    records = grade_into_gradebook(root, root / "submitted")
    nbgrader("generate_feedback", ASSIGNMENT, root=root, db_url=db_url)
    gradebook, export_after = nbgrader_scores(db_url, ASSIGNMENT, NOTEBOOK), read_export(root)

    formgrader = {s["student"]: s for s in NbGraderAPI(coursedir=CourseDirectory(
        root=str(root), db_url=db_url, course_id=COURSE_ID)).get_notebook_submissions(
        ASSIGNMENT, NOTEBOOK)}
    with Gradebook(db_url, COURSE_ID) as book:
        needs_review = sorted(g.name for g in book.find_submission_notebook(
            NOTEBOOK, ASSIGNMENT, "patched").grades if g.needs_manual_grade)
    nbgrader("autograde", ASSIGNMENT, "--student=patched", "--force", root=root, db_url=db_url,
             NNLABS_GRADING_SEED=SEED)
    rerun = nbgrader_scores(db_url, ASSIGNMENT, NOTEBOOK)["patched"]
    resubmitted = root / "submitted" / "resubmits" / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
    resubmitted.write_bytes(resubmitted.read_bytes()[:2000])
    nbgrader("autograde", ASSIGNMENT, "--student=resubmits", "--force", root=root,
             db_url=db_url, check=False, NNLABS_GRADING_SEED=SEED)
    after_autograde = nbgrader_scores(db_url, ASSIGNMENT, NOTEBOOK)["resubmits"]
    grade_into_gradebook(root, resubmitted.parent.parent)
    return Course(root, db_url, autograde.stderr, in_kernel, export_before, records, gradebook,
                  export_after, formgrader, needs_review, rerun, after_autograde,
                  nbgrader_scores(db_url, ASSIGNMENT, NOTEBOOK)["resubmits"],
                  read_export(root)["resubmits"])


def grade_into_gradebook(root: Path, submitted: Path) -> dict[str, dict]:
    """``python -m autograder grade SUBMITTED --gradebook``; the records it wrote, by student."""
    subprocess.run([sys.executable, "-m", "autograder", "grade", str(submitted), "--jobs", "2",
                    "--json", str(root / "results.json"), "--gradebook",
                    str(root / "gradebook.db")], check=True, cwd=root, capture_output=True,
                   env=dict(os.environ, NNLABS_GRADING_SEED=SEED))
    return {r["submission"]: r for r in
            json.loads((root / "results.json").read_text())["submissions"]}


def batch_scores(record: dict) -> dict[str, float]:
    return {q.test_cell: next(r["score"] for r in record["questions"] if r["id"] == q.id)
            for q in load_lab(LAB)}


def full_marks() -> dict[str, float]:
    return {q.test_cell: q.max_score for q in load_lab(LAB)}


pytestmark = pytest.mark.slow


# --------------------------------------------------------------------------- agreement


def test_the_batch_grader_grades_with_the_seed_it_is_given(course):
    assert {r["seed"] for r in course.records.values()} == {int(SEED)}


@pytest.mark.parametrize("student", HONEST)
def test_autograde_and_batch_grader_agree_question_by_question(course, student):
    assert course.in_kernel[student] == batch_scores(course.records[student])


def test_honest_class_spans_full_partial_and_mistaken_scores(course):
    totals = {s: sum(course.in_kernel[s].values()) for s in HONEST}
    full = sum(full_marks().values())
    assert totals["correct"] == totals["warns"] == full
    assert 0 < totals["partial"] < totals["mistakes"] < full


def test_catalogued_mistakes_lose_points_under_autograde_on_their_questions_only(course):
    targets = {v.question for v in load_catalogue(LAB) if v.name in MISTAKES}
    lost = {q.id for q in load_lab(LAB)
            if course.in_kernel["mistakes"][q.test_cell] < q.max_score}
    assert lost == targets and len(targets) == len(MISTAKES)


def test_numpy_warning_on_stderr_keeps_the_points_under_autograde(course):
    assert course.in_kernel["warns"]["test_sigmoid"] == full_marks()["test_sigmoid"]


# --------------------------------------------------------------------------- autograde's log


def test_autograde_warns_of_a_changed_checksum_only_for_the_test_cell_a_student_edited(course):
    warnings = [line for line in course.autograde_log.splitlines() if "checksum" in line.lower()]
    assert len(warnings) == 1 and "cell test_relu has changed" in warnings[0]


def test_an_edited_test_cell_is_run_as_released(course):
    assert course.in_kernel["edited-test"] == course.in_kernel["partial"]


def test_autograde_kernels_get_one_blas_thread(course):
    # a kernel may send one print as several stream messages: what counts is their text
    printed = "".join("".join(o.get("text", "")) for c in course.autograded("partial")["cells"]
                      if "".join(c["source"]) == BLAS_CELL for o in c["outputs"])
    assert printed == "BLAS threads: 1\n"


# --------------------------------------------------------------------------- failure modes


def test_a_deleted_test_cell_is_put_back_and_scored_by_autograde(course):
    assert course.in_kernel["deleted-test"] == full_marks()


def test_a_deleted_test_cell_is_flagged_by_the_batch_grader(course):
    assert any("no test cell test_tanh for lab03.tanh" in f
               for f in course.records["deleted-test"]["flags"])


def test_a_dead_kernel_is_exported_by_nbgrader_as_never_scored(course):
    assert float(course.export_before["kernel-dies"]["score"]) == 0
    assert "never scored" in course.export_before["kernel-dies"]["problems"]


def test_a_dead_kernel_costs_nothing_in_the_gradebook_and_is_flagged(course):
    assert course.gradebook["kernel-dies"] == full_marks()
    assert any("ended the process running the notebook" in f
               for f in course.records["kernel-dies"]["flags"])
    assert "flagged for review" in course.export_after["kernel-dies"]["problems"]


def test_a_submission_autograde_cannot_read_is_exported_with_its_problem(course):
    assert float(course.export_before["truncated"]["score"]) == 0
    assert "never scored" in course.export_before["truncated"]["problems"]


def test_a_submission_the_batch_grader_cannot_read_gets_explicit_zeros_and_a_flag(course):
    assert course.gradebook["truncated"] == {name: 0.0 for name in full_marks()}
    assert "flagged for review" in course.export_after["truncated"]["problems"]


def test_honest_submissions_are_exported_without_problems(course):
    assert {s: course.export_after[s]["problems"] for s in HONEST} == dict.fromkeys(HONEST, "")


# --------------------------------------------------------------------------- --gradebook


def test_a_failed_autograde_regrade_leaves_the_earlier_score_in_place(course):
    assert course.resubmitted == full_marks()


def test_a_failed_regrade_replaces_the_earlier_score_with_zeros_in_the_gradebook(course):
    assert course.regraded == {name: 0.0 for name in full_marks()}


def test_a_failed_regrade_is_exported_as_flagged(course):
    assert float(course.regraded_export["score"]) == 0
    assert "flagged for review" in course.regraded_export["problems"]


def test_export_after_gradebook_shows_the_batch_graders_totals(course):
    assert {s: float(row["score"]) for s, row in course.export_after.items()} == {
        s: r["score"] for s, r in course.records.items()}


def test_patched_in_kernel_tests_give_full_marks_to_autograde(course):
    assert course.in_kernel["patched"] == full_marks()


def test_patched_in_kernel_tests_are_overruled_and_flagged_by_gradebook(course):
    assert course.gradebook["patched"] == batch_scores(course.records["patched"])
    assert course.gradebook["patched"] == course.gradebook["partial"]
    assert any("nbgrader autograde gave" in f for f in course.records["patched"]["flags"])
    assert "flagged for review" in course.export_after["patched"]["problems"]


def test_rerunning_autograde_after_gradebook_keeps_the_trusted_scores(course):
    assert course.rerun == course.gradebook["patched"] != full_marks()


def test_formgrader_lists_the_patched_submission_with_its_trusted_score_flagged(course):
    listed = course.formgrader["patched"]
    assert (listed["score"], listed["flagged"]) == (course.records["patched"]["score"], True)


def test_formgrader_marks_inflated_grades_as_needing_review(course):
    lost = sorted(name for name, score in course.gradebook["patched"].items()
                  if score < full_marks()[name])
    assert course.needs_review == lost and lost


# --------------------------------------------------------------------------- feedback


@pytest.mark.parametrize("student", ["correct", "mistakes"])
def test_feedback_shows_no_hidden_tests(course, student):
    page = course.feedback(student)
    assert "HIDDEN TESTS" not in page and "hidden=True" not in page


def test_feedback_says_the_trusted_grader_scored_it(course):
    (sigmoid,) = [q for q in course.records["mistakes"]["questions"]
                  if q["id"] == "lab03.sigmoid"]
    assert f"Scored by the nnlabs batch grader (trusted): {sigmoid['score']:g} / 4." in \
        course.feedback("mistakes")
