"""Command line: a thin shell around convert(). Exit codes are documented in the README.

0 done, 1 `check` found work / `verify` failed, 2 bad usage or unreadable input,
3 understood but not convertible.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

import typer
from typer.core import TyperCommand


class Command(TyperCommand):
    """Usage lines as man pages write them: `msb check [OPTIONS] PATHS...`, not `{paths}...`."""

    def collect_usage_pieces(self, ctx) -> list[str]:
        return [p[1:-1] if p.startswith("{") and p.endswith("}") else p for p in super().collect_usage_pieces(ctx)]


app = typer.Typer(no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Rewrite single-stage Dockerfiles into multi-stage ones with a minimal runtime.")


def _show_version(value: bool) -> None:
    if value:
        from msbrewrite.support.version import version
        typer.echo(f"msb {version()}")
        raise typer.Exit()


@app.callback()
def _main(version: bool = typer.Option(False, "--version", "-V", callback=_show_version, is_eager=True,
                                       help="Print msb's version and exit.")) -> None:
    """Rewrite single-stage Dockerfiles into multi-stage ones with a minimal runtime."""


def _fail(message: str, code: int) -> "typer.Exit":
    from msbrewrite.support.printable import printable
    typer.echo(f"msb: {printable(message)}", err=True)
    return typer.Exit(code)


def _options(runtime: str, language: Optional[str], user: Optional[str] = None, config_from: Optional[Path] = None):
    from msbrewrite.cli.convert_command import CommandError, options
    try:
        return options(runtime, language, user, config_from)
    except CommandError as exc:
        raise _fail(exc.message, exc.code)


@app.command(cls=Command)
def convert(
    path: str = typer.Argument(..., metavar="PATH", help="Dockerfile to convert ('-' reads stdin)."),
    context: Optional[str] = typer.Option(None, "--context", "-c", help="Build context (default: the file's directory)."),
    no_context: bool = typer.Option(False, "--no-context", help="Ignore the build context."),
    output: Optional[str] = typer.Option(None, "-o", "--output", help="Write the result here (atomically)."),
    in_place: bool = typer.Option(False, "--in-place", "-i", help="Rewrite PATH itself (atomically)."),
    diff: bool = typer.Option(False, "--diff", help="Print a unified diff instead of the file."),
    as_json: bool = typer.Option(False, "--json", help="Print the full result as JSON on stdout."),
    runtime: str = typer.Option("auto", "--runtime", help="auto|distroless|slim|alpine|scratch"),
    language: Optional[str] = typer.Option(None, "--language", "-l",
                                           help="go|rust|node|python|java|frontend|php|ruby|bun|deno|cpp|dotnet"),
    user: Optional[str] = typer.Option(None, "--user", help="Runtime user: nonroot (default), root, or a name/uid."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No report on stderr."),
    optimize: bool = typer.Option(False, "--optimize", help="Also rewrite the builder as an expert would: dependency "
                                  "layer first, BuildKit cache mounts, smaller artifacts (BuildKit only)."),
    dockerignore: Optional[str] = typer.Option(None, "--dockerignore", help="With --optimize and a context without "
                                                ".dockerignore: write a suggested one here (never over a file)."),
    drop_dotenv: bool = typer.Option(False, "--drop-dotenv", help="Leave .env files the app reads out of the "
                                     "runtime: you pass them at run time (--env-file, compose env_file)."),
    debug_stage: bool = typer.Option(False, "--debug-stage", help="Also write a `debug` stage: the runtime on a "
                                     "base with a shell (docker build --target debug); the runtime stays the default."),
) -> None:
    """Convert one Dockerfile. The result goes to stdout, the report to stderr."""
    from msbrewrite.cli.convert_command import CommandError, run
    no_empty_values(path=path, context=context, output=output, language=language, dockerignore=dockerignore)
    try:
        code = run(path, _path(context), no_context, _path(output), in_place, diff, as_json, runtime, language, user,
                   quiet, optimize, _path(dockerignore), drop_dotenv, debug_stage)
    except CommandError as exc:
        raise _fail(exc.message, exc.code)
    if code:
        raise typer.Exit(code)


def _path(value: Optional[str]) -> Optional[Path]:
    return None if value is None else Path(value)


def no_empty_values(**values) -> None:
    """An empty value is a mistake (an unset variable, a stray ''), never a request for the default."""
    from msbrewrite.core.option_values import empty_value_problem
    why = empty_value_problem(values)
    if why:
        raise _fail(why, 2)


@app.command(cls=Command)
def detect(
    path: str = typer.Argument(..., metavar="PATH", help="Dockerfile ('-' reads stdin)."),
    context: Optional[str] = typer.Option(None, "--context", "-c", help="Build context (default: the file's directory)."),
    as_json: bool = typer.Option(False, "--json", help="JSON output."),
) -> None:
    """Print the detected language, confidence and evidence."""
    import json

    from msbrewrite.core.convert import detect as run
    from msbrewrite.bulk.files import read_dockerfile
    from msbrewrite.model.plan import Refusal

    no_empty_values(path=path, context=context)
    if context is not None and not os.path.isdir(context):
        raise _fail(f"--context {context}: not a directory", 2)
    try:
        text = read_dockerfile(path)
        ctx = _path(context) or (Path(path).resolve().parent if path != "-" else None)
        found = run(text, ctx)
    except Refusal as exc:
        raise _fail(exc.message, exc.code)
    if as_json:
        typer.echo(json.dumps([{"language": d.language, "score": d.score, "confidence": d.confidence,
                                 "framework": d.framework,
                                 "evidence": [e.__dict__ for e in d.evidence]} for d in found], indent=2))
    else:
        if not found:
            raise _fail(f"{path}: no known language", 3)
        from msbrewrite.support.printable import printable
        for d in found:
            typer.echo(f"{d.language}\t{d.confidence}\tscore={d.score:g}" + (f"\tframework={d.framework}" if d.framework else ""))
            for e in d.evidence:
                typer.echo(printable(f"  {e.where}: {e.signal}"))
    if not found:
        raise typer.Exit(3)


_BUILT_IN = ("convert", "detect")


def register_optional_commands(argv: list[str]) -> None:
    """Commands that live in their own modules (check, migrate, verify) register themselves.

    `msb convert` and `msb detect` skip this: building the other commands costs start-up time
    that a single conversion should not pay.
    """
    import importlib
    if argv and argv[0] in _BUILT_IN:
        return
    for name in ("check", "bulk", "verify", "plugin"):
        try:
            module = importlib.import_module(f"msbrewrite.cli.commands_{name}")
        except ModuleNotFoundError:
            continue
        module.register(app)


