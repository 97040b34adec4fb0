"""Smaller artifacts: the build flags an expert adds.

Go: `-trimpath` and `-s -w` in `-ldflags` (no build paths, symbol table or DWARF in the binary),
never next to debug flags. Rust: the release profile strips symbols when Cargo.toml leaves
`strip` and `debug` unset. Node: `npm ci` instead of `npm install` when the lockfile is in the
builder. Python: `--no-cache-dir` on pip installs that have no cache mount.
"""
from __future__ import annotations

import posixpath
import re

from msbrewrite.model.package_json import dockerignored
from msbrewrite.optimize.cache_mounts import Mounts
from msbrewrite.optimize.edits import SEP, Builder, command_spans, shell_form, words
from msbrewrite.optimize.manifests import present_before
from msbrewrite.support import lazy_re

_GO_HEAD = lazy_re.compile(r"(?:[\w.-]*/)*go" + SEP + r"(?:build|install)")
_LDFLAGS = lazy_re.compile(r"(--?ldflags)(=|" + SEP + r")(\"[^\"]*\"|'[^']*'|[^\s\"'\\`&;|]+)")
_NPM_CI_FLAGS = lazy_re.compile(r"--(production|omit(=\S+)?|only=\S+|legacy-peer-deps|no-audit|no-fund|ignore-scripts|"
                                r"loglevel(=\S+)?|silent|quiet|unsafe-perm|include(=\S+)?|no-optional|prefer-offline)|-q|-s")


def go_flags(builder: Builder) -> None:
    goflags = builder.facts.env.get("GOFLAGS", "")
    if "ldflags" in goflags or "-N" in goflags:
        return
    changed = _rewrite_commands(builder, r"go" + SEP + r"(?:build|install)", _go_segment,
                                "go build: -trimpath and -ldflags -s -w (smaller binary)")
    if changed:
        builder.decide("go build gets -trimpath and `-s -w` in -ldflags: no symbol table, DWARF or build "
                       "paths in the binary (smaller and reproducible; panics still name functions and lines)")


def _rewrite_commands(builder: Builder, pattern: str, rewrite, reason: str) -> int:
    """Apply `rewrite` (segment -> new segment or None) to every command matching `pattern` in the
    builder's editable shell-form RUN lines; returns how many lines changed."""
    changed = 0
    for run in builder.runs():
        ins = run.ins
        if not shell_form(ins) or not builder.editable(ins):
            continue
        text = builder.text(ins)
        out = text
        for start, end in reversed(command_spans(text, pattern)):
            new = rewrite(out[start:end])
            if new is not None:
                out = out[:start] + new + out[end:]
        if out != text:
            builder.set_text(ins, out, reason)
            changed += 1
    return changed


def _go_segment(segment: str) -> str | None:
    argv = words(segment)
    if argv[1:2] == ["install"] and any("@" in w for w in argv if not w.startswith("-")):
        return None     # a tool installed by version: not the app
    if re.search(r"gcflags", segment) and re.search(r"(?<![\w-])-[Nl](?![\w-])", segment):
        return None     # a debug build: keep its symbols
    if "-compressdwarf=false" in segment or len(_LDFLAGS.findall(segment)) > 1:
        return None
    head = _GO_HEAD.match(segment)
    if head is None:
        return None
    out = segment
    m = _LDFLAGS.search(out)
    if m:
        value = m.group(3)
        quote = value[0] if value[0] in "\"'" else '"'
        inner = value[1:-1] if value[0] in "\"'" else value
        missing = [f for f in ("-s", "-w") if f not in inner.split()]
        if missing:
            new_value = quote + " ".join(missing) + (" " + inner if inner else "") + quote
            out = out[:m.start(3)] + new_value + out[m.end(3):]
    else:
        out = out[:head.end()] + ' -ldflags="-s -w"' + out[head.end():]
    if "-trimpath" not in argv:
        out = out[:head.end()] + " -trimpath" + out[head.end():]
    return out if out != segment else None


