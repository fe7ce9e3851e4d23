"""Copy detection: this course's fingerprints (:mod:`autograder.similarity`) against copydetect.

    .venv/bin/python benchmarks/bench_similarity.py [--classes 5] [--honest 37]

Each class is the synthetic one the tests use (:mod:`autograder.catalogue.cohort`):
independent students, a disguised copy (``copy-a`` of ``student-00``), a partial copy
(``copy-b`` of ``student-01``) and the stub handed in. Both detectors see the same
answer cells with the stub's as boilerplate; copydetect (``pip install copydetect``;
never a dependency of the course) runs with its defaults (noise 25, guarantee 25), a
pair's score the larger of its two overlap shares. Prints, per detector and class,
the copied pairs' lowest score, the independent pairs' highest, the gap between them,
whether both copies rank first and the seconds taken.
"""

from __future__ import annotations

import argparse
import io
import itertools
import time

from autograder.catalogue import load_notebook
from autograder.catalogue.cohort import synthetic_class
from autograder.similarity import answer_sources, compare, fingerprint

LAB = "lab03"
COPIES = [frozenset({"student-00", "copy-a"}), frozenset({"student-01", "copy-b"})]


def ours(students: dict[str, str], stub: str) -> dict[frozenset, float]:
    answers = [fingerprint(name, [code]) for name, code in students.items()]
    pairs = compare(answers, fingerprint("stub", [stub]), top=len(answers) ** 2).pairs
    scores = {frozenset({p.first.name, p.second.name}): p.similarity for p in pairs}
    return {frozenset(pair): scores.get(frozenset(pair), 0.0)
            for pair in itertools.combinations(students, 2)}


def theirs(students: dict[str, str], stub: str) -> dict[frozenset, float]:
    from copydetect import CodeFingerprint, compare_files

    k, window = 25, 1  # CopyDetector's defaults: noise_t=25, guarantee_t=25
    boilerplate = sorted(CodeFingerprint("stub.py", k, window, fp=io.StringIO(stub)).hashes)
    prints = {name: CodeFingerprint(f"{name}.py", k, window, boilerplate=boilerplate,
                                    fp=io.StringIO(code)) for name, code in students.items()}
    return {frozenset({a, b}): float(max(compare_files(prints[a], prints[b])[1]))
            for a, b in itertools.combinations(students, 2)}


def summary(scores: dict[frozenset, float]) -> tuple[float, float, bool]:
    copied = min(scores[pair] for pair in COPIES)
    honest = max(s for pair, s in scores.items() if pair not in COPIES)
    top = sorted(scores, key=scores.get, reverse=True)[:2]
    return copied, honest, set(top) == set(COPIES)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--classes", type=int, default=5)
    parser.add_argument("--honest", type=int, default=37)
    args = parser.parse_args()
    stub = "\n\n".join(answer_sources(load_notebook(LAB, "labs")))
    detectors = {"ours": ours, "copydetect": theirs}
    try:
        import copydetect  # noqa: F401
    except ImportError:
        print("copydetect is not installed (pip install copydetect): ours only")
        del detectors["copydetect"]
    print(f"{'detector':<11} {'class':>5} {'copies >=':>9} {'honest <=':>9} {'gap':>6} "
          f"{'copies top':>10} {'seconds':>8}")
    for seed in range(args.classes):
        students = {name: "\n\n".join(answer_sources(notebook)) for name, notebook in
                    synthetic_class(LAB, args.honest, seed=seed).items()}
        for label, detect in detectors.items():
            start = time.perf_counter()
            copied, honest, top = summary(detect(students, stub))
            seconds = time.perf_counter() - start
            print(f"{label:<11} {seed:>5} {copied:>9.3f} {honest:>9.3f} {copied - honest:>6.3f} "
                  f"{'yes' if top else 'no':>10} {seconds:>8.2f}")


if __name__ == "__main__":
    main()
