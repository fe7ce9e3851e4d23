"""Grading one submission: whatever the notebook holds, a record comes back; finding the
submissions in a class folder, whatever its students put there."""

import json
import os

from autograder.batch import Submission, find_submissions, grade_submission, unseen_by_all
from autograder.catalogue import apply_variant, as_file, load_catalogue, load_notebook, write_class
from autograder.hidden import load_lab
from autograder.sandbox import Limits
from nnlabs.expect import WITHOUT_DOUT, mistake_key

LAB = "lab03"


def submit(tmp_path, content: bytes, name="lab03_activations.ipynb"):
    path = tmp_path / name
    path.write_bytes(content)
    return Submission("student", path)


def test_used_up_time_budget_leaves_the_rest_ungraded_and_flagged(tmp_path):
    record = grade_submission(submit(tmp_path, as_file(load_notebook(LAB))),
                              limits=Limits(submission_seconds=0.0))
    assert record.score == 0 and record.max_score > 0
    assert record.flags == ("the submission used up its 0 s",)
    assert all("not graded" in q.feedback[0] for q in record.questions)


def test_empty_file_is_an_error_not_a_crash(tmp_path):
    record = grade_submission(submit(tmp_path, b""))
    assert record.errors == ("lab03_activations.ipynb is empty",)


def test_non_utf8_file_is_an_error_not_a_crash(tmp_path):
    record = grade_submission(submit(tmp_path, b"\xff\xfe\x00garbage"))
    assert "not UTF-8" in record.errors[0]


def test_old_notebook_format_is_named(tmp_path):
    record = grade_submission(submit(tmp_path, json.dumps({"nbformat": 3, "cells": []}).encode()))
    assert "format 3" in record.errors[0]


def test_python_file_named_ipynb_is_not_a_notebook(tmp_path):
    record = grade_submission(submit(tmp_path, b"def relu(s):\n    return s\n"))
    assert "not valid notebook JSON" in record.errors[0]


def test_unknown_lab_is_an_error_that_says_how_to_fix_it(tmp_path):
    record = grade_submission(submit(tmp_path, b"{}", name="homework.ipynb"))
    assert "--lab" in record.errors[0]


def test_ungraded_record_keeps_every_question_at_zero_with_its_maximum(tmp_path):
    record = grade_submission(submit(tmp_path, b""))
    assert record.max_score == sum(q.max_score for q in record.questions) > 0
    assert {q.score for q in record.questions} == {0.0}


def test_an_ungraded_question_lists_each_of_its_checks_at_zero(tmp_path):
    record = grade_submission(submit(tmp_path, b""))
    expected = {q.id: [(c.name, c.points) for c in q.checks] for q in load_lab(LAB)}
    assert {q.id: [(c.name, c.points) for c in q.checks]
            for q in record.questions} == expected
    assert {c.earned for q in record.questions for c in q.checks} == {0.0}


def test_a_check_names_the_known_mistake_the_answer_matched(tmp_path):
    variant = {v.name: v for v in load_catalogue(LAB)}["sigmoid-backward-without-dout"]
    record = grade_submission(submit(tmp_path, as_file(apply_variant(load_notebook(LAB),
                                                                     variant))))
    (question,) = [q for q in record.questions if q.id == variant.question]
    assert f"{variant.question}.{mistake_key(WITHOUT_DOUT)}" in {c.mistake
                                                                for c in question.checks}


def test_a_check_that_passed_names_no_mistake(tmp_path):
    record = grade_submission(submit(tmp_path, as_file(load_notebook(LAB))))
    assert {c.mistake for q in record.questions for c in q.checks} == {None}


def test_a_submission_cannot_read_a_classmates_notebook(tmp_path):
    from autograder import confine
    from autograder.batch import grade_all
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
    records = {r.submission: r for r in grade_all(find_submissions([tmp_path]), LAB)}
    assert records["snoop"].errors == ()


# --------------------------------------------------------------------------- the grading seed


def stub(tmp_path):
    return submit(tmp_path, as_file(load_notebook(LAB, "labs")))


def test_without_a_given_seed_each_grading_draws_a_fresh_one_and_records_it(tmp_path,
                                                                            monkeypatch):
    monkeypatch.delenv("NNLABS_GRADING_SEED", raising=False)
    seeds = {grade_submission(stub(tmp_path)).seed for _ in range(3)}
    assert len(seeds) == 3 and all(isinstance(s, int) for s in seeds)


def mistaken(tmp_path):
    """A notebook whose hidden checks' feedback shows values drawn from the grading seed."""
    variant = {v.name: v for v in load_catalogue(LAB)}["sigmoid-sign-flipped"]
    return submit(tmp_path, as_file(apply_variant(load_notebook(LAB), variant)))


def test_grading_again_with_the_recorded_seed_reproduces_the_record(tmp_path, monkeypatch):
    monkeypatch.delenv("NNLABS_GRADING_SEED", raising=False)
    first = grade_submission(mistaken(tmp_path))
    monkeypatch.setenv("NNLABS_GRADING_SEED", str(first.seed))
    assert grade_submission(mistaken(tmp_path)) == first


def test_grading_with_another_seed_draws_other_hidden_inputs(tmp_path, monkeypatch):
    monkeypatch.setenv("NNLABS_GRADING_SEED", "1")
    first = grade_submission(mistaken(tmp_path))
    monkeypatch.setenv("NNLABS_GRADING_SEED", "2")
    assert grade_submission(mistaken(tmp_path)).questions != first.questions


def test_every_submission_of_a_batch_is_graded_with_the_one_seed(tmp_path, monkeypatch):
    from autograder.batch import grade_all

    monkeypatch.delenv("NNLABS_GRADING_SEED", raising=False)
    write_class(tmp_path, LAB, {"ada": b"", "ben": b"{}"})
    records = grade_all(find_submissions([tmp_path]), LAB)
    assert len({r.seed for r in records}) == 1


