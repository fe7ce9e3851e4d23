"""The worker process: student code runs there, limited, and only plain data comes back."""

import contextlib
import os
import time
import tracemalloc

import numpy as np
import pytest

from autograder import sandbox
from autograder.catalogue import Variant, apply_variant, load_notebook
from autograder.hidden import load_lab
from autograder.runner import run_question
from autograder.sandbox import Limits, WorkerStudent
from nnlabs.notebook import Cell, cells_to_run
from nnlabs.student import StudentError

FAST = Limits(cell_seconds=1.0, call_seconds=1.0)


def student_with(*sources, limits=FAST):
    return WorkerStudent([Cell(f"c{i}", s) for i, s in enumerate(sources)], limits)


def test_student_function_is_called_with_arrays_and_returns_arrays():
    with student_with("def double(x):\n    return 2 * x") as student:
        np.testing.assert_array_equal(student.double(np.arange(3.0)), [0.0, 2.0, 4.0])


@pytest.mark.parametrize("package", ["reference", "autograder", "solutions"])
def test_project_packages_are_not_importable_in_the_worker(package):
    source = (f"try:\n    import {package}\n    found = 1\nexcept ImportError:\n    found = 0\n"
              "def imported():\n    return found")
    with student_with(source) as student:
        assert student.imported() == 0


def test_nnlabs_in_the_worker_is_a_stand_in_whose_check_does_nothing():
    source = "from nnlabs import check\ndef checked():\n    return check('lab03.relu') is None"
    with student_with(source) as student:
        assert student.checked() is True


def test_worker_runs_in_a_scratch_directory_that_is_removed_afterwards():
    student = student_with("import os\ndef where():\n    return os.getcwd()")
    with student:
        scratch = student.where()
        assert os.path.isdir(scratch) and "nnlabs-worker-" in scratch
    assert not os.path.exists(scratch)


def test_printing_does_not_disturb_the_protocol():
    with student_with("def noisy():\n    print('x' * 100000)\n    return 1.0") as student:
        assert student.noisy() == 1.0


def test_infinite_loop_in_a_cell_is_stopped_and_later_cells_still_run():
    with student_with("while True:\n    pass", "def f():\n    return 3") as student:
        assert student.f() == 3
        assert [e["type"] for e in student.cell_errors] == ["Timeout"]


def test_loop_that_swallows_the_alarm_is_killed_from_outside():
    stubborn = ("while True:\n    try:\n        while True:\n            pass\n"
                "    except BaseException:\n        pass")
    with student_with("x = 1", stubborn, "def f():\n    return x") as student:
        assert student.f() == 1
        assert student.cell_errors[0]["cell"] == "c1"


def test_cell_error_names_the_cell_and_the_exception():
    with student_with("1 / 0") as student:
        assert student.cell_errors[0]["cell"] == "c0"
        assert student.cell_errors[0]["type"] == "ZeroDivisionError"


def test_hanging_call_times_out_with_a_clear_kind():
    with student_with("import time\ndef slow():\n    time.sleep(60)") as student:
        with pytest.raises(StudentError) as failure:
            student.slow()
        assert failure.value.kind == "Timeout"


def test_exiting_worker_is_reported_and_the_next_call_gets_a_fresh_one():
    with student_with("import os\ndef die():\n    os._exit(3)\ndef alive():\n    return 1") \
            as student:
        with pytest.raises(StudentError) as failure:
            student.die()
        assert failure.value.kind == "WorkerDied" and "status 3" in failure.value.message
        assert student.alive() == 1


def test_sys_exit_in_a_call_is_an_error_not_an_exit():
    with student_with("import sys\ndef leave():\n    sys.exit(0)") as student:
        with pytest.raises(StudentError) as failure:
            student.leave()
        assert failure.value.kind == "SystemExit"


def test_worker_can_start_no_process_and_no_thread():
    source = ("import os, threading\ndef spawn():\n    refused = []\n"
              "    for start in (os.fork, threading.Thread(target=print).start):\n"
              "        try:\n            start()\n        except (BlockingIOError, RuntimeError):\n"
              "            refused.append(True)\n    return refused")
    with student_with(source) as student:
        assert student.spawn() == [True, True]


def test_huge_allocation_fails_inside_the_worker_only():
    with student_with("import numpy as np\ndef hog():\n    return np.ones(20 * 2**30 // 8)") \
            as student:
        with pytest.raises(StudentError) as failure:
            student.hog()
        assert failure.value.kind in ("MemoryError", "WorkerDied")


