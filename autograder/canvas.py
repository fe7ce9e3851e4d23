"""Canvas's gradebook import file, from the batch grader's records and the class roster.

``python -m autograder grade ... --canvas-csv FILE --roster ROSTER.csv
--canvas-assignment lab03=12345`` writes Canvas's import layout: the columns
``Student, ID, SIS User ID, SIS Login ID, Section``, then one per lab, ``<lab>
(<assignment id>)``, and one row per roster student, in the roster's order.

The roster is a Canvas gradebook export (or any CSV with those five columns); its
``Points Possible`` row is skipped. A record belongs to the roster row whose
``key`` column (``SIS Login ID`` unless told otherwise) is exactly its student id.
A student without a submission for a lab gets an empty cell, which Canvas leaves
alone, never a 0; a submission that could not be graded gets its 0. What Canvas
does not get is said in :class:`CanvasFile`'s ``notes``: submissions of no one in
the roster (not written), of no lab, and flagged ones (written, to look at). Every
cell is neutralized against formula injection (:func:`autograder.names.csv_cell`):
the roster's names come from students too.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from autograder.names import csv_cell
from autograder.record import Record
from autograder.report import write_atomic

COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
DEFAULT_KEY = "SIS Login ID"
POINTS_ROW = "Points Possible"


class CanvasError(ValueError):
    """The roster or the assignment ids cannot make a gradebook file; nothing is written."""


def assignment_ids(pairs: Sequence[str]) -> dict[str, str]:
    """``{"lab03": "12345"}`` from ``["lab03=12345"]``, in the order given."""
    found: dict[str, str] = {}
    for pair in pairs:
        lab, sep, number = pair.partition("=")
        if not sep or not lab.strip() or not number.strip().isdigit():
            raise CanvasError(f"--canvas-assignment {pair!r}: give LAB=ID, e.g. lab03=12345 "
                              "(the number in the assignment's Canvas address)")
        if lab.strip() in found:
            raise CanvasError(f"--canvas-assignment gives {lab.strip()} twice")
        found[lab.strip()] = number.strip()
    return found


def read_roster(path: Path, key: str = DEFAULT_KEY) -> list[dict[str, str]]:
    """The roster's student rows (``Points Possible`` left out), each a dict by column."""
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    header = set(rows[0]) if rows else set()
    missing = [c for c in (*COLUMNS, key) if c not in header]
    if missing:
        raise CanvasError(f"the roster {path.name} has no column {', '.join(missing)}")
    students = [{column: value or "" for column, value in r.items() if column is not None}
                for r in rows if (r["Student"] or "").strip() != POINTS_ROW]
    seen: set[str] = set()
    for row in students:
        value = row[key]
        if value and value in seen:
            raise CanvasError(f"the roster has two students with {key} {value!r}")
        seen.add(value)
    return students


@dataclass
class CanvasFile:
    """The gradebook file's text, and what an instructor should know about it."""

    text: str
    notes: list[str] = field(default_factory=list)


def canvas_file(records: Sequence[Record], roster: list[dict[str, str]],
                assignments: dict[str, str], key: str = DEFAULT_KEY) -> CanvasFile:
    """The import file for ``records`` (see the module docstring)."""
    labs = {r.lab for r in records if r.lab}
    unnamed = sorted(labs - set(assignments))
    if unnamed:
        raise CanvasError(f"no Canvas assignment id for {', '.join(unnamed)}: give "
                          f"--canvas-assignment {unnamed[0]}=ID")
    enrolled = {row[key] for row in roster if row[key]}  # read_roster: no None, no twice
    scores: dict[tuple[str, str], float] = {}
    notes = []
    for r in records:
        who = f"{r.submission} ({r.lab or 'no lab'})"
        if not r.lab:
            notes.append(f"not written (no lab): {who}")
        elif r.submission not in enrolled:
            notes.append(f"not written (not in the roster's {key}): {who}")
        else:
            scores[r.submission, r.lab] = r.score
            if r.errors or r.flags:
                notes.append(f"flagged (written, look at it): {who}: "
                             + "; ".join(r.errors + r.flags))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*COLUMNS, *(f"{lab} ({number})" for lab, number in assignments.items())])
    for row in roster:
        cells = [row[c] for c in COLUMNS]
        grades = [scores.get((row[key], lab)) for lab in assignments]
        writer.writerow([*map(csv_cell, cells), *("" if g is None else f"{g:g}" for g in grades)])
    return CanvasFile(out.getvalue(), notes)


def write_canvas_csv(path: Path, records: Sequence[Record], roster: list[dict[str, str]],
                     assignments: dict[str, str], key: str = DEFAULT_KEY) -> list[str]:
    """Write the import file to ``path`` atomically; the notes about it."""
    made = canvas_file(records, roster, assignments, key)
    write_atomic(path, made.text)
    return made.notes
