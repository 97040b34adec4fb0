"""What a HEALTHCHECK runs: its command words, whether a shell runs them, and the probe tool (curl,
wget) it needs that the runtime base lacks.
"""
from __future__ import annotations

import posixpath
import re

from msbrewrite.model.plan import BuildPlan
from msbrewrite.model.shell import split_words


def health_argv(ins) -> tuple[list[str], bool] | None:
    """The HEALTHCHECK's command words and whether a shell runs them (None: HEALTHCHECK NONE)."""
    if re.match(r"(?i)HEALTHCHECK\s+NONE", ins.raw.strip()):
        return None
    if ins.json_args is not None:
        argv = list(ins.json_args)
        if argv and argv[0] == "CMD-SHELL":
            return split_words(" ".join(argv[1:])), True
        return argv, False
    m = re.search(r"(?i)\bCMD\b\s*(.*)", ins.args, re.S)
    return split_words(m.group(1) if m else ""), True


HEALTH_TOOLS = ("curl", "wget")


def health_tool_missing(argv: list[str], plan: BuildPlan, base) -> str | None:
    """The probe tool (curl, wget) the HEALTHCHECK runs and the base lacks, if any."""
    if not argv:
        return None
    tool = posixpath.basename(argv[0])
    built = {a.dest for a in plan.artifacts} | {posixpath.basename(a.dest) for a in plan.artifacts}
    if argv[0] in built or tool in built or tool in base.tools:
        return None
    return tool if tool in HEALTH_TOOLS else None
