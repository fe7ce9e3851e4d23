"""``nbgrader validate``, as a student runs it (or presses Validate in JupyterLab) on a lab."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from autograder.catalogue import as_file, load_notebook, typed_into_release
from autograder.hidden import load_lab
from autograder.release import ROOT

LAB = "lab03"
pytestmark = pytest.mark.slow


def validate(notebook: dict, folder: Path) -> subprocess.CompletedProcess:
    """``nbgrader validate`` from the course directory, on a copy of ``notebook`` in ``folder``
    (the lab's demo cells write figures beside the notebook)."""
    path = folder / "lab03_activations.ipynb"
    path.write_bytes(as_file(notebook))
    return subprocess.run([sys.executable, "-m", "nbgrader", "validate", str(path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_validate_passes_the_solution(tmp_path):
    assert "Success! Your notebook passes all the tests." in validate(load_notebook(LAB),
                                                                     tmp_path).stdout


def test_validate_passes_a_correct_student_notebook_whose_hidden_tests_are_absent(tmp_path):
    correct = typed_into_release(LAB, load_notebook(LAB))
    assert "Success! Your notebook passes all the tests." in validate(correct, tmp_path).stdout


def test_validate_fails_the_stub_saying_what_is_not_implemented(tmp_path):
    out = validate(load_notebook(LAB, "labs"), tmp_path).stdout
    assert f"VALIDATION FAILED ON {len(load_lab(LAB))} CELL(S)" in out
    assert "[FAIL] sigmoid matches the reference on a small example (0/1)" in out
    assert "`sigmoid` is not implemented yet (it raises NotImplementedError)." in out
