"""Canvas's gradebook import file from the batch grader's records and a class roster."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest

from autograder import cli
from autograder.canvas import CanvasError, assignment_ids, canvas_file, read_roster
from autograder.catalogue import as_file, load_notebook, write_class
from autograder.hidden import load_lab
from autograder.record import Record

ROSTER = """Student,ID,SIS User ID,SIS Login ID,Section,Lab 03 (999)
    Points Possible,,,,,48
"Lovelace, Ada",101,S-1,ada,Section A,
"Bell, Ben",102,S-2,ben,Section A,
"=HYPERLINK(""http://x"")",103,S-3,cy,Section B,
"Dee, Dot",104,S-4,dot,Section B,
"""


def record(student: str, score: float, lab: str = "lab03", errors=(), flags=()) -> Record:
    return Record(student, lab, score, 48.0, (), tuple(errors), tuple(flags), seed=1)


@pytest.fixture
def roster(tmp_path) -> list[dict[str, str]]:
    path = tmp_path / "roster.csv"
    path.write_text(ROSTER, encoding="utf-8-sig")
    return read_roster(path)


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_the_header_is_canvas_columns_then_one_per_lab_with_its_assignment_id(roster):
    made = canvas_file([record("ada", 48)], roster, {"lab03": "12345", "lab05": "678"})
    assert rows(made.text)[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section",
                                  "lab03 (12345)", "lab05 (678)"]


def test_a_submission_gets_its_score_in_its_students_row(roster):
    made = canvas_file([record("ada", 41.5)], roster, {"lab03": "1"})
    assert rows(made.text)[1] == ["Lovelace, Ada", "101", "S-1", "ada", "Section A", "41.5"]


def test_a_student_without_a_submission_gets_an_empty_cell_not_zero(roster):
    made = canvas_file([record("ada", 48)], roster, {"lab03": "1"})
    assert rows(made.text)[2][-1] == ""


def test_a_submission_that_failed_gets_its_zero(roster):
    made = canvas_file([record("ben", 0.0, errors=["unreadable"])], roster, {"lab03": "1"})
    assert rows(made.text)[2][-1] == "0"


def test_the_points_possible_row_is_not_a_student(roster):
    assert [r["SIS Login ID"] for r in roster] == ["ada", "ben", "cy", "dot"]


def test_a_name_that_reads_as_a_formula_is_written_as_text(roster):
    made = canvas_file([], roster, {"lab03": "1"})
    assert rows(made.text)[3][0] == "'=HYPERLINK(\"http://x\")"


def test_a_submission_not_in_the_roster_is_not_written_and_noted(roster):
    made = canvas_file([record("zed", 48)], roster, {"lab03": "1"})
    assert "zed" not in made.text
    assert made.notes == ["not written (not in the roster's SIS Login ID): zed (lab03)"]


def test_a_flagged_submission_is_written_and_noted(roster):
    made = canvas_file([record("ada", 30, flags=["the same file as ben's"])], roster,
                       {"lab03": "1"})
    assert rows(made.text)[1][-1] == "30"
    assert made.notes == ["flagged (written, look at it): ada (lab03): the same file as ben's"]


def test_a_submission_of_no_lab_is_noted_not_written(roster):
    made = canvas_file([record("ada", 0, lab="")], roster, {"lab03": "1"})
    assert made.notes == ["not written (no lab): ada (no lab)"]
    assert rows(made.text)[1][-1] == ""


def test_the_roster_key_can_be_another_column(roster):
    made = canvas_file([record("102", 12)], roster, {"lab03": "1"}, key="ID")
    assert rows(made.text)[2][-1] == "12"


def test_a_graded_lab_without_an_assignment_id_is_refused(roster):
    with pytest.raises(CanvasError, match="lab05=ID"):
        canvas_file([record("ada", 1, lab="lab05")], roster, {"lab03": "1"})


@pytest.mark.parametrize("pair", ["lab03", "lab03=", "=12", "lab03=twelve"])
def test_an_assignment_id_is_lab_equals_number(pair):
    with pytest.raises(CanvasError, match="LAB=ID"):
        assignment_ids([pair])


def test_a_roster_without_canvas_columns_is_refused(tmp_path):
    (tmp_path / "roster.csv").write_text("name,login\nAda,ada\n")
    with pytest.raises(CanvasError, match="no column Student, ID"):
        read_roster(tmp_path / "roster.csv")


def test_a_roster_with_one_login_twice_is_refused(tmp_path):
    (tmp_path / "roster.csv").write_text(ROSTER + "Ada Two,105,S-5,ada,Section B,\n")
    with pytest.raises(CanvasError, match="two students with SIS Login ID 'ada'"):
        read_roster(tmp_path / "roster.csv")


@pytest.mark.slow
def test_grade_writes_the_canvas_file_and_lists_what_it_left_out(tmp_path):
    write_class(tmp_path / "submitted", "lab03", {
        "ada": as_file(load_notebook("lab03")),
        "ben": as_file(load_notebook("lab03"))[:4000],
        "zed": as_file(load_notebook("lab03", "labs")),
    })
    (tmp_path / "roster.csv").write_text(ROSTER)
    run = subprocess.run([sys.executable, "-m", "autograder", "grade", tmp_path / "submitted",
                          "--jobs", "2", "--canvas-csv", tmp_path / "canvas.csv",
                          "--roster", tmp_path / "roster.csv",
                          "--canvas-assignment", "lab03=4242"],
                         capture_output=True, text=True, cwd=Path(__file__).parents[2])
    assert run.returncode == 0, run.stderr
    written = rows((tmp_path / "canvas.csv").read_text())
    full_marks = sum(q.max_score for q in load_lab("lab03"))
    assert [(r[3], r[-1]) for r in written] == [
        ("SIS Login ID", "lab03 (4242)"), ("ada", f"{full_marks:g}"), ("ben", "0"), ("cy", ""),
        ("dot", "")]
    assert "canvas: not written (not in the roster's SIS Login ID): zed (lab03)" in run.stderr
    assert "canvas: flagged (written, look at it): ben (lab03)" in run.stderr


def test_canvas_csv_without_a_roster_is_refused_before_grading(tmp_path, capsys):
    (tmp_path / "ada.ipynb").write_bytes(as_file(load_notebook("lab03")))
    assert cli.main(["grade", str(tmp_path), "--canvas-csv", str(tmp_path / "c.csv")]) == 2
    assert "--canvas-csv needs --roster" in capsys.readouterr().err
