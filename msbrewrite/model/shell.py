"""Reading RUN, CMD and ENTRYPOINT commands.

A RUN line is split into simple commands (at &&, ||, ;, | and newlines), each with
its leading VAR=value assignments and the directory it runs in (WORKDIR plus any
`cd`). shlex with punctuation characters is enough for the commands build steps
use and never raises on odd input: unbalanced quotes fall back to a plain split.
"""
from __future__ import annotations

import functools
import posixpath
import re
import shlex

from msbrewrite.support import lazy_re
from msbrewrite.support.records import field, record

_SEPARATORS = {"&&", "||", ";", "|", "&", "\n", ";;", "|&"}
_ASSIGN_RE = lazy_re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_NEEDS_LEXER_RE = lazy_re.compile(r"['\"\\#]")
_PLAIN_WORD_RE = lazy_re.compile(r"[&|;]+|[^ \t\r&|;]+")
_SHELL_META_RE = lazy_re.compile(r"[$`|&;<>(){}*?\[\]~\\]|\s#")


@record
class Command:
    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    cwd: str = "/"

    @functools.cached_property
    def program(self) -> str:
        # detectors ask every command for its program many times: computed once
        return posixpath.basename(self.argv[0]) if self.argv else ""


def split_words(text: str) -> list[str]:
    if not _NEEDS_LEXER_RE.search(text):
        # no quotes, escapes or comments: a regex gives shlex's exact tokens, several times faster
        return _PLAIN_WORD_RE.findall(text)
    lexer = shlex.shlex(text, posix=True, punctuation_chars="&|;")
    lexer.whitespace = " \t\r"
    lexer.whitespace_split = True
    lexer.commenters = "#"
    try:
        return list(lexer)
    except ValueError:
        return text.split()


def split_commands(text: str, cwd: str = "/") -> list[Command]:
    """Simple commands of a shell script, with `cd` tracked into each command's cwd."""
    text = text.replace("\\\n", " ")
    commands: list[Command] = []
    current: list[str] = []

    def flush() -> None:
        nonlocal cwd
        env: dict[str, str] = {}
        words = list(current)
        current.clear()
        while words and _ASSIGN_RE.match(words[0]):
            key, _, value = words.pop(0).partition("=")
            env[key] = value
        while words and words[0] in ("env", "exec", "time", "sudo", "nohup") and len(words) > 1:
            words.pop(0)
            while words and _ASSIGN_RE.match(words[0]):
                key, _, value = words.pop(0).partition("=")
                env[key] = value
        if words and words[0] in ("(", "{"):
            words.pop(0)
        if not words and not env:
            return
        if words and words[0] == "cd" and len(words) >= 2:
            cwd = posixpath.normpath(posixpath.join(cwd, words[1]))
        commands.append(Command(canonical_argv(words, cwd), env, cwd))

    for line in text.split("\n"):
        for word in split_words(line):
            if word in _SEPARATORS or set(word) <= set("&|;"):
                flush()
            else:
                current.append(word)
        flush()
    return commands


_CARGO_ALIASES = {"b": "build", "r": "run", "c": "check", "t": "test"}
_PIP_RE = lazy_re.compile(r"pip3?(\.\d+)?")
_PYTHON_RE = lazy_re.compile(r"python3?(\.\d+)?")
# pip's general options that take a value; the others are flags (--no-cache-dir, -q, --isolated...)
_PIP_VALUE_OPTS = {"--python", "--log", "--log-file", "--proxy", "--retries", "--timeout", "--default-timeout",
                   "--exists-action", "--trusted-host", "--cert", "--client-cert", "--cache-dir", "--use-feature",
                   "--use-deprecated", "--keyring-provider", "--resume-retries", "--src"}


def canonical_argv(argv: list[str], cwd: str = "/") -> list[str]:
    """The long spelling of a command whose short or wrapped form means the same thing, so the
    language planners see one form: `cargo b -r` is `cargo build --release`; the old official Go
    images' `go-wrapper install` is `go install`, and `go-wrapper run` runs what it installed."""
    if len(argv) < 2:
        return argv
    prog = posixpath.basename(argv[0])
    if _PIP_RE.fullmatch(prog):
        return [argv[0], *_pip_subcommand_first(argv[1:])]
    if _PYTHON_RE.fullmatch(prog) and argv[1:3] == ["-m", "pip"]:
        return [*argv[:3], *_pip_subcommand_first(argv[3:])]
    if prog == "cargo":
        sub = _CARGO_ALIASES.get(argv[1], argv[1])
        rest = argv[2:]
        if sub in ("build", "run", "install", "test", "check"):
            cut = rest.index("--") if "--" in rest else len(rest)
            rest = [("--release" if w == "-r" else w) for w in rest[:cut]] + rest[cut:]
        return [argv[0], sub, *rest]
    if prog == "go-wrapper":
        if argv[1] == "install":
            return ["go", "install", *argv[2:]]
        if argv[1] == "download":
            return ["go", "get", "-d", *argv[2:]]
        if argv[1] == "run":
            # go-wrapper runs $GOPATH/bin/<name of the working directory>
            return [posixpath.join("/go/bin", posixpath.basename(cwd.rstrip("/")) or "app"), *argv[2:]]
    return argv


