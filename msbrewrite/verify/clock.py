"""Comparing two programs' output when it names the moment it ran: a CLI that logs
`2026-12-07 02:24:15 starting` prints another time in each run, original or converted.

Two outputs are the same when they are equal once each pair of times at the same place is found
to be within MAX_SKEW of each other. Everything else must be equal: other text, the number of
times, their format; a time shifted by an hour (another time zone) or a fixed date that changed
is still a difference."""
from __future__ import annotations

import re
from datetime import datetime

from msbrewrite.support import lazy_re

MAX_SKEW = 600          # seconds: the two images run one after the other, minutes apart at most

_TIME = lazy_re.compile(r"\b\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?(?![\d.:])|"
                        r"(?<![\d:.])\d\d:\d\d:\d\d(?:[.,]\d+)?(?![\d:])")


def same_apart_from_times(a: str, b: str) -> bool:
    """a and b are equal, or differ only in times (at the same places) close to each other."""
    if a == b:
        return True
    parts_a, parts_b = _TIME.split(a), _TIME.split(b)
    times_a, times_b = _TIME.findall(a), _TIME.findall(b)
    if parts_a != parts_b or len(times_a) != len(times_b):
        return False
    return all(_close(x, y) for x, y in zip(times_a, times_b))


def _close(a: str, b: str) -> bool:
    if a == b:
        return True
    if _shape(a) != _shape(b):
        return False
    if len(a) > 14:              # a date and a time
        try:
            da, db = (datetime.fromisoformat(t.replace(",", ".").replace("Z", "+00:00")) for t in (a, b))
            return abs((da - db).total_seconds()) <= MAX_SKEW
        except (ValueError, TypeError):
            return False
    sa, sb = (_seconds(t) for t in (a, b))
    gap = abs(sa - sb)
    return min(gap, 86400 - gap) <= MAX_SKEW       # a run across midnight


def _shape(t: str) -> str:
    return re.sub(r"\d", "0", t)


def _seconds(t: str) -> float:
    h, m, s = t.replace(",", ".").split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)
