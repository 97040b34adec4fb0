"""What a conversion leaves behind in the builder: an estimate for `msb check` and reports.

Read from the original stage (its image, installed packages, context copies) and the Result
(runtime base, artifacts); no image is built, so this names what moves out rather than
measuring it. A phrase is only said when the plan really leaves that thing behind.
"""
from __future__ import annotations

import fnmatch
import json
import posixpath
import re

from msbrewrite.languages.common import cache_mounts
from msbrewrite.languages.python.deps import is_pip_install
from msbrewrite.model.bases import image_parts, same_image
from msbrewrite.model.dockerfile_names import is_dockerfile_name
from msbrewrite.model.plan import Result
from msbrewrite.support import lazy_re

# what the builder image holds that the runtime base does not
TOOLCHAIN = {
    "go": "Go toolchain", "rust": "Rust toolchain (rustc, cargo)", "java": "JDK and the Maven/Gradle build",
    "frontend": "Node.js, npm and the bundler",
    # interpreted languages keep their interpreter: what goes is the rest of the full build image
    "node": "compilers, headers and other build tools", "python": "compilers, headers and other build tools",
}
DEPENDENCY_CACHES = {
    "go": "Go module and build caches", "rust": "target/ build tree and the cargo registry",
    "java": "Maven/Gradle dependency caches", "frontend": "node_modules and the npm cache",
}
_PRUNE_RE = lazy_re.compile(r"--omit[= ]dev|--only[= ]prod|--production|\bprune\b|--prod\b")


def leaves_out(text: str, result: Result) -> list[str]:
    """Short phrases naming what the converted image no longer carries (from the stage facts
    convert() hands back with every converted result)."""
    if result.status != "converted":
        return []
    facts = result.facts
    stage = facts.stage
    lang = result.language or ""
    artifacts = [a.source.rstrip("/") or "/" for a in result.artifacts]
    out = []
    if _sheds_toolchain(lang, stage.image, result.runtime_base or ""):
        out.append(f"{TOOLCHAIN.get(lang, 'build toolchain')} of {stage.image.split('@')[0]}")
    runtime_words = set(re.findall(r"[\w.+-]+", _final_stage(result.text)))
    build_pkgs = sorted({p for p in facts.packages if p.split("=")[0] not in runtime_words})
    if build_pkgs:
        shown = ", ".join(build_pkgs[:6]) + (f" and {len(build_pkgs) - 6} more" if len(build_pkgs) > 6 else "")
        out.append(f"build packages: {shown}")
    sources = _sources(facts, artifacts)
    if sources:
        out.append(sources)
    deps = _dependencies(lang, facts, text, result.text)
    if deps:
        out.append(deps)
    out += _package_caches(lang, facts)
    return out


def _sheds_toolchain(lang: str, builder: str, runtime: str) -> bool:
    """Whether the runtime base leaves the builder image's tools behind."""
    if same_image(runtime, builder):
        return False
    builder, runtime = builder.split("@")[0], runtime.split("@")[0]
    if lang in ("node", "python"):
        # the interpreter stays; only a full image (compilers, headers) turned slim sheds anything
        def tag(image: str) -> str:
            return image_parts(image)[1] or "latest"
        small = ("slim", "alpine")
        return not any(s in tag(builder) for s in small) and (
            any(s in tag(runtime) for s in small) or "distroless" in runtime)
    return True


def _final_stage(text: str) -> str:
    parts = re.split(r"(?im)^[ \t]*FROM\s", text)
    return parts[-1] if len(parts) > 1 else ""


def _inside(path: str, root: str) -> bool:
    return root == "/" or path == root or path.startswith(root + "/")


def _sources(facts, artifacts: list[str]) -> str | None:
    # a copy whose destination the runtime takes whole (COPY . /app, then /app copied) stays
    copies = [c for c in facts.copies if not c.from_stage
              and not any(_inside(c.dest.rstrip("/") or "/", a) for a in artifacts)]
    if not copies:
        return None
    generic = f"build sources from {len(copies)} COPY/ADD line(s)"
    ctx = facts.context
    if not ctx:
        return generic
    files = ctx.files()
    taken: set[str] = set()
    for cp in copies:
        for src in cp.sources:
            rel = posixpath.normpath(src.lstrip("/")) if src.strip("./") else "."
            if rel == ".":
                taken.update(files)
                break
            taken.update(f for f in files if f == rel or f.startswith(rel + "/")
                         or (any(ch in rel for ch in "*?[") and fnmatch.fnmatch(f, rel)))
    if all(is_dockerfile_name(posixpath.basename(f)) for f in taken):
        return generic      # the context holds no sources to count
    size = sum(ctx.size(rel) or 0 for rel in taken)
    return f"build sources: {len(taken)} context file(s), {_human(size)}, except what the runtime copies"


def _dependencies(lang: str, facts, before: str, after: str) -> str | None:
    if lang == "node":
        # dev dependencies only leave when the builder prunes them (the plan or the user did)
        if not _PRUNE_RE.search(after):
            return None
        text = facts.context.read("package.json") if facts.context else None
        try:
            dev = json.loads(text).get("devDependencies") if text else None
        except (ValueError, AttributeError):
            dev = None
        if isinstance(dev, dict) and dev:
            return f"{len(dev)} devDependencies (package.json)"
        return "devDependencies"
    return DEPENDENCY_CACHES.get(lang)


# the download caches installers leave in the image unless told not to, and what cleans them
_CACHES = {
    "pip": ("pip's download cache (~/.cache/pip)", ("--no-cache-dir", "--no-cache"), "PIP_NO_CACHE_DIR"),
    "npm": ("npm's cache (~/.npm)", ("--cache",), None),
    "yarn": ("yarn's cache", ("--cache-folder",), None),
}
_CACHE_CLEANED = lazy_re.compile(r"\b(?:pip3? cache purge|npm cache clean|yarn cache clean)\b|\.cache\b|\.npm\b")


def _package_caches(lang: str, facts) -> list[str]:
    """The installers' download caches: the original image carried them, the runtime never copies
    them (the runtime takes the app and its installed packages, not the builder's home)."""
    if lang not in ("python", "node"):
        return []       # the compiled languages' caches are named with their dependencies
    out = []
    for tool, (phrase, opt_outs, env_off) in _CACHES.items():
        if env_off and facts.env.get(env_off, "").strip():
            continue
        installs = [c for c in facts.commands() if _installs(tool, c)
                    and not any(a.split("=")[0] in opt_outs for a in c.argv) and not cache_mounts(facts, c)]
        if installs and not any(_CACHE_CLEANED.search(" ".join(c.argv)) for c in facts.commands()):
            out.append(phrase)
    return out


def _installs(tool: str, c) -> bool:
    if tool == "pip":
        return is_pip_install(c)
    sub = c.argv[1] if len(c.argv) > 1 else ("install" if tool == "yarn" else "")
    return c.program == tool and sub in (("install", "i", "ci", "add") if tool == "npm" else ("install", "add", ""))


def _human(size: float) -> str:
    for unit in ("B", "KB", "MB"):
        if size < 1024:
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"
