"""The instructor's class report: one static page, its plots beside it, and a CSV of checks.

    python -m autograder report RESULTS.json... --out DIR [--submissions PATH...]

``DIR/index.html`` opens from the file system (no server, no network, no script):
per lab, the score distribution, the questions (those that most need teaching
first), the checks (hardest first), the mistakes the feedback named and who made
them, the submissions with errors or flags and why, and, given the submitted
notebooks, the pairs whose answer cells share code (:mod:`autograder.similarity`).
``DIR/checks.csv`` has one row per submission and check. Student ids and
everything they wrote are escaped on the page and neutralized in the CSV (see
:mod:`autograder.names`).
"""

from __future__ import annotations

import csv
import html
import io
import json
import math
import sys
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from tqdm import tqdm

from autograder.batch import Submission, find_submissions
from autograder.catalogue import notebook_path
from autograder.class_stats import LabStats, by_lab, lab_stats
from autograder.names import csv_cell, file_name
from autograder.record import Record
from autograder.report import write_atomic
from autograder.similarity import (
    THRESHOLD,
    Answers,
    Comparison,
    Pair,
    answer_sources,
    compare,
    fingerprint,
)
from nnlabs.notebook import NotebookError, lab_of, read_notebook

TOP_PAIRS = 20  # pairs listed per lab
SIDE_BY_SIDE = 10  # of those, shown with their shared lines
LONG_LIST = 12  # names listed before the rest fold away
CHECK_COLUMNS = ["submission", "lab", "question", "check", "description", "hidden", "points",
                 "earned", "mistake"]


def read_records(paths: Sequence[Path]) -> list[Record]:
    """The records of every results file (``{"submissions": [...]}``, as ``--json`` writes)."""
    return [Record.from_json(record) for path in paths
            for record in json.loads(path.read_text(encoding="utf-8"))["submissions"]]


def _bar(items: Iterable, what: str, total: int) -> Iterable:
    """``items`` (``total`` of them) with a progress bar on a terminal."""
    return tqdm(items, desc=what, total=total, unit="notebook", leave=False,
                disable=not sys.stderr.isatty())


def _answers(submission: Submission) -> Answers | None:
    if submission.problem:
        return None
    try:
        notebook = read_notebook(submission.path)
    except NotebookError:
        return None
    return fingerprint(submission.name, answer_sources(notebook))


def _stub(lab: str) -> Answers | None:
    try:
        path = notebook_path(lab, "labs")
    except ValueError:  # no released notebook of that lab here
        return None
    return fingerprint("stub", answer_sources(json.loads(path.read_text(encoding="utf-8"))))


