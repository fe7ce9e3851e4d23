"""Grading many submissions: each in its own sandboxed worker, in parallel.

A submission's result is plain data in the shape ``--json`` writes::

    {"submission": str, "lab": str, "score": float, "max_score": float,
     "questions": [{"id": str, "score": float, "max_score": float, "feedback": [str]}],
     "errors": [str], "flags": [str], "seed": int}

``seed`` is the grading seed the hidden checks drew their inputs from: one fresh
random seed per batch, unless ``NNLABS_GRADING_SEED`` gives one; grading again
with it set to the recorded seed reproduces every record.

Nothing a submission does changes another's result: a notebook that cannot
be read, a cell that raises or hangs, a worker that dies, each is recorded in
that submission's ``errors``/``flags`` and costs only its own points.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from autograder import tampering
from autograder.notebook import NotebookError, cells_to_run, notes, read_notebook
from autograder.registry import Question, load_lab
from autograder.runner import QuestionResult, grading_seed, run_question
from autograder.sandbox import Limits, WorkerStudent

LAB_PATTERN = re.compile(r"^(lab\d\d)(?:_|$)")
# Cell errors an instructor should look at, whatever they cost; one flag for all the cells.
CELL_FLAGS = {
    "Timeout": "{cells} did not finish and had to be stopped: look for an infinite loop",
    "WorkerDied": "{cells} ended the process running the notebook (an exit, or a crash)",
    "Tampering": "{cells} replaced parts of numpy, of Python itself or of the grader's worker "
                 "process: grading does not rely on them, but look at why",
}


@dataclass(frozen=True)
class Submission:
    """A student's notebook; ``problem``, when set, says why it is not graded at all."""

    name: str
    path: Path
    problem: str = ""


def lab_of(path: Path) -> str | None:
    """``lab03`` from a notebook named ``lab03_activations.ipynb`` or kept in ``lab03_*/``."""
    for part in (path.stem, path.parent.name):
        match = LAB_PATTERN.match(part)
        if match:
            return match.group(1)
    return None


def find_submissions(paths: Iterable[Path]) -> list[Submission]:
    """Notebooks under ``paths``, named by student.

    nbgrader's ``submitted/<student>/<lab>/<notebook>.ipynb`` layout is named
    ``<student>``; a flat folder of notebooks, by file name.

    A symbolic link under a folder (to a notebook or a folder) is a submission
    that is not graded: a link could name the solutions, or another student's
    work, and the grader reads every file it grades.
    """
    found: list[Submission] = []
    for root in paths:
        if root.is_file():
            found.append(Submission(_text(root.stem), root))
            continue
        for notebook in sorted(p for p in root.rglob("*.ipynb")
                               if ".ipynb_checkpoints" not in p.parts and not p.is_symlink()):
            nbgrader_layout = lab_of(notebook.parent) is not None and notebook.parent != root
            name = notebook.parent.parent.name if nbgrader_layout else notebook.stem
            found.append(Submission(_text(name), notebook))
        for link in sorted(p for p in root.rglob("*")
                           if p.is_symlink() and (p.suffix == ".ipynb" or p.is_dir())):
            parts = link.relative_to(root).parts
            found.append(Submission(_text(Path(parts[0]).stem if len(parts) == 1 else parts[0]),
                                    link, f"{'/'.join(parts)} is a symbolic link: hand in "
                                    "the notebook itself"))
    seen: dict[str, int] = {}
    unique = []
    for s in found:
        seen[s.name] = seen.get(s.name, 0) + 1
        unique.append(s if seen[s.name] == 1 else
                      Submission(f"{s.name}#{seen[s.name]}", s.path, s.problem))
    return unique


def _text(name: str) -> str:
    """A file name as text: one that is not UTF-8 arrives with surrogates that no output
    could encode."""
    return os.fsencode(name).decode("utf-8", "replace")


def _question_entry(result: QuestionResult) -> dict:
    return {"id": result.id, "score": result.score, "max_score": result.max_score,
            "feedback": result.feedback}


