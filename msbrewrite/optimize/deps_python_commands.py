"""What a Python install command installs and what it needs, read from its words.

pip's requirement and constraint files and a local project argument (`pip install .[extras]`),
commands that only set up a packaging tool (and so may move with the install), the options a
dependency-only install keeps, and the dependency-only form of an install cut out of its RUN line.
"""
from __future__ import annotations

import re

from msbrewrite.model.analysis import CopyStep
from msbrewrite.languages.python.installs import BOOTSTRAP, TOOLS
from msbrewrite.languages.python.deps import install_args, install_packages
from msbrewrite.model.shell import Command, resolve
from msbrewrite.optimize.cache_mounts import tool_of
from msbrewrite.optimize.deps_common import Skip, check_between
from msbrewrite.optimize.edits import Builder, RunStep, command_spans, shell_form
from msbrewrite.support import lazy_re

_PIP_VALUE_FLAGS = {"-r", "--requirement", "-c", "--constraint", "-i", "--index-url", "--extra-index-url",
                    "-f", "--find-links", "--trusted-host", "-t", "--target", "--prefix", "--root", "--platform",
                    "--python-version", "--implementation", "--abi", "--progress-bar", "--src"}


def pip_install(c: Command) -> bool:
    return tool_of(c) == "pip"


def setup_only(c: Command) -> bool:
    """A command that installs or configures a packaging tool and reads no source."""
    sub = c.argv[1] if len(c.argv) > 1 else ""
    if pip_install(c):
        args = install_args(c)
        pkgs = install_packages(args)
        return bool(pkgs) and set(pkgs) <= TOOLS | BOOTSTRAP and not requirement_files(c)[0] \
            and local_project(c) is None
    return ((c.program in ("poetry", "pip", "pip3") and sub == "config") or (c.program == "poetry" and sub == "self")
            or (c.program == "pipx" and sub == "install") or c.program in ("set", "export", "true"))


def dependency_line(builder: Builder, source: CopyStep, run: RunStep, cmd: Command, pattern: str, rewrite) -> str:
    """The install RUN cut after the install `cmd` (written as `pattern`), which `rewrite` turns into
    its dependency-only form; the tool set-up before it in the same RUN comes along."""
    if not shell_form(run.ins):
        raise Skip(f"line {run.ins.lineno} is an exec-form RUN")
    before = run.step.commands[:run.step.commands.index(cmd)]
    odd = next((c for c in before if not setup_only(c)), None)
    if odd is not None:
        raise Skip(f"line {run.ins.lineno} runs `{' '.join(odd.argv[:2])}` before the install (it may need the sources)")
    check_between(builder, source, run)
    text = builder.text(run.ins)
    spans = command_spans(text, pattern)
    if not spans:
        raise Skip(f"the install on line {run.ins.lineno} cannot be repeated")
    # the same tool may run before the install (`pip install poetry && pip install .`): skip those
    same = sum(1 for c in before if (pip_install(c) and pip_install(cmd))
               or (c.program == cmd.program and c.argv[1:2] == cmd.argv[1:2]))
    if same >= len(spans):
        raise Skip(f"the install on line {run.ins.lineno} cannot be repeated")
    start, end = spans[same]
    return text[:start] + rewrite(text[start:end].rstrip())


def with_option(segment: str, option: str) -> str:
    return f"{segment} {option}"


def check_options(argv: list[str], values: set[str], flags: set[str], tool: str) -> None:
    i = 0
    while i < len(argv):
        w = argv[i]
        name = w.split("=", 1)[0]
        if name in values:
            i += 1 if "=" in w else 2
            continue
        if w in flags:
            i += 1
            continue
        raise Skip(f"`{tool} {w}` is an option msb does not know to keep for a dependency-only install")


def requirement_files(c: Command) -> tuple[list[str], list[str]]:
    """(requirement and constraint files, reasons the install needs the sources)."""
    argv = c.argv[c.argv.index("install") + 1:]
    files, needs, i = [], [], 0
    while i < len(argv):
        w = argv[i]
        name, eq, value = w.partition("=")
        if w in _PIP_VALUE_FLAGS or (eq and name in _PIP_VALUE_FLAGS):
            if not eq:
                i += 1
                value = argv[i] if i < len(argv) else ""
            if name in ("-r", "--requirement", "-c", "--constraint"):
                files.append(value)
            elif name in ("-f", "--find-links") and not value.startswith(("http://", "https://")):
                needs.append(f"--find-links {value}")
        elif re.match(r"-[rc]\S", w):
            files.append(w[2:])
        elif w in ("-e", "--editable") or w.startswith("--editable="):
            needs.append("an editable install")
        elif not w.startswith("-") and (w.startswith((".", "/")) or "/" in w or w.startswith("file:")):
            needs.append(f"pip install {w}")
        i += 1
    return files, needs


_LOCAL_RE = lazy_re.compile(r"(\.{1,2}(?:/[^\s\[]*)?|/[^\s\[]*)(\[[\w,.\s-]*\])?")


def local_project(c: Command) -> tuple[str, str, list[str]] | None:
    """(the word, the project's builder path, its extras) of a `pip install DIR[extras]`."""
    argv = install_args(c)
    skip = False
    for w in argv:
        if skip:
            skip = False
            continue
        if w in _PIP_VALUE_FLAGS or w in ("-e", "--editable"):
            skip = w not in ("-e", "--editable")
            continue
        if w.startswith("-"):
            continue
        m = _LOCAL_RE.fullmatch(w)
        if m:
            extras = [e.strip() for e in (m.group(2) or "[]")[1:-1].split(",") if e.strip()]
            return w, resolve(m.group(1), c.cwd), extras
    return None
