"""What a notebook's code reaches for, read from its source in the grader's process.

The worker reports on itself (cell errors, the modules a cell replaced), but it
runs the student's code, which can rewrite the worker (``import __main__``) and
silence any report. What the grader can see for itself is the code: this module
parses each cell (:mod:`ast`, never running it) and names what an answer to a
lab never needs: the worker's ``__main__``, other frames, the interpreter's
module table and internals, code built from strings, and assignments to the
attributes of imported modules (``np.allclose = ...``). Code can hide from a
reading too (``getattr`` with a computed name), so this is a flag for an
instructor to look at, like every flag; the defence is that grading relies on
nothing in the worker but the plain data it returns.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterable

from nnlabs.notebook import Cell
from nnlabs.plain import strip_magics

MODULES = frozenset({"__main__", "builtins", "ctypes", "gc", "importlib"})
ATTRIBUTES = frozenset({
    "_getframe", "f_back", "f_locals", "f_globals", "f_builtins", "tb_frame", "gi_frame",
    "settrace", "setprofile", "__globals__", "__builtins__", "__closure__", "__code__",
    "__dict__", "__subclasses__", "__main__", "meta_path"})
CALLS = frozenset({"exec", "eval", "compile", "__import__", "globals", "vars", "setattr",
                   "delattr"})


def _root(node: ast.expr) -> str | None:
    """``np`` for ``np.testing.assert_allclose``; None when it is not a dotted name."""
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def reaches(source: str, imported: set[str]) -> list[str]:
    """What ``source`` reaches for, each as it is written (``import __main__``,
    ``sys._getframe``, ``np.allclose =``). ``imported`` collects the names its imports
    bind, for the cells after it; a cell that does not parse reaches for nothing."""
    bound, found, assigned = _read(source)
    imported.update(bound)
    return list(dict.fromkeys([*found, *(text for root, text in assigned if root in imported)]))


@functools.lru_cache(maxsize=4096)
def _read(source: str) -> tuple[frozenset[str], tuple[str, ...], tuple[tuple[str, str], ...]]:
    """What :func:`reaches` needs of a cell, read once per source text (a class's
    notebooks share most of their cells): the names its imports bind, what it reaches for
    whatever was imported before, and each attribute it assigns or deletes, with the name
    it is on."""
    try:
        tree = ast.parse(strip_magics(source))
    except (SyntaxError, ValueError):
        return frozenset(), (), ()
    bound, found = set(), []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                bound.add((alias.asname or alias.name).split(".")[0])
            modules = ([a.name for a in node.names] if isinstance(node, ast.Import)
                       else [node.module or ""])
            found += [f"import {m}" for m in modules if m.split(".")[0] in MODULES]
        elif isinstance(node, ast.Attribute) and node.attr in ATTRIBUTES:
            found.append(ast.unparse(node))
        elif (isinstance(node, ast.Attribute) and node.attr == "modules"
              and _root(node) == "sys"):
            found.append("sys.modules")
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
              and node.func.id in CALLS):
            found.append(f"{node.func.id}(...)")
        elif isinstance(node, ast.Name) and node.id == "__builtins__":
            found.append(node.id)
    assigned = []
    for node in ast.walk(tree):
        targets = (node.targets if isinstance(node, (ast.Assign, ast.Delete))
                   else [node.target] if isinstance(node, (ast.AugAssign, ast.AnnAssign))
                   else [])
        for target in targets:
            if isinstance(target, ast.Attribute) and _root(target) is not None:
                assigned.append((_root(target), ("del " if isinstance(node, ast.Delete) else "")
                                 + ast.unparse(target)
                                 + ("" if isinstance(node, ast.Delete) else " =")))
    return frozenset(bound), tuple(found), tuple(assigned)


def flags(cells: Iterable[Cell]) -> list[str]:
    """One flag naming the cells whose code reaches into the process that runs it, and
    what for; none for a notebook that does not."""
    imported: set[str] = set()
    seen = {cell.name: found for cell in cells if (found := reaches(cell.source, imported))}
    if not seen:
        return []
    what = "; ".join(f"cell {name}: {', '.join(found[:6])}" for name, found in seen.items())
    return [f"the code reaches into the process that runs it or replaces parts of a module "
            f"({what[:600]}): what that process reports about itself may be forged, so "
            "read the code"]