def _ungraded(questions: list[Question], reason: str) -> list[dict]:
    return [{"id": q.id, "score": 0.0, "max_score": q.max_score,
             "feedback": [f"not graded: {reason}"]} for q in questions]


def grade_submission(submission: Submission, lab: str | None = None,
                     limits: Limits | None = None, hidden: bool = True,
                     unseen: Sequence[Path] = (), seed: int | None = None) -> dict:
    """Grade one notebook; never raises for anything the notebook contains.

    ``unseen`` are paths its code must not see (the class's submissions, the
    outputs); the project itself is never visible to it. ``seed`` is the grading
    seed (:func:`autograder.runner.grading_seed` when None).
    """
    lab = lab or lab_of(submission.path)
    seed = grading_seed() if seed is None else seed
    record = {"submission": submission.name, "lab": lab or "", "score": 0.0, "max_score": 0.0,
              "questions": [], "errors": [], "flags": [], "seed": seed}
    if lab is None:
        record["errors"].append(f"cannot tell which lab {submission.path.name} is: name it "
                                "labNN_... or pass --lab")
        return record
    questions = load_lab(lab)
    record["max_score"] = sum(q.max_score for q in questions)
    if submission.problem:
        record["errors"].append(submission.problem)
        record["questions"] = _ungraded(questions, submission.problem)
        return record
    try:
        notebook = read_notebook(submission.path)
        cells = cells_to_run(notebook)
    except NotebookError as exc:
        record["errors"].append(str(exc))
        record["questions"] = _ungraded(questions, str(exc))
        return record
    record["flags"].extend(notes(notebook, questions) + tampering.flags(cells))
    entries = []
    with WorkerStudent(cells, limits, [submission.path.parent, *unseen]) as student:
        flagged: dict[str, list[str]] = {}
        for error in student.cell_errors:
            message = f": {error['message']}" if error["message"] else ""
            record["errors"].append(f"cell {error['cell']}: {error['type']}{message}")
            if error["type"] in CELL_FLAGS:
                flagged.setdefault(error["type"], []).append(error["cell"])
        record["flags"] += [CELL_FLAGS[kind].format(
            cells=("cell " if len(cells) == 1 else "cells ") + ", ".join(cells))
            for kind, cells in flagged.items()]
        for question in questions:
            reason = student.out_of_time()
            if reason:
                entries += _ungraded([question], reason)
                if reason not in record["flags"]:
                    record["flags"].append(reason)
                continue
            result = run_question(question, student, hidden=hidden, seed=seed)
            entries.append(_question_entry(result))
            record["flags"].extend(result.flags)
        record["flags"].extend(student.events)
    record["questions"] = entries
    record["score"] = sum(q["score"] for q in entries)
    record["max_score"] = sum(q["max_score"] for q in entries)
    return record


def grade_all(submissions: list[Submission], lab: str | None = None, jobs: int = 1,
              limits: Limits | None = None,
              on_done: Callable[[dict], None] | None = None,
              unseen: Sequence[Path] = (), seed: int | None = None) -> list[dict]:
    """Grade every submission with ``jobs`` workers at once; results in input order.

    No submission's code sees another's file, nor the paths in ``unseen``. Every
    submission is graded with the one grading seed ``seed`` (a fresh one when None).
    """
    everyone = [*unseen, *(s.path.parent for s in submissions)]
    seed = grading_seed() if seed is None else seed

    def one(submission: Submission) -> dict:
        try:
            record = grade_submission(submission, lab, limits, unseen=everyone, seed=seed)
        except Exception as exc:  # noqa: BLE001 - a grader fault stays this submission's
            record = {"submission": submission.name,
                      "lab": lab or lab_of(submission.path) or "", "score": 0.0,
                      "max_score": 0.0, "questions": [], "flags": [],
                      "errors": [f"the grader failed on this submission: "
                                 f"{type(exc).__name__}: {exc}"], "seed": seed}
        if on_done:
            on_done(record)
        return record

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return list(pool.map(one, submissions))
