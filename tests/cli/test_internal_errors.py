"""Inputs that used to end in an internal error or a hang: each is now one line on stderr, exit 2."""
from __future__ import annotations

import pytest

from one_line_errors import assert_one_line_error, msb

GO = b'FROM golang:1.22\nRUN go build -o /s .\nCMD ["/s"]\n'


@pytest.mark.parametrize("keyword", ["CMD", "ENTRYPOINT"])
def test_bare_cmd_or_entrypoint(tmp_path, keyword):
    path = tmp_path / "Dockerfile"
    path.write_bytes(b"FROM golang:1.22\nRUN go build -o /s .\n" + keyword.encode() + b"\n")
    assert_one_line_error(msb("convert", path, "--no-context"), 2, f"{keyword} without a command")


def test_closed_stdin():
    import subprocess
    import sys
    proc = subprocess.run([sys.executable, "-c", "from msbrewrite.cli.entry import main; main()", "convert", "-"],
                          stdin=subprocess.DEVNULL, capture_output=True, timeout=300,
                          preexec_fn=lambda: __import__("os").close(0))
    assert_one_line_error(proc, 2, "standard input is closed")


def test_internal_module_is_not_a_language(tmp_path):
    path = tmp_path / "Dockerfile"
    path.write_bytes(GO)
    assert_one_line_error(msb("convert", path, "--no-context", "--language", "common"), 2, "unknown language")


def test_pyproject_whose_tool_is_not_a_table(tmp_path):
    (tmp_path / "pyproject.toml").write_text("tool = 5\n")
    path = tmp_path / "Dockerfile"
    path.write_bytes(b"FROM python:3.12-slim\nCOPY . /app\nRUN pip install -r /app/requirements.txt\n"
                     b"CMD [\"python\", \"/app/main.py\"]\n")
    (tmp_path / "requirements.txt").write_text("flask\n")
    (tmp_path / "main.py").write_text("print(1)\n")
    proc = msb("convert", path)
    assert proc.returncode == 0, proc.stderr
    assert b"internal error" not in proc.stderr


@pytest.mark.parametrize("data,words", [
    (bytes(range(128, 256)) * 2, ["not UTF-8"]),
    (b"a = " + b"[" * 5000 + b"]" * 5000 + b"\n", ["nested too deeply"]),
])
def test_broken_msb_toml(tmp_path, data, words):
    (tmp_path / ".msb.toml").write_bytes(data)
    path = tmp_path / "Dockerfile"
    path.write_bytes(GO)
    assert_one_line_error(msb("convert", path), 2, ".msb.toml", *words)


def test_msb_toml_with_a_byte_order_mark_is_read(tmp_path):
    (tmp_path / ".msb.toml").write_bytes(b'\xef\xbb\xbfruntime = "slim"\n')
    path = tmp_path / "Dockerfile"
    path.write_bytes(GO)
    proc = msb("convert", path, "-q")
    assert proc.returncode == 0, proc.stderr
    assert b"FROM debian:bookworm-slim" in proc.stdout


def test_line_over_64_kib(tmp_path):
    path = tmp_path / "Dockerfile"
    path.write_bytes(b"FROM golang:1.22\nRUN go build -o /s . # " + b"x" * 70_000 + b"\nCMD [\"/s\"]\n")
    assert_one_line_error(msb("convert", path, "--no-context"), 2, "line 2", "65535")


def test_detect_with_a_missing_context(tmp_path):
    path = tmp_path / "Dockerfile"
    path.write_bytes(GO)
    assert_one_line_error(msb("detect", path, "-c", tmp_path / "nonexistent"), 2, "not a directory")


def test_a_context_directory_that_cannot_be_searched(nobody_msb):
    """Seen as absent, never an internal error (a non-root user; root can search everything)."""
    import os
    import shutil
    import tempfile
    from test_reports_and_exits import _as_nobody
    root = tempfile.mkdtemp(prefix="msb-ctx-", dir="/tmp")
    try:
        app = os.path.join(root, "app")
        os.makedirs(os.path.join(app, "locked"))
        with open(os.path.join(app, "go.mod"), "w") as fh:
            fh.write("module example.com/app\n")
        with open(os.path.join(app, "Dockerfile"), "w") as fh:
            fh.write("FROM golang:1.22\nWORKDIR /src\nCOPY . .\nCOPY locked/x.yaml /etc/x.yaml\n"
                     "RUN go build -o /s .\nCMD [\"/s\", \"-config\", \"locked/app.yaml\"]\n")
        for dirpath, dirnames, filenames in os.walk(root):
            os.chmod(dirpath, 0o755)
            for f in filenames:
                os.chmod(os.path.join(dirpath, f), 0o644)
        os.chmod(os.path.join(app, "locked"), 0o644)     # not searchable, by its owner too (a non-root run)
        proc = _as_nobody(nobody_msb, root, "convert", "app/Dockerfile", "-q")
        assert proc.returncode == 0, proc.stderr
        proc = _as_nobody(nobody_msb, root, "check", "app", "--jobs", "1")
        assert proc.returncode == 1, proc.stderr
        assert "internal" not in proc.stderr + proc.stdout
    finally:
        os.chmod(os.path.join(root, "app", "locked"), 0o755)
        shutil.rmtree(root)
