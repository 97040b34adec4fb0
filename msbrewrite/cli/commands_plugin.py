"""`msb install-docker-plugin`: make `docker msb ...` work."""
from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    @app.command("install-docker-plugin")
    def install_docker_plugin(
        system: bool = typer.Option(False, "--system", help="Install for every user (/usr/local/lib/docker/"
                                    "cli-plugins) instead of ~/.docker/cli-plugins."),
        force: bool = typer.Option(False, "--force", help="Replace a docker-msb that msb did not write."),
    ) -> None:
        """Install msb as a Docker CLI plugin, so `docker msb convert Dockerfile` works."""
        from msbrewrite.cli.app import _fail
        from msbrewrite.cli.docker_plugin import SYSTEM_DIR, install, user_dir
        from msbrewrite.support.version import version
        target = SYSTEM_DIR if system else user_dir()
        try:
            path = install(target, version(), force)
        except FileExistsError as exc:
            raise _fail(str(exc), 2)
        except OSError as exc:
            raise _fail(f"cannot write the plugin to {target}: {exc.strerror or exc}", 2)
        typer.echo(f"installed {path}: `docker msb --help` now runs msb")
