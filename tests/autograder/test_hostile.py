"""Hostile and malformed submissions: the batch grader holds, loses nothing, and says why.

The whole hostile class (``autograder/catalogue/hostile.py``) and the honest
submissions it is measured against are graded once, together, by the command
line with two jobs and 2-second limits, as an instructor grades a class.
Each attack must then score no more than its honest counterpart (or exactly
as much, or less, as the catalogue says), say what happened in its record,
and leave every honest submission's record as it is when graded alone.
Attacks that are safe only in a confined worker run only where workers are
confined (see ``Attack.needs``).
"""

from __future__ import annotations

import csv
import html
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from autograder import confine
from autograder.batch import Submission, find_submissions, grade_all, grade_submission
from autograder.catalogue import as_file, load_notebook, notebook_path, write_class
from autograder.catalogue.hostile import LAB, Attack, hand_in, honest_class, hostile_class
from autograder.hidden import load_lab
from autograder.names import FORMULA_START, csv_cell, for_terminal
from autograder.record import Record
from autograder.report import write_atomic, write_json
from autograder.sandbox import Limits

pytestmark = pytest.mark.slow

SECONDS = 2.0
SUBMISSION_SECONDS = 20.0
LIMITS = Limits(cell_seconds=SECONDS, call_seconds=SECONDS,
                submission_seconds=SUBMISSION_SECONDS)
PLACEHOLDER = Path("/nonexistent")


def runnable(class_root: Path, outputs: Path) -> list[Attack]:
    """The attacks that are safe here (see ``Attack.needs``)."""
    here = {"": True, "confinement": confine.available(), "own uid": confine.own_uid()}
    return [a for a in hostile_class(class_root, outputs) if here[a.needs]]


# For parametrizing: the attacks by name, built for placeholder folders (the phrases some
# of them must say name the real folders, so the tests use the batch's own).
CATALOGUE = {a.name: a for a in runnable(PLACEHOLDER, PLACEHOLDER)}
FULL_MARKS = sum(q.max_score for q in load_lab(LAB))
NAMES = list(CATALOGUE)


@dataclass
class Batch:
    root: Path
    run: subprocess.CompletedProcess
    records: dict[str, dict]
    seconds: float
    attacks: dict[str, Attack]
    files: dict[Path, bytes]


def grade_class(class_root: Path, outputs: Path, seed: int | None = None
                ) -> subprocess.CompletedProcess:
    """``python -m autograder grade`` on the class, as an instructor runs it: with a fresh
    grading seed, or (a re-grade) ``seed``."""
    env = {k: v for k, v in os.environ.items() if k != "NNLABS_GRADING_SEED"}
    if seed is not None:
        env["NNLABS_GRADING_SEED"] = str(seed)
    return subprocess.run(
        [sys.executable, "-m", "autograder", "grade", str(class_root), "--jobs", "2",
         "--seconds", str(SECONDS), "--submission-seconds", str(SUBMISSION_SECONDS),
         "--json", str(outputs / "results.json"), "--csv", str(outputs / "grades.csv"),
         "--feedback", str(outputs / "feedback")],
        capture_output=True, text=True, cwd=class_root.parent, timeout=900, env=env)


def by_attack(outputs: Path, attacks: dict[str, Attack]) -> dict[str, dict]:
    """The records of ``results.json``, under the attack's name where it has a student
    name of its own."""
    names = {a.owner: name for name, a in attacks.items()}
    return {names.get(r["submission"], r["submission"]): r for r in json.loads(
        (outputs / "results.json").read_text())["submissions"]}


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> Batch:
    root = tmp_path_factory.mktemp("hostile")
    class_root, outputs = root / "submitted", root / "outputs"
    outputs.mkdir()
    attacks = {a.name: a for a in runnable(class_root, outputs)}
    honest = honest_class()
    files = dict(zip(write_class(class_root, LAB, honest), honest.values(), strict=True))
    for attack in attacks.values():
        content = attack.make()
        path = hand_in(class_root, attack, content)
        if attack.form == "file":
            files[path] = content
    started = time.monotonic()
    run = grade_class(class_root, outputs)
    seconds = time.monotonic() - started
    records = by_attack(outputs, attacks) if run.returncode == 0 else {}
    graded = Batch(root, run, records, seconds, attacks, files)
    if os.environ.get("NNLABS_ATTACK_TABLE") and records:
        table = Path(os.environ["NNLABS_ATTACK_TABLE"])
        table.parent.mkdir(parents=True, exist_ok=True)
        table.write_text(attack_table(graded), encoding="utf-8")
    yield graded
    shutil.rmtree(root)  # the class holds a 100 MB notebook


