"""Which submissions share code: winnowed token fingerprints of the answer cells, as MOSS does.

A submission's answer cells (nbgrader's solution cells) are read as Python tokens
with what a copier changes for free taken out: comments, blank lines, layout and
docstrings are dropped, and every name the student chose (variables, parameters,
the functions' own names) becomes ``V``; keywords, builtins, the modules' names
(``np``) and attributes (``np.exp``) stay, as do numbers; strings become ``S``.
Every run of :data:`K` tokens is hashed, and of each :data:`WINDOW` consecutive
hashes the smallest is kept (winnowing: a shared run of ``K + WINDOW - 1``
tokens always leaves a shared fingerprint).

Fingerprints of the stub's own answer cells (the given signatures, the ``raise
NotImplementedError``) are removed. The rest are weighted by how rare they are in
the lab's class, ``log(n / df)`` for a fingerprint that ``df`` of the ``n``
submissions hold: code the whole class writes alike (``np.maximum(s, 0)``) weighs
little, code two students alone share weighs much. A pair's similarity is the
weighted Jaccard index of their fingerprint sets, from 0 to 1.

A high similarity is a reason to look at the two submissions, not a verdict: short
answers to a narrow question can coincide honestly, and a student may share code
with one who copied from them.
"""

from __future__ import annotations

import builtins
import io
import keyword
import math
import token
import tokenize
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

K = 8
WINDOW = 4
# Above this similarity a pair is marked for a look; the tests hold the catalogue's
# independent students below it and copied pairs above it.
THRESHOLD = 0.5
KEPT_NAMES = frozenset(dir(builtins)) | {"np", "numpy", "math", "scipy", "random"}
DROPPED = {token.COMMENT, token.NL, token.ENCODING, token.ENDMARKER, tokenize.TYPE_COMMENT}
STATEMENT_START = (token.NEWLINE, token.INDENT, token.DEDENT)
LAYOUT = frozenset(token.tok_name[t] for t in STATEMENT_START)  # tokens that mark no line
BLOCK_SIZE = 4096  # fingerprints per block of the pair computation


@dataclass
class Answers:
    """One submission's answer code, as fingerprints.

    ``cells`` are the answer cells' sources; ``prints`` maps each fingerprint to where its
    runs of tokens start, as ``(cell index, token index)`` pairs; ``lines[cell][token]`` is
    the line a token stands on (0 for an indent, a dedent or a line's end, which mark
    none: an indent stands on the line of what follows it, a docstring perhaps).
    """

    name: str
    cells: list[str]
    prints: dict[int, list[tuple[int, int]]] = field(default_factory=dict)
    lines: list[list[int]] = field(default_factory=list)

    def covered(self, fingerprints: Iterable[int]) -> frozenset[tuple[int, int]]:
        """The ``(cell index, line number)`` pairs the runs of ``fingerprints`` cover."""
        return frozenset((cell, line) for h in fingerprints for cell, start in self.prints[h]
                         for line in self.lines[cell][start:start + K] if line)


def answer_sources(notebook: dict) -> list[str]:
    """The sources of the notebook's answer cells (nbgrader solution code cells), in order;
    every code cell when none is marked (a notebook whose metadata was stripped)."""
    code = [c for c in notebook.get("cells", []) if isinstance(c, dict)
            and c.get("cell_type") == "code"]
    marked = [c for c in code if isinstance(c.get("metadata"), dict)
              and isinstance(c["metadata"].get("nbgrader"), dict)
              and c["metadata"]["nbgrader"].get("solution")]
    return [_text(c.get("source", "")) for c in marked or code]


def _text(source: object) -> str:
    if isinstance(source, list):
        return "".join(s for s in source if isinstance(s, str))
    return source if isinstance(source, str) else ""


def normalized_tokens(source: str) -> list[tuple[str, int]]:
    """``source`` as normalized tokens, each with its line number (see the module's
    docstring). Code that does not tokenize to the end keeps the tokens before the fault."""
    tokens: list[tokenize.TokenInfo] = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type not in DROPPED:
                tokens.append(tok)
    except (tokenize.TokenError, SyntaxError):
        pass
    out, skip, after_dot = [], set(), False
    for i, tok in enumerate(tokens):
        if i in skip:
            continue
        bare = tok.type == token.STRING and (i == 0 or tokens[i - 1].type in STATEMENT_START) \
            and (i + 1 == len(tokens) or tokens[i + 1].type == token.NEWLINE)
        if bare:  # a docstring, or any string standing as a statement
            skip.add(i + 1)
            continue
        out.append((_normal(tok, after_dot), tok.start[0]))
        after_dot = tok.type == token.OP and tok.string == "."
    return out


