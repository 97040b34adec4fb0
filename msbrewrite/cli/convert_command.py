"""The body of `msb convert`, without the CLI framework.

The typer command in cli.py and the fast start path in entry.py both call run(), so the two can
only differ in how they read argv. Messages go straight to stdout/stderr; errors are
CommandError(message, exit code).
"""
from __future__ import annotations

import os
import sys
from pathlib import Path


class CommandError(Exception):
    def __init__(self, message: str, code: int):
        super().__init__(message)
        self.message, self.code = message, code


def options(runtime: str, language: str | None, user: str | None = None, config_from: Path | None = None,
            optimize: bool = False, drop_dotenv: bool = False, debug_stage: bool = False):
    """Options from the command line, completed by [tool.msb] / .msb.toml found from config_from."""
    from msbrewrite.model.options import RUNTIMES, Options
    if runtime not in RUNTIMES:
        raise CommandError(f"--runtime must be one of {', '.join(RUNTIMES)}", 2)
    if user is not None:
        from msbrewrite.core.option_values import user_problem
        if user_problem(user):
            raise CommandError(f"--user {user!r}: {user_problem(user)}", 2)
    opts = Options(runtime=runtime, language=language, user=user, optimize=optimize, drop_dotenv=drop_dotenv,
                   debug_stage=debug_stage)
    try:
        from msbrewrite.core import config
    except ImportError:
        return opts
    try:
        return config.apply(opts, config_from, explicit={"runtime": runtime != "auto", "language": bool(language),
                                                        "user": bool(user), "optimize": optimize,
                                                        "drop_dotenv": drop_dotenv,
                                                        "debug_stage": debug_stage})
    except config.ConfigError as exc:
        raise CommandError(str(exc), 2) from None


def configuration(config_from: Path) -> tuple[str | None, list[str]]:
    """The configuration file the options came from, and the files passed over for their owner."""
    from msbrewrite.core import config
    found = config.find(config_from)
    return (str(found.path) if found else None), config.ignored(config_from)


def run(path: str, context: Path | None = None, no_context: bool = False, output: Path | None = None,
        in_place: bool = False, diff: bool = False, as_json: bool = False, runtime: str = "auto",
        language: str | None = None, user: str | None = None, quiet: bool = False, optimize: bool = False,
        dockerignore: Path | None = None, drop_dotenv: bool = False, debug_stage: bool = False) -> int:
    """Convert one Dockerfile; returns the exit code. Raises CommandError for bad usage or input."""
    from msbrewrite.core.convert import convert
    from msbrewrite.bulk.files import Changed, check_writable, read_dockerfile, replace_if_unchanged, same_file, write_atomic
    from msbrewrite.model.plan import Refusal
    from msbrewrite.cli.report import as_json as to_json, human, unified_diff

    if path == "":
        from msbrewrite.core.option_values import empty_value_problem
        raise CommandError(empty_value_problem({"path": path}), 2)
    if in_place and (output or path == "-"):
        raise CommandError("--in-place cannot be combined with -o or with stdin", 2)
    if as_json and diff:
        raise CommandError("--json and --diff cannot be combined: choose one for stdout", 2)
    if output is not None and path != "-" and same_file(output, path):
        raise CommandError(f"-o {output}: is the Dockerfile being converted; use --in-place to rewrite it", 2)
    try:
        text = read_dockerfile(path)
    except Refusal as exc:
        raise CommandError(exc.message, exc.code) from None
    ctx = None
    if not no_context:
        ctx = context if context else (Path(path).resolve().parent if path != "-" else None)
        if context and not os.path.isdir(context):
            raise CommandError(f"--context {context}: not a directory", 2)
    config_from = Path(path).resolve().parent if path != "-" else Path.cwd()
    opts = options(runtime, language, user, config_from, optimize, drop_dotenv, debug_stage)
    used, passed_over = configuration(config_from)
    if not quiet:
        for why in passed_over:
            _echo(f"msb: warning: {why}", sys.stderr)
    if dockerignore is not None:
        from msbrewrite.optimize.dockerignore import check_target
        try:
            check_target(dockerignore, opts.optimize)
        except ValueError as exc:
            raise CommandError(str(exc), 2) from None
    result = convert(text, ctx, opts)
    name = path if path != "-" else "<stdin>"
    if as_json:
        _echo(to_json(result, name, used, passed_over), sys.stdout)
    if result.status == "refused":
        # quiet means no report, not no error: the refusal is said on stderr in every mode
        _echo(human(result, name), sys.stderr)
        return result.exit_code
    if not quiet:
        _echo(human(result, name, used), sys.stderr)
    target = (Path(path) if in_place else output) if (in_place or output) else None
    if target is not None:
        # every target is checked before the first write: a refused -o leaves no .dockerignore behind
        try:
            check_writable(target)
        except OSError as exc:
            raise CommandError(f"{target}: cannot write ({exc.strerror or exc})", 2) from None
    if target is not None:
        # the file gets the Dockerfile; stdout still gets the JSON or the diff that was asked for
        try:
            if in_place and result.status == "converted":
                replace_if_unchanged(target, text, result.text)    # an edit made meanwhile is kept
            elif not in_place:
                write_atomic(target, result.text)
        except Changed:
            raise CommandError(f"{target}: changed while msb converted it: not written (run msb again)", 2) from None
        except OSError as exc:
            raise CommandError(f"{target}: cannot write ({exc.strerror or exc})", 2) from None
    if dockerignore is not None and result.status == "converted":
        from msbrewrite.optimize.dockerignore import write_suggestion
        try:
            note = write_suggestion(dockerignore, ctx, text, result.language)
        except OSError as exc:
            raise CommandError(f"{dockerignore}: cannot write ({exc.strerror or exc})", 2) from None
        if not quiet and not as_json:
            _echo(f"msb: {note}", sys.stderr)
    if target is not None:
        if diff:
            sys.stdout.write(unified_diff(text, result.text, name))
        return 0
    if as_json:
        return 0
    sys.stdout.write(unified_diff(text, result.text, name) if diff else result.text)
    return 0


def _echo(message: str, stream) -> None:
    stream.write(message + "\n")
    stream.flush()
