"""Reading C/C++ build files: Makefiles, CMakeLists.txt, meson.build, Makefile.am, compiler lines.

Each reader answers one question: which executables a build writes, where, and how they link
(static or dynamic, sanitizers, libraries, C or C++). Reads are bounded (the context's own limit)
and the patterns are line-local, so an odd or huge file costs linear time.
"""
from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field

from msbrewrite.model.context import Context

COMPILERS_C = {"gcc", "cc", "clang", "tcc", "musl-gcc"}
COMPILERS_CXX = {"g++", "c++", "clang++"}
CXX_SOURCES = (".cpp", ".cc", ".cxx", ".c++", ".C", ".cp")
C_SOURCES = (".c",)
OBJECT_SUFFIXES = (".o", ".a", ".so", ".obj", ".lo", ".la", ".d", ".gch", ".pch")
MAX_DEPTH = 6
_VAR_RE = re.compile(r"\$[({]([A-Za-z_][\w.-]{0,80})[)}]")
_ASSIGN_RE = re.compile(r"([A-Za-z_][\w.-]{0,80})[ \t]*([:?+!]?=|::=)[ \t]*(.*)")
_CMAKE_CALL_RE = re.compile(r"(?i)\b(add_executable|add_library|install|project|set|add_subdirectory|"
                            r"target_link_libraries|target_link_options|add_link_options|target_compile_options|"
                            r"add_compile_options|set_target_properties)[ \t]*\(([^()]{0,4000})\)")
_MESON_EXE_RE = re.compile(r"\bexecutable[ \t]*\([ \t\n]*'([^']{1,200})'([^)]{0,4000})\)")
_AM_PROGRAMS_RE = re.compile(r"(?m)^([a-z]*)_PROGRAMS[ \t]*\+?=[ \t]*([^\n]*)")


@dataclass
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


# ---------------------------------------------------------------- Makefiles
@dataclass
class Rule:
    targets: list[str]
    prereqs: list[str]
    recipe: list[str]


# make's built-in variables (a Makefile that never sets CC still runs `cc`)
MAKE_DEFAULTS = {"CC": "cc", "CXX": "g++", "LINK.c": "$(CC) $(CFLAGS) $(CPPFLAGS) $(LDFLAGS)",
                 "LINK.cc": "$(CXX) $(CXXFLAGS) $(CPPFLAGS) $(LDFLAGS)", "LINK.o": "$(CC) $(LDFLAGS)",
                 "RM": "rm -f", "INSTALL": "install", "INSTALL_PROGRAM": "$(INSTALL)"}


