"""Grading one Gradescope submission: what the archive's ``run_autograder`` runs.

    python -m autograder.gradescope --lab LAB --notebook NAME.ipynb [--root /autograder]
                                    [--seconds S] [--submission-seconds S]

Gradescope puts a student's files in ``<root>/submission/`` and reads
``<root>/results/results.json`` (its documented format: ``score``,
``execution_time``, ``output`` and ``tests``). Every notebook handed in is graded
by the batch grader (:func:`autograder.batch.grade_all`: the student's code in
sandboxed workers, the checks here), the lab fixed by the archive, so a renamed
file is graded all the same; at most :data:`MAX_NOTEBOOKS` of them (the one named
like the lab's notebook first), and the best one counts, as resubmitting would
allow anyway.

There is one test per check, not per question: Gradescope sets visibility per
test, and a question mixes visible checks with hidden ones, whose inputs and
feedback must stay unseen until grades are published (``after_published``;
visible checks are ``visible``). A test's number is ``<question>.<check>``.

Whatever happens, a ``results.json`` is written: no notebook, an unreadable one, a
hang or a dead kernel cost their points with a message; a failure of the grader
itself gives every check 0 and says so (and ``run_autograder`` writes a fallback
when even Python cannot start). What is for the instructor only (the grading seed,
flags, whether workers were confined) goes to stdout, which Gradescope shows to
instructors alone. Every message is declared plain text: it quotes what the student's
code raised or returned, which Gradescope must not render as HTML or Markdown.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import traceback
from collections.abc import Sequence
from pathlib import Path

from autograder import confine
from autograder.batch import Submission, grade_all
from autograder.hidden import load_lab
from autograder.names import for_terminal
from autograder.oracle import answer_key
from autograder.record import QuestionEntry, Record
from autograder.report import summary_table, write_atomic
from autograder.sandbox import Limits
from nnlabs.registry import Question

ROOT_VARIABLE = "NNLABS_AUTOGRADER_ROOT"
DEFAULT_ROOT = Path("/autograder")
MAX_NOTEBOOKS = 3
PUBLISHED = "after_published"
# How Gradescope shows a results.json: messages quote the student's code and values, so they
# are plain text (never HTML or Markdown); stdout is the instructor's.
SHOWN = {"output_format": "text", "test_output_format": "text", "test_name_format": "text",
         "visibility": "visible", "stdout_visibility": "hidden"}


def autograder_root() -> Path:
    """``/autograder``, or the folder ``NNLABS_AUTOGRADER_ROOT`` names (a test's)."""
    return Path(os.environ.get(ROOT_VARIABLE) or DEFAULT_ROOT)


def handed_in(folder: Path, notebook: str) -> list[Submission]:
    """Every ``.ipynb`` under ``folder`` (checkpoints aside, links never followed), the one
    named ``notebook`` first, then by path; a symbolic link is a submission not graded."""
    found = []
    for here, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if d != ".ipynb_checkpoints"]
        for name in files:
            if name.endswith(".ipynb"):
                path = Path(here) / name
                where = path.relative_to(folder).as_posix()
                found.append(Submission(where, path, f"{where} is a symbolic link: upload the "
                                                     "notebook itself" if path.is_symlink()
                                        else ""))
    return sorted(found, key=lambda s: (s.path.name != notebook, s.name))


def _check_output(entry: QuestionEntry | None, description: str, earned: bool) -> str:
    """A check's feedback out of its question's entry (``"<description>: <feedback>"``;
    descriptions hold no colon), or why the question was not graded."""
    if entry is None:
        return "not graded: the grader failed (see the message above)"
    prefix = description + ": "
    mine = [f.removeprefix(prefix) for f in entry.feedback if f.startswith(prefix)]
    if mine:
        return "\n".join(mine)
    if earned:
        return "passed"
    return "\n".join(f for f in entry.feedback if f.startswith("not graded: ")) or "failed"


