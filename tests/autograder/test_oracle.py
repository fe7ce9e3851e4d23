"""Replaying recorded answers: found by the inputs' values, not by their last bits."""

import base64
import hashlib
import json

import numpy as np
import pytest

from autograder.oracle import RecordingOracle, ReferenceOracle
from nnlabs.oracle import FIXTURES, ReplayOracle, same_input
from nnlabs.plain import decode, encode
from nnlabs.registry import LAB_MODULES

S = np.array([[0.3, -1.2, 2.5], [1.0, 0.0, -0.7]])


@pytest.fixture
def replay() -> ReplayOracle:
    recording = RecordingOracle("lab03")
    recording.sigmoid(S)
    recording.leaky_relu(S, alpha=0.1)
    return ReplayOracle("lab03", recording.recorded)


def nudged(value, ulps=4):
    """``value`` with every float moved ``ulps`` steps towards +inf, as another BLAS might."""
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        for _ in range(ulps):
            value = np.nextafter(value, np.inf)
        return value
    if isinstance(value, list):
        return [nudged(v, ulps) for v in value]
    if isinstance(value, tuple):
        return tuple(nudged(v, ulps) for v in value)
    if isinstance(value, dict):
        return {k: nudged(v, ulps) for k, v in value.items()}
    return value


def test_the_exact_input_replays_the_reference_answer(replay):
    np.testing.assert_array_equal(replay.sigmoid(S), 1 / (1 + np.exp(-S)))


def test_an_input_a_few_ulps_away_replays_the_same_answer(replay):
    np.testing.assert_array_equal(replay.sigmoid(nudged(S)), replay.sigmoid(S))


def test_an_input_a_millionth_away_finds_no_answer(replay):
    with pytest.raises(LookupError, match="no recorded answer for oracle.sigmoid"):
        replay.sigmoid(S * (1 + 1e-6))


def test_an_input_of_another_dtype_finds_no_answer(replay):
    with pytest.raises(LookupError):
        replay.sigmoid(S.astype(np.float32))


def test_a_keyword_with_another_value_finds_no_answer(replay):
    with pytest.raises(LookupError):
        replay.leaky_relu(S, alpha=0.2)


def test_an_answer_is_not_found_under_another_function_name(replay):
    with pytest.raises(LookupError):
        replay.tanh(S)


def test_integers_must_match_exactly():
    assert not same_input([np.array([1, 2, 3])], [np.array([1, 2, 4])])


def test_nan_matches_nan():
    assert same_input(np.array([np.nan, 1.0]), np.array([np.nan, 1.0]))


@pytest.mark.parametrize("lab", LAB_MODULES)
def test_every_recorded_input_survives_last_bit_noise(lab):
    recording = json.loads((FIXTURES / f"{lab}.json").read_text())
    replay = ReplayOracle(lab)
    for key, entry in recording.items():
        call = nudged(decode(base64.b64decode(entry["call"])))
        assert replay.find(encode(call)) == key


@pytest.fixture
def fixtures(tmp_path, monkeypatch):
    """A private fixtures folder for ``release.write_fixtures`` and ``ReplayOracle``."""
    from autograder import release
    from nnlabs import oracle

    monkeypatch.setattr(oracle, "FIXTURES", tmp_path)
    monkeypatch.setattr(release, "FIXTURES", tmp_path)
    return tmp_path


def test_release_keeps_a_fixture_whose_inputs_differ_only_in_their_last_bits(fixtures):
    from autograder.oracle import fixture_text
    from autograder.release import write_fixtures

    other_machine = {}
    for entry in json.loads((FIXTURES / "lab03.json").read_text()).values():
        call = encode(nudged(decode(base64.b64decode(entry["call"]))))
        other_machine[hashlib.sha256(call).hexdigest()] = {
            "call": base64.b64encode(call).decode(), "answer": entry["answer"]}
    (fixtures / "lab03.json").write_text(fixture_text(other_machine))
    write_fixtures(["lab03"])
    assert json.loads((fixtures / "lab03.json").read_text()) == other_machine


def test_release_rewrites_a_fixture_that_lacks_an_answer(fixtures):
    from autograder.release import record, write_fixtures

    recording = json.loads((FIXTURES / "lab03.json").read_text())
    del recording[next(iter(recording))]
    (fixtures / "lab03.json").write_text(json.dumps(recording))
    write_fixtures(["lab03"])
    assert (fixtures / "lab03.json").read_text() == record("lab03")


def test_central_differences_asked_again_are_the_same_and_a_copy_of_their_own():
    s = np.linspace(-2.0, 2.0, 7)
    first = ReferenceOracle("lab03").central_differences("sigmoid", [s], upstream=np.ones(7))
    first[:] = 0.0  # what a check does to its answer reaches no later one
    again = ReferenceOracle("lab03").central_differences("sigmoid", [s], upstream=np.ones(7))
    sigma = 1 / (1 + np.exp(-s))
    np.testing.assert_allclose(again, sigma * (1 - sigma), rtol=1e-9)


def test_central_differences_at_other_inputs_are_worked_out_afresh():
    oracle = ReferenceOracle("lab03")
    one = oracle.central_differences("sigmoid", [np.zeros(3)], upstream=np.ones(3))
    other = oracle.central_differences("sigmoid", [np.full(3, 5.0)], upstream=np.ones(3))
    assert one[0] == pytest.approx(0.25) and other[0] == pytest.approx(0.0066480566707901)
