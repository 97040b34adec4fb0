"""Files the build itself writes: `RUN echo ... > config.yaml`, `tee`, heredocs.

A config file the start command names may come from the context (COPY) or be written by a RUN
line or a COPY heredoc; either way the runtime needs it.
"""
from __future__ import annotations

import posixpath
import re

from .analysis import StageFacts

# `> file`, `>> file`, `tee [-a] file`: the target word, quotes allowed
_WRITE_RE = re.compile(r"""(?:(?<![0-9&<>])>>?|\btee(?:\s+-a)?)\s*(["']?)([^\s;&|<>"']+)\1""")


def written_by_build(facts: StageFacts, path: str) -> bool:
    """Whether a RUN line writes `path` (absolute, normalised) or a COPY heredoc creates it."""
    for step in facts.steps:
        ins = step.ins
        if ins.keyword == "RUN":
            for m in _WRITE_RE.finditer(ins.raw):
                target = m.group(2)
                if target.startswith("/dev/") or "$" in target:
                    continue
                if posixpath.normpath(posixpath.join(step.workdir, target)) == path:
                    return True
        elif ins.keyword in ("COPY", "ADD") and ins.heredocs:
            for cp in facts.copies:
                if cp.ins is ins and _heredoc_dest(cp, path):
                    return True
    return False


def _heredoc_dest(cp, path: str) -> bool:
    for src in cp.sources:
        m = re.match(r"<<-?[\"']?([^\"']+)[\"']?$", src)
        if not m:
            continue
        dest = posixpath.join(cp.dest, m.group(1)) if cp.dest.endswith("/") else cp.dest
        if posixpath.normpath(dest) == path:
            return True
    return False
