"""``python -m autograder``: grade a class, or check one notebook.

    python -m autograder grade PATH... [--lab LAB] [--jobs N | --cluster ADDRESS] [--json FILE]
                                       [--csv FILE] [--feedback DIR] [--gradebook DB]
                                       [--seconds S] [--submission-seconds S]
    python -m autograder check NOTEBOOK
    python -m autograder release [--lab LAB] [--student DIR]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from tqdm import tqdm

from autograder import confine
from autograder.batch import Submission, find_submissions, grade_all, grade_submission
from autograder.gradebook import NOT_WRITTEN, GradebookError, database_url, write_trusted_scores
from autograder.handout import AnswerInHandout, write_handout
from autograder.hidden import LAB_MODULES
from autograder.names import for_terminal
from autograder.release import main as release_main
from autograder.report import summary_table, write_csv, write_feedback, write_json
from autograder.sandbox import Limits
from nnlabs.selfcheck import report

UNCONFINED = ("warning: workers cannot be confined {where} (Linux, as root or with user "
              "namespaces, is needed): student code can read and write what this user can. "
              "See docs/SECURITY.md.")


def _grade(args: argparse.Namespace) -> int:
    submissions = find_submissions(args.paths)
    if not submissions:
        print(for_terminal("no notebooks found under " + ", ".join(map(str, args.paths))),
              file=sys.stderr)
        return 2
    try:
        db_url = database_url(args.gradebook) if args.gradebook else None
    except GradebookError as exc:
        print(for_terminal(str(exc)), file=sys.stderr)
        return 2
    if not args.cluster and not confine.available():
        print(UNCONFINED.format(where="here"), file=sys.stderr)
    outputs = [p.resolve().parent for p in (args.json, args.csv) if p] + (
        [args.feedback] if args.feedback else []) + (
        [Path(args.gradebook).resolve().parent]
        if args.gradebook and "://" not in args.gradebook else [])
    limits = Limits(cell_seconds=args.seconds, call_seconds=args.seconds,
                    submission_seconds=args.submission_seconds)
    with tqdm(total=len(submissions), unit="notebook", disable=not sys.stderr.isatty()) as bar:
        grading = {"lab": args.lab, "limits": limits, "on_done": lambda _: bar.update(),
                   "unseen": [*args.paths, *outputs]}
        if args.cluster:
            records = _grade_on_cluster(args.cluster, submissions, grading)
            if records is None:
                return 2
        else:
            records = grade_all(submissions, jobs=args.jobs, **grading)
    status = 0
    if db_url:
        try:
            write_trusted_scores(db_url, records)
        except GradebookError as exc:
            print(for_terminal(f"the gradebook was not changed: {exc}"), file=sys.stderr)
            status = 2
    if args.json:
        write_json(args.json, records)
    if args.csv:
        write_csv(args.csv, records)
    if args.feedback:
        write_feedback(args.feedback, records)
    print(summary_table(records))
    if db_url and status == 0:
        left_out = sum(1 for r in records if NOT_WRITTEN in r["flags"])
        flagged = sum(1 for r in records if (r["errors"] or r["flags"]) and r["lab"])
        print(for_terminal(f"gradebook {args.gradebook}: {len(records) - left_out} written, "
                           f"{flagged} flagged for review")
              + (f", {left_out} not written (no lab)" if left_out else ""))
    return status


def _grade_on_cluster(where: str, submissions: list[Submission],
                      grading: dict) -> list[dict] | None:
    """The records of ``submissions`` graded on the Dask cluster ``where``; None, said on
    stderr, when it cannot grade them."""
    try:
        from autograder import cluster  # Dask is imported for --cluster only
    except ImportError as exc:
        print(for_terminal(f"--cluster needs Dask ({exc}): install the course with its "
                           "cluster extra, pip install 'nnlabs-course[cluster]'"),
              file=sys.stderr)
        return None

    try:
        with cluster.connect(where) as client:
            unconfined = cluster.unconfined_workers(client)
            if unconfined:
                print(for_terminal(UNCONFINED.format(
                    where="on the Dask workers " + ", ".join(unconfined))), file=sys.stderr)
            return cluster.grade_on_cluster(client, submissions, **grading)
    except cluster.ClusterError as exc:
        print(for_terminal(f"--cluster {where}: {exc}"), file=sys.stderr)
        return None


def _check(args: argparse.Namespace) -> int:
    """The visible checks of one notebook, its code in the sandbox; printed as the student
    runtime's ``python -m nnlabs check`` prints them."""
    text, status = report(grade_submission(Submission(args.notebook.stem, args.notebook),
                                           args.lab, hidden=False))
    print(text)
    return status


def _release(args: argparse.Namespace) -> int:
    status = release_main(args.lab or LAB_MODULES)
    if status == 0 and args.student:
        try:
            written = write_handout(args.student)
        except AnswerInHandout as refused:
            for line in f"release: {refused}".splitlines():
                print(for_terminal(line), file=sys.stderr)
            return 1
        print(for_terminal(f"the class handout is in {args.student}: {len(written)} files "
                           f"(see its README.md)"))
    return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    grade = commands.add_parser("grade", help="grade submissions with every check")
    grade.add_argument("paths", nargs="+", type=Path, help="a notebook or a folder of them")
    grade.add_argument("--lab", help="labNN, when it cannot be told from the file names")
    grade.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                       help="notebooks graded at once (default: one per core)")
    grade.add_argument("--cluster", metavar="ADDRESS",
                       help="grade on a Dask cluster: a scheduler's address "
                            "(tcp://HOST:8786), or local:N to start N local worker processes; "
                            "--jobs is then the cluster's (needs the course's [cluster] extra)")
    grade.add_argument("--json", type=Path, help="write all results to this JSON file")
    grade.add_argument("--csv", type=Path, help="write one row per submission to this CSV")
    grade.add_argument("--feedback", type=Path, help="write one HTML page per submission here")
    grade.add_argument("--gradebook", help="write the scores into this nbgrader gradebook "
                       "(gradebook.db, or a database URL), flagging what needs a look")
    grade.add_argument("--seconds", type=float, default=Limits.cell_seconds,
                       help="wall clock for one notebook cell or one call of a student's "
                            "function (default: %(default)g)")
    grade.add_argument("--submission-seconds", type=float, default=Limits.submission_seconds,
                       help="wall clock for all of one submission: its cells and every call "
                            "(default: %(default)g)")
    grade.set_defaults(run=_grade)
    check = commands.add_parser("check", help="run the visible checks on your notebook")
    check.add_argument("notebook", type=Path)
    check.add_argument("--lab", help="labNN, when it cannot be told from the file name")
    check.set_defaults(run=_check)
    release = commands.add_parser("release", help="record visible-check answers, generate labs/")
    release.add_argument("--lab", action="append", help="only this lab (repeatable)")
    release.add_argument("--student", type=Path, metavar="DIR",
                         help="then write the class handout here: the notebooks, the student "
                              "runtime's wheel and a README, with no answer")
    release.set_defaults(run=_release)
    args = parser.parse_args(argv)
    return args.run(args)
