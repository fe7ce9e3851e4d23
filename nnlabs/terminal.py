"""Text a student controls (names, feedback quoting their code), made safe for a terminal."""

from __future__ import annotations


def for_terminal(text: str) -> str:
    """``text`` with every character that is not printable shown as its escape
    (``\\x1b``, ``\\n``, ``\\u202e``): nothing a name holds moves the cursor, clears the
    screen or starts a line of its own."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
