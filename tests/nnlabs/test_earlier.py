"""``functions_from``: a later lab's experiment runs the student's own earlier-lab functions."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from autograder.catalogue import as_file, load_notebook, notebook_path
from nnlabs.earlier import functions_from
from nnlabs.stubs import implemented

LAB04 = notebook_path("lab04").parent.name  # lab04_mlp


def lab_folders(root: Path, lab04: dict | None) -> Path:
    """``root/lab06_optim`` (the running notebook's folder), with ``lab04`` as the notebook of
    ``root/lab04_mlp`` (none where it is None)."""
    (root / "lab06_optim").mkdir()
    if lab04 is not None:
        (root / LAB04).mkdir()
        (root / LAB04 / f"{LAB04}.ipynb").write_bytes(as_file(lab04))
    return root / "lab06_optim"


def code_cell(source: str, **metadata: object) -> dict:
    return {"cell_type": "code", "metadata": metadata, "source": source, "outputs": [],
            "execution_count": None}


def test_the_solved_notebook_beside_gives_its_working_functions(tmp_path):
    here = lab_folders(tmp_path, load_notebook("lab04"))
    (linear_forward,) = functions_from("lab04", "linear_forward", here=here)
    X, W, b = np.ones((2, 3)), np.arange(12.0).reshape(3, 4), np.arange(4.0)
    np.testing.assert_allclose(linear_forward(X, W, b), X @ W + b)


def test_the_current_directory_is_where_the_notebook_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(lab_folders(tmp_path, load_notebook("lab04")))
    (relu,) = functions_from("lab04", "relu")
    np.testing.assert_array_equal(relu(np.array([-1.0, 2.0])), [0.0, 2.0])


def test_a_stub_comes_back_as_a_stand_in_that_implemented_names_with_its_notebook(
        tmp_path, capsys):
    here = lab_folders(tmp_path, load_notebook("lab04", "labs"))
    (mlp,) = functions_from("lab04", "mlp_loss_and_gradients", here=here)
    assert not implemented(mlp)
    assert capsys.readouterr().out == (f"implement mlp_loss_and_gradients in {LAB04}/"
                                       f"{LAB04}.ipynb to see this experiment\n")


def test_a_missing_notebook_is_said_plainly_and_the_stand_in_raises(tmp_path, capsys):
    (mlp,) = functions_from("lab04", "mlp_loss_and_gradients", here=lab_folders(tmp_path, None))
    assert not implemented(mlp)
    assert "which is not in a lab04_* folder beside this one" in capsys.readouterr().out
    with pytest.raises(NotImplementedError, match="mlp_loss_and_gradients"):
        mlp()


def test_stubs_of_this_notebook_and_of_the_earlier_one_are_named_in_one_line(tmp_path, capsys):
    here = lab_folders(tmp_path, load_notebook("lab04", "labs"))
    (linear_forward,) = functions_from("lab04", "linear_forward", here=here)

    def sgd_step(theta, grad, lr):
        raise NotImplementedError

    implemented(sgd_step, linear_forward)
    assert capsys.readouterr().out == (f"implement sgd_step above; linear_forward in {LAB04}/"
                                       f"{LAB04}.ipynb to see this experiment\n")


def test_a_failing_cell_leaves_the_other_cells_definitions(tmp_path):
    notebook = {"cells": [code_cell("raise ValueError('broken')"),
                          code_cell("def relu(s):\n    return s * (s > 0)")],
                "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (relu,) = functions_from("lab04", "relu", here=lab_folders(tmp_path, notebook))
    assert relu(3.0) == 3.0


def test_test_cells_and_experiments_of_the_earlier_notebook_are_not_run(tmp_path):
    marker = tmp_path / "ran"
    touch = f"open({str(marker)!r}, 'w').close()"
    notebook = {"cells": [code_cell("def relu(s):\n    return s"),
                          code_cell(touch, tags=["demo"]),
                          code_cell(touch, nbgrader={"grade": True, "solution": False,
                                                     "grade_id": "t", "points": 1})],
                "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    functions_from("lab04", "relu", here=lab_folders(tmp_path, notebook))
    assert not marker.exists()


def test_an_earlier_notebook_prints_nothing_into_this_one(tmp_path, capsys):
    notebook = {"cells": [code_cell("print('hello from lab 04')\ndef relu(s):\n    return s")],
                "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    functions_from("lab04", "relu", here=lab_folders(tmp_path, notebook))
    assert capsys.readouterr().out == ""