def attack_table(batch: Batch) -> str:
    """docs/SECURITY.md's table of every attack, from this batch: its score, the relation it
    must keep with its honest counterpart's, and the first thing its record says (errors,
    flags, then the feedback naming the problem), on one line of at most 110 characters.

    ``NNLABS_ATTACK_TABLE=FILE`` writes it when the suite runs.
    """
    rows = ["| attack | category | score (honest) | what the record says |", "|---|---|---|---|"]
    for name, attack in batch.attacks.items():
        record = batch.records[name]
        feedback = [f for q in record["questions"] for f in q["feedback"]
                    if attack.in_feedback and any(phrase in f for phrase in attack.said)]
        said = next(iter(record["errors"] + record["flags"] + feedback),
                    "nothing: the attack has no effect")
        said = for_terminal(said.replace("\n", " ").replace(str(batch.root), "\u2026"))
        said = (said[:107] + "..." if len(said) > 110 else said).replace("|", "\\|")
        rows.append(f"| `{name}` | {attack.category} | {record['score']:g} ({attack.relation} "
                    f"{batch.records[attack.honest]['score']:g}) | {said} |")
    return "\n".join(rows) + "\n"


def told(record: dict, in_feedback: bool) -> str:
    """Everything the record says: errors and flags, and the questions' feedback too."""
    said = record["errors"] + record["flags"]
    if in_feedback:
        said += [f for q in record["questions"] for f in q["feedback"]]
    return "\n".join(said)


# --------------------------------------------------------------------------- the batch


def test_the_grader_exits_normally_and_records_every_submission(batch):
    assert batch.run.returncode == 0, batch.run.stderr[-3000:]
    assert set(batch.records) == set(NAMES) | set(honest_class())


def test_no_submission_is_recorded_as_a_grader_failure(batch):
    failures = {n: r["errors"] for n, r in batch.records.items()
                if any("the grader failed" in e for e in r["errors"])}
    assert failures == {}


def test_the_whole_hostile_class_is_graded_in_under_two_minutes(batch):
    assert batch.seconds < 120


@pytest.mark.parametrize("name", NAMES)
def test_attack_scores_no_more_than_its_honest_counterpart(batch, name):
    attack = batch.attacks[name]
    score, honest = batch.records[name]["score"], batch.records[attack.honest]["score"]
    assert {"<=": score <= honest, "==": score == honest, "<": score < honest}[
        attack.relation], (score, attack.relation, honest, batch.records[name])


@pytest.mark.parametrize("name", [n for n in NAMES if CATALOGUE[n].said])
def test_attack_is_told_in_plain_words(batch, name):
    attack = batch.attacks[name]
    text = told(batch.records[name], attack.in_feedback)
    assert [phrase for phrase in attack.said if phrase not in text] == [], text


@pytest.mark.parametrize("name", [n for n in NAMES if not CATALOGUE[n].said])
def test_attack_without_effect_reports_nothing(batch, name):
    record = batch.records[name]
    assert (record["errors"], record["flags"]) == ([], [])


def test_the_whole_class_is_graded_with_one_seed_drawn_for_it(batch):
    assert len({r["seed"] for r in batch.records.values()}) == 1


