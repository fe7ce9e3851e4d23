"""The class report for a large class: 1,000 submissions, similarity included, against 30 s.

    .venv/bin/python benchmarks/bench_report.py [--submissions 1000] [--jobs 2]

The lab-03 catalogue's honest class (the solution, the stub, a half-done notebook,
every catalogued mistake and alternative) is graded once by the batch grader (not
timed); its records are cycled to the requested count, and each copy's notebook is
the original with noise (its answer cells in another hand: other local names,
layout and comments, see :mod:`autograder.catalogue.cohort`). Then
``python -m autograder report results.json --out ... --submissions ...`` runs as an
instructor runs it, in a process of its own, and is timed from start to exit.
Prints the seconds, the target and their ratio.
"""

from __future__ import annotations

import argparse
import copy
import itertools
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from autograder.batch import find_submissions, grade_all
from autograder.catalogue import as_file, honest_class, write_class
from autograder.catalogue.cohort import restyle
from autograder.report import write_json
from autograder.similarity import answer_sources

LAB = "lab03"
TARGET_SECONDS = 30.0


def noisy(notebook: dict, rng: random.Random) -> dict:
    """``notebook`` with its answer cells restyled."""
    changed = copy.deepcopy(notebook)
    sources = iter([restyle(s, rng) for s in answer_sources(notebook)])
    for cell in changed["cells"]:
        if cell.get("cell_type") == "code" and cell.get("metadata", {}).get(
                "nbgrader", {}).get("solution"):
            cell["source"] = next(sources)
    return changed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--submissions", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=2, help="workers grading the catalogue")
    args = parser.parse_args()
    rng = random.Random(1000)
    honest = honest_class(LAB)
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        write_class(root / "catalogue", LAB, {name: as_file(nb) for name, nb in honest.items()})
        start = time.perf_counter()
        graded = {r.submission: r for r in
                  grade_all(find_submissions([root / "catalogue"]), LAB, args.jobs)}
        print(f"graded the catalogue's {len(graded)} notebooks in "
              f"{time.perf_counter() - start:.0f} s (not timed)")
        names = itertools.islice(itertools.cycle(honest), args.submissions)
        records, files = [], {}
        for i, name in enumerate(names):
            student = f"s{i:04d}-{name}"
            records.append(replace(graded[name], submission=student))
            files[student] = as_file(noisy(honest[name], rng))
        write_class(root / "submitted", LAB, files)
        write_json(root / "results.json", records)

        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "autograder", "report", root / "results.json",
                        "--out", root / "report", "--submissions", root / "submitted"],
                       check=True)
        seconds = time.perf_counter() - start
    print(f"report of {args.submissions} submissions with similarity: {seconds:.1f} s; "
          f"target {TARGET_SECONDS:g} s; ratio {seconds / TARGET_SECONDS:.2f} of the target")


if __name__ == "__main__":
    main()
