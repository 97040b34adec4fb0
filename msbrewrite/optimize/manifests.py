"""Where manifests are in the builder, and which context files they come from."""
from __future__ import annotations

import fnmatch
import posixpath

from msbrewrite.model.analysis import CopyStep, StageFacts
from msbrewrite.support import records

_GLOB = set("*?[")


def present_before(facts: StageFacts, index: int, builder_path: str) -> str | None:
    """The context path a COPY before instruction `index` put at builder_path, or None."""
    earlier = [c for c in facts.copies if c.ins.index < index and not c.from_stage]
    found = records.replace(facts, copies=earlier).context_path(builder_path)
    if found is not None:
        return found
    target_dir, name = posixpath.split(posixpath.normpath(builder_path))
    for cp in reversed(earlier):
        if not cp.dest.endswith("/") or posixpath.normpath(cp.dest) != target_dir:
            continue
        for src in cp.sources:
            if _GLOB & set(src) and fnmatch.fnmatchcase(name, posixpath.basename(src)):
                folder = posixpath.dirname(src.lstrip("./")) if src.startswith("./") else posixpath.dirname(src)
                return posixpath.join(folder, name) if folder else name
    return None


def is_whole_source(cp: CopyStep, manifest_names: set[str]) -> bool:
    """A copy that brings more than manifests (the sources): `COPY . .`, `COPY src ./src`."""
    for src in cp.sources:
        base = posixpath.basename(src.rstrip("/")) or "."
        if src.startswith(("http://", "https://", "git@")):
            return False
        if base in manifest_names or (_GLOB & set(base) and any(fnmatch.fnmatchcase(m, base) for m in manifest_names)):
            continue
        return True
    return False