@pytest.mark.parametrize("control", list(honest_class()))
def test_honest_submission_is_graded_as_when_graded_alone(batch, control):
    (alone,) = grade_all([s for s in find_submissions([batch.root / "submitted"])
                          if s.name == control], LAB, limits=LIMITS,
                         seed=batch.records[control]["seed"])
    assert batch.records[control] == alone.to_json()


def test_csv_has_the_scores_of_the_json_for_every_submission(batch):
    with open(batch.root / "outputs" / "grades.csv", newline="", encoding="utf-8") as f:
        rows = {(row["submission"], row["lab"]): float(row["score"])
                for row in csv.DictReader(f)}
    assert rows == {(csv_cell(r["submission"]), r["lab"]): r["score"]
                    for r in batch.records.values()}


def test_no_csv_cell_reads_as_a_formula(batch):
    with open(batch.root / "outputs" / "grades.csv", newline="", encoding="utf-8") as f:
        formulas = [cell for row in csv.reader(f) for cell in row
                    if cell.startswith(FORMULA_START)]
    assert formulas == []


def test_every_record_has_a_feedback_page_of_its_own(batch):
    pages = [p for p in (batch.root / "outputs" / "feedback").iterdir() if p.name != "index.html"]
    owners = sorted(p.read_text(encoding="utf-8").split("<p>Submission: ", 1)[1].split(
        "</p>", 1)[0] for p in pages)
    assert owners == sorted(html.escape(r["submission"]) for r in batch.records.values())


def test_the_feedback_index_links_every_page(batch):
    feedback = batch.root / "outputs" / "feedback"
    index = (feedback / "index.html").read_text(encoding="utf-8")
    assert sorted(p.name for p in feedback.iterdir() if p.name != "index.html") == sorted(
        re.findall(r'<a href="([^"]+)"', index))


def test_the_table_printed_for_the_instructor_has_one_line_per_record(batch):
    lines = batch.run.stdout.splitlines()
    assert len(lines) == 1 + len(batch.records)
    assert [line for line in lines if line.startswith("everyone")] == []


def test_no_submission_file_was_changed_by_another(batch):
    changed = [str(path) for path, content in batch.files.items()
               if path.read_bytes() != content]
    assert changed == []


def test_the_table_printed_for_the_instructor_holds_no_control_characters(batch):
    assert [c for c in batch.run.stdout if not (c.isprintable() or c == "\n")] == []


def test_the_results_stay_small_whatever_the_submissions_say(batch):
    assert (batch.root / "outputs" / "results.json").stat().st_size < 4 * 2**20


def test_results_folder_holds_only_the_results(batch):
    assert sorted(p.name for p in (batch.root / "outputs").iterdir()) == [
        "feedback", "grades.csv", "results.json"]


@pytest.fixture(scope="module")
def rerun(batch) -> dict[str, dict]:
    """The same class graded again into the same files, with the seed the first run
    recorded."""
    (seed,) = {r["seed"] for r in batch.records.values()}
    run = grade_class(batch.root / "submitted", batch.root / "outputs", seed)
    assert run.returncode == 0, run.stderr[-3000:]
    return by_attack(batch.root / "outputs", batch.attacks)


def test_a_rerun_gives_every_submission_the_same_record(batch, rerun):
    """All but a submission that used up its time: how far it got depends on the machine."""
    timed = [n for n, r in batch.records.items() if any("used up its" in f for f in r["flags"])]
    assert timed == ["sleeps-in-every-cell"]
    assert [n for n in batch.records if batch.records[n] != rerun[n] and n not in timed] == []


GAMING = ["hard-codes-the-visible-answers", "detects-grading-by-environment",
          "answers-by-call-order", "answers-from-the-public-seed"]


@pytest.mark.parametrize("name", GAMING)
def test_gaming_attack_would_pass_the_visible_checks(batch, name):
    """The attack is a real one: where only the visible checks run, it gets their points."""
    path = batch.root / "submitted" / name / "lab03_activations" / "lab03_activations.ipynb"
    record = grade_submission(Submission(name, path), LAB, hidden=False)
    (relu,) = [q for q in record.questions if q.id == "lab03.relu"]
    assert relu.score == relu.max_score > 0


