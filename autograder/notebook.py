"""Reading a submitted notebook, and choosing which of its cells the grader runs."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

MAX_NOTEBOOK_BYTES = 64 * 2**20


class NotebookError(Exception):
    """The file is not a notebook the grader can read; the message says why, plainly."""


@dataclass(frozen=True)
class Cell:
    name: str
    source: str


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def read_notebook(path: Path) -> dict:
    """The notebook as JSON, checked just enough to be walked safely."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise NotebookError(f"cannot read {path.name}: {exc.strerror}") from None
    if size == 0:
        raise NotebookError(f"{path.name} is empty")
    if size > MAX_NOTEBOOK_BYTES:
        raise NotebookError(f"{path.name} is {size / 2**20:.0f} MB, over the "
                            f"{MAX_NOTEBOOK_BYTES // 2**20} MB limit (clear the outputs?)")
    try:
        notebook = json.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError:
        raise NotebookError(f"{path.name} is not UTF-8 text: not a notebook") from None
    except json.JSONDecodeError as exc:
        raise NotebookError(f"{path.name} is not valid notebook JSON "
                            f"(line {exc.lineno}: {exc.msg}); was it truncated?") from None
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        raise NotebookError(f"{path.name} has no list of cells: not a Jupyter notebook "
                            "(format 4)")
    if notebook.get("nbformat") != 4:
        raise NotebookError(f"{path.name} is notebook format {notebook.get('nbformat')!r}; "
                            "save it with a current Jupyter (format 4)")
    return notebook


def is_test_cell(cell: dict) -> bool:
    """An nbgrader autograder-test cell: graded, not a solution cell."""
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return bool(meta.get("grade")) and not meta.get("solution")


def test_cell_ids(notebook: dict) -> set[str]:
    """The ``grade_id`` of every nbgrader test cell the notebook still has."""
    return {str(cell["metadata"]["nbgrader"].get("grade_id")) for cell in notebook["cells"]
            if isinstance(cell, dict) and is_test_cell(cell)}


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
