"""`msb migrate`: convert every Dockerfile under some roots, in parallel.

Heavy imports stay inside the functions so `msb --help` stays fast.
"""
from __future__ import annotations

import sys
from typing import List, Optional

import typer

RUNTIME_HELP = "auto|distroless|slim|alpine|scratch"


def fail(message: str, code: int = 2) -> typer.Exit:
    from msbrewrite.support.printable import printable
    typer.echo(f"msb: {printable(message)}", err=True)
    return typer.Exit(code)


def no_empty_values(**values) -> None:
    """An empty value (an unset variable, a stray '') is an error, never the default or the working directory."""
    from msbrewrite.core.option_values import empty_value_problem
    why = empty_value_problem(values)
    if why:
        raise fail(why)


def collect(paths: List[str], include: List[str], exclude: List[str]):
    """Discovered files, minus those a configuration excludes; exit 2 on bad input."""
    from msbrewrite.core.config import ConfigError, excluded, find, ignored, unmatched_excludes
    from msbrewrite.bulk.discover import discover
    from msbrewrite.support.patterns import PatternSet
    from msbrewrite.support.printable import printable
    flag_patterns = PatternSet.of(exclude, "--exclude")
    try:
        found = discover(paths, include=tuple(include), exclude=flag_patterns, excluded=excluded)
        passed_over = {}
        for d in sorted({f.path.parent for f in found if not f.error}):
            find(d)     # a broken configuration is a usage error, said once, before any work
            passed_over.update(dict.fromkeys(ignored(d)))
    except (FileNotFoundError, ConfigError) as exc:
        raise fail(str(exc))
    for why in passed_over:
        typer.echo(printable(f"msb: warning: {why}"), err=True)
    # a pattern that excludes nothing is most likely a typo, and the files it meant are rewritten
    unused = [("--exclude", text) for text in flag_patterns.unmatched()] + unmatched_excludes()
    for source, text in unused:
        typer.echo(printable(f"msb: warning: exclude pattern {text!r} ({source}) matched nothing"), err=True)
    return found


def output_target(option: str, target: str | None, found) -> None:
    """Refuse, before any work, an output file that is one of the inputs (through symlinks and
    hard links) or that cannot be written: the report must never replace a Dockerfile."""
    from msbrewrite.bulk.files import check_writable, same_file
    if target is None or target == "-":
        return
    for f in found:
        if same_file(target, f.path):
            raise fail(f"{option} {target}: is one of the Dockerfiles being read; write the "
                       f"{'patch' if option == '--patch' else 'report'} elsewhere")
    try:
        check_writable(target)
    except OSError as exc:
        raise fail(f"{target}: cannot write ({exc.strerror or exc})")


def configurations(items) -> str:
    """The line naming every configuration file the run used, or ''."""
    from msbrewrite.bulk.runner import display
    used = sorted({i.config for i in items if i.config})
    return f"configuration: {', '.join(display(c) for c in used)}" if used else ""


def flags(runtime: str, language: Optional[str], user: Optional[str], no_context: bool = False,
          optimize: bool = False, debug_stage: bool = False) -> dict:
    from msbrewrite.model.options import RUNTIMES
    no_empty_values(language=language, user=user)
    if runtime not in RUNTIMES:
        raise fail(f"--runtime must be one of {', '.join(RUNTIMES)}")
    if user is not None:
        from msbrewrite.core.option_values import user_problem
        if user_problem(user):
            raise fail(f"--user {user!r}: {user_problem(user)}")
    if language and language not in ("go", "rust", "node", "python", "java", "frontend"):
        raise fail(f"--language must be one of go, rust, node, python, java, frontend (got {language!r})")
    return {"runtime": runtime, "language": language, "user": user, "no_context": no_context, "optimize": optimize,
            "debug_stage": debug_stage,
            "explicit": {"runtime": runtime != "auto", "language": bool(language), "user": bool(user),
                         "optimize": optimize, "debug_stage": debug_stage}}


