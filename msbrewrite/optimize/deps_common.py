"""What every dependency-layer handler shares: finding the install after the source copy, the
checks that it may move, and the lines that go above the copy."""
from __future__ import annotations

import posixpath

from msbrewrite.model.analysis import CopyStep, Step
from msbrewrite.model.package_json import dockerignored
from msbrewrite.model.quoting import dockerfile_paths, expands, sh_words
from msbrewrite.model.stage_text import comments_of
from msbrewrite.model.shell import Command
from msbrewrite.optimize.edits import Builder, RunStep
from msbrewrite.optimize.manifests import is_whole_source, present_before

HEADER = "# dependencies first: this layer is rebuilt only when the manifests change"
# instructions that may sit between the source copy and an install that moves above it
_PASSIVE = {"COPY", "ADD", "EXPOSE", "LABEL"}


class Skip(Exception):
    """The dependency layer does not apply; the message says why (for the report)."""


def locate(builder: Builder, wanted, names: set[str]) -> tuple[CopyStep, Step, RunStep, Command] | None:
    """The source copy, its step, and the first RUN command that needs dependencies after it."""
    facts = builder.facts
    hit = next(((run, cmd) for run in builder.runs() for cmd in run.step.commands if wanted(cmd)), None)
    if hit is None:
        return None
    run, cmd = hit
    copies = [c for c in facts.copies if c.ins.index < run.ins.index and not c.from_stage]
    source = next((c for c in copies if is_whole_source(c, names)), None)
    if source is None:
        return None     # the original already installs before copying its sources
    step = next(s for s in facts.steps if s.ins is source.ins)
    if not builder.editable(source.ins):
        return None
    if cmd.cwd != step.workdir:
        raise Skip(f"the install runs in {cmd.cwd}, not where line {source.ins.lineno} copies the sources")
    changed = sorted(k for k in set(step.env) | set(run.step.env) if step.env.get(k) != run.step.env.get(k))
    if changed:
        raise Skip(f"{', '.join(changed[:3])} change between the source copy (line {source.ins.lineno}) and the install")
    return source, step, run, cmd


def usable(builder: Builder, rel: str | None) -> bool:
    ctx = builder.facts.context
    return rel is not None and ctx.exists(rel) and not dockerignored(ctx, rel)


def shell_words(words: list[str], where: str) -> str:
    """Words read from the original RUN line, written again as shell words.

    The reader gives each word's value, not its quoting: a value with `$` or a backtick may have
    expanded in the original or not (`"$HOME"` versus `'$HOME'`), so such a step is not repeated."""
    odd = next((w for w in words if expands(w)), None)
    if odd is not None:
        raise Skip(f"{where} holds {odd!r}, whose expansion depends on quoting the step cannot repeat")
    return sh_words(words)


def copy_line(source: CopyStep, paths: list[str], dest: str) -> str:
    """A COPY of context paths above the source copy, with the source copy's owner and mode."""
    return f"COPY{chown_flags(source)} {dockerfile_paths([*paths, dest])}"


def chown_flags(source: CopyStep) -> str:
    return "".join(f" --{name}={value}" for name, value in source.ins.flag_list if name in ("chown", "chmod"))


def emit(builder: Builder, source: CopyStep, files: list[str], lines: list[str], what: str,
         folders: dict[str, str] | None = None, copied: str | None = None) -> None:
    """Insert the manifests' COPY lines and `lines` above the source copy. `folders` maps a file to
    its directory relative to the install's (default: the install's own directory)."""
    out = ["", HEADER]
    folders = folders or {}
    workdir = workdir_of(builder, source)
    missing = [f for f in files if present_before(builder.facts, source.ins.index, posixpath.join(
        workdir, folders.get(f, ""), posixpath.basename(f))) is None]
    for folder in dict.fromkeys(folders.get(f, "") for f in missing):
        group = [f for f in missing if folders.get(f, "") == folder]
        out.append(copy_line(source, group, f"./{folder + '/' if folder else ''}"))
    out += lines
    builder.insert_before(source.ins, out)
    if copied is None:
        copied = f"{', '.join(files)} copied" if missing else "manifests already copied"
    builder.decide(f"dependency layer before line {source.ins.lineno} ({copied}, then {what}): a source change "
                   "no longer reinstalls the dependencies")


def workdir_of(builder: Builder, source: CopyStep) -> str:
    return next(s.workdir for s in builder.facts.steps if s.ins is source.ins)


def move_install(builder: Builder, source: CopyStep, run: RunStep, only) -> list[str]:
    """The install RUN's lines, moved above the source copy (every command must be an install)."""
    if not all(only(c) for c in run.step.commands):
        raise Skip(f"line {run.ins.lineno} runs more than the install (it may need the sources)")
    check_between(builder, source, run)
    text = builder.text(run.ins)
    builder.moved_install = (run.ins, source.ins)
    builder.plan.builder_drop.add(run.ins.index)
    builder.rewritten(run.ins, f"moved above line {source.ins.lineno} (dependency layer)")
    return [line.rstrip("\r\n") for line in comments_of(run.ins).splitlines()] + [text.rstrip("\r\n")]


def check_between(builder: Builder, source: CopyStep, run: RunStep) -> None:
    """Only passive steps between the source copy and the install: running the install (or its
    dependency-only part) above the copy changes nothing they do."""
    between = [i for i in builder.facts.stage.instructions if source.ins.index < i.index < run.ins.index]
    if any(i.keyword not in _PASSIVE or i.flags.get("from") is not None and i.keyword == "ADD" for i in between):
        raise Skip(f"steps between the source copy (line {source.ins.lineno}) and the install (line "
                   f"{run.ins.lineno}) would change order")


def need_context(builder: Builder, what: str) -> None:
    if not builder.facts.context:
        raise Skip(f"without the build context the {what} are unknown")


def read_toml(builder: Builder, cwd: str, name: str, where: str) -> tuple[str, dict]:
    """The context's manifest `name` in `cwd` (its context path, parsed); Skip when it is missing
    (`no NAME where WHERE`) or unreadable."""
    facts = builder.facts
    rel = facts.context_path(posixpath.join(cwd, name))
    if not usable(builder, rel):
        raise Skip(f"no {name} where {where}")
    from msbrewrite.support.tomlreader import toml
    try:
        data = toml().loads(facts.context.read(rel) or "")
    except Exception:   # noqa: BLE001 - an unreadable manifest: no dependency layer
        raise Skip(f"{name} cannot be read") from None
    return rel, data if isinstance(data, dict) else {}
