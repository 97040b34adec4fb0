"""The start command: ENTRYPOINT and CMD as the runtime runs them.

A runner in front of the command (`uv run`, `poetry run`, ...) is dropped, as text from a shell
command too: the runtime has the virtualenv on PATH, not the tool. A program from ~/.local/bin or
/usr/local/bin now comes from the virtualenv, and an entrypoint script inside the copied app
directory needs no copy of its own.
"""
from __future__ import annotations

import itertools
import posixpath
import re

from msbrewrite.rules import runtime
from msbrewrite.model.plan import REWRITTEN
from msbrewrite.model.shell import plain_start_argv
from msbrewrite.languages.python.entry import strip_runner
from msbrewrite.rules.start_command import copied_onto_path
from msbrewrite.support import lazy_re

# `uv run --frozen ` in front of a shell command (flags without values only)
RUNNER_TEXT_RE = lazy_re.compile(r"^(\s*(?:exec\s+)?)((?:uv|poetry|pipenv|pdm|hatch|rye)\s+run\s+(?:--?[\w-]+(?:=\S+)?\s+)*)")


class StartCommand:
    """PythonPlanner's start command (uses self.facts, self.plan, self.venv, self.distro, self.app_root,
    self.staged)."""

    def rewrite(self, argv: list[str]) -> list[str] | None:
        new = strip_runner(argv)
        if new != argv:
            self.plan.decisions.append(f"{' '.join(argv[:len(argv) - len(new)])} dropped from the command: "
                                       "the runtime has the environment on PATH, not the tool")
        if new and self.venv:
            first = new[0]
            # a console script pip installed moves into the virtualenv; a file the Dockerfile
            # copied there itself (an entrypoint script) stays where it was copied
            if (re.match(r"^(/home/[^/]+|/root)/\.local/bin/", first) or (
                    first.startswith("/usr/local/bin/") and not self.distro)) and \
                    copied_onto_path(self.facts, posixpath.basename(first)) != first:
                new = [f"{self.venv}/bin/{posixpath.basename(first)}", *new[1:]]
        return new if new != argv else None

    def entry_commands(self) -> None:
        """runtime.entry for exec-form commands; a shell command loses its runner prefix as text."""
        facts, plan = self.facts, self.plan
        shell = {ins.index for ins in (facts.entrypoint, facts.cmd)
                 if ins is not None and not ins.is_json and plain_start_argv(ins.args) is None}
        calls = iter([ins for ins in (facts.entrypoint, facts.cmd)
                      if ins is not None and not (ins.is_json and not ins.json_args)])

        def rewrite(argv: list[str]) -> list[str] | None:
            ins = next(calls, None)
            return None if ins is not None and ins.index in shell else self.rewrite(argv)

        runtime.entry(facts, plan, rewrite)
        for ins, attr in ((facts.entrypoint, "entrypoint"), (facts.cmd, "cmd")):
            if ins is not None and ins.index in shell:
                m = RUNNER_TEXT_RE.match(ins.args)
                if m:
                    setattr(plan, attr, ins.args[:m.start(2)] + ins.args[m.end():])
                    plan.fate(ins, REWRITTEN, f"{m.group(2).strip()} dropped: the runtime has the environment "
                              "on PATH, not the tool")

    def entry_script(self, argv: list[str] | None) -> None:
        """An entrypoint script inside the copied app dir needs no copy of its own."""
        if not argv:
            return
        first = argv[1] if argv[0] in ("sh", "bash", "/bin/sh", "/bin/bash") and len(argv) > 1 else argv[0]
        path = posixpath.normpath(posixpath.join(self.facts.workdir, first))
        if self.app_root and self.app_root != "/" and path.startswith(self.app_root.rstrip("/") + "/") \
                and (self.app_root in self.plan.produced or self.app_root in self.staged):
            if first.endswith((".sh", ".bash")):
                self.plan.needs_shell = True
                self.plan.decisions.append(f"entrypoint script {first} comes with the app source; the runtime "
                                           "keeps a shell to run it")
            return
        runtime.entry_script(self.facts, self.plan, argv)


# pip run as a command: `pip install ...`, `/usr/local/bin/pip3.11 list`, `python -m pip install`
_PIP_RUN = lazy_re.compile(r"(?:^|[;&|(`]|\bexec|\bthen|\bdo|\belse)\s*(?:\S*/)?pip[0-9.]*(?=\s|$)|\s-m\s+pip(?=\s|$)")
# ...followed by its install command, options first
_INSTALL_NEXT = lazy_re.compile(r"\s+(?:-\S+\s+)*install\b")


def pip_at_start(facts, plan) -> tuple[str, bool] | None:
    """Where what the runtime starts runs pip (its command, or a script the command runs), and whether
    it installs: `pip install -r requirements.txt` before the server is a common start script, and it
    needs pip (and, to install anything new, a virtualenv it can write). An install anywhere wins;
    otherwise the first place that runs pip."""
    from msbrewrite.languages.common import start_words
    from msbrewrite.rules.runtime_programs import started_scripts
    words = start_words(facts, plan)
    lines = itertools.chain([("the start command", " ".join(words))],
                            ((f"{rel}:{n}", line) for rel in started_scripts(facts, words)
                             for n, line in enumerate((facts.context.read(rel) or "").splitlines(), 1)
                             if not line.lstrip().startswith("#")))
    found = None
    for where, line in lines:
        m = _PIP_RUN.search(line)
        if m and _INSTALL_NEXT.match(line, m.end()):
            return where, True
        if m and found is None:
            found = (where, False)
    return found
