"""The `debug` stage (--debug-stage): the runtime's twin on a base with a shell.

It is rendered between the builder and the runtime, so the runtime stays the last stage and
therefore what a plain `docker build` produces; `docker build --target debug` gives the twin.
"""
from __future__ import annotations

from msbrewrite.model.bases import DISTROLESS_STATIC, describe, image_parts, with_digest, with_mirror
from msbrewrite.core.option_values import image_problem
from msbrewrite.support.records import record

NAME = "debug"
# distroless images whose non-debug tag has no ENTRYPOINT: their debug tag sets /busybox/sh
_LANGUAGE_DISTROLESS = ("nodejs", "python", "java")


@record(frozen=True)
class DebugStage:
    name: str
    image: str
    note: str                       # the comment line above its FROM
    clear_entrypoint: bool = False  # the debug base adds an ENTRYPOINT the runtime base does not have


def debug_tag(tag: str) -> str:
    """The distroless debug tag beside `tag`: nonroot -> debug-nonroot, latest or none -> debug."""
    if tag.startswith("debug"):
        return tag
    if tag in ("", "latest"):
        return "debug"
    if tag.startswith("latest-"):
        return "debug" + tag[len("latest"):]
    return "debug-" + tag


def plan_debug(plan, options, builder: str) -> DebugStage:
    """The debug stage for a plan whose runtime base is already chosen (mirror and digest applied)."""
    name = NAME if builder != NAME else "runtime-debug"
    if name != NAME:
        plan.warnings.append(f"the build stage is already named {NAME!r}: the debug stage is {name!r}")
    base = plan.runtime_base
    image = base.split("@", 1)[0]
    repo_name, tag = image_parts(image)
    if repo_name == "scratch":
        # nothing to add a shell to: the static distroless image with busybox runs the same static binary
        debug = with_digest(with_mirror(f"{DISTROLESS_STATIC}:debug", options.mirror), options.digests)
        stage = DebugStage(name, debug, f"# {name}: the runtime below on {debug} (busybox shell); "
                           f"docker build --target {name}", clear_entrypoint=True)
    elif describe(base).distroless:
        head = image[: len(image) - len(tag) - 1] if tag else image
        debug = with_digest(f"{head}:{debug_tag(tag)}", options.digests)
        clear = not any(lang in repo_name for lang in _LANGUAGE_DISTROLESS)
        stage = DebugStage(name, debug, f"# {name}: the runtime below on {debug} (busybox shell); "
                           f"docker build --target {name}", clear_entrypoint=clear)
    else:
        debug = base
        stage = DebugStage(name, debug, f"# {name}: the runtime below (its base already has a shell); "
                           f"docker build --target {name}")
        plan.decisions.append(f"debug stage: {base} already has a shell, so the debug stage uses the same base")
    if debug != base:
        plan.decisions.append(f"debug stage on {debug}: the runtime's files, user and command with a busybox "
                              f"shell (docker build --target {name}); the runtime stays the default target")
        if "@" in base and "@" not in debug:
            plan.warnings.append(f"the debug base {debug} is not pinned like the runtime: add its digest to "
                                 "[tool.msb.digests] to pin it")
    why = image_problem(debug)
    if why:     # only reachable through a base msb did not write; never paste a bad reference
        from msbrewrite.model.plan import Refusal
        raise Refusal(f"debug stage image {debug!r}: {why}", code=2, reason="bad-option")
    return stage
