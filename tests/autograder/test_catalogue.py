"""Finding a lab's notebook: by its folder's name, whatever else the folder holds; a mistake
written as an edit of the solution's lines, refused where it misses."""

import shutil

import pytest

from autograder import catalogue
from autograder.catalogue import (
    Edit,
    _source,
    apply_variant,
    load_catalogue,
    load_notebook,
    mistake_maker,
    notebook_path,
)


def test_a_copy_beside_the_lab_notebook_is_not_taken_for_it(tmp_path, monkeypatch):
    folder = tmp_path / "labs/lab03_activations"
    folder.mkdir(parents=True)
    shutil.copy(notebook_path("lab03", "labs"), folder)
    (folder / "lab03_activations-Copy1.ipynb").write_text("{}")
    (folder / "lab03_mine.ipynb").write_text("{}")
    monkeypatch.setattr(catalogue, "ROOT", tmp_path)
    assert notebook_path("lab03", "labs") == folder / "lab03_activations.ipynb"
    assert load_notebook("lab03", "labs")["cells"]


# --------------------------------------------------------------------------- a mistake as an edit

FUNCTION = "def f(x):\n    y = x + 1\n    if y > 0:\n        y = -y\n    return y\n"


def test_an_edit_replaces_its_line_and_keeps_the_rest():
    edited = Edit("f", {"y = x + 1": "y = x - 1"}).applied_to(FUNCTION)
    assert edited == FUNCTION.replace("x + 1", "x - 1")


def test_an_edits_new_lines_take_the_indentation_of_the_lines_they_replace():
    edited = Edit("f", {"y = -y": "if y > 1:\n    y = -y"}).applied_to(FUNCTION)
    assert "        if y > 1:\n            y = -y\n" in edited


def test_an_edit_to_nothing_deletes_its_lines():
    edited = Edit("f", {"if y > 0:\n    y = -y": ""}).applied_to(FUNCTION)
    assert edited == "def f(x):\n    y = x + 1\n    return y\n"


def test_an_edit_matches_a_line_whatever_its_trailing_comment():
    commented = FUNCTION.replace("y = x + 1", "y = x + 1  # one more")
    assert Edit("f", {"y = x + 1": "y = x - 1"}).applied_to(commented) == \
        FUNCTION.replace("x + 1", "x - 1")


def test_an_edit_does_not_match_a_line_that_only_begins_with_it():
    with pytest.raises(ValueError, match="0 times"):
        Edit("f", {"y = x": "y = 0"}).applied_to(FUNCTION)


def test_an_edit_whose_line_the_function_lacks_is_refused():
    with pytest.raises(ValueError, match="0 times"):
        Edit("f", {"y = x + 2": "y = x"}).applied_to(FUNCTION)


def test_an_edit_of_a_line_the_function_holds_twice_is_refused():
    with pytest.raises(ValueError, match="2 times"):
        Edit("f", {"y = x": "y = 0"}).applied_to("def f(x):\n    y = x\n    y = x\n")


def test_a_mistake_whose_edit_misses_the_solution_is_refused():
    with pytest.raises(ValueError, match="not-there.*0 times"):
        mistake_maker("lab04")("not-there", "train", "", Edit(
            "train_softmax_classifier", {"order = rng.shuffle(N)": "order = np.arange(N)"}))


def test_a_mistake_editing_a_function_the_solution_lacks_is_refused():
    with pytest.raises(ValueError, match="defines no train_the_classifier"):
        mistake_maker("lab04")("misnamed", "train", "", Edit(
            "train_the_classifier", {"order = rng.permutation(N)": "order = np.arange(N)"}))


def test_a_mistake_made_by_an_edit_is_the_solution_with_that_line_changed():
    (variant,) = [v for v in load_catalogue("lab04") if v.name == "train-never-shuffles"]
    solution, patched = load_notebook("lab04"), apply_variant(load_notebook("lab04"), variant)
    changed = [(a, b) for cell, other in zip(solution["cells"], patched["cells"], strict=True)
               for a, b in zip(_source(cell).splitlines(), _source(other).splitlines(),
                               strict=True)
               if a != b]
    assert changed == [("        order = rng.permutation(N)", "        order = np.arange(N)")]
