"""Grading one submission: whatever the notebook holds, a record comes back."""

import json

from autograder.batch import Submission, grade_submission
from autograder.catalogue import apply_variant, as_file, load_catalogue, load_notebook, write_class
from autograder.sandbox import Limits

LAB = "lab03"


def submit(tmp_path, content: bytes, name="lab03_activations.ipynb"):
    path = tmp_path / name
    path.write_bytes(content)
    return Submission("student", path)


def test_used_up_time_budget_leaves_the_rest_ungraded_and_flagged(tmp_path):
    record = grade_submission(submit(tmp_path, as_file(load_notebook(LAB))),
                              limits=Limits(submission_seconds=0.0))
    assert record["score"] == 0 and record["max_score"] > 0
    assert record["flags"] == ["the submission used up its 0 s"]
    assert all("not graded" in q["feedback"][0] for q in record["questions"])


def test_empty_file_is_an_error_not_a_crash(tmp_path):
    record = grade_submission(submit(tmp_path, b""))
    assert record["errors"] == ["lab03_activations.ipynb is empty"]


def test_non_utf8_file_is_an_error_not_a_crash(tmp_path):
    record = grade_submission(submit(tmp_path, b"\xff\xfe\x00garbage"))
    assert "not UTF-8" in record["errors"][0]


def test_old_notebook_format_is_named(tmp_path):
    record = grade_submission(submit(tmp_path, json.dumps({"nbformat": 3, "cells": []}).encode()))
    assert "format 3" in record["errors"][0]


def test_python_file_named_ipynb_is_not_a_notebook(tmp_path):
    record = grade_submission(submit(tmp_path, b"def relu(s):\n    return s\n"))
    assert "not valid notebook JSON" in record["errors"][0]


def test_unknown_lab_is_an_error_that_says_how_to_fix_it(tmp_path):
    record = grade_submission(submit(tmp_path, b"{}", name="homework.ipynb"))
    assert "--lab" in record["errors"][0]


def test_ungraded_record_keeps_every_question_at_zero_with_its_maximum(tmp_path):
    record = grade_submission(submit(tmp_path, b""))
    assert record["max_score"] == sum(q["max_score"] for q in record["questions"]) > 0
    assert {q["score"] for q in record["questions"]} == {0.0}


def test_a_submission_cannot_read_a_classmates_notebook(tmp_path):
    from autograder import confine
    from autograder.batch import find_submissions, grade_all
    from autograder.catalogue import write_class

    if not confine.available():
        import pytest

        pytest.skip("confinement needs root on Linux")
    snoop = load_notebook(LAB)
    snoop["cells"].insert(1, {"cell_type": "code", "metadata": {}, "outputs": [],
                              "execution_count": None, "source": (
                                  "import glob\nassert not glob.glob("
                                  f"{str(tmp_path)!r} + '/*/*/*.ipynb'), 'saw the class'")})
    write_class(tmp_path, LAB, {"ada": as_file(load_notebook(LAB)), "snoop": as_file(snoop)})
    records = {r["submission"]: r for r in grade_all(find_submissions([tmp_path]), LAB)}
    assert records["snoop"]["errors"] == []


# --------------------------------------------------------------------------- the grading seed


def stub(tmp_path):
    return submit(tmp_path, as_file(load_notebook(LAB, "labs")))


def test_without_a_given_seed_each_grading_draws_a_fresh_one_and_records_it(tmp_path,
                                                                            monkeypatch):
    monkeypatch.delenv("NNLABS_GRADING_SEED", raising=False)
    seeds = {grade_submission(stub(tmp_path))["seed"] for _ in range(3)}
    assert len(seeds) == 3 and all(isinstance(s, int) for s in seeds)


def mistaken(tmp_path):
    """A notebook whose hidden checks' feedback shows values drawn from the grading seed."""
    variant = {v.name: v for v in load_catalogue(LAB)}["sigmoid-sign-flipped"]
    return submit(tmp_path, as_file(apply_variant(load_notebook(LAB), variant)))


def test_grading_again_with_the_recorded_seed_reproduces_the_record(tmp_path, monkeypatch):
    monkeypatch.delenv("NNLABS_GRADING_SEED", raising=False)
    first = grade_submission(mistaken(tmp_path))
    monkeypatch.setenv("NNLABS_GRADING_SEED", str(first["seed"]))
    assert grade_submission(mistaken(tmp_path)) == first


def test_grading_with_another_seed_draws_other_hidden_inputs(tmp_path, monkeypatch):
    monkeypatch.setenv("NNLABS_GRADING_SEED", "1")
    first = grade_submission(mistaken(tmp_path))
    monkeypatch.setenv("NNLABS_GRADING_SEED", "2")
    assert grade_submission(mistaken(tmp_path))["questions"] != first["questions"]


def test_every_submission_of_a_batch_is_graded_with_the_one_seed(tmp_path, monkeypatch):
    from autograder.batch import find_submissions, grade_all

    monkeypatch.delenv("NNLABS_GRADING_SEED", raising=False)
    write_class(tmp_path, LAB, {"ada": b"", "ben": b"{}"})
    records = grade_all(find_submissions([tmp_path]), LAB)
    assert len({r["seed"] for r in records}) == 1
