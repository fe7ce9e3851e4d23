"""Writing results: JSON, CSV, one HTML feedback page per submission and the terminal table.

Student ids reach all of these (see :mod:`autograder.names`): the JSON keeps
them exactly; CSV cells are neutralized, file names bounded and unique, the
table escaped. Every file is written to a temporary name in the same folder and renamed into
place, so a reader never sees half a file and an interrupted run leaves the
previous file intact. Feedback pages hold the check descriptions and messages
only: no check source, no reference code.
"""

from __future__ import annotations

import csv
import html
import io
import json
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote

from autograder.names import csv_cell, file_name, for_terminal
from autograder.record import Record


def write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def write_json(path: Path, records: Sequence[Record]) -> None:
    """``{"submissions": [...]}``, each record's JSON (:meth:`Record.to_json`)."""
    write_atomic(path, json.dumps({"submissions": [r.to_json() for r in records]}, indent=2)
                 + "\n")


def write_csv(path: Path, records: Sequence[Record]) -> None:
    """One row per submission, one column per question; no cell reads as a formula."""
    question_ids = list(dict.fromkeys(q.id for r in records for q in r.questions))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["submission", "lab", "score", "max_score", *question_ids, "errors", "flags"])
    for r in records:
        scores = {q.id: q.score for q in r.questions}
        writer.writerow(map(csv_cell, [
            r.submission, r.lab, f"{r.score:g}", f"{r.max_score:g}",
            *(f"{scores[q]:g}" if q in scores else "" for q in question_ids),
            len(r.errors), len(r.flags)]))
    write_atomic(path, out.getvalue())


def feedback_page(record: Record) -> str:
    """The file name of a record's feedback page: one per student and lab."""
    return file_name(record.submission, f".{record.lab}.html" if record.lab else ".html")


def feedback_html(record: Record) -> str:
    e = html.escape
    rows = []
    for q in record.questions:
        status = "full" if q.score == q.max_score else "partial" if q.score else "none"
        notes = "".join(f"<li><pre>{e(f)}</pre></li>" for f in q.feedback)
        rows.append(f'<tr class="{status}"><td>{e(q.id)}</td>'
                    f'<td>{q.score:g} / {q.max_score:g}</td>'
                    f"<td><ul>{notes}</ul></td></tr>")
    problems = "".join(f"<li>{e(x)}</li>" for x in record.errors + record.flags)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Feedback: {e(record.submission)} ({e(record.lab)})</title>
<style>
body {{ font-family: sans-serif; max-width: 60em; margin: 2em auto; }}
td {{ vertical-align: top; padding: .3em .6em; border-bottom: 1px solid #ddd; }}
pre {{ white-space: pre-wrap; margin: 0; }}
tr.full td:nth-child(2) {{ color: #1a7f37; }} tr.none td:nth-child(2) {{ color: #b42318; }}
</style></head><body>
<h1>{e(record.lab)}: {record.score:g} / {record.max_score:g}</h1>
<p>Submission: {e(record.submission)}</p>
{f"<h2>Problems</h2><ul>{problems}</ul>" if problems else ""}
<table><tr><th>question</th><th>points</th><th>what to fix</th></tr>
{"".join(rows)}
</table></body></html>
"""


def index_html(records: Sequence[Record]) -> str:
    """The feedback folder's ``index.html``: which page is whose."""
    e = html.escape
    rows = "".join(f'<tr><td>{e(r.submission)}</td><td>{e(r.lab)}</td>'
                   f'<td>{r.score:g} / {r.max_score:g}</td>'
                   f'<td><a href="{e(quote(feedback_page(r)))}">{e(feedback_page(r))}</a></td></tr>'
                   for r in sorted(records, key=lambda r: (r.submission, r.lab)))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Feedback pages</title></head><body>
<h1>Feedback pages</h1>
<table><tr><th>student</th><th>lab</th><th>points</th><th>page</th></tr>
{rows}
</table></body></html>
"""


def write_feedback(folder: Path, records: Sequence[Record]) -> None:
    """One page per record (see :func:`feedback_page`) and ``index.html`` listing them."""
    for record in records:
        write_atomic(folder / feedback_page(record), feedback_html(record))
    write_atomic(folder / "index.html", index_html(records))


def summary_table(records: Sequence[Record]) -> str:
    """A plain-text table for the terminal: one line per submission. Names and messages
    (which quote student code) are escaped: each record is exactly one line."""
    names = [for_terminal(r.submission) for r in records]
    width = max([len("submission"), *map(len, names)])
    lines = [f"{'submission':<{width}}  {'lab':<5}  {'score':>12}  problems"]
    for name, r in zip(names, records, strict=True):
        problems = for_terminal("; ".join(r.errors + r.flags))
        if len(problems) > 70:
            problems = problems[:67] + "..."
        lines.append(f"{name:<{width}}  {for_terminal(r.lab):<5}  "
                     f"{r.score:>5g} / {r.max_score:<4g}  {problems}")
    return "\n".join(lines)
