"""nnlabs autograder: the instructor's side of the course, with the answer key.

The hidden checks (:mod:`autograder.hidden`), the answer key they and the
recordings of the visible checks come from (:mod:`autograder.answers`), the
sandboxed batch grader, nbgrader's gradebook, reports and releases. It builds
on the student runtime, :mod:`nnlabs`, which never imports it.
"""

from autograder.incell import grade

__all__ = ["grade"]
