"""Fork servers: workers forked from a clean process that has imported numpy once.

Starting Python and importing numpy is most of what a fresh worker costs (about 120 ms
of CPU, against some 50 ms for grading a lab-03 submission). Where workers run as a uid
of their own (the grader is root, :func:`autograder.confine.own_uid`), the grader instead
starts, once per confinement (the unseen paths) and limits, a fork server
(:func:`autograder.worker.serve_forks`): a worker process confined as any other (the same
mounts over the same unseen paths, read-only files, no network) but still root, which has
imported numpy and then only forks. Each child confines itself before it runs anything
else: mounts and a network of its own, its own work tmpfs, a uid of its own
(``UID_BASE`` plus its pid) without a capability, a session of its own, the worker's
resource limits, its random generators re-seeded, every descriptor but its two pipes
closed. Only then does it answer the grader, on pipes the grader made, so that the
server never sees a request or a reply.

Nothing passes from one submission to another: the server runs no student code, and
each child is forked from it afresh and never reused. The server cannot be reached from a
child: it is root (a child can neither signal nor trace it) and its control socket is
closed in every child. A child that cannot be confined says so and is never used.
"""

from __future__ import annotations

import atexit
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path

from autograder import confine
from autograder.sandbox import PROJECT, Limits, WorkerDied, launch

KEPT = 2  # servers kept ready: one per confinement in use; a new one retires the oldest
SECONDS = 60  # the most the server may take to answer


class ForkServer:
    """One fork server and its control socket; closed once retired and its last child
    has been reaped."""

    def __init__(self, limits: Limits, unseen: Sequence[Path]) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            self.scratch, self.process = launch(limits, unseen, control=theirs)
        finally:
            theirs.close()
        ours.settimeout(SECONDS)
        self.control = ours
        self.children = 0  # spawned and not reaped yet (counted under _LOCK)
        self.retired = False
        self.closed = False
        self._lock = threading.Lock()

    def ask(self, request: dict, fds: Sequence[int] = ()) -> tuple[dict, list[int]]:
        """The server's answer to ``request`` (and the descriptors it sent with it)."""
        with self._lock:
            try:
                socket.send_fds(self.control, [json.dumps(request).encode()], list(fds))
                message, received, _, _ = socket.recv_fds(self.control, 65536, 1)
            except OSError as exc:
                raise WorkerDied(f"the fork server did not answer ({exc})") from None
        if not message:
            raise WorkerDied("the fork server has exited")
        return json.loads(message), received

    def spawn(self, work: Path) -> ForkedProcess:
        """A fresh, confined worker forked by the server, its work tmpfs on the empty
        directory ``work``."""
        stdin_read, stdin_write = os.pipe()
        stdout_read, stdout_write = os.pipe()
        try:
            reply, fds = self.ask({"op": "spawn", "work": str(work)},
                                  [stdin_read, stdout_write])
        except BaseException:
            for fd in (stdin_write, stdout_read):
                os.close(fd)
            raise
        finally:
            os.close(stdin_read)
            os.close(stdout_write)
        if "error" in reply:
            for fd in (stdin_write, stdout_read):
                os.close(fd)
            raise confine.ConfinementError(0, f"a forked worker could not be confined: "
                                              f"{reply['error']}")
        return ForkedProcess(self, reply["pid"], fds[0], stdin_write, stdout_read)

    def close(self) -> None:
        """End the server (its control socket closes) and remove its scratch directory."""
        if self.closed:
            return
        self.closed = True
        self.control.close()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        shutil.rmtree(self.scratch, ignore_errors=True)


