"""msb never destroys or rewrites what the user did not ask it to: an output that is one of the
inputs is refused, an edit made during a run is kept, excluded files stay excluded (and a pattern
that excludes nothing is said), extended attributes survive a rewrite, configuration values
cannot reach outside the app, and no output is written when another one is refused."""
from __future__ import annotations

import errno
import importlib
import json
import os
import subprocess

import pytest

from bulkapps import git, go_app, msb
from msbrewrite.core import config


@pytest.fixture(autouse=True)
def fresh_cache():
    for name in ("_find", "_search", "_looked"):
        cached = getattr(config, name, None)
        if cached is not None:
            cached.cache_clear()


def unchanged(path, before: bytes) -> None:
    assert path.read_bytes() == before, "the input was rewritten"


# ------------------------------------------------------------------ an output that is an input

@pytest.mark.parametrize("args", [["migrate", ".", "--patch", "{target}", "-q"], ["check", ".", "-o", "{target}"]])
@pytest.mark.parametrize("through_link", [False, True])
def test_a_report_or_patch_is_never_written_over_an_input(tmp_path, args, through_link):
    dockerfile = go_app(tmp_path / "svc")
    before = dockerfile.read_bytes()
    target = "svc/Dockerfile"
    if through_link:
        (tmp_path / "out.txt").symlink_to(dockerfile)
        target = "out.txt"
    proc = msb(*[a.format(target=target) for a in args], cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert "is one of the Dockerfiles being read" in proc.stderr
    unchanged(dockerfile, before)


def test_convert_output_onto_its_own_input_is_refused(tmp_path):
    dockerfile = go_app(tmp_path)
    before = dockerfile.read_bytes()
    (tmp_path / "alias").symlink_to(dockerfile)
    for target in ("Dockerfile", "./Dockerfile", "alias"):
        proc = msb("convert", "Dockerfile", "-o", target, cwd=tmp_path)
        assert proc.returncode == 2 and "--in-place" in proc.stderr, proc.stderr
        unchanged(dockerfile, before)


# ------------------------------------------------------------------ an edit made while msb runs

def test_convert_in_place_keeps_an_edit_made_while_it_runs(tmp_path, monkeypatch, capsys):
    from msbrewrite.cli.convert_command import CommandError, run
    core = importlib.import_module("msbrewrite.core.convert")
    dockerfile = go_app(tmp_path)
    real = core.convert
    edit = "# edited by the user while msb ran\n" + dockerfile.read_text()

    def convert_then_edit(*args, **kwargs):
        result = real(*args, **kwargs)
        dockerfile.write_text(edit)     # between msb's read and its write
        return result
    monkeypatch.setattr(core, "convert", convert_then_edit)
    with pytest.raises(CommandError) as err:
        run(str(dockerfile), in_place=True, quiet=True)
    assert err.value.code == 2 and "changed while msb converted it" in err.value.message
    assert dockerfile.read_text() == edit


# ------------------------------------------------------------------ exclude patterns

PATTERNS = ["./legacy/**", "legacy/", "/legacy/**", "**/legacy/**", "legacy/**", "legacy", "legacy/old/"]


def _tree(tmp_path):
    git("init", "-q", ".", cwd=tmp_path)
    go_app(tmp_path / "api", name="api")
    go_app(tmp_path / "legacy" / "old", name="old")


@pytest.mark.parametrize("pattern", PATTERNS)
def test_configuration_excludes_read_as_gitignore_lines(tmp_path, pattern):
    _tree(tmp_path)
    (tmp_path / ".msb.toml").write_text(f"exclude = [{json.dumps(pattern)}]\n")
    proc = msb("check", ".", "-f", "json", cwd=tmp_path)
    assert [f["path"] for f in json.loads(proc.stdout)["files"]] == ["api/Dockerfile"], proc.stderr
    assert "matched nothing" not in proc.stderr
    old = tmp_path / "legacy" / "old" / "Dockerfile"
    before = old.read_bytes()
    proc = msb("migrate", ".", "-i", "-q", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    unchanged(old, before)


@pytest.mark.parametrize("pattern", PATTERNS)
def test_command_line_excludes_read_as_gitignore_lines(tmp_path, pattern):
    _tree(tmp_path)
    proc = msb("check", ".", "-f", "json", "--exclude", pattern, cwd=tmp_path)
    assert [f["path"] for f in json.loads(proc.stdout)["files"]] == ["api/Dockerfile"], proc.stderr


def test_an_anchored_pattern_does_not_reach_deeper_folders(tmp_path):
    _tree(tmp_path)
    go_app(tmp_path / "api" / "legacy", name="inner")
    proc = msb("check", ".", "-f", "json", "--exclude", "/legacy", cwd=tmp_path)
    assert [f["path"] for f in json.loads(proc.stdout)["files"]] == ["api/Dockerfile", "api/legacy/Dockerfile"]
    proc = msb("check", ".", "-f", "json", "--exclude", "legacy", cwd=tmp_path)
    assert [f["path"] for f in json.loads(proc.stdout)["files"]] == ["api/Dockerfile"]


def test_a_pattern_that_matched_nothing_is_reported(tmp_path):
    _tree(tmp_path)
    (tmp_path / ".msb.toml").write_text('exclude = ["legacy/", "lagacy/**"]\n')
    proc = msb("check", ".", "--exclude", "*.old.Dockerfile", "--exclude", "api", cwd=tmp_path)
    warnings = [line for line in proc.stderr.splitlines() if "matched nothing" in line]
    assert warnings == ["msb: warning: exclude pattern '*.old.Dockerfile' (--exclude) matched nothing",
                        f"msb: warning: exclude pattern 'lagacy/**' ({tmp_path / '.msb.toml'}) matched nothing"]


# ------------------------------------------------------------------ extended attributes

def _tag(path) -> None:
    try:
        os.setxattr(path, "user.origin", b"reviewed")
    except OSError as exc:
        if exc.errno in (errno.ENOTSUP, errno.EPERM, getattr(errno, "EOPNOTSUPP", errno.ENOTSUP)):
            pytest.skip(f"this file system refuses user extended attributes ({exc.strerror})")
        raise


@pytest.mark.skipif(not hasattr(os, "setxattr"), reason="no extended attributes on this platform")
@pytest.mark.parametrize("command", [["convert", "Dockerfile", "-i", "-q"], ["migrate", ".", "-i", "-q"]])
def test_a_rewrite_in_place_keeps_extended_attributes_and_mode(tmp_path, command):
    dockerfile = go_app(tmp_path)
    _tag(dockerfile)
    os.chmod(dockerfile, 0o640)
    proc = msb(*command, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "AS builder" in dockerfile.read_text()
    assert os.getxattr(dockerfile, "user.origin") == b"reviewed"
    assert oct(os.stat(dockerfile).st_mode & 0o777) == oct(0o640)


@pytest.mark.skipif(not hasattr(os, "setxattr"), reason="no extended attributes on this platform")
def test_an_attribute_that_cannot_be_kept_stops_the_write(tmp_path, monkeypatch):
    from msbrewrite.bulk.files import WriteRefused, write_atomic
    target = tmp_path / "Dockerfile"
    target.write_text("old\n")
    _tag(target)

    def refuse(*args):
        raise OSError(errno.EPERM, "Operation not permitted")
    monkeypatch.setattr(os, "setxattr", refuse)
    with pytest.raises(WriteRefused, match="user.origin"):
        write_atomic(target, "new\n")
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["Dockerfile"]


# ------------------------------------------------------------------ extra-paths

@pytest.mark.parametrize("value", ["${HOME}/.ssh", "$HOME", "*", "conf/*.yaml", "data/[ab]", "~/.aws", "a\\b"])
def test_extra_paths_with_variables_or_globs_are_refused(tmp_path, value):
    dockerfile = go_app(tmp_path)
    (tmp_path / ".msb.toml").write_text(f"extra-paths = [{json.dumps(value)}]\n")
    proc = msb("convert", "Dockerfile", cwd=tmp_path)
    err = proc.stderr.strip().splitlines()
    assert proc.returncode == 2 and len(err) == 1, proc.stderr
    assert "extra-paths" in err[0] and "plain relative paths" in err[0]
    assert proc.stdout == "" and "AS builder" not in dockerfile.read_text()


# ------------------------------------------------------------------ --dockerignore

@pytest.mark.parametrize("dockerfile", [
    "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN cp .env.example .env && npm ci && npm run build\n"
    "CMD [\"node\", \"dist/index.js\"]\n",
    "FROM node:20\nWORKDIR /app\nCOPY .env.example .env\nCOPY . .\nRUN npm ci && npm run build\n"
    "CMD [\"node\", \"dist/index.js\"]\n",
])
def test_the_dockerignore_suggestion_keeps_the_real_env_out(dockerfile):
    from msbrewrite.optimize.dockerignore import suggestion
    lines = suggestion("node", dockerfile).splitlines()
    assert ".env" in lines and ".env.*" in lines and "!.env.example" in lines


def test_a_env_the_dockerfile_copies_is_named_as_reaching_the_image(tmp_path):
    from msbrewrite.optimize.dockerignore import suggestion
    text = "FROM node:20\nWORKDIR /app\nCOPY .env ./\nCOPY . .\nRUN npm ci\nCMD [\"node\", \"index.js\"]\n"
    lines = suggestion("node", text).splitlines()
    assert ".env" not in lines     # excluding it would break the build
    assert any(line.startswith("# not listed") and ".env" in line for line in lines)


def test_no_dockerignore_is_written_when_the_output_is_refused(tmp_path):
    dockerfile = go_app(tmp_path / "svc")
    (tmp_path / "out").mkdir()      # -o names a directory: refused
    suggestion = tmp_path / "suggested.dockerignore"
    proc = msb("convert", dockerfile, "--optimize", "--dockerignore", suggestion, "-o", tmp_path / "out")
    assert proc.returncode == 2 and "cannot write" in proc.stderr, proc.stderr
    assert not suggestion.exists()
    proc = msb("convert", dockerfile, "--optimize", "--dockerignore", suggestion, "-o", tmp_path / "no" / "out")
    assert proc.returncode == 2 and not suggestion.exists(), proc.stderr


# ------------------------------------------------------------------ patches and nested repositories

def test_a_patch_names_files_in_a_nested_repository_from_the_top_it_is_applied_at(tmp_path):
    git("init", "-q", ".", cwd=tmp_path)
    inner = tmp_path / "vendored" / "lib"
    go_app(inner)
    git("init", "-q", ".", cwd=inner)
    proc = msb("migrate", ".", "--patch", "msb.diff", "-q", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    patch = (tmp_path / "msb.diff").read_text()
    assert patch.startswith("diff --git a/vendored/lib/Dockerfile b/vendored/lib/Dockerfile\n")
    applied = subprocess.run(["git", "apply", "msb.diff"], cwd=tmp_path, capture_output=True, text=True)
    assert applied.returncode == 0, applied.stderr
    assert "AS builder" in (inner / "Dockerfile").read_text()
    # run inside the nested repository, the patch is named from its top
    (inner / "Dockerfile").write_text(go_app(tmp_path / "x").read_text())
    proc = msb("migrate", ".", "--patch", "../../inner.diff", "-q", cwd=inner)
    assert (tmp_path / "inner.diff").read_text().startswith("diff --git a/Dockerfile b/Dockerfile\n")
