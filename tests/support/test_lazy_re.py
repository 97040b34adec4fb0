"""Patterns compiled on first use behave as re.Pattern, and every one in the package compiles."""
from __future__ import annotations

import importlib
import pkgutil
import re

import pytest

import msbrewrite
from msbrewrite.support import lazy_re


def test_a_lazy_pattern_answers_as_the_compiled_one():
    lazy, eager = lazy_re.compile(r"(?P<word>[a-z]+)-(\d)", re.I), re.compile(r"(?P<word>[a-z]+)-(\d)", re.I)
    text = "Ab-1 cd-2 x"
    assert lazy.search(text).group("word") == eager.search(text).group("word") == "Ab"
    assert lazy.match(text).span() == eager.match(text).span()
    assert lazy.fullmatch("ab-3") and not lazy.fullmatch(text)
    assert lazy.findall(text) == eager.findall(text)
    assert [m.span() for m in lazy.finditer(text)] == [m.span() for m in eager.finditer(text)]
    assert lazy.sub(r"\2", text) == eager.sub(r"\2", text)
    assert lazy.subn("", text, 1) == eager.subn("", text, 1)
    assert lazy.split(text) == eager.split(text)
    assert (lazy.pattern, lazy.flags, lazy.groups, dict(lazy.groupindex)) == \
        (eager.pattern, eager.flags, eager.groups, dict(eager.groupindex))
    assert re.sub(lazy.compiled, "", text) == eager.sub("", text)


def test_nothing_is_compiled_before_the_first_use():
    pattern = lazy_re.compile("(unclosed")
    with pytest.raises(re.error):
        pattern.search("x")


def _lazy_patterns(value, seen):
    if isinstance(value, lazy_re.Pattern):
        yield value
    elif isinstance(value, (tuple, list, set, frozenset)) and id(value) not in seen:
        seen.add(id(value))
        for item in value:
            yield from _lazy_patterns(item, seen)
    elif isinstance(value, dict) and id(value) not in seen:
        seen.add(id(value))
        for item in value.values():
            yield from _lazy_patterns(item, seen)


def test_every_pattern_in_the_package_compiles():
    """A module-level pattern no longer fails at import when it is invalid: this finds it instead."""
    found = 0
    for info in pkgutil.walk_packages(msbrewrite.__path__, "msbrewrite."):
        if info.name.endswith("__main__"):
            continue    # runs the command line
        module = importlib.import_module(info.name)
        seen: set[int] = set()
        for name, value in vars(module).items():
            values = vars(value).values() if isinstance(value, type) and value.__module__ == info.name else [value]
            for item in values:
                for pattern in _lazy_patterns(item, seen):
                    assert pattern.compiled, f"{info.name}.{name}"
                    found += 1
    assert found > 100
