"""Variants of a lab's solution notebook: plausible mistakes and valid alternatives.

A lab's catalogue (``autograder/catalogue/lab03.py``) lists :class:`Variant`
objects: the solution notebook with one or more functions replaced. A mistake
is written as the function it puts in or, when it changes a line or a few of
the solution's function, as that change (an :class:`Edit`). Mistakes
must lose points on the question they target, alternatives must keep full
marks; the tests hold the grader to both. The same variants make the sample
class that ``make demo`` grades and the submissions the grading benchmark
times.
"""

from __future__ import annotations

import ast
import copy
import functools
import importlib
import json
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from nnlabs.notebook import cells_to_run

ROOT = Path(__file__).resolve().parent.parent.parent
@dataclass(frozen=True)
class Variant:
    """The solution with ``patches`` applied: function name -> its replacement source.

    ``question`` is the question a mistake must lose points on (None for a
    valid alternative); ``feedback``, when set, must appear in that question's
    feedback (the mistake named back to the student).
    """

    name: str
    patches: dict[str, str] = field(hash=False)
    question: str | None = None
    feedback: str = ""

    @property
    def is_mistake(self) -> bool:
        return self.question is not None


def notebook_path(lab: str, folder: str = "solutions") -> Path:
    """``solutions/lab03_activations/lab03_activations.ipynb``: the notebook named after its
    lab's folder (other notebooks beside it, a student's copies, are not the lab's); with
    ``folder="labs"``, the released stub nbgrader generated from it."""
    (directory,) = [p for p in sorted((ROOT / folder).glob(f"{lab}_*")) if p.is_dir()]
    return directory / f"{directory.name}.ipynb"


def load_notebook(lab: str, folder: str = "solutions") -> dict:
    return json.loads(notebook_path(lab, folder).read_text())


def _source(cell: dict) -> str:
    source = cell["source"]
    return "".join(source) if isinstance(source, list) else source


def replace_function(source: str, name: str, replacement: str) -> str | None:
    """``source`` with the top-level ``def name`` (or ``class name``) replaced, or None."""
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name == name:
            lines = source.splitlines(keepends=True)
            start = (node.decorator_list[0].lineno if node.decorator_list else node.lineno) - 1
            return "".join(lines[:start]) + replacement.rstrip("\n") + "\n" + "".join(
                lines[node.end_lineno:])
    return None


def definitions(source: str) -> dict[str, str]:
    """The top-level functions and classes of ``source`` (dedented), each as its own text."""
    source = textwrap.dedent(source).strip("\n") + "\n"
    lines = source.splitlines(keepends=True)
    return {node.name: "".join(lines[node.lineno - 1:node.end_lineno])
            for node in ast.parse(source).body
            if isinstance(node, (ast.FunctionDef, ast.ClassDef))}


def _holds(line: str, wanted: str) -> bool:
    """Whether ``line`` is the code ``wanted`` (without indentation), a trailing comment
    of the line aside."""
    text = line.strip()
    return text == wanted or (bool(wanted) and text.startswith(wanted)
                              and text[len(wanted):].lstrip().startswith("#"))


@dataclass(frozen=True)
class Edit:
    """The solution's ``function`` with some of its lines changed: each key of ``lines``,
    one line or several in a row (matched without their indentation and trailing
    comments), which the function must hold exactly once, replaced by its value, indented
    as the first line it replaces ("" deletes them). The keys are replaced in order, each
    in the text the previous ones left."""

    function: str
    lines: dict[str, str] = field(hash=False)

    def applied_to(self, source: str) -> str:
        """``source`` (the function's text) with the lines changed; ValueError where a
        key's lines are not in it exactly once."""
        text = source.splitlines()
        for old, new in self.lines.items():
            wanted = [line.strip() for line in textwrap.dedent(old).strip("\n").splitlines()]
            found = [i for i in range(len(text) - len(wanted) + 1)
                     if all(map(_holds, text[i:i + len(wanted)], wanted))]
            if len(found) != 1:
                raise ValueError(f"{self.function} holds {old!r} {len(found)} times, "
                                 "not once")
            (i,) = found
            indent = text[i][: len(text[i]) - len(text[i].lstrip())]
            replacement = [indent + line if line.strip() else ""
                           for line in textwrap.dedent(new).strip("\n").splitlines()]
            text[i:i + len(wanted)] = replacement
        return "\n".join(text) + "\n"

    def of_solution(self, lab: str) -> str:
        """The lab's solution of the function, with the lines changed."""
        solution = solution_definitions(lab)
        if self.function not in solution:
            raise ValueError(f"the {lab} solution defines no {self.function}")
        return self.applied_to(solution[self.function])


@functools.cache
def solution_definitions(lab: str) -> dict[str, str]:
    """Every top-level function and class of the lab's solution notebook, as its text."""
    found: dict[str, str] = {}
    for cell in load_notebook(lab)["cells"]:
        if cell.get("cell_type") == "code":
            found.update(definitions(_source(cell)))
    return found


def mistake_maker(lab: str) -> Callable[[str, str, str, str | Edit], Variant]:
    """``mistake(name, question, feedback, source)`` for ``lab``: the solution with the one
    definition in ``source`` put in, or with the :class:`Edit` ``source`` made to its
    function, which must lose points on ``<lab>.<question>``."""

    def mistake(name: str, question: str, feedback: str, source: str | Edit) -> Variant:
        if isinstance(source, Edit):
            try:
                source = source.of_solution(lab)
            except ValueError as missed:
                raise ValueError(f"{name}: {missed}") from None
        patches = definitions(source)
        if len(patches) != 1:
            raise ValueError(f"{name}: a mistake replaces exactly one definition")
        return Variant(name, patches, f"{lab}.{question}", feedback)

    return mistake


