"""Which variables the runtime's ENV lines set, kept up to date as lines are added.

runtime.start asks, for every ENV and LABEL line, whether an earlier runtime ENV line sets a
variable it uses. Re-reading every earlier line each time made 5,000 ENV/LABEL lines that use a
build argument take minutes; this index reads each line once.
"""
from __future__ import annotations

import re

from msbrewrite.model.dockerfile import parse_key_values
from msbrewrite.support.records import field, record


def flat(s: str) -> str:
    """Continuation lines joined, blanks collapsed."""
    return " ".join(re.sub(r"[\\`]\r?\n", " ", s).split())


@record
class _Index:
    lines: list[str] = field(default_factory=list)      # the runtime_env lines read so far
    flats: list[str] = field(default_factory=list)
    first_flat: dict[str, int] = field(default_factory=dict)
    first_define: dict[str, int] = field(default_factory=dict)


def _index(plan) -> _Index:
    idx = plan.extra.get("_runtime_env_index")
    env = plan.runtime_env
    if idx is None or idx.lines != env[:len(idx.lines)]:
        idx = plan.extra["_runtime_env_index"] = _Index()      # lines were edited: start again
    for line in env[len(idx.lines):]:
        i = len(idx.lines)
        idx.lines.append(line)
        idx.flats.append(flat(line))
        idx.first_flat.setdefault(idx.flats[-1], i)
        for key, _ in parse_key_values(re.sub(r"(?i)^\s*ENV\s+", "", line)):
            idx.first_define.setdefault(key, i)
    return idx


def defined_before(plan, name: str, text: str) -> bool:
    """Whether a runtime ENV line before the one holding `text` sets `name` (`ENV X $X` still
    needs ARG X). `text` is the line just added (ENV) or not a runtime ENV line at all (LABEL)."""
    idx = _index(plan)
    first = idx.first_define.get(name)
    if first is None:
        return False
    target = flat(text)
    stop = len(idx.lines)
    if target and idx.flats and target in idx.flats[-1]:
        stop = idx.first_flat.get(idx.flats[-1], stop - 1)
    return first < stop
