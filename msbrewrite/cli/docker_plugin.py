"""`docker msb ...`: msb as a Docker CLI plugin.

The Docker CLI finds plugins as executables named `docker-<name>` in `~/.docker/cli-plugins`
(or `$DOCKER_CONFIG/cli-plugins`) and in the system folders. It asks each one for its metadata
by running `docker-msb docker-cli-plugin-metadata`, and runs `docker msb ARGS` as
`docker-msb msb ARGS`. The plugin is a small shell script that answers the first and hands the
second to this interpreter's msb.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from msbrewrite.model.quoting import sh

PLUGIN_NAME = "docker-msb"
SYSTEM_DIR = Path("/usr/local/lib/docker/cli-plugins")


def metadata(version: str) -> str:
    return json.dumps({"SchemaVersion": "0.1.0", "Vendor": "msb", "Version": version,
                       "ShortDescription": "Rewrite single-stage Dockerfiles into multi-stage ones"})


def script(version: str, python: str | None = None) -> str:
    """The plugin's text: answers the metadata call itself, then runs msb with the arguments."""
    python = python or sys.executable
    return ("#!/bin/sh\n"
            "# Docker CLI plugin: `docker msb ARGS` runs `msb ARGS` (written by msb install-docker-plugin)\n"
            'if [ "$1" = docker-cli-plugin-metadata ]; then\n'
            f"    printf '%s\\n' {sh(metadata(version))}\n"
            "    exit 0\n"
            "fi\n"
            '[ "$1" = msb ] && shift     # the CLI passes the plugin\'s own name first\n'
            f'exec {sh(python)} -m msbrewrite "$@"\n')


def user_dir() -> Path:
    config = os.environ.get("DOCKER_CONFIG")
    return Path(config) / "cli-plugins" if config else Path.home() / ".docker" / "cli-plugins"


def install(target_dir: Path, version: str, force: bool = False) -> Path:
    """Write the plugin into `target_dir` (created when missing); never over another program
    unless `force`. Returns its path. Raises OSError or FileExistsError."""
    target_dir.mkdir(parents=True, exist_ok=True)
    path = target_dir / PLUGIN_NAME
    text = script(version)
    if path.exists() or path.is_symlink():
        if not force and not _ours(path):
            raise FileExistsError(f"{path} exists and is not msb's plugin (use --force to replace it)")
    tmp = target_dir / f".{PLUGIN_NAME}.msb-tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o755)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, 0o755)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def _ours(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return b"msb install-docker-plugin" in fh.read(4096)
    except OSError:
        return False
