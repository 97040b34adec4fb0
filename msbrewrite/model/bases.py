"""Runtime base images: what each one holds, and how a builder maps to one."""
from __future__ import annotations

import re

from msbrewrite.support.records import field, record

DISTROLESS_STATIC = "gcr.io/distroless/static-debian12"
DISTROLESS_BASE = "gcr.io/distroless/base-debian12"
DISTROLESS_CC = "gcr.io/distroless/cc-debian12"
DEBIAN_SLIM = "debian:bookworm-slim"
ALPINE = "alpine:3.20"
DISTROLESS_NONROOT_ID = "65532:65532"


@record(frozen=True)
class Base:
    image: str
    libc: str              # none | glibc | musl
    shell: bool
    package_manager: str | None    # apt | apk | None
    tools: frozenset = field(default_factory=frozenset)   # executables available on PATH
    nonroot_user: str | None = None    # a non-root user the image already has
    nonroot_id: str | None = None      # its uid:gid, fixed by the image's build
    distroless: bool = False


_SLIM_TOOLS = frozenset({"sh", "bash", "cat", "ls", "test", "true", "env", "sleep", "kill", "pgrep"})


def same_image(runtime: str, builder: str) -> bool:
    """Whether the runtime base is the builder's own image (a mirror or a digest aside)."""
    runtime, builder = runtime.split("@")[0], builder.split("@")[0]
    # either side may carry the mirror's prefix (`dockerhub/library/python:3.9-slim`, `python:3.9-slim`)
    return runtime == builder or runtime.endswith("/" + builder) or builder.endswith("/" + runtime)


def image_parts(ref: str) -> tuple[str, str]:
    """(name, tag) of an image reference without registry or digest: 'gcr.io/x/node:20' -> ('node', '20').

    The tag is '' when the reference names none.
    """
    name, _, tag = ref.split("@")[0].rsplit("/", 1)[-1].partition(":")
    return name, tag


def describe(image: str) -> Base:
    """What we know of a runtime base image from its name."""
    name = image.split("@")[0]
    repo, _, tag = name.rpartition(":") if ":" in name.rsplit("/", 1)[-1] else (name, "", "latest")
    repo_last = repo.rsplit("/", 1)[-1]
    if "distroless" in repo:
        debug = tag.startswith("debug")
        nonroot = "nonroot"
        libc = "none" if "static" in repo_last else "glibc"
        tools = {"sh", "busybox"} if debug else set()
        for lang in ("python3", "nodejs", "java"):
            if lang in repo_last:
                tools.add({"python3": "python3", "nodejs": "node", "java": "java"}[lang])
        return Base(image, libc, debug, None, frozenset(tools), nonroot, DISTROLESS_NONROOT_ID, distroless=True)
    if repo_last == "scratch" or name == "scratch":
        return Base(image, "none", False, None, frozenset(), None, distroless=True)
    if repo_last == "alpine" or "alpine" in tag:
        tools = (_SLIM_TOOLS - {"bash"}) | {"wget", "nc"}    # busybox's sh, no bash
        if repo_last.startswith("nginx"):
            tools |= {"curl", "nginx"}
        if repo_last == "node":
            tools |= {"node", "npm", "npx", "yarn"}
        # the official node:*-alpine images ship a `node` user, like the Debian ones
        return Base(image, "musl", True, "apk", frozenset(tools),
                    *(_dotnet_user(repo, tag) if "dotnet/" in repo else _node_user(repo_last)))
    tools = set(_SLIM_TOOLS)
    if repo_last in ("python",):
        tools |= {"python", "python3", "pip"}
    if repo_last in ("node",):
        tools |= {"node", "npm", "npx", "yarn"}
    if repo_last.startswith("nginx"):
        tools |= {"nginx", "curl"}
    if repo_last in ("eclipse-temurin", "openjdk", "amazoncorretto"):
        tools |= {"java"}
    if "slim" not in tag and repo_last in ("python", "node", "golang", "rust", "buildpack-deps"):
        tools |= {"curl", "wget", "git"}
    return Base(image, "glibc", True, "apt", frozenset(tools),
                *(_dotnet_user(repo, tag) if "dotnet/" in repo else _node_user(repo_last)))


def _dotnet_user(repo: str, tag: str) -> tuple[str | None, str | None]:
    # Microsoft's .NET 8+ images carry an `app` user with uid and gid 1654
    m = re.match(r"(\d+)\.", tag)
    if "dotnet/" in repo and m and int(m.group(1)) >= 8:
        return "app", "1654:1654"
    return None, None


def _node_user(repo: str) -> tuple[str | None, str | None]:
    # the official node images create `node` with uid and gid 1000, on Debian and on Alpine; oven/bun
    # `bun` (1000), denoland/deno `deno` (1993)
    return {"node": ("node", "1000:1000"), "bun": ("bun", "1000:1000"), "deno": ("deno", "1993:1993")}.get(
        repo, (None, None))


def alpine_version(builder_tag: str) -> str:
    """alpine:<ver> matching a builder tag such as 1.22-alpine3.19."""
    m = re.search(r"alpine(\d+\.\d+)", builder_tag)
    return f"alpine:{m.group(1)}" if m else ALPINE


def with_mirror(image: str, mirror: str | None) -> str:
    if not mirror:
        return image
    return mirror.rstrip("/") + "/" + image


def with_digest(image: str, digests: dict[str, str] | None) -> str:
    if digests and image in digests:
        return f"{image}@{digests[image]}"
    return image
