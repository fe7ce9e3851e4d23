"""A student's code in a separate, resource-limited worker process.

The worker (:mod:`autograder.worker`) is started from a private scratch
directory in isolated mode with limits on CPU time, address space, file size,
processes and core dumps, in a session of its own (so signals it sends to its
process group cannot reach the grader), with a minimal environment (no grading
seed) and one BLAS thread. As root on Linux it is confined
(:mod:`autograder.confine`): a uid of its own, no capabilities, no network,
every file read-only but a small work tmpfs, and the project, the other
submissions and the outputs out of sight; it is then forked from a fork server
(:mod:`autograder.forkserver`) that has imported numpy once, and confines
itself in the same way before it answers. The grader enforces wall-clock
limits itself: a worker that does not answer in time is killed, with every
process of its uid. A worker that dies, hangs or exits fails the question it
was in; the next call starts a fresh worker and runs the notebook's cells
again. ``docs/SECURITY.md`` has the threat model.
"""

from __future__ import annotations

import inspect
import json
import os
import resource
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from autograder import confine
from autograder import worker as worker_module
from nnlabs import plain
from nnlabs.notebook import Cell
from nnlabs.plain import FRAME_LENGTHS, MAX_FRAME_BYTES, MAX_HEADER_BYTES, decode, encode
from nnlabs.student import Student, StudentError

