"""``make demo``: release the labs, then grade a sample class of lab 03.

    python -m autograder.demo [--out build/demo] [--jobs N]

1. regenerates ``labs/`` from ``solutions/`` with nbgrader (``make release``);
2. writes a sample class to ``OUT/submitted/<student>/lab03_activations/``:
   a correct notebook, a half-done one, typical mistakes, valid alternative
   solutions, a truncated file, an infinite loop and a renamed function;
3. grades it with the batch grader and writes ``OUT/results.json``,
   ``OUT/grades.csv`` and ``OUT/feedback/<student>.lab03.html`` with an ``index.html``;
4. prints the class's table;
5. writes the class report, ``OUT/report/index.html`` (with ``checks.csv``), and says where.
"""

from __future__ import annotations

import argparse
import os
import shutil
import time
from pathlib import Path

from autograder.batch import find_submissions, grade_all
from autograder.catalogue import as_file, broken_class, honest_class, write_class
from autograder.class_report import write_report
from autograder.release import main as release
from autograder.report import summary_table, write_csv, write_feedback, write_json

LAB = "lab03"
SAMPLE = ("solution", "half-done", "stub")


def sample_class() -> dict[str, bytes]:
    """A class of a dozen: the named honest submissions, every fifth catalogue variant,
    and the broken ones."""
    honest = honest_class(LAB)
    variants = [name for name in honest if name not in SAMPLE]
    chosen = [*SAMPLE, *variants[::5]]
    return {**{name: as_file(honest[name]) for name in chosen}, **broken_class(LAB)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder.demo")
    parser.add_argument("--out", type=Path, default=Path("build/demo"))
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args(argv)

    print("1. releasing the labs: nbgrader generate_assignment solutions/ -> labs/")
    if release() != 0:
        return 1
    submitted = args.out / "submitted"
    shutil.rmtree(submitted, ignore_errors=True)
    write_class(submitted, LAB, sample_class())
    submissions = find_submissions([submitted])
    print(f"2. a sample class of {len(submissions)} lab-03 notebooks in {submitted}")
    start = time.perf_counter()
    records = grade_all(submissions, LAB, args.jobs, unseen=[args.out])
    seconds = time.perf_counter() - start
    write_json(args.out / "results.json", records)
    write_csv(args.out / "grades.csv", records)
    write_feedback(args.out / "feedback", records)
    print(f"3. graded in {seconds:.1f} s with {args.jobs} jobs: {args.out}/results.json, "
          f"{args.out}/grades.csv, {args.out}/feedback/\n")
    print(summary_table(records))
    page = write_report(records, args.out / "report", [submitted], ["results.json"], args.jobs)
    print(f"\n4. the class report: {page}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
