"""Releasing labs: record the visible checks' oracle answers, generate ``labs/``.

``python -m autograder release`` (``make release``) does both:

1. for every lab, runs its visible checks on the reference implementation
   with a recording oracle and writes ``nnlabs/fixtures/<lab>.json``
   (see :mod:`autograder.oracle`);
2. runs ``nbgrader generate_assignment`` for every lab in ``solutions/`` into a scratch folder
   and copies the student notebooks it writes to ``labs/``.

``labs/`` is also where students work, so regenerating it never destroys their files: a file
not in the release (``lab03_mine.ipynb``, ``figures/``) is left alone, and a released file
replaces the one in ``labs/`` only where that one is still what the last release wrote
(``labs/.release.sha256`` records it, in ``sha256sum`` format). A changed file the new release
would change too is a conflict: nothing is written, and the message names it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from autograder.hidden import LAB_MODULES, load_lab
from autograder.oracle import RecordingOracle, ReferenceOracle, fixture_text
from nnlabs.notebook import lab_id
from nnlabs.oracle import FIXTURES, ReplayOracle
from nnlabs.runner import redrawable, run_check
from nnlabs.student import LocalStudent

ROOT = Path(__file__).resolve().parent.parent


def record(lab: str) -> str:
    """The fixture text for ``lab``: every oracle answer its visible checks ask for."""
    recorded: dict[str, dict[str, str]] = {}
    reference = ReferenceOracle(lab)
    for question in load_lab(lab):
        reference_student = LocalStudent({name: getattr(reference, name)
                                          for name in question.functions})
        oracle = RecordingOracle(lab)
        for check in question.visible_checks():
            result = run_check(check, reference_student, oracle)
            if result.earned != result.points:
                raise RuntimeError(f"the reference fails its own visible check {check.name}: "
                                   f"{result.feedback}")
            if redrawable(check):  # the second input that confirms a named mistake
                run_check(check, reference_student, oracle, second=True)
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


MANIFEST = ".release.sha256"


class ReleaseConflict(RuntimeError):
    """Regenerating ``labs/`` would overwrite files changed since the last release."""


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_manifest(release: Path) -> dict[str, str]:
    """What the last release wrote into ``release``: relative path -> SHA-256."""
    path = release / MANIFEST
    if not path.exists():
        return {}
    return {name: digest for digest, name in
            (line.split("  ", 1) for line in path.read_text().splitlines() if line)}


def install(fresh: Path, release: Path) -> None:
    """Copy the files of the release in ``fresh`` into ``release``, never over a student's work.

    A file is written where ``release`` lacks it or holds what the last release wrote there.
    A file changed since then stays as it is where the new release has the same version as the
    last; where the new release changes it too, that is a conflict (:class:`ReleaseConflict`),
    and then nothing is written.
    """
    recorded = read_manifest(release)
    new = {path.relative_to(fresh).as_posix(): _sha256(path)
           for path in sorted(fresh.rglob("*")) if path.is_file()}
    changed = {name: _sha256(release / name) for name in new if (release / name).exists()}
    changed = {name: digest for name, digest in changed.items()
               if digest not in (new[name], recorded.get(name))}
    conflicts = [name for name in changed if new[name] != recorded.get(name)]
    if conflicts:
        raise ReleaseConflict(
            "the new release would overwrite files changed since the last release, so nothing "
            "was written:\n" + "".join(f"  {release / name}\n" for name in conflicts) +
            "Keep your work by moving each aside (or delete it to take the new release), "
            "then release again.")
    for name, digest in new.items():
        target = release / name
        if name not in changed and (not target.exists() or _sha256(target) != digest):
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(fresh / name, target)
    lines = sorted({**recorded, **new}.items())
    (release / MANIFEST).write_text("".join(f"{digest}  {name}\n" for name, digest in lines))


def generate_labs(root: Path = ROOT, release: Path | None = None,
                  labs: Sequence[str] = LAB_MODULES) -> None:
    """``nbgrader generate_assignment`` for the lab folders in ``root/solutions``, installed
    into ``release`` (default ``root/labs``) by :func:`install`.

    nbgrader writes into a scratch folder (its ``--force`` empties a lab's folder first), and
    the gradebook it fills is a throwaway: the course's gradebook is the instructor's, not the
    repository's.
    """
    release = release or root / "labs"
    with tempfile.TemporaryDirectory() as scratch:
        fresh = Path(scratch) / "release"
        for source in sorted((root / "solutions").iterdir()):
            if not source.is_dir() or lab_id(source.name) not in labs:
                continue
            nbgrader("generate_assignment", source.name, "--force",
                     f"--CourseDirectory.release_directory={fresh}",
                     root=root, db_url=f"sqlite:///{scratch}/gradebook.db")
            shutil.rmtree(fresh / source.name / "figures", ignore_errors=True)
        install(fresh, release)


def main(labs: Sequence[str] = LAB_MODULES) -> int:
    """``make release``: 0, or 1 with the conflicts on stderr when ``labs/`` holds changes
    the new release would overwrite."""
    write_fixtures(labs)
    try:
        generate_labs(labs=labs)
    except ReleaseConflict as conflict:
        print(f"release: {conflict}", file=sys.stderr)
        return 1
    return 0
