"""Grading on a Dask cluster (``grade --cluster``): a real ``dask scheduler`` and two real
``dask worker`` processes on 127.0.0.1, started and stopped here, against ``--jobs 2``."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from autograder import confine
from autograder.catalogue import as_file, broken_class, honest_class, write_class
from autograder.catalogue.hostile import exits

pytestmark = pytest.mark.slow

DASK = Path(sys.executable).parent / "dask"
SECONDS = 60  # the most any one step here may take
ENV = {**os.environ, "NNLABS_GRADING_SEED": "4711251304813619",
       "DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "5s"}
HOSTILE = ("os-exit-in-a-cell", "os-exit-in-a-function", "kills-its-own-process-group",
           *(("signals-the-grader",) if confine.own_uid() else ()))


def wait_until(condition, what: str) -> None:
    deadline = time.monotonic() + SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} within {SECONDS} s")
        time.sleep(0.05)


class Processes:
    """Dask's own command-line processes, each logging to a file; all stopped by ``stop``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.started: list[subprocess.Popen] = []

    def start(self, *args: str, **env: str) -> subprocess.Popen:
        log = (self.folder / f"{args[0]}-{len(self.started)}.log").open("wb")
        process = subprocess.Popen([str(DASK), *args], stdout=log, stderr=log,
                                   env={**ENV, **env})
        self.started.append(process)
        return process

    def scheduler(self, **env: str) -> tuple[str, Path]:
        """A scheduler on 127.0.0.1 (``env``: its Dask settings); its address and file."""
        scheduler_file = self.folder / f"scheduler-{len(self.started)}.json"
        self.start("scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                   "--scheduler-file", str(scheduler_file), **env)
        wait_until(lambda: scheduler_file.exists() and scheduler_file.stat().st_size,
                   "the scheduler wrote no address")
        return json.loads(scheduler_file.read_text())["address"], scheduler_file

    def worker(self, scheduler_file: Path) -> subprocess.Popen:
        return self.start("worker", "--scheduler-file", str(scheduler_file), "--nthreads", "1",
                          "--no-nanny", "--no-dashboard", "--host", "127.0.0.1",
                          "--death-timeout", "30")

    def stop(self) -> None:
        for process in self.started:
            process.terminate()
        for process in self.started:
            try:
                process.wait(timeout=1)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A scheduler and two one-thread workers, no nanny (a killed worker stays dead)."""
    distributed = pytest.importorskip("distributed")
    processes = Processes(tmp_path_factory.mktemp("dask"))
    try:
        address, scheduler_file = processes.scheduler()
        for _ in range(2):
            processes.worker(scheduler_file)
        with distributed.Client(address, timeout=SECONDS) as client:
            client.wait_for_workers(2, timeout=SECONDS)
            yield {"address": address, "file": scheduler_file, "processes": processes,
                   "client": client}
    finally:
        processes.stop()


@pytest.fixture(scope="module")
def class_folder(tmp_path_factory):
    """A dozen lab-03 submissions: honest ones from the catalogue, an infinite loop, a
    truncated file, and code that ends its own sandbox."""
    honest = honest_class("lab03")
    chosen = ["solution", "stub", "half-done", *list(honest)[3::12][:3]]
    attacks = {a.name: a for a in exits()}
    folder = tmp_path_factory.mktemp("class") / "submitted"
    broken = broken_class("lab03")
    write_class(folder, "lab03", {**{name: as_file(honest[name]) for name in chosen},
                                  "infinite-loop": broken["infinite-loop"],
                                  "truncated-file": broken["truncated-file"],
                                  **{name: attacks[name].make() for name in HOSTILE}})
    return folder


def grade(folder: Path, out: Path, *options: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autograder", "grade", str(folder),
                           "--seconds", "2", "--json", str(out), *options],
                          env={**ENV, **env}, capture_output=True, text=True,
                          timeout=SECONDS * 3)


def records(out: Path) -> list[dict]:
    return json.loads(out.read_text())["submissions"]


@pytest.fixture(scope="module")
def local_records(class_folder, tmp_path_factory):
    out = tmp_path_factory.mktemp("local") / "results.json"
    assert grade(class_folder, out, "--jobs", "2").returncode == 0
    return records(out)


@pytest.fixture(scope="module")
def cluster_records(class_folder, cluster, tmp_path_factory):
    out = tmp_path_factory.mktemp("cluster") / "results.json"
    done = grade(class_folder, out, "--cluster", cluster["address"])
    assert done.returncode == 0, done.stderr
    return records(out)


def test_the_cluster_gives_the_records_jobs_2_gives(cluster_records, local_records):
    assert cluster_records == local_records


def test_the_class_is_graded_in_full_and_with_its_hostile_submissions(local_records):
    assert {r["submission"] for r in local_records} >= {"solution", "infinite-loop", *HOSTILE}


def test_a_submission_that_ends_its_sandbox_is_recorded_once_with_its_error(cluster_records):
    mine = [r for r in cluster_records if r["submission"] == "os-exit-in-a-cell"]
    assert len(mine) == 1 and any("ended the process" in flag for flag in mine[0]["flags"])


def test_a_local_cluster_gives_the_records_jobs_2_gives(class_folder, local_records, tmp_path):
    done = grade(class_folder, tmp_path / "results.json", "--cluster", "local:2")
    assert done.returncode == 0, done.stderr
    assert records(tmp_path / "results.json") == local_records


def test_a_worker_killed_mid_run_loses_no_submission_and_records_none_twice(
        cluster, class_folder, local_records, tmp_path):
    client = cluster["client"]
    before = set(client.scheduler_info()["workers"])
    victim = cluster["processes"].worker(cluster["file"])
    wait_until(lambda: len(client.scheduler_info()["workers"]) == len(before) + 1,
               "the third worker did not join")
    (address,) = set(client.scheduler_info()["workers"]) - before
    out = tmp_path / "results.json"
    grading = subprocess.Popen([sys.executable, "-m", "autograder", "grade", str(class_folder),
                                "--seconds", "2", "--json", str(out), "--cluster",
                                cluster["address"]], env=ENV, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    try:
        wait_until(lambda: client.processing().get(address), "no task reached the third worker")
        os.kill(victim.pid, signal.SIGKILL)
        killed_mid_run = grading.poll() is None
        _, stderr = grading.communicate(timeout=SECONDS * 3)
    finally:
        grading.kill()
    assert killed_mid_run and grading.returncode == 0, stderr
    graded = records(out)
    assert Counter(r["submission"] for r in graded) == Counter(
        r["submission"] for r in local_records)
    assert graded == local_records


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_an_unreachable_scheduler_is_a_clear_error_before_anything_is_graded(
        class_folder, tmp_path):
    pytest.importorskip("distributed")
    address = f"tcp://127.0.0.1:{free_port()}"
    done = grade(class_folder, tmp_path / "results.json", "--cluster", address,
                 DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT="1s")
    assert (done.returncode, done.stdout) == (2, "")
    assert f"cannot reach the Dask scheduler at {address}" in done.stderr
    assert not (tmp_path / "results.json").exists()


def test_grading_without_a_cluster_imports_no_dask(class_folder, tmp_path):
    notebook = class_folder / "solution" / "lab03_activations" / "lab03_activations.ipynb"
    script = ("import sys\nfrom autograder.cli import main\n"
              f"main(['grade', {str(notebook)!r}, '--jobs', '1'])\n"
              "print(sorted(m for m in sys.modules if m.split('.')[0] in "
              "('dask', 'distributed')))\n")
    done = subprocess.run([sys.executable, "-c", script], env=ENV, capture_output=True,
                          text=True, timeout=SECONDS, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "[]"


@pytest.fixture
def processes(tmp_path):
    """Dask processes of one test, stopped after it."""
    started = Processes(tmp_path)
    try:
        yield started
    finally:
        started.stop()


def grading_in_background(folder: Path, out: Path, address: str,
                          **env: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "autograder", "grade", str(folder),
                             "--seconds", "2", "--json", str(out), "--cluster", address],
                            env={**ENV, **env}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def worker_busy(client, address: str) -> None:
    wait_until(lambda: client.processing().get(address), "no task reached the worker")


def test_a_submission_whose_dask_workers_die_too_often_is_recorded_once_with_the_error(
        processes, class_folder, local_records, tmp_path):
    distributed = pytest.importorskip("distributed")
    # No retry: each task the victim holds when it dies is given up.
    address, scheduler_file = processes.scheduler(
        DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES="0")
    with distributed.Client(address, timeout=SECONDS) as client:
        victim = processes.worker(scheduler_file)
        client.wait_for_workers(1, timeout=SECONDS)
        (victim_address,) = client.scheduler_info()["workers"]
        out = tmp_path / "results.json"
        grading = grading_in_background(class_folder, out, address)
        try:
            worker_busy(client, victim_address)
            os.kill(victim.pid, signal.SIGKILL)
            for _ in range(2):
                processes.worker(scheduler_file)
            _, stderr = grading.communicate(timeout=SECONDS * 3)
        finally:
            grading.kill()
    assert grading.returncode == 0, stderr
    graded = records(out)
    given_up = {r["submission"]: r for r in graded
                if r["errors"] and "died while grading it" in r["errors"][0]}
    assert given_up, "the victim held a task when it was killed"
    assert all(r["errors"] == ["not graded: 1 Dask worker died while grading it, and the "
                               "scheduler gave it up"] for r in given_up.values())
    assert Counter(r["submission"] for r in graded) == Counter(
        r["submission"] for r in local_records)
    assert [r for r in graded if r["submission"] not in given_up] == [
        r for r in local_records if r["submission"] not in given_up]


def test_a_scheduler_without_a_worker_is_a_clear_error_before_anything_is_graded(
        processes, class_folder, tmp_path):
    pytest.importorskip("distributed")
    address, _ = processes.scheduler()
    done = grade(class_folder, tmp_path / "results.json", "--cluster", address,
                 DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT="1s")
    assert (done.returncode, done.stdout) == (2, "")
    assert f"the Dask scheduler at {address} has no worker after 1 s" in done.stderr
    assert not (tmp_path / "results.json").exists()


def test_a_cluster_that_loses_its_last_worker_mid_run_is_a_clear_error_not_a_hang(
        processes, class_folder, tmp_path):
    distributed = pytest.importorskip("distributed")
    address, scheduler_file = processes.scheduler()
    with distributed.Client(address, timeout=SECONDS) as client:
        only = processes.worker(scheduler_file)
        client.wait_for_workers(1, timeout=SECONDS)
        (only_address,) = client.scheduler_info()["workers"]
        out = tmp_path / "results.json"
        grading = grading_in_background(class_folder, out, address,
                                        DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT="2s")
        try:
            worker_busy(client, only_address)
            os.kill(only.pid, signal.SIGKILL)
            _, stderr = grading.communicate(timeout=SECONDS)
        finally:
            grading.kill()
    assert grading.returncode == 2
    assert "the Dask scheduler has had no worker for 2 s" in stderr
    assert "nothing was written" in stderr and not out.exists()


def test_a_scheduler_killed_mid_run_is_a_clear_error_and_nothing_is_written(
        processes, class_folder, tmp_path):
    distributed = pytest.importorskip("distributed")
    address, scheduler_file = processes.scheduler()
    with distributed.Client(address, timeout=SECONDS) as client:
        processes.worker(scheduler_file)
        client.wait_for_workers(1, timeout=SECONDS)
        (busy,) = client.scheduler_info()["workers"]
        out = tmp_path / "results.json"
        grading = grading_in_background(class_folder, out, address,
                                        DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT="2s")
        try:
            worker_busy(client, busy)
            processes.started[0].kill()
            _, stderr = grading.communicate(timeout=SECONDS)
        finally:
            grading.kill()
    assert grading.returncode == 2
    assert "the connection to the Dask scheduler was lost" in stderr
    assert "nothing was written" in stderr and not out.exists()