# --------------------------------------------------------------------------- finding submissions


def place(root, relative: str, content: bytes = b"{}"):
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


NOTEBOOK = "lab03_activations/lab03_activations.ipynb"


def found(root) -> dict[tuple[str, str | None], Submission]:
    return {(s.name, s.lab): s for s in find_submissions([root])}


def test_a_notebook_planted_under_a_classmates_name_is_not_graded_as_theirs(tmp_path):
    real = place(tmp_path, f"zoe/{NOTEBOOK}", b"zoe's")
    place(tmp_path, f"mallory/lab03_activations/zoe/{NOTEBOOK}", b"a stub")
    assert [(key, s.path) for key, s in found(tmp_path).items() if key[0].startswith("zoe")] \
        == [(("zoe", LAB), real)]


def test_a_planted_notebook_is_not_graded_and_says_where_it_is(tmp_path):
    place(tmp_path, f"zoe/{NOTEBOOK}", b"zoe's")
    place(tmp_path, f"mallory/lab03_activations/zoe/{NOTEBOOK}", b"a stub")
    assert found(tmp_path)["mallory", LAB].problem == (
        f"mallory/lab03_activations/zoe/{NOTEBOOK} is not where a notebook is graded "
        "(<student>/<lab>/<notebook>.ipynb): not graded")


def test_a_planted_notebook_is_flagged_on_its_owners_graded_submission(tmp_path):
    place(tmp_path, f"mallory/{NOTEBOOK}", b"mallory's")
    place(tmp_path, f"mallory/lab03_activations/zoe/{NOTEBOOK}", b"a stub")
    mallory = found(tmp_path)["mallory", LAB]
    assert (mallory.problem, len(mallory.flags)) == ("", 1)
    assert f"mallory/lab03_activations/zoe/{NOTEBOOK} is not where" in mallory.flags[0]


def test_one_students_two_labs_are_two_submissions_under_the_same_name(tmp_path):
    place(tmp_path, f"ada/{NOTEBOOK}", b"lab 3")
    place(tmp_path, "ada/lab04_losses/lab04_losses.ipynb", b"lab 4")
    assert list(found(tmp_path)) == [("ada", "lab03"), ("ada", "lab04")]


def test_a_students_own_folder_is_named_by_the_folder(tmp_path):
    place(tmp_path, f"ada/{NOTEBOOK}")
    assert list(found(tmp_path / "ada")) == [("ada", LAB)]


def test_of_two_notebooks_for_one_lab_the_one_named_like_the_lab_is_graded(tmp_path):
    graded = place(tmp_path, f"ada/{NOTEBOOK}", b"the notebook")
    place(tmp_path, "ada/lab03_activations/lab03_activations-Copy1.ipynb", b"a copy")
    ada = found(tmp_path)["ada", LAB]
    assert (ada.path, ada.flags) == (graded, (
        "ada/lab03_activations/lab03_activations-Copy1.ipynb was handed in too: only "
        f"ada/{NOTEBOOK} is graded",))


def test_a_stray_notebook_of_no_lab_is_reported_and_not_graded(tmp_path):
    place(tmp_path, f"ada/{NOTEBOOK}", b"ada's")
    place(tmp_path, "bob/extra/notes.ipynb")
    bob = found(tmp_path)["bob", None]
    record = grade_submission(bob)
    assert (record.lab, record.errors) == ("", (
        "bob/extra/notes.ipynb is not where a notebook is graded "
        "(<student>/<lab>/<notebook>.ipynb): not graded",))


def test_a_hard_link_to_a_classmates_notebook_is_flagged_on_both(tmp_path):
    original = place(tmp_path, f"ada/{NOTEBOOK}", b"ada's work")
    (tmp_path / "mal" / "lab03_activations").mkdir(parents=True)
    os.link(original, tmp_path / "mal" / NOTEBOOK)
    assert [s.flags for s in found(tmp_path).values()] == [
        ("the same file as mal's (a hard link): look at both",),
        ("the same file as ada's (a hard link): look at both",)]


def test_a_copy_of_a_classmates_notebook_is_flagged_on_both(tmp_path):
    place(tmp_path, f"ada/{NOTEBOOK}", b"ada's work")
    place(tmp_path, f"mal/{NOTEBOOK}", b"ada's work")
    place(tmp_path, f"cy/{NOTEBOOK}", b"cy's own work")
    assert {key[0]: s.flags for key, s in found(tmp_path).items()} == {
        "ada": ("the same file as mal's (the same bytes): look at both",),
        "cy": (), "mal": ("the same file as ada's (the same bytes): look at both",)}


def test_a_folder_named_like_a_notebook_is_told_in_a_plain_sentence(tmp_path):
    (tmp_path / "ada" / NOTEBOOK).mkdir(parents=True)
    record = grade_submission(found(tmp_path)["ada", LAB])
    assert record.errors == (f"ada/{NOTEBOOK} is a folder, not a notebook: hand in the "
                             "notebook file",)


def test_what_a_class_keeps_unseen_is_its_outermost_folders_once(tmp_path):
    """Each worker's confinement covers these paths: the class folder, not each of its
    students' folders again (a cost per submission that would grow with the class)."""
    root = tmp_path / "submitted"
    for name in ("ada", "bob"):
        place(root, f"{name}/lab03_activations/lab03_activations.ipynb")
    elsewhere = tmp_path / "out"
    unseen = unseen_by_all(find_submissions([root]), [root, elsewhere, root / "ada"])
    assert sorted(unseen) == sorted([root.resolve(), elsewhere.resolve()])
