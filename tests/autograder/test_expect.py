"""Feedback from the assertion helpers: what was expected, what came back, which mistake."""

import numpy as np
import pytest

from nnlabs.expect import (
    FAMILY_KEYS,
    CheckFailed,
    expect_close,
    expect_dtype,
    expect_finite,
    expect_gradient,
    expect_numbers,
    expect_pair,
    expect_tuple,
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


def test_nan_or_inf_is_reported_without_guessing_a_cause():
    got = EXPECTED.copy()
    got[0, 0] = np.inf
    message = failure_of(expect_close, got, EXPECTED, "update")
    assert "nan or inf" in message and "overflow" not in message


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


def verdict_of(got, expected=EXPECTED, **kwargs) -> CheckFailed:
    with pytest.raises(CheckFailed) as failure:
        expect_close(got, expected, "x", **kwargs)
    return failure.value


def test_a_name_found_by_values_falls_back_to_what_differs():
    verdict = verdict_of(EXPECTED * 0, mistakes={"the upstream gradient is missing.": EXPECTED * 0})
    assert [v.mistake for v in verdict.verdicts()] == ["upstream-gradient-missing", ""]
    assert "expected [" in str(verdict.verdicts()[-1])


def test_a_name_is_kept_when_the_second_verdict_names_it_too():
    mistakes = {"the upstream gradient is missing.": EXPECTED * 0}
    first, again = verdict_of(EXPECTED * 0, mistakes=mistakes), verdict_of(
        np.zeros(4), np.ones(4), mistakes={"the upstream gradient is missing.": np.zeros(4)})
    assert first.confirmed_by(again) is first


def test_a_name_the_second_verdict_does_not_give_is_dropped():
    first = verdict_of(EXPECTED * 0, mistakes={"the upstream gradient is missing.": EXPECTED * 0})
    assert first.confirmed_by(verdict_of(EXPECTED + 1.0)).mistake == ""


def test_a_name_is_dropped_when_the_second_input_passes():
    first = verdict_of(-EXPECTED)
    assert first.mistake == "opposite-sign" and first.confirmed_by(None).mistake == ""


def test_a_family_is_kept_when_the_second_verdict_is_a_named_mistake_of_that_family():
    first = verdict_of(EXPECTED * 3.0, mistakes={"it is three times too big.": EXPECTED * 3.0})
    again = verdict_of(np.arange(1.0, 5.0) * 3.0, np.arange(1.0, 5.0))
    assert first.confirmed_by(again).mistake == "constant-factor"


def test_a_fact_about_the_result_needs_no_second_input():
    assert verdict_of(EXPECTED.T).confirmed_by(None).mistake == "transposed"


def test_an_unknown_constant_factor_is_said():
    verdict = verdict_of(EXPECTED * 0.37)
    assert verdict.mistake == "constant-factor" and "0.37 times" in str(verdict)


def test_two_numbers_are_not_called_a_constant_factor():
    assert verdict_of(np.float64(0.37), np.float64(1.0)).mistake == ""


def test_a_factor_per_column_is_said():
    gamma = np.array([2.0, 0.5, 3.0])
    assert verdict_of(EXPECTED * gamma).mistake == "per-column-factor"


def test_a_factor_per_row_is_said():
    assert verdict_of(EXPECTED * np.array([[2.0], [0.5]])).mistake == "per-row-factor"


def test_the_transpose_of_a_square_result_is_said():
    square = np.array([[1.0, 2.0], [3.0, 4.0]])
    assert verdict_of(square.T, square).mistake == "transposed"


def test_family_keys_are_the_keys_families_are_named_by():
    factors = (-1.0, 2.0, 0.5, 4.0, 0.25, 3.0)
    keys = {verdict_of(EXPECTED * c, batch_size=4).mistake for c in factors}
    assert keys <= FAMILY_KEYS and len(keys) == 6


def test_a_result_of_the_wrong_length_is_told_what_to_return_and_what_came_back():
    message = failure_of(expect_tuple, (1.0,), 2, "mse(y_hat, y)", "loss, gradient")
    assert message == ("mse(y_hat, y) should return 2 values (loss, gradient); got a tuple of "
                       "length 1.")


def test_a_result_of_the_right_length_comes_back_as_a_tuple():
    assert expect_pair([1.0, 2.0], "mse(y_hat, y)", "loss, gradient") == (1.0, 2.0)


def test_items_that_are_not_numbers_are_refused_by_expect_numbers():
    message = failure_of(expect_numbers, ("a", "b"), 2, "f(x, y)", "df/dx, df/dy")
    assert message == "f(x, y) should return 2 numbers (df/dx, df/dy)."


def test_a_nan_is_told_with_the_advice_as_its_key():
    with pytest.raises(CheckFailed) as failure:
        expect_finite(np.array([1.0, np.nan]), "sigmoid(s)", "use a stable formula.")
    assert (str(failure.value), failure.value.mistake) == (
        "sigmoid(s) contains nan or inf: use a stable formula.", "use-stable-formula")


def test_a_nan_from_named_inputs_is_shown_with_the_values_that_came_back():
    message = failure_of(expect_finite, np.array([1.0, np.inf]), "tanh(s)", "compute stably.",
                         inputs="inputs of size up to 1000")
    assert message == ("tanh(s) contains nan or inf (got [ 1. inf]) for inputs of size up to "
                       "1000: compute stably.")
