import os
import subprocess
import sys

import pytest

from bulkapps import git
from msbrewrite.bulk.discover import discover, is_dockerfile_name


@pytest.mark.parametrize("name", ["Dockerfile", "dockerfile", "DockerFile", "Dockerfile.prod", "Dockerfile.dev",
                                  "api.Dockerfile", "web.dockerfile", "Containerfile", "Containerfile.test"])
def test_dockerfile_names(name):
    assert is_dockerfile_name(name)


@pytest.mark.parametrize("name", ["Dockerfile.dockerignore", "Dockerfile.j2", "Dockerfile.tmpl", "Dockerfile.template",
                                  "Dockerfile.bak", "Dockerfile.orig", ".Dockerfile.x1.msb-tmp", "README.md",
                                  "docker-compose.yml", "Dockerfiles", "mydockerfile", ".dockerignore"])
def test_not_dockerfile_names(name):
    assert not is_dockerfile_name(name)


def _touch(root, *rels):
    for rel in rels:
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("FROM debian:bookworm\n")


def _rels(found, root):
    return sorted(str(f.path.relative_to(root.resolve())) for f in found)


def test_walk_takes_the_naming_rules_and_skips_vendor_dirs(tmp_path):
    _touch(tmp_path, "Dockerfile", "svc/Dockerfile.prod", "svc/api.Dockerfile", "tools/Containerfile",
           "node_modules/pkg/Dockerfile", "vendor/lib/Dockerfile", ".git/Dockerfile", "svc/Dockerfile.j2",
           "svc/Dockerfile.dockerignore", "docs/README.md")
    assert _rels(discover([tmp_path]), tmp_path) == ["Dockerfile", "svc/Dockerfile.prod", "svc/api.Dockerfile",
                                                     "tools/Containerfile"]


def test_include_replaces_naming_rules_and_exclude_prunes(tmp_path):
    _touch(tmp_path, "a/Dockerfile", "b/Dockerfile", "b/deep/Dockerfile", "c/build.docker")
    assert _rels(discover([tmp_path], exclude=("b",)), tmp_path) == ["a/Dockerfile"]
    assert _rels(discover([tmp_path], exclude=("b/deep/*",)), tmp_path) == ["a/Dockerfile", "b/Dockerfile"]
    assert _rels(discover([tmp_path], include=("*.docker",)), tmp_path) == ["c/build.docker"]


def test_explicit_file_is_taken_whatever_its_name(tmp_path):
    _touch(tmp_path, "build.docker")
    found = discover([tmp_path / "build.docker"])
    assert [f.path for f in found] == [(tmp_path / "build.docker").resolve()]


def test_missing_root_is_an_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        discover([tmp_path / "nope"])


def test_symlinks_never_lead_out_of_the_root(tmp_path):
    outside = tmp_path / "outside"
    root = tmp_path / "root"
    _touch(outside, "Dockerfile", "sub/Dockerfile")
    _touch(root, "app/Dockerfile")
    (root / "linked-file").mkdir()
    os.symlink(outside / "Dockerfile", root / "linked-file" / "Dockerfile")
    os.symlink(outside / "sub", root / "linked-dir")
    os.symlink(root / "app" / "Dockerfile", root / "alias.Dockerfile")   # inside: same file, found once
    assert _rels(discover([root]), root) == ["app/Dockerfile"]


def test_git_ignored_files_are_skipped_without_running_any_program(tmp_path, monkeypatch):
    repo = tmp_path / "repo"
    repo.mkdir()
    git("init", "-q", cwd=repo)
    (repo / ".gitignore").write_text("generated/\n*.local.Dockerfile\n")
    _touch(repo, "Dockerfile", "generated/Dockerfile", "svc/Dockerfile", "svc/dev.local.Dockerfile",
           "svc/x/Dockerfile")

    def no_programs(*a, **kw):
        raise AssertionError(f"discovery ran a program: {a}")

    monkeypatch.setattr(subprocess, "run", no_programs)
    monkeypatch.setattr(subprocess, "Popen", no_programs)
    assert _rels(discover([repo]), repo) == ["Dockerfile", "svc/Dockerfile", "svc/x/Dockerfile"]


def test_a_scanned_repository_config_runs_nothing(tmp_path):
    """core.fsmonitor (and hooks) of a nested repository never run when msb scans the tree."""
    repo = tmp_path / "repo"
    nested = repo / "vendored" / "lib"
    nested.mkdir(parents=True)
    git("init", "-q", cwd=repo)
    git("init", "-q", cwd=nested)
    marker = tmp_path / "PWNED"
    for where in (repo, nested):
        git("config", "core.fsmonitor", f"touch {marker}; false", cwd=where)
        git("config", "core.hooksPath", str(tmp_path / "hooks"), cwd=where)
    (nested / ".gitignore").write_text("ignored.Dockerfile\n")
    _touch(repo, "Dockerfile", "vendored/lib/Dockerfile", "vendored/lib/ignored.Dockerfile")
    assert _rels(discover([repo]), repo) == ["Dockerfile", "vendored/lib/Dockerfile"]
    proc = subprocess.run([sys.executable, "-m", "msbrewrite", "check", str(repo)], capture_output=True, text=True,
                          cwd=tmp_path)
    assert "Traceback" not in proc.stderr
    assert not marker.exists(), "a program from the scanned repository's configuration ran"


def test_outside_a_repository_nothing_is_ignored(tmp_path):
    (tmp_path / ".gitignore").write_text("*\n")   # not a repository: the file means nothing
    _touch(tmp_path, "Dockerfile")
    assert _rels(discover([tmp_path]), tmp_path) == ["Dockerfile"]


def _hook_patterns():
    import re
    from pathlib import Path
    text = (Path(__file__).resolve().parents[2] / ".pre-commit-hooks.yaml").read_text()
    files = re.findall(r"^\s+files: (.+)$", text, re.M)
    exclude = re.findall(r"^\s+exclude: (.+)$", text, re.M)
    assert len(files) == len(exclude) == 2
    return [(re.compile(f), re.compile(x)) for f, x in zip(files, exclude)]


@pytest.mark.parametrize("name", ["Dockerfile", "dockerfile", "Dockerfile.prod", "api.Dockerfile", "web.dockerfile",
                                  "Containerfile", "Dockerfile.j2", "Dockerfile.dockerignore", "Dockerfile.template",
                                  "README.md", "mydockerfile", "docker-compose.yml"])
def test_pre_commit_hooks_take_the_same_names(name):
    for files, exclude in _hook_patterns():
        for path in (name, f"svc/{name}"):
            assert (bool(files.search(path)) and not exclude.search(path)) == is_dockerfile_name(name)
