"""Makefiles: which executables `make GOAL` links (and how), and where `make install` puts them.

The reader follows make's own rules where they decide the answer: variable flavours and
precedence (command line over Makefile over environment over make's defaults), merged rules,
built-in rules and automatic variables. Reads are bounded and line-local.
"""
from __future__ import annotations

import posixpath
import re

from msbrewrite.model.context import Context
from msbrewrite.languages.cpp.compiler import (CXX_SOURCES, C_SOURCES, MAX_DEPTH, OBJECT_SUFFIXES, Link, compile_output,
                                               compiler_kind)
from msbrewrite.support.records import record

from msbrewrite.support import lazy_re

_VAR_RE = lazy_re.compile(r"\$[({]([A-Za-z_][\w.-]{0,80})[)}]")
_ASSIGN_RE = lazy_re.compile(r"([A-Za-z_][\w.-]{0,80})[ \t]*([:?+!]?=|::=)[ \t]*(.*)")


@record
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
