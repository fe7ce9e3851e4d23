"""``implemented(...)``, the guard of the labs' demo cells: which functions are still stubs."""

from nnlabs.stubs import implemented, stubs

NOTEBOOK = '''
import numpy as np

def sigmoid(s):
    return 1 / (1 + np.exp(-s))

def tanh(s):
    # YOUR CODE HERE
    raise NotImplementedError()

def relu(s):
    raise NotImplementedError

def tanh_backward(dout, s):
    return dout * (1 - tanh(s) ** 2)

def leaky(s):
    return np.where(s > 0, s, [0.1 * v for v in s])

class Value:
    def __init__(self, data):
        self.data = data

    def backward(self):
        raise NotImplementedError()

def uses_tanh_as_an_attribute(s):
    return np.tanh(s)
'''


def notebook() -> dict:
    namespace: dict = {}
    exec(compile(NOTEBOOK, "<cell>", "exec"), namespace)
    return namespace


def test_a_written_function_is_not_a_stub():
    assert stubs(notebook()["sigmoid"]) == []


def test_a_function_raising_not_implemented_error_is_a_stub_with_or_without_parentheses():
    ns = notebook()
    assert stubs(ns["tanh"], ns["relu"]) == ["tanh", "relu"]


def test_a_written_function_calling_a_stub_of_the_notebook_names_the_stub():
    assert stubs(notebook()["tanh_backward"]) == ["tanh"]


def test_a_name_used_only_as_an_attribute_does_not_count_as_a_call():
    assert stubs(notebook()["uses_tanh_as_an_attribute"]) == []


def test_code_in_a_comprehension_is_inspected():
    ns = notebook()
    assert stubs(ns["leaky"]) == []
    exec("def leaky(s):\n    return [relu(v) for v in s]\n", ns)
    assert stubs(ns["leaky"]) == ["relu"]


def test_a_class_with_a_stub_method_is_a_stub():
    assert stubs(notebook()["Value"]) == ["Value"]


def test_each_stub_is_named_once():
    ns = notebook()
    assert stubs(ns["tanh"], ns["tanh_backward"], ns["tanh"]) == ["tanh"]


def test_implemented_prints_nothing_and_is_true_when_all_are_written(capsys):
    assert implemented(notebook()["sigmoid"])
    assert capsys.readouterr().out == ""


def test_implemented_names_the_stubs_on_one_line_and_is_false(capsys):
    ns = notebook()
    assert not implemented(ns["sigmoid"], ns["tanh"], ns["relu"])
    assert capsys.readouterr().out == "implement tanh and relu above to see this experiment\n"


def test_one_stub_is_named_alone(capsys):
    implemented(notebook()["tanh_backward"])
    assert capsys.readouterr().out == "implement tanh above to see this experiment\n"
