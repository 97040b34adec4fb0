"""Helpers the interpreted-language planners share (PHP, Ruby, Bun, Deno)."""
from __future__ import annotations

import posixpath

from msbrewrite.model.analysis import StageFacts, command_argv
from msbrewrite.model.dockerfile import expand


def image_repo(facts: StageFacts) -> str:
    """The image repository without registry, tag or digest: 'oven/bun', 'denoland/deno', 'ruby'."""
    ref = expand(facts.image, facts.args).split("@")[0].lower()
    last = ref.rsplit("/", 1)[-1]
    if ":" in last:
        ref = ref[: len(ref) - len(last)] + last.split(":")[0]
    parts = ref.split("/")
    if len(parts) > 1 and ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost"):
        parts = parts[1:]   # a registry host
    if parts[:1] == ["library"]:
        parts = parts[1:]
    return "/".join(parts)


def slim_tag(tag: str, word: str = "slim") -> str:
    """The slim variant of an official image tag: '3.1' -> '3.1-slim', '3.1-bookworm' ->
    '3.1-slim-bookworm', 'latest' -> 'slim'; slim and alpine tags stay as they are."""
    if word in tag.split("-") or "alpine" in tag:
        return tag
    if tag in ("latest", ""):
        return word
    for distro in ("-bookworm", "-bullseye", "-buster", "-trixie", "-debian"):
        if tag.endswith(distro):
            head = tag[: -len(distro)]
            # Bun's `-debian` names the default variant: its slim tag has no distribution
            return f"{head}-{word}" if distro == "-debian" else f"{head}-{word}{distro}"
    return f"{tag}-{word}"


def start_argv(facts: StageFacts) -> list[str]:
    """ENTRYPOINT and CMD words as the original joins them (exec forms), CMD alone otherwise."""
    ep = command_argv(facts.entrypoint) or []
    cmd = command_argv(facts.cmd) or []
    if facts.entrypoint is not None and not facts.entrypoint.is_json:
        return ep
    return ep + cmd


def program(argv: list[str]) -> str:
    return posixpath.basename(argv[0]) if argv else ""


def system_libraries(packages: list[str], family: str) -> list[str]:
    """Runtime libraries for the -dev packages a build installs: the shared table, plus the
    libraries PHP extensions and gems link (a table of their own)."""
    from msbrewrite.languages.common import native_libs, runtime_libraries
    found = set(runtime_libraries(packages, family))
    if family == "debian":
        more = native_libs().get("debian-more", {})
        found |= {more[p.split("=")[0]] for p in packages if more.get(p.split("=")[0])}
    return sorted(found)
