"""Normalization, toy data sets, the bundled digits, mini-batches and IDX files."""

import gzip
import struct

import numpy as np
import pytest

from reference import data


@pytest.fixture
def rng():
    return np.random.default_rng(20261123)


@pytest.fixture
def train_and_val(rng):
    """Features on very different scales; validation drawn from a shifted distribution."""
    scale, shift = np.array([1.0, 100.0, 0.01]), np.array([5.0, -300.0, 0.2])
    X_train = rng.standard_normal((200, 3)) * scale + shift
    X_val = rng.standard_normal((50, 3)) * scale + shift + 2 * scale
    return X_train, X_val


# -- normalization ------------------------------------------------------------------


def test_standardizer_gives_training_data_mean_zero_and_std_one(train_and_val):
    Z = data.Standardizer().fit_transform(train_and_val[0])
    np.testing.assert_allclose(Z.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(Z.std(axis=0), 1.0, rtol=1e-12)


def test_standardizer_transforms_validation_data_with_training_statistics(train_and_val):
    X_train, X_val = train_and_val
    expected = (X_val - X_train.mean(axis=0)) / X_train.std(axis=0)
    np.testing.assert_allclose(data.Standardizer().fit(X_train).transform(X_val), expected)


def test_standardizer_maps_a_constant_feature_to_zero():
    X = np.column_stack([np.arange(5.0), np.full(5, 7.0)])
    Z = data.Standardizer().fit_transform(X)
    np.testing.assert_array_equal(Z[:, 1], 0.0)


def test_standardizer_keeps_float32(train_and_val):
    X = train_and_val[0].astype(np.float32)
    assert data.Standardizer().fit_transform(X).dtype == np.float32


def test_standardizer_does_not_modify_its_input(train_and_val):
    X = train_and_val[0]
    before = X.copy()
    data.Standardizer().fit_transform(X)
    np.testing.assert_array_equal(X, before)


def test_standardizer_refuses_to_transform_before_fit(train_and_val):
    with pytest.raises(RuntimeError, match="fit"):
        data.Standardizer().transform(train_and_val[0])


def test_minmax_maps_each_training_feature_onto_zero_one(train_and_val):
    Z = data.MinMaxScaler().fit_transform(train_and_val[0])
    np.testing.assert_allclose(Z.min(axis=0), 0.0, atol=1e-15)
    np.testing.assert_allclose(Z.max(axis=0), 1.0, rtol=1e-15)


def test_minmax_transforms_validation_data_with_training_min_and_max(train_and_val):
    X_train, X_val = train_and_val
    low, high = X_train.min(axis=0), X_train.max(axis=0)
    np.testing.assert_allclose(data.MinMaxScaler().fit(X_train).transform(X_val),
                               (X_val - low) / (high - low))


def test_minmax_maps_a_constant_feature_to_zero():
    X = np.column_stack([np.arange(5.0), np.full(5, -2.0)])
    np.testing.assert_array_equal(data.MinMaxScaler().fit_transform(X)[:, 1], 0.0)


@pytest.mark.parametrize("function,scaler", [(data.standardize, data.Standardizer),
                                             (data.min_max_scale, data.MinMaxScaler)])
def test_plain_data_forms_fit_on_training_data_and_leave_inputs_alone(train_and_val, function,
                                                                      scaler):
    X_train, X_val = train_and_val
    before = X_train.copy(), X_val.copy()
    Z_train, Z_val = function(X_train, X_val)
    fitted = scaler().fit(X_train)
    np.testing.assert_array_equal(Z_train, fitted.transform(X_train))
    np.testing.assert_array_equal(Z_val, fitted.transform(X_val))
    np.testing.assert_array_equal(X_train, before[0])
    np.testing.assert_array_equal(X_val, before[1])


# -- toy data sets ------------------------------------------------------------------

GENERATORS = {
    "spirals": lambda rng: data.make_spirals(50, n_classes=3, rng=rng),
    "moons": lambda rng: data.make_moons(151, noise=0.1, rng=rng),
    "circles": lambda rng: data.make_circles(151, noise=0.05, factor=0.5, rng=rng),
    "xor": lambda rng: data.make_xor(151, noise=0.3, rng=rng),
}
SIZES = {"spirals": (150, 3), "moons": (151, 2), "circles": (151, 2), "xor": (151, 2)}


@pytest.mark.parametrize("name", GENERATORS)
def test_toy_data_has_float64_points_and_int64_labels(name):
    X, y = GENERATORS[name](np.random.default_rng(0))
    n, _ = SIZES[name]
    assert (X.shape, X.dtype, y.shape, y.dtype) == ((n, 2), np.float64, (n,), np.int64)


@pytest.mark.parametrize("name", GENERATORS)
def test_toy_data_classes_are_balanced(name):
    _, y = GENERATORS[name](np.random.default_rng(0))
    n, n_classes = SIZES[name]
    counts = np.bincount(y, minlength=n_classes)
    assert len(counts) == n_classes
    assert counts.max() - counts.min() <= 1


@pytest.mark.parametrize("name", GENERATORS)
def test_toy_data_is_deterministic_per_seed(name):
    X1, y1 = GENERATORS[name](np.random.default_rng(7))
    X2, y2 = GENERATORS[name](np.random.default_rng(7))
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)


