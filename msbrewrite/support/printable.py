"""Text from the input shown on a terminal: control characters escaped, never sent raw.

A file name or a Dockerfile line may hold an escape sequence (which a terminal would run) or a
newline (which would forge a second report line); both are shown as Python-style escapes.
"""
from __future__ import annotations

from msbrewrite.support import lazy_re

_CONTROL = lazy_re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")


def printable(text: str) -> str:
    """One line: every control character (newline included) written as an escape (`\\n`, `\\x1b`)."""
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)


def printable_lines(text: str) -> str:
    """Several lines: the newlines between them kept, every other control character escaped."""
    return "\n".join(printable(line) for line in text.split("\n"))
