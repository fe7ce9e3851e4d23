"""The class handout: notebooks, the student runtime's wheel and a README, with no answer.

The slow tests install the wheel alone into a fresh virtual environment, outside the
repository, and show the runtime works there as the full course does.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import nnlabs
from autograder import answers_search, handout
from autograder.catalogue import (
    apply_variant,
    as_file,
    load_catalogue,
    load_notebook,
    notebook_path,
)
from autograder.hidden import LAB_MODULES, load_lab

ROOT = Path(__file__).resolve().parents[2]
INSTRUCTOR_SIDE = ("autograder", "reference", "solutions")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("handout")
    handout.write_handout(out)
    return out


def wheel_of(folder: Path) -> Path:
    (wheel,) = folder.glob("nnlabs-*-py3-none-any.whl")
    return wheel


def test_the_handout_holds_the_notebooks_the_wheel_and_a_readme(built):
    names = sorted(str(p.relative_to(built)) for p in built.rglob("*") if p.is_file())
    released = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "labs").glob("lab*/lab*.ipynb"))
    assert names == sorted(["README.md", wheel_of(built).name, *released])


def test_the_handout_notebooks_are_the_released_ones(built):
    for notebook in (ROOT / "labs").glob("lab*/lab*.ipynb"):
        assert (built / notebook.relative_to(ROOT)).read_bytes() == notebook.read_bytes()


def test_the_wheel_holds_only_the_runtime_and_its_metadata(built):
    members = zipfile.ZipFile(wheel_of(built)).namelist()
    dist_info = f"nnlabs-{nnlabs.__version__}.dist-info"
    assert {m.split("/")[0] for m in members} == {"nnlabs", dist_info}
    assert not [m for m in members if m.endswith((".pyc", ".ipynb"))]


def test_the_wheel_depends_on_numpy_and_matplotlib_with_nbgrader_optional(built):
    metadata = zipfile.ZipFile(wheel_of(built)).read(
        f"nnlabs-{nnlabs.__version__}.dist-info/METADATA").decode()
    requires = [line.split(": ", 1)[1] for line in metadata.splitlines()
                if line.startswith("Requires-Dist: ")]
    assert [r.split(">")[0] for r in requires if ";" not in r] == ["numpy", "matplotlib"]
    assert [r for r in requires if ";" in r] and all(
        r.startswith("nbgrader") and 'extra == "validate"' in r for r in requires if ";" in r)


def test_the_wheel_is_reproducible(built, tmp_path):
    assert handout.build_wheel(tmp_path).read_bytes() == wheel_of(built).read_bytes()


def test_the_readme_names_the_wheel_and_the_commands(built):
    readme = (built / "README.md").read_text()
    for needed in (wheel_of(built).name, "python -m nnlabs check", "nbgrader validate",
                   "release_assignment", "JupyterHub"):
        assert needed in readme


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
             for alias in node.names}
    return names | {node.module for node in ast.walk(tree)
                    if isinstance(node, ast.ImportFrom) and node.module and not node.level}


def test_the_runtime_imports_nothing_of_the_instructor_side():
    runtime = Path(nnlabs.__file__).parent
    offending = {str(path.relative_to(runtime)): sorted(name for name in imported_modules(path)
                                                        if name.split(".")[0] in INSTRUCTOR_SIDE)
                 for path in runtime.rglob("*.py")}
    assert not {path: names for path, names in offending.items() if names}


def test_no_answer_ships(built):
    assert answers_search.find_answers(built) == []


KINDS = ["a solution of", "alternative", "the reference code"]


@pytest.mark.parametrize("kind", KINDS)
def test_the_search_knows_answers_of_every_kind_in_every_lab(kind):
    origins = answers_search.answer_lines().values()
    assert {lab for lab in LAB_MODULES if any(kind in o and lab in o for o in origins)} \
        == set(LAB_MODULES)


def plant(wheel: Path, line: str) -> None:
    """Add ``line`` to the runtime's incell.py inside ``wheel``."""
    with zipfile.ZipFile(wheel) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members["nnlabs/incell.py"] += f"\n# {line}\n".encode()
    with zipfile.ZipFile(wheel, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


@pytest.mark.parametrize("kind", KINDS)
def test_an_answer_planted_in_the_wheel_is_found(built, tmp_path, kind):
    line = next(line for line, origin in answers_search.answer_lines().items() if kind in origin)
    copy = tmp_path / "handout"
    shutil.copytree(built, copy)
    plant(wheel_of(copy), line)
    assert [hit for hit in answers_search.find_answers(copy) if repr(line) in hit]


def test_a_handout_carrying_an_answer_is_not_written(tmp_path, monkeypatch):
    runtime = tmp_path / "nnlabs"
    shutil.copytree(handout.RUNTIME, runtime, ignore=shutil.ignore_patterns("__pycache__"))
    line = next(line for line, origin in answers_search.answer_lines().items()
                if "a solution of" in origin)
    with (runtime / "checks" / "__init__.py").open("a") as module:
        module.write(f"# {line}\n")
    monkeypatch.setattr(handout, "RUNTIME", runtime)
    out = tmp_path / "out"
    with pytest.raises(handout.AnswerInHandout, match="not written"):
        handout.write_handout(out)
    assert not out.exists()


# --------------------------------------------------------------------------- alone


@pytest.fixture(scope="module")
def alone(built, tmp_path_factory) -> Path:
    """A fresh virtual environment outside the repository with only the wheel installed (and
    what pip installs for it); its interpreter."""
    venv = tmp_path_factory.mktemp("alone") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    str(wheel_of(built))], check=True, cwd=venv)
    return python


