"""Build contexts in a bulk run: which directory each Dockerfile is built from, and one walk of
each context that several Dockerfiles share (a monorepo's root), done once before the workers fork.
"""
from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

from msbrewrite.bulk.discover import Found
from msbrewrite.model.context import Contexts
from msbrewrite.model.copy_sources import literal_sources

# files whose directory is the app's root: the build context of a Dockerfile further down
MANIFESTS = ("go.mod", "Cargo.toml", "package.json", "pom.xml", "build.gradle", "build.gradle.kts",
             "pyproject.toml", "requirements.txt", "setup.py", "Pipfile", "poetry.lock")


def context_for(path: Path, root: Path, text: str, seen: dict | None = None) -> Path:
    """The build context: the nearest directory (file's dir up to root) holding what the
    Dockerfile COPYs, else the nearest holding an app manifest, else the file's own directory.
    `seen` keeps the file tests across the files of a run (they share directories)."""
    seen = {} if seen is None else seen
    here = path.parent
    dirs = [here]
    if root in here.parents:
        d = here
        while d != root:
            d = d.parent
            dirs.append(d)
    sources = literal_sources(text)
    if sources:
        for d in dirs:
            if all(_tested(seen, _exists, d, s) for s in sources):
                return d
    for d in dirs:
        if _tested(seen, _holds_manifest, d, None):
            return d
    return here


def _exists(d: Path, source: str) -> bool:
    return os.path.exists(d / source)


def _holds_manifest(d: Path, _=None) -> bool:
    return any(os.path.isfile(d / m) for m in MANIFESTS)


def _tested(seen: dict, test, d: Path, name: str | None) -> bool:
    key = (test, d, name)
    if key not in seen:
        seen[key] = test(d, name)
    return seen[key]


def choose(found: list[Found], flags: dict, contexts: Contexts) -> dict:
    """Each file's build context, and every context shared by several files walked once, here,
    before the workers fork: they inherit the walk and the `.dockerignore` reading."""
    if flags.get("no_context"):
        return {f.path: None for f in found}
    from msbrewrite.bulk.files import read_dockerfile
    chosen, seen = {}, {}
    for f in found:
        if f.error:
            continue
        try:
            chosen[f.path] = context_for(f.path, f.root, read_dockerfile(str(f.path)), seen)
        except Exception:   # noqa: BLE001 - the worker meets it again and says why
            continue
    shared = Counter(chosen.values())
    for ctx, n in shared.most_common(contexts.capacity):
        if n > 1:
            contexts.get(ctx).index()
    return chosen