def rust_strip(builder: Builder) -> None:
    facts = builder.facts
    if not facts.context:
        return      # the release profile cannot be read: it may keep symbols on purpose
    env = facts.env
    if any(k.startswith("CARGO_PROFILE_RELEASE_") for k in env) or "CARGO_BUILD_RUSTFLAGS" in env:
        return
    release = [c for c in facts.commands() if c.program == "cargo" and len(c.argv) > 1
               and c.argv[1] in ("build", "install", "b") and "--release" in c.argv
               and not any(w.startswith(("--manifest-path", "--profile")) for w in c.argv)]
    if not release:
        return
    from msbrewrite.support.tomlreader import toml
    for cmd in release:
        rel = facts.project_dir("Cargo.toml", cmd.cwd)
        if rel is None:
            return
        try:
            data = toml().loads(facts.context.read((rel + "/" if rel else "") + "Cargo.toml") or "")
        except Exception:   # noqa: BLE001 - an unreadable manifest: leave the profile alone
            return
        profile = data.get("profile", {}).get("release", {}) if isinstance(data.get("profile"), dict) else {}
        if not isinstance(profile, dict) or "strip" in profile or "debug" in profile:
            return
        if any(facts.context.exists(p) for p in (".cargo/config.toml", ".cargo/config")):
            return
    builder.plan.builder_after_from.append("ENV CARGO_PROFILE_RELEASE_STRIP=symbols")
    builder.decide("the release binary is stripped (CARGO_PROFILE_RELEASE_STRIP=symbols): Cargo.toml's "
                   "release profile sets neither strip nor debug")


def npm_ci(builder: Builder) -> None:
    facts = builder.facts
    count = 0
    for run in builder.runs():
        ins = run.ins
        if not shell_form(ins) or not builder.editable(ins):
            continue
        cmds = [c for c in run.step.commands if c.program == "npm" and len(c.argv) > 1 and c.argv[1] in ("install", "i")]
        if not cmds:
            continue
        cwd = cmds[0].cwd
        if any(c.cwd != cwd for c in cmds):
            continue
        lock = None
        for name in ("package-lock.json", "npm-shrinkwrap.json"):
            rel = present_before(facts, ins.index, f"{cwd}/{name}")
            if rel and not facts.context and not _named(facts, ins.index, name):
                rel = None      # `COPY . .` without the context: the lockfile may not exist
            if rel and (not facts.context or (facts.context.exists(rel) and not dockerignored(facts.context, rel))):
                lock = name
                break
        if lock is None:
            continue
        text = builder.text(ins)
        out = text
        for start, end in reversed(command_spans(text, r"npm" + SEP + r"(?:install|i)")):
            argv = words(out[start:end])[2:]
            if not argv or all(_NPM_CI_FLAGS.fullmatch(w) for w in argv):
                out = out[:start] + re.sub(r"(npm" + SEP + r")(?:install|i)", r"\1ci", out[start:end], count=1) + out[end:]
        if out != text:
            builder.set_text(ins, out, f"npm install -> npm ci ({lock} is in the builder)")
            count += 1
    if count:
        builder.decide("npm install becomes npm ci: the lockfile is in the builder, so the install is exactly "
                       "its versions, faster, and fails instead of changing it")


def _named(facts, index: int, name: str) -> bool:
    return any(posixpath.basename(s) == name for c in facts.copies if c.ins.index < index for s in c.sources)


def pip_no_cache(builder: Builder, mounts: Mounts) -> None:
    if "pip" in mounts.by_tool:
        return
    if builder.facts.env.get("PIP_NO_CACHE_DIR"):
        return
    pattern = r"(?:pip3?(?:\.\d+)?|python3?(?:\.\d+)?" + SEP + "-m" + SEP + "pip)" + SEP + "install"

    def no_cache(segment: str) -> str | None:
        if "--no-cache-dir" in segment:
            return None
        head = re.match(r"(?:[\w.-]*/)*" + pattern, segment)
        return segment[:head.end()] + " --no-cache-dir" + segment[head.end():]

    count = _rewrite_commands(builder, pattern, no_cache, "pip install --no-cache-dir (no cache in the image)")
    if count:
        builder.decide("pip install gets --no-cache-dir: without a cache mount its download cache would stay in a layer")
