"""A function the notebook lacks: one typed error (``NotDefined``), told by its type in both
places the student's code runs, never by its words."""

import pytest

from autograder.sandbox import Limits, WorkerStudent
from nnlabs.notebook import Cell
from nnlabs.plain import NotDefined
from nnlabs.student import LocalStudent, StudentError

RENAMED = "the notebook defines no function `relu`: was it renamed, or did its cell fail to run?"


def worker_with(source: str) -> WorkerStudent:
    return WorkerStudent([Cell("c0", source)], Limits(cell_seconds=2.0, call_seconds=2.0))


def relu_of(namespace, x):
    """A probe that looks up the student's relu itself, as the labs' probes do."""
    relu = namespace.get("relu")
    if not callable(relu):
        raise NotDefined("relu")
    return relu(x)


def error_of(call, *args) -> StudentError:
    with pytest.raises(StudentError) as failure:
        call(*args)
    return failure.value


def test_not_defined_is_a_name_error_naming_the_function():
    error = NotDefined("relu")
    assert isinstance(error, NameError) and error.name == "relu"


def test_a_missing_function_in_the_notebook_is_explained_as_renamed():
    assert error_of(LocalStudent({}).relu, 1.0).explain() == RENAMED


def test_a_missing_function_in_the_worker_is_explained_as_renamed():
    with worker_with("x = 1") as student:
        assert error_of(student.relu, 1.0).explain() == RENAMED


def test_a_probe_in_the_worker_can_raise_not_defined():
    with worker_with("x = 1") as student:
        assert error_of(student.run, relu_of, 1.0).kind == "NotDefined"


def test_a_name_error_of_the_students_own_words_is_not_taken_for_a_missing_function():
    namespace: dict = {}
    exec("def relu(x):\n    raise NameError('the notebook defines no function `relu`')",
         namespace)
    assert error_of(LocalStudent(namespace).relu, 1.0).explain().startswith(
        "`relu` raised NameError")
