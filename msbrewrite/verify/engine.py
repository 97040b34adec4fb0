"""The Docker engine verify talks to, through the `docker` CLI: which client and engine, which
builder (BuildKit or the classic one), building, inspecting, running and removing; and the error
that says verify cannot use them."""
from __future__ import annotations

import json
import os
import subprocess
import time

from msbrewrite.verify.output import first_line
from msbrewrite.verify.settings import Progress, Settings


class EngineError(Exception):
    """The engine or the client cannot be used: verify cannot run (exit 2)."""


class Docker:
    """The `docker` CLI. MSB_DOCKER picks the client binary; DOCKER_HOST the engine."""

    def __init__(self, binary: str | None = None):
        self.binary = binary or os.environ.get("MSB_DOCKER") or "docker"
        self.env = dict(os.environ, DOCKER_BUILDKIT="1", BUILDKIT_PROGRESS="plain")
        self.builder_note: str | None = None

    def run(self, *args: str, timeout: float | None = 120, check: bool = False) -> subprocess.CompletedProcess:
        try:
            proc = subprocess.run([self.binary, *args], capture_output=True, text=True, env=self.env,
                                  timeout=timeout, errors="replace")
        except FileNotFoundError:
            raise EngineError(f"docker client {self.binary!r} not found: install it or set MSB_DOCKER") from None
        if check and proc.returncode != 0:
            raise EngineError(f"docker {args[0]} failed: {first_line(proc.stderr) or proc.returncode}")
        return proc

    def require_engine(self) -> str:
        where = os.environ.get("DOCKER_HOST") or "the default socket"
        try:
            proc = self.run("version", "--format", "{{.Server.Version}}", timeout=20)
        except subprocess.TimeoutExpired:
            raise EngineError(f"no Docker engine answers on {where} (timed out): start one or set DOCKER_HOST") from None
        if proc.returncode != 0 or not proc.stdout.strip():
            raise EngineError(f"no Docker engine answers on {where}: start one or set DOCKER_HOST "
                              f"({first_line(proc.stderr) or 'no answer'})")
        self._choose_builder()
        return proc.stdout.strip()

    def _choose_builder(self) -> None:
        """Docker 23 and later clients build through the buildx plugin when BuildKit is on, and
        stop with "buildx component is missing" without it: such a client gets the classic builder
        (msb's output needs no BuildKit feature). Older clients carry BuildKit themselves."""
        if self.run("buildx", "version", timeout=20).returncode == 0:
            return
        version = self.run("version", "--format", "{{.Client.Version}}", timeout=20).stdout.strip()
        major = version.split(".")[0]
        if major.isdigit() and int(major) >= 23:
            self.env["DOCKER_BUILDKIT"] = "0"
            self.builder_note = (f"docker client {version} has no buildx plugin: the classic builder builds both "
                                 "files (a Dockerfile that needs BuildKit, such as RUN --mount, fails to build)")

    def build(self, dockerfile: str, tag: str, settings: Settings, on_line: Progress) -> tuple[bool, str, float]:
        args = [self.binary, "build", f"--network={settings.network}", "-f", dockerfile, "-t", tag]
        if settings.no_cache:
            args.append("--no-cache")
        start = time.monotonic()
        lines: list[str] = []
        try:
            proc = subprocess.Popen(args + [settings.context], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                    text=True, env=self.env, errors="replace")
        except FileNotFoundError:
            raise EngineError(f"docker client {self.binary!r} not found: install it or set MSB_DOCKER") from None
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line.rstrip("\n"))
            if len(lines) > 5000:
                del lines[:1000]
            on_line(lines[-1])
        ok = proc.wait() == 0
        return ok, "\n".join(lines), time.monotonic() - start

    def image_config(self, image: str) -> tuple[int, dict]:
        proc = self.run("image", "inspect", image, check=True)
        data = json.loads(proc.stdout)[0]
        return int(data.get("Size") or 0), data.get("Config") or {}

    def has_image(self, image: str) -> bool:
        return self.run("image", "inspect", image).returncode == 0

    def remove_containers(self, label: str) -> None:
        ids = self.run("ps", "-aq", "--filter", f"label={label}").stdout.split()
        if ids:
            self.run("rm", "-f", *ids)

    def remove_images(self, *images: str) -> None:
        present = [i for i in images if i]
        if present:
            self.run("rmi", "-f", *present)
