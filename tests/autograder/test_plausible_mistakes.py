"""The catch rate on plausible mistakes written apart from the catalogue
(``data/plausible_mistakes.py``, issue #19): each graded on its own question only."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from autograder.catalogue import (
    apply_variant,
    definitions,
    load_catalogue,
    load_notebook,
    namespace_of,
)
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


def lab_of(variant) -> str:
    return variant.question.split(".")[0]


def loses_points(variant) -> bool:
    lab = lab_of(variant)
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


def solution_definitions(lab: str) -> dict[str, str]:
    """Every function and class of the lab's solution notebook, by name."""
    found: dict[str, str] = {}
    for cell in load_notebook(lab)["cells"]:
        if cell["cell_type"] == "code":
            source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            try:
                found.update(definitions(source))
            except SyntaxError:  # a cell with magics: it defines nothing graded
                continue
    return found


def changed_lines(solution: str, source: str) -> set[str]:
    """The lines of ``source`` below its ``def`` that ``solution`` lacks, spaces and comments
    removed."""
    def squeezed(text: str) -> set[str]:
        return {"".join(line.split("#")[0].split()) for line in text.splitlines()} - {""}

    return squeezed(source.split("\n", 1)[1]) - squeezed(solution)


def test_no_plausible_mistake_repeats_a_changed_line_of_a_catalogue_entry():
    """The list is written apart from the catalogue: where both change a function of the
    solution, they change it with other code (the same idea may recur)."""
    copies = []
    for variant in plausible_mistakes():
        lab = lab_of(variant)
        ((name, source),) = variant.patches.items()
        solution = solution_definitions(lab).get(name, "")
        mine = changed_lines(solution, source)
        copies += [(variant.name, entry.name) for entry in load_catalogue(lab)
                   if name in entry.patches
                   and mine & changed_lines(solution, entry.patches[name])]
    assert copies == []
