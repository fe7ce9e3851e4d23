"""Feedback names a mistake only when it fits: a wrong answer that equals a known wrong
variant on the check's own input but not on a second input drawn for it is told what differs,
not which mistake it is (issue #19)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from autograder.catalogue import ROOT, Variant, apply_variant, as_file, definitions, load_notebook
from autograder.hidden import load_lab
from autograder.oracle import ReferenceOracle
from nnlabs.oracle import ReplayOracle
from nnlabs.runner import run_check
from nnlabs.student import LocalStudent

FLIPPED = "sigma(-s)"  # the words of the sigmoid's sign-flip mistake


def sigmoid(s: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * s))


def flipped_on_first_input() -> LocalStudent:
    """A sigmoid that gives sigma(-s), the sign-flip mistake, for the first input it sees
    and 1.1 sigma(s), a wrong value no mistake explains, for any other."""
    seen: list[np.ndarray] = []

    def planted(s):
        if not seen or np.array_equal(s, seen[0]):
            seen.append(s)
            return sigmoid(-s)
        return 1.1 * sigmoid(s)

    return LocalStudent({"sigmoid": planted})


def flipped_always() -> LocalStudent:
    return LocalStudent({"sigmoid": lambda s: sigmoid(-s)})


def sigmoid_check(hidden: bool):
    """The sigmoid's comparison with the answer key: on the visible example, or on random
    inputs drawn at grading time."""
    (question,) = [q for q in load_lab("lab03") if q.id == "lab03.sigmoid"]
    name = ("test_sigmoid_matches_the_reference_on_random_inputs" if hidden
            else "test_sigmoid_matches_the_reference_on_a_small_example")
    return next(c for c in question.checks if c.name == name)


@pytest.mark.parametrize("hidden", [False, True], ids=["visible", "hidden"])
def test_a_variant_matched_on_one_input_only_is_not_named(hidden):
    check = sigmoid_check(hidden)
    oracle = ReferenceOracle("lab03") if hidden else ReplayOracle("lab03")
    result = run_check(check, flipped_on_first_input(), oracle, seed=1)
    assert (result.earned, result.mistake) == (0.0, "")
    assert FLIPPED not in result.feedback and "expected [" in result.feedback


@pytest.mark.parametrize("hidden", [False, True], ids=["visible", "hidden"])
def test_a_variant_matched_on_both_inputs_is_named(hidden):
    check = sigmoid_check(hidden)
    oracle = ReferenceOracle("lab03") if hidden else ReplayOracle("lab03")
    result = run_check(check, flipped_always(), oracle, seed=1)
    assert result.mistake.startswith("lab03.sigmoid.") and FLIPPED in result.feedback


def test_a_scalar_equal_to_a_variant_by_chance_is_not_named():
    """A dead-unit count of 1 equals the fraction 1.0 a mistake gives on one input only."""
    (question,) = [q for q in load_lab("lab05") if q.id == "lab05.dead_fraction"]
    check = next(c for c in question.checks if not c.hidden)
    oracle, seen = ReplayOracle("lab05"), []

    def dead_fraction(S):
        seen.append(S)
        any_inactive = float(np.mean(np.any(S <= 0, axis=0)))
        return any_inactive if len(seen) == 1 else any_inactive + 0.25

    result = run_check(check, LocalStudent({"dead_fraction": dead_fraction}), oracle)
    assert result.earned == 0.0 and len(seen) >= 2 and result.mistake == ""


PLANTED_SIGMOID = '''
def sigmoid(s):
    global _first
    if "_first" not in globals() or np.array_equal(s, _first):
        _first = s
        return 0.5 * (1.0 + np.tanh(-0.5 * s))
    return 1.1 * 0.5 * (1.0 + np.tanh(0.5 * s))
'''


def pytest_output(tmp_path: Path, sigmoid_source: str) -> str:
    """What ``pytest -p autograder.pytest_plugin`` prints for lab 03's sigmoid comparisons on
    the solution with ``sigmoid`` replaced."""
    variant = Variant("planted", definitions(sigmoid_source))
    path = tmp_path / "submission.ipynb"
    path.write_bytes(as_file(apply_variant(load_notebook("lab03"), variant)))
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "autograder.pytest_plugin",
         str(ROOT / "nnlabs" / "checks" / "lab03.py"), str(ROOT / "autograder" / "hidden" /
                                                          "lab03.py"),
         "--notebook", str(path), "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
         "-k", "sigmoid_matches_the_reference"],
        capture_output=True, text=True, cwd=tmp_path, env={**os.environ,
                                                            "NNLABS_GRADING_SEED": "1"}).stdout


@pytest.mark.slow
def test_pytest_plugin_does_not_name_a_variant_matched_on_one_input_only(tmp_path):
    output = pytest_output(tmp_path, PLANTED_SIGMOID)
    assert "nnlabs score: 0 / 2" in output and "a sign is flipped" not in output


@pytest.mark.slow
def test_pytest_plugin_names_a_variant_matched_on_both_inputs(tmp_path):
    flipped = "def sigmoid(s):\n    return 0.5 * (1.0 + np.tanh(-0.5 * s))\n"
    assert "a sign is flipped" in pytest_output(tmp_path, flipped)
