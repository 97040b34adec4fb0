"""The ignore-file readers agree with git (for .gitignore) and with the Docker CLI's documented rules."""
import subprocess

import pytest

from bulkapps import git
from msbrewrite.support.ignorefiles import DockerIgnore, GitIgnore

PATHS = ["Dockerfile", "a/Dockerfile", "a/b/Dockerfile", "build/Dockerfile", "src/build/Dockerfile",
         "docs/x.md", "docs/sub/x.md", "legacy/Dockerfile", "legacy/svc/Dockerfile", "x.local.Dockerfile",
         "a/x.local.Dockerfile", "tmp/keep/Dockerfile", "tmp/drop/Dockerfile", "[x]/Dockerfile",
         "deep/a/b/c/Dockerfile", "foo/Dockerfile.prod"]

GITIGNORES = [
    {"": "build/\n"},
    {"": "/build\n"},
    {"": "*.local.Dockerfile\n"},
    {"": "legacy/**\n"},
    {"": "**/legacy\n"},
    {"": "docs/*\n!docs/x.md\n"},
    {"": "tmp/*\n!tmp/keep/\n"},
    {"": "tmp/\n!tmp/keep/\n"},            # an excluded directory: nothing below comes back
    {"": "deep/**/Dockerfile\n"},
    {"": "a/\n", "a": "!Dockerfile\n"},
    {"a": "Dockerfile\n", "": "#comment\n\n"},
    {"a": "/b\n"},
    {"": "\\[x]\n"},
    {"": "Dockerfile*\n!/Dockerfile\n"},
    {"": "*\n!*/\n!Dockerfile\n"},
    {"": "foo/Dockerfile.*   \n"},
]


def _git_verdicts(repo, paths):
    proc = subprocess.run(["git", "-C", str(repo), "check-ignore", "--no-index", "--stdin", "-z"],
                          input="\0".join(paths) + "\0", capture_output=True, text=True)
    assert proc.returncode in (0, 1), proc.stderr
    return {p for p in proc.stdout.split("\0") if p}


@pytest.mark.parametrize("files", GITIGNORES, ids=[repr(g) for g in GITIGNORES])
def test_gitignore_reading_agrees_with_git(tmp_path, files):
    git("init", "-q", cwd=tmp_path)
    for rel in PATHS:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("FROM scratch\n")
    for where, text in files.items():
        (tmp_path / where / ".gitignore").write_text(text)
    rules = GitIgnore(tmp_path)
    ours = {p for p in PATHS if rules.ignored(p)}
    assert ours == _git_verdicts(tmp_path, PATHS)


def test_info_exclude_and_global_excludes_count(tmp_path):
    (tmp_path / ".git" / "info").mkdir(parents=True)
    (tmp_path / ".git" / "info" / "exclude").write_text("a/\n")
    glob = tmp_path / "global-ignore"
    glob.write_text("*.local.Dockerfile\n")
    rules = GitIgnore(tmp_path, glob)
    assert rules.ignored("a/Dockerfile") and rules.ignored("x.local.Dockerfile")
    assert not rules.ignored("Dockerfile")


@pytest.mark.parametrize("pattern, ignored, kept", [
    ("legacy", ["legacy", "legacy/Dockerfile", "legacy/a/b"], ["src/legacy", "legacy2"]),
    ("/legacy/", ["legacy/Dockerfile"], ["src/legacy/x"]),
    ("./legacy/**", ["legacy/Dockerfile", "legacy/a/b"], ["src/legacy/x"]),
    ("**/legacy", ["legacy/x", "src/legacy/x", "a/b/legacy"], ["legacyx"]),
    ("*.md", ["README.md"], ["docs/README.md"]),
    ("**/*.md", ["README.md", "docs/README.md"], ["docs/README.mdx"]),
    ("docs/*/x", ["docs/a/x"], ["docs/x", "docs/a/b/x"]),
    ("Docker?ile", ["DockerFile", "Dockerfile"], ["Dockerfiles"]),
    ("[Dd]ocker*", ["Dockerfile", "dockerfile"], ["xDockerfile"]),
    ("a/**/b", ["a/b", "a/x/b", "a/x/y/b/c"], ["b", "x/a/b"]),
])
def test_dockerignore_patterns(pattern, ignored, kept):
    rules = DockerIgnore(pattern + "\n")
    assert [p for p in ignored if not rules.ignored(p)] == []
    assert [p for p in kept if rules.ignored(p)] == []


def test_dockerignore_exceptions_last_match_wins():
    rules = DockerIgnore("# comment\n.env*\n!.env.example\n*.md\n!README*.md\nREADME-secret.md\n")
    assert rules.ignored(".env") and rules.ignored(".env.prod")
    assert not rules.ignored(".env.example")
    assert rules.ignored("CHANGES.md") and not rules.ignored("README.md")
    assert rules.ignored("README-secret.md")
    assert not DockerIgnore("").ignored("anything") and not DockerIgnore(None)
