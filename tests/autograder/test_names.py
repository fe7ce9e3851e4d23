"""Student ids as untrusted text: in the terminal table, in CSV cells, as feedback file names."""

from __future__ import annotations

import csv
import html
import unicodedata

import pytest

from autograder.names import csv_cell, file_name, for_terminal
from autograder.record import QuestionEntry, Record
from autograder.report import summary_table, write_csv, write_feedback

# Ids that differ only in punctuation, in case, in Unicode normalization; and a long one.
LOOKALIKES = [("x+1", "x=1"), ("Ada", "ada"),
              (unicodedata.normalize("NFC", "café"), unicodedata.normalize("NFD", "café"))]
LONG = "x" * 300


def record(student: str, score: float, lab: str = "lab03") -> Record:
    return Record(student, lab, score, 48.0, (QuestionEntry("lab03.relu", score / 16, 3.0),),
                  (), (), seed=1)


@pytest.mark.parametrize("text, shown", [("\x1b[2J", "\\x1b[2J"), ("bell\x07", "bell\\x07"),
                                         ("a\nb", "a\\nb"), ("\u202eevil", "\\u202eevil")])
def test_control_characters_are_shown_as_escapes(text, shown):
    assert for_terminal(text) == shown


def test_printable_text_is_shown_as_it_is():
    assert for_terminal("café 48 / 48") == "café 48 / 48"


@pytest.mark.parametrize("cell", ['=HYPERLINK("x","y")', "+1+1", "-1+1", "@SUM(A1)", "\t=1",
                                  "\r=1"])
def test_text_that_starts_like_a_formula_gets_a_leading_quote(cell):
    assert csv_cell(cell) == "'" + cell


@pytest.mark.parametrize("value, cell", [("ada", "ada"), (48.0, "48.0"), (-0.5, "-0.5"),
                                         (None, "")])
def test_plain_text_and_numbers_are_written_as_they_are(value, cell):
    assert csv_cell(value) == cell


@pytest.mark.parametrize("a, b", LOOKALIKES)
def test_ids_that_differ_only_in_punctuation_case_or_normalization_get_different_files(a, b):
    assert file_name(a, ".html").lower() != file_name(b, ".html").lower()


def test_a_300_character_id_gets_a_short_file_name():
    assert len(file_name(LONG, ".lab03.html")) <= 80


def test_a_file_name_is_the_same_for_the_same_id():
    assert file_name("x+1", ".html") == file_name("x+1", ".html")


def test_a_plain_id_is_its_own_file_name():
    assert file_name("ada_m-2", ".html") == "ada_m-2.html"


def test_an_id_spelled_like_another_ids_file_name_gets_a_name_of_its_own():
    taken = file_name("x+1", "")
    assert file_name(taken, "") != taken


def test_an_id_named_index_does_not_take_the_index_page():
    assert file_name("index", ".html") != "index.html"


def test_file_names_are_lower_case_ascii():
    names = [file_name(i, ".html") for pair in LOOKALIKES for i in pair]
    assert all(n.isascii() and n == n.lower() for n in names)


# --------------------------------------------------------------------------- feedback pages

CLASS = [record("x+1", 48), record("x=1", 0), record("Ada", 48), record("ada", 0),
         record(LOOKALIKES[2][0], 48), record(LOOKALIKES[2][1], 0), record(LONG, 48),
         record("ada", 16, "lab04")]


def pages(folder) -> dict[tuple[str, str], str]:
    """The feedback pages in ``folder`` by the (student, lab) each says it is for."""
    found = {}
    for page in folder.iterdir():
        if page.name != "index.html":
            text = page.read_text(encoding="utf-8")
            owner = html.unescape(text.split("<p>Submission: ", 1)[1].split("</p>", 1)[0])
            found[owner, text.split("<h1>", 1)[1].split(":", 1)[0]] = text
    return found


def test_every_record_gets_a_page_of_its_own(tmp_path):
    write_feedback(tmp_path, CLASS)
    assert sorted(pages(tmp_path)) == sorted((r.submission, r.lab) for r in CLASS)
    assert len(list(tmp_path.iterdir())) == len(CLASS) + 1


def test_a_page_holds_its_own_students_score(tmp_path):
    write_feedback(tmp_path, CLASS)
    found = pages(tmp_path)
    assert [r.submission for r in CLASS
            if f"<h1>{r.lab}: {r.score:g} / 48</h1>" not in found[r.submission, r.lab]] == []


def test_the_index_page_links_each_id_to_its_page(tmp_path):
    write_feedback(tmp_path, CLASS)
    index = (tmp_path / "index.html").read_text()
    for r in CLASS:
        assert f"<td>{html.escape(r.submission)}</td><td>{r.lab}</td>" in index
    assert index.count('<a href="') == len(CLASS) == len(list(tmp_path.iterdir())) - 1


# --------------------------------------------------------------------------- CSV and table


def test_a_csv_cell_for_a_formula_name_is_text(tmp_path):
    write_csv(tmp_path / "grades.csv", [record('=HYPERLINK("x","y")', 0), record("+1+1", 0)])
    with open(tmp_path / "grades.csv", newline="", encoding="utf-8") as f:
        assert [r["submission"] for r in csv.DictReader(f)] == ["'=HYPERLINK(\"x\",\"y\")",
                                                                 "'+1+1"]


def test_a_newline_in_a_name_forges_no_row_in_the_table():
    table = summary_table([record("ben\neveryone", 0), record("ada", 48)])
    assert len(table.splitlines()) == 3
    assert not any(line.startswith("everyone") for line in table.splitlines())


def test_the_table_shows_each_records_lab():
    table = summary_table([record("ada", 48), record("ada", 16, "lab04")])
    assert [line.split()[:2] for line in table.splitlines()[1:]] == [["ada", "lab03"],
                                                                     ["ada", "lab04"]]
