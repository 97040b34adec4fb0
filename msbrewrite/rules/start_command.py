"""What the start command says about the runtime beyond its argv: a leading `cd DIR &&` becomes the
runtime's WORKDIR, a script named without a path is the one a COPY put on PATH, and an exec-form
command that starts a shell needs one in the runtime.
"""
from __future__ import annotations

import posixpath
import re

from msbrewrite.model.analysis import StageFacts
from msbrewrite.model.dockerfile import referenced_vars
from msbrewrite.model.plan import BuildPlan


def cd_as_workdir(facts: StageFacts, plan: BuildPlan, ins, text: str) -> str:
    """`cd DIR && app` at start-up: the runtime's WORKDIR does the cd, when DIR is a known path
    (`cd ~` or `cd $UNSET` keep the shell: WORKDIR expands neither like the shell does)."""
    m = re.match(r"cd\s+([^\s;&|]+)\s*&&\s*(.+)\Z", text, re.S)
    if not m:
        return text
    target = _literal_dir(m.group(1), facts.env)
    if target is None:
        return text
    plan.workdir = posixpath.normpath(posixpath.join(facts.workdir, target))
    plan.decisions.append(f"line {ins.lineno}: `cd {m.group(1)}` at start-up became WORKDIR {plan.workdir}")
    return m.group(2)


def _literal_dir(word: str, env: dict[str, str]) -> str | None:
    """The directory a `cd WORD` reaches, or None when only the shell can tell: `~`, globs, quotes,
    and variables the image's ENV does not set to a plain path."""
    from msbrewrite.model.dockerfile import expand
    if re.search(r"[~*?\[\]'\"\\`]", word) or word.startswith("-"):
        return None
    if "$" in word:
        names = referenced_vars(word)
        if not names or not all(n in env and "$" not in env[n] for n in names) or \
                re.search(r"\$\{[^}]*[:+?=-]", word) or re.search(r"\$(?![A-Za-z_{])", word):
            return None
        word = expand(word, env)
        if re.search(r"[~*?\[\]'\"\\`$]", word) or not word:
            return None
    return word


_PATH_DIRS = ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")


def copied_onto_path(facts: StageFacts, name: str) -> str | None:
    """Where a COPY put the script `name` in a PATH directory, if one did."""
    for cp in reversed(facts.copies):
        if cp.from_stage:
            continue
        for src in cp.sources:
            if posixpath.basename(src.rstrip("/")) != name:
                continue
            dest = posixpath.normpath(cp.dest)
            target = posixpath.join(dest, name) if cp.dest.endswith("/") or dest in _PATH_DIRS else dest
            if posixpath.dirname(target) in _PATH_DIRS:
                return target
    return None


# programs a distroless image does not have: a command starting one needs a shell base
_SHELLS = {"sh", "bash", "ash", "dash", "zsh", "env"}


def starts_a_shell(plan: BuildPlan) -> bool:
    """An exec-form command that starts a shell (`["sh", "-c", "..."]`, `["/usr/bin/env", ...]`) needs
    one in the runtime (every language: the runtime base follows from this)."""
    for value in (plan.entrypoint, plan.cmd):
        if isinstance(value, list) and value and posixpath.basename(value[0]) in _SHELLS:
            return True
    return False