def test_killing_its_own_process_group_leaves_the_grader_and_the_next_call_running():
    """It kills the worker, or (the first process of a pid namespace) nothing at all."""
    source = ("import os, signal\ndef nuke():\n    os.killpg(0, signal.SIGKILL)\n"
              "def alive():\n    return 1")
    grader_group = os.getpgid(0)
    with student_with(source) as student:
        with contextlib.suppress(StudentError):
            student.nuke()
        assert student.alive() == 1
    assert os.getpgid(0) == grader_group


def test_returning_a_non_plain_object_is_refused():
    with student_with("def sneaky():\n    return object()") as student:
        with pytest.raises(StudentError) as failure:
            student.sneaky()
        assert failure.value.kind == "NotPlainData"


def test_arguments_mutated_by_the_student_come_back_when_asked():
    with student_with("def clobber(x):\n    x[:] = 0\n    return 1.0") as student:
        result, (after,) = student.call_returning_args("clobber", np.ones(3))
        assert result == 1.0
        np.testing.assert_array_equal(after, np.zeros(3))


def test_missing_function_is_a_name_error_that_says_renamed():
    with student_with("x = 1") as student:
        with pytest.raises(StudentError, match="renamed"):
            student.relu()


def count_calls(namespace, n):
    """A probe: builds the student's Counter, calls it n times, returns its count."""
    counter = namespace["Counter"]()
    for _ in range(n):
        counter.tick()
    return float(counter.count)


COUNTER = "class Counter:\n    count = 0\n    def tick(self):\n        self.count += 1"


def test_probe_runs_beside_the_student_code_and_returns_plain_data():
    with student_with(COUNTER) as student:
        assert student.run(count_calls, 3) == 3.0


def test_probe_gives_the_same_answer_locally():
    from nnlabs.student import LocalStudent

    namespace = {}
    exec(COUNTER, namespace)
    assert LocalStudent(namespace).run(count_calls, 3) == 3.0


def test_probe_failure_in_student_code_is_a_student_error():
    with student_with("class Counter:\n    def tick(self):\n        raise ValueError('no')") \
            as student:
        with pytest.raises(StudentError) as failure:
            student.run(count_calls, 1)
        assert failure.value.kind == "ValueError"


CONFINED = pytest.mark.skipif(not __import__("autograder.confine").confine.available(),
                              reason="confinement needs Linux, as root or with user namespaces")
OWN_UID = pytest.mark.skipif(not __import__("autograder.confine").confine.own_uid(),
                             reason="a uid of its own for the worker needs root on Linux")


@CONFINED
@pytest.mark.parametrize("relative", ["reference/activations.py", "autograder/answers/lab03.py",
                                      "nnlabs/checks/lab03.py", "solutions",
                                      "nnlabs/fixtures/lab03.json"])
def test_project_files_are_not_readable_from_the_worker(relative):
    from autograder.sandbox import PROJECT

    source = f"import os\ndef seen():\n    return os.path.exists({str(PROJECT / relative)!r})"
    assert (PROJECT / relative).exists()
    with student_with(source) as student:
        assert student.seen() is False


@CONFINED
def test_other_submissions_named_as_unseen_are_not_readable(tmp_path):
    other = tmp_path / "ben" / "lab03_activations.ipynb"
    other.parent.mkdir()
    other.write_text("{}")
    source = f"import os\ndef seen():\n    return os.path.exists({str(other)!r})"
    with WorkerStudent([Cell("c", source)], FAST, unseen=[tmp_path]) as student:
        assert student.seen() is False


@CONFINED
def test_worker_has_no_capabilities_left_to_undo_its_confinement():
    source = ("def capabilities():\n    for line in open('/proc/self/status'):\n"
              "        if line.startswith('CapEff'):\n            return int(line.split()[1], 16)")
    with student_with(source) as student:
        assert student.capabilities() == 0


@CONFINED
def test_worker_cannot_unmount_what_hides_the_project():
    from autograder.sandbox import PROJECT

    source = (f"import subprocess\ndef unmounted():\n    return subprocess.run(['umount', "
              f"{str(PROJECT)!r}], capture_output=True).returncode == 0")
    with student_with(source, limits=Limits(cell_seconds=5.0, call_seconds=5.0,
                                            processes=8)) as student:
        assert student.unmounted() is False


@OWN_UID
def test_worker_runs_as_a_uid_of_its_own_with_no_groups():
    from autograder.confine import UID_BASE

    with student_with("import os\ndef ids():\n    return [os.getuid(), os.getgid(), "
                      "len(os.getgroups())]") as student:
        uid, gid, groups = student.ids()
    assert uid == gid > UID_BASE and groups == 0 and uid != os.getuid()


