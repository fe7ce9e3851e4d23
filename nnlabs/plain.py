"""Plain data: the only form in which values cross between a student's code and the checks.

Frames of

    u32 header length | u32 payload length | JSON header | raw array bytes

The JSON header holds numbers, strings, lists, dicts and array descriptors
(dtype, shape, byte range); arrays travel as raw bytes of a numeric dtype and
are rebuilt with ``numpy.frombuffer``. No pickle crosses, so nothing the
student returns can run code in the checks' process. The in-notebook
``check``, the recorded answers of the visible checks and the batch grader's
sandboxed worker all use this one filter, so every path sees student results
alike.

This file is self-contained (standard library and numpy only): the batch
grader copies it beside its worker, which runs where nothing else of the
course is importable.
"""

from __future__ import annotations

import json
import math
import struct
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


class NotDefined(NameError):
    """The notebook defines no function ``name`` (it was renamed, or its cell failed): raised
    where the student's namespace is looked up (the in-notebook student, the batch grader's
    worker, a check's probe). Only its type's name crosses from the worker, and that is what
    the checks' side tells it by (:meth:`nnlabs.student.StudentError.explain`)."""

    def __init__(self, name: str) -> None:
        super().__init__(f"the notebook defines no function `{name}`", name=name)


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


def student_traceback(exc: BaseException) -> str:
    """The last frames of ``exc``'s traceback that are notebook code: cells compiled here as
    ``<cell NAME>``, or by IPython in a kernel. Never the grader's frames or numpy's."""
    def is_notebook(filename: str) -> bool:
        return filename.startswith(("<cell", "<ipython-input")) or "/ipykernel_" in filename

    frames = [f for f in traceback.extract_tb(exc.__traceback__) if is_notebook(f.filename)]
    return "".join(traceback.format_list(frames[-5:]))[-4000:]


def strip_magics(source: str) -> str:
    """IPython magics and shell escapes are not Python: they become ``pass``."""
    return "\n".join("pass  # " + line if line.lstrip().startswith(("%", "!")) else line
                     for line in source.splitlines())
