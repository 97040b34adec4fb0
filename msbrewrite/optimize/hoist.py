"""Clean-up steps msb appends (prune dev dependencies, drop pip from the venv) move up to the
last RUN of the original, before the source copies that follow it, so a source change does not
run them again. Only when those copies cannot bring what the step cleans."""
from __future__ import annotations

import posixpath
import re

from msbrewrite.model.package_json import dockerignored
from msbrewrite.model.shell import split_commands
from msbrewrite.optimize.edits import Builder, under

_PRUNE = {("npm", "prune"), ("pnpm", "prune"), ("yarn", "install"), ("yarn", "workspaces")}


def hoist_generated_files(builder: Builder) -> None:
    """A step msb appends that only writes a file with printf (the nginx config) reads nothing
    from the build: it runs first, so no rebuild repeats it."""
    plan, stage = builder.plan, builder.facts.stage
    if not stage.instructions:
        return
    moved = [b for b in plan.builder_append if _writes_only(b)]
    if not moved:
        return
    plan.builder_append[:] = [b for b in plan.builder_append if b not in moved]
    lines = []
    for block in moved:
        lines += block.splitlines()
    builder.insert_before(stage.instructions[0], lines)
    builder.decide("the config file msb generates is written first in the builder: it depends on nothing, so "
                   "no rebuild repeats it")


def _writes_only(block: str) -> bool:
    """`RUN printf 'literal' ... > /tmp/file` and nothing else: only single-quoted words, no expansion."""
    text = " ".join(line.rstrip("\\").strip() for line in block.splitlines() if not line.lstrip().startswith("#"))
    return re.fullmatch(r"RUN printf(?: +'[^']*')+ +> */tmp/[\w./-]+", text.strip()) is not None


def hoist_cleanups(builder: Builder) -> None:
    plan, facts = builder.plan, builder.facts
    runs = builder.runs()
    if not plan.builder_append:
        return
    if builder.moved_install and (not runs or runs[-1].ins.index < builder.moved_install[1].index):
        # the last RUN is the install the dependency layer moved above a source copy
        anchor, first = builder.moved_install[0], builder.moved_install[1].index
        workdir = next(s.workdir for s in facts.steps if s.ins is anchor)
    elif runs:
        anchor, first, workdir = runs[-1].ins, runs[-1].ins.index + 1, runs[-1].step.workdir
    else:
        return
    later = [i for i in facts.stage.instructions if i.index >= first and i.index not in plan.builder_drop]
    copies = [c for c in facts.copies if c.ins.index >= first and c.ins.index not in plan.builder_drop]
    if not later or not copies:
        return
    staging = plan.extra.get("staging_reads", {})
    kept, moved = [], []
    for n, block in enumerate(plan.builder_append):
        paths = _cleans(block, workdir)
        if paths is not None and all(_untouched(builder, copies, p) and _unread(staging, kept, p) for p in paths):
            moved.append(block)
        elif block in staging:
            kept.append(block)  # it reads only the app directory: a clean-up of what it leaves out may pass it
        else:
            kept += plan.builder_append[n:]
            break       # later blocks may depend on this one: keep their order
    if not moved:
        return
    plan.builder_append[:] = kept
    plan.extra["cleanups_moved"] = True     # templates that describe the clean-up still do
    lines = []
    for block in moved:
        # the step no longer runs after the build: its comment says why it may run here
        lines += [""] + block.replace(", after the build\n", ": no later step needs the dev ones\n", 1).splitlines()
    builder.insert_before(later[0], lines)
    builder.decide(f"the clean-up step(s) msb adds run right after line {anchor.lineno} (the last RUN), before "
                   "the source copies: a source change no longer repeats them")


def _unread(staging: dict, passed: list[str], path: str) -> bool:
    """No staging step in `passed` reads `path`: it lies outside their app directory or in a
    folder their archive leaves out."""
    for block in passed:
        for appdir, excluded in staging[block]:
            if (under(path, appdir) or under(appdir, path)) and not any(under(path, e) for e in excluded):
                return False
    return True


def _cleans(block: str, workdir: str) -> list[str] | None:
    """The builder paths a known clean-up block changes, or None when the block is something else."""
    run = [line for line in block.splitlines() if not line.lstrip().startswith("#")]
    if len(run) != 1 or not run[0].startswith("RUN "):
        return None
    commands = split_commands(run[0][4:], workdir)
    paths = []
    for c in commands:
        sub = c.argv[1] if len(c.argv) > 1 else ""
        if c.program == "cd":
            continue    # it only sets where the next command runs
        if (c.program, sub) in _PRUNE and (c.program != "yarn" or "--production" in c.argv):
            paths.append(posixpath.join(c.cwd, "node_modules"))
        elif c.program == "rm" and all(w.startswith("-") or w.startswith("/opt/venv/") for w in c.argv[1:]):
            paths.append("/opt/venv")
        else:
            return None
    return paths


def _untouched(builder: Builder, copies, path: str) -> bool:
    """No copy after the anchor can write under `path`."""
    facts = builder.facts
    for cp in copies:
        if cp.from_stage or under(cp.dest, path):
            return False
        if under(path, cp.dest):
            if not facts.context:
                return False    # the sources are unknown: they may hold that directory
            rel = facts.context_path(path)
            if rel is not None and facts.context.exists(rel) and not dockerignored(facts.context, rel):
                return False
    return True
