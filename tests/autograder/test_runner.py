"""Running a question's checks: partial credit, fixtures, failures kept to their check."""

import contextlib
import io
import warnings

import numpy as np

from autograder.runner import HARD_CODED, run_question
from nnlabs.expect import expect_close
from nnlabs.registry import Question
from nnlabs.runner import check_rng
from nnlabs.student import LocalStudent, StudentError

question = Question("labtest.double", functions=("double",), points=3)


@question.check(points=1)
def doubles_a_small_example(student):
    expect_close(student.double(np.array([1.0, 2.0])), [2.0, 4.0], "double([1, 2])")


@question.check(points=2, hidden=True)
def doubles_random_input(student, rng):
    x = rng.normal(size=5)
    expect_close(student.double(x), 2 * x, "double(x)")


def namespace(source):
    ns = {"np": np}
    exec(source, ns)
    return ns


def test_correct_code_earns_every_point():
    result = run_question(question, LocalStudent(namespace("def double(x): return 2 * x")),
                          hidden=True)
    assert (result.score, result.max_score) == (3.0, 3.0)


def test_visible_run_has_only_the_visible_checks():
    result = run_question(question, LocalStudent(namespace("def double(x): return 2 * x")),
                          hidden=False)
    assert [c.name for c in result.checks] == ["doubles_a_small_example"]


def test_code_right_only_on_the_visible_example_gets_partial_credit():
    hard_coded = "def double(x): return np.array([2.0, 4.0]) if len(x) == 2 else x"
    result = run_question(question, LocalStudent(namespace(hard_coded)), hidden=True)
    assert result.score == 1.0


def test_exception_in_student_code_becomes_feedback_for_that_check():
    result = run_question(question, LocalStudent(namespace(
        "def double(x): raise NotImplementedError()")), hidden=True)
    assert result.score == 0.0
    assert all("not implemented yet" in c.feedback for c in result.checks)


def test_missing_function_says_so_in_every_check():
    result = run_question(question, LocalStudent({}), hidden=True)
    assert all("defines no function `double`" in c.feedback for c in result.checks)


def test_timeout_stops_the_question_and_marks_the_rest_not_run():
    class Hanging(LocalStudent):
        def call(self, name, args, kwargs, return_args=False):
            raise StudentError(name, "Timeout", "did not return within 1 s")

    result = run_question(question, Hanging({}), hidden=True)
    assert result.score == 0.0
    assert "not run" in result.checks[1].feedback


def test_visible_inputs_are_the_same_every_run_and_differ_from_hidden_ones():
    visible, hidden = question.checks
    assert check_rng(visible).random() == check_rng(visible).random()
    assert check_rng(visible).random() != check_rng(hidden, seed=1).random()


def test_local_student_gets_copies_so_mutation_cannot_reach_the_check():
    x = np.ones(3)
    LocalStudent(namespace("def clobber(x):\n    x[:] = 0\n    return 1.0")).clobber(x)
    np.testing.assert_array_equal(x, np.ones(3))


def test_local_student_swallows_warnings_and_stderr():
    source = ("import sys, warnings\ndef noisy(x):\n    warnings.warn('careful')\n"
              "    print('oops', file=sys.stderr)\n    return np.exp(np.array([1000.0]))")
    err = io.StringIO()
    with contextlib.redirect_stderr(err), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        value = LocalStudent(namespace(source)).noisy(0.0)
    assert np.isinf(value[0]) and err.getvalue() == "" and caught == []


tripling = Question("labtest.triple", functions=("triple",), points=1)


@tripling.check(points=1)
def triples_random_input(student, rng):
    x = rng.normal(size=4)
    expect_close(student.triple(x), 3 * x, "triple(x)")


def answers_only_the_visible_input():
    """A triple() that is right on the visible check's input and wrong everywhere else."""
    visible = check_rng(tripling.checks[0]).normal(size=4)
    return namespace(f"def triple(x):\n    return 3 * x if x[0] == {visible[0]!r} else x")


def test_answer_right_only_on_the_visible_input_passes_the_visible_run():
    result = run_question(tripling, LocalStudent(answers_only_the_visible_input()), hidden=False)
    assert result.score == 1.0


def test_answer_right_only_on_the_visible_input_earns_nothing_when_graded():
    result = run_question(tripling, LocalStudent(answers_only_the_visible_input()), hidden=True)
    assert result.score == 0.0 and "hard-coded" in result.checks[0].feedback


def test_answer_right_only_on_the_visible_input_is_flagged_for_the_instructor():
    result = run_question(tripling, LocalStudent(answers_only_the_visible_input()), hidden=True)
    assert result.flags == [f"labtest.triple, triples random input: {HARD_CODED}"]


def test_correct_answer_keeps_its_visible_points_on_fresh_inputs():
    result = run_question(tripling, LocalStudent(namespace("def triple(x): return 3 * x")),
                          hidden=True)
    assert result.score == 1.0 and result.flags == []
