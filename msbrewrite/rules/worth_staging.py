"""Whether an app directory is worth staging at all: not when the context shows only build-only files
there (or, without it, every COPY into it names build inputs) and no build step but the compiler
could have written there.
"""
from __future__ import annotations

import bisect
import posixpath

from msbrewrite.model.analysis import StageFacts
from msbrewrite.rules.app_matching import Rule, build_only, matcher
from msbrewrite.rules.asset_folders import asset_folders


def worth_staging(facts: StageFacts, appdir: str, files: list[str] | None, rules: list[Rule], skip: list[str],
                   language: str) -> bool:
    """False when nothing under the app directory can be needed at run time: the context shows only
    build-only files there (or, without it, every COPY into it names build inputs: `Cargo.toml`,
    `src/` of a Rust or Java project), and no build step but the compiler could have written there."""
    if files is None:
        if not _copies_only_build_inputs(facts, appdir, rules, language):
            return True
    elif any(not build_only(f, rules, skip) for f in files) or asset_folders(facts, appdir, rules, skip):
        return True
    programs = {c.program for s in facts.steps if s.ins.keyword == "RUN" for c in s.commands}
    return bool(programs - _QUIET_PROGRAMS - _QUIET_BY_LANGUAGE.get(language, set()))


def _copies_only_build_inputs(facts: StageFacts, appdir: str, rules: list[Rule], language: str) -> bool:
    sources = _copies_under(facts, appdir)
    if not sources:
        return False
    for src, cp in sources:
        name = posixpath.basename(posixpath.normpath(src))
        if language == "cpp" and "*" in name and "/" not in src.strip("/") and \
                any(r.matches(name) for r in rules if not r.pattern.startswith("./")):
            continue    # `COPY *.c ./`: a glob of sources only
        if src.strip("./") == "" or "*" in src or "$" in src:
            return False
        if (language in ("rust", "java") and name == "src") or (language == "cpp" and name in ("src", "include")):
            continue
        if not matcher(rules).matching(name, names_only=True):
            return False
    return True


def _copies_under(facts: StageFacts, appdir: str) -> list[tuple[str, object]]:
    """(source, copy) of every context COPY into `appdir` or below: a range of the copies sorted by
    destination, so a file of thousands of COPY lines into as many folders stays linear."""
    index = getattr(facts, "_copies_by_dest", None)
    if index is None:
        rows = sorted(((posixpath.normpath(cp.dest), src, cp) for cp in facts.copies if not cp.from_stage
                       for src in cp.sources), key=lambda r: r[0])
        index = facts._copies_by_dest = ([r[0] for r in rows], rows)
    keys, rows = index
    prefix = appdir.rstrip("/") + "/"
    out = [] if appdir == "/" else \
        [(src, cp) for _, src, cp in rows[bisect.bisect_left(keys, appdir):bisect.bisect_right(keys, appdir)]]
    start = bisect.bisect_left(keys, prefix)
    out += [(src, cp) for _, src, cp in rows[start:bisect.bisect_left(keys, prefix + "\U0010ffff")]]
    return out


# build steps that write nothing the app reads under its directory (only the artifact, caches, packages)
_QUIET_PROGRAMS = {"go", "cargo", "rustup", "rustc", "mvn", "./mvnw", "mvnw", "gradle", "./gradlew", "gradlew",
                   "apt-get", "apt", "apk", "yum", "dnf", "microdnf", "mkdir", "cp", "mv", "install", "chmod",
                   "chown", "rm", "ls", "echo", "true", "strip", "upx", "useradd", "groupadd", "adduser",
                   "addgroup", "update-ca-certificates", "git", "export", "set", "cd", "test", "["}

# a compiler or make in a C/C++ build writes the binary and its objects, nothing the app reads
_QUIET_BY_LANGUAGE = {"cpp": {"gcc", "g++", "cc", "c++", "clang", "clang++", "cmake", "make", "gmake", "ninja",
                              "meson", "configure", "autoreconf", "autoconf", "automake", "aclocal", "autoheader",
                              "libtoolize", "autogen.sh"}}
