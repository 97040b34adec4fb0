"""`msb check`: a CI / pull-request gate. Exit 1 when a single-stage Dockerfile can be converted."""
from __future__ import annotations

from typing import List, Optional

import typer

FORMATS = ("text", "json", "sarif", "github")


def _github_escape(value: str, prop: bool = False) -> str:
    from msbrewrite.support.printable import printable
    value = printable(value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))
    if prop:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def github(items) -> str:
    """Workflow commands: GitHub shows each as an annotation on the file."""
    from msbrewrite.bulk.runner import CONVERTED, FAILED, display
    from msbrewrite.cli.sarif import FAILED_ID, RULE_ID, SECRET_ID, message, secret_message
    lines = []
    for item in items:
        for secret in item.secrets if item.status == CONVERTED else []:
            lines.append(f"::warning file={_github_escape(display(item.path), True)},"
                         f"line={secret.get('line') or item.line},title={_github_escape('msb ' + SECRET_ID, True)}::"
                         f"{_github_escape(secret_message(secret))}")
        if item.status == FAILED:
            lines.append(f"::error file={_github_escape(display(item.path), True)},"
                         f"title={_github_escape('msb ' + FAILED_ID, True)}::"
                         f"{_github_escape('msb could not check this file: ' + (item.reason or 'failed'))}")
        elif item.status == CONVERTED and not item.no_gain:
            lines.append(f"::warning file={_github_escape(display(item.path), True)},line={item.line},"
                         f"title={_github_escape('msb ' + RULE_ID, True)}::{_github_escape(message(item))}")
    return "\n".join(lines)


def text(items) -> str:
    from msbrewrite.bulk.runner import CONVERTED, FAILED, display
    from msbrewrite.cli.sarif import secret_message
    lines = []
    for item in items:
        for secret in item.secrets if item.status == CONVERTED else []:
            lines.append(f"{display(item.path)}:{secret.get('line') or item.line}: secret read by the app: "
                         f"{secret_message(secret)}")
        if item.status == CONVERTED and item.no_gain:
            lines.append(f"{display(item.path)}:{item.line}: converts, but no size gain expected (the original "
                         "already runs on the runtime's base): not flagged")
        elif item.status == CONVERTED:
            lines.append(f"{display(item.path)}:{item.line}: single-stage {item.language} Dockerfile can be "
                         f"multi-stage -> runtime {item.runtime_base}")
            for phrase in item.leaves_out:
                lines.append(f"  leaves out: {phrase}")
            for art in item.artifacts:
                lines.append(f"  copies:     {art}")
        if item.config and item.status in (CONVERTED, FAILED):
            lines.append(f"  config:     {display(item.config)}")
        elif item.status == FAILED:
            lines.append(f"{display(item.path)}: failed: {item.reason}")
    from msbrewrite.support.printable import printable
    return "\n".join(printable(line) for line in lines)


