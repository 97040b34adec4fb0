"""Which rules match a path: a rule is a name glob (any depth) or a `./path` anchored at the app
directory, with the kind of build-only file it names. The matcher tries each distinct name once,
so a context of thousands of files costs the number of its distinct names, not files x rules.
"""
from __future__ import annotations

import fnmatch
from functools import lru_cache

from msbrewrite.support.records import record


@record(frozen=True)
class Rule:
    pattern: str        # a name glob (any depth), or "./path" anchored at the app directory
    kind: str           # why it is build-only, for the report

    def matches(self, rel: str) -> bool:
        """Whether `rel` (a path relative to the app directory) or one of its parents matches."""
        parts = rel.split("/")
        if self.pattern.startswith("./"):
            anchored = self.pattern[2:]
            return any(name_matches("/".join(parts[:i + 1]), anchored) for i in range(len(parts)))
        return any(name_matches(part, self.pattern) for part in parts)


_GLOB = frozenset("*?[")


@lru_cache(maxsize=65536)
def name_matches(name: str, pattern: str) -> bool:
    # a context holds the same names over and over (index.js, __init__.py): each pair is decided once
    if _GLOB.isdisjoint(pattern):
        return name == pattern
    # most rules are `*.ext` or `prefix*`: decided without translating the glob into a regex,
    # which costs more than the whole match on a one-file conversion
    if pattern[0] == "*" and _GLOB.isdisjoint(pattern[1:]):
        return name.endswith(pattern[1:])
    if pattern[-1] == "*" and _GLOB.isdisjoint(pattern[:-1]):
        return name.startswith(pattern[:-1])
    return fnmatch.fnmatchcase(name, pattern)


class RuleMatcher:
    """Which of a list of rules match a path, at the cost of the path's depth: a name is tried
    against the name rules once per distinct name (a context repeats names), not once per file,
    and a path once per process (Dockerfiles built from one context ask about the same paths)."""

    def __init__(self, rules: list[Rule]):
        self.rules = rules
        self._names = [(i, r.pattern) for i, r in enumerate(rules) if not r.pattern.startswith("./")]
        self._anchored = [(i, r.pattern[2:]) for i, r in enumerate(rules) if r.pattern.startswith("./")]
        self._by_name: dict[str, tuple[int, ...]] = {}
        self._by_path: dict[tuple[str, bool], frozenset[int]] = {}

    def _name(self, name: str) -> tuple[int, ...]:
        hit = self._by_name.get(name)
        if hit is None:
            hit = self._by_name[name] = tuple(i for i, p in self._names if name_matches(name, p))
        return hit

    def matching(self, rel: str, names_only: bool = False) -> frozenset[int]:
        """Indexes of the rules that match `rel` or one of its parents."""
        key = (rel, names_only)
        hit = self._by_path.get(key)
        if hit is None:
            hit = self._match(rel, names_only)
            if _remembered.count < MAX_REMEMBERED:
                _remembered.count += 1
                self._by_path[key] = hit
        return hit

    def _match(self, rel: str, names_only: bool) -> frozenset[int]:
        parts = rel.split("/")
        out = {i for part in parts for i in self._name(part)}
        if not names_only:
            prefixes = ["/".join(parts[:n + 1]) for n in range(len(parts))]
            out |= {i for i, pattern in self._anchored if any(name_matches(p, pattern) for p in prefixes)}
        return frozenset(out)

    def any(self, rel: str) -> bool:
        return bool(self.matching(rel))

    def first(self, rel: str) -> Rule | None:
        hit = self.matching(rel)
        return self.rules[min(hit)] if hit else None


class _Count:
    count = 0


# paths remembered by all matchers together (each a few hundred bytes): beyond it they are
# matched again, never forgotten halfway, so memory stays bounded over any run
MAX_REMEMBERED = 100_000
_remembered = _Count()
_MATCHERS: dict[int, tuple[list[Rule], RuleMatcher]] = {}
_BY_RULES: dict[tuple[Rule, ...], RuleMatcher] = {}


def matcher(rules: list[Rule]) -> RuleMatcher:
    """The matcher of this list of rules: the same one for this very list while it lives in the
    cache, and for an equal list (another Dockerfile of the run with the same rules)."""
    entry = _MATCHERS.get(id(rules))
    if entry is None or entry[0] is not rules:
        if len(_MATCHERS) > 64:
            _MATCHERS.clear()
        key = tuple(rules)
        found = _BY_RULES.get(key)
        if found is None:
            if len(_BY_RULES) >= 16:
                _BY_RULES.clear()
                _MATCHERS.clear()
                _remembered.count = 0
            found = _BY_RULES[key] = RuleMatcher(list(rules))
        entry = _MATCHERS[id(rules)] = (rules, found)
    return entry[1]


def build_only(rel: str, rules: list[Rule], skip: list[str]) -> bool:
    return matcher(rules).any(rel) or any(rel == s or rel.startswith(s + "/") for s in skip)