class Makefile:
    def __init__(self, text: str, overrides: dict[str, str] | None = None, environ: dict[str, str] | None = None):
        self.vars: dict[str, str] = dict(MAKE_DEFAULTS)
        self.vars.update(environ or {})     # the environment beats make's defaults, not the Makefile
        self.rules: list[Rule] = []
        self.phony: set[str] = set()
        self._parse(text)
        self.vars.update(overrides or {})   # command-line variables beat the Makefile

    def _parse(self, text: str) -> None:
        rule: Rule | None = None
        for line in text.replace("\\\n", " ").split("\n"):
            if line.startswith("\t"):
                if rule is not None and line.strip() and not line.strip().startswith("#"):
                    rule.recipe.append(line.strip())
                continue
            line = line.split("#", 1)[0].rstrip()
            if not line.strip():
                continue
            stripped = line.strip()
            if stripped.startswith(("ifeq", "ifneq", "ifdef", "ifndef", "else", "endif", "include", "-include",
                                    "export", "unexport", "override ", "define", "endef", "vpath")):
                if stripped.startswith(("export ", "override ")):
                    stripped = stripped.split(" ", 1)[1].strip()
                else:
                    continue
            m = _ASSIGN_RE.match(stripped)
            if m and (":" not in stripped.split("=", 1)[0] or m.group(2) in (":=", "::=")):
                name, op, value = m.group(1), m.group(2), m.group(3).strip()
                if op == "+=":
                    self.vars[name] = (self.vars.get(name, "") + " " + value).strip()
                elif op == "?=":
                    self.vars.setdefault(name, value)
                else:
                    self.vars[name] = value
                rule = None
                continue
            if ":" in stripped:
                head, _, rest = stripped.partition(":")
                rest = rest.lstrip(":")
                if _ASSIGN_RE.match(rest.strip()) and "=" in rest:
                    rule = None     # `release: CXXFLAGS += -O2`: a target-specific variable, not a rule
                    continue
                recipe = []
                if ";" in rest:
                    rest, _, inline = rest.partition(";")
                    recipe = [inline.strip()] if inline.strip() else []
                targets = head.split()
                rule = Rule(targets, rest.split(), recipe)
                if targets == [".PHONY"]:
                    self.phony |= set(rest.split())
                self.rules.append(rule)
                continue
            rule = None

    def expand(self, text: str, auto: dict[str, str] | None = None, depth: int = 0) -> str:
        auto = auto or {}
        text = text.replace("$$", "\x00")
        for name, value in auto.items():
            text = text.replace(name, value)
        if depth < MAX_DEPTH:
            text = _VAR_RE.sub(lambda m: self.expand(self.vars.get(m.group(1), ""), auto, depth + 1), text)
        return text.replace("\x00", "$")

    def target_rule(self, target: str) -> Rule | None:
        """The target's rules merged: prerequisites add up, the recipe comes from the one that has it."""
        found = [rule for rule in self.rules if target in [self.expand(t) for t in rule.targets]]
        if not found:
            return None
        recipe = next((r.recipe for r in found if r.recipe), [])
        return Rule([target], [p for r in found for p in r.prereqs], recipe)

    def default_goal(self) -> str | None:
        for rule in self.rules:
            for t in rule.targets:
                t = self.expand(t)
                if t and not t.startswith(".") and "%" not in t:
                    return t
        return None

    def recipe_words(self, rule: Rule, target: str) -> list[list[str]]:
        auto = {"$@": target, "$<": (self.expand(rule.prereqs[0]) if rule.prereqs else ""),
                "$^": self.expand(" ".join(rule.prereqs)), "$+": self.expand(" ".join(rule.prereqs))}
        out = []
        for line in rule.recipe:
            line = line.lstrip("@-+ ")
            out.append(self.expand(line, auto).split())
        return out

    def executables(self, goal: str, depth: int = 0) -> dict[str, Link]:
        """Executables `make goal` links, relative to the Makefile's directory."""
        found: dict[str, Link] = {}
        if depth > MAX_DEPTH or goal.endswith(OBJECT_SUFFIXES):
            return found
        rule = self.target_rule(goal)
        if rule is None:
            # make's built-in rule: `prog` from `prog.c` (the context decides whether it exists)
            return found
        for words in self.recipe_words(rule, goal):
            for cmd in _commands_of(words):
                kind = compiler_kind(posixpath.basename(cmd[0])) if cmd else None
                if kind is None:
                    continue
                out = compile_output(cmd)
                if out is None:
                    continue
                link = Link(cxx=kind == "c++")
                link.add_words(cmd)
                link.add_words(self.expand("$(LDFLAGS) $(LDLIBS)").split())
                found[posixpath.normpath(out)] = link
        if not found and not rule.recipe and goal not in self.phony and "." not in posixpath.basename(goal):
            objs = [self.expand(p) for p in rule.prereqs]
            if objs and all(p.endswith((".o",) + C_SOURCES + CXX_SOURCES) for p in " ".join(objs).split()):
                # `prog: a.o b.o` with no recipe: make links it with $(CC) (or $(CXX) for C++ objects)
                link = Link()
                link.add_words(self.expand("$(CFLAGS) $(CXXFLAGS) $(LDFLAGS) $(LDLIBS)").split())
                found[goal] = link
        if not found:
            for pre in rule.prereqs:
                for p in self.expand(pre).split():
                    if p != goal:
                        found.update(self.executables(p, depth + 1))
        return found

    def cxx_hint(self) -> bool:
        return bool(re.search(r"\$[({]CXX[)}]|\bg\+\+|\bclang\+\+|\.cpp\b|\.cc\b", " ".join(
            line for r in self.rules for line in r.recipe) + " " + " ".join(self.vars.values())))

    def installs(self, built: dict[str, Link], goal: str = "install") -> dict[str, str]:
        """Built executable (relative) -> absolute path `make install` copies it to."""
        rule = self.target_rule(goal)
        out: dict[str, str] = {}
        if rule is None:
            return out
        names = {posixpath.basename(b): b for b in built}
        for words in self.recipe_words(rule, goal):
            for cmd in _commands_of(words):
                if not cmd or posixpath.basename(cmd[0]) not in ("install", "cp", "mv"):
                    continue
                args = _install_args(cmd)
                if len(args) < 2:
                    continue
                dest, sources = args[-1], args[:-1]
                for src in sources:
                    key = names.get(posixpath.basename(src))
                    if key is None or not dest.startswith("/"):
                        continue
                    many = len(sources) > 1 or dest.endswith("/") or posixpath.basename(dest) in ("bin", "sbin")
                    out[key] = posixpath.join(dest, posixpath.basename(src)) if many else dest
        return out


