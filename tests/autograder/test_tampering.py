"""What a notebook's code reaches for, read by the grader from its source."""

import pytest

from autograder.catalogue import apply_variant, load_catalogue, load_notebook
from autograder.tampering import flags, reaches
from nnlabs.notebook import Cell, cells_to_run
from nnlabs.registry import LAB_MODULES


@pytest.mark.parametrize("source,found", [
    ("import __main__\n__main__.Watch.changed = lambda self: []",
     ["import __main__", "__main__.Watch.changed ="]),
    ("import sys\ncaller = sys._getframe(1).f_locals", ["sys._getframe(1).f_locals",
                                                       "sys._getframe"]),
    ("import numpy as np\nnp.allclose = lambda *a: True", ["np.allclose ="]),
    ("from numpy import testing\ndel testing.assert_allclose", ["del testing.assert_allclose"]),
    ("import sys\nsys.modules['numpy'].isclose = None", ["sys.modules"]),
    ("getattr(__import__('__ma' + 'in__'), 'encode')", ["__import__(...)"]),
    ("%matplotlib inline\nexec('x = 1')", ["exec(...)"]),
])
def test_what_a_cell_reaches_for_is_named_as_written(source, found):
    assert reaches(source, set()) == found


def test_an_assignment_to_a_module_imported_in_an_earlier_cell_is_named():
    cells = [Cell("#1", "import numpy as np"), Cell("#2", "np.isclose = None")]
    (flag,) = flags(cells)
    assert "cell #2: np.isclose =" in flag and "cell #1" not in flag


def test_a_cell_that_does_not_parse_reaches_for_nothing():
    assert reaches("def f(:\n    import __main__", set()) == []


@pytest.mark.parametrize("lab", LAB_MODULES)
def test_no_honest_notebook_is_flagged(lab):
    notebooks = [load_notebook(lab), load_notebook(lab, "labs"),
                 *(apply_variant(load_notebook(lab), v) for v in load_catalogue(lab))]
    assert [flags(cells_to_run(nb)) for nb in notebooks] == [[]] * len(notebooks)
