"""Hostile and malformed submissions: what the batch grader must hold against.

Each :class:`Attack` is a lab-03 submission (the solution notebook, tampered
with) or raw bytes that are not a notebook at all. ``honest`` names the honest
submission it is measured against (:func:`honest_class`): the solution, or the
solution with the attacked function left as the released stub, so that the
cheating code earns nothing. ``relation`` says how the attack's score must
compare with the honest one:

``"<="``  no more (the attack may also cost the honest code its points);
``"=="``  exactly the same (the attack changed nothing, and lost nothing);
``"<"``   strictly less (it does something the checks rightly refuse).

``said`` are phrases that must appear in what the record tells the student
and the instructor: its ``errors`` and ``flags``, or (``in_feedback``) the
feedback of its questions, where a wrong answer is explained. An attack that
has no effect at all says nothing and must keep its honest score exactly.
Attacks that ``need`` ``"confinement"`` are safe, or told as they are, only
where workers are confined (:func:`autograder.confine.available`); those that
need ``"own uid"``, only where workers also run as a uid of their own (root on
Linux). Elsewhere they would reach the machine (kill every process of the
user, fill the disk, open connections), so they are not run there.

An attack is handed in as ``<student>/<where>`` under the class folder
(:func:`hand_in`): by default a student named like the attack, in nbgrader's
``lab03_activations/lab03_activations.ipynb``; the name attacks choose the
student's folder name, the layout attacks where the file goes and what it is
(a file, a hard link to the honest counterpart's notebook, a folder).
"""

from __future__ import annotations

import copy
import hashlib
import json
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from autograder import confine
from autograder.catalogue import (
    ROOT,
    Variant,
    _source,
    apply_variant,
    as_file,
    load_notebook,
    namespace_of,
)
from autograder.hidden import load_lab
from autograder.runner import run_question
from nnlabs.oracle import ReplayOracle
from nnlabs.plain import MAX_FRAME_BYTES
from nnlabs.runner import run_check
from nnlabs.student import LocalStudent

LAB = "lab03"


@dataclass(frozen=True)
class Attack:
    """One hostile submission; ``make()`` builds its file (some are large or slow to build,
    so that is left until they are written)."""

    name: str
    category: str
    make: Callable[[], bytes]
    honest: str
    relation: str
    said: tuple[str, ...]
    in_feedback: bool = False
    needs: str = ""
    student: str = ""  # the folder it is handed in under (default: the attack's name)
    where: str = ""  # its path in that folder (default: nbgrader's)
    form: str = "file"  # or "hard link" (to the honest counterpart's notebook), "folder"

    @property
    def owner(self) -> str:
        """The student the record of this attack is under."""
        return self.student or self.name


# --------------------------------------------------------------------------- building notebooks


def _code_cell(source: str) -> dict:
    return {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
            "source": textwrap.dedent(source).strip("\n") + "\n"}


def with_cell(source: str, notebook: dict | None = None) -> dict:
    """The solution (or ``notebook``) with a code cell put in right after its imports."""
    patched = copy.deepcopy(notebook or load_notebook(LAB))
    patched["cells"].insert(2, _code_cell(source))
    return patched


def with_function(name: str, source: str, notebook: dict | None = None) -> dict:
    """The solution with the definition of ``name`` replaced by ``source`` (which may
    define helpers too)."""
    return apply_variant(notebook or load_notebook(LAB),
                         Variant(name, {name: textwrap.dedent(source).strip("\n")}))


def _answer_cell(notebook: dict, grade_id: str) -> int:
    return next(i for i, c in enumerate(notebook["cells"])
                if c["metadata"].get("nbgrader", {}).get("grade_id") == grade_id)


def without(*grade_ids: str) -> dict:
    """The solution with these answer cells as the released stub has them."""
    solution, stub = load_notebook(LAB), load_notebook(LAB, "labs")
    for grade_id in grade_ids:
        solution["cells"][_answer_cell(solution, grade_id)] = copy.deepcopy(
            stub["cells"][_answer_cell(stub, grade_id)])
    return solution


