"""The class handout: what an instructor gives students, with no answer in it.

``python -m autograder release --student DIR`` (``make student``) releases the labs as
``make release`` does, then writes into ``DIR``:

- ``labs/<lab>/<lab>.ipynb``: the released notebooks, as nbgrader generated them into ``labs/``;
- ``nnlabs-<version>-py3-none-any.whl``: the student runtime, the package ``nnlabs`` (the
  in-notebook ``check``, the visible checks, their recorded answers, ``python -m nnlabs
  check``), depending on numpy and matplotlib only, with nbgrader as the extra ``validate``;
- ``README.md``: how students install it, work, check, validate and hand in, and where an
  instructor puts the wheel on a JupyterHub.

Nothing of ``reference/``, ``solutions/`` or ``autograder/`` goes in: ``nnlabs`` never imports
them (a test says so), and a test searches the handout for every line of every answer.
"""

from __future__ import annotations

import importlib.metadata
import re
import shutil
import tempfile
from pathlib import Path

import nnlabs
from autograder.answers_search import find_answers
from autograder.wheel import write_wheel
from nnlabs.notebook import lab_id

ROOT = Path(__file__).resolve().parent.parent
RUNTIME = Path(nnlabs.__file__).resolve().parent
TEMPLATE = Path(__file__).resolve().parent / "templates" / "student_README.md"
COURSE = "nnlabs-course"
REQUIRES = ("numpy", "matplotlib")
VALIDATE = ("nbgrader",)


def requirements(names: tuple[str, ...]) -> list[str]:
    """The course's own requirement strings (``numpy>=1.26``) for these distributions."""
    found = {}
    for requirement in importlib.metadata.requires(COURSE) or []:
        name = re.match(r"[A-Za-z0-9_.-]+", requirement).group(0).lower()
        if name in names and ";" not in requirement:
            found[name] = requirement
    return [found[name] for name in names]


def build_wheel(out: Path) -> Path:
    """The student runtime's wheel, written into ``out``."""
    return write_wheel([RUNTIME], out, name="nnlabs", version=nnlabs.__version__,
                       summary="nnlabs: check your lab notebooks (the student runtime)",
                       requires=requirements(REQUIRES),
                       extras={"validate": requirements(VALIDATE)},
                       requires_python=importlib.metadata.metadata(COURSE)["Requires-Python"],
                       description=(nnlabs.__doc__ or "").strip())


class AnswerInHandout(RuntimeError):
    """The handout would carry an answer; nothing was written."""


def _assemble(folder: Path, labs: Path) -> None:
    wheel = build_wheel(folder)
    for notebook in sorted(n for n in labs.glob("*/*.ipynb") if lab_id(n.parent.name)):
        target = folder / "labs" / notebook.parent.name / notebook.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(notebook, target)
    (folder / "README.md").write_text(
        TEMPLATE.read_text().format(wheel=wheel.name, version=nnlabs.__version__))


def write_handout(out: Path, labs: Path | None = None) -> list[Path]:
    """The handout in ``out``, from the released notebooks in ``labs`` (default ``labs/``):
    the paths written. It is assembled aside and searched for answers first
    (:func:`autograder.answers_search.find_answers`): with one, nothing is written. An older
    wheel of the runtime in ``out`` is removed."""
    with tempfile.TemporaryDirectory() as scratch:
        built = Path(scratch)
        _assemble(built, labs or ROOT / "labs")
        found = find_answers(built)
        if found:
            raise AnswerInHandout("the handout would carry answers, so it was not written:\n"
                                  + "\n".join(f"  {hit}" for hit in found[:20]))
        out.mkdir(parents=True, exist_ok=True)
        for old in out.glob("nnlabs-*-py3-none-any.whl"):
            old.unlink()
        written = []
        for path in sorted(p for p in built.rglob("*") if p.is_file()):
            target = out / path.relative_to(built)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
            written.append(target)
    return written
