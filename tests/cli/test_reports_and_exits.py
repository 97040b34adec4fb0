"""Exit codes and output that tell the truth: unreadable paths fail `check` (and show up in every
format), -q never hides an error, --json/--diff combine with -o/-i, input text never reaches the
terminal raw, and configuration excludes are matched from the file that declares them."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from bulkapps import go_app, msb
from msbrewrite.cli import sarif
from msbrewrite.bulk.runner import FAILED, Item
from msbrewrite.cli.commands_check import github

GO = 'FROM golang:1.22\nRUN go build -o /s .\nCMD ["/s"]\n'
UNKNOWN = 'FROM debian:12\nRUN echo hi\nCMD ["cat", "/etc/hostname"]\n'


def _as_nobody(nobody_msb, tmp_root, *args):
    """Run msb as uid 65534 (root reads every directory, whatever its mode); `nobody_msb` is the
    conftest fixture that gives that user a copy of msb it can read."""
    command, env = nobody_msb
    return subprocess.run([*command, *map(str, args)], cwd=tmp_root, capture_output=True, text=True, timeout=300,
                          env=env)


@pytest.fixture
def locked_tree(tmp_path_factory):
    import tempfile
    root = tempfile.mkdtemp(prefix="msb-locked-", dir="/tmp")
    os.chmod(root, 0o755)
    go_app(__import__("pathlib").Path(root) / "ok", name="ok")
    locked = os.path.join(root, "locked")
    os.mkdir(locked)
    with open(os.path.join(locked, "Dockerfile"), "w") as fh:
        fh.write(GO)
    for dirpath, dirnames, filenames in os.walk(root):
        for d in dirnames:
            os.chmod(os.path.join(dirpath, d), 0o755)
        for f in filenames:
            os.chmod(os.path.join(dirpath, f), 0o644)
    os.chmod(locked, 0o644)       # readable, not searchable, by its owner too (a non-root run)
    yield root
    os.chmod(locked, 0o755)
    shutil.rmtree(root)


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
def test_check_with_an_unreadable_directory_fails_and_says_so(nobody_msb, locked_tree, fmt):
    proc = _as_nobody(nobody_msb, locked_tree, "check", ".", "--format", fmt, "--jobs", "1")
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    assert "locked" in proc.stdout
    if fmt == "sarif":
        doc = json.loads(proc.stdout)
        ids = [r["ruleId"] for r in doc["runs"][0]["results"]]
        assert sarif.FAILED_ID in ids and sarif.RULE_ID in ids
        assert doc["runs"][0]["invocations"][0]["executionSuccessful"] is False


def test_migrate_reports_an_unreadable_directory_as_a_failure(nobody_msb, locked_tree):
    proc = _as_nobody(nobody_msb, locked_tree, "migrate", ".", "--jobs", "1", "-q")
    assert proc.returncode == 1, proc.stderr
    assert "locked: failed: unreadable" in proc.stderr


def test_sarif_and_github_list_failed_files():
    items = [Item("/x/Dockerfile", status=FAILED, reason="cannot read (Permission denied)", reason_code="unreadable")]
    doc = sarif.document(items)
    assert [r["ruleId"] for r in doc["runs"][0]["results"]] == [sarif.FAILED_ID]
    assert "Permission denied" in doc["runs"][0]["results"][0]["message"]["text"]
    assert github(items).startswith("::error file=/x/Dockerfile")


def test_quiet_still_says_why_a_file_was_refused(tmp_path):
    (tmp_path / "Dockerfile").write_text(UNKNOWN)
    proc = msb("convert", tmp_path / "Dockerfile", "-q")
    assert proc.returncode == 3
    assert "unknown language" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("mode", [["-o", "OUT"], ["-i"]])
def test_json_with_output_writes_the_file_and_prints_the_json(tmp_path, mode):
    src = tmp_path / "Dockerfile"
    src.write_text(GO)
    out = tmp_path / "out"
    proc = msb("convert", src, "--no-context", "--json", *[str(out) if m == "OUT" else m for m in mode])
    assert proc.returncode == 0, proc.stderr
    written = (out if "-o" in mode else src).read_text()
    assert json.loads(proc.stdout)["text"] == written and "AS builder" in written


@pytest.mark.parametrize("mode", [["-o", "OUT"], ["-i"]])
def test_diff_with_output_writes_the_file_and_prints_the_diff(tmp_path, mode):
    src = tmp_path / "Dockerfile"
    src.write_text(GO)
    out = tmp_path / "out"
    proc = msb("convert", src, "--no-context", "--diff", "-q", *[str(out) if m == "OUT" else m for m in mode])
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("---") and "+FROM golang:1.22 AS builder" in proc.stdout
    assert "AS builder" in (out if "-o" in mode else src).read_text()


def test_json_and_diff_together_are_refused(tmp_path):
    (tmp_path / "Dockerfile").write_text(GO)
    proc = msb("convert", tmp_path / "Dockerfile", "--json", "--diff")
    assert proc.returncode == 2 and "cannot be combined" in proc.stderr and proc.stdout == ""


def test_escape_sequences_and_newlines_from_the_input_are_not_printed_raw(tmp_path):
    name = "we\nird\x1b[31m"
    # the first CMD is overridden: the report lists it as removed, with its text
    (tmp_path / name).write_text('FROM golang:1.22\nRUN go build -o /s .\nCMD echo "\x1b]0;pwned\x07"\nCMD ["/s"]\n')
    proc = msb("convert", tmp_path / name, "--no-context")
    assert proc.returncode == 0, proc.stderr
    assert "\x1b" not in proc.stderr and "\x07" not in proc.stderr
    assert "we\\nird\\x1b[31m" in proc.stderr and "\\x1b]0;pwned\\x07" in proc.stderr
    proc = msb("check", tmp_path / name, "--jobs", "1")
    assert "\x1b" not in proc.stdout and "we\\nird" in proc.stdout


def test_config_exclude_is_relative_to_the_config_file(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / ".msb.toml").write_text('exclude = ["services/legacy/**"]\n')
    go_app(tmp_path / "services" / "legacy", name="legacy")
    go_app(tmp_path / "services" / "new", name="new")
    (tmp_path / "services" / "new" / ".msb.toml").write_text('exclude = ["sub/**"]\n')
    go_app(tmp_path / "services" / "new" / "sub", name="sub")
    before = (tmp_path / "services" / "legacy" / "Dockerfile").read_text()
    for cwd, root in ((tmp_path, "services"), (tmp_path / "services", "."), (tmp_path / "services", "legacy")):
        proc = msb("migrate", root, "-i", "-q", "--jobs", "1", cwd=cwd)
        assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "services" / "legacy" / "Dockerfile").read_text() == before
    assert GO not in (tmp_path / "services" / "new" / "sub" / "Dockerfile").read_text()
    assert "AS builder" not in (tmp_path / "services" / "new" / "sub" / "Dockerfile").read_text()
    assert "AS builder" in (tmp_path / "services" / "new" / "Dockerfile").read_text()
    # an explicit file is protected too (pre-commit passes file names)
    proc = msb("migrate", "services/legacy/Dockerfile", "-i", "-q", cwd=tmp_path)
    assert proc.returncode == 0 and (tmp_path / "services" / "legacy" / "Dockerfile").read_text() == before
