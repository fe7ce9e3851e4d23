"""How the cost of grading grows with the class: ``--jobs`` against a Dask cluster.

    .venv/bin/python benchmarks/bench_scale.py [--sizes 40 200 1000] [--jobs 2]

Grades classes of lab-03 submissions (:func:`autograder.catalogue.large_class`: the
honest class over and over, each a file of its own) twice per size: with ``--jobs`` on
this machine, and on a local Dask cluster of as many one-thread worker processes
(``--cluster local:N``), timing the grading alone (the cluster is started before).
Each measurement runs in a process of its own, so that peak memory is its own.

Prints, per size and way, seconds per submission (flat across sizes: the cost grows
linearly with the class), the peak resident memory of the grading processes (the one
grading process for ``--jobs``, shared by its jobs; each Dask worker) and of the largest
sandboxed worker, then the Dask/local throughput ratio per size (target: >= 0.9).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from autograder.batch import find_submissions, grade_all
from autograder.catalogue import large_class, write_class

LAB = "lab03"


def peak_mb() -> dict[str, float]:
    """This process's peak resident memory, and its largest sandboxed worker's (a child, or
    forked by a fork server for it)."""
    from autograder.forkserver import largest_worker_kb

    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {"grader": own / 1024, "sandbox": max(child, largest_worker_kb()) / 1024}


def measure(way: str, folder: Path, jobs: int) -> dict:
    """Grade the class in ``folder`` one ``way`` ("local" or "dask"): seconds and peaks."""
    submissions = find_submissions([folder])
    if way == "local":
        start = time.perf_counter()
        records = grade_all(submissions, LAB, jobs, unseen=[folder])
        seconds = time.perf_counter() - start
        peaks = [peak_mb()]
    else:
        from autograder.cluster import connect, grade_on_cluster

        with connect(f"local:{jobs}") as client:
            start = time.perf_counter()
            records = grade_on_cluster(client, submissions, LAB, unseen=[folder])
            seconds = time.perf_counter() - start
            peaks = list(client.run(peak_mb).values())
    return {"seconds": seconds, "graded": len(records),
            "grader_mb": max(p["grader"] for p in peaks),
            "sandbox_mb": max(p["sandbox"] for p in peaks)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[40, 200, 1000])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--measure", nargs=2, metavar=("WAY", "FOLDER"),
                        help=argparse.SUPPRESS)  # one measurement, in a process of its own
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure[0], Path(args.measure[1]), args.jobs)))
        return

    print(f"lab-03 classes, --jobs {args.jobs} against a local Dask cluster of {args.jobs} "
          "one-thread workers (grading time only)")
    print(f"{'size':>6}  {'way':<6}{'seconds':>9}{'s/submission':>14}{'grader MB':>11}"
          f"{'sandbox MB':>12}", flush=True)
    ratios = {}
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as scratch:
            folder = Path(scratch) / "submitted"
            write_class(folder, LAB, large_class(LAB, size))
            results = {}
            for way in ("local", "dask"):
                done = subprocess.run([sys.executable, __file__, "--jobs", str(args.jobs),
                                       "--measure", way, str(folder)], check=True,
                                      capture_output=True, text=True)
                result = results[way] = json.loads(done.stdout.splitlines()[-1])
                assert result["graded"] == size, result
                print(f"{size:>6}  {way:<6}{result['seconds']:>9.1f}"
                      f"{result['seconds'] / size:>14.3f}{result['grader_mb']:>11.0f}"
                      f"{result['sandbox_mb']:>12.0f}", flush=True)
            ratios[size] = results["local"]["seconds"] / results["dask"]["seconds"]
    print("Dask/local throughput: " + ", ".join(
        f"{ratio:.2f} at {size}" for size, ratio in ratios.items()) + " (target >= 0.9)")


if __name__ == "__main__":
    main()