PROJECT = Path(__file__).resolve().parent.parent  # reference/, solutions/, the checks
PASSED_ENV = ("PATH", "LANG", "LC_ALL", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


@dataclass(frozen=True)
class Limits:
    cell_seconds: float = 10.0      # wall clock for one notebook cell (demo cells are skipped)
    call_seconds: float = 10.0      # wall clock for one call of a student function
    submission_seconds: float = 120.0  # wall clock for grading one submission
    cpu_seconds: int = 300          # CPU time for a whole worker
    memory_bytes: int = 3 * 2**30   # address space
    file_bytes: int = 16 * 2**20    # largest file the worker may write
    disk_bytes: int = 64 * 2**20    # all the worker's files together (confined workers only)
    processes: int = 1              # tasks of the worker's uid: 1 = no fork, no thread


class WorkerDied(Exception):
    """The worker exited, was killed, or broke the protocol."""


def launch(limits: Limits, unseen: Sequence[Path] = (),
           control: socket.socket | None = None) -> tuple[Path, subprocess.Popen]:
    """A scratch directory and, started from it, a worker process, confined when
    :func:`autograder.confine.available` (hiding the project and ``unseen``) and limited; or
    with ``control`` (the server's end of a socket pair; root only), a fork server
    (:mod:`autograder.forkserver`), confined the same way but root, which forks the workers
    and limits each."""
    scratch = Path(tempfile.mkdtemp(prefix="nnlabs-worker-"))
    scratch.chmod(0o755)  # traversable by the worker's uid, writable by root only
    script = scratch / "worker.py"
    shutil.copyfile(worker_module.__file__, script)
    (scratch / "nnlabs").mkdir()
    (scratch / "nnlabs" / "__init__.py").touch()
    shutil.copyfile(plain.__file__, scratch / "nnlabs" / "plain.py")
    copied = [script, *(scratch / "nnlabs").iterdir()]
    if control is not None:  # the server confines its children with this module's code
        shutil.copyfile(confine.__file__, scratch / "confine.py")
        copied.append(scratch / "confine.py")
    for path in copied:
        path.chmod(0o644)
    (scratch / "nnlabs").chmod(0o755)
    work = scratch / "work"
    work.mkdir()
    site_packages = Path(np.__file__).resolve().parent.parent
    interpreter = Path(os.path.realpath(sys.executable))
    env = {k: os.environ[k] for k in PASSED_ENV if k in os.environ}
    confinement = None
    if confine.available():
        prefix = Path(sys.base_prefix).resolve()
        views = {prefix: scratch / "python", site_packages: scratch / "site-packages"}
        for view in views.values():
            view.mkdir()
        confinement = confine.Confinement([PROJECT, *unseen], views, work, limits.disk_bytes,
                                          confine.own_uid())
        interpreter = views[prefix] / interpreter.relative_to(prefix)
        site_packages = views[site_packages]
        env["LD_LIBRARY_PATH"] = str(views[prefix] / "lib")  # before an absolute RUNPATH
    env.update(HOME=str(work), TMPDIR=str(work), PYTHONNOUSERSITE="1",
               PYTHONHASHSEED="0", MPLBACKEND="Agg", MPLCONFIGDIR=str(work),
               OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    command = [str(interpreter), "-I", "-S", str(script), str(site_packages)]
    if control is not None:
        setting = {"disk_bytes": limits.disk_bytes,
                   "rlimits": [list(pair) for pair in rlimits(limits)]}
        process = subprocess.Popen(
            [*command, str(control.fileno()), json.dumps(setting)], stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=work, env=env,
            start_new_session=True, pass_fds=[control.fileno()],
            preexec_fn=confinement.enter_server)
        return scratch, process

    def enter() -> None:
        """In the child before exec: the confinement, then the resource limits (which
        anyone may lower; the confinement forks, which the process limit may forbid)."""
        if confinement is not None:
            confinement.enter()
        for kind, value in rlimits(limits):
            resource.setrlimit(kind, (value, value))

    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, cwd=work, env=env,
                               start_new_session=True, preexec_fn=enter)
    return scratch, process


def rlimits(limits: Limits) -> list[tuple[int, int]]:
    """The resource limits of a worker: CPU time, address space, file size, no core dump,
    its tasks."""
    return [(resource.RLIMIT_CPU, limits.cpu_seconds),
            (resource.RLIMIT_AS, limits.memory_bytes),
            (resource.RLIMIT_FSIZE, limits.file_bytes), (resource.RLIMIT_CORE, 0),
            (resource.RLIMIT_NPROC, limits.processes)]


class Worker:
    """One worker process and the pipe protocol to it: where workers run as a uid of
    their own (the grader is root), forked by a fork server (:mod:`autograder.forkserver`),
    which spares each the start-up of Python and numpy; else started afresh."""

    def __init__(self, limits: Limits, unseen: Sequence[Path] = ()) -> None:
        self.limits = limits
        self.scratch: Path | None = None
        if confine.own_uid():
            from autograder import forkserver

            self.scratch, self.process = forkserver.fork_worker(limits, unseen)
            self.uid = confine.worker_uid(self.process.pid)
        else:
            self.scratch, self.process = launch(limits, unseen)
            self.uid = None

    def request(self, message: dict, seconds: float) -> dict:
        """Send a request and wait at most ``seconds`` for the reply."""
        try:
            self.process.stdin.write(encode(message))
            self.process.stdin.flush()
        except (BrokenPipeError, OSError):
            raise WorkerDied("the worker process had exited") from None
        frame = self._read_frame(time.monotonic() + seconds)
        try:
            reply = decode(frame)
        except Exception as exc:  # noqa: BLE001 - a corrupt reply is a dead worker
            raise WorkerDied(f"the worker sent a corrupt reply ({exc})") from None
        if not isinstance(reply, dict) or "ok" not in reply:
            raise WorkerDied("the worker sent a reply that is not a reply")
        return reply

    def _read_frame(self, deadline: float) -> bytearray:
        """One reply: its two lengths, then the rest straight into a buffer of the announced
        size, so that every byte is copied once however large the reply (and nothing past
        the frame is read)."""
        lengths = bytearray(FRAME_LENGTHS.size)
        self._fill(memoryview(lengths), deadline)
        header_len, payload_len = FRAME_LENGTHS.unpack(lengths)
        if header_len > MAX_HEADER_BYTES or payload_len > MAX_FRAME_BYTES:
            self.kill()
            raise WorkerDied(f"the worker announced a reply of "
                             f"{len(lengths) + header_len + payload_len} bytes, over the "
                             f"{MAX_FRAME_BYTES // 2**20} MB limit")
        frame = bytearray(len(lengths) + header_len + payload_len)
        frame[:len(lengths)] = lengths
        self._fill(memoryview(frame)[len(lengths):], deadline)
        return frame

    def _fill(self, view: memoryview, deadline: float) -> None:
        """Read from the worker into all of ``view`` by ``deadline``."""
        fd = self.process.stdout.fileno()
        while len(view):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.kill()
                raise TimeoutError
            ready, _, _ = select.select([fd], [], [], remaining)
            if not ready:
                continue
            count = os.readv(fd, [view])
            if not count:
                try:  # let it finish exiting, so that its status is its own, not our kill
                    self.process.wait(timeout=2)
                except subprocess.TimeoutExpired:
                    pass
                self.kill()
                raise WorkerDied(self._death())
            view = view[count:]

    def _death(self) -> str:
        code = self.process.wait()
        if code < 0:
            name = signal.Signals(-code).name
            if name == "SIGXCPU":
                return f"it used more than {self.limits.cpu_seconds} s of CPU time"
            return f"the worker was killed by {name} (out of memory, or a crash?)"
        return f"the worker exited with status {code} (sys.exit or os._exit?)"

    def kill(self) -> None:
        """Kill the worker, its process group and, when confined, every process of its uid.
        (A worker limited to one task has none: the kernel refuses its uid a second one,
        so there is nothing to look for in ``/proc``, which costs 10 ms on a busy machine.)"""
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait()
        if self.uid is not None and self.limits.processes > 1:
            confine.reap(self.uid)

    def close(self) -> None:
        self.kill()
        for stream in (self.process.stdin, self.process.stdout):
            try:
                stream.close()
            except OSError:
                pass
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)


