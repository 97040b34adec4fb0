"""A command-line program that prints the time it runs prints another one in each image: `msb
verify` compares its output with those times aside, and still sees every other change, a time
zone that moved, and a date that is not the moment of the run."""
from __future__ import annotations

from msbrewrite.verify.judge import CliRun, judge_cli

LOG = "2026-12-07 02:24:15,123 INFO starting\nitems: 3\n[02:24:16] done\n"


def _judge(before: str, after: str):
    return judge_cli(CliRun(0, before, ""), CliRun(0, after, ""), 20)


def test_times_of_the_run_are_not_output_differences():
    later = LOG.replace("02:24:15,123", "02:25:01,007").replace("02:24:16", "02:25:02")
    assert _judge(LOG, later).passed
    assert _judge("built 2026-12-07T23:59:58Z\n", "built 2026-12-08T00:00:03Z\n").passed
    assert _judge("tick 23:59:58\n", "tick 00:00:03\n").passed         # a run across midnight


def test_output_that_really_differs_around_times_still_fails():
    later = LOG.replace("02:24:15,123", "02:25:01,007")
    smoke = _judge(LOG, later.replace("items: 3", "items: 4"))
    assert not smoke.passed and "'items: 3' became 'items: 4'" in smoke.detail
    assert not _judge(LOG, LOG.replace("INFO", "WARN")).passed
    assert not _judge(LOG, LOG.replace("[02:24:16] done\n", "")).passed


def test_times_that_do_not_match_the_run_still_fail():
    # another time zone: an hour apart
    assert not _judge("at 2026-12-07T02:24:15+00:00\n", "at 2026-12-07T03:24:15+00:00\n").passed
    # a fixed date the program prints (a release, a record) changed
    assert not _judge("release 2024-03-01 10:00:00\n", "release 2024-03-02 10:00:00\n").passed
    # the same moment written another way is another output
    assert not _judge("at 2026-12-07T02:24:15Z\n", "at 2026-12-07 02:24:15Z\n").passed
    assert not _judge("at 02:24:15\n", "at 2:24:15\n").passed
