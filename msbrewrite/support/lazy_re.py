"""Regular expressions compiled on first use.

A module-level `re.compile` runs when the module is imported, whether or not the conversion at hand
ever reaches the pattern: a one-file conversion imports some hundred modules and used to compile
every pattern in them, a tenth of its time. `lazy_re.compile` takes the same arguments and returns
an object with the methods of `re.Pattern` that compiles on the first call. Pass `.compiled` where
an `re.Pattern` itself is needed (`re.sub(p.compiled, ...)`, `isinstance`).
"""
from __future__ import annotations

import re


class Pattern:
    __slots__ = ("_source", "_flags", "_compiled")

    def __init__(self, source, flags: int = 0):
        self._source, self._flags, self._compiled = source, flags, None

    @property
    def compiled(self) -> re.Pattern:
        if self._compiled is None:
            self._compiled = re.compile(self._source, self._flags)
        return self._compiled

    @property
    def pattern(self):
        return self._source

    @property
    def flags(self) -> int:
        return self.compiled.flags

    @property
    def groups(self) -> int:
        return self.compiled.groups

    @property
    def groupindex(self):
        return self.compiled.groupindex

    def search(self, *args):
        return self.compiled.search(*args)

    def match(self, *args):
        return self.compiled.match(*args)

    def fullmatch(self, *args):
        return self.compiled.fullmatch(*args)

    def finditer(self, *args):
        return self.compiled.finditer(*args)

    def findall(self, *args):
        return self.compiled.findall(*args)

    def sub(self, *args):
        return self.compiled.sub(*args)

    def subn(self, *args):
        return self.compiled.subn(*args)

    def split(self, *args):
        return self.compiled.split(*args)

    def __repr__(self) -> str:
        return f"lazy_re.compile({self._source!r})"


def compile(source, flags: int = 0) -> Pattern:  # noqa: A001 - the name re's callers know
    return Pattern(source, flags)
