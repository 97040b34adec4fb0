"""What a conversion leaves behind in the builder: an estimate for `msb check` and reports.

Read from the original stage (its image, installed packages, context copies) and the Result
(runtime base, artifacts); no image is built, so this names what moves out rather than
measuring it.
"""
from __future__ import annotations

import json
import os
import posixpath
import re

from .analysis import analyse
from .context import Context
from .convert import load
from .discover import is_dockerfile_name
from .plan import Result

TOOLCHAIN = {
    "go": "Go toolchain", "rust": "Rust toolchain (rustc, cargo)", "java": "JDK and the Maven/Gradle build",
    "node": "npm/yarn and the build tooling", "python": "pip, compilers and build headers",
    "frontend": "Node.js and the bundler",
}
DEPENDENCY_CACHES = {
    "go": "Go module and build caches", "rust": "target/ build tree and the cargo registry",
    "java": "Maven/Gradle dependency caches", "python": "pip caches and build-only packages",
}


def leaves_out(text: str, result: Result, context_dir=None) -> list[str]:
    """Short phrases naming what the converted image no longer carries."""
    if result.status != "converted":
        return []
    df = load(text)
    stage = df.stages[0]
    facts = analyse(df, stage, Context(context_dir))
    lang = result.language or ""
    out = [f"{TOOLCHAIN.get(lang, 'build toolchain')} from {stage.image}"]
    runtime_words = set(re.findall(r"[\w.+-]+", _final_stage(result.text)))
    build_pkgs = sorted({p for p in facts.packages if p.split("=")[0] not in runtime_words})
    if build_pkgs:
        shown = ", ".join(build_pkgs[:6]) + (f" and {len(build_pkgs) - 6} more" if len(build_pkgs) > 6 else "")
        out.append(f"build packages: {shown}")
    sources = _sources(facts)
    if sources:
        out.append(sources)
    deps = _dev_dependencies(lang, facts)
    if deps:
        out.append(deps)
    return out


def _final_stage(text: str) -> str:
    parts = re.split(r"(?im)^\s*FROM\s", text)
    return parts[-1] if len(parts) > 1 else ""


def _sources(facts) -> str | None:
    copies = [c for c in facts.copies if not c.from_stage]
    if not copies:
        return None
    ctx = facts.context
    if not ctx:
        return f"build sources from {len(copies)} COPY/ADD line(s)"
    files = ctx.files()
    taken: set[str] = set()
    for cp in copies:
        for src in cp.sources:
            rel = posixpath.normpath(src.lstrip("/")) if src.strip("./") else "."
            if rel == ".":
                taken.update(files)
                break
            taken.update(f for f in files if f == rel or f.startswith(rel + "/") or _glob(f, rel))
    if all(is_dockerfile_name(posixpath.basename(f)) for f in taken):
        return f"build sources from {len(copies)} COPY/ADD line(s)"   # the context holds no sources to count
    size = 0
    for rel in taken:
        try:
            size += os.path.getsize(os.path.join(ctx.root, rel))
        except OSError:
            pass
    return f"build sources: {len(taken)} context file(s), {_human(size)}, except what the runtime copies"


def _glob(path: str, pattern: str) -> bool:
    import fnmatch
    return any(ch in pattern for ch in "*?[") and fnmatch.fnmatch(path, pattern)


def _dev_dependencies(lang: str, facts) -> str | None:
    if lang in ("node", "frontend"):
        text = facts.context.read("package.json") if facts.context else None
        try:
            dev = json.loads(text).get("devDependencies") if text else None
        except (ValueError, AttributeError):
            dev = None
        if isinstance(dev, dict) and dev:
            return f"{len(dev)} devDependencies (package.json)"
        return "devDependencies and the npm cache"
    return DEPENDENCY_CACHES.get(lang)


def _human(size: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size} B"
