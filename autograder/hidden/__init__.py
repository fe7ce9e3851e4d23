"""The hidden checks: ``autograder/hidden/<lab>.py`` adds them to the questions that
``nnlabs/checks/<lab>.py`` declares with their visible checks.

Load a lab through :func:`load_lab` (or a question through :func:`get_question`)
on the instructor's side: its questions then hold every check, and their
points add up to what each question declares.
"""

from __future__ import annotations

import importlib

from nnlabs import registry
from nnlabs.registry import LAB_MODULES, Question

__all__ = ["LAB_MODULES", "get_question", "load_lab"]


def load_lab(lab: str) -> list[Question]:
    """Import ``autograder.hidden.<lab>`` (and so the lab's visible checks) and return its
    questions in declaration order, each with all of its checks."""
    if lab not in LAB_MODULES:
        raise KeyError(f"no lab {lab!r}; labs are {', '.join(LAB_MODULES)}")
    importlib.import_module(f"{__name__}.{lab}")
    return registry.questions_of(lab)


def get_question(question_id: str) -> Question:
    """The question with this id, with its hidden checks."""
    load_lab(question_id.split(".", 1)[0])
    return registry.get_question(question_id)