def test_an_answer_kept_from_the_first_call_fails_the_visible_checks(batch):
    """Every rule of relu is a visible check with inputs of its own (#20), so a relu that
    answers every call with its first answer no longer passes them."""
    name = "keeps-state-across-calls"
    path = batch.root / "submitted" / name / "lab03_activations" / "lab03_activations.ipynb"
    record = grade_submission(Submission(name, path), LAB, hidden=False)
    (relu,) = [q for q in record.questions if q.id == "lab03.relu"]
    assert relu.score < relu.max_score


# --------------------------------------------------------------------------- writing results


def test_a_failed_write_leaves_the_previous_file_and_no_temporary_one(tmp_path):
    path = tmp_path / "results.json"
    write_json(path, [])
    before = path.read_bytes()
    with pytest.raises(UnicodeEncodeError):
        write_atomic(path, "a name that is not text: \udce9")
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["results.json"]


def test_a_regrade_that_fails_records_zero_and_why_not_the_old_score(tmp_path):
    class_root, outputs = tmp_path / "submitted", tmp_path / "outputs"
    outputs.mkdir()
    (path,) = write_class(class_root, LAB, {"ada": as_file(load_notebook(LAB))})
    assert grade_class(class_root, outputs).returncode == 0
    path.write_bytes(path.read_bytes()[:1000])
    assert grade_class(class_root, outputs).returncode == 0
    (record,) = json.loads((outputs / "results.json").read_text())["submissions"]
    assert record["score"] == 0 and "was it truncated?" in record["errors"][0]


def test_a_student_folder_named_in_another_encoding_is_graded_and_written(tmp_path):
    class_root, outputs = tmp_path / "submitted", tmp_path / "outputs"
    outputs.mkdir()
    folder = os.path.join(os.fsencode(class_root), b"caf\xe9", b"lab03_activations")
    os.makedirs(folder)
    with open(os.path.join(folder, b"lab03_activations.ipynb"), "wb") as f:
        f.write(as_file(load_notebook(LAB)))
    assert grade_class(class_root, outputs).returncode == 0
    with open(outputs / "grades.csv", newline="", encoding="utf-8") as f:
        assert [(r["submission"], r["score"]) for r in csv.DictReader(f)] == [
            ("caf\ufffd", f"{FULL_MARKS:g}")]


# --------------------------------------------------------------------------- links


@pytest.fixture(scope="module")
def linked_class(tmp_path_factory) -> dict[str, Record]:
    """A class where one student's notebook, and another's lab folder, are symbolic links to
    the solutions, graded beside an honest student."""
    class_root = tmp_path_factory.mktemp("linked") / "submitted"
    write_class(class_root, LAB, {"ada": as_file(load_notebook(LAB, "labs"))})
    solution = notebook_path(LAB)
    (class_root / "mal" / solution.parent.name).mkdir(parents=True)
    (class_root / "mal" / solution.parent.name / solution.name).symlink_to(solution)
    (class_root / "eve").mkdir()
    (class_root / "eve" / solution.parent.name).symlink_to(solution.parent)
    return {r.submission: r for r in grade_all(find_submissions([class_root]), LAB)}


@pytest.mark.parametrize("student", ["mal", "eve"])
def test_a_submission_linked_to_the_solutions_earns_nothing(linked_class, student):
    assert linked_class[student].score == 0


@pytest.mark.parametrize("student", ["mal", "eve"])
def test_a_submission_linked_to_the_solutions_is_told_to_hand_in_the_notebook(linked_class,
                                                                              student):
    assert linked_class[student].errors == (
        f"{student}/lab03_activations{'/lab03_activations.ipynb' if student == 'mal' else ''} "
        "is a symbolic link: hand in the notebook itself",)


def test_links_beside_it_leave_an_honest_submission_graded(linked_class):
    assert linked_class["ada"].errors == () and linked_class["ada"].max_score == FULL_MARKS