def alternative(name: str, source: str) -> Variant:
    """The solution with the definitions in ``source`` put in; it must keep full marks."""
    return Variant(name, definitions(source))


def apply_variant(notebook: dict, variant: Variant) -> dict:
    """A copy of ``notebook`` with each patched function's definition replaced."""
    patched = copy.deepcopy(notebook)
    for name, replacement in variant.patches.items():
        for cell in patched["cells"]:
            if cell.get("cell_type") != "code":
                continue
            new = replace_function(_source(cell), name, replacement)
            if new is not None:
                cell["source"] = new
                break
        else:
            raise KeyError(f"{variant.name}: the notebook defines no function {name}")
    return patched


def load_catalogue(lab: str) -> list[Variant]:
    """The variants of ``autograder/catalogue/<lab>.py``: its ``MISTAKES + ALTERNATIVES``."""
    module = importlib.import_module(f"autograder.catalogue.{lab}")
    return [*module.MISTAKES, *module.ALTERNATIVES]


def answer_cells(notebook: dict) -> list[int]:
    """The indices of the notebook's answer cells (nbgrader solution code cells), in order."""
    return [i for i, c in enumerate(notebook["cells"])
            if c.get("metadata", {}).get("nbgrader", {}).get("solution")
            and c.get("cell_type") == "code"]


def honest_class(lab: str) -> dict[str, dict]:
    """Submissions a real class hands in without cheating: the solution, the
    released stub, half done, every catalogued mistake and alternative."""
    solution, stub = load_notebook(lab), load_notebook(lab, "labs")
    half = copy.deepcopy(solution)
    answers = answer_cells(solution)
    for i in answers[len(answers) // 2:]:
        half["cells"][i] = copy.deepcopy(stub["cells"][i])
    submissions = {"solution": solution, "stub": stub, "half-done": half}
    for variant in load_catalogue(lab):
        submissions[variant.name] = apply_variant(solution, variant)
    return submissions


def large_class(lab: str, count: int) -> dict[str, bytes]:
    """``count`` submissions, the honest class over and over (as files), each a file of its
    own: a markdown cell names its student, so that no two are the same bytes."""
    honest = honest_class(lab)
    names = list(honest)
    class_ = {}
    for i in range(count):
        name = names[i % len(names)]
        notebook = copy.deepcopy(honest[name])
        notebook["cells"].insert(0, {"cell_type": "markdown", "metadata": {},
                                     "source": f"Handed in by student {i}"})
        class_[f"s{i:04d}-{name}"] = as_file(notebook)
    return class_


def typed_into_release(lab: str, notebook: dict, keep: int | None = None) -> dict:
    """The released notebook (``labs/``) with the answers of ``notebook`` typed in (its first
    ``keep`` answer cells, or all), solution markers left out: a submission as a student
    makes one, whose test cells lack the hidden tests."""
    answers = {cell["metadata"]["nbgrader"]["grade_id"]: _source(cell)
               for cell in (notebook["cells"][i] for i in answer_cells(notebook)[:keep])}
    release = load_notebook(lab, "labs")
    for cell in release["cells"]:
        typed = answers.get(cell.get("metadata", {}).get("nbgrader", {}).get("grade_id"))
        if typed is not None and cell["cell_type"] == "code":
            cell["source"] = "".join(line for line in typed.splitlines(keepends=True)
                                     if "### BEGIN SOLUTION" not in line
                                     and "### END SOLUTION" not in line)
    return release


def broken_class(lab: str) -> dict[str, bytes]:
    """Submissions the grader must survive: a truncated file, an infinite loop,
    a renamed function. Returned as file contents."""
    solution = load_notebook(lab)
    looping = copy.deepcopy(solution)
    first_answer = answer_cells(solution)[0]
    looping["cells"].insert(first_answer, {"cell_type": "code", "execution_count": None,
                                           "metadata": {}, "outputs": [],
                                           "source": "while True:\n    pass\n"})
    renamed = copy.deepcopy(solution)
    cell = renamed["cells"][first_answer]
    tree = ast.parse(_source(cell))
    name = next(n.name for n in tree.body if isinstance(n, ast.FunctionDef))
    cell["source"] = _source(cell).replace(f"def {name}(", f"def my_{name}(", 1)
    text = json.dumps(solution, indent=1)
    return {"truncated-file": text[: len(text) // 2].encode(),
            "infinite-loop": json.dumps(looping, indent=1).encode(),
            f"renamed-{name}": json.dumps(renamed, indent=1).encode()}


def write_class(folder: Path, lab: str, submissions: dict[str, bytes]) -> list[Path]:
    """Write submissions in nbgrader's ``<folder>/<student>/<assignment>/<notebook>`` layout."""
    source = notebook_path(lab)
    paths = []
    for student, content in submissions.items():
        path = folder / student / source.parent.name / source.name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        paths.append(path)
    return paths


def namespace_of(notebook: dict) -> dict:
    """The namespace left by the cells the grader runs (all but test and demo cells), run in
    this process as ``__main__``; a cell that raises raises here."""
    namespace: dict = {"__name__": "__main__"}
    for cell in cells_to_run(notebook):
        exec(compile(cell.source, f"<cell {cell.name}>", "exec"), namespace)
    return namespace


def as_file(notebook: dict) -> bytes:
    return (json.dumps(notebook, indent=1, ensure_ascii=False) + "\n").encode()
