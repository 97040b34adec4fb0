"""`--optimize`: the expert's rewrites of the builder, and only of the builder."""
from __future__ import annotations

import json

import pytest

from bulkapps import go_app, msb
from msbrewrite import Options, convert
from msbrewrite.core import config
from msbrewrite.core.config import ConfigError, find
from msbrewrite.model.dockerfile import parse
from msbrewrite.cli.entry import parse_convert
from msbrewrite.optimize.artifacts import _go_segment
from msbrewrite.optimize.dockerignore import suggestion
from msbrewrite.support.records import replace
from snapshots import cases


def _runtime(text: str) -> str:
    return text[text.rindex("\nFROM "):]


@pytest.mark.parametrize("case", cases(), ids=lambda p: p.name)
def test_optimize_changes_only_the_builder(case):
    """On every snapshot case: the same status, the same runtime stage, valid output; every
    instruction it changed carries a reason, and each change is reported."""
    with open(case / "Dockerfile", encoding="utf-8", newline="") as fh:
        text = fh.read()
    ctx = case / "context"
    ctx = ctx if ctx.is_dir() else None
    opts = Options(**json.loads((case / "options.json").read_text())) if (case / "options.json").exists() else Options()
    plain = convert(text, ctx, replace(opts, optimize=False))
    optimized = convert(text, ctx, replace(opts, optimize=True))
    assert optimized.status == plain.status, optimized.reason
    if plain.status != "converted":
        assert optimized.text == plain.text
        return
    assert _runtime(optimized.text) == _runtime(plain.text)
    assert not any(d.startswith("optimize:") for d in plain.decisions)
    if optimized.text != plain.text:
        assert any(d.startswith("optimize:") for d in optimized.decisions)
    assert len(optimized.fates) == len(parse(text).instructions)
    assert "# syntax" not in optimized.text and "--link" not in optimized.text.replace(text, "")


@pytest.mark.parametrize("segment, expected", [
    ('go build -o /app .', 'go build -trimpath -ldflags="-s -w" -o /app .'),
    ('go build -ldflags "-X main.v=1" -o /app .', 'go build -trimpath -ldflags "-s -w -X main.v=1" -o /app .'),
    ("go build -ldflags='-w' .", "go build -trimpath -ldflags='-s -w' ."),
    ('go build -trimpath -ldflags="-s -w" .', None),
    ('go build -ldflags=-X=main.v=1 .', 'go build -trimpath -ldflags="-s -w -X=main.v=1" .'),
    ('go build -gcflags="all=-N -l" -o /app .', None),
    ('go install golang.org/x/tools/cmd/stringer@v0.20.0', None),
])
def test_go_build_flags(segment, expected):
    assert _go_segment(segment) == expected


def test_go_flags_go_through_continuation_lines():
    text = ("FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build \\\n    -ldflags \"-X main.v=2\" \\\n"
            "    -o /usr/local/bin/app .\nCMD [\"app\"]\n")
    out = convert(text, None, Options(optimize=True)).text
    assert 'go build -trimpath \\\n    -ldflags "-s -w -X main.v=2" \\\n' in out


def test_no_cache_mount_for_a_non_root_builder_and_a_decision_says_why():
    text = ("FROM golang:1.22\nRUN useradd -m dev\nUSER dev\nWORKDIR /home/dev/src\nCOPY --chown=dev . .\n"
            "RUN go build -o /home/dev/app .\nCMD [\"/home/dev/app\"]\n")
    result = convert(text, None, Options(optimize=True))
    assert result.status == "converted"
    assert "--mount" not in result.text
    assert any("no cache mount" in d and "non-root" in d for d in result.decisions)


def test_module_cache_is_not_mounted_when_a_makefile_may_run_go_later():
    text = ("FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go mod download\nRUN make build\n"
            "CMD [\"/src/bin/app\"]\n")
    out = convert(text, None, Options(optimize=True)).text
    assert "target=/go/pkg/mod" not in out          # make may call go without the mount
    assert "target=/root/.cache/go-build go mod download" in out   # the build cache is only a cache