def honest_class() -> dict[str, bytes]:
    """The honest submissions the attacks are measured against, and controls whose
    grades no attack may change."""
    return {"solution": as_file(load_notebook(LAB)),
            "stub": as_file(load_notebook(LAB, "labs")),
            "without-relu": as_file(without("relu")),
            "without-relu_backward": as_file(without("relu_backward"))}


def visible_answers(function: str, seed: int | None = None) -> list[tuple[list, object]]:
    """``(args, result)`` of every call the visible checks make to ``function``, on the
    solution: what a student could copy from running the visible checks. With ``seed``,
    the calls of every check, hidden and re-drawn, as grading with that seed makes them."""
    namespace = namespace_of(load_notebook(LAB))
    calls: list[tuple[list, object]] = []

    class Recorder(LocalStudent):
        def call(self, name, args, kwargs, return_args=False):
            result = super().call(name, args, kwargs, return_args)
            if name == function:
                calls.append((list(args), result["result"] if return_args else result))
            return result

    student = Recorder(namespace)
    for question in load_lab(LAB):
        if seed is not None:
            run_question(question, student, hidden=True, seed=seed)
            continue
        for check in question.visible_checks():
            run_check(check, student, ReplayOracle(LAB))
    return calls


def _key(array) -> str:
    return hashlib.sha256(array.tobytes() + str(array.dtype).encode()).hexdigest()


def hard_coded(function: str, gate: str = "True", seed: int | None = None) -> str:
    """A definition of ``function`` that looks its visible answers (with ``seed``, every
    answer grading with that seed asks for) up in a table (zeros for any other input) when
    ``gate`` holds, and raises otherwise."""
    table = {_key(args[0]): (result.tolist(), str(result.dtype), list(result.shape))
             for args, result in visible_answers(function, seed)}
    return f'''
        import hashlib as _hashlib
        import os as _os

        _ANSWERS = {table!r}

        def {function}(*args):
            if not ({gate}):
                raise NotImplementedError()
            s = np.asarray(args[0])
            key = _hashlib.sha256(s.tobytes() + str(s.dtype).encode()).hexdigest()
            values, dtype, shape = _ANSWERS.get(key, (np.zeros(s.shape).tolist(), "float64",
                                                     list(s.shape)))
            return np.array(values, dtype=dtype).reshape(shape)
        '''


def by_call_order(function: str) -> str:
    """``function`` answering the visible checks' calls in the order they come, from a
    table, and zeros after."""
    answers = [(result.tolist(), str(result.dtype)) for _, result in visible_answers(function)]
    return f'''
        _ANSWERS = {answers!r}
        _CALLS = [0]

        def {function}(*args):
            _CALLS[0] += 1
            if _CALLS[0] <= len(_ANSWERS):
                values, dtype = _ANSWERS[_CALLS[0] - 1]
                return np.array(values, dtype=dtype)
            return np.zeros(np.shape(args[0]))
        '''


# --------------------------------------------------------------------------- the attacks


def _relu(name: str, category: str, source: str, said: str, *,
          in_feedback: bool = True) -> Attack:
    """An attack that replaces ``relu``; it may earn no more than the solution without it."""
    return Attack(name, category, lambda: as_file(with_function("relu", source)),
                  "without-relu", "<=", (said,), in_feedback)


def _cell(name: str, category: str, source: str, said: tuple[str, ...], *,
          relation: str = "==", needs: str = "") -> Attack:
    """An attack in an extra cell of the full solution; the honest code keeps its points."""
    return Attack(name, category, lambda: as_file(with_cell(source)), "solution", relation,
                  said, needs=needs)


