"""nbgrader configuration: this repository is the course directory.

Instructor notebooks live in ``solutions/`` (nbgrader's *source*), the student
versions nbgrader generates from them in ``labs/`` (its *release*).
"""

import os

c = get_config()  # noqa: F821  (provided by nbgrader when it loads this file)

c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "labs"
c.CourseDirectory.course_id = "nnlabs"
