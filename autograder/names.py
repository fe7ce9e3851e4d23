"""Student ids are untrusted text: how one is printed, put in a CSV cell, or made a file name.

An id comes from a folder or file name a student may have chosen; it can hold
control characters, start like a spreadsheet formula, differ from another
only in punctuation, case or Unicode normalization, or be 255 bytes long. The
results JSON keeps the exact id; everything else goes through one of these.
"""

from __future__ import annotations

import hashlib
import re

from nnlabs.terminal import for_terminal

__all__ = ["csv_cell", "file_name", "for_terminal"]

# OWASP's rule for CSV injection: a cell starting with one of these is a formula to a
# spreadsheet; a leading quote makes it text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Ids used as they are in a file name: lower case (no clash on a case-insensitive disk),
# ASCII, no dot (the hashed form has one), bounded; "index" is the feedback folder's index.
PLAIN_STEM = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
RESERVED_STEMS = frozenset({"index"})
SLUG_CHARS = 40
DIGEST_CHARS = 16


def csv_cell(value: object) -> str:
    """``value`` as a CSV cell a spreadsheet shows as text: text that starts like a formula
    gets a leading ``'`` (numbers are written as they are)."""
    text = "" if value is None else str(value)
    return "'" + text if isinstance(value, str) and text.startswith(FORMULA_START) else text


def file_name(student_id: str, suffix: str) -> str:
    """A file name for ``student_id`` (then ``suffix``), unique and stable per exact id.

    An id like ``ada`` or ``zoe_m-2`` is used as it is; any other gets a readable slug
    of at most 40 characters, a dot and 16 hex digits of the SHA-256 of the exact id, so
    ``x+1`` and ``x=1``, ``Ada`` and ``ada``, ``café`` in NFC and in NFD get different
    names, and a 300-character id a short one. The two forms never meet (only the
    second has a dot), and every name is lower-case ASCII.
    """
    if PLAIN_STEM.fullmatch(student_id) and student_id not in RESERVED_STEMS:
        return student_id + suffix
    slug = re.sub(r"[^a-z0-9_-]+", "_", student_id.lower()).strip("_-")[:SLUG_CHARS] or "_"
    digest = hashlib.sha256(student_id.encode("utf-8", "surrogatepass")).hexdigest()
    return f"{slug}.{digest[:DIGEST_CHARS]}{suffix}"