def run(python: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run([str(python), *args], capture_output=True, text=True, cwd=cwd,
                          env=env | {"MPLBACKEND": "Agg"})


@pytest.mark.slow
@pytest.mark.parametrize("package", ["reference", "autograder", "solutions"])
def test_alone_the_instructor_side_is_not_importable(alone, tmp_path, package):
    result = run(alone, "-c", f"import {package}", cwd=tmp_path)
    assert "ModuleNotFoundError" in result.stderr


TABLES = """
import json, sys
from nnlabs.notebook import cells_to_run, read_notebook
from pathlib import Path
namespace = {"__name__": "__main__"}
for cell in cells_to_run(read_notebook(Path(sys.argv[1]))):
    exec(compile(cell.source, f"<cell {cell.name}>", "exec"), namespace)
for question in sys.argv[2:]:
    exec(f"check({question!r})", namespace)
"""


def notebooks(lab: str, tmp_path: Path) -> dict[str, Path]:
    """The lab's solution, its released stub and its first catalogued mistake, as files
    outside the repository."""
    mistake = next(v for v in load_catalogue(lab) if v.is_mistake)
    paths = {}
    for kind, notebook in (("solution", load_notebook(lab)), ("stub", load_notebook(lab, "labs")),
                           ("mistake", apply_variant(load_notebook(lab), mistake))):
        path = tmp_path / kind / notebook_path(lab).name
        path.parent.mkdir()
        path.write_bytes(as_file(notebook))
        paths[kind] = path
    return paths


@pytest.mark.slow
@pytest.mark.parametrize("lab", LAB_MODULES)
def test_alone_the_tables_under_the_test_cells_are_the_full_courses(alone, tmp_path, lab):
    questions = [q.id for q in load_lab(lab)]
    for kind, path in notebooks(lab, tmp_path).items():
        there = run(alone, "-c", TABLES, str(path), *questions, cwd=tmp_path)
        here = run(Path(sys.executable), "-c", TABLES, str(path), *questions, cwd=tmp_path)
        assert there.returncode == 0, there.stderr
        assert there.stdout == here.stdout, kind
        if kind == "stub":
            assert all(f"{q}: 0 /" in there.stdout for q in questions)
        if kind == "solution":
            assert "[FAIL]" not in there.stdout


@pytest.mark.slow
@pytest.mark.parametrize("lab", LAB_MODULES)
def test_alone_the_self_check_prints_and_exits_as_the_course_check(alone, tmp_path, lab):
    statuses = {}
    for kind, path in notebooks(lab, tmp_path).items():
        there = run(alone, "-m", "nnlabs", "check", str(path), cwd=tmp_path)
        here = run(Path(sys.executable), "-m", "autograder", "check", str(path), cwd=tmp_path)
        assert (there.stdout, there.returncode) == (here.stdout, here.returncode), kind
        statuses[kind] = there.returncode
    assert statuses == {"solution": 0, "stub": 1, "mistake": 1}


@pytest.mark.slow
def test_alone_a_catalogued_mistake_is_named_as_in_the_full_course(alone, tmp_path):
    mistake = next(v for v in load_catalogue("lab03") if v.is_mistake and v.feedback)
    path = tmp_path / "lab03_activations.ipynb"
    path.write_bytes(as_file(apply_variant(load_notebook("lab03"), mistake)))
    there = run(alone, "-m", "nnlabs", "check", str(path), cwd=tmp_path)
    assert mistake.feedback in there.stdout
