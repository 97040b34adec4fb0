"""docs/migrate-fleet.sh on local git repositories (no network): one branch and one commit per
repository that converts, a report per repository, dirty repositories left alone."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bulkapps import MULTI_STAGE, git, go_app

SCRIPT = Path(__file__).resolve().parents[2] / "docs" / "migrate-fleet.sh"
pytestmark = pytest.mark.skipif(not shutil.which("git") or not shutil.which("bash"), reason="needs git and bash")


def _repo(path: Path, files) -> Path:
    path.mkdir()
    git("init", "-q", "-b", "main", cwd=path)
    files(path)
    git("add", "-A", cwd=path)
    git("commit", "-q", "-m", "start", cwd=path)
    return path


def _run(tmp_path, *args):
    wrapper = tmp_path / "bin" / "msb"
    wrapper.parent.mkdir(exist_ok=True)
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m msbrewrite "$@"\n')
    wrapper.chmod(0o755)
    env = dict(os.environ, MSB=str(wrapper), GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com", NO_COLOR="1")
    return subprocess.run(["bash", str(SCRIPT), "--reports", str(tmp_path / "reports"), *map(str, args)],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)


def _log(repo: Path, ref: str) -> list[str]:
    return git("log", "--format=%s", ref, cwd=repo).stdout.split("\n")[:-1]


def test_a_branch_and_a_commit_per_repository(tmp_path):
    api = _repo(tmp_path / "api", lambda p: go_app(p, "api"))
    done = _repo(tmp_path / "done", lambda p: (p / "Dockerfile").write_text(MULTI_STAGE))
    dirty = _repo(tmp_path / "dirty", lambda p: go_app(p, "dirty"))
    (dirty / "main.go").write_text("package main\n")
    proc = _run(tmp_path, "--msb-option", "--debug-stage", api, done, dirty)
    assert proc.returncode == 1, proc.stderr       # the dirty one was skipped
    assert "dirty: uncommitted changes: skipped" in proc.stderr
    # api: converted on its own branch; the checkout is back where it was
    assert _log(api, "msb/multi-stage") == ["Multi-stage Dockerfiles (msb migrate)", "start"]
    assert git("branch", "--show-current", cwd=api).stdout.strip() == "main"
    converted = git("show", "msb/multi-stage:Dockerfile", cwd=api).stdout
    assert "AS builder" in converted and "AS debug" in converted
    assert git("status", "--porcelain", cwd=api).stdout == ""
    # done: already multi-stage, so no branch; dirty: untouched
    assert git("branch", "--list", "msb/*", cwd=done).stdout == ""
    assert git("branch", "--list", "msb/*", cwd=dirty).stdout == ""
    assert "package main\n" == (dirty / "main.go").read_text()
    reports = sorted(p.name for p in (tmp_path / "reports").iterdir())
    assert reports == ["api.html", "done.html"]
    assert 'id="total-converted" data-count="1"' in (tmp_path / "reports" / "api.html").read_text()


def test_an_existing_branch_is_not_overwritten(tmp_path):
    api = _repo(tmp_path / "api", lambda p: go_app(p, "api"))
    git("branch", "msb/multi-stage", cwd=api)
    proc = _run(tmp_path, api)
    assert proc.returncode == 1 and "exists already" in proc.stderr
    assert _log(api, "msb/multi-stage") == ["start"]
