"""A synthetic class built from the catalogue: independent students, copies, a stub handed in.

Each independent student writes every function of the lab their own way: for each,
the solution's version or one of the catalogue's (a mistake or an alternative that
defines it), drawn at random, in their own style (their own local names, layout and
comments, the order of a sum's or a product's operands, a result named or returned
as it is). A copy takes another student's notebook and disguises it (other names,
functions reordered, other comments); a partial copy takes it and rewrites one
function. The similarity report is tested on such a class, and the report's
benchmark times one. These notebooks are for comparing code, not for grading: a
swapped ``+`` concatenates sequences in the other order.
"""

from __future__ import annotations

import ast
import copy
import functools
import random

from autograder.catalogue import (
    Variant,
    _source,
    answer_cells,
    apply_variant,
    definitions,
    load_catalogue,
    load_notebook,
    typed_into_release,
)

WORDS = ("compute", "the", "value", "here", "step", "use", "numpy", "result", "first", "then",
         "gradient", "shape", "batch", "stable", "check", "note", "keep", "dtype")


@functools.cache
def versions(lab: str) -> dict[str, list[str]]:
    """Every function of the lab's answers and the ways the catalogue writes it: the
    solution's first, then each mistake's and alternative's, each text once (do not
    change what it returns: it is shared)."""
    solution = load_notebook(lab)
    found: dict[str, list[str]] = {}
    for i in answer_cells(solution):
        for name, text in definitions(_source(solution["cells"][i])).items():
            found[name] = [text]
    for variant in load_catalogue(lab):
        for name, text in variant.patches.items():
            if name in found and text not in found[name]:
                found[name].append(text)
    return found


def _rename_locals(source: str, rng: random.Random) -> str:
    """``source`` with each function's parameters and local variables renamed (consistently,
    keyword arguments of calls kept), laid out anew by :func:`ast.unparse` (comments go)."""
    tree = ast.parse(source)
    for function in [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]:
        names = {a.arg for a in ast.walk(function) if isinstance(a, ast.arg)}
        names |= {n.id for n in ast.walk(function)
                  if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
        new = {name: f"{rng.choice(('v', 'tmp', 'val', 'z', 'q', 'arr'))}_{name}_{i}"
               for i, name in enumerate(sorted(names))}
        for node in ast.walk(function):
            if isinstance(node, ast.arg) and node.arg in new:
                node.arg = new[node.arg]
            elif isinstance(node, ast.Name) and node.id in new:
                node.id = new[node.id]
    return ast.unparse(tree) + "\n"


class _Habits(ast.NodeTransformer):
    """A student's own way of writing the same computation: operands of ``+`` and ``*`` in
    the order that came to mind, a result sometimes named before it is returned."""

    def __init__(self, rng: random.Random, swap: float = 0.3, name_result: float = 0.5) -> None:
        self.rng, self.swap, self.name_result = rng, swap, name_result

    def visit_BinOp(self, node: ast.BinOp) -> ast.BinOp:
        self.generic_visit(node)
        if isinstance(node.op, (ast.Add, ast.Mult)) and self.rng.random() < self.swap:
            node.left, node.right = node.right, node.left
        return node

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.FunctionDef:
        self.generic_visit(node)
        last = node.body[-1]
        if isinstance(last, ast.Return) and last.value is not None \
                and self.rng.random() < self.name_result:
            name = self.rng.choice(("result", "out", "answer", "ret"))
            node.body[-1:] = [ast.Assign([ast.Name(name, ast.Store())], last.value, lineno=0),
                              ast.Return(ast.Name(name, ast.Load()))]
        return node


def own_habits(source: str, rng: random.Random) -> str:
    """``source`` (one cell's code) written with a student's own :class:`_Habits`."""
    return ast.unparse(ast.fix_missing_locations(_Habits(rng).visit(ast.parse(source)))) + "\n"


def _comment(rng: random.Random) -> str:
    return "# " + " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 6)))


def _with_comments(source: str, rng: random.Random, share: float = 0.3) -> str:
    """``source`` with a comment of random words above about ``share`` of its lines."""
    out = []
    for line in source.splitlines():
        if line.strip() and rng.random() < share:
            indent = line[: len(line) - len(line.lstrip())]
            out.append(indent + _comment(rng))
        out.append(line)
    return "\n".join(out) + "\n"


def restyle(source: str, rng: random.Random, reorder: bool = False) -> str:
    """One cell's code in another hand: renamed locals, new layout and comments and, with
    ``reorder``, its functions in another order."""
    text = _rename_locals(source, rng)
    if reorder:
        tree = ast.parse(text)
        rng.shuffle(tree.body)
        text = ast.unparse(tree) + "\n"
    return _with_comments(text, rng)


@functools.cache
def _solution(lab: str) -> dict:
    return load_notebook(lab)


def _map_answers(lab: str, notebook: dict, change) -> dict:
    """``notebook`` with each answer cell's source passed through ``change(source)``."""
    changed = copy.deepcopy(notebook)
    for i in answer_cells(load_notebook(lab, "labs")):
        cell = changed["cells"][i]
        cell["source"] = change(_source(cell))
    return changed


def independent_student(lab: str, rng: random.Random, solution_share: float = 0.4) -> dict:
    """A notebook typed into the release by a student who wrote each function alone: the
    solution's version with probability ``solution_share``, else one of the catalogue's."""
    patches = {}
    for name, texts in versions(lab).items():
        if len(texts) > 1 and rng.random() >= solution_share:
            patches[name] = rng.choice(texts[1:])
    written = apply_variant(_solution(lab), Variant("student", patches))
    return _map_answers(lab, typed_into_release(lab, written),
                        lambda s: restyle(own_habits(s, rng), rng))


def disguised_copy(lab: str, notebook: dict, rng: random.Random) -> dict:
    """``notebook`` copied with other local names, its functions reordered and other
    comments."""
    return _map_answers(lab, notebook, lambda s: restyle(s, rng, reorder=True))


def partial_copy(lab: str, notebook: dict, rng: random.Random) -> dict:
    """``notebook`` copied as it is, then one of its functions written another way."""
    name, texts = rng.choice([(n, t) for n, t in versions(lab).items() if len(t) > 1])
    current = {}
    for cell in notebook["cells"]:
        if cell.get("cell_type") == "code" and f"def {name}(" in _source(cell):
            current = definitions(_source(cell))
    other = rng.choice([t for t in texts if t != current.get(name)])
    return apply_variant(notebook, Variant("changed", {name: other}))


def synthetic_class(lab: str, honest: int, seed: int = 0) -> dict[str, dict]:
    """``honest`` independent students (``student-00``, ...), then ``copy-a`` (a disguised copy
    of ``student-00``), ``copy-b`` (a partial copy of ``student-01``) and ``stub-only``
    (the release handed in as it is)."""
    rng = random.Random(seed)
    students = {f"student-{i:02d}": independent_student(lab, rng) for i in range(honest)}
    students["copy-a"] = disguised_copy(lab, students["student-00"], rng)
    students["copy-b"] = partial_copy(lab, students["student-01"], rng)
    students["stub-only"] = load_notebook(lab, "labs")
    return students
