"""Lab 01's own facts: its data generators keep their promises, its hidden checks hold for
every grading seed, and the worked example in the notebook is the reference's."""

from __future__ import annotations

import numpy as np
import pytest

from autograder.catalogue import apply_variant, load_catalogue, load_notebook, namespace_of
from autograder.hidden import load_lab
from autograder.runner import run_question
from nnlabs.checks import lab01
from nnlabs.student import LocalStudent
from reference import neuron


def lost_points(notebook: dict) -> dict[str, list[str]]:
    student = LocalStudent(namespace_of(notebook))
    results = [run_question(q, student, hidden=True) for q in load_lab("lab01")]
    return {r.id: r.feedback for r in results if r.score < r.max_score}


@pytest.mark.parametrize("seed", range(1, 31))
def test_separable_data_needs_a_bias_and_the_reference_separates_it(seed):
    rng = np.random.default_rng(seed)
    m, n = int(rng.integers(10, 21)), int(rng.integers(2, 5))
    X, y = lab01.separable_data(rng, m, n)
    assert X.shape == (m, n) and y[0] == 1.0 and set(y) == {-1.0, 1.0}
    # Some x and 3x, on one ray from the origin, have opposite labels.
    i, j = next((i, j) for i in range(m) for j in range(m) if np.allclose(X[j], 3 * X[i]))
    assert y[i] != y[j]
    w = neuron.perceptron_train(X, y, 1.0, lab01.PERCEPTRON_EPOCHS)
    assert np.array_equal(neuron.perceptron_predict(w, X), y)


def test_notebook_traces_the_visible_perceptron_example_as_the_reference_trains_it():
    w = neuron.perceptron_train(lab01.PERCEPTRON_X, lab01.PERCEPTRON_Y, 1.0, 200)
    np.testing.assert_array_equal(w, [-5.0, 1.0, 1.0])
    text = "".join("".join(c["source"]) for c in load_notebook("lab01")["cells"])
    assert r"$\mathbf{w}' = (-5, 1, 1)$" in text
    rows = np.column_stack([np.ones(8), lab01.PERCEPTRON_X])
    w = np.zeros(3)
    for x_i, y_i in zip(rows, lab01.PERCEPTRON_Y, strict=True):  # the first epoch's table
        if neuron.sign(x_i @ w) != y_i:
            w = w + y_i * x_i
        shown = ", ".join(f"{v:g}".replace("-", "−") for v in w)
        assert f"| ({shown}) |" in text


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(1, 21))
def test_solution_earns_full_marks_whatever_the_grading_seed(seed, monkeypatch):
    monkeypatch.setenv("NNLABS_GRADING_SEED", str(seed))
    assert lost_points(load_notebook("lab01")) == {}


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(1, 6))
def test_alternatives_earn_full_marks_whatever_the_grading_seed(seed, monkeypatch):
    monkeypatch.setenv("NNLABS_GRADING_SEED", str(seed))
    solution = load_notebook("lab01")
    for variant in load_catalogue("lab01"):
        if not variant.is_mistake:
            assert lost_points(apply_variant(solution, variant)) == {}, variant.name


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(1, 4))
def test_mistakes_lose_points_only_on_their_question_whatever_the_grading_seed(seed,
                                                                                monkeypatch):
    monkeypatch.setenv("NNLABS_GRADING_SEED", str(seed))
    solution = load_notebook("lab01")
    for variant in load_catalogue("lab01"):
        if variant.is_mistake:
            assert list(lost_points(apply_variant(solution, variant))) == [variant.question], \
                variant.name
