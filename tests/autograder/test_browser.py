"""A student in JupyterLab: a real server, headless Chromium driven by Playwright.

The server is ``make lab`` itself (JupyterLab from the course directory, the students' setup in
``jupyter/``), pointed with ``LAB_DIR`` at a folder holding two copies of lab 03's release: one
half done (``sigmoid`` right, ``sigmoid_backward`` a catalogued mistake, the rest stubs) and one
with every answer typed in, so the committed ``labs/`` stay as they are. The screenshots go to
``build/test_browser/``. Skipped where Playwright or Debian's ``chromium`` is missing (the
``browser`` fixture is in ``conftest.py``);
``.ci/run`` installs both.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator

import pytest

from autograder.catalogue import (
    apply_variant,
    as_file,
    load_catalogue,
    load_notebook,
    typed_into_release,
)
from autograder.release import ROOT

NOTEBOOK = "lab03_activations.ipynb"
MISTAKE = "sigmoid-backward-without-dout"
SCREENSHOTS = ROOT / "build" / "test_browser"
pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, server: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"jupyter lab exited with status {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"jupyter lab did not answer {url} within {seconds:g} s")


def half_done() -> dict:
    """The release with the first two answers typed in: sigmoid right, sigmoid_backward the
    catalogued mistake that forgets ``dout``."""
    (mistake,) = [v for v in load_catalogue("lab03") if v.name == MISTAKE]
    return typed_into_release("lab03", apply_variant(load_notebook("lab03"), mistake), keep=2)


@pytest.fixture(scope="module")
def lab_url(tmp_path_factory) -> Iterator[str]:
    """``make lab`` on a folder holding ``half/`` and ``done/``; yields the server's URL with
    ``{}`` for the path of a notebook."""
    folder = tmp_path_factory.mktemp("labs")
    for name, notebook in [("half", half_done()),
                           ("done", typed_into_release("lab03", load_notebook("lab03")))]:
        (folder / name).mkdir()
        (folder / name / NOTEBOOK).write_bytes(as_file(notebook))
    port, token = free_port(), secrets.token_hex(16)
    flags = (f"--no-browser --port={port} --IdentityProvider.token={token} "
             "--LabApp.expose_app_in_browser=True")
    server = subprocess.Popen(["make", "--no-print-directory", "lab", f"LAB_DIR={folder}",
                               f"LAB_FLAGS={flags}"], cwd=ROOT, start_new_session=True,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_up(f"{base}/api/status?token={token}", server)
        yield f"{base}/lab/tree/{{}}?reset&token={token}"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def open_notebook(browser, url: str):
    """A page with the notebook open, its kernel idle."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(url)
    page.wait_for_function(
        "() => window.jupyterapp?.shell.currentWidget?.sessionContext"
        "?.session?.kernel?.status === 'idle'", timeout=120_000)
    return page


# Each test cell of the open notebook: its grade id, its outputs' text as the page shows it.
TEST_CELLS = """() => window.jupyterapp.shell.currentWidget.content.widgets
    .map((cell, index) => ({index, nbgrader: cell.model.getMetadata('nbgrader') || {},
                            text: cell.model.type === 'code' ? cell.outputArea.node.textContent
                                                             : ''}))
    .filter(c => c.nbgrader.grade && !c.nbgrader.solution)
    .map(c => ({index: c.index, id: c.nbgrader.grade_id, text: c.text}))"""


FIRST_DEMO_CELL = """() => window.jupyterapp.shell.currentWidget.content.widgets
    .findIndex(cell => (cell.model.getMetadata('tags') || []).includes('demo'))"""


def screenshot(page, cell_index: int, name: str, block: str = "center") -> None:
    """The page with the cell at ``cell_index`` scrolled to the ``block`` of the view."""
    page.evaluate("([i, block]) => window.jupyterapp.shell.currentWidget.content.widgets[i]"
                  ".node.scrollIntoView({block})", [cell_index, block])
    page.wait_for_timeout(500)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


