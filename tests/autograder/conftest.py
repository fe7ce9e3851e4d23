"""Fixtures more than one test module uses: headless Chromium, and a graded class's report."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import pytest

from autograder.batch import find_submissions, grade_all
from autograder.catalogue import (
    apply_variant,
    as_file,
    load_catalogue,
    load_notebook,
    write_class,
)
from autograder.class_report import read_records, write_report
from autograder.report import write_json
from nnlabs.notebook import is_test_cell

CHROMIUM = Path("/usr/bin/chromium")
LAB = "lab03"
# Students of the graded class and what each hands in (a catalogue variant's name).
CLASS = {"ada": "solution", "ben": "stub", "cy": "sigmoid-backward-without-dout",
         "dee": "sigmoid-backward-without-dout", "eli": "relu-backward-greater-or-equal",
         "fay": "mse-without-the-average", "gus": "softmax-over-the-batch-axis",
         "=1+<b>hal": "tanh-backward-one-minus-s-squared", "ivy": "no-test-cell"}


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium under Playwright; skips where either is missing."""
    api = pytest.importorskip("playwright.sync_api",
                              reason="playwright is not installed (pip install playwright)")
    if not CHROMIUM.exists() or shutil.which(str(CHROMIUM)) is None:
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    with api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                              args=["--no-sandbox"])
        yield chromium
        chromium.close()


def handed_in(what: str) -> bytes:
    """The notebook a student of :data:`CLASS` hands in."""
    solution = load_notebook(LAB)
    if what == "solution":
        return as_file(solution)
    if what == "stub":
        return as_file(load_notebook(LAB, "labs"))
    if what == "no-test-cell":  # the solution with its first test cell deleted: a flag
        notebook = copy.deepcopy(solution)
        first = next(i for i, c in enumerate(notebook["cells"]) if is_test_cell(c))
        del notebook["cells"][first]
        return as_file(notebook)
    (variant,) = [v for v in load_catalogue(LAB) if v.name == what]
    return as_file(apply_variant(solution, variant))


@pytest.fixture(scope="module")
def graded_report(tmp_path_factory) -> dict:
    """:data:`CLASS` and a truncated file, graded by the batch grader, and their report:
    ``records`` (as the JSON holds them), ``page`` and ``out``."""
    root = tmp_path_factory.mktemp("class")
    files = {name: handed_in(what) for name, what in CLASS.items()}
    files["jo"] = files["ada"][:4000]
    write_class(root / "submitted", LAB, files)
    records = grade_all(find_submissions([root / "submitted"]), LAB, jobs=2)
    write_json(root / "results.json", records)
    page = write_report(read_records([root / "results.json"]), root / "report",
                        [root / "submitted"], ["results.json"])
    records = json.loads((root / "results.json").read_text())["submissions"]
    return {"records": records, "page": page, "out": root / "report", "root": root}
