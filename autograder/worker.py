"""The sandboxed side of the batch grader: runs one student's notebook code.

This file needs only the standard library, numpy and :mod:`nnlabs.plain` (the
plain-data format, self-contained too): the grader copies both into the
worker's scratch directory (``nnlabs/plain.py`` beside ``worker.py``) and starts
``python -I -S worker.py SITE_PACKAGES``: isolated mode, no ``site``, so neither
the project (``reference``, ``autograder``, ``solutions``) nor the user's
site-packages are importable; only the interpreter's site-packages directory
named on the command line is added, for numpy and matplotlib.

The grader and the worker exchange plain data only (:mod:`nnlabs.plain`): no
pickle crosses, so nothing the student returns can run code in the grader.

Requests: ``{"op": "exec", "cells": [[name, source], ...], "cell_timeout": s}``
and ``{"op": "call", "name": f, "args": [...], "kwargs": {...}, "timeout": s,
"return_args": bool}`` and ``{"op": "probe", "name": f, "source": ..., "args": [...],
"timeout": s}`` (see ``_probe``); replies
``{"ok": true, "value": ...}`` or ``{"ok": false, "error": {...}}``.
"""

from __future__ import annotations

import os
import signal
import sys

if __name__ == "__main__":  # in the scratch directory, beside its copy of nnlabs/plain.py
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from nnlabs.plain import (  # noqa: E402
    NotDefined,
    PlainDataError,
    decode,
    encode,
    read_frame,
    strip_magics,
    student_traceback,
)


class CellTimeout(BaseException):
    """Raised by the alarm inside a cell that runs too long."""


def _on_alarm(signum, frame):
    raise CellTimeout


def _describe(exc: BaseException) -> dict:
    """The error as the student should see it: type, message, their own frames only."""
    return {"type": type(exc).__name__, "message": str(exc)[:2000],
            "traceback": student_traceback(exc)}


class Watch:
    """What the notebook must leave alone: every attribute of builtins, numpy,
    numpy.testing, numpy.linalg and the stand-in runtime, as they were at start, or (a
    module not imported yet) as its first import left it, before the code that imported
    it goes on: importing numpy.testing costs a third of a worker's start-up, and most
    notebooks never import it.

    Changing them cannot change a grade (the checks run in the grader's process),
    but a notebook that does so is trying something an instructor should know about.
    What this reports is a hint: the student's code can patch this class too (or take
    its import hook out of ``sys.meta_path``), which the grader's own reading of the
    source (``autograder.tampering``) names.
    """

    MODULES = ("builtins", "numpy", "numpy.testing", "numpy.linalg", "nnlabs")

    def __init__(self) -> None:
        import numpy  # noqa: F401 - every reply with an array needs it: imported at start

        self._modules: dict = {}
        self._original: dict = {}
        self._reported: set = set()
        for name in self.MODULES:
            if name in sys.modules:
                self.record(name, sys.modules[name])
        sys.meta_path.insert(0, _OnFirstImport(self, set(self.MODULES) - set(self._modules)))

    def record(self, name: str, module: object) -> None:
        """Take ``module``'s attributes as they are now for the ones it must keep."""
        self._modules[name] = module
        self._original[name] = dict(vars(module))

    def changed(self) -> list:
        """``module.attribute`` names replaced or deleted since the start, each once."""
        missing = object()
        keys = [(name, attr) for name in self.MODULES if name in self._modules
                for attr, value in self._original[name].items()
                if (name, attr) not in self._reported
                and vars(self._modules[name]).get(attr, missing) is not value]
        self._reported.update(keys)
        return [".".join(key) for key in keys]


class _OnFirstImport:
    """An import hook (first in ``sys.meta_path``) that has :class:`Watch` record each
    of ``names`` once its first import has run it, and then leaves the import system
    alone."""

    def __init__(self, watch: Watch, names: set) -> None:
        self.watch = watch
        self.names = names

    def find_spec(self, fullname, path, target=None):
        if fullname not in self.names:
            return None
        self.names.discard(fullname)
        for finder in sys.meta_path:
            spec = None if finder is self else finder.find_spec(fullname, path, target)
            if spec is not None:
                break
        else:
            return None
        run = spec.loader.exec_module

        def run_and_record(module):
            run(module)
            self.watch.record(fullname, module)

        spec.loader.exec_module = run_and_record
        return spec