def tests(record: Record | None, questions: list[Question]) -> list[dict]:
    """Gradescope's ``tests``: one per check of every question of the lab, in order."""
    entries = {q.id: q for q in record.questions} if record else {}
    found = []
    for qi, question in enumerate(questions, start=1):
        entry = entries.get(question.id)
        earned = {c.name: c.earned for c in entry.checks} if entry else {}
        for ci, check in enumerate(question.checks, start=1):
            score = float(earned.get(check.name, 0.0))
            found.append({
                "name": f"{question.id}: {check.description}",
                "number": f"{qi}.{ci}",
                "score": score,
                "max_score": check.points,
                "status": "passed" if score >= check.points else "failed",
                "output": _check_output(entry, check.description, score >= check.points),
                "visibility": PUBLISHED if check.hidden else "visible",
            })
    return found


def _lines(title: str, items: Sequence[str]) -> list[str]:
    return [title, *(f"- {item}" for item in items)] if items else []


def results(records: list[Record], questions: list[Question], notebook: str,
            not_graded: list[str], seconds: float) -> dict:
    """The ``results.json`` of a submission whose notebooks gave ``records`` (none: nothing
    was handed in); the best record counts."""
    best = max(records, key=lambda r: r.score, default=None)
    maximum = sum(q.max_score for q in questions)
    if best is None:
        output = [f"No notebook (.ipynb) was found in your submission: upload your {notebook}."]
    else:
        output = [f"{best.submission}: {best.score:g} / {maximum:g} points."]
        output += _lines("What went wrong:", best.errors)
        output += _lines("Also graded (the best notebook counts):",
                         [f"{r.submission}: {r.score:g} / {maximum:g}"
                          for r in records if r is not best])
        output += _lines(f"Not graded (only {MAX_NOTEBOOKS} notebooks are):", not_graded)
        output.append("Checks on hidden inputs, drawn at grading time, are shown once grades "
                      "are published.")
    found = tests(best, questions)
    return {"score": sum(t["score"] for t in found), "execution_time": round(seconds),
            "output": "\n".join(output), **SHOWN, "tests": found}


def grade(root: Path, lab: str, notebook: str, limits: Limits) -> tuple[dict, list[Record]]:
    """``results.json`` for the submission under ``root``, and the batch grader's records."""
    start = time.monotonic()
    questions = load_lab(lab)
    answer_key(lab)  # imported before any student code runs
    submitted = handed_in(root / "submission", notebook)
    chosen, rest = submitted[:MAX_NOTEBOOKS], submitted[MAX_NOTEBOOKS:]
    records = grade_all(chosen, lab, jobs=min(len(chosen), os.cpu_count() or 1) or 1,
                        limits=limits, unseen=[root / "source", root / "results"])
    document = results(records, questions, notebook, [s.name for s in rest],
                       time.monotonic() - start)
    return document, records


def failed(lab: str, error: BaseException) -> dict:
    """``results.json`` when the grader itself failed: every check 0, and a message."""
    try:
        found = tests(None, load_lab(lab))
    except Exception:  # noqa: BLE001 - the lab itself could not be loaded
        found = []
    return {"score": 0.0, "execution_time": 0,
            "output": f"The grader failed on this submission ({type(error).__name__}); "
                      "your instructor can see why in the autograder output.",
            **SHOWN, "tests": found}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder.gradescope", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lab", required=True, help="the lab every notebook is graded as")
    parser.add_argument("--notebook", required=True,
                        help="the lab notebook's file name, graded first")
    parser.add_argument("--root", type=Path, default=None,
                        help=f"Gradescope's folder (default: ${ROOT_VARIABLE} or {DEFAULT_ROOT})")
    parser.add_argument("--seconds", type=float, default=Limits.cell_seconds)
    parser.add_argument("--submission-seconds", type=float, default=Limits.submission_seconds)
    args = parser.parse_args(argv)
    root = args.root or autograder_root()
    limits = Limits(cell_seconds=args.seconds, call_seconds=args.seconds,
                    submission_seconds=args.submission_seconds)
    print(f"workers confined: {'yes' if confine.available() else 'NO (see docs/SECURITY.md)'}")
    try:
        document, records = grade(root, args.lab, args.notebook, limits)
        if records:
            print(summary_table(records))
            print(f"grading seed: {records[0].seed}")
        for record in records:
            for flag in record.flags:
                print(for_terminal(f"flag ({record.submission}): {flag}"))
    except BaseException as error:  # noqa: BLE001 - Gradescope must get a results.json
        traceback.print_exc(file=sys.stdout)
        document = failed(args.lab, error)
    write_atomic(root / "results" / "results.json", json.dumps(document, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