class ForkedProcess:
    """A worker forked by a :class:`ForkServer`, with what :class:`autograder.sandbox.Worker`
    uses of a ``Popen``: ``pid``, ``stdin``, ``stdout``, ``poll``, ``wait`` and
    ``returncode``. It is the server's child: the server reaps it when it has exited, so
    its pid is not reused before ``poll`` or ``wait`` has seen it end."""

    def __init__(self, server: ForkServer, pid: int, pidfd: int, stdin: int,
                 stdout: int) -> None:
        self.pid = pid
        self.returncode: int | None = None
        self.stdin = os.fdopen(stdin, "wb")
        self.stdout = os.fdopen(stdout, "rb")
        self._server = server
        self._pidfd = pidfd

    def poll(self) -> int | None:
        if self.returncode is None and select.select([self._pidfd], [], [], 0)[0]:
            self._reap()
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            if not select.select([self._pidfd], [], [], timeout)[0]:
                raise subprocess.TimeoutExpired("a forked worker", timeout)
            self._reap()
        return self.returncode

    def _reap(self) -> None:
        """Its exit status, from the server, which reaps it (it has exited)."""
        try:
            reply, _ = self._server.ask({"op": "reap", "pid": self.pid})
            self.returncode = os.waitstatus_to_exitcode(reply["status"])
            _PEAK_KB[0] = max(_PEAK_KB[0], reply["peak_kb"])
        except WorkerDied:  # the server is gone, and with it the status
            self.returncode = -signal.SIGKILL
        os.close(self._pidfd)
        _release(self._server)


_LOCK = threading.RLock()
_PEAK_KB = [0]  # the largest peak resident memory of a worker forked for this process
_SERVERS: OrderedDict[tuple, ForkServer] = OrderedDict()  # the least recently used first


def fork_worker(limits: Limits, unseen: Sequence[Path]) -> tuple[Path, ForkedProcess]:
    """A fresh worker hiding the project and ``unseen``, limited by ``limits``, forked by
    the fork server of that confinement (started first if there is none, or it died);
    and its work directory, which the caller removes once the worker has ended."""
    key = _key(limits, unseen)
    try:
        return _spawn(key)
    except WorkerDied:  # the server died since it was last seen alive: once more
        return _spawn(key)


def prepare(limits: Limits, unseen: Sequence[Path]) -> None:
    """Start the fork server :func:`fork_worker` will use for ``limits`` and ``unseen``
    now, so that it imports numpy while the grader reads the lab and the notebooks."""
    _release(_server(_key(limits, unseen)))


def _key(limits: Limits, unseen: Sequence[Path]) -> tuple:
    """What tells fork servers apart: the limits, and every path unseen (as a set: the
    same paths in any order are the same confinement)."""
    return limits, frozenset(confine.outermost([PROJECT, *unseen]))


def _spawn(key: tuple) -> tuple[Path, ForkedProcess]:
    """A worker forked by the server for ``key``, and its work directory."""
    server = _server(key)
    work = Path(tempfile.mkdtemp(prefix="nnlabs-worker-", dir=server.scratch))
    try:
        return work, server.spawn(work)
    except BaseException as exc:
        work.rmdir()
        if isinstance(exc, WorkerDied):
            _retire(key, server)
        _release(server)
        raise


def _server(key: tuple) -> ForkServer:
    """The live server for ``key`` (limits, unseen paths), counted one child more."""
    with _LOCK:
        server = _SERVERS.get(key)
        if server is None or server.process.poll() is not None:
            if server is not None:
                _retire(key, server)
            server = ForkServer(key[0], sorted(key[1]))
        _SERVERS.pop(key, None)
        _SERVERS[key] = server  # the most recently used last
        server.children += 1
        while len(_SERVERS) > KEPT:
            oldest, _ = next(iter(_SERVERS.items()))
            _retire(oldest, _SERVERS[oldest])
        return server


def _retire(key: tuple, server: ForkServer) -> None:
    """No more workers from ``server``: closed now if it has none left, else by the last."""
    with _LOCK:
        if _SERVERS.get(key) is server:
            del _SERVERS[key]
        server.retired = True
        done = not server.children
    if done:
        server.close()


def _release(server: ForkServer) -> None:
    """One child of ``server`` fewer; the last of a retired server closes it."""
    with _LOCK:
        server.children -= 1
        done = server.retired and not server.children
    if done:
        server.close()


def largest_worker_kb() -> int:
    """The peak resident memory, in KiB, of the largest worker forked for this process."""
    return _PEAK_KB[0]


@atexit.register
def close_all() -> None:
    """End every fork server of this process."""
    with _LOCK:
        servers = list(_SERVERS.values())
        _SERVERS.clear()
    for server in servers:
        server.close()