def tampering() -> list[Attack]:
    return [
        Attack("patches-numpy-comparisons", "tampering", lambda: as_file(with_cell("""
            np.allclose = lambda *args, **kwargs: True
            np.isclose = lambda a, b, *args, **kwargs: np.ones(np.shape(a), dtype=bool)
            np.array_equal = lambda *args, **kwargs: True
            np.testing.assert_allclose = lambda *args, **kwargs: None
            """, with_function("relu", "def relu(s):\n    return s"))),
            "without-relu", "<=", ("the cell replaced numpy.allclose",)),
        Attack("patches-builtins", "tampering", lambda: as_file(with_cell("""
            import builtins
            builtins.print = lambda *args, **kwargs: None
            builtins.round = lambda x, *args: 0
            builtins.sorted = lambda x, *args, **kwargs: list(x)
            """, with_function("relu", "def relu(s):\n    return s"))),
            "without-relu", "<=", ("replaced builtins.print, builtins.round, builtins.sorted",)),
        _cell("patches-the-runtime-check", "tampering", """
            import nnlabs
            nnlabs.check = lambda *args, **kwargs: 100.0
            """, ("replaced nnlabs.check",)),
        _cell("imports-the-real-grader", "tampering", f"""
            import sys
            sys.modules.pop("autograder", None)
            sys.path.insert(0, {str(ROOT)!r})
            import autograder.runner
            autograder.runner.run_check = lambda *args, **kwargs: None
            """, ("No module named 'autograder'",), needs="confinement"),
        _cell("ipython-ast-transformer", "tampering", """
            import ast
            class Pass(ast.NodeTransformer):
                pass
            get_ipython().ast_transformers.append(Pass())
            """, ("name 'get_ipython' is not defined",)),
        _cell("ipython-input-transformer", "tampering", """
            get_ipython().input_transformers_post.append(lambda lines: lines)
            """, ("name 'get_ipython' is not defined",)),
        _cell("ipython-custom-exception-handler", "tampering", """
            get_ipython().set_custom_exc((Exception,), lambda *args, **kwargs: None)
            """, ("name 'get_ipython' is not defined",)),
        Attack("forges-the-workers-replies", "tampering", lambda: as_file(with_cell("""
            import __main__
            _real_encode = __main__.encode
            __main__.encode = lambda value: _real_encode({"ok": True, "value": 48.0})
            """)), "solution", "<=", ("changed how its process answers the grader",)),
        _cell("announces-a-huge-reply", "tampering", """
            import os
            for fd in range(3, 8):
                try:
                    os.write(fd, (0).to_bytes(4, "little") + (2**32 - 1).to_bytes(4, "little"))
                    for _ in range(64):
                        os.write(fd, bytes(2**20))
                except OSError:
                    pass
            """, (f"over the {MAX_FRAME_BYTES // 2**20} MB limit",), relation="<="),
        _cell("writes-to-the-protocol-pipe", "tampering", """
            import os
            for fd in range(3, 8):
                try:
                    os.write(fd, b"\\x00\\x00\\x00\\x00\\x10\\x00\\x00\\x00{}")
                except OSError:
                    pass
            """, ("the worker sent a corrupt reply",), relation="<="),
    ]


def results() -> list[Attack]:
    return [
        _relu("claims-equality-with-everything", "results", """
            class AlwaysEqual:
                def __eq__(self, other):
                    return True
                __ne__ = lambda self, other: False

            def relu(s):
                return AlwaysEqual()
            """, "returned a AlwaysEqual, not a number or a numpy array", in_feedback=False),
        _relu("ndarray-subclass-with-overridden-methods", "results", """
            class Liar(np.ndarray):
                def __eq__(self, other):
                    return np.ones(np.shape(self), dtype=bool)
                def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
                    return np.zeros(np.shape(self))
                def tobytes(self, order="C"):
                    return b""
                def astype(self, *args, **kwargs):
                    return self

            def relu(s):
                return np.zeros(np.shape(s)).view(Liar)
            """, "expected"),
        _relu("ndarray-subclass-lying-about-its-dtype", "results", """
            class Disguised(np.ndarray):
                dtype = property(lambda self: np.dtype("float64"))

            def relu(s):
                return np.array([object()] * np.size(s), dtype=object).view(Disguised)
            """, "not a numeric dtype", in_feedback=False),
        _relu("object-array", "results", """
            def relu(s):
                return np.array([max(0.0, float(v)) for v in np.ravel(s)],
                                dtype=object).reshape(np.shape(s))
            """, "an array of dtype object", in_feedback=False),
        _relu("returns-a-list", "results", """
            def relu(s):
                return [max(0.0, float(v)) for v in np.ravel(s)]
            """, "got a list"),
        _relu("returns-nothing", "results", """
            def relu(s):
                pass
            """, "got a NoneType"),
        _relu("returns-a-string", "results", """
            def relu(s):
                return "All tests passed"
            """, "got a str"),
        _relu("returns-a-bool", "results", """
            def relu(s):
                return True
            """, "got a bool"),
        _relu("returns-nan-and-inf", "results", """
            def relu(s):
                out = np.full(np.shape(s), np.nan)
                out.flat[::2] = np.inf
                return out
            """, "nan or inf"),
        _relu("returns-a-huge-array", "results", """
            def relu(s):
                return np.zeros(300 * 2**20 // 8)
            """, "over the limit", in_feedback=False),
        _relu("returns-complex-numbers", "results", """
            def relu(s):
                return np.maximum(s, 0).astype(np.complex128)
            """, "got dtype complex128"),
        _relu("returns-the-wrong-shape", "results", """
            def relu(s):
                return np.maximum(s, 0)[np.newaxis]  # wrong whatever the shape drawn
            """, "expected shape"),
        _relu("returns-a-huge-string", "results", """
            def relu(s):
                return "0.5, " * 5_000_000
            """, "(a large result should be a numpy array)", in_feedback=False),
        _relu("raises-a-huge-message-with-terminal-escapes", "results", """
            def relu(s):
                raise ValueError("\\x1b[2J\\x1b]0;graded 48/48\\x07" + "x" * 10**7)
            """, "raised ValueError: \x1b[2J"),
        _relu("returns-a-deeply-nested-list", "results", """
            def relu(s):
                nested = 0.0
                for _ in range(50):
                    nested = [nested]
                return nested
            """, "nested more than 20 levels deep", in_feedback=False),
    ]


