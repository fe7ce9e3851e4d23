"""The class report: its counts are the JSON's, its files are all there, its ids escaped.

The class (``graded_report`` in ``conftest.py``) is graded by the batch grader: the
solution, the stub, catalogued mistakes (one made by two students), a notebook whose first
test cell is deleted, a truncated file and a student id that is HTML and a formula.
The page is opened in headless Chromium too (the ``browser`` fixture), and a screenshot
of it saved in ``build/test_browser/class-report.png`` (and of the first pair's shared
lines side by side in ``class-report-pair.png``).
"""

from __future__ import annotations

import csv
import subprocess
import sys
from collections import Counter
from html.parser import HTMLParser

import pytest

from autograder.release import ROOT

SCREENSHOTS = ROOT / "build" / "test_browser"
pytestmark = pytest.mark.slow


class Tables(HTMLParser):
    """A page's tables with an id (their rows' cells as text), its images' sources and the
    text of each ``<span class=...>``."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.images: list[str] = []
        self.spans: dict[str, str] = {}
        self._table = self._cell = self._span = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "id" in attrs:
            self._table = self.tables.setdefault(attrs["id"], [])
        elif tag == "tr" and self._table is not None:
            self._table.append([])
        elif tag in ("td", "th") and self._table is not None:
            self._cell = []
        elif tag == "img":
            self.images.append(attrs["src"])
        elif tag == "span" and "class" in attrs:
            self._span = attrs["class"]
            self.spans[self._span] = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._table[-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "table":
            self._table = None
        elif tag == "span":
            self._span = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if self._span is not None:
            self.spans[self._span] += data


@pytest.fixture(scope="module")
def page(graded_report) -> Tables:
    tables = Tables()
    tables.feed(graded_report["page"].read_text(encoding="utf-8"))
    return tables


@pytest.fixture(scope="module")
def records(graded_report) -> list[dict]:
    return graded_report["records"]


def rows(page: Tables, table: str) -> list[list[str]]:
    return page.tables[table][1:]  # the header row left out


def test_mistake_tallies_on_the_page_are_the_jsons(page, records):
    counted = Counter(m for r in records for q in r["questions"] for m in q["mistakes"])
    assert {row[0]: int(row[1]) for row in rows(page, "mistakes-lab03")} == dict(counted)


def test_a_mistake_two_students_made_is_counted_twice(page):
    on_page = {row[0]: int(row[1]) for row in rows(page, "mistakes-lab03")}
    assert on_page["lab03.sigmoid_backward.local-gradient-alone-without-upstream-gradient-multiply"
                   "-by"] == 2


def test_pass_rates_on_the_page_are_the_jsons(page, records):
    counted = Counter()
    for r in records:
        for q in r["questions"]:
            for c in q["checks"]:
                counted[q["id"], c["description"], "passed"] += c["earned"] == c["points"]
                counted[q["id"], c["description"], "total"] += 1
    shown = {(row[0], row[1]): row[4] for row in rows(page, "checks-lab03")}
    assert shown == {(qid, what): f"{counted[qid, what, 'passed']} / {counted[qid, what, 'total']}"
                     for qid, what, kind in counted if kind == "total"}


def test_the_hardest_check_comes_first(page):
    rates = [int(row[3].rstrip("%")) for row in rows(page, "checks-lab03")]
    assert rates == sorted(rates)


def test_histogram_bins_on_the_page_count_the_jsons_scores(page, records):
    scores = [r["score"] for r in records]
    bins = [(*map(float, row[0].split("–")), int(row[1])) for row in rows(page, "bins-lab03")]
    last = len(bins) - 1
    assert [n for *_, n in bins] == [
        sum(1 for s in scores if low <= s < high or (i == last and s == high))
        for i, (low, high, _) in enumerate(bins)]


def test_the_summary_counts_submissions_errors_and_flags_as_the_json_does(page, records):
    assert (page.spans["submissions"], page.spans["errors"], page.spans["flags"]) == (
        str(len(records)), str(sum(1 for r in records if r["errors"])),
        str(sum(1 for r in records if r["flags"])))


def test_the_deleted_test_cell_is_listed_with_its_reason(page):
    assert any(row[0] == "ivy" and row[1] == "flag" and "no test cell" in row[2]
               for row in rows(page, "problems-lab03"))


def test_questions_that_most_need_teaching_come_first(page):
    shares = [float(mean) / float(top) for mean, top in
              (row[1].split(" / ") for row in rows(page, "questions-lab03"))]
    assert shares == sorted(shares)


def test_every_image_of_the_page_is_a_png_beside_it(page, graded_report):
    assert len(page.images) == 3
    for src in page.images:
        assert (graded_report["out"] / src).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_checks_csv_has_one_row_per_submission_and_check(graded_report, records):
    with open(graded_report["out"] / "checks.csv", newline="", encoding="utf-8") as f:
        rows_ = list(csv.DictReader(f))
    assert len(rows_) == sum(len(q["checks"]) for r in records for q in r["questions"])


def test_an_id_that_is_a_formula_is_text_in_checks_csv(graded_report):
    text = (graded_report["out"] / "checks.csv").read_text(encoding="utf-8")
    assert "\n'=1+<b>hal," in text and "\n=1+" not in text


def test_an_id_that_is_html_is_escaped_on_the_page(graded_report):
    html = graded_report["page"].read_text(encoding="utf-8")
    assert "=1+&lt;b&gt;hal" in html and "<b>hal" not in html


def test_the_command_writes_the_page_and_prints_its_path(graded_report, tmp_path):
    root = graded_report["root"]
    done = subprocess.run([sys.executable, "-m", "autograder", "report", root / "results.json",
                           "--out", tmp_path / "report", "--submissions", root / "submitted"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"the class report is {tmp_path / 'report' / 'index.html'}"


@pytest.fixture(scope="module")
def opened(browser, graded_report) -> dict:
    """The page opened from the file system in headless Chromium: what it logged, what it
    asked for, whether each image loaded; a screenshot of it all in build/test_browser/."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    seen = {"errors": [], "requests": []}
    page.on("console", lambda m: seen["errors"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    page.on("request", lambda r: seen["requests"].append(r.url))
    page.goto(graded_report["page"].as_uri())
    page.wait_for_load_state("load")
    seen["images"] = page.evaluate(
        "() => [...document.images].map(i => i.complete && i.naturalWidth > 0)")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "class-report.png"), full_page=True)
    pair = page.locator("details:has(table.code)").first
    pair.evaluate("node => { node.open = true; }")
    pair.screenshot(path=str(SCREENSHOTS / "class-report-pair.png"))
    page.close()
    return seen


def test_the_page_opens_in_chromium_without_console_errors(opened):
    assert opened["errors"] == []


def test_every_image_loads_in_chromium(opened):
    assert opened["images"] == [True, True, True]


def test_the_page_asks_for_nothing_beyond_its_own_folder(opened, graded_report):
    folder = graded_report["out"].as_uri() + "/"
    assert [url for url in opened["requests"] if not url.startswith(folder)] == []
