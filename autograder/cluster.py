"""Grading on a Dask cluster: each submission is one task on a Dask worker.

    python -m autograder grade PATH... --cluster tcp://HOST:8786   # an existing scheduler
    python -m autograder grade PATH... --cluster local:N           # N local worker processes

The grading command (the *client*) reads every notebook and sends its bytes, with the
grading seed (one for the whole run) and the limits, as one task per submission, keeping
twice as many tasks in flight as the cluster has threads (so that what the client and
the scheduler hold stays the same however large the class). A Dask
worker grades it exactly as ``--jobs`` does, with the batch grader's own sandboxed worker
process (:mod:`autograder.sandbox`): student code never runs in the Dask worker's process.
What comes back is the record as JSON text, so only plain data reaches the client, which
alone writes results, CSV, feedback and the gradebook.

Faults: when a Dask worker dies mid-run, the scheduler runs its tasks again on another
worker; each task has a key of its own and its result is taken once, so no submission is
lost or recorded twice. A task whose Dask workers died more than ``allowed-failures``
times (``distributed.scheduler.allowed-failures``, the scheduler's) is recorded once with
that error, not retried more, and the others are graded. A submission whose own code ends
its sandbox never takes the Dask worker with it: it is recorded once, with its error, as
with ``--jobs``. A scheduler that has no worker for Dask's connect time-out (at the start
or mid-run), or that the client loses, ends the run with a clear error, before anything is
written.

Dask is imported by this module alone, which the grading command imports only for
``--cluster``: grading without it needs no Dask.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import dask
from dask.utils import parse_timedelta
from distributed import Client, Future, KilledWorker, LocalCluster, as_completed

from autograder import confine
from autograder.batch import Submission, grade_guarded, unseen_by_all
from autograder.record import Record
from autograder.runner import grading_seed
from autograder.sandbox import Limits
from nnlabs.notebook import NotebookError, notebook_bytes

LOCAL = re.compile(r"local:(\d+)")
# Dask's statistical profiler samples every worker thread's stack 100 times a second: a
# tenth of the grading work again, for a profile nobody reads here.
LOCAL_WORKERS = {"distributed.worker.profile.enabled": False}


class ClusterError(Exception):
    """The cluster cannot grade: no scheduler at the address, no worker, a worker without
    the course. Nothing has been written when it is raised."""


@contextmanager
def connect(where: str) -> Iterator[Client]:
    """A client of the cluster ``where`` names: ``local:N`` starts N worker processes here
    (one task at a time each) for as long as the client is open; anything else is a
    scheduler's address. Waits at most Dask's connect time-out
    (``distributed.comm.timeouts.connect``) for the scheduler and for a first worker."""
    seconds = parse_timedelta(dask.config.get("distributed.comm.timeouts.connect"))
    local = LOCAL.fullmatch(where)
    cluster = None
    if local:
        if int(local.group(1)) < 1:
            raise ClusterError("local:N needs at least one worker (local:2, say)")
        with dask.config.set(LOCAL_WORKERS):
            cluster = LocalCluster(n_workers=int(local.group(1)), threads_per_worker=1,
                                   processes=True, dashboard_address=None)
    try:
        try:
            client = Client(cluster if cluster is not None else where, timeout=seconds)
        except (OSError, ValueError) as exc:
            raise ClusterError(f"cannot reach the Dask scheduler at {where} ({exc}): "
                               "nothing was graded") from None
        try:
            try:
                client.wait_for_workers(1, timeout=seconds)
            except TimeoutError:
                raise ClusterError(f"the Dask scheduler at {where} has no worker after "
                                   f"{seconds:g} s: nothing was graded") from None
            yield client
        finally:
            client.close()
    finally:
        if cluster is not None:
            cluster.close()


def unconfined_workers(client: Client) -> list[str]:
    """The addresses of the cluster's workers that cannot confine a sandboxed worker."""
    return sorted(address for address, able in client.run(confine.available).items()
                  if not able)


@dataclass(frozen=True)
class Task:
    """One submission as a Dask worker grades it: ``content`` is its notebook's bytes (None
    when it has a ``problem`` and is not graded), ``unseen`` what its code must not see."""

    submission: Submission
    lab: str | None
    content: bytes | None
    limits: Limits | None
    unseen: tuple[Path, ...]
    seed: int


def grade_task(task: Task) -> str:
    """On a Dask worker: the task's record, as JSON text."""
    return json.dumps(grade_guarded(task.submission, task.lab, task.limits, task.unseen,
                                    task.seed, task.content).to_json())


def _task(submission: Submission, lab: str | None, limits: Limits | None,
          unseen: tuple[Path, ...], seed: int) -> Task:
    """The task for ``submission``, its notebook read here; a notebook that cannot be read
    is a submission with that problem, recorded as grading it here would."""
    content = None
    if not submission.problem:
        try:
            content = notebook_bytes(submission.path)
        except NotebookError as exc:
            submission = replace(submission, problem=str(exc))
    return Task(submission, lab, content, limits, unseen, seed)


