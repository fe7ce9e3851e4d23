"""The sandboxed side of the batch grader: runs one student's notebook code.

This file is self-contained (standard library and numpy only) because it is
copied into the worker's scratch directory and started as
``python -I -S worker.py SITE_PACKAGES``: isolated mode, no ``site``, so
neither the project (``reference``, ``autograder``, ``solutions``) nor the
user's site-packages are importable; only the interpreter's site-packages
directory named on the command line is added, for numpy and matplotlib.

The grader and the worker exchange *plain data* only, in frames of

    u32 header length | u32 payload length | JSON header | raw array bytes

The JSON header holds numbers, strings, lists, dicts and array descriptors
(dtype, shape, byte range); arrays travel as raw bytes of a numeric dtype and
are rebuilt with ``numpy.frombuffer``. No pickle crosses, so nothing the
student returns can run code in the grader. The grader imports ``encode`` and
``decode`` from this very file, and so does the in-notebook ``check``, so both
paths see student results through the same filter.

Requests: ``{"op": "exec", "cells": [[name, source], ...], "cell_timeout": s}``
and ``{"op": "call", "name": f, "args": [...], "kwargs": {...}, "timeout": s,
"return_args": bool}`` and ``{"op": "probe", "name": f, "source": ..., "args": [...],
"timeout": s}`` (see ``_probe``); replies
``{"ok": true, "value": ...}`` or ``{"ok": false, "error": {...}}``.
"""

from __future__ import annotations

import json
import math
import os
import signal
import struct
import sys
import traceback

# The labs' largest results are a few MB. A whole message of MAX_FRAME_BYTES reaches the
# grader in about a second (read once into a buffer of its size), well within one call's
# time, and costs the grader twice that per job (the frame and the arrays decoded from it).
MAX_ARRAY_BYTES = 64 * 2**20
MAX_FRAME_BYTES = 2 * MAX_ARRAY_BYTES  # a whole message; the grader reads no more
MAX_HEADER_BYTES = 16 * 2**20  # its JSON part: numbers in lists, strings, descriptors
NUMERIC_KINDS = "biufc"
FRAME_LENGTHS = struct.Struct("<II")


class PlainDataError(TypeError):
    """A value that cannot cross: not a number, string, numeric array or container of them."""


def encode(value: object) -> bytes:
    """Serialize plain data to one frame; raise PlainDataError for anything else."""
    import numpy as np

    blobs: list[bytes] = []
    offset = 0

    def enc(v: object, depth: int = 0) -> object:
        nonlocal offset
        if depth > 20:
            raise PlainDataError("a value nested more than 20 levels deep")
        if v is None or isinstance(v, (bool, str)):
            return v
        if isinstance(v, (np.ndarray, np.generic)):  # before float: np.float64 is a float
            array = np.asarray(v)  # a base-class ndarray, whatever a subclass overrides
            if array.dtype.kind not in NUMERIC_KINDS:
                raise PlainDataError(f"an array of dtype {array.dtype}, not a numeric dtype")
            if array.nbytes > MAX_ARRAY_BYTES:
                raise PlainDataError(f"an array of {array.nbytes} bytes, over the limit")
            if offset + array.nbytes > MAX_FRAME_BYTES:
                raise PlainDataError(f"a value of more than {MAX_FRAME_BYTES} bytes in all, "
                                     "over the limit")
            blobs.append(array.tobytes())
            start, offset = offset, offset + array.nbytes
            return {"__nd__": [start, offset], "dtype": array.dtype.str,
                    "shape": list(array.shape), "scalar": isinstance(v, np.generic)}
        if isinstance(v, int):
            return {"__int__": str(v)} if abs(v) > 2**53 else v
        if isinstance(v, float):
            return v if math.isfinite(v) else {"__float__": repr(v)}
        if isinstance(v, (list, tuple)):
            items = [enc(x, depth + 1) for x in v]
            return {"__tuple__": items} if isinstance(v, tuple) else items
        if isinstance(v, dict) and all(isinstance(k, str) for k in v):
            return {"__dict__": {k: enc(x, depth + 1) for k, x in v.items()}}
        raise PlainDataError(f"a {type(v).__name__}, not a number or a numpy array")

    header = json.dumps(enc(value)).encode()
    if len(header) > MAX_HEADER_BYTES:
        raise PlainDataError(f"lists or strings of {len(header)} bytes, over the limit "
                             "(a large result should be a numpy array)")
    payload = b"".join(blobs)
    return FRAME_LENGTHS.pack(len(header), len(payload)) + header + payload


