"""Exclude patterns, read the way .gitignore lines are.

A pattern is matched against a path relative to a base (the root given on the command line, or
the folder of the configuration file that declares it):
- `legacy`, `*.dev.Dockerfile`: no slash, so any file or folder of that name, at any depth;
- `legacy/`: a trailing slash names folders only;
- `/legacy`, `./legacy`, `services/legacy`: a slash anchors the pattern at the base;
- `*` and `?` stay inside one path segment; `**` spans segments (`**/legacy/**`, `a/**/b`);
- a folder that matches excludes everything below it, so `legacy/**` and `legacy/` agree.
Each pattern remembers whether it ever matched, so a pattern that matched nothing can be reported.
"""
from __future__ import annotations

import re

from msbrewrite.support.ignorefiles import glob_regex
from msbrewrite.support.records import field, record


@record
class Pattern:
    text: str
    regex: re.Pattern
    dirs_only: bool
    hit: bool = False

    def matches(self, rel: str, is_dir: bool) -> bool:
        """`rel` (posix, relative to the base) or one of the folders above it matches."""
        parts = rel.split("/")
        for n in range(1, len(parts) + 1):
            folder = n < len(parts) or is_dir
            if self.dirs_only and not folder:
                continue
            if self.regex.fullmatch("/".join(parts[:n])):
                self.hit = True
                return True
        return False


def compile_pattern(text: str) -> Pattern:
    body = text
    anchored = False
    while body.startswith("./"):
        body, anchored = body[2:], True
    if body.startswith("/"):
        body, anchored = body.lstrip("/"), True
    dirs_only = body.endswith("/")
    body = body.rstrip("/")
    if "/" in body:     # a slash before the end anchors the pattern at the base
        anchored = True
    if body.endswith("/**"):
        # everything inside a folder: the same as the folder itself
        body, dirs_only = body[:-3], True
    body = body or "**"
    # the same glob reading as .gitignore files: a name without a slash matches at any depth
    return Pattern(text, glob_regex(body if anchored else "**/" + body), dirs_only)


@record
class PatternSet:
    """Patterns from one source (the command line, one configuration file)."""
    source: str
    patterns: list[Pattern] = field(default_factory=list)

    @classmethod
    def of(cls, texts, source: str) -> "PatternSet":
        return cls(source, [compile_pattern(t) for t in texts])

    def matches(self, rel: str, is_dir: bool = False) -> bool:
        # every pattern is tried, so each one that applies is marked as used
        return any([p.matches(rel, is_dir) for p in self.patterns])

    def unmatched(self) -> list[str]:
        return [p.text for p in self.patterns if not p.hit]

    def __bool__(self) -> bool:
        return bool(self.patterns)
