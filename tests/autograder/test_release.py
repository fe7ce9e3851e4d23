"""labs/ is nbgrader's output for solutions/, and the visible checks' recordings are current."""

import base64
import hashlib
import json
import shutil
from pathlib import Path

import pytest

from autograder.catalogue import notebook_path
from autograder.release import (
    MANIFEST,
    ROOT,
    ReleaseConflict,
    generate_labs,
    install,
    read_manifest,
    record,
)
from nnlabs.oracle import FIXTURES, ReplayOracle
from nnlabs.registry import LAB_MODULES


@pytest.mark.slow
def test_regenerating_labs_with_nbgrader_reproduces_the_committed_labs(tmp_path):
    generate_labs(ROOT, tmp_path)
    released = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert Path(MANIFEST) in released
    for relative in released:
        assert (tmp_path / relative).read_bytes() == (ROOT / "labs" / relative).read_bytes(), \
            f"labs/{relative} differs from nbgrader's output: run `make release`"


def test_every_lab_has_a_student_notebook():
    assert [lab for lab in LAB_MODULES if not notebook_path(lab, "labs").is_file()] == []


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
    for path in (notebook_path(lab, "labs") for lab in LAB_MODULES):
        notebook = json.loads(path.read_text())
        sources = ["".join(c["source"]) for c in notebook["cells"]]
        assert not any(c.get("outputs") for c in notebook["cells"]), path
        assert not any("BEGIN SOLUTION" in s or "HIDDEN TESTS" in s for s in sources), path


LAB03 = "lab03_activations/lab03_activations.ipynb"


def released(folder: Path, text: str) -> Path:
    """A release of lab 03 in ``folder`` as nbgrader writes one, its notebook holding ``text``."""
    (folder / LAB03).parent.mkdir(parents=True)
    (folder / LAB03).write_text(text)
    return folder


def test_a_release_into_an_empty_folder_writes_the_notebook_and_the_manifest(tmp_path):
    labs = tmp_path / "labs"
    install(released(tmp_path / "v1", "release 1"), labs)
    assert (labs / LAB03).read_text() == "release 1"
    assert read_manifest(labs) == {LAB03: hashlib.sha256(b"release 1").hexdigest()}


def test_a_new_release_replaces_a_notebook_nobody_changed(tmp_path):
    labs = tmp_path / "labs"
    install(released(tmp_path / "v1", "release 1"), labs)
    install(released(tmp_path / "v2", "release 2"), labs)
    assert (labs / LAB03).read_text() == "release 2"


def test_releasing_again_leaves_a_students_answers_and_extra_files_alone(tmp_path):
    labs = tmp_path / "labs"
    install(released(tmp_path / "v1", "release 1"), labs)
    (labs / LAB03).write_text("my answers")
    (labs / "lab03_activations/lab03_mine.ipynb").write_text("mine")
    (labs / "lab03_activations/figures").mkdir()
    install(released(tmp_path / "again", "release 1"), labs)
    assert (labs / LAB03).read_text() == "my answers"
    assert (labs / "lab03_activations/lab03_mine.ipynb").read_text() == "mine"
    assert (labs / "lab03_activations/figures").is_dir()


def test_a_new_release_over_a_students_answers_writes_nothing_and_names_the_file(tmp_path):
    labs = tmp_path / "labs"
    install(released(tmp_path / "v1", "release 1"), labs)
    (labs / LAB03).write_text("my answers")
    manifest = (labs / MANIFEST).read_text()
    with pytest.raises(ReleaseConflict, match="lab03_activations.ipynb"):
        install(released(tmp_path / "v2", "release 2"), labs)
    assert (labs / LAB03).read_text() == "my answers"
    assert (labs / MANIFEST).read_text() == manifest


def test_a_deleted_notebook_comes_back_as_released(tmp_path):
    labs = tmp_path / "labs"
    install(released(tmp_path / "v1", "release 1"), labs)
    (labs / LAB03).unlink()
    install(released(tmp_path / "again", "release 1"), labs)
    assert (labs / LAB03).read_text() == "release 1"


@pytest.fixture
def course(tmp_path) -> Path:
    """A copy of the course with lab 03's source, released once into its labs/."""
    shutil.copy(ROOT / "nbgrader_config.py", tmp_path)
    shutil.copytree(ROOT / "solutions/lab03_activations", tmp_path / "solutions/lab03_activations",
                    ignore=shutil.ignore_patterns("figures", ".ipynb_checkpoints"))
    generate_labs(tmp_path, labs=["lab03"])
    return tmp_path


@pytest.mark.slow
def test_regenerating_with_nbgrader_keeps_a_students_saved_notebook_copy_and_figures(course):
    folder = course / "labs/lab03_activations"
    student = json.loads((folder / "lab03_activations.ipynb").read_text())
    student["cells"][1]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "hi"}]
    saved = json.dumps(student)
    (folder / "lab03_activations.ipynb").write_text(saved)
    (folder / "lab03_mine.ipynb").write_text(saved)
    (folder / "figures").mkdir()
    (folder / "figures/activations.png").write_bytes(b"png")
    generate_labs(course, labs=["lab03"])
    assert (folder / "lab03_activations.ipynb").read_text() == saved
    assert (folder / "lab03_mine.ipynb").read_text() == saved
    assert (folder / "figures/activations.png").read_bytes() == b"png"


@pytest.mark.slow
def test_make_release_refuses_to_overwrite_a_students_notebook_when_the_source_changed(course):
    notebook = course / "labs/lab03_activations/lab03_activations.ipynb"
    answered = notebook.read_text().replace("NotImplementedError()", "0", 1)
    notebook.write_text(answered)
    source = course / "solutions/lab03_activations/lab03_activations.ipynb"
    source.write_text(source.read_text().replace("Activation functions", "Activations", 1))
    with pytest.raises(ReleaseConflict, match="lab03_activations.ipynb"):
        generate_labs(course, labs=["lab03"])
    assert notebook.read_text() == answered
