"""A student in JupyterLab: a real server, headless Chromium driven by Playwright.

The server is ``make lab`` itself (JupyterLab from the course directory,
nbgrader's extensions on), pointed with ``LAB_DIR`` at a copy of lab 03 with
a student's correct answers typed in, so the committed ``labs/`` stay as they
are. Skipped where Playwright or Debian's ``chromium`` is
missing; ``.ci/run`` installs both.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from autograder.catalogue import as_file, load_notebook, typed_into_release
from autograder.release import ROOT

CHROMIUM = Path("/usr/bin/chromium")
NOTEBOOK = "lab03_activations.ipynb"
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


@pytest.fixture(scope="module")
def lab_url(tmp_path_factory) -> Iterator[str]:
    """``make lab`` on a folder holding the notebook; yields the notebook's URL."""
    folder = tmp_path_factory.mktemp("labs")
    (folder / NOTEBOOK).write_bytes(as_file(typed_into_release("lab03", load_notebook("lab03"))))
    port, token = free_port(), secrets.token_hex(16)
    flags = (f"--no-browser --port={port} --IdentityProvider.token={token} "
             "--LabApp.expose_app_in_browser=True")
    server = subprocess.Popen(["make", "--no-print-directory", "lab", f"LAB_DIR={folder}",
                               f"LAB_FLAGS={flags}"], cwd=ROOT, start_new_session=True,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_up(f"{base}/api/status?token={token}", server)
        yield f"{base}/lab/tree/{NOTEBOOK}?token={token}"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


@pytest.fixture(scope="module")
def sync_api():
    """Playwright's sync API, with Debian's Chromium to drive; skips where either is missing."""
    api = pytest.importorskip("playwright.sync_api",
                              reason="playwright is not installed (pip install playwright)")
    if not CHROMIUM.exists() or shutil.which(str(CHROMIUM)) is None:
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    return api


@pytest.fixture(scope="module")
def notebook_page(sync_api, lab_url):
    """The notebook open in headless Chromium, its kernel idle."""
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=["--no-sandbox"])
        page = browser.new_page()
        page.goto(lab_url)
        page.wait_for_function(
            "() => window.jupyterapp?.shell.currentWidget?.sessionContext"
            "?.session?.kernel?.status === 'idle'", timeout=120_000)
        yield page
        browser.close()


def test_running_all_cells_shows_a_visible_checks_result(notebook_page):
    notebook_page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    passed = notebook_page.locator(
        ".jp-OutputArea-output",
        has_text="[PASS] sigmoid matches the reference on a small example (1/1)")
    passed.first.wait_for(timeout=180_000)
    assert passed.count() == 1


def test_nbgraders_validate_button_passes_the_notebook(notebook_page):
    notebook_page.locator(".validate-button").first.click()
    verdict = notebook_page.get_by_text("Success! Your notebook passes all the tests.")
    verdict.first.wait_for(timeout=180_000)
    assert verdict.count() >= 1


def test_nbgraders_assignment_list_is_available(notebook_page):
    assert notebook_page.evaluate(
        "window.jupyterapp.commands.hasCommand('nbgrader:open-assignment-list')")
