"""The Gradescope autograder archive, run as Gradescope runs it.

The archive is built with the command line, unpacked into a temporary root laid out
like ``/autograder`` (``source/``, ``submission/``, ``results/``), its ``setup.sh``
run for real (pip installs the grader's wheel into ``venv/``; the registry is not
asked, the wheel's dependencies are linked in from this venv, and nothing else),
and ``run_autograder`` run on real notebooks with real sandboxed grading.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from packaging.requirements import Requirement

import nnlabs
from autograder import gradescope, gradescope_archive
from autograder.answers_search import find_answers
from autograder.batch import Submission, grade_all
from autograder.catalogue import (
    answer_cells,
    apply_variant,
    as_file,
    broken_class,
    load_catalogue,
    load_notebook,
    notebook_path,
)
from autograder.handout import requirements
from autograder.hidden import load_lab
from autograder.record import Record
from autograder.sandbox import Limits

LAB = "lab03"
SEED = 271828182845
LIMITS = Limits(cell_seconds=2, call_seconds=2, submission_seconds=30)
MISTAKE = next(v for v in load_catalogue(LAB) if v.name == "sigmoid-backward-without-dout")
ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def killing_its_kernel() -> dict:
    """The solution with a cell that ends its process before the first answer."""
    notebook = load_notebook(LAB)
    notebook["cells"].insert(answer_cells(notebook)[0], {
        "cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
        "source": "import os\nos._exit(3)\n"})
    return notebook


def cases() -> dict[str, dict[str, bytes]]:
    """Each case's submission folder: file name -> content."""
    name = notebook_path(LAB).name
    broken = broken_class(LAB)
    return {
        "solution": {name: as_file(load_notebook(LAB))},
        "stub": {name: as_file(load_notebook(LAB, "labs"))},
        "mistake": {name: as_file(apply_variant(load_notebook(LAB), MISTAKE))},
        "truncated": {name: broken["truncated-file"]},
        "infinite-loop": {name: broken["infinite-loop"]},
        "kills-its-kernel": {name: as_file(killing_its_kernel())},
        "renamed-file": {"my homework (final).ipynb": as_file(load_notebook(LAB))},
        "two-notebooks": {"draft.ipynb": as_file(load_notebook(LAB, "labs")),
                          "copy.ipynb": as_file(load_notebook(LAB))},
        "missing": {"notes.txt": b"no notebook here\n"},
    }


def dependencies() -> set[str]:
    """The distributions the grader's wheel requires, and theirs, in this venv."""
    seen: set[str] = set()
    todo = [Requirement(r).name for r in requirements(gradescope_archive.GRADER_REQUIRES)]
    while todo:
        name = todo.pop().lower()
        if name in seen:
            continue
        seen.add(name)
        for text in importlib.metadata.requires(name) or []:
            requirement = Requirement(text)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                todo.append(requirement.name)
    return seen


