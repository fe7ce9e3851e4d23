"""Grading throughput: the batch grader against ``nbgrader autograde``, in one run.

    .venv/bin/python benchmarks/bench_grading.py [--submissions 40] [--jobs 2]

Both grade the same honest lab-03 submissions (the solution, the stub, a
half-done notebook, every catalogued mistake and alternative, cycled to the
requested count, each a file of its own) on one grading seed, in a temporary nbgrader
course directory with this course's ``nbgrader_config.py`` (one BLAS thread per kernel,
among others).
Prints submissions per second for each, the ratio, and whether the two agree on every
question.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from autograder.batch import find_submissions, grade_all
from autograder.catalogue import large_class, notebook_path, write_class
from autograder.gradebook import nbgrader_scores
from autograder.hidden import get_question
from autograder.release import ROOT, nbgrader
from autograder.runner import SEED_VARIABLE, grading_seed

LAB = "lab03"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--submissions", type=int, default=40)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()

    source = notebook_path(LAB)
    assignment, notebook = source.parent.name, source.stem
    submissions = large_class(LAB, args.submissions)

    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        shutil.copytree(source.parent, root / "solutions" / assignment)
        shutil.copy(ROOT / "nbgrader_config.py", root)  # the course's nbgrader, as configured
        db_url = f"sqlite:///{root}/gradebook.db"
        nbgrader("generate_assignment", assignment, root=root, db_url=db_url)
        write_class(root / "submitted", LAB, submissions)

        seed = grading_seed()  # one seed for both, so that their scores can be compared
        start = time.perf_counter()
        records = grade_all(find_submissions([root / "submitted"]), LAB, args.jobs, seed=seed)
        ours = time.perf_counter() - start
        start = time.perf_counter()
        nbgrader("autograde", assignment, "--force", root=root, db_url=db_url, MPLBACKEND="Agg",
                 **{SEED_VARIABLE: str(seed)})
        theirs = time.perf_counter() - start
        nb_scores = nbgrader_scores(db_url, assignment, notebook)

    disagreements = []
    for record in records:
        graded = nb_scores.get(record.submission, {})
        for q in record.questions:
            grade_id = get_question(q.id).test_cell
            if graded.get(grade_id) != q.score:
                disagreements.append(f"{record.submission} {q.id}: batch {q.score:g}, "
                                     f"nbgrader {graded.get(grade_id)}")
    n = len(records)
    print(f"{n} honest lab-03 submissions, batch grader with --jobs {args.jobs}, "
          "nbgrader autograde (one kernel at a time, one BLAS thread)")
    print(f"{'grader':<22}{'seconds':>10}{'submissions/s':>16}")
    print(f"{'batch grader':<22}{ours:>10.1f}{n / ours:>16.2f}")
    print(f"{'nbgrader autograde':<22}{theirs:>10.1f}{n / theirs:>16.2f}")
    print(f"ratio: {theirs / ours:.1f}x nbgrader's throughput")
    print("scores: identical on every question" if not disagreements else
          "scores differ:\n  " + "\n  ".join(disagreements))


if __name__ == "__main__":
    main()
