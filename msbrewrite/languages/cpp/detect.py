"""C/C++: how strongly a stage looks like a C/C++ build, as scored evidence.

Imported for every detection, so it stays light: no planner, no runtime rules."""
from __future__ import annotations

import posixpath
import re

from msbrewrite.model.analysis import StageFacts
from msbrewrite.model.plan import Detection, Evidence
from msbrewrite.model.shell import Command, resolve
from msbrewrite.languages.cpp.compiler import CXX_SOURCES, C_SOURCES, compiler_kind
from msbrewrite.languages.common import copies_whole_context


NAME = "cpp"
TOOLCHAIN_PACKAGES = {"build-essential", "gcc", "g++", "clang", "build-base", "make", "cmake", "meson", "ninja-build",
                      "ninja", "autoconf", "automake", "libtool", "musl-dev", "libc6-dev", "gcc-c++"}
TOOLCHAIN_IMAGES = {"gcc", "buildpack-deps", "clang"}


def detect(facts: StageFacts) -> Detection:
    ev: list[Evidence] = []
    where = f"Dockerfile:{facts.stage.from_.lineno}"
    if facts.image_name == "gcc":
        ev.append(Evidence(f"base image {facts.image}", where, 3))
    build = _build_signal(facts)
    pkgs = {p.split("=")[0] for p in facts.packages} & TOOLCHAIN_PACKAGES
    toolchain = bool(pkgs) or facts.image_name in TOOLCHAIN_IMAGES
    if build:
        # `./configure && make` on an image without a compiler says little: it may not be C at all
        ev.append(Evidence(build[0] + ("" if toolchain else " (no compiler installed)"), f"Dockerfile:{build[1]}",
                           2 if toolchain else 1))
    if pkgs and build:
        ev.append(Evidence(f"installs {', '.join(sorted(pkgs)[:3])}", "Dockerfile", 1))
    for marker in ("CMakeLists.txt", "meson.build", "configure.ac"):
        if facts.context.exists(marker) and (marker in facts.copied_names() or copies_whole_context(facts)):
            ev.append(Evidence(marker, f"context:{marker}", 1))
            break
    return Detection(NAME, sum(e.weight for e in ev), ev)


def _build_signal(facts: StageFacts) -> tuple[str, int] | None:
    """The first step that compiles C or C++ (a compiler line, CMake, Meson, configure, or a C Makefile)."""
    for step in facts.steps:
        for c in step.commands:
            if compiler_kind(c.program) and any(w.endswith(C_SOURCES + CXX_SOURCES) for w in c.argv[1:]):
                return f"{c.program} compiles C/C++", step.ins.lineno
            if c.program == "cmake" or (c.program == "meson" and len(c.argv) > 1):
                return c.program, step.ins.lineno
            if c.argv and c.argv[0].endswith("/configure"):
                return "./configure", step.ins.lineno
            if c.program in ("make", "gmake") and _c_makefile(facts, c):
                return "make with a C/C++ Makefile", step.ins.lineno
    return None


def context_dir(facts: StageFacts, builder_dir: str, *markers: str) -> str | None:
    """The context folder a builder folder came from ("" for the context root), found through the
    folder itself or one of its marker files (`COPY Makefile main.c ./` copies no folder)."""
    if not facts.context:
        return None
    for marker in markers:
        rel = facts.context_path(posixpath.join(builder_dir, marker))
        if rel is not None and facts.context.exists(rel):
            d = posixpath.dirname(rel)
            return "" if d in (".", "") else d
    rel = facts.context_path(builder_dir)
    return None if rel is None else ("" if rel in (".", "") else rel)


MAKEFILES = ("GNUmakefile", "makefile", "Makefile")


def _c_makefile(facts: StageFacts, c: Command) -> bool:
    from msbrewrite.languages.cpp.makefile import makefile_text   # only when make runs
    rel = context_dir(facts, _make_dir(c), *MAKEFILES)
    text = makefile_text(facts.context, rel) if rel is not None else None
    if text is None:
        return False
    return bool(re.search(r"\$[({](CC|CXX|LINK\.c|LINK\.cc)[)}]|\b(gcc|g\+\+|clang|clang\+\+|cc)[ \t]", text))


def _make_dir(c: Command) -> str:
    for i, w in enumerate(c.argv[1:], 1):
        if w == "-C" and i + 1 < len(c.argv):
            return resolve(c.argv[i + 1], c.cwd)
        if w.startswith("-C") and len(w) > 2:
            return resolve(w[2:], c.cwd)
        if w.startswith("--directory="):
            return resolve(w.split("=", 1)[1], c.cwd)
    return c.cwd
