"""``python -m autograder``: grading a class and checking one notebook, as users run it."""

import csv
import json
import subprocess
import sys

import pytest

from autograder.batch import find_submissions
from autograder.catalogue import as_file, load_notebook, notebook_path, write_class

LAB = "lab03"


def autograder(*args, cwd):
    return subprocess.run([sys.executable, "-m", "autograder", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd)


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    """A small class in nbgrader's layout, graded once with every output."""
    root = tmp_path_factory.mktemp("class")
    solution = load_notebook(LAB)
    write_class(root / "submitted", LAB, {
        "ada": as_file(solution),
        "ben": as_file(load_notebook(LAB, "labs")),
        "cy": as_file(solution)[:5000],
    })
    run = autograder("grade", root / "submitted", "--jobs", 2, "--json", root / "results.json",
                     "--csv", root / "grades.csv", "--feedback", root / "feedback", cwd=root)
    return root, run


@pytest.mark.slow
def test_grade_exits_zero_and_prints_one_line_per_student(graded_class):
    _, run = graded_class
    assert run.returncode == 0, run.stderr
    assert [line.split()[0] for line in run.stdout.splitlines()[1:]] == ["ada", "ben", "cy"]


@pytest.mark.slow
def test_json_has_exactly_the_documented_shape(graded_class):
    root, _ = graded_class
    document = json.loads((root / "results.json").read_text())
    assert list(document) == ["submissions"]
    for record in document["submissions"]:
        assert list(record) == ["submission", "lab", "score", "max_score", "questions",
                                "errors", "flags", "seed"]
        for question in record["questions"]:
            assert list(question) == ["id", "score", "max_score", "feedback", "mistakes",
                                      "checks"]
            assert all(isinstance(f, str) for f in question["feedback"] + question["mistakes"])
            for check in question["checks"]:
                assert list(check) == ["name", "description", "hidden", "points", "earned",
                                       "mistake"]


@pytest.mark.slow
def test_scores_are_full_for_the_solution_zero_for_the_stub_and_the_broken_file(graded_class):
    root, _ = graded_class
    records = {r["submission"]: r for r in json.loads((root / "results.json").read_text())[
        "submissions"]}
    assert records["ada"]["score"] == records["ada"]["max_score"] > 0
    assert records["ben"]["score"] == 0 and records["ben"]["errors"] == []
    assert records["cy"]["score"] == 0 and "not valid notebook JSON" in records["cy"]["errors"][0]


@pytest.mark.slow
def test_csv_has_a_row_per_student_and_a_column_per_question(graded_class):
    root, _ = graded_class
    rows = list(csv.DictReader((root / "grades.csv").open()))
    assert [r["submission"] for r in rows] == ["ada", "ben", "cy"]
    assert "lab03.relu_backward" in rows[0] and rows[0]["lab03.relu_backward"] == "4"


@pytest.mark.slow
def test_feedback_pages_hold_no_check_source_and_no_reference_code(graded_class):
    root, _ = graded_class
    pages = {p.name: p.read_text() for p in (root / "feedback").glob("*.html")}
    assert sorted(pages) == ["ada.lab03.html", "ben.lab03.html", "cy.lab03.html", "index.html"]
    for page in pages.values():
        assert "def test_" not in page and "reference." not in page and "oracle" not in page
    assert "not implemented yet" in pages["ben.lab03.html"]


@pytest.mark.slow
def test_check_passes_the_solution_with_exit_status_zero(tmp_path):
    run = autograder("check", notebook_path(LAB), cwd=tmp_path)
    assert run.returncode == 0, run.stdout
    assert "[FAIL]" not in run.stdout and "problem" not in run.stdout


@pytest.mark.slow
def test_check_fails_the_stub_with_a_readable_table(tmp_path):
    run = autograder("check", notebook_path(LAB, "labs"), cwd=tmp_path)
    assert run.returncode == 1
    assert "[FAIL] lab03.sigmoid" in run.stdout and "not implemented yet" in run.stdout


@pytest.mark.slow
def test_check_shows_each_questions_real_points_and_the_labs_total(tmp_path):
    from autograder.hidden import load_lab

    run = autograder("check", notebook_path(LAB, "labs"), cwd=tmp_path)
    total = sum(q.max_score for q in load_lab(LAB))
    assert "lab03.sigmoid                    0 / 4 points" in run.stdout
    assert f"{LAB}: 0 / {total:g} points from the visible checks" in run.stdout


def test_flat_folder_names_submissions_by_file(tmp_path):
    for name in ("ada", "ben"):
        (tmp_path / f"{name}.ipynb").write_text("{}")
    assert [s.name for s in find_submissions([tmp_path])] == ["ada", "ben"]


def test_nbgrader_layout_names_submissions_by_student(tmp_path):
    write_class(tmp_path, LAB, {"ada": b"{}", "ben": b"{}"})
    assert [s.name for s in find_submissions([tmp_path])] == ["ada", "ben"]


def test_check_prints_control_characters_in_a_file_name_as_escapes(tmp_path):
    notebook = tmp_path / "lab03_\x1b[2J\x07.ipynb"
    notebook.write_text("")
    run = autograder("check", notebook, cwd=tmp_path)
    assert "problem: lab03_\\x1b[2J\\x07.ipynb is empty" in run.stdout
    assert "\x1b" not in run.stdout and "\x07" not in run.stdout