def decode(frame: bytes) -> object:
    """Rebuild plain data from a frame, trusting nothing in it."""
    import numpy as np

    if len(frame) < FRAME_LENGTHS.size:
        raise PlainDataError("a truncated frame")
    header_len, payload_len = FRAME_LENGTHS.unpack_from(frame)
    if len(frame) != FRAME_LENGTHS.size + header_len + payload_len:
        raise PlainDataError("a frame whose length does not match its header")
    if header_len > MAX_HEADER_BYTES:
        raise PlainDataError("a frame whose header is over the limit")
    header = json.loads(frame[FRAME_LENGTHS.size:FRAME_LENGTHS.size + header_len])
    payload = memoryview(frame)[FRAME_LENGTHS.size + header_len:]

    def dec(v: object) -> object:
        if isinstance(v, list):
            return [dec(x) for x in v]
        if not isinstance(v, dict):
            return v
        if "__tuple__" in v:
            return tuple(dec(x) for x in v["__tuple__"])
        if "__dict__" in v:
            return {str(k): dec(x) for k, x in v["__dict__"].items()}
        if "__int__" in v:
            return int(v["__int__"])
        if "__float__" in v:
            return float(v["__float__"])
        if "__nd__" in v:
            dtype = np.dtype(v["dtype"])
            if dtype.kind not in NUMERIC_KINDS or dtype.hasobject:
                raise PlainDataError(f"an array of dtype {dtype}")
            start, stop = (int(x) for x in v["__nd__"])
            shape = tuple(int(n) for n in v["shape"])
            if min(shape, default=1) < 0 or not 0 <= start <= stop <= len(payload):
                raise PlainDataError("an array descriptor out of range")
            if math.prod(shape) * dtype.itemsize != stop - start:
                raise PlainDataError("an array whose shape does not match its bytes")
            array = np.frombuffer(payload[start:stop], dtype=dtype).reshape(shape).copy()
            return array[()] if v.get("scalar") else array
        raise PlainDataError("an unknown value descriptor")

    return dec(header)


def read_frame(stream) -> bytes | None:
    """One frame from a binary stream, or None at end of stream."""
    head = stream.read(FRAME_LENGTHS.size)
    if len(head) < FRAME_LENGTHS.size:
        return None
    header_len, payload_len = FRAME_LENGTHS.unpack(head)
    body = stream.read(header_len + payload_len)
    if len(body) < header_len + payload_len:
        return None
    return head + body


class CellTimeout(BaseException):
    """Raised by the alarm inside a cell that runs too long."""


def _on_alarm(signum, frame):
    raise CellTimeout


def student_traceback(exc: BaseException) -> str:
    """The last frames of ``exc``'s traceback that are notebook code: cells compiled here as
    ``<cell NAME>``, or by IPython in a kernel. Never the grader's frames or numpy's."""
    def is_notebook(filename: str) -> bool:
        return filename.startswith(("<cell", "<ipython-input")) or "/ipykernel_" in filename

    frames = [f for f in traceback.extract_tb(exc.__traceback__) if is_notebook(f.filename)]
    return "".join(traceback.format_list(frames[-5:]))[-4000:]


def _describe(exc: BaseException) -> dict:
    """The error as the student should see it: type, message, their own frames only."""
    return {"type": type(exc).__name__, "message": str(exc)[:2000],
            "traceback": student_traceback(exc)}


def strip_magics(source: str) -> str:
    """IPython magics and shell escapes are not Python: they become ``pass``."""
    return "\n".join("pass  # " + line if line.lstrip().startswith(("%", "!")) else line
                     for line in source.splitlines())


class Watch:
    """What the notebook must leave alone: every attribute of builtins, numpy,
    numpy.testing, numpy.linalg and the stand-in autograder, as they were at start.

    Changing them cannot change a grade (the checks run in the grader's process),
    but a notebook that does so is trying something an instructor should know about.
    What this reports is a hint: the student's code can patch this class too, which
    the grader's own reading of the source (``autograder.tampering``) names.
    """

    MODULES = ("builtins", "numpy", "numpy.testing", "numpy.linalg", "autograder")

    def __init__(self) -> None:
        import importlib

        self._modules = {name: importlib.import_module(name) for name in self.MODULES}
        self._original = {(name, attr): value for name, module in self._modules.items()
                          for attr, value in list(vars(module).items())}
        self._reported: set = set()

    def changed(self) -> list:
        """``module.attribute`` names replaced or deleted since the start, each once."""
        missing = object()
        keys = [key for key, value in self._original.items() if key not in self._reported
                and vars(self._modules[key[0]]).get(key[1], missing) is not value]
        self._reported.update(keys)
        return [".".join(key) for key in keys]


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
        raise NameError(f"the notebook defines no function {name!r}")
    signal.setitimer(signal.ITIMER_REAL, request["timeout"])
    try:
        result = function(*args, **kwargs)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    return {"result": result, "args": args} if request.get("return_args") else result


def _stand_in_autograder():
    """What ``from autograder import check, implemented`` finds here: the notebooks import
    them, but the real package (with its hidden checks) is out of reach, and neither test
    cells nor demo cells (the ones ``implemented`` guards) are run."""
    import types

    module = types.ModuleType("autograder", "stand-in: the grader runs the checks itself")
    module.check = lambda *args, **kwargs: None
    module.implemented = lambda *functions: False
    return module


def _probe(namespace: dict, request: dict) -> object:
    """Run a check's probe beside the student's code: ``probe(namespace, *args)``.

    A probe is a self-contained function from a lab module (numpy and builtins
    only) that exercises what a plain call cannot, such as the student's
    classes or a function taking callbacks, and returns plain data.
    """
    import numpy

    scope = {"np": numpy, "__name__": "probe"}
    exec(compile(request["source"], "<probe>", "exec"), scope)
    signal.setitimer(signal.ITIMER_REAL, request["timeout"])
    try:
        return scope[request["name"]](namespace, *request.pop("args"))
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def serve(site_packages: str) -> None:
    """Answer requests on the original stdout until stdin closes."""
    sys.path.append(site_packages)
    requests = os.fdopen(os.dup(0), "rb")
    replies = os.fdopen(os.dup(1), "wb")
    # Student prints go nowhere; the protocol owns the duplicated descriptors.
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    signal.signal(signal.SIGALRM, _on_alarm)
    sys.modules["autograder"] = _stand_in_autograder()
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


if __name__ == "__main__":
    serve(sys.argv[1])
