"""``check(...)`` in a notebook: the table it prints, the score it leaves, stderr kept clean."""

import json

import pytest

from autograder import grade
from autograder.catalogue import apply_variant, load_catalogue, load_notebook
from nnlabs import check
from nnlabs.incell import Score
from nnlabs.notebook import is_demo_cell, is_test_cell


def relu(s):
    return s * (s > 0)


def test_check_finds_functions_in_the_calling_module_and_returns_the_points(capsys):
    score = check("lab03.relu")
    assert isinstance(score, Score) and isinstance(score, float)
    assert score == 3.0  # every relu check is visible; grading runs them again on fresh inputs
    assert "[PASS]" in capsys.readouterr().out


def test_grade_runs_every_check(capsys):
    assert grade("lab03.relu") == 3.0
    assert "all checks" in capsys.readouterr().out


def test_check_prints_what_to_fix_for_a_missing_function(capsys):
    assert check("lab03.softmax") == 0.0
    out = capsys.readouterr().out
    assert "[FAIL]" in out and "defines no function `softmax`" in out


def test_unknown_question_names_the_questions_that_exist():
    with pytest.raises(KeyError, match="lab03.relu_backward"):
        check("lab03.relu_backwards")


@pytest.mark.slow
def test_numpy_warning_does_not_zero_a_correct_answer_under_nbgrader(tmp_path):
    """nbgrader gives 0 to a test cell with any stderr output; check() keeps it clean."""
    import nbformat
    from nbclient import NotebookClient
    from nbgrader.utils import determine_grade

    (variant,) = [v for v in load_catalogue("lab03")
                  if v.name == "sigmoid-textbook-form-that-warns-on-overflow"]
    notebook = apply_variant(load_notebook("lab03"), variant)
    notebook["cells"] = [c for c in notebook["cells"] if not is_demo_cell(c)]
    node = nbformat.reads(json.dumps(notebook), as_version=4)
    NotebookClient(node, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    (cell,) = [c for c in node.cells
               if is_test_cell(c) and c.metadata.nbgrader.grade_id == "test_sigmoid"]
    assert determine_grade(cell) == (4.0, 4.0)


def test_visible_run_shows_the_questions_real_points_and_where_the_rest_come_from(capsys):
    check("lab03.sigmoid")  # 3 of its 4 points are in visible checks
    out = capsys.readouterr().out
    assert out.startswith("lab03.sigmoid: 0 / 4 points (visible checks)")
    assert "hidden checks give the other 1 point." in out