def register(app: typer.Typer) -> None:
    from msbrewrite.cli.app import Command

    @app.command(cls=Command)
    def check(
        paths: List[str] = typer.Argument(..., metavar="PATHS...", help="Dockerfiles or directories to search."),
        fmt: str = typer.Option("text", "--format", "-f", help="text|json|sarif|github"),
        output: Optional[str] = typer.Option(None, "--output", "-o", help="Write the report here instead of stdout."),
        jobs: Optional[int] = typer.Option(None, "--jobs", "-j", help="Worker processes (default: CPU count)."),
        include: List[str] = typer.Option([], "--include", help="Glob of files to take instead of the naming rules."),
        exclude: List[str] = typer.Option([], "--exclude", help="Glob of files or directories to skip."),
        runtime: str = typer.Option("auto", "--runtime", help="auto|distroless|slim|alpine|scratch"),
        language: Optional[str] = typer.Option(None, "--language", "-l", help="Skip detection for every file."),
        user: Optional[str] = typer.Option(None, "--user", help="Runtime user: nonroot (default), root, or a name/uid."),
        no_context: bool = typer.Option(False, "--no-context", help="Ignore build contexts."),
        html: Optional[str] = typer.Option(None, "--report", help="Also write a self-contained HTML report here."),
        verify_results: Optional[str] = typer.Option(None, "--verify-results", help="With --report: a folder of "
                                                     "`msb verify --json` outputs to show measured sizes."),
    ) -> None:
        """Report single-stage Dockerfiles that can become multi-stage (exit 1 if any, 0 if none)."""
        import json
        import sys

        from msbrewrite.bulk import runner as bulk
        from msbrewrite.cli import sarif
        from msbrewrite.cli.commands_bulk import (Progress, collect, fail, flags, no_empty_values, output_target, report_target,
                                    write_report)
        from msbrewrite.bulk.files import write_atomic

        no_empty_values(paths=paths, output=output, include=include, exclude=exclude, fmt=fmt)
        if fmt not in FORMATS:
            raise fail(f"--format must be one of {', '.join(FORMATS)}")
        if jobs is not None and jobs < 1:
            raise fail("--jobs must be at least 1")
        options = flags(runtime, language, user, no_context)
        found = collect(paths, include, exclude)
        output_target("--output", output, found)
        report_target(html, verify_results, found, output)
        clock = bulk.Clock()
        # a bar on a terminal only: CI logs get the report, not one line per file
        from msbrewrite.cli.terminal import live
        with Progress(len(found), "checking", quiet=not live(sys.stderr)) as progress:
            items = bulk.run(found, options, jobs, progress)
        work = [i for i in items if i.status == bulk.CONVERTED and not i.no_gain]
        secrets = sarif.secret_findings(items)
        if fmt == "sarif":
            report = sarif.dumps(items)
        elif fmt == "json":
            from msbrewrite.support.version import version
            report = json.dumps({"version": 1, "msb": version(), "summary": bulk.counts(items),
                                 "findings": [i.to_dict() for i in work],
                                 "secrets": [{"path": bulk.display(i.path), "line": s.get("line") or i.line,
                                              "rule": sarif.SECRET_ID, "file": s["path"], "kind": s["kind"],
                                              "read_by": s["read_by"], "message": sarif.secret_message(s)}
                                             for i, s in secrets],
                                 "files": [i.to_dict() for i in items]}, indent=2)
        elif fmt == "github":
            report = github(items)
        else:
            report = text(items)
        if output:
            try:
                write_atomic(output, report + "\n")
            except OSError as exc:
                raise fail(f"{output}: cannot write ({exc.strerror or exc})")
        elif report:
            typer.echo(report)
        if html:
            write_report(html, items, verify_results, "msb check report")
        c = bulk.counts(items)
        if c["failed"]:
            # the gate could not see everything: that is not a pass, whatever else was found
            typer.echo(f"msb check: {c['failed']} of {len(items)} path(s) could not be checked "
                       f"({', '.join(c['failed_by_reason'])}); {len(work)} Dockerfile(s) can become multi-stage",
                       err=True)
            raise typer.Exit(2)
        if secrets:
            typer.echo(f"msb check: {len(secrets)} secret-looking file(s) the app reads ship in the image "
                       f"({', '.join(dict.fromkeys(s['path'] for _, s in secrets))}): pass them at run time",
                       err=True)
        if work or secrets:
            typer.echo(f"msb check: {len(work)} of {len(items)} Dockerfile(s) can become multi-stage "
                       f"({clock.seconds:.2f}s); review with `msb convert FILE --diff`, apply with "
                       "`msb migrate PATH --in-place`", err=True)
            raise typer.Exit(1)
        typer.echo(f"msb check: nothing to convert in {len(items)} Dockerfile(s) ({c['unchanged']} already "
                   f"multi-stage, {c['refused']} refused, {c['failed']} failed)", err=True)
