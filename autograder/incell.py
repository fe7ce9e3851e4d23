"""``grade(...)``: the hidden part of a notebook's test cells, in nbgrader's source notebooks.

``grade("lab03.sigmoid")`` runs every check of the question in the kernel, as
the batch grader does (:func:`autograder.runner.run_question`), and leaves the
points as the cell's value, which ``nbgrader autograde`` reads as partial
credit. Hidden checks draw their inputs from the grading seed: the
``NNLABS_GRADING_SEED`` of the environment ``nbgrader autograde`` runs in (its
kernels inherit it), or else a fresh random one.
"""

from __future__ import annotations

import functools

from autograder.hidden import get_question
from autograder.runner import run_question
from nnlabs.incell import Score, run_in_cell


def grade(question_id: str) -> Score:
    """Run all of a question's checks on the functions this notebook defines; the points."""
    return run_in_cell(get_question(question_id),
                       functools.partial(run_question, hidden=True), hidden=True)
