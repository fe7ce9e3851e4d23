"""Named mistakes as machine-readable ids: from the assertion helpers to the batch records."""

from __future__ import annotations

import numpy as np
import pytest

import nnlabs.expect as expect_module
from autograder.batch import Submission, grade_submission
from autograder.catalogue import (
    apply_variant,
    as_file,
    load_catalogue,
    load_notebook,
    namespace_of,
)
from autograder.hidden import get_question
from autograder.runner import run_question
from nnlabs.expect import CheckFailed, expect_close, mistake_key
from nnlabs.registry import Question
from nnlabs.student import LocalStudent

EXPECTED = np.array([0.5, -1.0, 2.0])
FORGETS = "it is dout * sigma(s): did you forget the (1 - sigma(s)) factor?"


def failure(got, **kwargs) -> CheckFailed:
    with pytest.raises(CheckFailed) as raised:
        expect_close(got, EXPECTED, "x", **kwargs)
    return raised.value


def test_a_matched_mistake_carries_the_key_of_its_sentence():
    assert failure(EXPECTED * 0, mistakes={FORGETS: EXPECTED * 0}).mistake == \
        "dout-times-sigma-s-forget-1-minus-sigma"


def test_sentences_that_differ_in_an_operator_only_get_different_keys():
    assert mistake_key("the `+` backward drops out.grad") != \
        mistake_key("the `*` backward drops out.grad")


def test_a_telling_factor_has_a_fixed_key():
    assert failure(-EXPECTED).mistake == "opposite-sign"


def test_a_missing_batch_average_has_a_fixed_key():
    assert failure(EXPECTED * 4, batch_size=4).mistake == "missing-batch-average"


def test_a_plain_difference_names_no_mistake():
    assert failure(EXPECTED + [0.1, 0.3, -0.2]).mistake == ""


double = Question("labids.double", functions=("double",), points=1)


@double.check(points=1)
def doubles_a_small_example(student, rng):
    x = rng.uniform(1.5, 3.0, size=2)
    expect_close(student.double(x), 2 * x, "double(x)", mistakes={"it squares x.": x ** 2})


fixed = Question("labids.fixed", functions=("double",), points=1)


@fixed.check(points=1)
def doubles_one_fixed_example(student):
    x = np.array([1.0, 2.0])
    expect_close(student.double(x), 2 * x, "double(x)", mistakes={"it squares x.": x ** 2})


def test_a_checks_mistake_id_is_its_question_id_and_the_key():
    student = LocalStudent({"double": lambda x: x ** 2})
    result = run_question(double, student, hidden=False)
    assert result.mistakes == ["labids.double.squares-x"]


def test_a_check_without_a_second_input_names_no_mistake_by_its_values():
    result = run_question(fixed, LocalStudent({"double": lambda x: x ** 2}), hidden=False)
    assert result.mistakes == [] and "expected [" in result.checks[0].feedback


def graded_on_its_question(variant):
    student = LocalStudent(namespace_of(apply_variant(load_notebook("lab03"), variant)))
    return run_question(get_question(variant.question), student, hidden=True, seed=7340519)


LAB03_MISTAKES = [v for v in load_catalogue("lab03") if v.is_mistake]


@pytest.mark.parametrize("variant", LAB03_MISTAKES, ids=lambda v: v.name)
def test_every_catalogued_lab03_mistake_the_checks_name_gets_an_id(variant):
    result = graded_on_its_question(variant)
    raised = any(" raised " in c.feedback for c in result.checks)
    assert result.mistakes or raised


def test_no_two_sentences_of_one_mistakes_dict_share_a_key(monkeypatch):
    clashes, explain = [], expect_module._explain

    def watching(g, e, what, rtol, atol, mistakes, *rest):
        keys = [mistake_key(sentence) for sentence in mistakes or {}]
        clashes.extend(k for k in set(keys) if keys.count(k) > 1)
        return explain(g, e, what, rtol, atol, mistakes, *rest)

    monkeypatch.setattr(expect_module, "_explain", watching)
    for variant in LAB03_MISTAKES:
        graded_on_its_question(variant)
    assert clashes == []


@pytest.fixture(scope="module")
def mistaken_record(tmp_path_factory):
    """The JSON of the batch grader's record of the lab 03 solution with sigmoid_backward's
    (1 - sigma) factor forgotten, its questions by id."""
    (variant,) = [v for v in LAB03_MISTAKES if v.name == "sigmoid-backward-forgets-one-minus-sigma"]
    path = tmp_path_factory.mktemp("ids") / "lab03_activations.ipynb"
    path.write_bytes(as_file(apply_variant(load_notebook("lab03"), variant)))
    record = grade_submission(Submission("ada", path))
    return {q["id"]: q for q in record.to_json()["questions"]}


def test_the_record_names_the_mistake_by_id_on_its_question(mistaken_record):
    assert mistaken_record["lab03.sigmoid_backward"]["mistakes"] == [
        "lab03.sigmoid_backward.dout-times-sigma-s-forget-1-minus-sigma"]


def test_a_question_answered_right_names_no_mistake(mistaken_record):
    assert mistaken_record["lab03.sigmoid"]["mistakes"] == []


def test_the_records_checks_add_up_to_the_questions_score(mistaken_record):
    for question in mistaken_record.values():
        assert sum(c["earned"] for c in question["checks"]) == question["score"]
        assert sum(c["points"] for c in question["checks"]) == question["max_score"]


def test_each_check_entry_has_the_fields_the_schema_names(mistaken_record):
    (entry, *_) = mistaken_record["lab03.sigmoid_backward"]["checks"]
    assert set(entry) == {"name", "description", "hidden", "points", "earned", "mistake"}


def test_a_failed_check_entry_carries_the_mistake_id(mistaken_record):
    named = {c["mistake"] for c in mistaken_record["lab03.sigmoid_backward"]["checks"]
             if c["earned"] < c["points"]}
    assert "lab03.sigmoid_backward.dout-times-sigma-s-forget-1-minus-sigma" in named
