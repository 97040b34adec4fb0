"""The `msb` console script.

`msb convert` with plain arguments runs without loading the CLI framework: typer and its imports
cost about a quarter of a one-file conversion's start-up. Anything else (help, another command,
an option this parser does not know, a usage error) goes to the typer app in cli.py, so there
is one place that defines the commands and reports usage errors.
"""
from __future__ import annotations

import sys

# `msb convert` options, as cli.convert declares them (a test keeps the two in step)
CONVERT_FLAGS = {"--no-context": "no_context", "-i": "in_place", "--in-place": "in_place", "--diff": "diff",
                 "--json": "as_json", "-q": "quiet", "--quiet": "quiet",
                 "--optimize": "optimize", "--drop-dotenv": "drop_dotenv",
                 "--debug-stage": "debug_stage"}
CONVERT_VALUES = {"-c": "context", "--context": "context", "-o": "output", "--output": "output",
                  "--runtime": "runtime", "-l": "language", "--language": "language", "--user": "user",
                  "--dockerignore": "dockerignore"}
_PATHS = ("context", "output", "dockerignore")


def parse_convert(args: list[str]) -> tuple[str, dict] | None:
    """(PATH, keyword arguments) for convert_command.run, or None to let typer handle argv."""
    path, kwargs, i = None, {}, 0
    while i < len(args):
        arg = args[i]
        if arg in CONVERT_FLAGS:
            kwargs[CONVERT_FLAGS[arg]] = True
        elif arg.split("=", 1)[0] in CONVERT_VALUES:
            name, eq, value = arg.partition("=")
            if eq and not name.startswith("--"):
                return None     # `-c=x`: click reads "=x" as the value; leave such spellings to it
            if not eq:
                if i + 1 == len(args):
                    return None
                i += 1
                value = args[i]
            if not value or (value.startswith("-") and value != "-"):
                return None
            kwargs[CONVERT_VALUES[name]] = value
        elif arg == "-" or not arg.startswith("-"):
            if path is not None:
                return None
            path = arg
        else:
            return None
        i += 1
    if path is None:
        return None
    if any(k in kwargs for k in _PATHS):
        from pathlib import Path
        kwargs.update({k: Path(kwargs[k]) for k in _PATHS if k in kwargs})
    return path, kwargs


class StdoutError(Exception):
    """Standard output cannot take what msb writes (a full disk, a closed descriptor)."""


class _GuardedStdout:
    """sys.stdout, with every failed write turned into StdoutError so that it is told apart from
    msb's own file writes and said in one line."""

    def __init__(self, stream):
        self._stream = stream
        if stream is None:
            self.encoding, self.errors = "utf-8", "strict"

    def _call(self, name: str, *args):
        if self._stream is None:
            raise StdoutError("standard output is closed")
        try:
            return getattr(self._stream, name)(*args)
        except TypeError:
            raise      # click probes whether the stream takes bytes: not a failure of the stream
        except (OSError, ValueError) as exc:
            raise StdoutError(getattr(exc, "strerror", None) or str(exc)) from None

    def write(self, text):
        return self._call("write", text)

    def writelines(self, lines):
        return self._call("writelines", lines)

    def flush(self):
        return self._call("flush") if self._stream is not None else None

    def isatty(self) -> bool:
        return self._stream is not None and self._stream.isatty()

    def __getattr__(self, name):
        return getattr(self._stream, name)


def _guard_stdout() -> None:
    if sys.stdout is None:
        import os
        # keep descriptor 1 taken: a file msb opens next would get it and receive what a
        # subprocess or a stray write meant for standard output
        devnull = os.open(os.devnull, os.O_WRONLY)
        if devnull != 1:
            os.close(devnull)
    sys.stdout = _GuardedStdout(sys.stdout)


def _finish_stdout(reason: str | None) -> None:
    """Flush standard output; on failure say so in one line and exit 2. Python's own flush at exit
    then finds nothing pending (it would print a traceback-like note and exit 120)."""
    import os
    if reason is None:
        try:
            sys.stdout.flush()
            return
        except StdoutError as exc:
            reason = str(exc)
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.close(devnull)
    except OSError:
        pass
    sys.stdout = None
    sys.stderr.write(f"msb: cannot write to standard output ({reason})\n")
    sys.exit(2)


def main() -> None:
    _guard_stdout()
    try:
        _main()
    except StdoutError as exc:
        _finish_stdout(str(exc))
    except SystemExit:
        _finish_stdout(None)
        raise
    _finish_stdout(None)


def _main() -> None:
    args = sys.argv[1:]
    try:
        parsed = parse_convert(args[1:]) if args[:1] == ["convert"] else None
        if parsed is None:
            from msbrewrite.cli.app import app, register_optional_commands
            from msbrewrite.cli.terminal import plain_help
            register_optional_commands(args)
            plain_help()
            # one name however msb was started (python -m, the docker plugin): usage lines and the
            # shell-completion variable (_MSB_COMPLETE) come from it
            app(prog_name="msb")
            return
        from msbrewrite.cli.convert_command import CommandError, run
        try:
            code = run(parsed[0], **parsed[1])
        except CommandError as exc:
            from msbrewrite.support.printable import printable
            sys.stderr.write(f"msb: {printable(exc.message)}\n")
            code = exc.code
        sys.exit(code)
    except StdoutError:
        raise
    except KeyboardInterrupt:
        sys.stderr.write("msb: interrupted\n")
        sys.exit(130)
    except Exception as exc:   # noqa: BLE001 - a bug must still end in one line, not a traceback
        import os
        if os.environ.get("MSB_DEBUG"):
            raise
        detail = " ".join(str(exc).split())[:200]
        sys.stderr.write(f"msb: internal error ({type(exc).__name__}: {detail}); nothing was written. "
                         "Set MSB_DEBUG=1 for a traceback and please report it\n")
        sys.exit(3)
