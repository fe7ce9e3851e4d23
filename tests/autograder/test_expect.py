"""Feedback from the assertion helpers: what was expected, what came back, which mistake."""

import numpy as np
import pytest

from nnlabs.expect import (
    CheckFailed,
    expect_close,
    expect_dtype,
    expect_gradient,
    expect_unchanged,
)

EXPECTED = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]])


def failure_of(call, *args, **kwargs):
    with pytest.raises(CheckFailed) as failure:
        call(*args, **kwargs)
    return str(failure.value)


def test_equal_arrays_pass():
    expect_close(EXPECTED.copy(), EXPECTED, "x")


def test_wrong_shape_says_both_shapes_and_suggests_the_transpose():
    message = failure_of(expect_close, EXPECTED.T, EXPECTED, "x")
    assert "(2, 3)" in message and "(3, 2)" in message and "transpose" in message


def test_named_mistake_is_reported_by_name():
    message = failure_of(expect_close, EXPECTED * 0, EXPECTED, "ds",
                         mistakes={"did you forget the upstream gradient?": EXPECTED * 0})
    assert "did you forget the upstream gradient?" in message


def test_missing_batch_average_is_recognised():
    message = failure_of(expect_close, EXPECTED * 4, EXPECTED, "grad", batch_size=4)
    assert "1/m" in message


def test_double_batch_average_is_recognised():
    message = failure_of(expect_close, EXPECTED / 4, EXPECTED, "grad", batch_size=4)
    assert "twice" in message


def test_sign_flip_is_recognised():
    assert "opposite sign" in failure_of(expect_close, -EXPECTED, EXPECTED, "grad")


def test_overflow_to_inf_points_at_numerical_stability():
    got = EXPECTED.copy()
    got[0, 0] = np.inf
    assert "numerically stable" in failure_of(expect_close, got, EXPECTED, "sigmoid")


def test_plain_wrong_values_show_expected_and_got():
    got = EXPECTED + np.array([[0, 0, 0], [0, 0, 0.5]])
    message = failure_of(expect_close, got, EXPECTED, "x")
    assert "expected [" in message and "got [" in message and "largest difference 0.5" in message


def test_a_list_is_not_an_array():
    assert "got a list" in failure_of(expect_close, [1.0, 2.0], np.ones(2), "x")


def test_gradient_within_relative_tolerance_passes():
    expect_gradient(EXPECTED * (1 + 1e-9), EXPECTED, "grad")


def test_gradient_off_by_a_little_fails_with_the_relative_error():
    assert "relative error" in failure_of(expect_gradient, EXPECTED * 1.001, EXPECTED, "grad")


def test_float64_result_for_float32_input_fails_the_dtype_check():
    assert "float32" in failure_of(expect_dtype, np.zeros(2), np.float32, "relu(x)")


def test_mutated_input_is_reported():
    assert "in place" in failure_of(expect_unchanged, np.ones(3), np.zeros(3), "relu")
