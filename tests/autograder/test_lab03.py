"""Lab 03 (activations and losses): the checks grade the solution, its stub and a
catalogue of plausible mistakes and valid alternatives the way a teacher would.

Most tests take the local path for speed: the notebook's graded cells run in this
process (as ``check(...)`` runs them in a student's kernel), and every question is
graded with all its checks, visible and hidden. Tests marked ``slow`` take the batch
grader's sandboxed worker, nbgrader itself, and a real kernel.
"""

from __future__ import annotations

import copy
import functools
import os
import re
import warnings
from pathlib import Path

import pytest

from autograder.catalogue import Variant, apply_variant, load_notebook, notebook_path
from autograder.catalogue.lab03 import ALTERNATIVES, MISTAKES
from autograder.notebook import cells_to_run, is_demo_cell, is_test_cell
from autograder.oracle import ReferenceOracle
from autograder.registry import load_lab
from autograder.runner import QuestionResult, run_check, run_question
from autograder.sandbox import WorkerStudent
from autograder.student import LocalStudent
from autograder.worker import encode

LAB = "lab03"
QUESTIONS = load_lab(LAB)
ROOT = Path(__file__).resolve().parents[2]

TEST_CELL = ('score = check("{id}")\n'
             "### BEGIN HIDDEN TESTS\n"
             'score = check("{id}", hidden=True)\n'
             "### END HIDDEN TESTS\n"
             "score")

SOLUTION_REGION = re.compile(r"^([ \t]*)### BEGIN SOLUTION\n.*?^[ \t]*### END SOLUTION[ \t]*$",
                             re.MULTILINE | re.DOTALL)


def cell_source(cell: dict) -> str:
    source = cell["source"]
    return "".join(source) if isinstance(source, list) else source


def stub_of(notebook: dict) -> dict:
    """The student version, as nbgrader's ClearSolutions makes it: every solution region
    becomes ``# YOUR CODE HERE`` / ``raise NotImplementedError()`` at the region's indent."""
    stub = copy.deepcopy(notebook)
    for cell in stub["cells"]:
        if cell["cell_type"] == "code" and cell["metadata"].get("nbgrader", {}).get("solution"):
            cell["source"] = SOLUTION_REGION.sub(
                lambda m: f"{m[1]}# YOUR CODE HERE\n{m[1]}raise NotImplementedError()",
                cell_source(cell))
    return stub


def namespace_of(notebook: dict) -> dict:
    """Run the cells the grader runs (all but test and demo cells) into a fresh namespace."""
    namespace: dict = {"__name__": "__main__"}
    for cell in cells_to_run(notebook):
        exec(compile(cell.source, f"<cell {cell.name}>", "exec"), namespace)
    return namespace


def grade(notebook: dict) -> tuple[dict[str, QuestionResult], list[str]]:
    """Every question with all its checks, and the warnings the grader itself raised
    (the student's own are swallowed by LocalStudent)."""
    student = LocalStudent(namespace_of(notebook))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        results = {q.id: run_question(q, student, hidden=True) for q in QUESTIONS}
    return results, [f"{w.filename}:{w.lineno}: {w.message}" for w in caught]


@functools.cache
def solution() -> dict:
    return load_notebook(LAB)


@functools.cache
def graded(variant_name: str) -> tuple[dict[str, QuestionResult], list[str]]:
    """Grades, cached: the solution, the stub, or a catalogue variant by name."""
    if variant_name == "solution":
        return grade(solution())
    if variant_name == "stub":
        return grade(stub_of(solution()))
    variant = next(v for v in [*MISTAKES, *ALTERNATIVES] if v.name == variant_name)
    return grade(apply_variant(solution(), variant))


def lost(results: dict[str, QuestionResult]) -> list[str]:
    return [qid for qid, r in results.items() if r.score < r.max_score]


def ids(variants: list[Variant]) -> list[str]:
    return [v.name for v in variants]


# --------------------------------------------------------------------------- the notebook


def test_solution_earns_full_marks_on_every_question():
    results, _ = graded("solution")
    assert {qid: r.feedback for qid, r in results.items() if r.feedback} == {}
    assert all(r.score == r.max_score > 0 for r in results.values())


