"""The fork server: every worker forked from one clean, pre-imported process, confined
before it answers, and sharing nothing with the workers before or after it."""

from __future__ import annotations

import os
import signal

import pytest

from autograder import confine, forkserver
from autograder.sandbox import Limits, WorkerStudent
from nnlabs.notebook import Cell

pytestmark = pytest.mark.skipif(not confine.own_uid(),
                                reason="the fork server serves workers of a uid of their own")

FAST = Limits(cell_seconds=2.0, call_seconds=2.0)
WHO = ("import os\ndef who():\n    return [os.getpid(), os.getppid(), os.getuid()]\n")


def answer(*sources: str, call: str = "who"):
    """What the function ``call`` of a fresh worker that ran ``sources`` returns."""
    with WorkerStudent([Cell(f"c{i}", s) for i, s in enumerate(sources)], FAST) as student:
        assert student.cell_errors == []
        return getattr(student, call)()


def test_workers_are_forked_by_one_server_that_is_not_the_grader():
    (_, first_parent, _), (_, second_parent, _) = answer(WHO), answer(WHO)
    assert first_parent == second_parent != os.getpid()


def test_each_forked_worker_has_a_pid_and_a_uid_of_its_own():
    (first_pid, _, first_uid), (second_pid, _, second_uid) = answer(WHO), answer(WHO)
    assert first_pid != second_pid
    assert (first_uid, second_uid) == (confine.worker_uid(first_pid),
                                       confine.worker_uid(second_pid))


def test_what_one_worker_changes_is_not_there_for_the_next():
    tamper = ("import numpy as np, builtins, sys\nnp.pi = 3.0\nbuiltins.leaked = 1\n"
              "sys.modules['numpy'].linalg.norm = None\n"
              "open('left-behind', 'w').write('x')\n")
    look = ("import numpy as np, builtins, os\ndef look():\n"
            "    return [np.pi, hasattr(builtins, 'leaked'), np.linalg.norm is None, "
            "os.listdir('.')]\n")
    with WorkerStudent([Cell("c0", tamper)], FAST) as student:
        assert [e["type"] for e in student.cell_errors] == ["Tampering"]
    assert answer(look, call="look") == [pytest.approx(3.141592653589793), False, False, []]


def test_forked_workers_do_not_share_a_random_state():
    draw = "import numpy as np, random\ndef draw():\n    return [np.random.rand(), random.random()]"
    first, second = answer(draw, call="draw"), answer(draw, call="draw")
    assert first[0] != second[0] and first[1] != second[1]


def test_a_worker_cannot_signal_the_server_that_forked_it():
    source = ("import os, signal\ndef hit():\n    try:\n"
              "        os.kill(os.getppid(), signal.SIGKILL)\n    except PermissionError:\n"
              "        return 'refused'\n    return 'sent'")
    assert answer(source, call="hit") == "refused"


def test_a_worker_holds_no_socket_of_the_server():
    source = ("import os\ndef descriptors():\n    paths = ['/proc/self/fd/' + fd for fd in "
              "os.listdir('/proc/self/fd')]\n"
              "    return [os.readlink(p) for p in paths if os.path.exists(p)]")
    assert not [link for link in answer(source, call="descriptors") if "socket" in link]


def test_a_server_that_died_is_replaced_by_a_fresh_one():
    (_, server, _) = answer(WHO)
    os.kill(server, signal.SIGKILL)
    (_, replacement, _) = answer(WHO)
    assert replacement != server


def test_a_worker_that_cannot_be_confined_is_refused(tmp_path):
    server = forkserver.ForkServer(FAST, [])
    try:
        with pytest.raises(confine.ConfinementError, match="could not be confined"):
            server.spawn(tmp_path / "missing")
    finally:
        server.close()
