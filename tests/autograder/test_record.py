"""The result record: its three constructors, its JSON, and a record that is never changed."""

from __future__ import annotations

import json

import pytest

from autograder.hidden import load_lab
from autograder.record import CheckEntry, QuestionEntry, Record
from nnlabs.runner import CheckResult, QuestionResult

LAB = "lab03"
MISTAKE = "lab03.relu_backward.divides-by-dout"


def graded() -> Record:
    result = QuestionResult("lab03.relu_backward", [
        CheckResult("test_small", "small", 1.0, 1.0, False),
        CheckResult("test_random", "random", 2.0, 0.0, True, "it divides by dout",
                    mistake=MISTAKE)])
    return Record.graded("ada", LAB, [QuestionEntry.graded(result)], ["cell 3: ValueError"],
                         ["a flag"], seed=7)


def test_a_graded_record_scores_what_its_questions_score():
    record = graded()
    assert (record.score, record.max_score) == (1.0, 3.0)


def test_a_graded_question_keeps_its_checks_mistake_and_feedback():
    (question,) = graded().questions
    assert (question.mistakes, question.feedback, [c.mistake for c in question.checks]) == (
        (MISTAKE,), ("random: it divides by dout",), [None, MISTAKE])


def test_an_ungraded_record_lists_every_question_at_zero_of_its_points():
    record = Record.ungraded("ada", LAB, "the file is empty", seed=7, questions=load_lab(LAB))
    assert (record.score, record.max_score, record.errors) == (
        0.0, sum(q.max_score for q in load_lab(LAB)), ("the file is empty",))


def test_an_ungraded_question_lists_its_checks_unearned_and_says_why():
    (question, *_) = load_lab(LAB)
    entry = QuestionEntry.ungraded(question, "the file is empty")
    assert (entry.feedback, [(c.name, c.earned) for c in entry.checks]) == (
        ("not graded: the file is empty",), [(c.name, 0.0) for c in question.checks])


def test_a_record_whose_lab_cannot_be_told_has_no_lab_and_no_question():
    record = Record.ungraded("ada", None, "cannot tell which lab", seed=7)
    assert (record.lab, record.questions, record.max_score) == ("", (), 0.0)


def test_a_crashed_record_is_zero_of_zero_with_its_error():
    record = Record.crashed("ada", LAB, "the grader failed", seed=7, flags=["a flag"])
    assert (record.score, record.max_score, record.errors, record.flags) == (
        0.0, 0.0, ("the grader failed",), ("a flag",))


def test_the_json_has_the_documented_keys_in_order():
    data = graded().to_json()
    assert [list(data), list(data["questions"][0]), list(data["questions"][0]["checks"][0])] \
        == [["submission", "lab", "score", "max_score", "questions", "errors", "flags", "seed"],
            ["id", "score", "max_score", "feedback", "mistakes", "checks"],
            ["name", "description", "hidden", "points", "earned", "mistake"]]


def test_a_check_that_names_no_mistake_writes_null():
    assert json.dumps(CheckEntry("test_small", "small", False, 1.0, 1.0).to_json()).endswith(
        '"mistake": null}')


def test_a_record_read_back_from_its_json_text_is_the_same_record():
    record = graded()
    assert Record.from_json(json.loads(json.dumps(record.to_json()))) == record


def test_json_with_a_key_missing_is_refused():
    data = graded().to_json()
    del data["seed"]
    with pytest.raises(KeyError):
        Record.from_json(data)


def test_with_flags_adds_them_after_the_records_own():
    assert graded().with_flags(["later"]).flags == ("a flag", "later")


def test_with_flags_leaves_the_record_it_was_given_as_it_was():
    record = graded()
    record.with_flags(["later"])
    assert record.flags == ("a flag",)