def test_stub_earns_nothing_and_says_not_implemented_yet():
    results, _ = graded("stub")
    checks = [c for r in results.values() for c in r.checks]
    assert sum(c.earned for c in checks) == 0
    assert all("is not implemented yet" in c.feedback for c in checks)


def test_test_cells_name_every_question_once_in_order_with_its_points():
    test_cells = [c for c in solution()["cells"] if is_test_cell(c)]
    named = [re.match(r'score = check\("([\w.]+)"\)', cell_source(c))[1] for c in test_cells]
    assert named == [q.id for q in QUESTIONS]
    for cell, question in zip(test_cells, QUESTIONS, strict=True):
        meta = cell["metadata"]["nbgrader"]
        assert cell_source(cell) == TEST_CELL.format(id=question.id)
        assert meta["points"] == question.max_score
        assert (meta["grade_id"], meta["locked"]) == (f"test_{question.id[len(LAB) + 1:]}", True)


def test_each_question_has_one_answer_cell_defining_its_functions():
    answers = {c["metadata"]["nbgrader"]["grade_id"]: cell_source(c)
               for c in solution()["cells"]
               if c["metadata"].get("nbgrader", {}).get("solution")}
    assert list(answers) == [q.id[len(LAB) + 1:] for q in QUESTIONS]
    for question in QUESTIONS:
        source = answers[question.id[len(LAB) + 1:]]
        defined = re.findall(r"^def (\w+)\(", source, re.MULTILINE)
        assert defined == list(question.functions)
        assert source.count("### BEGIN SOLUTION") == len(defined) == source.count(
            "### END SOLUTION")


def test_notebook_is_a_clean_source_notebook():
    import nbformat  # imports take seconds: only where needed

    notebook = solution()
    nbformat.validate(nbformat.from_dict(notebook))
    assert notebook["metadata"]["kernelspec"]["name"] == "python3"
    code = [c for c in notebook["cells"] if c["cell_type"] == "code"]
    assert all(c["outputs"] == [] and c["execution_count"] is None for c in code)
    first = cell_source(code[0])
    assert "import numpy as np" in first and "from autograder import check" in first


def test_demo_cells_save_their_figure_and_show_it():
    demos = [cell_source(c) for c in solution()["cells"] if is_demo_cell(c)]
    assert len(demos) == 4
    for source in demos:
        assert re.search(r'savefig\("figures/\w+\.png"', source) and "plt.show()" in source


# --------------------------------------------------------------------------- the catalogue


@pytest.mark.parametrize("variant", MISTAKES, ids=ids(MISTAKES))
def test_mistake_loses_points_on_its_question_only_and_is_named(variant):
    results, _ = graded(variant.name)
    assert lost(results) == [variant.question]
    assert variant.feedback in "\n".join(results[variant.question].feedback)


@pytest.mark.parametrize("variant", ALTERNATIVES, ids=ids(ALTERNATIVES))
def test_valid_alternative_earns_full_marks(variant):
    results, _ = graded(variant.name)
    assert {qid: results[qid].feedback for qid in lost(results)} == {}


def test_catalogue_is_large_and_names_are_unique():
    assert len(MISTAKES) >= 15 and len(ALTERNATIVES) >= 5
    names = ids(MISTAKES + ALTERNATIVES)
    assert len(names) == len(set(names))
    assert {v.question for v in MISTAKES} == {q.id for q in QUESTIONS}


def test_every_check_fails_for_some_catalogued_mistake():
    failed = {(qid, c.name) for v in MISTAKES for qid, r in graded(v.name)[0].items()
              for c in r.checks if c.earned < c.points}
    every = {(q.id, c.name) for q in QUESTIONS for c in q.checks}
    assert sorted(every - failed) == []


def test_checks_raise_no_warnings_of_their_own():
    for name in ["solution", "stub", *ids(MISTAKES + ALTERNATIVES)]:
        assert graded(name)[1] == [], name


# --------------------------------------------------------------------------- inputs


