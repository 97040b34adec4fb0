"""C/C++ compiler lines: which driver (C or C++), which executable a line links, and how it links.

`Link` is the answer every build-file reader gives (static or dynamic, sanitizers, libraries,
OpenMP, C or C++); the readers are `makefile`, `cmake` and `meson_automake`. Their reads are
bounded (the context's own limit, `MAX_DEPTH` for nesting) and their patterns line-local, so
an odd or huge file costs linear time.
"""
from __future__ import annotations

import posixpath
import re

from msbrewrite.support.records import field, record

COMPILERS_C = {"gcc", "cc", "clang", "tcc", "musl-gcc"}
COMPILERS_CXX = {"g++", "c++", "clang++"}
CXX_SOURCES = (".cpp", ".cc", ".cxx", ".c++", ".C", ".cp")
C_SOURCES = (".c",)
OBJECT_SUFFIXES = (".o", ".a", ".so", ".obj", ".lo", ".la", ".d", ".gch", ".pch")
# how deep every build-file reader follows variables, subdirectories and prerequisites
MAX_DEPTH = 6


@record
class Link:
    """How a build links its executables (the union over what it compiles)."""
    cxx: bool = False
    static: bool = False
    sanitizers: set[str] = field(default_factory=set)
    libs: set[str] = field(default_factory=set)         # `-l` names and CMake imported targets
    openmp: bool = False

    def add_words(self, words: list[str]) -> None:
        for i, w in enumerate(words):
            if w == "-static" or w == "--static":
                self.static = True
            elif w.startswith("-fsanitize="):
                self.sanitizers |= {s for s in w.split("=", 1)[1].split(",") if s}
            elif w.startswith("-l") and len(w) > 2:
                self.libs.add(w[2:])
            elif w == "-l" and i + 1 < len(words):
                self.libs.add(words[i + 1])
            elif w in ("-fopenmp", "-qopenmp"):
                self.openmp = True
            elif w == "-lstdc++" or w.endswith(CXX_SOURCES) or posixpath.basename(w) in COMPILERS_CXX:
                self.cxx = True

    def merge(self, other: "Link") -> None:
        self.cxx |= other.cxx
        self.static |= other.static
        self.sanitizers |= other.sanitizers
        self.libs |= other.libs
        self.openmp |= other.openmp


def compiler_kind(program: str) -> str | None:
    """'c', 'c++' or None for a compiler driver name (`gcc-12`, `x86_64-linux-gnu-g++`, `clang++-15`)."""
    name = re.sub(r"-\d+(\.\d+)*$", "", program)
    name = name.rsplit("-", 1)[-1] if name.count("-") and name.rsplit("-", 1)[-1] in COMPILERS_C | COMPILERS_CXX \
        else name
    if name in COMPILERS_CXX:
        return "c++"
    if name in COMPILERS_C:
        return "c"
    return None


def compile_output(argv: list[str]) -> str | None:
    """The executable a compiler line links (`-o x`, default a.out), None for -c/-E/-S/-shared."""
    if any(w in ("-c", "-E", "-S", "-M", "-MM", "-shared", "--version", "-v", "-dumpversion", "-dumpmachine")
           for w in argv[1:]):
        return None
    out = None
    for i, w in enumerate(argv[1:], 1):
        if w == "-o" and i + 1 < len(argv):
            out = argv[i + 1]
        elif w.startswith("-o") and len(w) > 2:
            out = w[2:]
    sources = [w for w in argv[1:] if not w.startswith("-") and w.endswith(C_SOURCES + CXX_SOURCES + (".o",))]
    if out is None and not sources:
        return None
    return out or "a.out"
