"""Searching a handout for answers: every line of code that gives one away.

An answer line is a line of 25 characters or more (after collapsing whitespace) of

- a solution region of a source notebook (``### BEGIN SOLUTION`` .. ``### END SOLUTION``),
- a valid alternative solution of the catalogue (``autograder/catalogue/``),
- the body of a reference function or class that a lab's answer key serves
  (``autograder/answers/<lab>.py``),

that is not also in the released notebooks (a stub's signature, docstring or given code is
no answer). :func:`find_answers` lists the answer lines found in a folder's files, zip
archives (a wheel) included; a handout with any is not written.
"""

from __future__ import annotations

import ast
import inspect
import json
import textwrap
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from autograder.catalogue import _source, load_catalogue, load_notebook
from autograder.hidden import LAB_MODULES
from autograder.oracle import answer_key

MIN_CHARS = 25
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"


def normalized(line: str) -> str:
    return " ".join(line.split())


def _long(lines: Iterable[str]) -> set[str]:
    return {n for n in map(normalized, lines) if len(n) >= MIN_CHARS}


def solution_lines(notebook: dict) -> set[str]:
    """The lines inside the notebook's solution regions."""
    lines, inside = [], False
    for cell in notebook["cells"]:
        for line in _source(cell).splitlines():
            if line.strip() == BEGIN:
                inside = True
            elif line.strip() == END:
                inside = False
            elif inside:
                lines.append(line)
    return _long(lines)


def body_lines(value: object) -> set[str]:
    """The lines of a function's or class's code, without the ``def``/``class`` headers and
    docstrings of it and of what it nests (a signature or docstring is in the stub too)."""
    source = textwrap.dedent(inspect.getsource(value))
    skipped: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            first = node.body[0]
            start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            skipped |= set(range(start, first.lineno))
            if ast.get_docstring(node, clean=False) is not None:
                skipped |= set(range(first.lineno, first.end_lineno + 1))
    return _long(line for number, line in enumerate(source.splitlines(), start=1)
                 if number not in skipped)


def reference_lines(lab: str) -> set[str]:
    """The body lines of every reference function or class the lab's answer key serves."""
    lines: set[str] = set()
    for value in vars(answer_key(lab)).values():
        module = getattr(inspect.getmodule(value), "__name__", "")
        if (inspect.isfunction(value) or inspect.isclass(value)) and \
                module.split(".")[0] == "reference":
            lines |= body_lines(value)
    return lines


def answer_lines() -> dict[str, str]:
    """Every answer line of every lab, and where it comes from."""
    found: dict[str, str] = {}
    # The released notebooks' lines, one per line: an answer line found in them, as a whole
    # line or inside one (an instruction quoting the code to write), is given anyway.
    given = "\n".join(normalized(line) for lab in LAB_MODULES
                      for cell in load_notebook(lab, "labs")["cells"]
                      for line in _source(cell).splitlines())
    for lab in LAB_MODULES:
        for line in solution_lines(load_notebook(lab)):
            found.setdefault(line, f"a solution of {lab}")
        for variant in load_catalogue(lab):
            if not variant.is_mistake:
                for line in _long("\n".join(variant.patches.values()).splitlines()):
                    found.setdefault(line, f"{lab}'s alternative {variant.name}")
        for line in reference_lines(lab):
            found.setdefault(line, f"the reference code {lab} grades")
    return {line: origin for line, origin in found.items() if line not in given}


def _text(name: str, data: bytes) -> str:
    """A file's text; a notebook's is its cells' sources (its JSON escapes quotes)."""
    text = data.decode("utf-8", "replace")
    if name.endswith(".ipynb"):
        text += "\n" + "\n".join(_source(c) for c in json.loads(text).get("cells", []))
    return text


def _texts(folder: Path) -> Iterator[tuple[str, str]]:
    """``(name, text)`` of every file under ``folder``, and of every member of a zip in it."""
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = str(path.relative_to(folder))
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                for member in archive.namelist():
                    yield f"{name}!{member}", _text(member, archive.read(member))
        else:
            yield name, _text(name, path.read_bytes())


def find_answers(folder: Path, answers: dict[str, str] | None = None) -> list[str]:
    """One sentence per answer line found under ``folder``: which file, which line, whose."""
    answers = answer_lines() if answers is None else answers
    hits = []
    for name, text in _texts(folder):
        flat = normalized(text)
        hits += [f"{name}: {line!r} ({origin})" for line, origin in answers.items()
                 if line in flat]
    return hits