def _normal(tok: tokenize.TokenInfo, after_dot: bool) -> str:
    if tok.type == token.NAME:
        kept = keyword.iskeyword(tok.string) or after_dot or tok.string in KEPT_NAMES
        return tok.string if kept else "V"
    if tok.type == token.STRING:
        return "S"
    if tok.type in (token.NEWLINE, token.INDENT, token.DEDENT):
        return token.tok_name[tok.type]
    return tok.string


def winnow(words: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """The hash of every run of :data:`K` of ``words`` (at least ``K``), and the positions of
    the runs winnowing keeps: of each :data:`WINDOW` consecutive hashes, the smallest (the
    rightmost of equals)."""
    hashes = np.array([zlib.crc32(" ".join(words[i:i + K]).encode())
                       for i in range(len(words) - K + 1)], dtype=np.int64)
    width = min(WINDOW, len(hashes))
    windows = np.lib.stride_tricks.sliding_window_view(hashes, width)
    rightmost = width - 1 - np.argmin(windows[:, ::-1], axis=1)
    return hashes, np.unique(np.arange(len(windows)) + rightmost)


def fingerprint(name: str, cells: list[str]) -> Answers:
    """A submission's answer cells as :class:`Answers`."""
    answers = Answers(name, cells)
    for cell, source in enumerate(cells):
        tokens = normalized_tokens(source)
        answers.lines.append([0 if word in LAYOUT else line for word, line in tokens])
        if len(tokens) < K:
            continue
        hashes, chosen = winnow([word for word, _ in tokens])
        for start in chosen.tolist():
            answers.prints.setdefault(int(hashes[start]), []).append((cell, start))
    return answers


@dataclass(frozen=True)
class Pair:
    """Two submissions and how much answer code they share: ``similarity`` (0 to 1) and the
    lines of each that the shared fingerprints cover."""

    first: Answers
    second: Answers
    similarity: float
    shared_first: frozenset[tuple[int, int]]
    shared_second: frozenset[tuple[int, int]]


@dataclass(frozen=True)
class Comparison:
    """One lab's submissions compared: every pair's similarity (``scores``, in no order) and
    the ``pairs`` that rank highest, highest first."""

    scores: np.ndarray
    pairs: list[Pair]

    @property
    def above(self) -> int:
        """How many pairs are above :data:`THRESHOLD`."""
        return int((self.scores > THRESHOLD).sum())


def compare(submissions: Sequence[Answers], stub: Answers | None = None,
            top: int = 20) -> Comparison:
    """Every pair of ``submissions`` (one lab's), the stub's fingerprints left out; the
    ``top`` pairs by similarity, those sharing no weighted fingerprint left out."""
    given = set(stub.prints) if stub else set()
    n = len(submissions)
    if n < 2:
        return Comparison(np.zeros(0), [])
    df: dict[int, int] = {}
    for s in submissions:
        for h in s.prints:
            if h not in given:
                df[h] = df.get(h, 0) + 1
    weight = {h: math.log(n / d) for h, d in df.items()}
    totals = np.array([sum(weight.get(h, 0.0) for h in s.prints) for s in submissions])
    shared = [h for h, d in df.items() if 1 < d < n]  # the only ones two can share with weight
    column = {h: j for j, h in enumerate(shared)}
    members = [[column[h] for h in s.prints if h in column] for s in submissions]
    inter = np.zeros((n, n))
    for low in range(0, len(shared), BLOCK_SIZE):
        held = np.zeros((n, min(BLOCK_SIZE, len(shared) - low)), dtype=np.float32)
        for row, cols in enumerate(members):
            cols = [c - low for c in cols if low <= c < low + BLOCK_SIZE]
            held[row, cols] = 1.0
        w = np.array([weight[h] for h in shared[low:low + BLOCK_SIZE]], dtype=np.float32)
        inter += (held * w) @ held.T
    union = totals[:, None] + totals[None, :] - inter
    with np.errstate(invalid="ignore", divide="ignore"):
        score = np.where(union > 0, inter / union, 0.0)
    upper = np.triu_indices(n, 1)
    order = np.argsort(-score[upper], kind="stable")[:top]
    pairs = []
    for k in order:
        i, j = int(upper[0][k]), int(upper[1][k])
        if score[i, j] <= 0:
            break
        pairs.append(_pair(submissions[i], submissions[j], float(score[i, j]), weight))
    return Comparison(score[upper], pairs)


def _pair(a: Answers, b: Answers, similarity: float, weight: dict[int, float]) -> Pair:
    common = [h for h in a.prints.keys() & b.prints.keys() if weight.get(h, 0.0) > 0]
    return Pair(a, b, similarity, a.covered(common), b.covered(common))
