"""The size guarantee: a converted image is never larger than its original.

A multi-stage conversion exists to ship less; one that ships more is a regression a platform team
would not merge, whatever the app does, so a larger image is a difference and fails the verdict.
Growth below NOISE is a warning instead: a runtime on the original's own base adds a few KB of its
own (the runtime user's account files, the virtualenv's config), never a dependency.
"""
from __future__ import annotations

from msbrewrite.verify.oracle import Difference

NOISE = 1024 * 1024


def size_warning(original: int | None, converted: int | None) -> list[str]:
    """A warning when the converted image is larger by less than NOISE."""
    if original is None or converted is None or not 0 < converted - original <= NOISE:
        return []
    return [f"the converted image is {human_size(converted - original)} larger than the original (the runtime "
            "stage's own files, such as the runtime user's account): no size gain, keep the original if size "
            "was the goal"]


def size_difference(original: int | None, converted: int | None) -> list[Difference]:
    """A difference when the converted image is larger than the original by more than NOISE."""
    if original is None or converted is None or converted - original <= NOISE:
        return []
    grown = converted - original
    return [Difference("size", f"the converted image is larger than the original by {human_size(grown)} "
                       f"({human_size(original)} -> {human_size(converted)}): keep the original, or see what "
                       "the runtime stage adds with `docker history`",
                       [f"original {original} bytes, converted {converted} bytes"])]


def human_size(size: int | None) -> str:
    if size is None:
        return "-"
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} B"