def _commands_of(words: list[str]) -> list[list[str]]:
    """A recipe line split at && ; || (one shell line may hold several commands)."""
    out, cur = [], []
    for w in words:
        if w in ("&&", ";", "||", "|"):
            out.append(cur)
            cur = []
        else:
            cur.append(w.rstrip(";"))
    out.append(cur)
    return [c for c in out if c]


_INSTALL_VALUE_OPTS = {"-m", "--mode", "-o", "--owner", "-g", "--group", "-t", "--target-directory", "-S"}


def _install_args(cmd: list[str]) -> list[str]:
    args, skip, target = [], False, None
    for i, w in enumerate(cmd[1:], 1):
        if skip:
            skip = False
            continue
        if w in ("-t", "--target-directory") and i + 1 < len(cmd):
            target = cmd[i + 1]
        if w in _INSTALL_VALUE_OPTS:
            skip = True
        elif not w.startswith("-"):
            args.append(w)
    if target:
        args.append(target.rstrip("/") + "/")
    return args


def makefile_text(context: Context, rel_dir: str, name: str | None = None) -> str | None:
    names = [name] if name else ["GNUmakefile", "makefile", "Makefile"]
    for n in names:
        text = context.read(posixpath.join(rel_dir, n) if rel_dir not in ("", ".") else n)
        if text is not None:
            return text
    return None


# ---------------------------------------------------------------- CMake
@dataclass
class CMakeTarget:
    name: str
    subdir: str                 # relative to the top source dir
    link: Link
    install_dir: str | None     # DESTINATION of install(TARGETS ...), relative to the prefix or absolute


