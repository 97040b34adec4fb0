"""--debug-stage on a real engine: the default target is still the shell-less runtime, and
`--target debug` gives a twin with a shell that runs the same binary the same way."""
from __future__ import annotations

import hashlib
import subprocess
import uuid

import pytest

from e2e_support import engine_env, msb  # noqa: F401 (engine_env is a fixture)

pytestmark = pytest.mark.e2e

MAIN = """package main

import "fmt"

func main() { fmt.Println("msb debug twin says hello") }
"""
DOCKERFILE = """FROM golang:1.22
WORKDIR /src
COPY go.mod main.go ./
RUN go build -o /usr/local/bin/greeter .
CMD ["greeter"]
"""


def _docker(env: dict, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run([env["MSB_DOCKER"], *args], env=env, capture_output=True, text=True, timeout=900)
    if check:
        assert proc.returncode == 0, f"docker {' '.join(args)}: {proc.stderr[-2000:]}"
    return proc


def test_default_target_has_no_shell_and_debug_target_has_one(engine_env, tmp_path):
    (tmp_path / "go.mod").write_text("module example.com/greeter\n\ngo 1.22\n")
    (tmp_path / "main.go").write_text(MAIN)
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    converted = tmp_path / "Dockerfile.msb"
    proc = msb(engine_env, "convert", str(tmp_path / "Dockerfile"), "--debug-stage", "-q", "-o", str(converted))
    assert proc.returncode == 0, proc.stderr
    tag = f"msb-e2e/debug-twin-{uuid.uuid4().hex[:8]}"
    runtime, debug = f"{tag}:runtime", f"{tag}:debug"
    try:
        # --network=host: the lab engine may have no bridge network
        build = ("build", "--network=host", "-q", "-f", str(converted))
        _docker(engine_env, *build, "-t", runtime, str(tmp_path))
        _docker(engine_env, *build, "--target", "debug", "-t", debug, str(tmp_path))
        run = ("run", "--rm", "--network=none")
        # both run the app with their default command
        assert _docker(engine_env, *run, runtime).stdout.strip() == "msb debug twin says hello"
        assert _docker(engine_env, *run, debug).stdout.strip() == "msb debug twin says hello"
        # the default target is the distroless runtime: no shell to start
        no_shell = _docker(engine_env, *run, "--entrypoint", "sh", runtime, "-c", "ls /", check=False)
        assert no_shell.returncode != 0
        listing = _docker(engine_env, *run, "--entrypoint", "sh", debug, "-c", "ls /").stdout.split()
        assert "busybox" in listing and "usr" in listing
        # the same binary in both
        digest = _docker(engine_env, *run, "--entrypoint", "sh", debug, "-c",
                         "sha256sum /usr/local/bin/greeter").stdout.split()[0]
        copied = tmp_path / "greeter"
        box = _docker(engine_env, "create", runtime).stdout.strip()
        try:
            _docker(engine_env, "cp", f"{box}:/usr/local/bin/greeter", str(copied))
        finally:
            _docker(engine_env, "rm", box, check=False)
        assert hashlib.sha256(copied.read_bytes()).hexdigest() == digest
        # same user as the runtime
        users = [_docker(engine_env, "image", "inspect", "--format", "{{.Config.User}}", i).stdout.strip()
                 for i in (runtime, debug)]
        assert users[0] == users[1] and users[0].startswith("65532")
    finally:
        _docker(engine_env, "rmi", "-f", runtime, debug, check=False)
