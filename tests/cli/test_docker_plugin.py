"""`msb --version` and `docker msb`: the version from the package metadata, and a Docker CLI
plugin that the real docker client finds, lists and runs."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from importlib import metadata

import pytest

from one_line_errors import msb

DOCKER = "/usr/bin/docker" if os.path.exists("/usr/bin/docker") else shutil.which("docker")
GO_APP = 'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/app .\nCMD ["/out/app"]\n'


def test_version_is_the_package_metadata():
    proc = msb("--version")
    assert proc.returncode == 0
    assert proc.stdout.decode().strip() == f"msb {metadata.version('msbrewrite')}"
    import msbrewrite
    assert msbrewrite.__version__ == metadata.version("msbrewrite")


def test_json_outputs_name_the_version(tmp_path):
    (tmp_path / "Dockerfile").write_text(GO_APP)
    want = metadata.version("msbrewrite")
    convert = json.loads(msb("convert", tmp_path / "Dockerfile", "--json", "--no-context").stdout)
    migrate = json.loads(msb("migrate", tmp_path, "--json").stdout)
    assert convert["msb"] == want and migrate["msb"] == want


def _install(tmp_path, *extra):
    env = {**os.environ, "DOCKER_CONFIG": str(tmp_path / "dc")}
    proc = subprocess.run([*_msb_cmd(), "install-docker-plugin", *extra], capture_output=True, text=True, env=env)
    return proc, tmp_path / "dc" / "cli-plugins" / "docker-msb", env


def _msb_cmd():
    import sys
    return [sys.executable, "-c", "from msbrewrite.cli.entry import main; main()"]


def test_plugin_answers_the_metadata_call_and_runs_msb(tmp_path):
    proc, plugin, _ = _install(tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert os.access(plugin, os.X_OK)
    meta = json.loads(subprocess.run([plugin, "docker-cli-plugin-metadata"], capture_output=True, text=True).stdout)
    assert meta["SchemaVersion"] == "0.1.0" and meta["Version"] == metadata.version("msbrewrite")
    assert meta["ShortDescription"]
    # the CLI runs `docker-msb msb ARGS`
    out = subprocess.run([plugin, "msb", "convert", "-", "-q"], input=GO_APP, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "AS builder" in out.stdout and "COPY --from=builder" in out.stdout


def test_plugin_never_replaces_another_program(tmp_path):
    plugin = tmp_path / "dc" / "cli-plugins" / "docker-msb"
    plugin.parent.mkdir(parents=True)
    plugin.write_text("#!/bin/sh\necho someone else's\n")
    proc, _, _ = _install(tmp_path)
    assert proc.returncode == 2 and "not msb's plugin" in proc.stderr and "Traceback" not in proc.stderr
    assert "someone else's" in plugin.read_text()
    proc, _, _ = _install(tmp_path, "--force")
    assert proc.returncode == 0 and "install-docker-plugin" in plugin.read_text()
    # reinstalling over its own plugin needs no --force
    assert _install(tmp_path)[0].returncode == 0


@pytest.mark.skipif(DOCKER is None, reason="no docker client on this machine (the lab's is /usr/bin/docker)")
def test_docker_client_lists_and_runs_the_plugin(tmp_path):
    proc, _, env = _install(tmp_path)
    assert proc.returncode == 0, proc.stderr
    listing = subprocess.run([DOCKER, "--help"], capture_output=True, text=True, env=env)
    assert any(line.split()[:1] == ["msb*"] for line in listing.stdout.splitlines()), listing.stdout
    (tmp_path / "Dockerfile").write_text(GO_APP)
    run = subprocess.run([DOCKER, "msb", "convert", str(tmp_path / "Dockerfile"), "--no-context", "-q"],
                         capture_output=True, text=True, env=env)
    assert run.returncode == 0, run.stderr
    assert "COPY --from=builder" in run.stdout
    missing = subprocess.run([DOCKER, "msb", "convert", str(tmp_path / "nope")], capture_output=True, text=True,
                             env=env)
    assert missing.returncode == 2 and missing.stderr.startswith("msb: ")