def _run_cells(namespace: dict, cells: list, cell_timeout: float, watch: Watch) -> list:
    errors = []
    for name, source in cells:
        try:
            code = compile(strip_magics(source), f"<cell {name}>", "exec")
            signal.setitimer(signal.ITIMER_REAL, cell_timeout)
            try:
                exec(code, namespace)
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
        except CellTimeout:
            errors.append({"cell": name, "type": "Timeout",
                           "message": f"did not finish within {cell_timeout:g} s",
                           "traceback": ""})
        except BaseException as exc:  # noqa: BLE001 - student code may raise anything
            errors.append({"cell": name, **_describe(exc)})
        changed = watch.changed()
        if changed:
            errors.append({"cell": name, "type": "Tampering", "traceback": "",
                           "message": "the cell replaced " + ", ".join(changed[:10])})
    return errors


def _call(namespace: dict, request: dict) -> object:
    """Call the student's function; with ``return_args``, also send back the
    arguments as the call left them, so the grader can see mutated inputs.

    The arguments are held in a tuple only, out of the request, so that the
    function cannot swap them for clean copies through its caller's frame (a
    report from this process stays a hint: the student's code can rewrite it)."""
    name, args, kwargs = request["name"], tuple(request.pop("args")), request["kwargs"]
    function = namespace.get(name)
    if not callable(function):
        raise NotDefined(name)
    signal.setitimer(signal.ITIMER_REAL, request["timeout"])
    try:
        result = function(*args, **kwargs)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    return {"result": result, "args": args} if request.get("return_args") else result


def _stand_in_runtime():
    """What ``from nnlabs import check, implemented`` finds here: the notebooks import them,
    but the checks run in the grader, and neither test cells nor demo cells (the ones
    ``implemented`` guards) are run."""
    import types

    module = types.ModuleType("nnlabs", "stand-in: the grader runs the checks itself")
    module.check = lambda *args, **kwargs: None
    module.implemented = lambda *functions: False
    return module


def _probe(namespace: dict, request: dict) -> object:
    """Run a check's probe beside the student's code: ``probe(namespace, *args)``.

    A probe is a self-contained function from a lab module (numpy, ``NotDefined``
    and builtins only) that exercises what a plain call cannot, such as the student's
    classes or a function taking callbacks, and returns plain data.
    """
    import numpy

    scope = {"np": numpy, "NotDefined": NotDefined, "__name__": "probe"}
    exec(compile(request["source"], "<probe>", "exec"), scope)
    signal.setitimer(signal.ITIMER_REAL, request["timeout"])
    try:
        return scope[request["name"]](namespace, *request.pop("args"))
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def serve(site_packages: str) -> None:
    """Answer requests on the original stdout until stdin closes."""
    sys.path.append(site_packages)
    _answer()


def _answer() -> None:
    """The requests on stdin, answered on stdout, until stdin closes."""
    requests = os.fdopen(os.dup(0), "rb")
    replies = os.fdopen(os.dup(1), "wb")
    # Student prints go nowhere; the protocol owns the duplicated descriptors.
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    signal.signal(signal.SIGALRM, _on_alarm)
    sys.modules["nnlabs"] = _stand_in_runtime()
    watch = Watch()
    namespace: dict = {"__name__": "__main__"}
    while (frame := read_frame(requests)) is not None:
        request = decode(frame)
        try:
            if request["op"] == "exec":
                value = _run_cells(namespace, request["cells"], request["cell_timeout"], watch)
            elif request["op"] == "probe":
                value = _probe(namespace, request)
            else:
                value = _call(namespace, request)
            reply = encode({"ok": True, "value": value})
        except CellTimeout:
            reply = encode({"ok": False, "error": {
                "type": "Timeout", "message": f"did not return within {request['timeout']:g} s",
                "traceback": ""}})
        except PlainDataError as exc:
            reply = encode({"ok": False, "error": {
                "type": "NotPlainData", "message": f"returned {exc}", "traceback": ""}})
        except BaseException as exc:  # noqa: BLE001
            reply = encode({"ok": False, "error": _describe(exc)})
        replies.write(reply)
        replies.flush()