class RecordingStudent(LocalStudent):
    """The solution, remembering the arguments of every call, as wire bytes."""

    def __init__(self, namespace: dict) -> None:
        super().__init__(namespace)
        self.calls: list[bytes] = []

    def call(self, name, args, kwargs, return_args=False):
        self.calls.append(encode([name, list(args), kwargs]))
        return super().call(name, args, kwargs, return_args)


@pytest.mark.parametrize("question", QUESTIONS, ids=[q.id for q in QUESTIONS])
def test_visible_and_hidden_checks_draw_different_inputs(question):
    namespace, oracle = namespace_of(solution()), ReferenceOracle(("reference.activations",
                                                                   "reference.losses"))
    inputs = {}
    for hidden in (False, True):
        student = RecordingStudent(namespace)
        for check in question.checks:
            if check.hidden == hidden:
                assert run_check(check, student, oracle).earned == check.points
        inputs[hidden] = set(student.calls)
    assert inputs[False] and inputs[True] and not inputs[False] & inputs[True]


def test_hidden_inputs_change_with_the_grading_seed(monkeypatch):
    namespace = namespace_of(solution())
    oracle = ReferenceOracle(("reference.activations", "reference.losses"))
    check = next(c for c in QUESTIONS[0].checks if c.hidden)
    seen = []
    for seed in ("1", "2"):
        monkeypatch.setenv("NNLABS_GRADING_SEED", seed)
        student = RecordingStudent(namespace)
        run_check(check, student, oracle)
        seen.append(student.calls)
    assert seen[0] != seen[1]


# --------------------------------------------------------------------------- slow paths

BATCH_SAMPLE = ["solution", "relu-modifies-input", "relu-returns-a-list",
                "prelu-backward-dalpha-per-example", "softmax-without-the-max-shift",
                "mse-without-the-average", "softmax-by-logsumexp-and-explicit-jacobians"]


@pytest.mark.slow
@pytest.mark.parametrize("name", BATCH_SAMPLE)
def test_batch_worker_gives_the_local_scores_and_feedback(name):
    variants = {v.name: v for v in [*MISTAKES, *ALTERNATIVES]}
    notebook = solution() if name == "solution" else apply_variant(solution(), variants[name])
    with WorkerStudent(cells_to_run(notebook)) as student:
        assert student.cell_errors == []
        batch = {q.id: run_question(q, student, hidden=True) for q in QUESTIONS}
    local, _ = graded(name)
    assert {qid: (r.score, r.feedback) for qid, r in batch.items()} == {
        qid: (r.score, r.feedback) for qid, r in local.items()}


@pytest.mark.slow
def test_stub_is_exactly_what_nbgrader_releases():
    import nbformat
    from nbgrader.preprocessors import ClearHiddenTests, ClearSolutions  # seconds to import

    released = nbformat.read(notebook_path(LAB), as_version=4)
    for preprocessor in (ClearSolutions(), ClearHiddenTests()):
        released, _ = preprocessor.preprocess(released, {})
    for theirs, ours in zip(released.cells, stub_of(solution())["cells"], strict=True):
        if is_test_cell(ours):
            question_id = re.match(r'score = check\("([\w.]+)"\)', cell_source(ours))[1]
            assert theirs.source == f'score = check("{question_id}")\nscore'
        else:
            assert theirs.source == cell_source(ours)


@pytest.mark.slow
def test_solution_notebook_runs_top_to_bottom_with_full_marks_and_figures(tmp_path, monkeypatch):
    import nbformat
    from nbclient import NotebookClient

    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(
        filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    notebook = nbformat.read(notebook_path(LAB), as_version=4)
    NotebookClient(notebook, timeout=60, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs]
    assert [o for o in outputs if o["output_type"] == "error"] == []
    scores = [float(o["data"]["text/plain"]) for c in notebook.cells if is_test_cell(c)
              for o in c.outputs if o["output_type"] == "execute_result"]
    assert scores == [q.max_score for q in QUESTIONS]
    assert sorted(p.name for p in (tmp_path / "figures").iterdir()) == [
        "activations.png", "dead_relus.png", "vanishing_gradients.png", "zero_centred.png"]
