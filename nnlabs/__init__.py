"""nnlabs: a student's side of the course, with no answer in it.

``check`` runs a question's visible checks in a notebook, ``implemented``
guards its experiments, and ``python -m nnlabs check NOTEBOOK`` checks a
whole notebook from a terminal. The visible checks (:mod:`nnlabs.checks`)
compare with answers recorded at release time (:mod:`nnlabs.oracle`), never
with the reference implementation, which is not part of this package.
"""

from nnlabs.incell import check
from nnlabs.stubs import implemented

__version__ = "0.2.0"
__all__ = ["check", "implemented"]