def comparisons(paths: Sequence[Path], labs: Iterable[str],
                jobs: int = 1) -> dict[str, Comparison]:
    """Each lab's submissions under ``paths`` compared with each other, their notebooks read
    and fingerprinted by ``jobs`` processes at once."""
    found = find_submissions(paths)
    results = {}
    with ProcessPoolExecutor(max(1, jobs)) as pool:
        for lab in labs:
            mine = [s for s in found if (s.lab or lab_of(s.path)) == lab]
            read = pool.map(_answers, mine, chunksize=max(1, len(mine) // (8 * max(1, jobs))))
            answers = [a for a in _bar(read, f"{lab} fingerprints", len(mine)) if a]
            results[lab] = compare(answers, _stub(lab), TOP_PAIRS)
    return results


# ----------------------------------------------------------------------------- plots


def _save(figure: Figure, path: Path) -> None:
    FigureCanvasAgg(figure)
    figure.tight_layout()
    figure.savefig(path, dpi=100)


def plot_scores(stats: LabStats, path: Path) -> None:
    figure = Figure(figsize=(7, 3.6))
    axes = figure.add_subplot()
    widths = stats.edges[1:] - stats.edges[:-1]
    axes.bar(stats.edges[:-1], stats.counts, width=widths, align="edge", color="#4c72b0",
             edgecolor="white")
    if stats.scores:
        axes.axvline(stats.mean, color="#c44e52", label=f"mean {stats.mean:.1f}")
        axes.axvline(stats.median, color="#55a868", linestyle="--",
                     label=f"median {stats.median:.1f}")
        axes.legend()
    axes.set_xlabel(f"total score (points out of {stats.max_score:g})")
    axes.set_ylabel("submissions")
    axes.set_title(f"{stats.lab}: scores of {stats.count} submissions")
    _save(figure, path)


def plot_questions(stats: LabStats, path: Path) -> None:
    questions = stats.questions[::-1]  # the plot's top row is the first of the table
    figure = Figure(figsize=(7, 0.8 + 0.32 * max(1, len(questions))))
    axes = figure.add_subplot()
    rows = range(len(questions))
    axes.barh(rows, [100 * q.mean_share for q in questions], color="#4c72b0",
              label="mean score")
    axes.plot([100 * q.full for q in questions], rows, "o", color="#dd8452",
              label="full marks")
    axes.set_yticks(list(rows), [q.id.split(".", 1)[-1] for q in questions])
    axes.set_xlim(0, 100)
    axes.set_xlabel("share of the question's points / of the submissions (%)")
    axes.set_ylabel("question")
    axes.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, frameon=False)
    figure.suptitle(f"{stats.lab}: questions, the weakest at the top")
    _save(figure, path)


def plot_similarity(lab: str, comparison: Comparison, path: Path) -> None:
    figure = Figure(figsize=(7, 3.2))
    axes = figure.add_subplot()
    axes.hist(comparison.scores, bins=40, range=(0, 1), color="#8172b2")
    axes.axvline(THRESHOLD, color="#c44e52", linestyle="--", label=f"look above {THRESHOLD:g}")
    axes.set_yscale("log")
    axes.set_xlabel("similarity of a pair's answer cells (0 to 1)")
    axes.set_ylabel("pairs of submissions")
    axes.set_title(f"{lab}: {len(comparison.scores)} pairs compared")
    axes.legend()
    _save(figure, path)


# ----------------------------------------------------------------------------- page

E = html.escape


def _number(x: float, digits: int = 2) -> str:
    return "–" if math.isnan(x) else f"{x:.{digits}f}"


def _names(names: Sequence[str]) -> str:
    shown = ", ".join(E(n) for n in names[:LONG_LIST])
    if len(names) <= LONG_LIST:
        return shown
    rest = ", ".join(E(n) for n in names[LONG_LIST:])
    return f"{shown} <details><summary>and {len(names) - LONG_LIST} more</summary>{rest}</details>"


def _table(attributes: str, headers: Sequence[str], rows: str) -> str:
    """``<table attributes>`` with a row of ``headers`` (already escaped) above ``rows``."""
    head = "".join(f"<th>{header}</th>" for header in headers)
    return f"<table {attributes}><tr>{head}</tr>{rows}</table>"


def _histogram_table(stats: LabStats) -> str:
    rows = "".join(
        f"<tr><td>{low:g}&ndash;{high:g}</td><td class=\"n\">{count}</td></tr>"
        for low, high, count in zip(stats.edges[:-1], stats.edges[1:], stats.counts,
                                    strict=True))
    return ("<details><summary>the histogram's bins</summary>"
            + _table(f'id="bins-{E(stats.lab)}"', ("score", "submissions"), rows)
            + "</details>")


def _questions_table(stats: LabStats) -> str:
    rows = "".join(
        f"<tr><td>{E(q.id)}</td><td class=\"n\">{q.mean:.2f} / {q.max_score:g}</td>"
        f"<td class=\"n\">{100 * q.full:.0f}%</td>"
        f"<td class=\"n\">{_number(q.discrimination)}</td></tr>" for q in stats.questions)
    return _table(f'id="questions-{E(stats.lab)}"',
                  ("question", "mean", "full marks", "discrimination"), rows)


def _checks_table(stats: LabStats) -> str:
    rows = "".join(
        f"<tr><td>{E(c.question)}</td><td>{E(c.description)}</td>"
        f"<td>{'hidden' if c.hidden else 'visible'}</td>"
        f"<td class=\"n\">{100 * c.pass_rate:.0f}%</td>"
        f"<td class=\"n\">{c.passed} / {c.total}</td></tr>" for c in stats.checks)
    return _table(f'id="checks-{E(stats.lab)}"',
                  ("question", "check", "kind", "pass rate", "passed"), rows)


def _mistakes_table(stats: LabStats) -> str:
    if not stats.mistakes:
        return "<p>The feedback named no mistake.</p>"
    rows = "".join(
        f"<tr><td><code>{E(mistake)}</code></td><td class=\"n\">{len(who)}</td>"
        f"<td>{_names(who)}</td><td class=\"said\">{E(stats.examples.get(mistake, ''))}</td>"
        f"</tr>" for mistake, who in stats.mistakes.items())
    return _table(f'id="mistakes-{E(stats.lab)}"',
                  ("mistake", "students", "who", "how the feedback put it"), rows)


def _problems_table(stats: LabStats) -> str:
    rows = [(name, "error", text) for name, texts in stats.errors for text in texts]
    rows += [(name, "flag", text) for name, texts in stats.flags for text in texts]
    if not rows:
        return "<p>No submission has an error or a flag.</p>"
    cells = "".join(f"<tr><td>{E(name)}</td><td>{kind}</td><td>{E(text)}</td></tr>"
                    for name, kind, text in sorted(rows, key=lambda r: (r[0], r[1])))
    return _table(f'id="problems-{E(stats.lab)}"', ("submission", "kind", "reason"), cells)


def _code(answers: Answers, cell: int, shared: frozenset) -> str:
    lines = answers.cells[cell].splitlines() if cell < len(answers.cells) else []
    return "\n".join(f"<mark>{E(line)}</mark>" if (cell, n) in shared else E(line)
                     for n, line in enumerate(lines, start=1))


def _side_by_side(pair: Pair) -> str:
    cells = sorted({c for c, _ in pair.shared_first} | {c for c, _ in pair.shared_second})
    rows = "".join(f"<tr><td><pre>{_code(pair.first, c, pair.shared_first)}</pre></td>"
                   f"<td><pre>{_code(pair.second, c, pair.shared_second)}</pre></td></tr>"
                   for c in cells)
    return (f"<details><summary>{E(pair.first.name)} and {E(pair.second.name)}: "
            f"{pair.similarity:.2f}, the shared lines marked</summary>"
            + _table('class="code"', (E(pair.first.name), E(pair.second.name)), rows)
            + "</details>")


@dataclass(frozen=True)
class Images:
    """The file names of one lab's plots, beside the page."""

    scores: str
    questions: str
    similarity: str

    @classmethod
    def of(cls, lab: str) -> Images:
        return cls(*(file_name(lab or "no-lab", f".{kind}.png")
                     for kind in ("scores", "questions", "similarity")))


def _similarity_section(lab: str, comparison: Comparison | None, images: Images) -> str:
    if comparison is None:
        return ("<p>Not computed: give the submitted notebooks with "
                "<code>--submissions PATH</code>.</p>")
    note = (f"<p class=\"note\">Pairs of submissions whose answer cells share code, after "
            f"taking out the stub's given code, comments, names and layout, and weighing "
            f"code much of the class writes alike as little. Similarity runs from 0 to 1; "
            f"{comparison.above} of {len(comparison.scores)} pairs are above {THRESHOLD:g}. "
            f"<strong>A high similarity is a reason to look at both notebooks, not a verdict"
            f"</strong>: short answers can coincide honestly, and one of two may be the "
            f"source, not the copier.</p>")
    if not comparison.pairs:
        return note + "<p>No two submissions share code.</p>"
    rows = "".join(
        f"<tr class=\"{'look' if p.similarity > THRESHOLD else ''}\"><td class=\"n\">{i}</td>"
        f"<td>{E(p.first.name)}</td><td>{E(p.second.name)}</td>"
        f"<td class=\"n\">{p.similarity:.2f}</td>"
        f"<td class=\"n\">{len(p.shared_first)} / {len(p.shared_second)}</td></tr>"
        for i, p in enumerate(comparison.pairs, start=1))
    shown = [p for p in comparison.pairs if p.similarity > THRESHOLD][:SIDE_BY_SIDE]
    return (note + f'<img src="{E(images.similarity)}" alt="similarity of every pair of '
            f'{E(lab)} submissions">'
            + _table(f'id="similarity-{E(lab)}"',
                     ("rank", "submission", "submission", "similarity", "shared lines"), rows)
            + "".join(_side_by_side(p) for p in shown))


def lab_section(stats: LabStats, comparison: Comparison | None, images: Images) -> str:
    lab = E(stats.lab or "no lab")
    errors, flags = len(stats.errors), len(stats.flags)
    return f"""<section id="lab-{lab}">
<h2>{lab}</h2>
<p class="summary" id="summary-{lab}"><span class="submissions">{stats.count}</span>
submissions, mean <span class="mean">{_number(stats.mean, 1)}</span>, median
<span class="median">{_number(stats.median, 1)}</span> of {stats.max_score:g} points;
<span class="errors">{errors}</span> with errors, <span class="flags">{flags}</span> flagged.</p>
<img src="{E(images.scores)}" alt="{lab}: histogram of the total scores">
{_histogram_table(stats)}
<h3>Questions</h3>
<p class="note">The questions that most need teaching first (lowest mean share of the points).
Discrimination is the correlation of a question's score with the rest of the total (the
point-biserial correlation where a question is right or wrong): near 0 or negative, the question
does not separate the students who do well from those who do not.</p>
<img src="{E(images.questions)}" alt="{lab}: mean score and full marks per question">
{_questions_table(stats)}
<h3>Checks</h3>
<p class="note">The share of the submissions that passed each check, hardest first.</p>
{_checks_table(stats)}
<h3>Common mistakes</h3>
<p class="note">Every mistake the feedback named, with how many students made it and who.</p>
{_mistakes_table(stats)}
<h3>Errors and flags</h3>
{_problems_table(stats)}
<h3>Similarity</h3>
{_similarity_section(stats.lab, comparison, images)}
</section>
"""


STYLE = """
body { font-family: sans-serif; max-width: 72em; margin: 2em auto; padding: 0 1em; }
table { border-collapse: collapse; margin: .5em 0 1em; }
td, th { vertical-align: top; padding: .25em .6em; border-bottom: 1px solid #ddd;
         text-align: left; }
td.n { text-align: right; white-space: nowrap; }
.note { color: #444; max-width: 60em; }
.said { color: #555; font-size: 90%; max-width: 50em; }
tr.look td { background: #fff4e5; }
table.code td { width: 50%; }
pre { white-space: pre-wrap; margin: 0; font-size: 85%; }
mark { background: #ffe08a; }
img { max-width: 100%; display: block; margin: .5em 0; }
"""


def report_html(sections: list[str], sources: Sequence[str]) -> str:
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Class report</title>
<style>{STYLE}</style></head><body>
<h1>Class report</h1>
<p>From {", ".join(E(s) for s in sources) or "no results"}.</p>
{"".join(sections) or "<p>No submissions.</p>"}
</body></html>
"""


def checks_csv(records: Sequence[Record]) -> str:
    """One row per submission and check; no cell reads as a formula."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CHECK_COLUMNS)
    for r in records:
        for q in r.questions:
            for c in q.checks:
                writer.writerow(map(csv_cell, [
                    r.submission, r.lab, q.id, c.name, c.description, c.hidden,
                    f"{c.points:g}", f"{c.earned:g}", c.mistake or ""]))
    return out.getvalue()


def write_report(records: Sequence[Record], out: Path, submissions: Sequence[Path] = (),
                 sources: Sequence[str] = (), jobs: int = 1) -> Path:
    """Write ``out/index.html``, its plots and ``out/checks.csv``; returns the page's path.
    With ``submissions`` (the folders or notebooks graded), each lab's similarity too, the
    notebooks read by ``jobs`` processes."""
    out.mkdir(parents=True, exist_ok=True)
    groups = by_lab(records)
    compared = comparisons(submissions, [lab for lab in groups if lab], jobs) \
        if submissions else {}
    sections = []
    for lab, group in groups.items():
        stats, images = lab_stats(lab, group), Images.of(lab)
        plot_scores(stats, out / images.scores)
        plot_questions(stats, out / images.questions)
        if lab in compared:
            plot_similarity(lab, compared[lab], out / images.similarity)
        sections.append(lab_section(stats, compared.get(lab), images))
    write_atomic(out / "checks.csv", checks_csv(records))
    page = out / "index.html"
    write_atomic(page, report_html(sections, sources))
    return page