@OWN_UID
def test_worker_cannot_signal_the_grader():
    source = ("import os, signal\ndef signal_parent():\n    try:\n"
              "        os.kill(os.getppid(), signal.SIGTERM)\n    except PermissionError:\n"
              "        return 'refused'\n    return 'sent'")
    with student_with(source) as student:
        assert student.signal_parent() == "refused"


@OWN_UID
def test_worker_cannot_read_the_graders_environment():
    source = ("import os\ndef environ():\n    try:\n"
              "        return open(f'/proc/{os.getppid()}/environ').read()\n"
              "    except PermissionError:\n        return 'refused'")
    with student_with(source) as student:
        assert student.environ() == "refused"


@CONFINED
def test_worker_has_no_network():
    import socket

    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    source = ("import socket\ndef connect():\n    try:\n"
              f"        socket.create_connection(('127.0.0.1', {port}), timeout=1)\n"
              "    except OSError as e:\n        return e.errno\n    return 0")
    try:
        with student_with(source) as student:
            assert student.connect() == __import__("errno").ENETUNREACH
    finally:
        server.close()


@CONFINED
@pytest.mark.parametrize("where", ["/tmp", "/var/tmp", "/dev/shm"])
def test_worker_can_write_nowhere_but_its_work_directory(where):
    source = ("def write(where):\n    try:\n        open(where + '/nnlabs-probe', 'w')\n"
              "    except OSError as e:\n        return e.strerror\n    return 'written'")
    with student_with(source) as student:
        assert student.write(where) in ("Read-only file system", "Permission denied")
    assert not os.path.exists(where + "/nnlabs-probe")


@CONFINED
def test_work_directory_holds_no_more_than_the_disk_limit():
    limits = Limits(cell_seconds=5.0, call_seconds=5.0, disk_bytes=4 * 2**20)
    source = ("import errno\ndef fill():\n    written = 0\n    try:\n        for i in range(100):\n"
              "            with open(f'f{i}', 'wb') as f:\n"
              "                f.write(b'x' * 2**20)\n            written += 2**20\n"
              "    except OSError as e:\n        return [written, e.errno]\n"
              "    return [written, 0]")
    with student_with(source, limits=limits) as student:
        written, error = student.fill()
    assert written <= 4 * 2**20 and error == __import__("errno").ENOSPC


@OWN_UID
def test_fork_bomb_is_stopped_by_the_process_limit_and_leaves_nothing_behind():
    from autograder.confine import processes_of

    limits = Limits(cell_seconds=5.0, call_seconds=5.0, processes=16)
    source = ("import os, time\ndef bomb():\n    children = 0\n    try:\n"
              "        for _ in range(1000):\n            if os.fork() == 0:\n"
              "                os.setsid()\n                time.sleep(600)\n"
              "                os._exit(0)\n            children += 1\n"
              "    except BlockingIOError:\n        return children\n    return children")
    with student_with(source, limits=limits) as student:
        children = student.bomb()
        uid = student._worker.uid
        assert children < 16 and len(processes_of(uid)) == children + 1
    assert processes_of(uid) == []


def test_a_cell_that_replaces_numpy_functions_is_reported_by_name():
    source = ("import numpy as np\nnp.allclose = lambda *a, **k: True\n"
              "del np.testing.assert_allclose")
    with student_with(source) as student:
        (error,) = student.cell_errors
    assert error["type"] == "Tampering"
    assert error["message"] == ("the cell replaced numpy.allclose, "
                                "numpy.testing.assert_allclose")


def test_a_call_that_returns_non_plain_data_is_recorded_as_an_event():
    with student_with("def sneaky():\n    return object()") as student:
        with pytest.raises(StudentError):
            student.sneaky()
        assert student.events == ["`sneaky` returned a object, not a number or a numpy array, "
                                  "which the grader does not accept"]


@pytest.mark.parametrize("gigabytes,fits", [(0.25, True), (2.0, False)])
def test_the_address_space_limit_is_what_refuses_a_large_allocation(gigabytes, fits):
    limits = Limits(cell_seconds=5.0, call_seconds=5.0, memory_bytes=2**30)
    source = ("import numpy as np\ndef reserve(n):\n    try:\n"
              "        return np.empty(int(n), dtype=np.uint8).nbytes > 0\n"
              "    except MemoryError:\n        return False")
    with student_with(source, limits=limits) as student:
        assert student.reserve(gigabytes * 2**30) is fits


# --------------------------------------------------------------------------- the submission's time

SLEEPY = Limits(cell_seconds=5.0, call_seconds=5.0, submission_seconds=3.0)


