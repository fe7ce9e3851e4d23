"""Confining a worker on Linux: private mounts, network and ids, read-only files.

Run in the worker's child process just before it executes Python. The
namespaces are the child's alone. In them:

- every unseen path (the project with the reference, the solutions and the
  checks; the submissions; the outputs) is covered by an empty, read-only
  tmpfs, and so is any installed copy of the project;
- the interpreter's installation and its site-packages are visible,
  read-only, at views inside the scratch directory (the dropped uid could not
  reach them where they live when that is, say, under ``/root``);
- every mount is read-only; the one writable place is the work directory, a
  tmpfs of ``disk_bytes`` owned by the worker, so no file can be changed and
  the disk cannot be filled;
- there is no network: a new network namespace has only a loopback that is down;
- the process gives up every capability.

As root, the worker then runs as a uid of its own, :func:`worker_uid`
(``UID_BASE`` plus its pid), with no supplementary groups. No other process
has that uid, so ``kill`` reaches nothing but the worker's own children,
``/proc`` shows nothing of the grader's memory or environment (the grading
seed), and ``RLIMIT_NPROC`` counts the worker's tasks alone (it is not
enforced for uid 0); :func:`reap` kills what is left of them.

Not root, where the kernel allows unprivileged user namespaces, the same
happens inside a user namespace of the worker's own, which also has a pid
namespace: the worker is its first process, sees no process outside it and
takes its children with it (:meth:`Confinement._enter_user_namespace`).

Nothing of this touches the grader's own view of the files. Neither root nor
user namespaces (or not Linux): :func:`available` is False and workers run
without it (``docs/SECURITY.md`` says what then still holds).
"""

from __future__ import annotations

import ctypes
import functools
import os
import signal
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

CLONE_NEWNS, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x20000, 0x10000000, 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
PR_SET_PDEATHSIG, PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS = 1, 24, 38
PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 47, 4
SYS_MOUNT_SETATTR, AT_FDCWD, AT_RECURSIVE, MOUNT_ATTR_RDONLY = 442, -100, 0x8000, 1
PROJECT_PACKAGES = ("reference", "autograder", "solutions")
# Worker uids are UID_BASE + the worker's pid: above any account, one per live worker.
UID_BASE = 1_500_000_000


class ConfinementError(OSError):
    """A step of the confinement failed: the worker must not start unconfined."""


class MountAttr(ctypes.Structure):
    _fields_ = [("attr_set", ctypes.c_uint64), ("attr_clr", ctypes.c_uint64),
                ("propagation", ctypes.c_uint64), ("userns_fd", ctypes.c_uint64)]


@functools.cache
def available() -> bool:
    """Workers are confined: on Linux, as root, or for any user where the kernel allows
    unprivileged user namespaces. Tried once, in a throwaway process: the namespaces,
    and read-only mounts in them."""
    if os.name != "posix" or os.uname().sysname != "Linux":
        return False
    flags = (CLONE_NEWNS | CLONE_NEWNET if os.geteuid() == 0 else
             CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWPID)
    probe = ("import ctypes, sys\nlibc = ctypes.CDLL(None)\n"
             f"if libc.unshare({flags}) != 0:\n    sys.exit(1)\n"
             f"attr = (ctypes.c_uint64 * 4)({MOUNT_ATTR_RDONLY}, 0, 0, 0)\n"
             f"sys.exit(libc.syscall({SYS_MOUNT_SETATTR}, {AT_FDCWD}, b'/', {AT_RECURSIVE}, "
             "attr, 32) != 0)")
    return subprocess.run([sys.executable, "-I", "-S", "-c", probe],
                          stderr=subprocess.DEVNULL).returncode == 0


def own_uid() -> bool:
    """Confined workers run as a uid of their own: the grader is root."""
    return available() and os.geteuid() == 0


def worker_uid(pid: int) -> int:
    """The uid the worker with this pid runs as."""
    return UID_BASE + pid


