"""``python -m autograder``: grade a class, or check one notebook.

    python -m autograder grade PATH... [--lab LAB] [--jobs N | --cluster ADDRESS] [--json FILE]
                                       [--csv FILE] [--feedback DIR] [--gradebook DB]
                                       [--canvas-csv FILE --roster ROSTER.csv
                                        --canvas-assignment LAB=ID... [--roster-key COLUMN]]
                                       [--seconds S] [--submission-seconds S]
    python -m autograder report RESULTS.json... --out DIR [--submissions PATH...] [--jobs N]
    python -m autograder check NOTEBOOK
    python -m autograder release [--lab LAB] [--student DIR]
    python -m autograder gradescope LAB --out DIR/autograder_LAB.zip [--seconds S]
                                        [--submission-seconds S]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from tqdm import tqdm

from autograder import confine
from autograder.batch import Submission, find_submissions, grade_all, grade_submission
from autograder.canvas import (
    DEFAULT_KEY,
    CanvasError,
    assignment_ids,
    read_roster,
    write_canvas_csv,
)
from autograder.class_report import read_records, write_report
from autograder.gradebook import NOT_WRITTEN, GradebookError, database_url, write_trusted_scores
from autograder.gradescope_archive import AnswerInArchive, write_archive
from autograder.handout import AnswerInHandout, write_handout
from autograder.hidden import LAB_MODULES
from autograder.names import for_terminal
from autograder.record import Record
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
        canvas = _canvas_inputs(args)
    except (GradebookError, CanvasError, OSError) as exc:
        print(for_terminal(str(exc)), file=sys.stderr)
        return 2
    if not args.cluster and not confine.available():
        print(UNCONFINED.format(where="here"), file=sys.stderr)
    outputs = [p.resolve().parent for p in (args.json, args.csv, args.canvas_csv,
                                            args.roster) if p] + (
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
    written: list[list[str]] | None = None  # per record, the flags the gradebook found
    if db_url:
        try:
            written = write_trusted_scores(db_url, records)
        except GradebookError as exc:
            print(for_terminal(f"the gradebook was not changed: {exc}"), file=sys.stderr)
            status = 2
        else:
            records = [r.with_flags(found) for r, found in zip(records, written, strict=True)]
    if args.json:
        write_json(args.json, records)
    if args.csv:
        write_csv(args.csv, records)
    if args.feedback:
        write_feedback(args.feedback, records)
    if canvas:
        try:
            notes = write_canvas_csv(args.canvas_csv, records, *canvas, args.roster_key)
        except CanvasError as exc:
            print(for_terminal(f"{args.canvas_csv} was not written: {exc}"), file=sys.stderr)
            status = 2
        else:
            for note in notes:
                print(for_terminal(f"canvas: {note}"), file=sys.stderr)
    print(summary_table(records))
    if written is not None and status == 0:
        left_out = sum(1 for found in written if NOT_WRITTEN in found)
        flagged = sum(1 for r in records if (r.errors or r.flags) and r.lab)
        print(for_terminal(f"gradebook {args.gradebook}: {len(records) - left_out} written, "
                           f"{flagged} flagged for review")
              + (f", {left_out} not written (no lab)" if left_out else ""))
    return status


def _grade_on_cluster(where: str, submissions: list[Submission],
                      grading: dict) -> list[Record] | None:
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


def _report(args: argparse.Namespace) -> int:
    """The class report of the results files, and with the submissions, their similarity."""
    try:
        records = read_records(args.results)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        print(for_terminal(f"cannot read the results: {type(exc).__name__}: {exc}"),
              file=sys.stderr)
        return 2
    page = write_report(records, args.out, args.submissions,
                        [p.name for p in args.results], args.jobs)
    print(for_terminal(f"the class report is {page}"))
    return 0


def _canvas_inputs(args: argparse.Namespace) -> tuple[list[dict], dict[str, str]] | None:
    """The roster and assignment ids ``--canvas-csv`` needs, read before grading."""
    if not args.canvas_csv:
        if args.roster or args.canvas_assignment:
            raise CanvasError("--roster and --canvas-assignment go with --canvas-csv FILE")
        return None
    if not args.roster or not args.canvas_assignment:
        raise CanvasError("--canvas-csv needs --roster ROSTER.csv and --canvas-assignment "
                          "LAB=ID for each lab")
    return read_roster(args.roster, args.roster_key), assignment_ids(args.canvas_assignment)


def _check(args: argparse.Namespace) -> int:
    """The visible checks of one notebook, its code in the sandbox; printed as the student
    runtime's ``python -m nnlabs check`` prints them."""
    text, status = report(grade_submission(Submission(args.notebook.stem, args.notebook),
                                           args.lab, hidden=False).to_json())
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


def _gradescope(args: argparse.Namespace) -> int:
    limits = Limits(cell_seconds=args.seconds, call_seconds=args.seconds,
                    submission_seconds=args.submission_seconds)
    try:
        written = write_archive(args.lab, args.out, limits)
    except AnswerInArchive as refused:
        for line in f"gradescope: {refused}".splitlines():
            print(for_terminal(line), file=sys.stderr)
        return 1
    print(for_terminal(f"the Gradescope autograder of {args.lab} is {written}: upload it as "
                       "the assignment's autograder (see README, Gradescope)"))
    return 0


def _limit_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seconds", type=float, default=Limits.cell_seconds,
                        help="wall clock for one notebook cell or one call of a student's "
                             "function (default: %(default)g)")
    parser.add_argument("--submission-seconds", type=float, default=Limits.submission_seconds,
                        help="wall clock for all of one submission: its cells and every call "
                             "(default: %(default)g)")


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
    grade.add_argument("--canvas-csv", type=Path, metavar="FILE",
                       help="write Canvas's gradebook import file here (with --roster and "
                            "--canvas-assignment)")
    grade.add_argument("--roster", type=Path, metavar="ROSTER.csv",
                       help="the class roster: a Canvas gradebook export")
    grade.add_argument("--canvas-assignment", action="append", metavar="LAB=ID",
                       help="the Canvas assignment id of a lab (repeatable)")
    grade.add_argument("--roster-key", default=DEFAULT_KEY, metavar="COLUMN",
                       help="the roster column holding the submissions' student ids "
                            "(default: %(default)s)")
    _limit_options(grade)
    grade.set_defaults(run=_grade)
    class_report = commands.add_parser("report", help="the class report of graded results")
    class_report.add_argument("results", nargs="+", type=Path,
                              help="a results file written by grade --json")
    class_report.add_argument("--out", type=Path, required=True,
                              help="write index.html, its plots and checks.csv here")
    class_report.add_argument("--submissions", nargs="+", type=Path, default=[],
                              metavar="PATH", help="the notebooks graded (a folder or "
                              "notebooks, as for grade): compare their answer cells")
    class_report.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                              help="processes reading the notebooks (default: one per core)")
    class_report.set_defaults(run=_report)
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
    archive = commands.add_parser("gradescope", help="build a lab's Gradescope autograder zip")
    archive.add_argument("lab", choices=LAB_MODULES)
    archive.add_argument("--out", type=Path, required=True, metavar="ZIP",
                         help="the archive to write, e.g. build/autograder_lab03.zip")
    _limit_options(archive)
    archive.set_defaults(run=_gradescope)
    args = parser.parse_args(argv)
    return args.run(args)
