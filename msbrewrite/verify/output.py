"""What the engine and the app print, read for the report: the build step that failed (BuildKit's
plain progress), the last lines of a log, the first line that says something. Pure."""
from __future__ import annotations

import re

from msbrewrite.support import lazy_re

_STEP_RE = lazy_re.compile(r"^#(\d+) (\[.+?\] .*)$")
_ERROR_RE = lazy_re.compile(r"^#(\d+) ERROR: (.*)$")


def failing_step(log: str) -> str | None:
    """The build step that failed, as BuildKit's plain progress names it ('[builder 4/6] RUN ...')."""
    steps: dict[str, str] = {}
    failed = None
    for line in log.splitlines():
        m = _STEP_RE.match(line)
        if m:
            steps.setdefault(m.group(1), m.group(2))
        m = _ERROR_RE.match(line)
        if m:
            failed = m.group(1)
    if failed and failed in steps:
        return steps[failed]
    # a Dockerfile the frontend rejects has no numbered step: keep the engine's own message
    for line in reversed(log.splitlines()):
        if line.startswith(("error:", "ERROR:")) or "failed to solve" in line:
            return line.strip()[:300]
    return None


# a base image the engine could not fetch because no registry answered (not one that does not exist)
_PULL_STEP_RE = lazy_re.compile(r"load metadata for (\S+?):?$|^Step \d+/\d+ : FROM (?:--\S+ )*(\S+)", re.M)
_LATER_STEP_RE = lazy_re.compile(r"^#\d+ \[[^\]]*\d+/\d+\]|^Step \d+/\d+ : (?!FROM)", re.M)
_NO_NETWORK_RE = lazy_re.compile(r"no such host|dial tcp|i/o timeout|network is unreachable|connection refused|"
                                 r"TLS handshake timeout|temporary failure in name resolution", re.I)


def unreachable_image(log: str) -> str | None:
    """The image a failed build could not fetch for want of a registry, or None."""
    if not _NO_NETWORK_RE.search(log):
        return None
    found = None
    for m in _PULL_STEP_RE.finditer(log):
        found = m.group(1) or m.group(2)
    if found is None:
        return None
    tail = log[log.find(found):]
    # the pull failed, and no build step ran after it (a RUN that cannot download is another matter)
    return found if _NO_NETWORK_RE.search(tail) and not _LATER_STEP_RE.search(tail) else None


def log_tail(log: str, lines: int = 15) -> list[str]:
    return [line for line in log.rstrip("\n").splitlines()[-lines:]]


def first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:200]
    return ""


def unreachable_base_error(base: str, original_text: str) -> str:
    """Why a converted build could not start: its base is not on the engine. When the original never
    names that image, msb chose it for the runtime, and the user should know it was not theirs."""
    chosen = base.removeprefix("docker.io/library/").split("@")[0] not in original_text
    return (f"the converted Dockerfile's base image {base} is not on this engine and no registry answers: pull or "
            "load it, then verify again" + (" (msb chose it for the runtime; the original does not use it)"
                                             if chosen else ""))
