"""The catch rate on plausible mistakes written apart from the catalogue
(``data/plausible_mistakes.py``, issue #19): each graded on its own question only."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from autograder.catalogue import apply_variant, load_notebook, namespace_of
from autograder.hidden import load_lab
from autograder.runner import run_question
from nnlabs.student import LocalStudent

DATA = Path(__file__).parent / "data" / "plausible_mistakes.py"
LEAST_CAUGHT = 0.95  # the target


def plausible_mistakes() -> list:
    spec = importlib.util.spec_from_file_location("plausible_mistakes", DATA)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.MISTAKES


def loses_points(variant) -> bool:
    lab = variant.question.split(".")[0]
    (question,) = [q for q in load_lab(lab) if q.id == variant.question]
    namespace = namespace_of(apply_variant(load_notebook(lab), variant))
    result = run_question(question, LocalStudent(namespace), hidden=True)
    return result.score < result.max_score


@pytest.fixture(autouse=True)
def one_grading_seed(monkeypatch):
    monkeypatch.setenv("NNLABS_GRADING_SEED", "7340519")


def test_at_least_95_percent_of_plausible_mistakes_lose_points():
    mistakes = plausible_mistakes()
    missed = [v.name for v in mistakes if not loses_points(v)]
    assert len(mistakes) >= 40
    assert 1 - len(missed) / len(mistakes) >= LEAST_CAUGHT, missed
