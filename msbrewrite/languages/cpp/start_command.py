"""C/C++: the binary the image runs. The start command (past `exec`, `tini --`, `dumb-init`) is matched
against what the build writes, after later cp/mv/install moves; a script start copies every executable.

`StartCommand` is one part of `CppPlanner` (`msbrewrite.languages.cpp.plan`).
"""
from __future__ import annotations

import posixpath

from msbrewrite.model.analysis import command_argv
from msbrewrite.model.plan import Refusal
from msbrewrite.model.shell import resolve
from msbrewrite.languages.common import follow_moves
from msbrewrite.languages.cpp.build_steps import Output
from msbrewrite.languages.cpp.compiler import Link

_PATH_DIRS = ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")
_NOT_BINARIES = {"sh", "bash", "ash", "dash", "env", "tini", "dumb-init", "exec", "/bin/sh", "/bin/bash",
                 "supervisord", "gosu", "su-exec"}
_BUILD_TOOLS = {"make", "gmake", "cmake", "meson", "ninja", "gcc", "g++", "cc", "c++", "clang", "clang++"}


class StartCommand:
    """Chooses, from `outputs`, `installs_blind` and `unknown_builds`, the binaries the image copies and runs."""

    def final_outputs(self) -> dict[str, Output]:
        """Outputs where they end up after later cp/mv/install commands."""
        out: dict[str, Output] = {}
        for path, o in self.outputs.items():
            moved = follow_moves(self.facts, path, o.after)
            if moved != path:
                self.plan.decisions.append(f"{path} is moved to {moved} after the build")
            out[moved] = Output(moved, o.link, o.why, o.after)
        return out

    def choose_binaries(self) -> list[Output]:
        facts, plan = self.facts, self.plan
        finals = self.final_outputs()
        argv = command_argv(facts.entrypoint) or command_argv(facts.cmd) or []
        argv = _unwrap(argv)
        if argv and posixpath.basename(argv[0]) in _BUILD_TOOLS:
            raise Refusal(f"the start command runs {argv[0]} (`{' '.join(argv[:3])}`): it builds at start-up; build in "
                          "a RUN step and start the binary, then convert", reason="entrypoint-uses-build-tool")
        if argv and argv[0].endswith((".sh", ".bash")):
            if not finals:
                raise Refusal("the start command is a script and the build's binaries are unknown "
                              "(no Makefile, CMakeLists.txt or -o in the context)", reason="artifact-not-found")
            plan.decisions.append("the start command is a script: every executable the build wrote is copied")
            return list(finals.values())
        if argv and argv[0] not in _NOT_BINARIES and "$" not in argv[0]:
            found = self._entry_binary(argv[0], finals)
            if found is not None:
                return [found]
        if not argv:
            if len(finals) == 1:
                only = next(iter(finals.values()))
                plan.entrypoint = [only.path]
                plan.decisions.append(f"the original had no CMD; the runtime runs {only.path}, the one binary built")
                return [only]
            raise Refusal("no CMD or ENTRYPOINT, and the build writes "
                          + (f"{len(finals)} executables" if finals else "no executable msb can name")
                          + ": which one the image runs is unknown", reason="no-entrypoint")
        raise Refusal(f"the start command runs {argv[0]}, which no build step is known to write"
                      + (f" (the build writes {', '.join(sorted(finals)[:4])})" if finals else
                         " (the build's outputs are unknown without the Makefile or CMakeLists.txt)"),
                      reason="artifact-not-found")

    def _entry_binary(self, first: str, finals: dict[str, Output]) -> Output | None:
        facts, plan = self.facts, self.plan
        workdir = (facts.entrypoint or facts.cmd).workdir or facts.workdir
        if "/" in first:
            path = resolve(first, workdir)
            if path in finals:
                return finals[path]
            if finals or self.unknown_builds or self.installs_blind:
                plan.decisions.append(f"{path}: the binary CMD/ENTRYPOINT runs (the build's outputs do not name it; "
                                      "the original ran it there)")
                return Output(path, self._union_link(finals), "named by the start command", None)
            return None
        path_dirs = [d for d in (facts.env.get("PATH") or ":".join(_PATH_DIRS)).split(":") if d]
        for d in path_dirs:
            cand = posixpath.join(d, first)
            if cand in finals:
                return finals[cand]
        if self.installs_blind:
            prefix = self.installs_blind[-1]
            path = posixpath.join(prefix, "bin", first)
            plan.decisions.append(f"{path}: `{first}` as installed by the build's install step (prefix {prefix}); "
                                  "the install rules are not in the context")
            return Output(path, self._union_link(finals), "installed by the build", None)
        return None

    @staticmethod
    def _union_link(finals: dict[str, Output]) -> Link:
        link = Link()
        for o in finals.values():
            link.merge(o.link)
        return link


def _unwrap(argv: list[str]) -> list[str]:
    """The program a start command runs, past `exec`, `tini --` and `dumb-init`."""
    while argv and posixpath.basename(argv[0]) in ("exec", "tini", "dumb-init"):
        argv = argv[1:]
        if argv and argv[0] == "--":
            argv = argv[1:]
    return argv