def exits() -> list[Attack]:
    return [
        _cell("sys-exit-in-a-cell", "exits", "import sys\nsys.exit(0)", ("SystemExit",)),
        _cell("os-exit-in-a-cell", "exits", "import os\nos._exit(0)",
              ("the worker exited with status 0",
               "cell #3 ended the process running the notebook")),
        _relu("sys-exit-in-a-function", "exits", """
            import sys

            def relu(s):
                sys.exit(1)
            """, "raised SystemExit"),
        _relu("os-exit-in-a-function", "exits", """
            import os

            def relu(s):
                os._exit(3)
            """, "`relu` ended its process: the worker exited with status 3", in_feedback=False),
        Attack("system-exit-from-del", "exits", lambda: as_file(with_function("relu", """
            class Bomb:
                def __del__(self):
                    raise SystemExit(1)

            def relu(s):
                Bomb()
                return np.maximum(s, 0)
            """)), "solution", "==", ()),
        # The first process of a pid namespace (a worker confined without root) survives it.
        _relu("kills-its-own-process-group", "exits", """
            import os
            import signal

            def relu(s):
                os.killpg(0, signal.SIGKILL)
            """, "killed by SIGKILL" if confine.own_uid() or not confine.available()
              else "got a NoneType"),
        _cell("signals-the-grader", "exits", """
            import os
            import signal
            os.kill(os.getppid(), signal.SIGKILL)
            """, ("PermissionError",), needs="own uid"),
        _cell("kills-every-process-it-can", "exits", """
            import os
            import signal
            os.kill(-1, signal.SIGKILL)
            """, (), needs="own uid"),
        _relu("ignores-the-alarm-and-loops", "exits", """
            import signal

            def relu(s):
                signal.signal(signal.SIGALRM, signal.SIG_IGN)
                while True:
                    pass
            """, "`relu` did not return within 2 s and its process was stopped",
              in_feedback=False),
    ]