def outermost(paths: Sequence[Path]) -> list[Path]:
    """The paths with those inside another one dropped (mounting over a parent hides them)."""
    resolved = sorted({p.resolve() for p in paths}, key=lambda p: len(p.parts))
    kept: dict[Path, None] = {}  # in order, and a set to look each parent up in
    for path in resolved:
        if path not in kept and not any(parent in kept for parent in path.parents):
            kept[path] = None
    return list(kept)


class Confinement:
    """Everything prepared in the grader; :meth:`enter` runs in the child before exec.

    ``views`` maps each directory the worker needs (the interpreter's prefix,
    site-packages) to where it appears read-only; ``work`` becomes the
    worker's writable tmpfs of ``disk_bytes``. The child of a multi-threaded
    process should do as little as it can between fork and exec, so the
    library handle and every path are made ready here and :meth:`enter` only
    makes system calls.
    """

    def __init__(self, unseen: Sequence[Path], views: dict[Path, Path], work: Path,
                 disk_bytes: int, separate_uid: bool) -> None:
        self._libc = ctypes.CDLL(None, use_errno=True)
        self._views = [(str(source).encode(), str(view).encode())
                       for source, view in views.items()]
        installed = [view / name for source, view in views.items() for name in PROJECT_PACKAGES
                     if (source / name).is_dir()]
        self._unseen = [str(p).encode() for p in outermost([*unseen, *installed])]
        self._work = str(work).encode()
        self._disk_bytes = disk_bytes
        self._separate_uid = separate_uid
        self._ids = (os.getuid(), os.getgid())
        self._readonly = MountAttr(attr_set=MOUNT_ATTR_RDONLY)

    def _call(self, what: str, result: int) -> None:
        if result != 0:
            errno = ctypes.get_errno()
            raise ConfinementError(errno, f"{what}: {os.strerror(errno)}")

    def _mount(self, source: bytes | None, target: bytes, kind: bytes | None, flags: int,
               options: bytes | None = None) -> None:
        self._call(f"mount {target!r}", self._libc.mount(source, target, kind,
                                                          ctypes.c_ulong(flags), options))

    def enter(self) -> None:
        """Enter the confinement described in the module docstring, as the worker's uid."""
        if self._separate_uid:
            uid = gid = worker_uid(os.getpid())
            self._call("unshare", self._libc.unshare(CLONE_NEWNS | CLONE_NEWNET))
        else:
            uid, gid = self._enter_user_namespace()
        self._hide(proc=not self._separate_uid)  # the first process of its namespace: its /proc
        self._become(uid, gid, self._work)

    def enter_server(self) -> None:
        """As root, for a fork server (:mod:`autograder.forkserver`): the mounts and no
        network, as a worker's, but still root, so that each child it forks can enter
        :meth:`enter_forked`. The server runs no student code."""
        self._call("unshare", self._libc.unshare(CLONE_NEWNS | CLONE_NEWNET))
        self._hide(proc=False)

    def enter_forked(self, work: str) -> None:
        """In a child of a fork server, before any student code: mounts and a network of
        its own (a copy of the server's, so every unseen path stays unseen), a work tmpfs
        of its own at ``work``, and then the worker's uid, without a capability."""
        uid = gid = worker_uid(os.getpid())
        self._call("unshare", self._libc.unshare(CLONE_NEWNS | CLONE_NEWNET))
        self._mount(None, b"/", None, MS_REC | MS_PRIVATE)
        self._become(uid, gid, os.fsencode(work))

    def _hide(self, proc: bool) -> None:
        """In a mount namespace of this process's own: the views, every unseen path
        covered, every mount read-only (``proc``: a /proc of this pid namespace)."""
        self._mount(None, b"/", None, MS_REC | MS_PRIVATE)
        if proc:
            self._mount(b"proc", b"/proc", b"proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
        for source, view in self._views:
            self._mount(source, view, None, MS_BIND | MS_REC)
            self._mount(None, view, None, MS_BIND | MS_REMOUNT | MS_RDONLY)
        for path in self._unseen:
            if os.path.exists(path):
                self._mount(b"tmpfs", path, b"tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV,
                            b"size=4k,mode=555")
        self._call("read-only mounts", self._libc.syscall(
            SYS_MOUNT_SETATTR, AT_FDCWD, b"/", AT_RECURSIVE, ctypes.byref(self._readonly),
            ctypes.sizeof(self._readonly)))

    def _become(self, uid: int, gid: int, work: bytes) -> None:
        """The writable work tmpfs at ``work``, owned by ``uid``; then no new privileges,
        no capability, and (with a uid of its own) that uid and gid, in ``work``."""
        self._mount(b"tmpfs", work, b"tmpfs", MS_NOSUID | MS_NODEV,
                    b"size=%d,mode=700,uid=%d,gid=%d" % (self._disk_bytes, uid, gid))
        self._call("no_new_privs", self._libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
        self._libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
        cap = 0
        while self._libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == 0:
            cap += 1
        if self._separate_uid:
            os.setgroups([])
            os.setresgid(gid, gid, gid)
            os.setresuid(uid, uid, uid)
        os.chdir(work)

    def _enter_user_namespace(self) -> tuple[int, int]:
        """Not root: new user, mount, network and pid namespaces, in which the grader's own
        uid and gid are the only ones and the mounts may be changed. Returns them.

        A new pid namespace takes effect for children only, so this process forks: the
        child goes on to become the worker, the first process of its namespace, which sees
        no process outside it (no grader, no other worker, to signal or to trace) and takes
        all its own children with it when it ends; this process waits and ends as it did.
        """
        uid, gid = self._ids
        self._call("unshare", self._libc.unshare(
            CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWPID))
        for name, line in (("setgroups", "deny"), ("uid_map", f"{uid} {uid} 1"),
                           ("gid_map", f"{gid} {gid} 1")):
            with open(f"/proc/self/{name}", "w") as f:
                f.write(line)
        worker = os.fork()
        if worker:
            os.closerange(0, os.sysconf("SC_OPEN_MAX"))  # the pipes and the exec-error pipe
            _, status = os.waitpid(worker, 0)
            if os.WIFSIGNALED(status):  # die of the same signal
                if os.WTERMSIG(status) not in (signal.SIGKILL, signal.SIGSTOP):
                    signal.signal(os.WTERMSIG(status), signal.SIG_DFL)
                os.kill(os.getpid(), os.WTERMSIG(status))
            os._exit(os.waitstatus_to_exitcode(status))
        # A process group of its own, so that killpg from inside stays inside; and should the
        # process outside be killed (the grader's killpg), the worker goes too.
        os.setpgid(0, 0)
        self._libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        return uid, gid


def _uid_of(pid: int) -> int | None:
    """The real uid of a live (not zombie) process, or None."""
    try:
        with open(f"/proc/{pid}/status") as status:
            fields = dict(line.split(":", 1) for line in status if ":" in line)
    except OSError:
        return None
    if fields.get("State", "Z").split()[0] in ("Z", "X"):
        return None
    return int(fields["Uid"].split()[0])


def processes_of(uid: int) -> list[int]:
    """The pids of the live processes whose real uid is ``uid``."""
    return [int(e) for e in os.listdir("/proc") if e.isdigit() and _uid_of(int(e)) == uid]


def reap(uid: int, rounds: int = 100) -> list[int]:
    """Kill every process of ``uid`` (a worker's children that left its process group);
    return those still alive after ``rounds`` sweeps (none, unless the kernel is slow).

    Each process is signalled through a pidfd opened before its uid is checked, so a
    recycled pid is never hit.
    """
    for _ in range(rounds):
        pids = processes_of(uid)
        if not pids:
            return []
        for pid in pids:
            try:
                fd = os.pidfd_open(pid)
            except OSError:
                continue
            try:
                if _uid_of(pid) == uid:
                    signal.pidfd_send_signal(fd, signal.SIGKILL)
            except OSError:
                pass
            finally:
                os.close(fd)
    return processes_of(uid)
