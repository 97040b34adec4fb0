"""Meson and automake: the executables meson.build declares and the programs Makefile.am lists.

Each follows its own subdirectory calls (`subdir()`, `SUBDIRS =`), bounded in depth.
"""
from __future__ import annotations

import posixpath
import re

from msbrewrite.model.context import Context
from msbrewrite.languages.cpp.compiler import MAX_DEPTH
from msbrewrite.support import lazy_re

_MESON_EXE_RE = lazy_re.compile(r"\bexecutable[ \t]*\([ \t\n]*'([^']{1,200})'([^)]{0,4000})\)")
_AM_PROGRAMS_RE = lazy_re.compile(r"(?m)^([a-z]*)_PROGRAMS[ \t]*\+?=[ \t]*([^\n]*)")


def meson_executables(context: Context, rel_dir: str, depth: int = 0) -> dict[str, tuple[str, bool, bool]]:
    """name -> (subdir, installed, C++) of each `executable(...)` in meson.build (and its subdir() calls)."""
    out: dict[str, tuple[str, bool, bool]] = {}
    text = context.read(posixpath.join(rel_dir, "meson.build") if rel_dir else "meson.build")
    if text is None or depth > MAX_DEPTH:
        return out
    text = "\n".join(line.split("#", 1)[0] for line in text.split("\n"))
    cxx = bool(re.search(r"\bproject[ \t]*\([^)]{0,400}'cpp'", text))
    for m in _MESON_EXE_RE.finditer(text):
        rest = m.group(2)
        out[m.group(1)] = (rel_dir, "install" in rest and re.search(r"install[ \t]*:[ \t]*true", rest) is not None,
                           cxx or bool(re.search(r"\.(cpp|cc|cxx)'", rest)))
    for sub in re.findall(r"\bsubdir[ \t]*\([ \t]*'([^']{1,200})'", text):
        for name, info in meson_executables(context, posixpath.join(rel_dir, sub), depth + 1).items():
            out.setdefault(name, info)
    return out


def automake_programs(context: Context, rel_dir: str, depth: int = 0) -> dict[str, str]:
    """Program name -> install dir variable (bin, sbin, libexec, noinst) from Makefile.am."""
    text = context.read(posixpath.join(rel_dir, "Makefile.am") if rel_dir else "Makefile.am") or ""
    out: dict[str, str] = {}
    if depth > MAX_DEPTH:
        return out
    for where, names in _AM_PROGRAMS_RE.findall(text):
        for n in names.split():
            if not n.startswith("$"):
                out[n] = where
    for sub in re.findall(r"(?m)^SUBDIRS[ \t]*=[ \t]*([^\n]*)", text)[:1]:
        for d in sub.split():
            if d != "." and not d.startswith("$"):
                for n, w in automake_programs(context, posixpath.join(rel_dir, d), depth + 1).items():
                    out.setdefault(n, w)
    return out