def cell_error(cell: Cell, reported: object) -> dict:
    """An error the worker reported for ``cell``, as strings whatever it sent (the worker
    runs the student's code, which may have rewritten the worker itself)."""
    entry = reported if isinstance(reported, dict) else {}
    return {"cell": str(entry.get("cell", cell.name)), "type": str(entry.get("type", "Error")),
            "message": str(entry.get("message", reported))[:2000],
            "traceback": str(entry.get("traceback", ""))[:4000]}


class WorkerStudent(Student):
    """The student's notebook, executed in a worker; calls go over the pipe.

    ``unseen`` names paths the student's code must not see (other submissions,
    the outputs), besides the project itself, which is always unseen.
    ``cell_errors`` lists what went wrong while the cells ran (each a dict with
    the cell, the error type and message); ``events``, in plain sentences, the
    calls that hung, killed the worker or returned what is not plain data. A
    dead worker is replaced on the next call by a fresh one that runs the cells
    again.

    The submission's wall clock (``Limits.submission_seconds``) starts here and
    bounds everything: each cell, each call, and the cells run again for a fresh
    worker are cut short when it runs out, and from then on nothing more runs
    (a call raises a ``StudentError`` of kind ``"OutOfTime"``).
    """

    def __init__(self, cells: list[Cell], limits: Limits | None = None,
                 unseen: Sequence[Path] = ()) -> None:
        self.cells = cells
        self.limits = limits or Limits()
        self.unseen = unseen
        self.cell_errors: list[dict] = []
        self.events: list[str] = []
        self._worker: Worker | None = None
        self._deadline = time.monotonic() + self.limits.submission_seconds

    def __enter__(self) -> WorkerStudent:
        self._start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._worker is not None:
            self._worker.close()
            self._worker = None

    def out_of_time(self) -> str:
        """'' while the submission has time left; then the sentence that says it has none."""
        if time.monotonic() < self._deadline:
            return ""
        return f"the submission used up its {self.limits.submission_seconds:g} s"

    def _seconds(self, wanted: float) -> float:
        """``wanted``, or what is left of the submission's time if that is less."""
        return min(wanted, self._deadline - time.monotonic())

    def _exec_message(self, cells: list[Cell], seconds: float) -> dict:
        return {"op": "exec", "cells": [[c.name, c.source] for c in cells],
                "cell_timeout": seconds}

    def _start(self) -> None:
        """A fresh worker with the notebook's cells executed, one request per cell."""
        self._respawn([])
        errors = []
        for index, cell in enumerate(self.cells):
            seconds = self._seconds(self.limits.cell_seconds)
            if seconds <= 0:
                later = len(self.cells) - index - 1
                errors.append({"cell": cell.name, "type": "OutOfTime", "traceback": "",
                               "message": f"not run, nor the {later} cells after it: "
                                          f"{self.out_of_time()}" if later else
                                          f"not run: {self.out_of_time()}"})
                break
            try:
                reply = self._worker.request(self._exec_message([cell], seconds), seconds + 5)
                found = reply["value"] if reply["ok"] else [reply["error"]]
                if not isinstance(found, list):
                    found = [{"type": "Tampering",
                              "message": "the cell changed how its process answers the grader"}]
                found = [cell_error(cell, e) for e in found]
            except TimeoutError:
                found = [{"cell": cell.name, "type": "Timeout", "traceback": "",
                          "message": f"did not finish within {seconds:g} s and was stopped"}]
                self._respawn(self.cells[:index])
            except WorkerDied as death:
                found = [{"cell": cell.name, "type": "WorkerDied", "traceback": "",
                          "message": str(death)}]
                self._respawn(self.cells[:index])
            if self.out_of_time():  # a time-out then is the submission's, not the cell's
                found = [dict(e, type="OutOfTime", message=f"stopped: {self.out_of_time()}")
                         if e["type"] == "Timeout" else e for e in found]
            errors.extend(found)
        self.cell_errors = errors

    def _respawn(self, cells: list[Cell]) -> None:
        """A fresh worker that has run ``cells`` again (their errors are already recorded),
        as far as the submission's time allows."""
        self.close()
        self._worker = Worker(self.limits, self.unseen)
        seconds = self._seconds(self.limits.cell_seconds * (len(cells) + 1))
        if cells and seconds > 0:
            try:
                self._worker.request(self._exec_message(cells, self._seconds(
                    self.limits.cell_seconds)), seconds)
            except (TimeoutError, WorkerDied):
                self.close()
                self._worker = Worker(self.limits, self.unseen)

    def call(self, name: str, args: tuple, kwargs: dict, return_args: bool = False) -> Any:
        return self._request(name, {"op": "call", "name": name, "args": list(args),
                                    "kwargs": kwargs, "return_args": return_args})

    def run(self, probe: Callable[..., Any], *args: Any) -> Any:
        return self._request(probe.__name__, {
            "op": "probe", "name": probe.__name__, "source": inspect.getsource(probe),
            "args": list(args)})

    def _request(self, name: str, message: dict) -> Any:
        """``message`` answered by the worker within the call's time (and the submission's),
        starting a fresh worker first if the last one died."""
        if self._worker is None or self._worker.process.poll() is not None:
            self._start()
        seconds = self._seconds(self.limits.call_seconds)
        if seconds <= 0:
            raise StudentError(name, "OutOfTime", f"was not run: {self.out_of_time()}")
        try:
            reply = self._worker.request({**message, "timeout": seconds}, seconds + 2)
        except TimeoutError:
            self.close()
            if self.out_of_time():
                raise StudentError(name, "OutOfTime",
                                   f"was stopped: {self.out_of_time()}") from None
            self._event(f"`{name}` did not return within {seconds:g} s "
                        "and its process was stopped")
            raise StudentError(name, "Timeout", f"did not return within {seconds:g} s") from None
        except WorkerDied as death:
            self.close()
            self._event(f"`{name}` ended its process: {death}")
            raise StudentError(name, "WorkerDied", str(death)) from None
        if reply["ok"]:
            return reply["value"]
        error = reply["error"] if isinstance(reply["error"], dict) else {}
        if error.get("type") == "Timeout" and self.out_of_time():
            raise StudentError(name, "OutOfTime", f"was stopped: {self.out_of_time()}")
        if error.get("type") == "NotPlainData":
            self._event(f"`{name}` {error.get('message')}, which the grader does not accept")
        if error.get("type") == "Timeout":
            self._event(f"`{name}` {error.get('message')}")
        raise StudentError(name, str(error.get("type"))[:100], str(error.get("message"))[:2000],
                           str(error.get("traceback", ""))[:4000])

    def _event(self, sentence: str) -> None:
        if sentence not in self.events:
            self.events.append(sentence)