def _pip_subcommand_first(args: list[str]) -> list[str]:
    """`--no-cache-dir install -r r.txt` -> `install --no-cache-dir -r r.txt`: pip reads its general
    options on either side of the subcommand, and the planners look for the subcommand first."""
    i = 0
    while i < len(args) and args[i].startswith("-") and args[i] != "--":
        i += 2 if args[i] in _PIP_VALUE_OPTS else 1
    if i == 0 or i >= len(args):
        return args
    return [args[i], *args[:i], *args[i + 1:]]


def needs_shell(command_text: str) -> bool:
    """True when a shell-form command uses shell features (variables, pipes, globs...)."""
    return bool(_SHELL_META_RE.search(command_text)) or "'" in command_text or '"' in command_text


def drop_exec(command_text: str) -> tuple[str, str]:
    """(command, "exec " or "") for a shell-form command that starts with `exec`: `exec` is a shell
    builtin, so an exec-form command must not start with it (the caller restores it if a shell stays)."""
    m = re.match(r"exec[ \t]+(?=[^\s-])", command_text)
    return (command_text[m.end():], "exec ") if m else (command_text, "")


def shell_form_to_argv(command_text: str) -> list[str] | None:
    """Exec-form argv for a plain shell-form command, None when it needs a shell."""
    text = " ".join(command_text.split())
    if not text or needs_shell(text):
        return None
    words = text.split(" ")
    if _ASSIGN_RE.match(words[0]):
        # `FLASK_APP=app.py flask run`: the shell sets the variable; exec form would run the
        # word `FLASK_APP=app.py` as the program
        return None
    return words


def is_assignment(word: str) -> bool:
    """`NAME=value`: a shell word that sets a variable for the command after it."""
    return bool(_ASSIGN_RE.match(word))


# variables a start command's prefix keeps to itself: an image-wide PATH or loader setting would
# change which program the exec form runs and how every other program in the image links
_KEPT_IN_PREFIX = {"PATH", "LD_PRELOAD", "LD_LIBRARY_PATH"}


def start_assignments(command_text: str) -> tuple[list[tuple[str, str]], list[str]] | None:
    """`FLASK_APP=app.py flask run` -> ([("FLASK_APP", "app.py")], ["flask", "run"]): the literal
    variables a plain shell-form start command sets for itself, and the command after them. None
    when there are none, or when the line needs a shell anyway."""
    text = " ".join(command_text.split())
    if not text or needs_shell(text):
        return None
    words = text.split(" ")
    pairs = []
    while words and _ASSIGN_RE.match(words[0]):
        key, _, value = words.pop(0).partition("=")
        pairs.append((key, value))
    if not pairs or not words or any(key in _KEPT_IN_PREFIX for key, _ in pairs):
        return None
    return pairs, words


SCRIPT_SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh"})


def shell_script(argv: list[str]) -> str | None:
    """The script an exec-form `["sh", "-c", "..."]` runs (any POSIX shell, by name or path, its
    options before the script: `-ec`, `-e -c`, `-o pipefail -c`), else None."""
    if not argv or posixpath.basename(argv[0]) not in SCRIPT_SHELLS:
        return None
    i = 1
    while i < len(argv) and argv[i].startswith("-") and argv[i] != "--":
        if argv[i] in ("-o", "+o"):
            i += 2
            continue
        if not argv[i].startswith("--") and "c" in argv[i][1:]:
            return argv[i + 1] if i + 1 < len(argv) else None
        i += 1
    return None


def plain_start_argv(command_text: str) -> list[str] | None:
    """shell_form_to_argv for a CMD/ENTRYPOINT: the variables a start line sets before its program
    become the runtime's ENV (runtime.entry), so they do not make it need a shell."""
    argv = shell_form_to_argv(command_text)
    if argv is None:
        moved = start_assignments(command_text)
        argv = moved[1] if moved else None
    return argv


def resolve(path: str, cwd: str) -> str:
    return posixpath.normpath(posixpath.join(cwd or "/", path))


def option_value(argv: list[str], *names: str) -> str | None:
    """Value of an option given as `-o x`, `-o=x` or `--out x`; the last one wins."""
    value = None
    for i, word in enumerate(argv):
        for name in names:
            if word == name and i + 1 < len(argv):
                value = argv[i + 1]
            elif word.startswith(name + "="):
                value = word[len(name) + 1:]
    return value


def positional_args(argv: list[str], takes_value: set[str]) -> list[str]:
    """Arguments that are not options or option values (after the program and subcommand)."""
    out = []
    skip = False
    for word in argv:
        if skip:
            skip = False
            continue
        if word == "--":
            break
        if word.startswith("-"):
            if "=" not in word and word in takes_value:
                skip = True
            continue
        out.append(word)
    return out
