"""The Gradescope autograder archive of a lab: ``python -m autograder gradescope LAB --out ZIP``.

The zip holds, at its root, as Gradescope wants:

- ``setup.sh``: run once when Gradescope builds the image: makes ``/autograder/venv``
  and installs the grader's wheel into it, with numpy, matplotlib and tqdm from the
  package registry (nothing else is downloaded);
- ``run_autograder``: run for every submission: :mod:`autograder.gradescope` with this
  lab and the time limits given here; if that writes no ``results.json`` (Python
  itself failed), it writes ``fallback_results.json`` in its place;
- ``fallback_results.json``: every check of the lab at 0, with a message;
- ``nnlabs_grader-<version>-py3-none-any.whl``: the grader, the packages ``nnlabs``,
  ``reference`` and ``autograder`` without what grading does not use and the course
  keeps to itself (:data:`LEFT_OUT`: the catalogue of mistakes and alternative
  solutions, and the course repository's tools: the command line, the demo, releases,
  the handout, nbgrader's plugins).

No notebook goes in, nor ``solutions/``. The reference goes in (the answer keys serve it),
with the answer keys, installed in the grader's venv, which confined workers do not see
(``confine`` covers installed copies of the project). Before the zip is written, its every
file, the wheel's members included, is searched for every line of every solution and
alternative solution that is not a line of the reference or of an answer key
(:mod:`autograder.answers_search`); with one, nothing is written.
"""

from __future__ import annotations

import json
import shlex
import tempfile
import zipfile
from pathlib import Path

import nnlabs
import reference
from autograder import gradescope
from autograder.answers_search import answer_lines, find_answers, normalized
from autograder.catalogue import notebook_path
from autograder.handout import REQUIRES, requirements
from autograder.hidden import load_lab
from autograder.sandbox import Limits
from autograder.wheel import EPOCH, package_files, write_wheel

PACKAGES = (Path(nnlabs.__file__).resolve().parent, Path(reference.__file__).resolve().parent,
            Path(gradescope.__file__).resolve().parent)
# The catalogue holds the mistakes and alternative solutions; the rest are the course
# repository's tools (the command line, releases, nbgrader's side, the class report, the
# cluster), which need solutions/, nbgrader, pytest or Dask, none of them in the grader's venv.
LEFT_OUT = ("autograder/catalogue", "autograder/demo.py", "autograder/answers_search.py",
            "autograder/handout.py", "autograder/release.py", "autograder/templates",
            "autograder/gradescope_archive.py", "autograder/cli.py", "autograder/__main__.py",
            "autograder/gradebook.py", "autograder/nbgrader_plugins.py",
            "autograder/pytest_plugin.py", "autograder/class_report.py",
            "autograder/class_stats.py", "autograder/similarity.py", "autograder/cluster.py")
GRADER = "nnlabs_grader"
# What the student runtime needs, and what the reference's training loop does.
GRADER_REQUIRES = (*REQUIRES, "tqdm")

SETUP = """#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image.
set -euo pipefail
root="${{{variable}:-{root}}}"
here="$(cd "$(dirname "${{BASH_SOURCE[0]}}")" && pwd)"
if ! python3 -m ensurepip --version >/dev/null 2>&1; then
    apt-get install -y --no-install-recommends python3 python3-venv
fi
python3 -m venv "$root/venv"
"$root/venv/bin/python" -m pip install --no-cache-dir "$here/{wheel}"
"""

RUN = """#!/usr/bin/env bash
# Gradescope runs this for every submission; it always leaves a results.json.
root="${{{variable}:-{root}}}"
mkdir -p "$root/results"
rm -f "$root/results/results.json"
"$root/venv/bin/python" -m autograder.gradescope --root "$root" {arguments}
if [ ! -s "$root/results/results.json" ]; then
    cp "$root/source/fallback_results.json" "$root/results/results.json"
fi
"""


class AnswerInArchive(RuntimeError):
    """The archive would carry a solution; nothing was written."""


def grader_wheel(out: Path) -> Path:
    """The grader's wheel, written into ``out``."""
    return write_wheel(PACKAGES, out, name=GRADER, version=nnlabs.__version__,
                       summary="nnlabs: the course's grader, as Gradescope runs it",
                       requires=requirements(GRADER_REQUIRES), extras={},
                       requires_python=">=3.10", leave_out=LEFT_OUT)


def _solution_lines() -> dict[str, str]:
    """The answer lines of every solution and alternative that are not lines of the
    reference or of the answer keys (which the archive must hold: grading runs them)."""
    answer_keys = PACKAGES[2] / "answers"
    shipped = " ".join(normalized(p.read_text()) for p in [
        *package_files(PACKAGES[1]), *package_files(answer_keys)] if p.suffix == ".py")
    return {line: origin for line, origin in answer_lines().items()
            if not origin.startswith("the reference") and line not in shipped}


def _members(lab: str, limits: Limits, wheel: Path) -> dict[str, bytes]:
    name = notebook_path(lab).name
    arguments = " ".join(shlex.quote(a) for a in (
        "--lab", lab, "--notebook", name, "--seconds", f"{limits.cell_seconds:g}",
        "--submission-seconds", f"{limits.submission_seconds:g}"))
    fields = {"variable": gradescope.ROOT_VARIABLE, "root": gradescope.DEFAULT_ROOT}
    fallback = gradescope.failed(lab, RuntimeError())
    fallback["output"] = ("The autograder could not start on this submission; your "
                          "instructor can see why in the autograder output.")
    return {"setup.sh": SETUP.format(wheel=wheel.name, **fields).encode(),
            "run_autograder": RUN.format(arguments=arguments, **fields).encode(),
            "fallback_results.json": (json.dumps(fallback, indent=1) + "\n").encode(),
            wheel.name: wheel.read_bytes()}


def write_archive(lab: str, out: Path, limits: Limits | None = None) -> Path:
    """Write the autograder archive of ``lab`` to ``out`` (a ``.zip``) and return it; with
    an answer in it, :class:`AnswerInArchive` and nothing written."""
    load_lab(lab)
    with tempfile.TemporaryDirectory() as scratch:
        members = _members(lab, limits or Limits(), grader_wheel(Path(scratch)))
        staged = Path(scratch) / "staged"
        for member, data in members.items():
            (staged / member).parent.mkdir(parents=True, exist_ok=True)
            (staged / member).write_bytes(data)
        found = find_answers(staged, _solution_lines())
        if found:
            raise AnswerInArchive("the archive would carry solutions, so it was not written:\n"
                                  + "\n".join(f"  {hit}" for hit in found[:20]))
        out.parent.mkdir(parents=True, exist_ok=True)
        partial = out.with_name(f".{out.name}.tmp")
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
            for member, data in sorted(members.items()):
                info = zipfile.ZipInfo(member, EPOCH)
                info.compress_type = zipfile.ZIP_DEFLATED
                executable = member in ("setup.sh", "run_autograder")
                info.external_attr = (0o755 if executable else 0o644) << 16
                archive.writestr(info, data)
        partial.replace(out)
    return out
