"""Your functions of an earlier lab, for a later lab's experiment.

Lab 06 trains a network with the MLP you wrote in lab 04, lab 07 with your lab 03 ReLU and
your lab 04 linear layer. The course gives you no finished copy of them (that would be lab 03's
and lab 04's answers), so a demo cell asks for yours::

    linear_forward, linear_backward = functions_from("lab04", "linear_forward",
                                                     "linear_backward")

:func:`functions_from` reads that lab's notebook beside this one's folder
(``../lab04_mlp/lab04_mlp.ipynb``, as the labs are laid out), runs its code cells (not its
test cells or experiments) in a namespace of their own, and returns the functions named. A
function it cannot give (no such notebook, not defined there, still a stub) comes back as a
stand-in stub that says why, so that ``implemented(...)`` names it and the reason instead of
the experiment failing.
"""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Callable
from pathlib import Path

from nnlabs.notebook import cells_to_run
from nnlabs.plain import strip_magics
from nnlabs.stubs import stubs


def notebook_of(lab: str, here: Path | None = None) -> Path | None:
    """``lab``'s notebook in the folder beside ``here`` (default: the current directory, which
    is the running notebook's folder): ``<lab>_<name>/<lab>_<name>.ipynb``."""
    here = Path.cwd() if here is None else here
    found = sorted(folder / f"{folder.name}.ipynb" for folder in here.resolve().parent.glob(
        f"{lab}_*") if (folder / f"{folder.name}.ipynb").is_file())
    return found[0] if found else None


def stand_in(name: str, where: str) -> Callable:
    """A stub named ``name`` that raises ``NotImplementedError`` saying ``where`` to write it;
    :func:`nnlabs.stubs.implemented` names it with ``where``."""

    def missing(*args: object, **kwargs: object) -> None:
        raise NotImplementedError(f"{name}: {where}")

    missing.__name__ = missing.__qualname__ = name
    missing.nnlabs_where = where
    return missing


def _run_cells(path: Path) -> dict:
    """The namespace left by the notebook's code cells (a failing cell is skipped, output
    dropped)."""
    namespace: dict = {"__name__": f"nnlabs.earlier.{path.stem}"}
    for cell in cells_to_run(json.loads(path.read_text(encoding="utf-8"))):
        with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(Exception):
            exec(compile(strip_magics(cell.source), f"{path.name} {cell.name}", "exec"),
                 namespace)
    return namespace


def functions_from(lab: str, *names: str, here: Path | None = None) -> tuple[Callable, ...]:
    """The functions ``names`` as your notebook of ``lab`` defines them, in that order; a
    stand-in stub (:func:`stand_in`) for each one it cannot give."""
    path = notebook_of(lab, here)
    if path is None:
        where = f"in your {lab} notebook, which is not in a {lab}_* folder beside this one"
        return tuple(stand_in(name, where) for name in names)
    namespace = _run_cells(path)
    where = f"in {path.parent.name}/{path.name}"
    found = []
    for name in names:
        function = namespace.get(name)
        found.append(function if callable(function) and not stubs(function)
                     else stand_in(name, where))
    return tuple(found)
