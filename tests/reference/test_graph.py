"""The scalar autograd Value: every local gradient against central differences."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reference.graph import Value

H = 1e-6


def central_difference(f, *args):
    """d f / d args[i] for every i, by (f(a + h) - f(a - h)) / 2h on plain floats."""
    grads = []
    for i in range(len(args)):
        plus = [a + H if j == i else a for j, a in enumerate(args)]
        minus = [a - H if j == i else a for j, a in enumerate(args)]
        grads.append((f(*plus) - f(*minus)) / (2 * H))
    return grads


def autograd(f, *args):
    """Build f on Values, backpropagate, return (value, [grad of each input])."""
    inputs = [Value(a) for a in args]
    out = f(*inputs)
    out.backward()
    return out.data, [v.grad for v in inputs]


UNARY = {
    "neg": (lambda a: -a, lambda a: -a),
    "exp": (lambda a: a.exp(), math.exp),
    "tanh": (lambda a: a.tanh(), math.tanh),
    "sigmoid": (lambda a: a.sigmoid(), lambda a: 1 / (1 + math.exp(-a))),
    "relu": (lambda a: a.relu(), lambda a: max(0.0, a)),
    "square": (lambda a: a**2, lambda a: a**2),
    "cube": (lambda a: a**3, lambda a: a**3),
}
POSITIVE_UNARY = {   # defined (or differentiable) only for a > 0
    "sqrt": (lambda a: a**0.5, math.sqrt),
    "pow -1.5": (lambda a: a**-1.5, lambda a: a**-1.5),
}
BINARY = {
    "add": (lambda a, b: a + b),
    "sub": (lambda a, b: a - b),
    "mul": (lambda a, b: a * b),
    "div": (lambda a, b: a / b),
    "radd": (lambda a, b: 2.5 + a * b),
    "rsub": (lambda a, b: 2.5 - a * b),
    "rmul": (lambda a, b: 2.5 * a + b),
    "rdiv": (lambda a, b: 2.5 / (a * b)),
}

moderate = st.floats(-3, 3).filter(lambda a: abs(a) > 1e-3)   # away from relu's kink at 0
positive = st.floats(0.1, 5)
nonzero = st.floats(0.2, 3) | st.floats(-3, -0.2)


def test_lecture_example_f_equals_x_plus_y_times_z():
    # f = (x + y) z at (-2, 5, -4): q = 3, f = -12, df/dx = df/dy = z = -4, df/dz = q = 3.
    value, grads = autograd(lambda x, y, z: (x + y) * z, -2.0, 5.0, -4.0)
    assert value == -12.0
    assert grads == [-4.0, -4.0, 3.0]


@pytest.mark.parametrize("name", UNARY)
@given(a=moderate)
@settings(max_examples=25, deadline=None)
def test_unary_op_value_and_gradient_match_math(name, a):
    op, reference = UNARY[name]
    value, (grad,) = autograd(op, a)
    assert value == pytest.approx(reference(a), rel=1e-12, abs=1e-12)
    assert grad == pytest.approx(central_difference(reference, a)[0], rel=1e-6, abs=1e-8)


@pytest.mark.parametrize("name", POSITIVE_UNARY)
@given(a=positive)
@settings(max_examples=25, deadline=None)
def test_power_gradient_matches_central_difference(name, a):
    op, reference = POSITIVE_UNARY[name]
    value, (grad,) = autograd(op, a)
    assert value == pytest.approx(reference(a), rel=1e-12)
    assert grad == pytest.approx(central_difference(reference, a)[0], rel=1e-6)


@pytest.mark.parametrize("name", BINARY)
@given(a=nonzero, b=nonzero)
@settings(max_examples=25, deadline=None)
def test_binary_op_gradients_match_central_differences(name, a, b):
    op = BINARY[name]
    value, grads = autograd(op, a, b)
    assert value == pytest.approx(op(a, b), rel=1e-12)
    for grad, expected in zip(grads, central_difference(op, a, b), strict=True):
        assert grad == pytest.approx(expected, rel=1e-6, abs=1e-8)


def test_relu_gradient_at_zero_is_zero():
    _, (grad,) = autograd(lambda a: a.relu(), 0.0)
    assert grad == 0.0


def test_sigmoid_does_not_overflow_for_large_negative_inputs():
    value, (grad,) = autograd(lambda a: a.sigmoid(), -1000.0)
    assert value == 0.0 and grad == 0.0


def test_reused_node_gradients_accumulate():
    # b = a + a, c = b + b = 4a: each use of a node adds its contribution, dc/da = 4.
    a = Value(3.0)
    b = a + a
    c = b + b
    c.backward()
    assert (a.grad, b.grad) == (4.0, 2.0)


def test_node_multiplied_by_itself_gets_both_contributions():
    _, (grad,) = autograd(lambda a: a * a, 3.0)
    assert grad == 6.0


def test_gradient_sums_over_all_paths_of_a_diamond():
    # d = (2a)(3a) = 6a^2 through two paths: dd/da = 12a.
    _, (grad,) = autograd(lambda a: (a * 2) * (a * 3), 1.5)
    assert grad == pytest.approx(18.0)


def test_tanh_neuron_gradients_match_central_differences():
    def neuron(w1, x1, w2, x2, b):
        s = w1 * x1 + w2 * x2 + b
        return s.tanh() if isinstance(s, Value) else math.tanh(s)

    point = (-3.0, 2.0, 1.0, 0.0, 6.8813735870195432)
    _, grads = autograd(neuron, *point)
    for grad, expected in zip(grads, central_difference(neuron, *point), strict=True):
        assert grad == pytest.approx(expected, rel=1e-6, abs=1e-9)


def test_backward_handles_a_chain_longer_than_the_recursion_limit():
    a = Value(1.0)
    out = a
    for _ in range(5000):
        out = out + 1.0
    out.backward()
    assert a.grad == 1.0


def test_inputs_that_do_not_reach_the_output_keep_zero_gradient():
    a, unused = Value(2.0), Value(5.0)
    out = a * 3
    _ = unused * 4
    out.backward()
    assert unused.grad == 0.0


def test_power_rejects_a_value_exponent():
    with pytest.raises(TypeError):
        Value(2.0) ** Value(3.0)


def test_repr_shows_data_and_grad():
    assert repr(Value(1.5)) == "Value(data=1.5, grad=0)"


# -- impossible values: a ValueError that says what is wrong -------------------------------


@pytest.mark.parametrize(("build", "message"), [
    (lambda: Value(-4.0) ** 0.5, "no real square root"),
    (lambda: Value(0.0) ** -1, "divides by zero"),
    (lambda: Value(1.0) / Value(0.0), "divides by zero"),
    (lambda: Value(10.0) ** 400, "beyond float64's range"),
    (lambda: Value(710.0).exp(), "beyond float64's range"),
], ids=["sqrt_of_negative", "zero_to_negative_power", "division_by_zero", "power_overflow",
        "exp_overflow"])
def test_impossible_forward_value_is_a_value_error(build, message):
    with pytest.raises(ValueError, match=message):
        build()


def test_square_root_at_zero_has_an_infinite_derivative_that_backward_reports():
    out = Value(0.0) ** 0.5
    with pytest.raises(ValueError, match="infinite at a = 0"):
        out.backward()


def test_zeroth_power_has_derivative_zero_even_at_zero():
    a = Value(0.0)
    (a**0).backward()
    assert a.grad == 0.0


def test_negative_base_with_an_integer_float_exponent_is_fine():
    a = Value(-3.0)
    out = a**2.0
    out.backward()
    assert (out.data, a.grad) == (9.0, -6.0)