def test_dockerignore_suggestion_keeps_what_the_dockerfile_names():
    text = "FROM node:20\nCOPY .npmrc package.json ./\nRUN npm ci\nCOPY dist ./dist\n"
    lines = suggestion("node", text).splitlines()
    assert "node_modules" in lines and ".git" in lines and ".env" in lines
    assert ".npmrc" not in lines and "dist" not in lines


def test_cli_writes_the_suggestion_once_and_never_over_a_file(tmp_path):
    app = go_app(tmp_path / "svc")
    target = tmp_path / "suggested.dockerignore"
    proc = msb("convert", app, "--optimize", "--dockerignore", target, "-o", tmp_path / "out")
    assert proc.returncode == 0, proc.stderr
    assert ".git" in target.read_text().splitlines()
    assert "--mount=type=cache" in (tmp_path / "out").read_text()
    target.write_text("mine\n")
    proc = msb("convert", app, "--optimize", "--dockerignore", target)
    assert proc.returncode == 2 and "already exists" in proc.stderr and proc.stdout == ""
    assert target.read_text() == "mine\n"
    proc = msb("convert", app, "--dockerignore", tmp_path / "other")
    assert proc.returncode == 2 and "needs --optimize" in proc.stderr
    (app.parent / ".dockerignore").write_text(".git\n")
    proc = msb("convert", app, "--optimize", "--dockerignore", tmp_path / "third")
    assert proc.returncode == 0 and not (tmp_path / "third").exists()
    assert "no .dockerignore suggested" in proc.stderr


def test_optimize_from_the_configuration_and_for_migrate(tmp_path):
    config._find.cache_clear()
    (tmp_path / ".git").mkdir()
    app = go_app(tmp_path / "svc")
    assert "--mount" not in msb("convert", app, "-q").stdout
    (tmp_path / ".msb.toml").write_text("optimize = true\n")
    assert "--mount=type=cache" in msb("convert", app, "-q").stdout
    patch = msb("migrate", tmp_path, "--patch", "-", "-q")
    assert patch.returncode == 0 and "+RUN --mount=type=cache" in patch.stdout
    (tmp_path / ".msb.toml").write_text("")
    patch = msb("migrate", tmp_path, "--patch", "-", "-q", "--optimize")
    assert "+RUN --mount=type=cache" in patch.stdout
    (tmp_path / ".msb.toml").write_text('optimize = "yes"\n')
    config._find.cache_clear()
    with pytest.raises(ConfigError, match="optimize.*true or false"):
        find(tmp_path)
    config._find.cache_clear()


def test_fast_path_reads_the_optimize_options():
    path, kwargs = parse_convert(["Dockerfile", "--optimize", "--dockerignore", "x/.dockerignore"])
    assert path == "Dockerfile" and kwargs["optimize"] is True and str(kwargs["dockerignore"]) == "x/.dockerignore"


def test_a_clean_up_passes_a_staging_step_only_when_the_step_never_reads_what_it_cleans():
    from msbrewrite.optimize.hoist import _unread
    staging = {"stage /srv": [("/srv", ["/srv/node_modules", "/srv/api/node_modules"])],
               "stage /a /b": [("/a", ["/a/node_modules"]), ("/b", [])]}
    assert _unread(staging, ["stage /srv"], "/srv/api/node_modules")
    assert _unread(staging, ["stage /srv"], "/opt/venv")
    assert not _unread(staging, ["stage /srv"], "/srv/web/node_modules")
    assert not _unread(staging, ["stage /srv"], "/")
    assert _unread(staging, [], "/srv/web/node_modules")
    # one step staging several directories reads each of them
    assert _unread(staging, ["stage /a /b"], "/a/node_modules")
    assert not _unread(staging, ["stage /a /b"], "/b/node_modules")
