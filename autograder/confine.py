"""Hiding the grader's files from a worker: a private mount namespace (Linux, as root).

Run in the worker's child process just before it executes Python. The
namespace is the child's alone: in it, every hidden path (the project with
the reference, the solutions and the checks; the submissions; the outputs)
is covered by an empty, read-only tmpfs, and the interpreter's
site-packages is visible, read-only, at ``site_view`` (numpy and matplotlib
come from there), with any installed copy of the project covered too. Then
the process gives up every capability (the bounding set, and no new
privileges on exec), so the student's code, although it runs as uid 0,
cannot unmount, remount, ptrace the grader or reach its files through
``/proc``. Nothing of this touches the grader's own view of the files.

Not root, or not Linux: :func:`available` is False and workers run without
it (``docs/SECURITY.md`` tracks the unprivileged design).
"""

from __future__ import annotations

import ctypes
import os
from collections.abc import Sequence
from pathlib import Path

CLONE_NEWNS = 0x00020000
MS_RDONLY, MS_NOSUID, MS_NODEV = 1, 2, 4
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS = 24, 38
PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 47, 4
PROJECT_PACKAGES = ("reference", "autograder", "solutions")


class ConfinementError(OSError):
    """A step of the confinement failed: the worker must not start unconfined."""


def available() -> bool:
    return os.name == "posix" and os.uname().sysname == "Linux" and os.geteuid() == 0


def outermost(paths: Sequence[Path]) -> list[Path]:
    """The paths with those inside another one dropped (mounting over a parent hides them)."""
    resolved = sorted({p.resolve() for p in paths}, key=lambda p: len(p.parts))
    kept: list[Path] = []
    for path in resolved:
        if not any(path == k or k in path.parents for k in kept):
            kept.append(path)
    return kept


class Confinement:
    """Everything prepared in the grader; :meth:`enter` runs in the child before exec.

    The child of a multi-threaded process should do as little as it can between
    fork and exec, so the library handle and every path are made ready here and
    :meth:`enter` only makes system calls.
    """

    def __init__(self, hidden: Sequence[Path], site_packages: Path, site_view: Path) -> None:
        self._libc = ctypes.CDLL(None, use_errno=True)
        self._site = (str(site_packages).encode(), str(site_view).encode())
        installed = [site_view / name for name in PROJECT_PACKAGES
                     if (site_packages / name).is_dir()]
        self._hidden = [str(p).encode() for p in outermost([*hidden, *installed])]

    def _call(self, what: str, result: int) -> None:
        if result != 0:
            errno = ctypes.get_errno()
            raise ConfinementError(errno, f"{what}: {os.strerror(errno)}")

    def _mount(self, source: bytes | None, target: bytes, kind: bytes | None, flags: int,
               options: bytes | None = None) -> None:
        self._call(f"mount {target!r}", self._libc.mount(source, target, kind,
                                                          ctypes.c_ulong(flags), options))

    def enter(self) -> None:
        """Enter the private namespace described in the module docstring."""
        site_packages, site_view = self._site
        self._call("unshare", self._libc.unshare(CLONE_NEWNS))
        self._mount(None, b"/", None, MS_REC | MS_PRIVATE)
        self._mount(site_packages, site_view, None, MS_BIND | MS_REC)
        self._mount(None, site_view, None, MS_BIND | MS_REMOUNT | MS_RDONLY)
        for path in self._hidden:
            if os.path.exists(path):
                self._mount(b"tmpfs", path, b"tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV,
                            b"size=4k,mode=555")
        self._call("no_new_privs", self._libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
        self._libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
        cap = 0
        while self._libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == 0:
            cap += 1
