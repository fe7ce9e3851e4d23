"""Releasing labs: record the visible checks' oracle answers, generate ``labs/``.

``python -m autograder release`` (``make release``) does both:

1. for every lab, runs its visible checks on the reference implementation
   with a recording oracle and writes ``autograder/fixtures/<lab>.json``
   (see :mod:`autograder.oracle`);
2. runs ``nbgrader generate_assignment`` for every lab in ``solutions/``,
   which writes the student notebooks to ``labs/``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from autograder.oracle import (
    FIXTURES,
    RecordingOracle,
    ReferenceOracle,
    ReplayOracle,
    fixture_text,
)
from autograder.registry import LAB_MODULES, load_lab
from autograder.runner import oracle_modules, run_check
from autograder.student import LocalStudent

ROOT = Path(__file__).resolve().parent.parent


def record(lab: str) -> str:
    """The fixture text for ``lab``: every oracle answer its visible checks ask for."""
    recorded: dict[str, dict[str, str]] = {}
    for question in load_lab(lab):
        modules = oracle_modules(question)
        reference = ReferenceOracle(modules)
        reference_student = LocalStudent({name: getattr(reference, name)
                                          for name in question.functions})
        oracle = RecordingOracle(modules)
        for check in question.visible_checks():
            result = run_check(check, reference_student, oracle)
            if result.earned != result.points:
                raise RuntimeError(f"the reference fails its own visible check {check.name}: "
                                   f"{result.feedback}")
        recorded.update(oracle.recorded)
    return fixture_text(recorded)


def write_fixtures(labs: Sequence[str] = LAB_MODULES) -> None:
    """Record each lab's visible checks; a fixture that already answers exactly the same
    calls (within :data:`~autograder.oracle.SAME_INPUT`) is kept as it is, so a release on
    another machine's BLAS does not rewrite it for last-bit differences."""
    FIXTURES.mkdir(exist_ok=True)
    for lab in labs:
        text = record(lab)
        path = FIXTURES / f"{lab}.json"
        if not path.exists() or not ReplayOracle(lab).answers_exactly(json.loads(text)):
            path.write_text(text)


def nbgrader(*args: str, root: Path, db_url: str, check: bool = True,
             **env: str) -> subprocess.CompletedProcess:
    """``python -m nbgrader ARGS`` on the course at ``root`` with the gradebook ``db_url``.

    nbgrader runs ``alembic`` from ``PATH``, so this interpreter's scripts
    folder goes first even when the venv is not activated; ``env`` adds
    variables. nbgrader loads ``root/nbgrader_config.py``, if there is one.
    Returns the finished process, its log (warnings and errors) in ``stderr``;
    with ``check``, a failure raises with that log in the message.
    """
    scripts = str(Path(sys.executable).parent)
    environment = dict(os.environ, PATH=os.pathsep.join([scripts, os.environ.get("PATH", "")]),
                       **env)
    run = subprocess.run([sys.executable, "-m", "nbgrader", *args, "--log-level=WARN",
                          f"--CourseDirectory.root={root}",
                          "--CourseDirectory.source_directory=solutions",
                          f"--CourseDirectory.db_url={db_url}"],
                         cwd=root, env=environment, capture_output=True, text=True)
    if check and run.returncode != 0:
        raise RuntimeError(f"nbgrader {' '.join(args)} failed with status {run.returncode}:\n"
                           f"{run.stderr[-4000:]}")
    return run


def generate_labs(root: Path = ROOT, release: Path | None = None,
                  labs: Sequence[str] = LAB_MODULES) -> None:
    """``nbgrader generate_assignment`` for the lab folders in ``root/solutions``.

    The gradebook it fills is a throwaway: the course's gradebook is the
    instructor's, not the repository's. ``release`` defaults to ``root/labs``.
    """
    release = release or root / "labs"
    with tempfile.TemporaryDirectory() as scratch:
        for source in sorted((root / "solutions").iterdir()):
            if not source.is_dir() or source.name.split("_")[0] not in labs:
                continue
            nbgrader("generate_assignment", source.name, "--force",
                     f"--CourseDirectory.release_directory={release}",
                     root=root, db_url=f"sqlite:///{scratch}/gradebook.db")
            shutil.rmtree(release / source.name / "figures", ignore_errors=True)


def main(labs: Sequence[str] = LAB_MODULES) -> None:
    write_fixtures(labs)
    generate_labs(labs=labs)
