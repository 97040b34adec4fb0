"""The platform of the runtime stage, from the builder's `FROM --platform=...`.

`FROM --platform=linux/arm64 golang` builds an arm64 binary: a runtime FROM without the flag would
be the target platform (amd64 on most machines) and could not run it. The builder's platform is
carried as written (`$TARGETPLATFORM` and global ARGs resolve in every FROM), except in the
cross-compiling pattern: a builder on `$BUILDPLATFORM` that compiles for `$TARGETARCH`/`$TARGETOS`
(GOARCH, `cargo --target`, ...) produces a binary for the target, which the default platform is.
"""
from __future__ import annotations


from msbrewrite.model.analysis import StageFacts
from msbrewrite.support import lazy_re

_CROSS_RE = lazy_re.compile(r"\$\{?TARGET(ARCH|OS|PLATFORM|VARIANT)\b")


def runtime_platform(facts: StageFacts) -> tuple[str | None, str | None]:
    """(platform for the runtime FROM or None, decision text or None)."""
    platform = facts.stage.platform
    if not platform:
        return None, None
    if "BUILDPLATFORM" in platform and _cross_compiles(facts):
        return None, (f"builder on --platform={platform} cross-compiles for the target platform: "
                      "the runtime stage uses the target platform")
    return platform, f"runtime stage on --platform={platform}, as the builder: the binary is built for it"


def _cross_compiles(facts: StageFacts) -> bool:
    texts = [ins.raw for ins in facts.stage.instructions if ins.keyword in ("RUN", "ENV", "ARG")]
    return any(_CROSS_RE.search(t) for t in texts)