def resources() -> list[Attack]:
    return [
        _cell("infinite-loop-in-a-cell", "resources", "while True:\n    pass",
              ("cell #3 did not finish and had to be stopped",)),
        _relu("infinite-loop-in-a-function", "resources", """
            def relu(s):
                while True:
                    pass
            """, "did not return within 2 s", in_feedback=False),
        _relu("sleeps", "resources", """
            import time

            def relu(s):
                time.sleep(600)
            """, "did not return within 2 s", in_feedback=False),
        _relu("deep-recursion", "resources", """
            def relu(s, depth=0):
                return relu(s, depth + 1)
            """, "raised RecursionError"),
        _relu("recursion-past-the-c-stack", "resources", """
            import sys
            sys.setrecursionlimit(10**8)

            def relu(s):
                return list(map(relu, [s]))[0]
            """, "killed by SIGSEGV", in_feedback=False),
        _cell("fork-bomb", "resources", """
            import os
            import time
            while True:
                if os.fork() == 0:
                    while True:
                        try:
                            os.fork()
                        except OSError:
                            time.sleep(0.05)
            """, ("BlockingIOError",), needs="own uid"),
        _relu("allocates-20-gb", "resources", """
            def relu(s):
                hog = np.ones(20 * 2**30 // 8)
                return np.maximum(s, 0) + 0 * hog[0]
            """, "ran out of memory (MemoryError)"),
        _cell("allocates-20-gb-in-a-cell", "resources", "hog = bytearray(20 * 2**30)",
              ("MemoryError",)),
        _cell("fills-the-disk", "resources", """
            for i in range(10**6):
                with open(f"fill-{i}", "wb") as f:
                    f.write(b"x" * 2**20)
            """, ("No space left on device",), needs="confinement"),
        _cell("writes-one-huge-file", "resources", """
            with open("huge", "wb") as f:
                for _ in range(100):
                    f.write(b"x" * 2**20)
            """, ("File too large",)),
        _cell("floods-stdout", "resources", """
            import os
            import sys
            for _ in range(20000):
                print("x" * 1000)
                sys.stderr.write("y" * 1000)
            os.write(1, b"z" * 2**20)
            """, ()),
    ]


def files(class_root: Path, outputs: Path) -> list[Attack]:
    """Reading what a student must not see, writing what they must not change.
    ``class_root`` holds the class's submissions, ``outputs`` the grader's results."""
    reads = {"reads-the-reference": ROOT / "reference" / "activations.py",
             "reads-the-solutions": ROOT / "solutions" / "lab03_activations" /
             "lab03_activations.ipynb",
             "reads-the-hidden-checks": ROOT / "autograder" / "hidden" / "lab03.py",
             "reads-the-answer-key": ROOT / "autograder" / "answers" / "lab03.py",
             "reads-the-recorded-answers": ROOT / "nnlabs" / "fixtures" / "lab03.json",
             "reads-another-submission": class_root / "solution" / "lab03_activations" /
             "lab03_activations.ipynb"}
    writes = {"writes-the-results": outputs / "results.json",
              "writes-the-grades-csv": outputs / "grades.csv",
              "writes-the-gradebook": outputs / "gradebook.db",
              "writes-another-submission": class_root / "solution" / "lab03_activations" /
              "lab03_activations.ipynb"}
    # The error names the path; whether it is missing or refused depends on where it lives.
    attacks = [_cell(name, "files", f"secret = open({str(path)!r}).read()",
                     ("Error: [Errno", str(path)), needs="confinement")
               for name, path in reads.items()]
    attacks += [_cell(name, "files", f"open({str(path)!r}, 'w').write('{{}}')",
                      ("Error: [Errno", str(path)), needs="confinement")
                for name, path in writes.items()]
    attacks += [
        _cell("lists-the-class", "files", f"""
            import glob
            assert not glob.glob({str(class_root)!r} + "/*"), "saw the class"
            """, (), needs="confinement"),
        _cell("reads-the-grading-seed", "files", """
            import os
            seed = os.environ.get("NNLABS_GRADING_SEED")
            os.chdir(f"/proc/{os.getppid()}")
            environ = open("environ").read()
            """, ("PermissionError",), needs="own uid"),
        _cell("writes-outside-its-directory", "files", "open('/tmp/nnlabs-hostile', 'w')",
              ("Read-only file system",), needs="confinement"),
        _cell("opens-a-network-connection", "files", """
            import socket
            socket.create_connection(("1.1.1.1", 80), timeout=2)
            """, ("Network is unreachable",), needs="confinement"),
    ]
    return attacks


