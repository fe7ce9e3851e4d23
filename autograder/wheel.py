"""Writing a pure-Python wheel (PEP 427) of package folders, byte for byte reproducible.

The student runtime is one folder of Python files and data (``nnlabs/``), and the grader
that goes to Gradescope three (``nnlabs/``, ``reference/``, ``autograder/``), so their
wheels need no build backend: a zip of the folders, plus the ``.dist-info`` metadata pip
reads (``METADATA``, ``WHEEL``, and ``RECORD`` with each file's SHA-256 and size). Entries
are sorted and dated 1980-01-01, so the same sources give the same wheel.
"""

from __future__ import annotations

import base64
import hashlib
import zipfile
from collections.abc import Sequence
from pathlib import Path

EPOCH = (1980, 1, 1, 0, 0, 0)


def package_files(package: Path) -> list[Path]:
    """Every file of the package folder, compiled bytecode and caches left out, sorted."""
    return sorted(p for p in package.rglob("*") if p.is_file()
                  and "__pycache__" not in p.parts and p.suffix not in (".pyc", ".pyo"))


def _digest(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(
        b"=").decode()


def _left_out(member: str, leave_out: Sequence[str]) -> bool:
    return any(member == gone or member.startswith(gone + "/") for gone in leave_out)


def write_wheel(packages: Sequence[Path], out: Path, *, name: str, version: str,
                summary: str, requires: Sequence[str], extras: dict[str, Sequence[str]],
                requires_python: str, description: str = "",
                leave_out: Sequence[str] = ()) -> Path:
    """Write ``out/<name>-<version>-py3-none-any.whl`` holding ``packages`` (folders that are
    each one importable package) and return its path.

    ``leave_out`` names members that are not written, with everything under them:
    ``autograder/catalogue`` (a folder) or ``autograder/demo.py`` (a file)."""
    dist_info = f"{name}-{version}.dist-info"
    metadata = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}",
                f"Summary: {summary}", f"Requires-Python: {requires_python}",
                *(f"Requires-Dist: {r}" for r in requires)]
    for extra, needs in extras.items():
        metadata += [f"Provides-Extra: {extra}",
                     *(f'Requires-Dist: {r}; extra == "{extra}"' for r in needs)]
    if description:
        metadata += ["Description-Content-Type: text/markdown", "", description]
    entries = [(member, p.read_bytes()) for package in packages for p in package_files(package)
               if not _left_out(member := f"{package.name}/{p.relative_to(package).as_posix()}",
                                leave_out)]
    entries += [(f"{dist_info}/METADATA", ("\n".join(metadata) + "\n").encode()),
                (f"{dist_info}/WHEEL", b"Wheel-Version: 1.0\nGenerator: nnlabs\n"
                 b"Root-Is-Purelib: true\nTag: py3-none-any\n"),
                (f"{dist_info}/top_level.txt",
                 "".join(f"{package.name}\n" for package in packages).encode())]
    record = "".join(f"{path},{_digest(data)},{len(data)}\n" for path, data in entries)
    entries.append((f"{dist_info}/RECORD", (record + f"{dist_info}/RECORD,,\n").encode()))
    out.mkdir(parents=True, exist_ok=True)
    wheel = out / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, data in entries:
            info = zipfile.ZipInfo(path, EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return wheel