@pytest.mark.parametrize("name", GENERATORS)
def test_toy_data_differs_between_seeds(name):
    X1, _ = GENERATORS[name](np.random.default_rng(7))
    X2, _ = GENERATORS[name](np.random.default_rng(8))
    assert not np.array_equal(X1, X2)


def test_xor_labels_are_one_where_the_coordinate_signs_differ():
    X, y = data.make_xor(400, noise=0.05, rng=np.random.default_rng(0))
    np.testing.assert_array_equal(y, (np.sign(X[:, 0]) != np.sign(X[:, 1])).astype(int))


def test_circles_inner_ring_has_radius_factor():
    X, y = data.make_circles(200, noise=0.0, factor=0.3, rng=np.random.default_rng(0))
    np.testing.assert_allclose(np.hypot(X[:, 0], X[:, 1]), np.where(y == 1, 0.3, 1.0))


# -- digits -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def digits():
    return data.load_digits(np.random.default_rng(0))


def test_digits_splits_hold_every_image_exactly_once(digits):
    from sklearn.datasets import load_digits

    original = load_digits()
    everything = np.column_stack([np.concatenate([digits.X_train, digits.X_val, digits.X_test]),
                                  np.concatenate([digits.y_train, digits.y_val, digits.y_test])])
    expected = np.column_stack([original.data / 16.0, original.target])
    # Same multiset of (image, label) rows: the parts are disjoint and cover the data set.
    rows, counts = np.unique(everything, axis=0, return_counts=True)
    expected_rows, expected_counts = np.unique(expected, axis=0, return_counts=True)
    np.testing.assert_array_equal(rows, expected_rows)
    np.testing.assert_array_equal(counts, expected_counts)


def test_digits_split_sizes_follow_the_fractions(digits):
    assert len(digits.X_val) == pytest.approx(0.15 * 1797, abs=10)
    assert len(digits.X_test) == pytest.approx(0.15 * 1797, abs=10)


def test_digits_split_is_stratified(digits):
    for y in (digits.y_val, digits.y_test):
        shares = np.bincount(y, minlength=10) / np.bincount(digits.y_train, minlength=10)
        np.testing.assert_allclose(shares, 0.15 / 0.70, atol=0.03)


def test_digits_pixels_are_scaled_to_zero_one(digits):
    assert digits.X_train.dtype == np.float64
    assert (digits.X_train.min(), digits.X_train.max()) == (0.0, 1.0)


def test_digits_split_is_deterministic_per_seed(digits):
    again = data.load_digits(0)
    for a, b in zip(digits, again, strict=True):
        np.testing.assert_array_equal(a, b)


def test_digits_training_part_is_shuffled(digits):
    assert not np.all(np.diff(digits.y_train) >= 0)


# -- mini-batches --------------------------------------------------------------------


def test_minibatches_cover_every_example_exactly_once(rng):
    X, y = np.arange(23.0).reshape(23, 1), np.arange(23)
    seen = np.concatenate([yb for _, yb in data.minibatches(X, y, 5, rng)])
    np.testing.assert_array_equal(np.sort(seen), np.arange(23))


def test_minibatches_keep_rows_and_labels_together(rng):
    X, y = np.arange(23.0).reshape(23, 1), np.arange(23)
    for Xb, yb in data.minibatches(X, y, 5, rng):
        np.testing.assert_array_equal(Xb[:, 0], yb)