@pytest.fixture(scope="module")
def half_done_page(browser, lab_url):
    """The half-done notebook open, its kernel idle."""
    page = open_notebook(browser, lab_url.format(f"half/{NOTEBOOK}"))
    yield page
    page.close()


@pytest.fixture(scope="module")
def half_done_run(half_done_page) -> tuple:
    """The half-done notebook after Run All: the page and its test cells by grade id."""
    page = half_done_page
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_function(f"() => ({TEST_CELLS})().every(c => c.text.length > 0)",
                           timeout=240_000)
    page.wait_for_function("() => window.jupyterapp.shell.currentWidget.sessionContext"
                           ".session.kernel.status === 'idle'", timeout=60_000)
    cells = {c["id"]: c for c in page.evaluate(TEST_CELLS)}
    screenshot(page, cells["test_sigmoid"]["index"], "1-sigmoid-passes")
    screenshot(page, cells["test_sigmoid_backward"]["index"], "2-sigmoid-backward-mistake")
    screenshot(page, cells["test_tanh"]["index"], "3-tanh-below")
    screenshot(page, max(c["index"] for c in cells.values()), "4-last-test-cell")
    screenshot(page, page.evaluate(FIRST_DEMO_CELL), "5-first-demo-cell", block="end")
    return page, cells


def test_run_all_shows_the_pass_line_under_the_correct_functions_test_cell(half_done_run):
    _, cells = half_done_run
    assert "[PASS] sigmoid matches the reference on a small example (1/1)" in \
        cells["test_sigmoid"]["text"]


def test_run_all_shows_the_mistakes_named_feedback_under_its_test_cell(half_done_run):
    _, cells = half_done_run
    text = cells["test_sigmoid_backward"]["text"]
    assert "[FAIL]" in text and "multiply by dout" in text


def test_run_all_reaches_every_test_cell_below_the_unfinished_functions(half_done_run):
    _, cells = half_done_run
    below = [c for c in cells.values() if c["id"] not in ("test_sigmoid", "test_sigmoid_backward")]
    assert len(below) >= 10
    assert [c["id"] for c in below if "points (visible checks)" not in c["text"]] == []


def test_run_all_shows_one_line_naming_the_stubs_under_a_demo_cell(half_done_run):
    page, _ = half_done_run
    text = page.evaluate(f"""() => window.jupyterapp.shell.currentWidget.content
        .widgets[({FIRST_DEMO_CELL})()].outputArea.node.textContent""")
    assert text.startswith("implement tanh, tanh_backward, relu")
    assert text.endswith("above to see this experiment\n") and "Error" not in text


def test_no_jupyter_news_pop_up_covers_the_notebook(half_done_page):
    page = half_done_page
    page.wait_for_timeout(3000)  # JupyterLab asks a moment after the page is up
    assert page.get_by_text("official Jupyter news").count() == 0


@pytest.mark.parametrize("command", ["nbgrader:open-formgrader", "nbgrader:open-create-assignment",
                                     "nbgrader:open-course-list"])
def test_instructor_tools_are_not_offered_to_students(half_done_page, command):
    assert not half_done_page.evaluate(f"window.jupyterapp.commands.hasCommand('{command}')")


def test_nbgraders_assignment_list_is_available(half_done_page):
    assert half_done_page.evaluate(
        "window.jupyterapp.commands.hasCommand('nbgrader:open-assignment-list')")


def test_nbgraders_validate_button_passes_a_finished_notebook(browser, lab_url):
    page = open_notebook(browser, lab_url.format(f"done/{NOTEBOOK}"))
    page.locator(".validate-button").first.click()
    verdict = page.get_by_text("Success! Your notebook passes all the tests.")
    verdict.first.wait_for(timeout=180_000)
    assert verdict.count() >= 1
    page.close()
