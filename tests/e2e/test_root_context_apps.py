"""A Python app whose Dockerfile copies the whole context into / (no WORKDIR), on a real engine: the
runtime gets each top-level entry the app may read (its code, its templates folder) and leaves out
what only the build or the developer used (tests, editor, CI and compose files), as for an app in
its own directory. The previous conversion copied every top-level entry but a short list, so
.vscode, .github, docker-compose.yml and .editorconfig shipped in the runtime image."""
from __future__ import annotations

import json
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

from e2e_support import engine_env  # noqa: F401 (a fixture)
from msbrewrite import convert

pytestmark = pytest.mark.e2e

APP = Path(__file__).resolve().parent / "data" / "python-root-app"


def docker(env: dict, *args: str, timeout: float = 1200) -> subprocess.CompletedProcess:
    return subprocess.run([env["MSB_DOCKER"], *args], env=env, capture_output=True, text=True, timeout=timeout)


def build(env: dict, context: Path, dockerfile: str, tag: str) -> None:
    proc = docker(env, "build", "--network=host", "-q", "-t", tag, "-f", str(context / dockerfile), str(context))
    assert proc.returncode == 0, f"{dockerfile} does not build:\n{proc.stderr[-3000:]}"


def test_root_context_keeps_what_the_app_reads_and_leaves_out_build_only_entries(engine_env, tmp_path):
    if docker(engine_env, "image", "inspect", "python:3.11-slim").returncode != 0:
        pytest.skip("stand-in python:3.11-slim missing: run the lab's images.sh")
    context = tmp_path / "app"
    shutil.copytree(APP, context)
    result = convert((context / "Dockerfile").read_text(), context)
    assert result.status == "converted", result.reason
    (context / "Dockerfile.msb").write_text(result.text)
    tag = f"msb-e2e/root-context-{uuid.uuid4().hex[:10]}"
    try:
        build(engine_env, context, "Dockerfile", tag + "-original")
        build(engine_env, context, "Dockerfile.msb", tag)
        runs = {}
        for image in (tag + "-original", tag):
            proc = docker(engine_env, "run", "--rm", "--network=none", image, timeout=120)
            assert proc.returncode == 0, proc.stderr
            runs[image] = json.loads(proc.stdout.strip().splitlines()[-1])
        original, converted = runs[tag + "-original"], runs[tag]
        assert converted["page"] == original["page"] == "hello from the template"
        assert ".vscode" in original["present"]       # the original ships everything it copied
        assert converted["present"] == ["show.py", "templates"], result.text
    finally:
        docker(engine_env, "image", "rm", "-f", tag, tag + "-original")