def test_minibatches_keep_the_last_partial_batch():
    X, y = np.zeros((10, 2)), np.zeros(10)
    assert [len(yb) for _, yb in data.minibatches(X, y, 4)] == [4, 4, 2]


def test_minibatches_without_rng_keep_the_order():
    y = np.arange(10)
    seen = np.concatenate([yb for _, yb in data.minibatches(y[:, None], y, 3)])
    np.testing.assert_array_equal(seen, y)


def test_minibatches_with_rng_shuffle_differently_each_epoch(rng):
    y = np.arange(50)
    first = np.concatenate([yb for _, yb in data.minibatches(y[:, None], y, 50, rng)])
    second = np.concatenate([yb for _, yb in data.minibatches(y[:, None], y, 50, rng)])
    assert not np.array_equal(first, y)
    assert not np.array_equal(first, second)


# -- IDX files ----------------------------------------------------------------------

IDX_TYPES = {   # type code -> (struct format of one value, numpy dtype, 12 test values)
    0x08: ("B", np.uint8, [0, 1, 2, 127, 128, 200, 250, 251, 252, 253, 254, 255]),
    0x09: ("b", np.int8, [-128, -3, -1, 0, 1, 2, 3, 50, 100, 120, 126, 127]),
    0x0B: ("h", np.int16, [-32768, -300, -1, 0, 1, 2, 3, 500, 1000, 30000, 32766, 32767]),
    0x0C: ("i", np.int32, [-2**31, -7000, -1, 0, 1, 2, 3, 7000, 10**9, 2**31 - 2, 2**31 - 1, 5]),
    0x0D: ("f", np.float32, [-1.5, -0.25, 0.0, 0.5, 1.0, 2.5, 3.75, 1e-3, 1e3, 1e30, -1e-30, 7.0]),
    0x0E: ("d", np.float64, [-1.5, -0.1, 0.0, 0.5, 1.0, 2.5, 3.75, 1e-3, 1e3, 1e300, -1e-300, 7.0]),
}


def write_idx(path, code, values, dims):
    fmt = IDX_TYPES[code][0]
    payload = struct.pack(">BBBB", 0, 0, code, len(dims))
    payload += struct.pack(f">{len(dims)}I", *dims)
    payload += struct.pack(f">{len(values)}{fmt}", *values)
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "wb") as f:
        f.write(payload)


@pytest.mark.parametrize("suffix", ["", ".gz"])
@pytest.mark.parametrize("code", list(IDX_TYPES))
def test_idx_round_trip(tmp_path, code, suffix):
    _, dtype, values = IDX_TYPES[code]
    path = tmp_path / f"tiny-idx{suffix}"
    write_idx(path, code, values, (2, 3, 2))
    array = data.load_idx(path)
    assert array.dtype == dtype and array.dtype.isnative
    np.testing.assert_array_equal(array, np.array(values, dtype=dtype).reshape(2, 3, 2))


def test_idx_reads_a_one_dimensional_label_file(tmp_path):
    write_idx(tmp_path / "labels.idx1-ubyte", 0x08, [5, 0, 4, 1, 9], (5,))
    np.testing.assert_array_equal(data.load_idx(tmp_path / "labels.idx1-ubyte"), [5, 0, 4, 1, 9])


def test_idx_rejects_a_bad_magic_number(tmp_path):
    (tmp_path / "bad").write_bytes(b"\x01\x00\x08\x01\x00\x00\x00\x01\x05")
    with pytest.raises(ValueError, match="magic"):
        data.load_idx(tmp_path / "bad")


def test_idx_rejects_a_truncated_file(tmp_path):
    write_idx(tmp_path / "short", 0x0C, [1, 2, 3], (3,))
    (tmp_path / "cut").write_bytes((tmp_path / "short").read_bytes()[:-2])
    with pytest.raises(ValueError, match="expected 3 values"):
        data.load_idx(tmp_path / "cut")


@pytest.mark.parametrize("scaler", [data.Standardizer, data.MinMaxScaler])
def test_fitting_a_scaler_on_no_examples_is_a_value_error(scaler):
    with pytest.raises(ValueError, match="empty batch"):
        scaler().fit(np.zeros((0, 3)))