def test_cells_stop_running_when_the_submission_uses_up_its_time():
    cells = ["import time"] + ["time.sleep(0.9)"] * 12 + ["def f():\n    return 1"]
    with student_with(*cells, limits=SLEEPY) as student:
        *_, stopped, never = student.cell_errors
    assert (stopped["type"], never["type"]) == ("OutOfTime", "OutOfTime")
    assert "the submission used up its 3 s" in never["message"]
    assert int(never["cell"][1:]) < 12


def test_a_call_after_the_submission_used_up_its_time_is_not_run():
    cells = ["import time", "time.sleep(0.9)", "time.sleep(0.9)", "def f():\n    return 1"]
    with student_with(*cells, limits=Limits(submission_seconds=2.0)) as student:
        time.sleep(2.0)
        with pytest.raises(StudentError) as failure:
            student.f()
    assert failure.value.kind == "OutOfTime"


def test_cells_run_again_for_a_fresh_worker_stop_when_the_time_is_up():
    cells = ["import os, time", "time.sleep(1.2)", "time.sleep(1.2)",
             "def die():\n    os._exit(1)", "def alive():\n    return 1"]
    with student_with(*cells, limits=Limits(submission_seconds=4.0)) as student:
        with pytest.raises(StudentError):
            student.die()
        with pytest.raises(StudentError) as failure:
            student.alive()
    assert failure.value.kind == "OutOfTime"


# --------------------------------------------------------------------------- large replies


def test_a_large_reply_is_read_into_one_buffer_of_its_size(monkeypatch):
    """Each byte of a reply is copied once: while a 32 MB reply is read, the grader holds
    no more than the reply itself (appending each pipe read to what came before held the
    old and the new buffer at once, and copied the whole of it per read)."""
    frames = []
    monkeypatch.setattr(sandbox, "decode", lambda frame: frames.append(len(frame)) or {
        "ok": True, "value": None})
    size = 32 * 2**20
    with student_with("import numpy as np\ndef big(n):\n    return np.ones(n // 8)",
                      limits=Limits(call_seconds=60.0)) as student:
        tracemalloc.start()
        try:
            student.big(size)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert frames[-1] > size and peak < frames[-1] + 2**20


# --------------------------------------------------------------------------- verdicts in the grader

# Correct code that then changes an input, and makes every copy of it that its callers
# keep look changed alike: what a probe that compared in the worker was fooled by.
FORGES_THE_COPIES = """
import sys


def forge(originals, changed):
    # every copy of an original in the callers' frames made equal to its changed value
    frame = sys._getframe(2)
    while frame is not None:
        for value in list(frame.f_locals.values()):
            for copy in (value.values() if isinstance(value, dict) else [value]):
                for original, array in zip(originals, changed):
                    if (isinstance(copy, np.ndarray) and copy is not array
                            and copy.shape == original.shape and np.array_equal(copy, original)):
                        copy[...] = array
        frame = frame.f_back
"""
GRADIENT_CHECK = FORGES_THE_COPIES + """

def gradient_check(f, params, h=1e-5):
    originals = [value.copy() for value in params.values()]
    _, analytic = f(params)
    worst = 0.0
    for key, theta in params.items():
        for i in range(theta.size):
            old = theta.flat[i]
            theta.flat[i] = old + h
            plus = f(params)[0]
            theta.flat[i] = old - h
            minus = f(params)[0]
            theta.flat[i] = old
            a, n = analytic[key].flat[i], (plus - minus) / (2 * h)
            worst = max(worst, abs(a - n) / max(abs(a) + abs(n), 1e-8))
    params["W1"] += 1.0
    forge(originals, list(params.values()))
    return worst
"""
NESTEROV_STEP = FORGES_THE_COPIES + """

def nesterov_step(theta, v, grad_fn, lr, mu):
    original = v.copy()
    g = grad_fn(theta + mu * v)
    v *= mu
    v -= lr * g
    forge([original], [v])
    return theta + v, v
"""


@pytest.mark.parametrize("lab,function,source,said", [
    ("lab04", "gradient_check", GRADIENT_CHECK, "left params changed"),
    ("lab06", "nesterov_step", NESTEROV_STEP, "modified its argument v"),
])
def test_a_function_that_changes_its_inputs_cannot_hide_it_from_the_probe(lab, function, source,
                                                                          said):
    notebook = apply_variant(load_notebook(lab), Variant("forges", {function: source.strip()}))
    question = next(q for q in load_lab(lab) if function in q.functions)
    with WorkerStudent(cells_to_run(notebook), Limits(call_seconds=20.0)) as student:
        result = run_question(question, student, hidden=True, seed=1)
    assert any(said in c.feedback for c in result.checks if not c.earned), result.feedback
