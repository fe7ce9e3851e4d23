"""Grading many submissions: each in its own sandboxed worker, in parallel.

A submission's result is a :class:`autograder.record.Record` (its JSON is what ``--json``
writes). Every submission of a batch is graded with one grading seed, recorded in each
record: one fresh random seed per batch, unless ``NNLABS_GRADING_SEED`` gives one; grading
again with it set to the recorded seed reproduces every record.

Nothing a submission does changes another's result: a notebook that cannot
be read, a cell that raises or hangs, a worker that dies, each is recorded in
that submission's ``errors``/``flags`` and costs only its own points.
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass, replace
from pathlib import Path

from autograder import confine, forkserver, tampering
from autograder.confine import outermost
from autograder.hidden import load_lab
from autograder.record import QuestionEntry, Record
from autograder.runner import grading_seed, run_question
from autograder.sandbox import Limits, WorkerStudent
from nnlabs.notebook import (
    LAB_PATTERN,
    NotebookError,
    cells_to_run,
    lab_of,
    notes,
    parse_notebook,
    read_notebook,
)

# Cell errors an instructor should look at, whatever they cost; one flag for all the cells.
CELL_FLAGS = {
    "Timeout": "{cells} did not finish and had to be stopped: look for an infinite loop",
    "WorkerDied": "{cells} ended the process running the notebook (an exit, or a crash)",
    "Tampering": "{cells} replaced parts of numpy, of Python itself or of the grader's worker "
                 "process: grading does not rely on them, but look at why",
}


# Where each layout puts a notebook that is graded; anything elsewhere is reported.
LAYOUTS = {"class": "<student>/<lab>/<notebook>.ipynb", "student": "<lab>/<notebook>.ipynb",
           "flat": "<student>.ipynb"}


@dataclass(frozen=True)
class Submission:
    """A student's notebook for a lab.

    ``lab`` is the lab its folder names (None: ``--lab`` or the file name tells);
    ``problem``, when set, says why it is not graded at all; ``flags``, what finding it
    turned up (files beside it that are not graded, a classmate's identical file).
    """

    name: str
    path: Path
    problem: str = ""
    lab: str | None = None
    flags: tuple[str, ...] = ()


def _lab_folder(name: str) -> str | None:
    """``lab03`` for a folder named ``lab03_activations`` (a notebook's name is no folder)."""
    match = LAB_PATTERN.match(name)
    return match.group(1) if match and not name.endswith(".ipynb") else None


@dataclass(frozen=True)
class _Entry:
    """A notebook under a folder given, or a link or folder where one could be."""

    parts: tuple[str, ...]  # the path relative to that folder
    path: Path
    kind: str  # "notebook", "link" or "folder"

    @property
    def where(self) -> str:
        return _text("/".join(self.parts))

    @property
    def problem(self) -> str:
        return {"notebook": "",
                "link": f"{self.where} is a symbolic link: hand in the notebook itself",
                "folder": f"{self.where} is a folder, not a notebook: hand in the notebook "
                          "file"}[self.kind]


def _entries(root: Path) -> list[_Entry]:
    """Every notebook under ``root``, every symbolic link to a notebook or a folder, every
    folder named like a notebook; links are never followed."""
    found = []
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        parts = here.relative_to(root).parts
        for name in list(dirs):
            path = here / name
            if path.is_symlink() or name.endswith(".ipynb") or name == ".ipynb_checkpoints":
                dirs.remove(name)
                if name != ".ipynb_checkpoints":
                    found.append(_Entry((*parts, name), path,
                                        "link" if path.is_symlink() else "folder"))
        found += [_Entry((*parts, name), here / name,
                         "link" if (here / name).is_symlink() else "notebook")
                  for name in files if name.endswith(".ipynb")]
    return sorted(found, key=lambda e: e.parts)


def _layout(entries: list[_Entry]) -> str:
    """``class`` (``<student>/<lab>/...``), ``student`` (``<lab>/...``) or ``flat``."""
    if any(len(e.parts) > 1 and _lab_folder(e.parts[1]) and not _lab_folder(e.parts[0])
           for e in entries):
        return "class"
    if any(len(e.parts) > 1 and _lab_folder(e.parts[0]) for e in entries):
        return "student"
    return "flat"


def _place(entry: _Entry, layout: str, root: Path) -> tuple[str, str | None, bool]:
    """Whose ``entry`` is, for which lab, and whether it is where ``layout`` puts a graded
    notebook (a link may stand for the lab folder itself)."""
    parts = entry.parts
    if layout == "flat" or len(parts) == 1 and layout == "class":
        return Path(parts[-1]).stem, lab_of(entry.path) if len(parts) > 1 else None, \
            layout == "flat" and len(parts) == 1
    owner, below = (parts[0], parts[1:]) if layout == "class" else (root.absolute().name, parts)
    lab = _lab_folder(below[0]) if len(below) > 1 or entry.kind == "link" else None
    graded = lab is not None and (len(below) == 2 or len(below) == 1 and entry.kind == "link")
    return owner, lab or lab_of(entry.path), graded


def find_submissions(paths: Iterable[Path]) -> list[Submission]:
    """The submissions under ``paths``: one per student and lab.

    In nbgrader's layout, ``<class>/<student>/<lab>/<notebook>.ipynb``, the student is
    the first folder and the lab the second; a student's own folder holds
    ``<lab>/<notebook>.ipynb``; a flat folder holds notebooks named by student. A
    notebook anywhere else (deeper, or beside the lab folders) is reported, on its
    folder owner's record, and never graded: nobody can hand in a notebook as someone
    else. Of several notebooks for one student and lab, the one named like its lab
    folder is graded and the rest reported.

    A symbolic link (to a notebook or a folder) is a submission that is not graded: a
    link could name the solutions, or another student's work, and the grader reads every
    file it grades; so is a folder named like a notebook. Two students handing in the
    same file (a hard link, or the same bytes) are both flagged.
    """
    placed: dict[tuple[str, str | None], list[_Entry]] = {}
    stray: dict[tuple[str, str | None], list[tuple[_Entry, str]]] = {}
    for root in paths:
        if root.is_file():
            placed.setdefault((_text(root.stem), None), []).append(
                _Entry((root.name,), root, "notebook"))
            continue
        entries = _entries(root)
        layout = _layout(entries)
        for entry in entries:
            student, lab, graded = _place(entry, layout, root)
            if graded:
                placed.setdefault((_text(student), lab), []).append(entry)
            else:
                stray.setdefault((_text(student), lab), []).append((entry, (
                    f"{entry.where} is not where a notebook is graded ({LAYOUTS[layout]}): "
                    "not graded")))
    found: dict[tuple[str, str | None], Submission] = {}
    for (student, lab), entries in placed.items():
        first, *others = sorted(entries, key=lambda e: (
            e.kind != "notebook", len(e.parts) < 2 or Path(e.parts[-1]).stem != e.parts[-2]))
        found[student, lab] = Submission(student, first.path, first.problem, lab, tuple(
            f"{e.where} was handed in too: only {first.where} is graded" for e in others))
    for (student, lab), strays in stray.items():
        said = tuple(sentence for _, sentence in strays)
        owner = (student, lab) if (student, lab) in found else next(
            (key for key in found if key[0] == student), None)
        if owner is None:
            found[student, lab] = Submission(student, strays[0][0].path, "; ".join(said), lab)
        else:
            found[owner] = replace(found[owner], flags=found[owner].flags + said)
    return _flag_identical(list(found.values()))


def _flag_identical(submissions: list[Submission]) -> list[Submission]:
    """``submissions``, each flagged that is the same file as another student's: the same
    bytes, or the very same file through a hard link."""
    status: dict[int, os.stat_result] = {}
    for i, s in enumerate(submissions):
        if not s.problem:
            with suppress(OSError):
                status[i] = s.path.stat()
    sizes = Counter(st.st_size for st in status.values())
    digests: dict[int, str] = {}
    for i, st in status.items():
        if sizes[st.st_size] > 1:
            with suppress(OSError):
                digests[i] = hashlib.sha256(submissions[i].path.read_bytes()).hexdigest()
    flagged = []
    for i, s in enumerate(submissions):
        same = {submissions[j].name: "a hard link" if os.path.samestat(status[i], status[j])
                else "the same bytes" for j, digest in digests.items()
                if digest == digests.get(i) and submissions[j].name != s.name}
        flagged.append(replace(s, flags=(*s.flags, "the same file as " + ", ".join(
            f"{name}'s ({how})" for name, how in sorted(same.items())) + ": look at both"))
            if same else s)
    return flagged


def _text(name: str) -> str:
    """A file name as text: one that is not UTF-8 arrives with surrogates that no output
    could encode."""
    return os.fsencode(name).decode("utf-8", "replace")


def _lab(submission: Submission, lab: str | None) -> str | None:
    """The lab a submission is graded as: its folder's, else ``lab`` (``--lab``), else the
    file name's."""
    return submission.lab or lab or lab_of(submission.path)


def grade_submission(submission: Submission, lab: str | None = None,
                     limits: Limits | None = None, hidden: bool = True,
                     unseen: Sequence[Path] = (), seed: int | None = None,
                     content: bytes | None = None) -> Record:
    """Grade one notebook; never raises for anything the notebook contains.

    ``unseen`` are paths its code must not see (the class's submissions, the
    outputs); the project itself is never visible to it. ``seed`` is the grading
    seed (:func:`autograder.runner.grading_seed` when None). ``content``, when given, is
    the notebook's bytes, read elsewhere (on a Dask worker, by the grading command):
    the file itself is not read then.
    """
    lab = _lab(submission, lab)
    seed = grading_seed() if seed is None else seed
    if lab is None:
        problem = submission.problem or (f"cannot tell which lab {submission.path.name} is: "
                                         "name it labNN_... or pass --lab")
        return Record.ungraded(submission.name, None, problem, seed, flags=submission.flags)
    questions = load_lab(lab)
    if submission.problem:
        return Record.ungraded(submission.name, lab, submission.problem, seed, questions,
                               submission.flags)
    try:
        notebook = (read_notebook(submission.path) if content is None
                    else parse_notebook(submission.path.name, content))
        cells = cells_to_run(notebook)
    except NotebookError as exc:
        return Record.ungraded(submission.name, lab, str(exc), seed, questions,
                               submission.flags)
    errors: list[str] = []
    flags = [*submission.flags, *notes(notebook, questions), *tampering.flags(cells)]
    entries = []
    with WorkerStudent(cells, limits, [submission.path.parent, *unseen]) as student:
        flagged: dict[str, list[str]] = {}
        for error in student.cell_errors:
            message = f": {error['message']}" if error["message"] else ""
            errors.append(f"cell {error['cell']}: {error['type']}{message}")
            if error["type"] in CELL_FLAGS:
                flagged.setdefault(error["type"], []).append(error["cell"])
        flags += [CELL_FLAGS[kind].format(
            cells=("cell " if len(cells) == 1 else "cells ") + ", ".join(cells))
            for kind, cells in flagged.items()]
        for question in questions:
            reason = student.out_of_time()
            if reason:
                entries.append(QuestionEntry.ungraded(question, reason))
                if reason not in flags:
                    flags.append(reason)
                continue
            result = run_question(question, student, hidden=hidden, seed=seed)
            entries.append(QuestionEntry.graded(result))
            flags.extend(result.flags)
        flags.extend(student.events)
    return Record.graded(submission.name, lab, entries, errors, flags, seed)


def grade_guarded(submission: Submission, lab: str | None, limits: Limits | None,
                  unseen: Sequence[Path], seed: int, content: bytes | None = None) -> Record:
    """:func:`grade_submission`, with a fault of the grader itself recorded as this
    submission's error instead of raised."""
    try:
        return grade_submission(submission, lab, limits, unseen=unseen, seed=seed,
                                content=content)
    except Exception as exc:  # noqa: BLE001 - a grader fault stays this submission's
        return Record.crashed(submission.name, _lab(submission, lab),
                              f"the grader failed on this submission: {type(exc).__name__}: "
                              f"{exc}", seed, submission.flags)


def unseen_by_all(submissions: Sequence[Submission], unseen: Sequence[Path]) -> list[Path]:
    """What no submission's code may see: ``unseen`` and every submission's folder, the
    outermost of them only (worked out once: each worker's confinement would otherwise do
    it again for every folder of the class, a cost per submission growing with the class)."""
    return outermost([*unseen, *(s.path.parent for s in submissions)])


def grade_all(submissions: list[Submission], lab: str | None = None, jobs: int = 1,
              limits: Limits | None = None,
              on_done: Callable[[Record], None] | None = None,
              unseen: Sequence[Path] = (), seed: int | None = None) -> list[Record]:
    """Grade every submission with ``jobs`` workers at once; results in input order.

    No submission's code sees another's file, nor the paths in ``unseen``. Every
    submission is graded with the one grading seed ``seed`` (a fresh one when None).
    """
    everyone = unseen_by_all(submissions, unseen)
    seed = grading_seed() if seed is None else seed
    if confine.own_uid():  # its fork server starts now, while the first notebooks are read
        forkserver.prepare(limits or Limits(), everyone)

    def one(submission: Submission) -> Record:
        record = grade_guarded(submission, lab, limits, everyone, seed)
        if on_done:
            on_done(record)
        return record

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return list(pool.map(one, submissions))
