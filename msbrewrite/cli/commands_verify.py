"""`msb verify`: the CLI shell around msbrewrite.verify.verifier (imports stay inside the command so that
`msb --help` does not load them)."""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer


def register(app: typer.Typer) -> None:
    from msbrewrite.cli.app import Command
    app.command(name="verify", cls=Command)(verify)


def verify(
    dockerfiles: List[Path] = typer.Argument(..., metavar="PATHS...",
                                          help="Single-stage Dockerfile(s) to verify, or directories to search."),
    context: Optional[Path] = typer.Option(None, "--context", "-c", help="Build context (default: the file's directory)."),
    converted: Optional[Path] = typer.Option(None, "--converted", help="Verify this Dockerfile instead of converting PATH."),
    smoke_cmd: Optional[str] = typer.Option(None, "--smoke-cmd",
                                            help="CLI: arguments for the image. Server: a shell command run next to "
                                                 "the app (curl available, $PORT set); exit 0 = works."),
    smoke_script: Optional[Path] = typer.Option(None, "--smoke-script", help="Run SCRIPT IMAGE as the smoke check (exit 0 = works)."),
    port: Optional[int] = typer.Option(None, "--port", help="Port the server answers on (default: its EXPOSEd ports)."),
    paths: Optional[List[str]] = typer.Option(None, "--path", help="HTTP path to check, also the readiness check (repeatable; default /)."),
    mode: str = typer.Option("auto", "--mode", help="auto|server|cli (auto: a server when it answers on a port it names or is seen listening on)."),
    run_args: Optional[List[str]] = typer.Option(None, "--run-arg", help="Extra `docker run` argument (repeatable), e.g. -e=KEY=VALUE."),
    timeout: float = typer.Option(60.0, "--timeout", help="Seconds to wait for the app to answer or exit."),
    strict: bool = typer.Option(False, "--strict", help="Suspicious missing files fail the verdict too."),
    no_discover: bool = typer.Option(False, "--no-discover", help="Probe only --path: no routes from the sources, no crawl."),
    keep_images: bool = typer.Option(False, "--keep-images", help="Keep both images (tags are printed)."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Build without the build cache (honest build times)."),
    probe_image: Optional[str] = typer.Option(None, "--probe-image", help="Image with sh and curl for HTTP probes."),
    runtime: str = typer.Option("auto", "--runtime", help="auto|distroless|slim|alpine|scratch (passed to convert)."),
    language: Optional[str] = typer.Option(None, "--language", "-l", help="Skip detection (passed to convert)."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON on stdout."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress on stderr."),
) -> None:
    """Build the original and the converted image and compare what they do: HTTP answers (requested
    paths, routes read from the sources, a bounded crawl), logs, files, write permissions, CLI runs.

    Exit 0: PASS; 1: FAIL or INCONCLUSIVE (the original fails the same check); 2: verify could not run.
    Several files or a directory: each one in turn, then a summary table."""
    import json
    import sys

    from msbrewrite.verify.report import Report, render_json, render_summary, render_text, summary_exit_code
    from msbrewrite.verify.settings import Settings
    from msbrewrite.cli.app import _fail

    if mode not in ("auto", "server", "cli"):
        raise _fail("--mode must be auto, server or cli", 2)
    if smoke_script and not smoke_script.is_file():
        raise _fail(f"--smoke-script {smoke_script}: no such file", 2)
    files = _dockerfiles(dockerfiles)
    if len(files) != 1 and (converted or context):
        raise _fail("--converted and --context take a single Dockerfile", 2)

    settings = Settings(context="", mode=mode, port=port, paths=list(paths or []), smoke_cmd=smoke_cmd,
                        smoke_script=str(smoke_script.resolve()) if smoke_script else None,
                        run_args=list(run_args or []), timeout=timeout, keep_images=keep_images,
                        no_cache=no_cache, probe_image=probe_image, strict=strict, discover=not no_discover)
    if len(files) == 1:
        report = _verify_one(files[0], context, converted, settings, runtime, language, quiet, single=True)
        if as_json:
            typer.echo(render_json(report))
        else:
            sys.stdout.write(render_text(report))
        if report.error and not as_json:
            typer.echo(f"msb: verify: {report.error}", err=True)
        raise typer.Exit(report.exit_code)

    results = []
    for path in files:
        if not quiet:
            typer.echo(f"msb verify: {path}", err=True)
        results.append((path, _verify_one(path, None, None, settings, runtime, language, quiet, single=False)))
    if as_json:
        typer.echo(json.dumps([r.to_dict() if isinstance(r, Report) else {"dockerfile": str(p), "skipped": r}
                               for p, r in results], indent=2))
    else:
        for _, r in results:
            if isinstance(r, Report) and not quiet:
                sys.stdout.write(render_text(r) + "\n")
        sys.stdout.write(render_summary(results))
    raise typer.Exit(summary_exit_code([r for _, r in results]))


def _dockerfiles(dockerfiles: List[Path]) -> List[Path]:
    from msbrewrite.cli.app import _fail
    from msbrewrite.bulk.discover import discover

    if len(dockerfiles) == 1 and not dockerfiles[0].is_dir():
        if not dockerfiles[0].is_file():
            raise _fail(f"{dockerfiles[0]}: no such file", 2)
        return [dockerfiles[0]]
    try:
        found = [f.path for f in discover([str(p) for p in dockerfiles])]
    except FileNotFoundError as exc:
        raise _fail(str(exc), 2)
    if not found:
        raise _fail("no Dockerfile found under " + ", ".join(map(str, dockerfiles)), 2)
    return found


def _verify_one(path: Path, context: Optional[Path], converted: Optional[Path], settings, runtime: str,
                language: Optional[str], quiet: bool, single: bool):
    """One Dockerfile: a Report, or (several files) the reason it was not verified."""
    import os
    import tempfile

    from msbrewrite.support.records import replace
    from msbrewrite.verify.engine import Docker
    from msbrewrite.verify.verifier import Verifier
    from msbrewrite.cli.app import _fail, _options
    from msbrewrite.core.convert import convert
    from msbrewrite.bulk.files import read_dockerfile
    from msbrewrite.model.plan import Refusal

    ctx = context or path.resolve().parent
    if not ctx.is_dir():
        raise _fail(f"--context {ctx}: not a directory", 2)
    try:
        text = read_dockerfile(str(path))
        if converted:
            new_text, source = read_dockerfile(str(converted)), str(converted)
        else:
            result = convert(text, ctx, _options(runtime, language, None, path.resolve().parent))
            if result.status != "converted":
                if single:
                    raise _fail(f"{path}: nothing to verify: {result.reason}", 2)
                return f"nothing to verify: {result.reason}"
            new_text, source = result.text, "msb convert"
    except Refusal as exc:
        if single:
            raise _fail(exc.message, 2)
        return exc.message
    except OSError as exc:
        if single:
            raise _fail(f"{path}: {exc.strerror or exc}", 2)
        return str(exc.strerror or exc)

    settings = replace(settings, context=str(ctx))
    with tempfile.TemporaryDirectory(prefix="msb-verify-") as tmp:
        converted_file = os.path.join(tmp, "Dockerfile.converted")
        with open(converted_file, "w", encoding="utf-8") as fh:
            fh.write(new_text)
        with _progress(quiet) as (step, build_line):
            return Verifier(Docker(), settings, step, build_line).run(str(path), converted_file, source)


class _progress:
    """Progress on stderr: a live status line on a terminal, plain step lines otherwise."""

    def __init__(self, quiet: bool):
        import sys

        from msbrewrite.cli.terminal import live
        self.quiet = quiet
        self.live = not quiet and live(sys.stderr)
        self.status = None

    def __enter__(self):
        if self.live:
            from rich.console import Console
            self.console = Console(stderr=True)
            self.status = self.console.status("msb verify")
            self.status.start()
        return self.step, self.build_line

    def __exit__(self, *exc) -> None:
        if self.status:
            self.status.stop()

    def step(self, message: str) -> None:
        if self.quiet:
            return
        if self.live:
            self.console.log(message)
            self.status.update(message)
        else:
            typer.echo(f"msb verify: {message}", err=True)

    def build_line(self, line: str) -> None:
        # BuildKit's plain progress: "#7 [builder 3/5] RUN go build ..." names the running step
        if self.live and line.startswith("#") and "] " in line:
            self.status.update(line[:100])