def report_target(report: Optional[str], verify_results: Optional[str], found, *others: Optional[str]) -> None:
    """Usage errors of --report / --verify-results, said before any work: the page never goes
    over an input Dockerfile or another output of the same run."""
    import os
    if verify_results and not report:
        raise fail("--verify-results needs --report FILE (the page shows the measured sizes)")
    if verify_results and not os.path.isdir(verify_results):
        raise fail(f"--verify-results {verify_results}: not a directory")
    if not report:
        return
    if report == "-" or os.path.isdir(report):
        raise fail(f"--report {report}: give a file name for the HTML page")
    target = os.path.realpath(report)
    inputs = {os.path.realpath(f.path) for f in found}
    if target in inputs or target in {os.path.realpath(o) for o in others if o and o != "-"}:
        raise fail(f"--report {report}: that is an input or another output of this run; choose another file")


def write_report(report: str, items, verify_results: Optional[str], title: str) -> None:
    """Render the HTML page and write it atomically."""
    import shlex
    from pathlib import Path

    from msbrewrite.cli import html_report
    from msbrewrite.verify import results as vr
    from msbrewrite.bulk.files import write_atomic
    from msbrewrite.support.version import version
    verify, notes = {}, []
    if verify_results:
        reports, notes = vr.load(verify_results)
        verify = vr.match([i.path for i in items], reports)
        notes.append(f"{len(verify)} of {len(items)} file(s) have msb verify results ({len(reports)} report(s) read)")
    page = html_report.render(items, title=title, version=version(), command="msb " + shlex.join(sys.argv[1:]),
                              verify=verify, notes=notes, base=str(Path.cwd().resolve()))
    try:
        write_atomic(report, page)
    except OSError as exc:
        raise fail(f"{report}: cannot write ({exc.strerror or exc})")


class Progress:
    """A rich progress bar on a terminal, one plain line per file otherwise (CI logs)."""

    def __init__(self, total: int, verb: str, quiet: bool = False):
        self.total, self.done, self.verb, self.quiet = total, 0, verb, quiet
        self.bar = None
        from msbrewrite.cli.terminal import live
        if not quiet and live(sys.stderr):
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress as Bar, TextColumn, TimeElapsedColumn
            # no refresh thread: worker processes are forked while this runs
            self.bar = Bar(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                           console=Console(stderr=True), auto_refresh=False, transient=True)
            self.task = self.bar.add_task(verb, total=total)

    def __enter__(self):
        if self.bar:
            self.bar.start()
        return self

    def __exit__(self, *exc):
        if self.bar:
            self.bar.stop()

    def __call__(self, item) -> None:
        from msbrewrite.bulk.runner import display
        from msbrewrite.support.printable import printable
        self.done += 1
        if self.bar:
            self.bar.update(self.task, advance=1)
            self.bar.refresh()
        elif not self.quiet:
            detail = item.runtime_base if item.status == "converted" else (item.reason_code or "")
            typer.echo(printable(f"msb: [{self.done}/{self.total}] {display(item.path)}: {item.status}"
                       + (f" ({detail})" if detail else "")), err=True)


def _holds(path: str, text: str | None) -> bool:
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            return fh.read() == text
    except OSError:
        return False


