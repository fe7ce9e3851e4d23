"""Run a lab's checks under pytest itself, against one notebook.

    python -m pytest -p autograder.pytest_plugin nnlabs/checks/lab03.py \\
        autograder/hidden/lab03.py --notebook path/to/lab03_activations.ipynb [--visible-only]

The checks (visible in ``nnlabs/checks/``, hidden in ``autograder/hidden/``) are plain
pytest test functions; this plugin
supplies their fixtures (``student``: the notebook's code in a sandboxed
worker; ``oracle``: the lab's answer key; ``rng``, seeded exactly as the batch grader seeds it) and
adds up the points of the checks that pass. The batch grader runs the same
functions through :mod:`autograder.runner`, without pytest's per-run start-up
cost; a test shows that both give the same score.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from autograder.oracle import ReferenceOracle
from autograder.runner import grading_seed
from autograder.sandbox import WorkerStudent
from nnlabs.expect import CheckFailed
from nnlabs.notebook import cells_to_run, read_notebook
from nnlabs.registry import QUESTIONS, Check
from nnlabs.runner import check_rng, confirmed

# The grading seed of the whole run (NNLABS_GRADING_SEED, or a fresh one), told in the summary.
SEED = pytest.StashKey[int]()


def pytest_configure(config: pytest.Config) -> None:
    config.stash[SEED] = grading_seed()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("nnlabs", "nnlabs autograder")
    group.addoption("--notebook", type=Path, help="the notebook whose code the checks grade")
    group.addoption("--visible-only", action="store_true", help="skip the hidden checks")


def _check_of(function: object) -> Check | None:
    for question in QUESTIONS.values():
        for check in question.checks:
            if check.function is function:
                return check
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--visible-only"):
        kept = [i for i in items if not getattr(_check_of(i.function), "hidden", False)]
        config.hook.pytest_deselected(items=[i for i in items if i not in kept])
        items[:] = kept


@pytest.fixture(scope="session")
def student(request: pytest.FixtureRequest):
    path = request.config.getoption("--notebook")
    if path is None:
        raise pytest.UsageError("--notebook PATH is required to grade a notebook")
    with WorkerStudent(cells_to_run(read_notebook(path))) as worker_student:
        yield worker_student


@pytest.fixture
def oracle(request: pytest.FixtureRequest) -> ReferenceOracle:
    return ReferenceOracle(Path(request.module.__file__).stem)


@pytest.fixture
def rng(request: pytest.FixtureRequest):
    return check_rng(_check_of(request.function), seed=request.config.stash[SEED])


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """A failed check's message as the batch grader gives it: a mistake named by its values
    only if a second input drawn for the check shows it too (:func:`nnlabs.runner.confirmed`)."""
    outcome = yield
    failure = call.excinfo.value if call.excinfo is not None else None
    check = _check_of(getattr(item, "function", None))
    if call.when == "call" and isinstance(failure, CheckFailed) and check is not None:
        fixtures = item.funcargs
        verdict = confirmed(failure, check, fixtures.get("student"), fixtures.get("oracle"),
                            False, item.config.stash[SEED])
        outcome.get_result().longrepr = str(verdict)


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    by_name = {(q.lab, c.name): c for q in QUESTIONS.values() for c in q.checks}
    earned = possible = 0.0
    for report in terminalreporter.getreports("passed") + terminalreporter.getreports("failed"):
        if report.when != "call":
            continue
        path, _, name = report.nodeid.partition("::")
        check = by_name.get((Path(path).stem, name))
        if check is not None:
            possible += check.points
            earned += check.points if report.passed else 0.0
    terminalreporter.write_line(f"nnlabs score: {earned:g} / {possible:g} points "
                                f"(grading seed {config.stash[SEED]})")
