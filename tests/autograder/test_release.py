"""labs/ is nbgrader's output for solutions/, and the visible checks' recordings are current."""

import base64
import json
from pathlib import Path

import pytest

from autograder.oracle import FIXTURES, ReplayOracle
from autograder.registry import LAB_MODULES
from autograder.release import ROOT, generate_labs, record


@pytest.mark.slow
def test_regenerating_labs_with_nbgrader_reproduces_the_committed_labs(tmp_path):
    generate_labs(ROOT, tmp_path)
    committed = sorted(p.relative_to(ROOT / "labs") for p in (ROOT / "labs").rglob("*")
                       if p.is_file())
    regenerated = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert regenerated == committed
    for relative in committed:
        assert (tmp_path / relative).read_bytes() == (ROOT / "labs" / relative).read_bytes(), \
            f"labs/{relative} differs from nbgrader's output: run `make release`"


def test_every_lab_has_a_student_notebook():
    assert sorted(p.parent.name.split("_")[0] for p in (ROOT / "labs").glob("*/*.ipynb")) == \
        sorted(LAB_MODULES)


@pytest.mark.parametrize("lab", LAB_MODULES)
def test_recording_answers_every_input_the_visible_checks_use(lab):
    committed = ReplayOracle(lab)
    fresh = json.loads(record(lab)).values()
    missing = [e for e in fresh if committed.find(base64.b64decode(e["call"])) is None]
    assert not missing, f"autograder/fixtures/{lab}.json is stale: run `make release`"


@pytest.mark.parametrize("lab", LAB_MODULES)
def test_recording_holds_no_answer_the_visible_checks_do_not_use(lab):
    committed = json.loads((FIXTURES / f"{lab}.json").read_text())
    used = {ReplayOracle(lab).find(base64.b64decode(e["call"]))
            for e in json.loads(record(lab)).values()}
    assert set(committed) <= used, f"autograder/fixtures/{lab}.json is stale: run `make release`"


def test_student_notebooks_have_no_outputs_and_no_solutions():
    for path in Path(ROOT / "labs").rglob("*.ipynb"):
        notebook = json.loads(path.read_text())
        sources = ["".join(c["source"]) for c in notebook["cells"]]
        assert not any(c.get("outputs") for c in notebook["cells"]), path
        assert not any("BEGIN SOLUTION" in s or "HIDDEN TESTS" in s for s in sources), path
