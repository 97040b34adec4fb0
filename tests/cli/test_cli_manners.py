"""How the command line behaves at its edges: usage lines, empty option values, a standard output
that cannot be written, odd trees (very deep, names that are not UTF-8) and odd inputs (CR-only
line endings, a Cargo.toml with values of the wrong type). Always one line on stderr and a
non-zero exit, never a traceback or an "internal error"."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from bulkapps import go_app, msb


def one_line_error(proc, *words: str, code: int | None = None) -> str:
    err = proc.stderr
    assert proc.returncode != 0 if code is None else proc.returncode == code, err
    assert "Traceback" not in err and "internal error" not in err, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("msb"), err
    for word in words:
        assert word in lines[0], err
    return lines[0]


# ------------------------------------------------------------------ usage lines

@pytest.mark.parametrize("command,shown", [("convert", "PATH"), ("check", "PATHS..."), ("migrate", "ROOTS..."),
                                           ("detect", "PATH")])
def test_usage_lines_name_the_arguments_in_capitals(command, shown):
    proc = msb(command, "--help")
    assert proc.returncode == 0, proc.stderr
    usage = next(line for line in proc.stdout.splitlines() if "Usage:" in line)
    assert shown in usage and "{" not in usage, usage


# ------------------------------------------------------------------ empty option values

@pytest.mark.parametrize("args,words", [
    (["convert", ""], ["empty"]),
    (["convert", "Dockerfile", "--language", ""], ["--language", "empty"]),
    (["convert", "Dockerfile", "-c", ""], ["--context", "empty"]),
    (["convert", "Dockerfile", "-o", ""], ["--output", "empty"]),
    (["migrate", ".", "--patch", ""], ["--patch", "empty"]),
    (["migrate", "", "-i"], ["empty"]),
    (["check", ".", "-o", ""], ["--output", "empty"]),
    (["check", ".", "--language", ""], ["--language", "empty"]),
    (["check", ".", "--exclude", ""], ["--exclude", "empty"]),
])
def test_an_empty_option_value_is_an_error_not_the_default(tmp_path, args, words):
    dockerfile = go_app(tmp_path)
    before = dockerfile.read_bytes()
    proc = msb(*args, cwd=tmp_path)
    one_line_error(proc, *words, code=2)
    assert proc.stdout == ""
    assert dockerfile.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Dockerfile", "go.mod", "main.go"]


# ------------------------------------------------------------------ standard output

def _run_with_stdout(args, cwd, stdout):
    cmd = [sys.executable, "-c", "from msbrewrite.cli.entry import main; main()", *map(str, args)]
    return subprocess.run(cmd, cwd=cwd, stdout=stdout, stderr=subprocess.PIPE, text=True, timeout=300)


@pytest.mark.parametrize("args", [["convert", "Dockerfile", "-q"], ["check", "."], ["check", ".", "-f", "json"],
                                  ["migrate", ".", "--patch", "-", "-q"], ["detect", "Dockerfile"], ["--help"]])
def test_a_full_standard_output_is_one_plain_line(tmp_path, args):
    go_app(tmp_path)
    with open("/dev/full", "w") as full:
        proc = _run_with_stdout(args, tmp_path, full)
    line = one_line_error(proc, "cannot write to standard output")
    assert proc.returncode == 2, proc.stderr
    assert "Exception ignored" not in line


@pytest.mark.parametrize("args", [["convert", "Dockerfile", "-q"], ["check", ".", "-f", "json"],
                                  ["detect", "Dockerfile"]])
def test_a_closed_standard_output_is_one_plain_line(tmp_path, args):
    go_app(tmp_path)
    # stdout=None in the child: close fd 1 before msb starts, as `>&-` does
    cmd = [sys.executable, "-c", "import os; os.close(1); from msbrewrite.cli.entry import main; main()", *args]
    proc = subprocess.run(cmd, cwd=tmp_path, stderr=subprocess.PIPE, text=True, timeout=300)
    one_line_error(proc, "cannot write to standard output", code=2)


def test_a_closed_standard_output_does_not_capture_a_written_file(tmp_path):
    """With fd 1 closed the next file opened gets fd 1: nothing meant for stdout may land in it."""
    dockerfile = go_app(tmp_path)
    cmd = [sys.executable, "-c", "import os; os.close(1); from msbrewrite.cli.entry import main; main()",
           "convert", "Dockerfile", "-o", "out.Dockerfile", "--diff", "-q"]
    proc = subprocess.run(cmd, cwd=tmp_path, stderr=subprocess.PIPE, text=True, timeout=300)
    one_line_error(proc, "cannot write to standard output", code=2)
    assert (tmp_path / "out.Dockerfile").read_text().startswith(dockerfile.read_text().splitlines()[0])


# ------------------------------------------------------------------ odd trees

@pytest.fixture
def deep_tree(tmp_path):
    """Builds a chain of `d` folders; removes it bottom-up afterwards, since shutil.rmtree (pytest's
    clean-up of old temporary folders) recurses and would fail on 1,100 levels."""
    made = []

    def build(root, levels: int):
        d = root
        # os.makedirs recurses too: build the chain one level at a time
        for _ in range(levels):
            d = d / "d"
            d.mkdir()
            made.append(d)
        (d / "notes.txt").write_text("deep\n")

    yield build
    for d in reversed(made):
        for entry in os.scandir(d):
            if not entry.is_dir(follow_symlinks=False):
                os.unlink(entry.path)
        os.rmdir(d)


def test_a_context_nested_very_deep_is_checked_and_converted(tmp_path, deep_tree):
    go_app(tmp_path)
    deep_tree(tmp_path, 1100)
    proc = msb("check", ".", "-f", "json", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert json.loads(proc.stdout)["summary"]["converted"] == 1
    proc = msb("convert", "Dockerfile", "-q", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "AS builder" in proc.stdout


def test_a_dockerfile_nested_very_deep_is_found_and_checked(tmp_path, deep_tree):
    deep_tree(tmp_path, 1100)
    deepest = tmp_path.joinpath(*["d"] * 1100)
    go_app(deepest)
    proc = msb("check", ".", "-f", "json", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert json.loads(proc.stdout)["summary"]["converted"] == 1


def test_the_recursion_message_names_the_context_when_the_dockerfile_parsed(tmp_path, monkeypatch):
    import importlib
    core = importlib.import_module("msbrewrite.core.convert")
    real = core.analyse

    def too_deep(df, stage, context):
        if context:     # as a deeply nested manifest read from the context would
            raise RecursionError
        return real(df, stage, context)
    monkeypatch.setattr(core, "analyse", too_deep)
    df = "FROM golang:1.22\nRUN go build -o /a .\nCMD [\"/a\"]\n"
    result = core.convert(df, tmp_path)
    assert result.status == "refused"
    assert "build context" in result.reason and "Dockerfile" not in result.reason, result.reason
    monkeypatch.setattr(core, "analyse", lambda *args: (_ for _ in ()).throw(RecursionError))
    assert "the Dockerfile" in core.convert(df, tmp_path).reason


NON_UTF8 = os.fsdecode(b"caf\xe9")


@pytest.mark.parametrize("fmt", ["sarif", "json", "github", "text"])
def test_a_folder_name_that_is_not_utf8_is_reported_in_every_format(tmp_path, fmt):
    go_app(tmp_path / NON_UTF8)
    cmd = [sys.executable, "-c", "from msbrewrite.cli.entry import main; main()", "check", ".", "-f", fmt]
    proc = subprocess.run(cmd, cwd=tmp_path, capture_output=True, timeout=300)
    assert proc.returncode == 1, proc.stderr
    assert b"internal error" not in proc.stderr
    assert b"Dockerfile" in proc.stdout
    if fmt == "sarif":
        uri = json.loads(proc.stdout)["runs"][0]["results"][0]["locations"][0]["physicalLocation"][
            "artifactLocation"]["uri"]
        assert uri == "caf%E9/Dockerfile"


def test_a_patch_names_a_folder_that_is_not_utf8_as_git_does(tmp_path):
    # outside a repository: inside one, the name goes to `git check-ignore` first (discovery's business)
    go_app(tmp_path / NON_UTF8)
    proc = msb("migrate", ".", "--patch", "msb.diff", "-q", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    patch = (tmp_path / "msb.diff").read_text(encoding="ascii")
    assert 'diff --git "a/caf\\351/Dockerfile" "b/caf\\351/Dockerfile"' in patch
    applied = subprocess.run(["git", "apply", "--check", "msb.diff"], cwd=tmp_path, capture_output=True, text=True)
    assert applied.returncode == 0, applied.stderr


# ------------------------------------------------------------------ odd inputs

RUST_DOCKERFILE = "FROM rust:1.78\nWORKDIR /app\nCOPY . .\nRUN cargo build --release\nCMD [\"/app/target/release/demo\"]\n"


@pytest.mark.parametrize("manifest,words", [
    ('[package]\nname = 5\nversion = "0.1.0"\n', ["Cargo.toml", "name"]),
    ('[package]\nname = "demo"\n[[bin]]\nname = 5\n', ["Cargo.toml", "bin"]),
    ('[package]\nname = "demo"\n[[bin]]\nname = "x"\npath = 5\n', ["Cargo.toml", "path"]),
    ('bin = 5\n[package]\nname = "demo"\n', ["Cargo.toml", "bin"]),
    ('[package]\nname = "demo"\n[lib]\npath = 5\n', ["Cargo.toml", "lib"]),
])
@pytest.mark.parametrize("optimize", [False, True])
def test_a_cargo_manifest_with_values_of_the_wrong_type_is_refused_plainly(tmp_path, manifest, words, optimize):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "main.rs").write_text("fn main() {}\n")
    (tmp_path / "Cargo.toml").write_text(manifest)
    (tmp_path / "Dockerfile").write_text(RUST_DOCKERFILE)
    proc = msb("convert", "Dockerfile", "-q", *(["--optimize"] if optimize else []), cwd=tmp_path)
    one_line_error(proc, *words, code=3)


def test_cr_only_line_endings_are_a_plain_error(tmp_path):
    go_app(tmp_path)
    text = (tmp_path / "Dockerfile").read_text()
    (tmp_path / "Dockerfile").write_bytes(text.replace("\n", "\r").encode())
    proc = msb("convert", "Dockerfile", cwd=tmp_path)
    one_line_error(proc, "line 1", "carriage return", code=2)


def test_crlf_line_endings_still_convert(tmp_path):
    go_app(tmp_path)
    text = (tmp_path / "Dockerfile").read_text()
    (tmp_path / "Dockerfile").write_bytes(text.replace("\n", "\r\n").encode())
    proc = msb("convert", "Dockerfile", "-q", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr


def test_a_msb_toml_that_is_a_directory_is_an_error(tmp_path):
    go_app(tmp_path)
    (tmp_path / ".msb.toml").mkdir()
    for args in (["convert", "Dockerfile"], ["check", "."], ["migrate", "."]):
        proc = msb(*args, cwd=tmp_path)
        one_line_error(proc, ".msb.toml", "not a regular file", code=2)