class CMakeProject:
    def __init__(self, context: Context, rel_dir: str, defines: dict[str, str] | None = None):
        self.vars: dict[str, str] = dict(defines or {})
        self.targets: dict[str, CMakeTarget] = {}
        self.libraries: set[str] = set()
        self.shared_libraries: set[str] = set()
        self.link = Link()
        self.runtime_output: str | None = None
        self.found = False
        self._read(context, rel_dir, "", 0)

    def _expand(self, text: str) -> str:
        for _ in range(MAX_DEPTH):
            new = re.sub(r"\$\{([\w.-]{1,80})\}", lambda m: self.vars.get(m.group(1), ""), text)
            if new == text:
                break
            text = new
        return text

    def _read(self, context: Context, top: str, sub: str, depth: int) -> None:
        rel = posixpath.normpath(posixpath.join(top, sub, "CMakeLists.txt"))
        text = context.read(rel.lstrip("./") if rel.startswith("./") else rel)
        if text is None or depth > MAX_DEPTH:
            return
        self.found = True
        text = "\n".join(line.split("#", 1)[0] for line in text.split("\n"))
        if re.search(r"(?i)\bproject[ \t]*\([^)]{0,400}\b(CXX)\b", text) or \
                re.search(r"\.(cpp|cc|cxx)\b", text):
            self.link.cxx = True
        for m in _CMAKE_CALL_RE.finditer(text):
            call, words = m.group(1).lower(), [w.strip('"') for w in self._expand(m.group(2)).split()]
            if not words:
                continue
            if call == "project":
                self.vars.setdefault("PROJECT_NAME", words[0])
                self.vars.setdefault("CMAKE_PROJECT_NAME", words[0])
            elif call == "set" and len(words) > 1:
                self.vars[words[0]] = " ".join(words[1:])
                if words[0] == "CMAKE_RUNTIME_OUTPUT_DIRECTORY":
                    # kept unexpanded: ${CMAKE_BINARY_DIR} is the build folder, known only per build
                    self.runtime_output = m.group(2).split()[1].strip('"')
                if words[0] in ("CMAKE_EXE_LINKER_FLAGS", "CMAKE_CXX_FLAGS", "CMAKE_C_FLAGS"):
                    self.link.add_words(words[1:])
            elif call == "add_executable" and not any(w in ("IMPORTED", "ALIAS") for w in words[1:]):
                self.targets[words[0]] = CMakeTarget(words[0], sub, Link(), None)
                if any(w.endswith(CXX_SOURCES) for w in words[1:]):
                    self.link.cxx = True
            elif call == "add_library":
                self.libraries.add(words[0])
                if "SHARED" in words[1:3] or "MODULE" in words[1:3]:
                    self.shared_libraries.add(words[0])
            elif call == "add_subdirectory":
                self._read(context, top, posixpath.join(sub, words[0]), depth + 1)
            elif call == "target_link_libraries":
                self.link.libs |= {w for w in words[1:] if w not in ("PRIVATE", "PUBLIC", "INTERFACE")}
                self.link.add_words(words[1:])
            elif call in ("target_link_options", "add_link_options", "target_compile_options",
                          "add_compile_options"):
                self.link.add_words(words)
            elif call == "install" and words[0] == "TARGETS":
                self._install(words[1:])

    def _install(self, words: list[str]) -> None:
        names, dest, kind = [], None, None
        keywords = {"EXPORT", "ARCHIVE", "LIBRARY", "RUNTIME", "OBJECTS", "FRAMEWORK", "BUNDLE", "PUBLIC_HEADER",
                    "INCLUDES", "PERMISSIONS", "CONFIGURATIONS", "COMPONENT", "OPTIONAL", "NAMELINK_SKIP"}
        i = 0
        while i < len(words) and words[i] not in keywords and words[i] != "DESTINATION":
            names.append(words[i])
            i += 1
        while i < len(words):
            w = words[i]
            if w in keywords:
                kind = w
            elif w == "DESTINATION" and i + 1 < len(words) and kind in (None, "RUNTIME"):
                dest = words[i + 1]
                if kind == "RUNTIME":
                    break
            i += 1
        for n in names:
            if n in self.targets:
                self.targets[n].install_dir = dest or "bin"

    def binary_dir_of(self, target: CMakeTarget, build_dir: str) -> str:
        if self.runtime_output:
            out = self.runtime_output.replace("${CMAKE_BINARY_DIR}", build_dir) \
                .replace("${PROJECT_BINARY_DIR}", build_dir).replace("${CMAKE_CURRENT_BINARY_DIR}", build_dir)
            out = self._expand(out)
            return out if out.startswith("/") else posixpath.join(build_dir, out)
        return posixpath.normpath(posixpath.join(build_dir, target.subdir))


# ---------------------------------------------------------------- Meson, automake
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
