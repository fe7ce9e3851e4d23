"""The plain-data wire: what crosses between a student's code and the grader."""

import struct

import numpy as np
import pytest

from nnlabs.plain import PlainDataError, decode, encode


def roundtrip(value):
    return decode(encode(value))


@pytest.mark.parametrize("dtype", ["float64", "float32", "int64", "int8", "bool", "complex128"])
def test_array_keeps_dtype_shape_and_values(dtype):
    array = (np.arange(12).reshape(3, 4) % 3).astype(dtype)
    back = roundtrip(array)
    assert back.dtype == array.dtype and back.shape == (3, 4)
    np.testing.assert_array_equal(back, array)


def test_numpy_scalar_comes_back_as_scalar_of_same_dtype():
    back = roundtrip(np.float32(1.5))
    assert isinstance(back, np.float32) and back == 1.5


def test_non_contiguous_array_is_sent_by_value():
    array = np.arange(20.0).reshape(4, 5)[:, ::2]
    np.testing.assert_array_equal(roundtrip(array), array)


def test_nested_tuples_lists_and_dicts_survive():
    value = {"loss": 0.5, "grads": (np.ones(2), [1, 2.5, None, True, "text"])}
    back = roundtrip(value)
    assert back["loss"] == 0.5 and back["grads"][1] == [1, 2.5, None, True, "text"]
    assert isinstance(back["grads"], tuple)


@pytest.mark.parametrize("number", [float("nan"), float("inf"), -float("inf")])
def test_non_finite_floats_survive(number):
    back = roundtrip(number)
    assert repr(back) == repr(number)


def test_huge_python_int_survives():
    assert roundtrip(10**30) == 10**30


def test_object_array_is_refused():
    with pytest.raises(PlainDataError, match="dtype object"):
        encode(np.array([object()], dtype=object))


def test_object_claiming_equality_with_everything_is_refused():
    class AlwaysEqual:
        def __eq__(self, other):
            return True

    with pytest.raises(PlainDataError, match="AlwaysEqual"):
        encode(AlwaysEqual())


def test_ndarray_subclass_arrives_as_plain_ndarray():
    class Sneaky(np.ndarray):
        def __eq__(self, other):
            return True

    back = roundtrip(np.zeros(3).view(Sneaky))
    assert type(back) is np.ndarray


def test_decode_refuses_an_array_whose_bytes_do_not_match_its_shape():
    frame = encode(np.zeros(4))
    header_len, payload_len = struct.unpack_from("<II", frame)
    header = frame[8:8 + header_len].replace(b"[4]", b"[5]")
    forged = struct.pack("<II", len(header), payload_len) + header + frame[8 + header_len:]
    with pytest.raises(PlainDataError, match="shape does not match"):
        decode(forged)


def test_decode_refuses_an_object_dtype_descriptor():
    frame = encode(np.zeros(1, dtype=np.int64))
    header_len, payload_len = struct.unpack_from("<II", frame)
    header = frame[8:8 + header_len].replace(b"<i8", b"|O8")
    forged = struct.pack("<II", len(header), payload_len) + header + frame[8 + header_len:]
    with pytest.raises((PlainDataError, TypeError)):
        decode(forged)


def test_decode_refuses_a_truncated_frame():
    with pytest.raises(PlainDataError, match="length"):
        decode(encode(np.zeros(8))[:-1])


@pytest.mark.parametrize("number", [np.float64("nan"), np.float32("inf"), np.float64(-np.inf)])
def test_non_finite_numpy_scalars_survive_with_their_dtype(number):
    back = roundtrip(number)
    assert back.dtype == number.dtype and repr(float(back)) == repr(float(number))


def test_ndarray_subclass_claiming_a_numeric_dtype_is_judged_by_its_real_one():
    class Disguised(np.ndarray):
        dtype = property(lambda self: np.dtype("float64"))

    with pytest.raises(PlainDataError, match="dtype object"):
        encode(np.array([object(), object()], dtype=object).view(Disguised))


def test_a_value_too_large_in_all_is_refused_before_it_is_sent():
    from nnlabs.plain import MAX_ARRAY_BYTES

    part = np.zeros(MAX_ARRAY_BYTES // 8, dtype=np.float64)  # two fill a frame
    with pytest.raises(PlainDataError, match="in all, over the limit"):
        encode([part, part, np.zeros(1)])


def test_a_long_list_of_numbers_is_refused_with_advice_to_send_an_array():
    with pytest.raises(PlainDataError, match="should be a numpy array"):
        encode([0.5] * 5_000_000)