def register(app: typer.Typer) -> None:
    from msbrewrite.cli.app import Command

    @app.command(cls=Command)
    def migrate(
        roots: List[str] = typer.Argument(..., metavar="ROOTS...", help="Directories (or files) to search for Dockerfiles."),
        in_place: bool = typer.Option(False, "--in-place", "-i", help="Rewrite converted files (atomically)."),
        patch: Optional[str] = typer.Option(None, "--patch", help="Write one unified diff here ('-' = stdout)."),
        jobs: Optional[int] = typer.Option(None, "--jobs", "-j", help="Worker processes (default: CPU count)."),
        as_json: bool = typer.Option(False, "--json", help="Print a JSON report on stdout."),
        include: List[str] = typer.Option([], "--include", help="Glob of files to take instead of the Dockerfile "
                                                                 "naming rules (repeatable)."),
        exclude: List[str] = typer.Option([], "--exclude", help="Glob of files or directories to skip (repeatable)."),
        runtime: str = typer.Option("auto", "--runtime", help=RUNTIME_HELP),
        language: Optional[str] = typer.Option(None, "--language", "-l", help="Skip detection for every file."),
        user: Optional[str] = typer.Option(None, "--user", help="Runtime user: nonroot (default), root, or a name/uid."),
        no_context: bool = typer.Option(False, "--no-context", help="Ignore build contexts."),
        quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress lines."),
        optimize: bool = typer.Option(False, "--optimize", help="Also optimise each builder (as convert --optimize)."),
        debug_stage: bool = typer.Option(False, "--debug-stage", help="Also write a `debug` stage in each file "
                                         "(as convert --debug-stage)."),
        report: Optional[str] = typer.Option(None, "--report", help="Also write a self-contained HTML report "
                                             "here (totals, per-folder table, diffs, refusals)."),
        verify_results: Optional[str] = typer.Option(None, "--verify-results", help="With --report: a folder of "
                                                     "`msb verify --json` outputs; the page shows measured sizes "
                                                     "and verdicts."),
    ) -> None:
        """Convert every Dockerfile under ROOTS in parallel; print a summary table.

        Without --in-place or --patch nothing is written (a dry run).
        """
        import json

        from msbrewrite.bulk import runner as bulk
        from msbrewrite.bulk.files import write_atomic
        from msbrewrite.support.printable import printable

        no_empty_values(roots=roots, patch=patch, include=include, exclude=exclude)
        if in_place and patch:
            raise fail("--in-place and --patch cannot be combined")
        if jobs is not None and jobs < 1:
            raise fail("--jobs must be at least 1")
        options = flags(runtime, language, user, no_context, optimize, debug_stage)
        found = collect(roots, include, exclude)
        output_target("--patch", patch, found)
        report_target(report, verify_results, found, patch)
        clock = bulk.Clock()
        written = []

        def on_item(item) -> None:
            if in_place and item.status == bulk.CONVERTED:
                try:
                    bulk.write_in_place([item])
                except KeyboardInterrupt:
                    # Ctrl-C is held until the rename: this file may be new already
                    if _holds(item.path, item.new):
                        written.append(item)
                    raise
                if item.status == bulk.CONVERTED:
                    written.append(item)
            progress(item)

        try:
            with Progress(len(found), "migrating", quiet or (as_json and patch == "-")) as progress:
                items = bulk.run(found, options, jobs, on_item)
        except KeyboardInterrupt:
            # every file is old or new: say how many are new, so the user knows what to review
            done = f"{len(written)} file(s) already rewritten" if in_place else "nothing written"
            typer.echo(f"msb: interrupted: {done}" + (f"; the last: {printable(bulk.display(written[-1].path))}"
                                                     if written else ""), err=True)
            _exit_now(130)
        seconds = clock.seconds
        if patch:
            text = bulk.patch(items, roots={str(f.path): f.root for f in found})
            if patch == "-":
                sys.stdout.write(text)
            else:
                try:
                    write_atomic(patch, text)
                except OSError as exc:
                    raise fail(f"{patch}: cannot write ({exc.strerror or exc})")
        if report:
            write_report(report, items, verify_results, "msb migrate report")
        action = " (written)" if in_place else " (in the patch)" if patch else " (dry run: nothing written)"
        if as_json:
            from msbrewrite.support.version import version
            doc = {"version": 1, "msb": version(), "seconds": round(seconds, 3), "written": in_place,
                   "summary": bulk.counts(items), "files": [i.to_dict() for i in items]}
            typer.echo(json.dumps(doc, indent=2), err=patch == "-")
        typer.echo(bulk.summary(items, seconds, action), err=True)
        if configurations(items):
            typer.echo(printable(f"  {configurations(items)}"), err=True)
        failed = [i for i in items if i.status == bulk.FAILED]
        for item in failed:     # the bar hid them: name each failure once, at the end
            typer.echo(printable(f"msb: {bulk.display(item.path)}: failed: {item.reason}"), err=True)
        if failed:
            raise typer.Exit(1)


def _exit_now(code: int) -> None:
    """End the process at once after Ctrl-C. Every file is already old or new and said; what is
    left is the worker pool's thread, which can still wait on a worker killed halfway through
    sending a result, and the interpreter's exit would join it without a time limit (seen on a
    loaded machine: the run never ended)."""
    import os
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:   # noqa: BLE001 - a closed or full standard output changes nothing here
            pass
    os._exit(code)
