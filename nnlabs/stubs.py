"""``implemented(...)``: the guard of a notebook's demo cells.

A demo cell (an experiment with plots) calls the graded functions above it. Run before they are
written, its first call of a stub raises ``NotImplementedError`` and Run All stops there: the
test cells below it never run. So a demo cell is written as ::

    if implemented(sigmoid, tanh, relu):
        ...

With a stub among the functions named, or among the notebook's functions they call, it prints
one line naming the stubs ("implement tanh and relu above to see this experiment") and the cell
ends without an error; once they are all written, it runs as before. A stand-in for a function of
an earlier lab (:mod:`nnlabs.earlier`) is named with the notebook to write it in.

A stub is a function whose code names ``NotImplementedError`` (the released notebooks' stubs
raise it). Only code is inspected, nothing is called; a class counts as a stub when one of its
methods is one.
"""

from __future__ import annotations

import dis
import types
from collections.abc import Callable, Iterator


def _codes(code: types.CodeType) -> Iterator[types.CodeType]:
    """``code`` and the code of every function, lambda and comprehension nested in it."""
    yield code
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            yield from _codes(constant)


def _globals_loaded(function: types.FunctionType) -> set[str]:
    return {instruction.argval for code in _codes(function.__code__)
            for instruction in dis.get_instructions(code) if instruction.opname == "LOAD_GLOBAL"}


def _functions(obj: object) -> list[types.FunctionType]:
    """The plain functions of ``obj``: itself, or a class's methods."""
    if isinstance(obj, types.FunctionType):
        return [obj]
    if isinstance(obj, type):
        return [f for f in vars(obj).values() if isinstance(f, types.FunctionType)]
    return []


def stubs(*objects: Callable) -> list[str]:
    """The names of the stubs among ``objects`` and the functions and classes of their own
    namespace (the notebook's) that they use, each once, in the order met."""
    return [stub.__name__ for stub in _stubs(objects)]


def _stubs(objects: tuple[Callable, ...]) -> list[Callable]:
    found: list[Callable] = []
    seen: set[int] = set()

    def visit(obj: object) -> None:
        if id(obj) in seen:
            return
        seen.add(id(obj))
        functions = _functions(obj)
        if any("NotImplementedError" in _globals_loaded(f) for f in functions):
            found.append(obj)
        for function in functions:
            for name in sorted(_globals_loaded(function)):
                used = function.__globals__.get(name)
                if any(f.__globals__ is function.__globals__ for f in _functions(used)):
                    visit(used)

    for obj in objects:
        visit(obj)
    return found


def _listing(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def implemented(*objects: Callable) -> bool:
    """True when none of ``objects`` is a stub nor uses one; otherwise prints which to write
    first and returns False."""
    missing = _stubs(objects)
    here = [stub.__name__ for stub in missing if not hasattr(stub, "nnlabs_where")]
    todo = ([f"{_listing(here)} above"] if here else []) + [
        f"{stub.__name__} {stub.nnlabs_where}" for stub in missing if hasattr(stub, "nnlabs_where")]
    if todo:
        print(f"implement {'; '.join(todo)} to see this experiment")
    return not missing
