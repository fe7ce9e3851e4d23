"""nbgrader configuration: this repository is the course directory.

Instructor notebooks live in ``solutions/`` (nbgrader's *source*), the student
versions nbgrader generates from them in ``labs/`` (its *release*).

Beyond nbgrader's defaults, for this course (each is tested in
``tests/autograder/test_nbgrader*.py``):

- kernels get one BLAS thread: every kernel nbgrader starts (autograde,
  validate) inherits this process's environment, and two threads per kernel
  on a shared machine made demo cells swing from 1 s to over 10 s;
- autograde restores hidden tests without a false checksum warning for every
  test cell (:class:`autograder.nbgrader_plugins.RestoreHiddenTests`) and puts
  back a test cell a student deleted, so it is scored rather than skipped;
- feedback pages show no hidden tests;
- ``nbgrader export`` writes a ``problems`` column, so a failed or flagged
  submission is never exported as a plain number.
"""

import os

from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import (
    CheckCellMetadata,
    ClearOutput,
    DeduplicateIds,
    GetGrades,
    OverwriteKernelspec,
)

from autograder.gradebook import COURSE_ID
from autograder.nbgrader_plugins import FlaggedCsvExport, HideHiddenTests, RestoreHiddenTests

c = get_config()  # noqa: F821  (provided by nbgrader when it loads this file)

c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "labs"
c.CourseDirectory.course_id = COURSE_ID

os.environ.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
c.Execute.timeout = 60  # seconds per cell; the slowest demo cell takes a few

c.Autograde.sanitize_preprocessors = [ClearOutput, DeduplicateIds, OverwriteKernelspec,
                                      RestoreHiddenTests, CheckCellMetadata]
c.OverwriteCells.add_missing_cells = True

c.GenerateFeedback.preprocessors = [GetGrades, HideHiddenTests, CSSHTMLHeaderPreprocessor]

c.ExportApp.plugin_class = FlaggedCsvExport