READY = b"ready"  # what a forked worker says on its status pipe once it is confined


def serve_forks(site_packages: str, control_fd: int, setting: str) -> None:
    """The fork server (:mod:`autograder.forkserver`): a clean process, already confined
    as a worker is but still root, that has imported numpy once and forks one worker per
    request. It runs no student code: each child confines itself (its own mounts, network,
    work tmpfs and uid, no capability, the limits) before it answers the grader, and is
    never reused. ``setting`` (JSON) gives the size of a work tmpfs and the limits.

    Requests on the control socket (``SOCK_SEQPACKET``, one JSON message each):
    ``{"op": "spawn", "work": DIR}`` (an empty directory the grader made, which becomes
    the child's work tmpfs) with the child's stdin and stdout as two descriptors, answered
    ``{"pid": N}`` with a pidfd of the child, or ``{"error": why}``; ``{"op": "reap",
    "pid": N}`` (the child has exited or been killed), answered ``{"status": S,
    "peak_kb": K}``, its wait status and peak resident memory. The server ends when the
    control socket closes.
    """
    import json
    import socket

    sys.path.append(site_packages)
    # What workers import, once, here (numpy loads these three only when first used).
    import confine  # the copy beside this file
    import numpy.linalg  # noqa: F401
    import numpy.random  # noqa: F401
    import numpy.testing  # noqa: F401

    given = json.loads(setting)
    confinement = confine.Confinement([], {}, "", given["disk_bytes"], True)
    control = socket.socket(fileno=control_fd)
    while True:
        try:
            message, fds, _, _ = socket.recv_fds(control, 4096, 2)
        except OSError:
            return
        if not message:
            return
        request = json.loads(message)
        handed: list = []
        if request["op"] == "spawn":
            reply, handed = _fork_worker(fds, request["work"], confinement, given["rlimits"])
        else:
            _, status, usage = os.wait4(request["pid"], 0)
            reply = {"status": status, "peak_kb": usage.ru_maxrss}
        socket.send_fds(control, [json.dumps(reply).encode()], handed)
        for fd in handed:
            os.close(fd)


def _fork_worker(fds: list, work: str, confinement, rlimits: list) -> tuple:
    """A child that becomes a confined worker on ``fds`` (its stdin and stdout), in
    ``work``; its pid and a pidfd of it, or why it could not be confined."""
    import resource
    import select

    status_read, status_write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns to the server's loop
        code = 0
        try:
            os.setsid()
            for fd, target in zip((*fds, status_write), (0, 1, 2), strict=True):
                os.dup2(fd, target)
            os.closerange(3, os.sysconf("SC_OPEN_MAX"))
            _reseed()
            os.environ.update(HOME=work, TMPDIR=work, MPLCONFIGDIR=work)
            confinement.enter_forked(work)
            for kind, value in rlimits:
                resource.setrlimit(kind, (value, value))
            os.write(2, READY)
        except BaseException as exc:  # noqa: BLE001 - the worker must not start unconfined
            os.write(2, f"{type(exc).__name__}: {exc}".encode()[:2000])
            os._exit(70)
        try:
            _answer()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
        except BaseException:  # noqa: BLE001
            code = 1
        os._exit(code)
    for fd in (*fds, status_write):
        os.close(fd)
    said = b""
    with os.fdopen(status_read, "rb") as status:
        while len(said) < len(READY) and select.select([status], [], [], 30)[0]:
            chunk = os.read(status.fileno(), 2000)
            if not chunk:
                break
            said += chunk
    if said != READY:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        return {"error": said.decode(errors="replace") or "the child did not start"}, []
    return {"pid": pid}, [os.pidfd_open(pid)]


def _reseed() -> None:
    """Fresh random states in a forked child, as a fresh interpreter would have: numpy's
    global generator (seeded when the server imported it) and ``random``'s, if loaded."""
    import numpy

    numpy.random.seed()  # noqa: NPY002 - the legacy global generator is the one to renew
    if "random" in sys.modules:
        sys.modules["random"].seed()


if __name__ == "__main__":
    if len(sys.argv) > 2:
        serve_forks(sys.argv[1], int(sys.argv[2]), sys.argv[3])
    else:
        serve(sys.argv[1])