def link_dependencies(into: Path) -> None:
    """Link the files of the wheel's dependencies (only those) into ``into``."""
    into.mkdir()
    for name in dependencies():
        distribution = importlib.metadata.distribution(name)
        for top in {f.parts[0] for f in distribution.files or [] if f.parts[0] != ".."}:
            target = into / top
            if not target.exists():
                target.symlink_to(Path(distribution.locate_file(top)).resolve())


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("built") / "autograder_lab03.zip"
    run = subprocess.run([sys.executable, "-m", "autograder", "gradescope", LAB, "--out", out,
                          "--seconds", "2", "--submission-seconds", "30"],
                         capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    return out


@pytest.fixture(scope="module")
def installed(archive, tmp_path_factory) -> Path:
    """A root laid out like /autograder after Gradescope built the image."""
    root = tmp_path_factory.mktemp("autograder")
    with zipfile.ZipFile(archive) as unpacked:
        unpacked.extractall(root / "source")
    for script in ("setup.sh", "run_autograder"):
        (root / "source" / script).chmod(0o755)
    env = dict(os.environ, NNLABS_AUTOGRADER_ROOT=str(root), PIP_NO_INDEX="1", PIP_NO_DEPS="1",
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    setup = subprocess.run(["bash", root / "source" / "setup.sh"], capture_output=True,
                           text=True, env=env, cwd=root)
    assert setup.returncode == 0, setup.stdout + setup.stderr
    (site_packages,) = (root / "venv" / "lib").glob("python*/site-packages")
    link_dependencies(root / "dependencies")
    (site_packages / "dependencies.pth").write_text(f"{root / 'dependencies'}\n")
    shutil.copy(root / "source" / "run_autograder", root / "run_autograder")
    return root


def run_autograder(installed: Path, root: Path, files: dict[str, bytes]) -> dict:
    """``run_autograder`` of the installed image on a submission, in a root of its own."""
    for shared in ("source", "venv", "dependencies", "run_autograder"):
        (root / shared).symlink_to(installed / shared)
    (root / "submission").mkdir()
    for name, content in files.items():
        (root / "submission" / name).write_bytes(content)
    env = dict(os.environ, NNLABS_AUTOGRADER_ROOT=str(root), NNLABS_GRADING_SEED=str(SEED))
    run = subprocess.run([root / "run_autograder"], capture_output=True, text=True, env=env,
                         cwd=root)
    assert run.returncode == 0, run.stderr
    return json.loads((root / "results" / "results.json").read_text())


@pytest.fixture(scope="module")
def results(installed, tmp_path_factory) -> dict[str, dict]:
    with ThreadPoolExecutor(2) as pool:
        done = {case: pool.submit(run_autograder, installed, tmp_path_factory.mktemp(case), files)
                for case, files in cases().items()}
    return {case: future.result() for case, future in done.items()}


@pytest.fixture(scope="module")
def batch_records(tmp_path_factory) -> dict[str, Record]:
    """The batch grader's record of each single-notebook case, with the same seed."""
    folder = tmp_path_factory.mktemp("batch")
    graded = {}
    for case, files in cases().items():
        if len(files) == 1 and next(iter(files)).endswith(".ipynb"):
            ((name, content),) = files.items()
            (folder / case).mkdir()
            (folder / case / name).write_bytes(content)
            graded[case] = Submission(case, folder / case / name)
    records = grade_all(list(graded.values()), LAB, jobs=2, limits=LIMITS, seed=SEED)
    return dict(zip(graded, records, strict=True))


def test_the_archive_holds_the_two_scripts_the_fallback_and_the_grader_wheel(archive):
    names = set(zipfile.ZipFile(archive).namelist())
    assert names == {"setup.sh", "run_autograder", "fallback_results.json",
                     f"{gradescope_archive.GRADER}-{nnlabs.__version__}-py3-none-any.whl"}


def test_the_archive_holds_no_notebook_no_solutions_and_no_catalogue(archive, installed):
    wheel = next((installed / "source").glob("*.whl"))
    members = [*zipfile.ZipFile(archive).namelist(), *zipfile.ZipFile(wheel).namelist()]
    assert not [m for m in members if m.endswith(".ipynb") or m.startswith(
        ("solutions/", "autograder/catalogue/"))]


def test_the_archive_holds_no_line_of_a_solution_or_an_alternative(installed):
    assert find_answers(installed / "source", gradescope_archive._solution_lines()) == []


def test_the_search_would_find_the_catalogues_alternatives(tmp_path):
    shutil.copy(ROOT / "autograder" / "catalogue" / f"{LAB}.py", tmp_path)
    assert find_answers(tmp_path, gradescope_archive._solution_lines())


def test_the_grader_wheel_is_the_same_bytes_when_built_again(installed, tmp_path):
    (shipped,) = (installed / "source").glob("*.whl")
    assert gradescope_archive.grader_wheel(tmp_path).read_bytes() == shipped.read_bytes()


def test_the_scripts_are_executable_in_the_archive(archive):
    modes = {i.filename: i.external_attr >> 16 for i in zipfile.ZipFile(archive).infolist()}
    assert modes["setup.sh"] & 0o111 and modes["run_autograder"] & 0o111


def test_setup_installs_the_grader_from_the_archives_wheel(installed):
    found = subprocess.run([installed / "venv" / "bin" / "python", "-c",
                            "import autograder, reference; print(autograder.__file__)"],
                           capture_output=True, text=True, check=True, cwd=installed).stdout
    assert Path(found.strip()).is_relative_to(installed / "venv")


def test_every_module_of_the_grader_imports_with_only_its_dependencies(installed):
    script = ("import importlib, pkgutil, autograder, nnlabs, reference\n"
              "for package in (autograder, nnlabs, reference):\n"
              "    for module in pkgutil.walk_packages(package.__path__, package.__name__ + '.'):\n"
              "        if not module.name.endswith('.__main__'):  # runs a command\n"
              "            importlib.import_module(module.name)\n")
    run = subprocess.run([installed / "venv" / "bin" / "python", "-I", "-c", script],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr


TOP_LEVEL = {"score": (int, float), "execution_time": int, "output": str, "tests": list}
TEST_FIELDS = {"name": str, "number": str, "score": (int, float), "max_score": (int, float),
               "output": str, "status": str, "visibility": str}


@pytest.mark.parametrize("case", list(cases()))
def test_results_have_every_field_of_gradescopes_format_with_its_type(results, case):
    document = results[case]
    assert all(isinstance(document[key], kind) for key, kind in TOP_LEVEL.items())
    assert document["tests"]
    for test in document["tests"]:
        assert all(isinstance(test[key], kind) for key, kind in TEST_FIELDS.items()), test
        assert test["status"] in ("passed", "failed")
        assert test["visibility"] in ("visible", "after_published")


@pytest.mark.parametrize("case", ["solution", "missing"])
def test_every_message_is_declared_plain_text(results, case):
    document = results[case]
    assert {document[key] for key in ("output_format", "test_output_format",
                                       "test_name_format")} == {"text"}


@pytest.mark.parametrize("case", list(cases()))
def test_there_is_one_test_per_check_hidden_ones_after_published(results, case):
    expected = [(f"{q.id}: {c.description}", "after_published" if c.hidden else "visible")
                for q in load_lab(LAB) for c in q.checks]
    assert [(t["name"], t["visibility"]) for t in results[case]["tests"]] == expected


@pytest.mark.parametrize("case", list(cases()))
def test_the_score_is_the_sum_of_the_tests(results, case):
    document = results[case]
    assert document["score"] == sum(t["score"] for t in document["tests"])


def test_the_solution_passes_every_test(results):
    assert all(t["status"] == "passed" for t in results["solution"]["tests"])


def test_the_stub_scores_zero(results):
    assert results["stub"]["score"] == 0


def test_a_mistake_fails_only_tests_of_its_question_and_names_it(results):
    failed = [t for t in results["mistake"]["tests"] if t["status"] == "failed"]
    assert failed and all(t["name"].startswith(MISTAKE.question + ": ") for t in failed)
    assert any(MISTAKE.feedback in t["output"] for t in failed)


@pytest.mark.parametrize("case", ["solution", "stub", "mistake", "truncated", "infinite-loop",
                                  "kills-its-kernel"])
def test_scores_equal_the_batch_graders_question_by_question(results, batch_records, case):
    record = batch_records[case]
    by_question = {}
    for test in results[case]["tests"]:
        question = test["name"].split(": ", 1)[0]
        by_question[question] = by_question.get(question, 0.0) + test["score"]
    assert by_question == {q.id: q.score for q in record.questions}


def test_a_truncated_notebook_scores_zero_and_says_it_cannot_be_read(results, batch_records):
    document = results["truncated"]
    assert document["score"] == 0
    assert batch_records["truncated"].errors[0] in document["output"]


def test_an_infinite_loop_is_stopped_and_said(results):
    assert "did not finish within 2 s" in results["infinite-loop"]["output"]


def test_a_notebook_that_kills_its_kernel_keeps_its_other_points(results):
    document = results["kills-its-kernel"]
    assert "WorkerDied" in document["output"] and document["score"] > 0


def test_a_renamed_notebook_is_graded_as_the_lab(results):
    assert results["renamed-file"]["score"] == results["solution"]["score"] > 0


def test_of_two_notebooks_the_better_counts_and_the_other_is_named(results):
    document = results["two-notebooks"]
    assert document["score"] == results["solution"]["score"]
    assert "draft.ipynb: 0 /" in document["output"]


def test_no_notebook_scores_zero_and_says_what_to_upload(results):
    document = results["missing"]
    assert document["score"] == 0
    assert notebook_path(LAB).name in document["output"]


def test_nothing_students_see_holds_the_grading_seed(results):
    assert str(SEED) not in json.dumps(results)


def test_the_submissions_code_sees_neither_the_archive_nor_the_installed_grader(installed,
                                                                                  tmp_path):
    (site_packages,) = (installed / "venv" / "lib").glob("python*/site-packages")
    grader_files = [installed / "source" / "fallback_results.json",
                    site_packages / "autograder" / "answers" / f"{LAB}.py",
                    site_packages / "reference" / "activations.py"]
    assert all(path.is_file() for path in grader_files)
    notebook = load_notebook(LAB)
    notebook["cells"].append({  # sigmoid turns wrong where any of them is in sight
        "cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
        "source": f"import os\nif any(os.path.exists(p) for p in {list(map(str, grader_files))}):"
                  "\n    def sigmoid(s):\n        return s\n"})
    document = run_autograder(installed, tmp_path, {"lab03_activations.ipynb": as_file(notebook)})
    assert all(t["status"] == "passed" for t in document["tests"])


def test_without_a_grader_run_autograder_writes_the_fallback(installed, tmp_path):
    (tmp_path / "source").symlink_to(installed / "source")
    (tmp_path / "submission").mkdir()
    subprocess.run([installed / "run_autograder"], check=True, capture_output=True,
                   env=dict(os.environ, NNLABS_AUTOGRADER_ROOT=str(tmp_path)))
    document = json.loads((tmp_path / "results" / "results.json").read_text())
    assert document["score"] == 0 and len(document["tests"]) == sum(
        len(q.checks) for q in load_lab(LAB))


def test_a_grader_failure_still_writes_results_with_a_message(tmp_path):
    (tmp_path / "submission").mkdir()
    gradescope.main(["--lab", "lab99", "--notebook", "x.ipynb", "--root", str(tmp_path)])
    document = json.loads((tmp_path / "results" / "results.json").read_text())
    assert document["score"] == 0 and "grader failed" in document["output"]


def test_a_symbolic_link_is_reported_not_graded(tmp_path):
    (tmp_path / "real.ipynb").write_bytes(as_file(load_notebook(LAB)))
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "link.ipynb").symlink_to(tmp_path / "real.ipynb")
    (linked,) = [s for s in gradescope.handed_in(tmp_path, "x.ipynb") if s.name == "sub/link.ipynb"]
    assert "symbolic link" in linked.problem
