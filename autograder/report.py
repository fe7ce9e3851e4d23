"""Writing results: JSON, CSV and one HTML feedback page per submission.

Every file is written to a temporary name in the same folder and renamed into
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
import re
import tempfile
from pathlib import Path


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


def write_json(path: Path, records: list[dict]) -> None:
    write_atomic(path, json.dumps({"submissions": records}, indent=2) + "\n")


def write_csv(path: Path, records: list[dict]) -> None:
    """One row per submission, one column per question."""
    question_ids = list(dict.fromkeys(q["id"] for r in records for q in r["questions"]))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["submission", "lab", "score", "max_score", *question_ids, "errors", "flags"])
    for r in records:
        scores = {q["id"]: q["score"] for q in r["questions"]}
        writer.writerow([r["submission"], r["lab"], f"{r['score']:g}", f"{r['max_score']:g}",
                         *(f"{scores[q]:g}" if q in scores else "" for q in question_ids),
                         len(r["errors"]), len(r["flags"])])
    write_atomic(path, out.getvalue())


def _safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name) or "submission"


def feedback_html(record: dict) -> str:
    e = html.escape
    rows = []
    for q in record["questions"]:
        status = "full" if q["score"] == q["max_score"] else "partial" if q["score"] else "none"
        notes = "".join(f"<li><pre>{e(f)}</pre></li>" for f in q["feedback"])
        rows.append(f'<tr class="{status}"><td>{e(q["id"])}</td>'
                    f'<td>{q["score"]:g} / {q["max_score"]:g}</td>'
                    f"<td><ul>{notes}</ul></td></tr>")
    problems = "".join(f"<li>{e(x)}</li>" for x in record["errors"] + record["flags"])
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Feedback: {e(record["submission"])} ({e(record["lab"])})</title>
<style>
body {{ font-family: sans-serif; max-width: 60em; margin: 2em auto; }}
td {{ vertical-align: top; padding: .3em .6em; border-bottom: 1px solid #ddd; }}
pre {{ white-space: pre-wrap; margin: 0; }}
tr.full td:nth-child(2) {{ color: #1a7f37; }} tr.none td:nth-child(2) {{ color: #b42318; }}
</style></head><body>
<h1>{e(record["lab"])}: {record["score"]:g} / {record["max_score"]:g}</h1>
<p>Submission: {e(record["submission"])}</p>
{f"<h2>Problems</h2><ul>{problems}</ul>" if problems else ""}
<table><tr><th>question</th><th>points</th><th>what to fix</th></tr>
{"".join(rows)}
</table></body></html>
"""


def write_feedback(folder: Path, records: list[dict]) -> None:
    for record in records:
        write_atomic(folder / f"{_safe_name(record['submission'])}.html", feedback_html(record))


def summary_table(records: list[dict]) -> str:
    """A plain-text table for the terminal: one line per submission."""
    width = max([len("submission"), *(len(r["submission"]) for r in records)])
    lines = [f"{'submission':<{width}}  {'score':>12}  problems"]
    for r in records:
        # Messages quote student code: no control characters reach the terminal.
        problems = "".join(c if c.isprintable() else "?" for c in "; ".join(
            r["errors"] + r["flags"]))
        if len(problems) > 70:
            problems = problems[:67] + "..."
        lines.append(f"{r['submission']:<{width}}  {r['score']:>5g} / {r['max_score']:<4g}  "
                     f"{problems}")
    return "\n".join(lines)
