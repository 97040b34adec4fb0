"""Bad input through the real CLI, in a subprocess: one line on stderr, the documented exit code,
no traceback, nothing half-written, and an answer in bounded time."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from one_line_errors import assert_one_line_error, msb  # noqa: F401 - other modules import them from here too

# a guard against a hang only: how the work grows is measured by test_linear_growth (no clock)
TIMEOUT = 300
GO_APP = "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/app .\nCMD [\"/out/app\"]\n"
UNKNOWN = "FROM debian:12\nRUN echo hello\nCMD [\"cat\", \"/etc/os-release\"]\n"


@pytest.fixture
def write(tmp_path):
    def _write(name: str, data: bytes) -> os.PathLike:
        path = tmp_path / name
        path.write_bytes(data)
        return path
    return _write


@pytest.mark.parametrize("name,data,words", [
    ("empty", b"", ["empty"]),
    ("blank", b"\n  \n\t\n", ["empty"]),
    ("binary", b"\x7fELF\x02\x01\x01\x00\x00\x00FROM a\n", ["binary"]),
    ("latin1", "FROM debian\nLABEL author=Jos\u00e9\n".encode("latin-1"), ["not UTF-8"]),
    ("python", b"import os\nprint(os.getcwd())\n", ["not a Dockerfile"]),
    ("no-from", b"RUN echo hi\n", ["no FROM"]),
    ("run-before-from", b"RUN echo hi\nFROM a\n", ["before the first FROM"]),
    ("bad-flag", b"FROM golang\nCMD --port 80\n", ["takes no flags"]),
    ("comments-only", b"# just a comment\n", ["no FROM"]),
    ("unclosed-heredoc", b"FROM a\nRUN <<EOF\necho\n", ["never closed"]),
    ("bad-json", b'FROM a\nCMD ["a", 1]\n', ["strings only"]),
])
def test_unreadable_or_not_a_dockerfile(write, name, data, words):
    path = write(name, data)
    assert_one_line_error(msb("convert", path), 2, *words)


def test_directory(tmp_path):
    assert_one_line_error(msb("convert", tmp_path), 2, "directory")


def test_missing_file(tmp_path):
    assert_one_line_error(msb("convert", tmp_path / "nope"), 2, "no such file")


def test_twenty_megabytes(write):
    path = write("huge", b"FROM golang:1.22\n" + (b"# " + b"x" * 1022 + b"\n") * 20 * 1024)
    assert_one_line_error(msb("convert", path), 2, "larger than")


def test_hundred_thousand_lines(write):
    path = write("long", GO_APP.encode() + b"ENV A=1\n" * 100_000)
    assert_one_line_error(msb("convert", path), 2, "lines")


def test_stdin(write):
    proc = msb("convert", "-", "--no-context", stdin=GO_APP.encode())
    assert proc.returncode == 0, proc.stderr
    assert b"AS builder" in proc.stdout and b"COPY --from=builder /out/app" in proc.stdout
    assert_one_line_error(msb("convert", "-", stdin=b""), 2, "empty")
    assert_one_line_error(msb("convert", "-", stdin=b"\xff\xfe\x00F\x00R"), 2)


def test_refusal_writes_nothing_with_output(write, tmp_path):
    path = write("Dockerfile", UNKNOWN.encode())
    out = tmp_path / "out.Dockerfile"
    assert_one_line_error(msb("convert", path, "-o", out), 3, "unknown language")
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["Dockerfile"]


def test_refusal_leaves_in_place_file_untouched(write, tmp_path):
    path = write("Dockerfile", UNKNOWN.encode())
    before = os.stat(path).st_mtime_ns
    assert_one_line_error(msb("convert", path, "--in-place"), 3, "unknown language")
    assert path.read_bytes() == UNKNOWN.encode() and os.stat(path).st_mtime_ns == before
    assert [p.name for p in tmp_path.iterdir()] == ["Dockerfile"]


def test_bad_input_with_output_writes_nothing(write, tmp_path):
    path = write("bin", b"\x00\x01\x02")
    out = tmp_path / "out"
    assert_one_line_error(msb("convert", path, "-o", out), 2, "binary")
    assert not out.exists()


def test_unwritable_output_is_one_line(write, tmp_path):
    path = write("Dockerfile", GO_APP.encode())
    proc = msb("convert", path, "--no-context", "-q", "-o", tmp_path / "no" / "such" / "dir" / "out")
    assert_one_line_error(proc, 2, "cannot write")


@pytest.mark.parametrize("args,words", [
    (["--in-place", "-o", "x"], ["--in-place"]),
    (["--runtime", "tiny"], ["--runtime"]),
    (["--context", "/definitely/not/here"], ["not a directory"]),
])
def test_bad_usage(write, args, words):
    path = write("Dockerfile", GO_APP.encode())
    assert_one_line_error(msb("convert", path, *args), 2, *words)


def test_unknown_language_option(write):
    path = write("Dockerfile", GO_APP.encode())
    assert_one_line_error(msb("convert", path, "--language", "cobol"), 2, "cobol")


def test_internal_error_is_one_line_and_writes_nothing(write, tmp_path):
    """Fault injection: a bug inside the pipeline still ends in one line and exit code 3."""
    path = write("Dockerfile", GO_APP.encode())
    out = tmp_path / "out"
    code = ("import sys, msbrewrite\nc = sys.modules['msbrewrite.core.convert']\n"
            "def boom(*a, **k): raise KeyError('planner bug')\n"
            "c.convert = boom\n"
            "from msbrewrite.cli.entry import main; main()")
    proc = subprocess.run([sys.executable, "-c", code, "convert", str(path), "-o", str(out)],
                          capture_output=True, timeout=TIMEOUT)
    assert_one_line_error(proc, 3, "internal error", "KeyError", "planner bug")
    assert not out.exists()


@pytest.mark.skipif(not os.path.exists("/usr/bin/time"), reason="GNU time not installed")
@pytest.mark.parametrize("lines", [100_000, 9_000])
def test_long_files_stay_within_memory(write, tmp_path, lines):
    """Peak RSS of the whole process stays under 200 MB, refused (100k lines) or converted (9k)."""
    path = write("long", GO_APP.encode() + b"ENV A=1\n" * lines)
    rss = tmp_path / "rss"
    cmd = ["/usr/bin/time", "-f", "%M", "-o", str(rss), sys.executable, "-c",
           "from msbrewrite.cli.entry import main; main()", "convert", str(path), "--no-context", "-q"]
    proc = subprocess.run(cmd, capture_output=True, timeout=TIMEOUT * 2)
    assert proc.returncode == (2 if lines > 10_000 else 0), proc.stderr
    assert int(rss.read_text().split()[-1]) < 200 * 1024


def test_convert_loads_only_what_it_needs(write):
    """`msb convert` must not import the other commands' modules; `msb --help` still lists them."""
    path = write("Dockerfile", GO_APP.encode())
    probe = ("import sys; from msbrewrite.cli.entry import main\n"
             "try:\n    main()\nexcept SystemExit:\n    pass\n"
             "print(sorted(m for m in sys.modules if m.startswith('msbrewrite.cli.commands_') "
             "or m in ('msbrewrite.verify.verifier', 'msbrewrite.bulk.runner', 'xml.etree.ElementTree')), file=sys.stderr)")
    proc = subprocess.run([sys.executable, "-c", probe, "convert", str(path), "-q"], capture_output=True,
                          timeout=TIMEOUT)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.decode().strip().splitlines()[-1] == "[]"
    # every language's detector, but only the planner of the language found
    planners = ("import sys; from msbrewrite.cli.entry import main\n"
                "try:\n    main()\nexcept SystemExit:\n    pass\n"
                "print(sorted(m for m in sys.modules if m.startswith('msbrewrite.languages.') "
                "and m.endswith('.plan')), file=sys.stderr)")
    proc = subprocess.run([sys.executable, "-c", planners, "convert", str(path), "-q"], capture_output=True,
                          timeout=TIMEOUT)
    assert proc.stderr.decode().strip().splitlines()[-1] == "['msbrewrite.languages.go.plan']"
    listing = msb("--help").stdout.decode()
    for command in ("convert", "detect", "check", "migrate", "verify"):
        assert command in listing
