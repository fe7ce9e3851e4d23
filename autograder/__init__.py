"""nnlabs autograder: checks written once, run in notebooks and in the batch grader."""

from autograder.incell import check

__all__ = ["check"]