def gaming() -> list[Attack]:
    relu_backward_mutating = with_function("relu_backward", """
        def relu_backward(dout, s):
            dout[s <= 0] = 0
            return dout
        """)
    return [
        Attack("hard-codes-the-visible-answers", "gaming",
               lambda: as_file(with_function("relu", hard_coded("relu"))), "without-relu", "<=",
               ("hard-coded",)),
        Attack("detects-grading-by-environment", "gaming", lambda: as_file(with_function(
            "relu", hard_coded("relu", gate='"nnlabs-worker" in _os.getcwd()'))),
            "without-relu", "<=", ("hard-coded",)),
        Attack("answers-by-call-order", "gaming",
               lambda: as_file(with_function("relu", by_call_order("relu"))), "without-relu",
               "<=", ("hard-coded",)),
        _relu("keeps-state-across-calls", "gaming", """
            _FIRST = []

            def relu(s):
                if not _FIRST:
                    _FIRST.append(np.maximum(s, 0))
                return _FIRST[0]
            """, "hard-coded", in_feedback=False),
        Attack("mutates-its-inputs", "gaming", lambda: as_file(relu_backward_mutating),
               "solution", "<", ("modified its input array in place",), in_feedback=True),
        Attack("prints-all-tests-passed", "gaming", lambda: as_file(with_cell("""
            print("lab03.relu: 3 / 3 points (all checks)")
            print("All tests passed")
            """, without("relu"))), "without-relu", "==", ("is not implemented yet",),
            in_feedback=True),
    ]


def _bytes_of(notebook: dict) -> Callable[[], bytes]:
    return lambda: as_file(notebook)


def _raw(content: bytes) -> Callable[[], bytes]:
    return lambda: content


def _with_huge_outputs() -> bytes:
    notebook = load_notebook(LAB)
    notebook["cells"][1]["outputs"] = [{"output_type": "stream", "name": "stdout",
                                        "text": "x" * (100 * 2**20)}]
    return as_file(notebook)