def _lost(task: Task, killed: KilledWorker) -> Record:
    """The record of a submission whose task took down every Dask worker that ran it: as
    many as the scheduler allows (``distributed.scheduler.allowed-failures``), plus one."""
    deaths = killed.allowed_failures + 1
    reason = (f"not graded: {deaths} Dask worker{'s' if deaths > 1 else ''} died while "
              "grading it, and the scheduler gave it up")
    return Record.crashed(task.submission.name, task.lab, reason, task.seed,
                          [*task.submission.flags, reason + ": look at the Dask workers' logs"])


class _Watch(threading.Thread):
    """Watches the cluster while tasks run: when the scheduler has had no worker for
    ``seconds``, says so in ``reason`` and cancels the run's futures (``futures``, by key,
    as they are then), so that waiting on them ends (a run would otherwise wait for a
    worker forever)."""

    def __init__(self, client: Client, futures: dict[str, Future], seconds: float) -> None:
        super().__init__(daemon=True, name="nnlabs-cluster-watch")
        self.client, self.futures, self.seconds = client, futures, seconds
        self.reason = ""
        self.done = threading.Event()

    def run(self) -> None:
        alone_since = None
        while not self.done.wait(min(1.0, self.seconds / 4)):
            try:
                workers = self.client.scheduler_info(n_workers=1)["workers"]
            except Exception:  # noqa: BLE001 - a lost scheduler ends the run by itself
                return
            now = time.monotonic()
            alone_since = None if workers else alone_since or now
            if alone_since is not None and now - alone_since >= self.seconds:
                self.reason = f"the Dask scheduler has had no worker for {self.seconds:g} s"
                self.client.cancel(list(self.futures.values()))
                return


def grade_on_cluster(client: Client, submissions: list[Submission], lab: str | None = None,
                     limits: Limits | None = None,
                     on_done: Callable[[Record], None] | None = None,
                     unseen: Sequence[Path] = (), seed: int | None = None) -> list[Record]:
    """Grade every submission on ``client``'s cluster, one task each; results in input
    order, the records :func:`autograder.batch.grade_all` gives.

    Raises :class:`ClusterError` when a worker cannot run the task at all (the course
    missing there, say), when the connection to the scheduler is lost, or when the
    scheduler has had no worker for Dask's connect time-out: the run's records are then
    not returned, so nothing is written.
    """
    seed = grading_seed() if seed is None else seed
    everyone = tuple(unseen_by_all(submissions, unseen))
    run = uuid.uuid4().hex
    records: list[Record | None] = [None] * len(submissions)
    queue = iter(range(len(submissions)))
    live: dict[str, Future] = {}  # submitted, result not taken yet
    given: dict[str, tuple[int, Task]] = {}
    waiting = as_completed()

    def submit_more() -> None:
        """Keep twice as many tasks in flight as the cluster has threads, no more: a
        notebook is read, and its task sent, only when a worker is about to need it, so
        that what the client and the scheduler hold does not grow with the class."""
        room = 2 * max(1, sum(client.nthreads().values())) - len(live)
        for i in itertools.islice(queue, max(0, room)):
            task = _task(submissions[i], lab, limits, everyone, seed)
            future = client.submit(grade_task, task, key=f"nnlabs-grade-{run}-{i}",
                                   pure=False)
            live[future.key], given[future.key] = future, (i, task)
            waiting.add(future)

    watch = _Watch(client, live, parse_timedelta(
        dask.config.get("distributed.comm.timeouts.connect")))
    watch.start()
    try:
        submit_more()
        for future in waiting:
            i, task = given.pop(future.key)
            del live[future.key]
            try:
                record = Record.from_json(json.loads(future.result()))
            except KilledWorker as killed:
                record = _lost(task, killed)
            except Exception as exc:  # noqa: BLE001 - the worker could not run the task
                left = sum(r is None for r in records)
                if watch.reason:
                    raise ClusterError(f"{watch.reason}, {left} of {len(records)} submissions "
                                       "not graded: nothing was written") from None
                if client.status != "running":
                    raise ClusterError(f"the connection to the Dask scheduler was lost, {left} "
                                       f"of {len(records)} submissions not graded: nothing was "
                                       "written") from None
                raise ClusterError(f"a Dask worker could not grade {submissions[i].name}: "
                                   f"{type(exc).__name__}: {exc}; nothing was written") from None
            records[i] = record
            if on_done:
                on_done(record)
            submit_more()
    finally:
        watch.done.set()
        if client.status == "running":
            client.cancel(list(live.values()))
    return records
