"""Which submissions share code: a synthetic class of 40 from the catalogue, and the parts.

The class (:mod:`autograder.catalogue.cohort`): 37 independent students, ``copy-a`` (a
copy of ``student-00`` with other names, its functions reordered and other comments),
``copy-b`` (``student-01`` copied, then one function rewritten) and ``stub-only`` (the
release handed in as it is).
"""

from __future__ import annotations

import pytest

from autograder.catalogue import load_notebook
from autograder.catalogue.cohort import synthetic_class
from autograder.similarity import (
    THRESHOLD,
    answer_sources,
    compare,
    fingerprint,
    normalized_tokens,
)

LAB = "lab03"
COPIES = [{"student-00", "copy-a"}, {"student-01", "copy-b"}]


@pytest.fixture(scope="module")
def ranked():
    """Every pair of the class, ranked."""
    students = synthetic_class(LAB, honest=37, seed=12)
    answers = [fingerprint(name, answer_sources(nb)) for name, nb in students.items()]
    assert len(answers) == 40
    stub = fingerprint("stub", answer_sources(load_notebook(LAB, "labs")))
    return compare(answers, stub, top=40 * 39 // 2).pairs


def names(pair) -> set[str]:
    return {pair.first.name, pair.second.name}


def test_both_copied_pairs_rank_at_the_top(ranked):
    assert sorted(map(sorted, (names(p) for p in ranked[:2]))) == sorted(map(sorted, COPIES))


def test_both_copied_pairs_are_above_the_threshold(ranked):
    assert min(p.similarity for p in ranked[:2]) > THRESHOLD


def test_every_independent_pair_stays_below_the_threshold(ranked):
    honest = [p.similarity for p in ranked if names(p) not in COPIES]
    assert max(honest) < THRESHOLD


def test_the_student_who_handed_in_the_stub_shares_nothing_beyond_it(ranked):
    assert [p for p in ranked if "stub-only" in names(p)] == []


def test_a_copy_has_its_answer_lines_marked_as_shared(ranked):
    (pair,) = [p for p in ranked if names(p) == COPIES[0]]
    assert len(pair.shared_first) >= 17 and len(pair.shared_second) >= 17


def test_comments_names_and_layout_leave_the_tokens_unchanged():
    plain = "def f(x, y):\n    z = np.exp(x) + y\n    return z\n"
    disguised = ("def g(a,b):  # the sum\n\n    # exponentiate first\n"
                 "    tmp=np.exp( a )+b\n    return tmp\n")
    assert [t for t, _ in normalized_tokens(plain)] == [t for t, _ in normalized_tokens(disguised)]


def test_a_docstring_leaves_no_token():
    documented = 'def f(x):\n    """What f does."""\n    return x\n'
    assert [t for t, _ in normalized_tokens(documented)] == \
        [t for t, _ in normalized_tokens("def f(x):\n    return x\n")]


def test_attributes_and_builtins_keep_their_names():
    assert {"exp", "np", "len"} <= {t for t, _ in normalized_tokens("y = np.exp(len(x))\n")}


def test_code_that_does_not_tokenize_keeps_the_tokens_before_the_fault():
    tokens = [t for t, _ in normalized_tokens("x = (1 +\n")]
    assert tokens[:3] == ["V", "=", "("]


def test_cells_of_the_wrong_shape_are_read_as_no_code():
    notebook = {"cells": [7, {"cell_type": "code", "source": 5, "metadata": []},
                          {"cell_type": "code", "source": ["x = 1\n", None]}]}
    assert answer_sources(notebook) == ["", "x = 1\n"]