def malformed() -> list[Attack]:
    solution = load_notebook(LAB)
    text = json.dumps(solution, indent=1)
    v3 = dict(copy.deepcopy(solution), nbformat=3)
    deleted = copy.deepcopy(solution)
    del deleted["cells"][_answer_cell(deleted, "relu")]
    duplicated = copy.deepcopy(solution)
    duplicated["cells"] = [c for cell in solution["cells"] for c in (cell, copy.deepcopy(cell))]
    reordered = copy.deepcopy(solution)
    answers = [i for i, c in enumerate(solution["cells"])
               if c["metadata"].get("nbgrader", {}).get("solution")]
    for i, j in zip(answers, reversed(answers), strict=True):
        reordered["cells"][i] = copy.deepcopy(solution["cells"][j])
    retyped = copy.deepcopy(solution)
    retyped["cells"][_answer_cell(retyped, "relu")]["cell_type"] = "markdown"
    metadata = copy.deepcopy(solution)
    for cell in metadata["cells"]:
        nbgrader = cell["metadata"].get("nbgrader", {})
        if nbgrader.get("grade") and not nbgrader.get("solution"):
            nbgrader["points"], nbgrader["grade_id"] = 100, "my_" + nbgrader["grade_id"]
    untested = copy.deepcopy(solution)
    for cell in untested["cells"]:
        cell["metadata"].pop("nbgrader", None)
    renamed = copy.deepcopy(solution)
    cell = renamed["cells"][_answer_cell(renamed, "relu")]
    cell["source"] = _source(cell).replace("def relu(", "def my_relu(", 1)
    signature = with_function("relu", "def relu(s, y):\n    return np.maximum(s, 0)")
    no_imports = copy.deepcopy(solution)
    no_imports["cells"][1]["source"] = "from nnlabs import check\n"
    r_kernel = copy.deepcopy(solution)
    r_kernel["metadata"] = {"kernelspec": {"name": "ir", "display_name": "R",
                                           "language": "R"},
                            "language_info": {"name": "R"}}
    bad_source = copy.deepcopy(solution)
    bad_source["cells"][_answer_cell(bad_source, "relu")]["source"] = [1, 2, 3]
    bad_metadata = copy.deepcopy(solution)
    bad_metadata["cells"][_answer_cell(bad_metadata, "relu")]["metadata"] = ["not", "a", "dict"]
    return [
        Attack("truncated-json", "malformed", _raw(text[: len(text) // 2].encode()), "stub", "<=",
               ("was it truncated?",)),
        Attack("not-utf-8", "malformed", _raw(b"\xff\xfe" + text.encode("utf-16-le")), "stub", "<=",
               ("is not UTF-8 text",)),
        Attack("empty-file", "malformed", _raw(b""), "stub", "<=", ("is empty",)),
        Attack("notebook-format-3", "malformed", _bytes_of(v3), "stub", "<=",
               ("notebook format 3",)),
        Attack("python-file-named-ipynb", "malformed",
               _raw(b"import numpy as np\n\ndef relu(s):\n    return np.maximum(s, 0)\n"), "stub",
               "<=", ("is not valid notebook JSON",)),
        Attack("json-that-is-not-a-notebook", "malformed", _raw(b'[{"cells": []}]'), "stub", "<=",
               ("has no list of cells",)),
        Attack("deeply-nested-json", "malformed", _raw(b"[" * 100_000 + b"]" * 100_000), "stub",
               "<=", ("nested too deeply",)),
        Attack("hundred-mb-of-outputs", "malformed", _with_huge_outputs, "stub", "<=",
               ("clear the outputs?",)),
        Attack("deleted-answer-cell", "malformed", _bytes_of(deleted), "without-relu", "==",
               ("defines no function `relu`",), in_feedback=True),
        Attack("duplicated-cells", "malformed", _bytes_of(duplicated), "solution", "==", ()),
        Attack("reordered-answer-cells", "malformed", _bytes_of(reordered), "solution", "==",
               ()),
        Attack("answer-cell-retyped-as-markdown", "malformed", _bytes_of(retyped),
               "without-relu", "==", ("defines no function `relu`",), in_feedback=True),
        Attack("changed-points-and-grade-ids", "malformed", _bytes_of(metadata), "solution",
               "==", ("claims 100 points", "grade id my_test_relu")),
        Attack("nbgrader-metadata-removed", "malformed", _bytes_of(untested), "solution", "==",
               ("has no test cell test_relu for lab03.relu",)),
        Attack("renamed-function", "malformed", _bytes_of(renamed), "without-relu", "==",
               ("defines no function `relu`",), in_feedback=True),
        Attack("wrong-signature", "malformed", _bytes_of(signature), "without-relu", "==",
               ("missing 1 required positional argument",), in_feedback=True),
        Attack("missing-import", "malformed", _bytes_of(no_imports), "solution", "<=",
               ("name 'np' is not defined",), in_feedback=True),
        Attack("another-kernel", "malformed", _bytes_of(r_kernel), "solution", "==",
               ("saved with the R kernel",)),
        Attack("cell-source-not-text", "malformed", _bytes_of(bad_source), "stub", "<=",
               ("is not text",)),
        Attack("cell-metadata-not-a-mapping", "malformed", _bytes_of(bad_metadata), "stub",
               "<=", ("metadata that is not a mapping",)),
    ]


# --------------------------------------------------------------------------- what the grader sees
# Attacks on what used to be decided or reported inside the worker, or assumed of it (issue
# #18): each is caught by what the grader sees for itself.

PUBLIC_SEED = 7_340_519  # the grading seed the grader used when none was given, until #18
HIDING = """
    def relu_backward(dout, s):
        import sys
        original = dout.copy()
        dout[s <= 0] = 0
        for frame in (sys._getframe(1), sys._getframe(2)):
            for value in frame.f_locals.values():
                for held in [value, *(value.values() if isinstance(value, dict) else ())]:
                    if isinstance(held, list):
                        held[:] = [original if item is dout else item for item in held]
        return dout
    """


def _sleepy_cells(count: int) -> dict:
    notebook = load_notebook(LAB)
    notebook["cells"] += [_code_cell("import time\ntime.sleep(0.9)") for _ in range(count)]
    return notebook


def grader_side() -> list[Attack]:
    return [
        Attack("answers-from-the-public-seed", "gaming", lambda: as_file(with_function(
            "relu", hard_coded("relu", seed=PUBLIC_SEED))), "without-relu", "<=",
            ("hard-coded",)),
        Attack("hides-that-it-mutates-its-inputs", "gaming", lambda: as_file(with_function(
            "relu_backward", HIDING)), "solution", "<",
            ("modified its input array in place", "sys._getframe"), in_feedback=True),
        Attack("patches-numpy-and-hides-it", "tampering", lambda: as_file(with_cell("""
            import __main__
            __main__.Watch.changed = lambda self: []
            np.allclose = lambda *args, **kwargs: True
            """, with_function("relu", "def relu(s):\n    return s"))),
            "without-relu", "<=", ("__main__.Watch.changed =", "np.allclose =")),
        Attack("sleeps-in-every-cell", "resources", lambda: as_file(_sleepy_cells(40)),
               "solution", "<=", ("OutOfTime: not run, nor the", "the submission used up its")),
    ]


# --------------------------------------------------------------------------- names and layout


def _tagged(notebook: dict, tag: str) -> Callable[[], bytes]:
    """``notebook`` with a line of notebook metadata of its own, so that it is no
    byte-for-byte copy of another submission."""
    return lambda: as_file({**notebook, "metadata": {**notebook["metadata"],
                                                     "authors": [{"name": tag}]}})


def _named(name: str, student: str, full_marks: bool) -> Attack:
    """A submission whose only oddity is its student's folder name: it keeps its score
    and says nothing (the name is checked in what is written: CSV, pages, table)."""
    notebook = load_notebook(LAB) if full_marks else load_notebook(LAB, "labs")
    return Attack(name, "names", _tagged(notebook, name), "solution" if full_marks else "stub",
                  "==", (), student=student)


def names() -> list[Attack]:
    """Student names (folder names) that are hostile to what the grader writes, and files
    handed in where, or as what, they must not be graded."""
    nbgrader_place = "lab03_activations/lab03_activations.ipynb"
    return [
        _named("formula-in-the-name", '=HYPERLINK("x.example","full marks")', False),
        _named("plus-formula-in-the-name", "+1+1", False),
        _named("name-differs-by-punctuation-plus", "x+1", True),
        _named("name-differs-by-punctuation-equals", "x=1", False),
        _named("name-differs-by-case", "Solution", False),
        _named("name-in-nfc", "caf\u00e9", True),
        _named("name-in-nfd", "cafe\u0301", False),
        # A folder name holds no "/": the forged row's is a division slash, which looks alike.
        _named("newline-forges-a-table-row", "forged\neveryone" + " " * 40 + "48 \u2215 48",
               False),
        _named("terminal-escapes-in-the-name", "\x1b[2J\x1b]0;graded\x07eve", False),
        _named("name-of-243-characters", "x" * 243, True),
        Attack("plants-a-classmates-folder", "names", _tagged(load_notebook(LAB, "labs"), "mal"),
               "stub", "<=", ("is not where a notebook is graded",),
               where=f"lab03_activations/solution/{nbgrader_place}"),
        Attack("stray-notebook-beside-the-lab", "names", _tagged(load_notebook(LAB), "stray"),
               "stub", "<=", ("extra/notes.ipynb is not where a notebook is graded",),
               where="extra/notes.ipynb"),
        Attack("hard-links-a-classmates-notebook", "names", lambda: b"", "solution", "==",
               ("solution's (a hard link)",), form="hard link"),
        Attack("copies-a-classmates-notebook", "names", lambda: as_file(load_notebook(LAB)),
               "solution", "==", ("solution's (the same bytes)",)),
        Attack("folder-named-like-a-notebook", "names", lambda: b"", "stub", "<=",
               ("lab03_activations.ipynb is a folder, not a notebook",), form="folder"),
    ]


def hand_in(class_root: Path, attack: Attack, content: bytes) -> Path:
    """Put ``attack`` (its file made as ``content``) in the class; its path. The honest
    submissions must be there already (a hard link goes to one of them)."""
    path = class_root / attack.owner / (attack.where or "lab03_activations/"
                                        "lab03_activations.ipynb")
    path.parent.mkdir(parents=True, exist_ok=True)
    if attack.form == "folder":
        path.mkdir()
    elif attack.form == "hard link":
        path.hardlink_to(class_root / attack.honest / "lab03_activations" /
                         "lab03_activations.ipynb")
    else:
        path.write_bytes(content)
    return path



def hostile_class(class_root: Path, outputs: Path) -> list[Attack]:
    """Every attack, for a class kept in ``class_root`` and graded into ``outputs``."""
    return [*tampering(), *results(), *exits(), *resources(), *files(class_root, outputs),
            *gaming(), *malformed(), *grader_side(), *names()]
