"""Reading a submitted notebook, and choosing which of its cells the grader runs."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nnlabs.registry import Question

MAX_NOTEBOOK_BYTES = 64 * 2**20
LAB_PATTERN = re.compile(r"^(lab\d\d)(?:_|$)")


def lab_id(name: str) -> str | None:
    """The lab a folder or file stem is named for: ``lab03`` for ``lab03_activations`` (or
    ``lab03``), else None. Every side reads a lab id from a name with this."""
    match = LAB_PATTERN.match(name)
    return match.group(1) if match else None


def lab_of(path: Path) -> str | None:
    """``lab03`` from a notebook named ``lab03_activations.ipynb`` or kept in ``lab03_*/``."""
    return lab_id(path.stem) or lab_id(path.parent.name)


class NotebookError(Exception):
    """The file is not a notebook the grader can read; the message says why, plainly."""


@dataclass(frozen=True)
class Cell:
    name: str
    source: str


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _size_problem(name: str, size: int) -> str:
    """Why a file of ``size`` bytes cannot be a notebook, or ''."""
    if size == 0:
        return f"{name} is empty"
    if size > MAX_NOTEBOOK_BYTES:
        return (f"{name} is {size / 2**20:.0f} MB, over the {MAX_NOTEBOOK_BYTES // 2**20} MB "
                "limit (clear the outputs?)")
    return ""


def notebook_bytes(path: Path) -> bytes:
    """The file's bytes, when it can be read and is of a size a notebook can be."""
    try:
        problem = _size_problem(path.name, path.stat().st_size)
        if problem:
            raise NotebookError(problem)
        return path.read_bytes()
    except OSError as exc:
        raise NotebookError(f"cannot read {path.name}: {exc.strerror}") from None


def read_notebook(path: Path) -> dict:
    """The notebook as JSON, checked just enough to be walked safely."""
    return parse_notebook(path.name, notebook_bytes(path))


def parse_notebook(name: str, content: bytes) -> dict:
    """``content``, the bytes of the file ``name``, as a notebook (see :func:`read_notebook`):
    for bytes read elsewhere (a Dask worker grades what the grading command read)."""
    problem = _size_problem(name, len(content))
    if problem:
        raise NotebookError(problem)
    try:
        notebook = json.loads(content.decode("utf-8"))
    except UnicodeDecodeError:
        raise NotebookError(f"{name} is not UTF-8 text: not a notebook") from None
    except json.JSONDecodeError as exc:
        raise NotebookError(f"{name} is not valid notebook JSON "
                            f"(line {exc.lineno}: {exc.msg}); was it truncated?") from None
    except RecursionError:
        raise NotebookError(f"{name} is JSON nested too deeply to be a notebook") from None
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        raise NotebookError(f"{name} has no list of cells: not a Jupyter notebook "
                            "(format 4)")
    if notebook.get("nbformat") != 4:
        raise NotebookError(f"{name} is notebook format {notebook.get('nbformat')!r}; "
                            "save it with a current Jupyter (format 4)")
    for number, cell in enumerate(notebook["cells"], 1):
        problem = _cell_problem(cell)
        if problem:
            raise NotebookError(f"{name}: cell {number} {problem}; was the file edited "
                                "by hand?")
    return notebook


def _cell_problem(cell: object) -> str:
    """What makes ``cell`` unreadable, or ``""``."""
    if not isinstance(cell, dict):
        return "is not a cell"
    if not isinstance(cell.get("metadata", {}), dict) or not isinstance(
            cell.get("metadata", {}).get("nbgrader", {}), dict):
        return "has metadata that is not a mapping"
    source = cell.get("source", "")
    if not (isinstance(source, str) or isinstance(source, list)
            and all(isinstance(line, str) for line in source)):
        return "has a source that is not text"
    return ""


def notes(notebook: dict, questions: Sequence[Question]) -> list[str]:
    """What an instructor should know about a readable notebook, in sentences: another
    kernel, a question's test cell deleted or its nbgrader metadata changed from the
    release. The grader uses its own points and grades every question all the same."""
    said = []
    metadata = notebook.get("metadata", {}) if isinstance(notebook.get("metadata"), dict) else {}
    kernel = metadata.get("kernelspec") if isinstance(metadata.get("kernelspec"), dict) else {}
    info = metadata.get("language_info") if isinstance(metadata.get("language_info"), dict) \
        else {}
    language = str(kernel.get("language") or info.get("name") or "python")
    if language.lower() != "python":
        said.append(f"the notebook was saved with the {kernel.get('display_name', language)} "
                    f"kernel ({language}); it is graded as Python")
    tests = [c for c in notebook["cells"] if is_test_cell(c)]
    for question in questions:
        grade_id = question.test_cell
        cell = next((c for c in tests if _nbgrader(c).get("grade_id") == grade_id), None) or \
            next((c for c in tests if f'"{question.id}"' in _source(c)), None)
        if cell is None:
            said.append(f"the notebook has no test cell {grade_id} for {question.id} (deleted, "
                        "or its nbgrader metadata removed?); it is graded all the same")
            continue
        if _nbgrader(cell).get("grade_id") != grade_id:
            said.append(f"the test cell for {question.id} has grade id "
                        f"{_nbgrader(cell).get('grade_id')}, not {grade_id}")
        if _nbgrader(cell).get("points") != question.max_score:
            said.append(f"the test cell for {question.id} claims {_nbgrader(cell).get('points')} "
                        f"points; the question is worth {question.max_score:g}, which the "
                        "grader uses")
    return said


def _nbgrader(cell: dict) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def is_test_cell(cell: dict) -> bool:
    """An nbgrader autograder-test cell: graded, not a solution cell."""
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return bool(meta.get("grade")) and not meta.get("solution")


def is_demo_cell(cell: dict) -> bool:
    """A slow experiment or plot, tagged ``demo``: not run when grading."""
    return "demo" in cell.get("metadata", {}).get("tags", [])


def cells_to_run(notebook: dict) -> list[Cell]:
    """The code cells the grader executes, in order: all but test cells and demo cells."""
    cells = []
    for index, cell in enumerate(notebook["cells"]):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        if is_test_cell(cell) or is_demo_cell(cell):
            continue
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        cells.append(Cell(str(grade_id or f"#{index + 1}"), _source(cell)))
    return cells
