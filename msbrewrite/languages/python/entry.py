"""What a Python CMD/ENTRYPOINT runs: the server or script, and the module it loads.

`parse_entry(argv, env)` turns `gunicorn -b :8000 app:app`, `python -m uvicorn main:app`,
`python manage.py runserver`, `flask run`, `streamlit run app.py`, `celery -A proj worker`
or `python app.py` into an Entry: the framework word for the report, the entry file or
module to start the import walk from, the directory Python searches first, and config
files the server reads.
"""
from __future__ import annotations

import posixpath

from msbrewrite.support import lazy_re
from msbrewrite.support.records import field, record

# `uv run`, `poetry run` ... only start the app inside the environment, which the runtime puts on PATH
RUNNERS = {("uv", "run"), ("poetry", "run"), ("pipenv", "run"), ("pdm", "run"), ("hatch", "run"), ("rye", "run")}
_RUNNER_VALUE_OPTS = {"--with", "--python", "-p", "--extra", "--group", "--env-file", "--project", "--directory",
                      "--package", "--only-group", "--with-requirements", "-e", "--env"}
# process wrappers that exec the real command
WRAPPERS = {"tini", "dumb-init", "ddtrace-run", "opentelemetry-instrument", "exec"}
APP_SPEC_RE = lazy_re.compile(r"^[A-Za-z_][\w.]*(:[A-Za-z_][\w.]*(\(.*\))?)?$")
_PY_RE = lazy_re.compile(r"^python(\d(\.\d+)?)?$")
_PY_VALUE_OPTS = {"-W", "-X", "-Q"}
# ASGI/WSGI servers: the app is the positional `module:attr`
SERVERS = {"gunicorn": "gunicorn", "uvicorn": "uvicorn", "hypercorn": "hypercorn", "daphne": "daphne",
           "waitress-serve": "waitress", "granian": "granian"}
# server options whose value names a file the server reads at start-up
_CONFIG_OPTS = {"-c", "--config", "--log-config", "--env-file", "--paste", "--certfile", "--keyfile",
                "--ssl-keyfile", "--ssl-certfile"}
_DIR_OPTS = {"--chdir", "--app-dir"}
_PATH_OPTS = {"--pythonpath"}
_SERVER_FLAGS = {"--reload", "--factory", "--proxy-headers", "--no-proxy-headers", "--preload", "--daemon",
                 "-D", "--use-colors", "--no-use-colors", "--no-access-log", "--access-log", "--no-server-header",
                 "--no-date-header", "--call", "--capture-output", "--check-config", "--print-config",
                 "--reuse-port", "--spew", "-R", "--enable-stdio-inheritance", "-V", "--version", "--help",
                 "--interface", "--ws", "--http"}


@record
class Entry:
    framework: str | None = None
    script: str | None = None          # a file path, relative to cwd (or absolute)
    module: str | None = None          # dotted module name
    cwd: str | None = None             # directory option (--chdir, --app-dir), relative to the workdir
    paths: list[str] = field(default_factory=list)     # extra import roots (--pythonpath)
    configs: list[str] = field(default_factory=list)   # files the server reads
    django: bool = False
    why_imprecise: str | None = None   # set when the entry cannot be followed


def strip_runner(argv: list[str]) -> list[str]:
    """argv without `uv run`/`poetry run` and process wrappers in front of the real command."""
    argv = list(argv)
    changed = True
    while argv and changed:
        changed = False
        prog = posixpath.basename(argv[0])
        if len(argv) > 1 and (prog, argv[1]) in RUNNERS:
            i = 2
            while i < len(argv) and argv[i].startswith("-"):
                i += 2 if argv[i] in _RUNNER_VALUE_OPTS else 1
            if i < len(argv) and argv[i] == "--":
                i += 1
            argv = argv[i:]
            changed = True
        elif prog in WRAPPERS and len(argv) > 1:
            i = 1
            while i < len(argv) and argv[i].startswith("-"):
                i += 1
            argv = argv[i:]
            changed = True
    return argv


def _positionals(args: list[str], value_opts: set[str] = frozenset()) -> list[str]:
    out, skip = [], False
    for i, word in enumerate(args):
        if skip:
            skip = False
            continue
        if word.startswith("-"):
            if "=" not in word and (word in value_opts or (word not in _SERVER_FLAGS and word not in value_opts
                                                             and i + 1 < len(args)
                                                             and not args[i + 1].startswith("-")
                                                             and not APP_SPEC_RE.match(args[i + 1]))):
                skip = True
            continue
        out.append(word)
    return out


def _option(args: list[str], names: set[str]) -> list[str]:
    out = []
    for i, word in enumerate(args):
        key, eq, value = word.partition("=")
        if key in names:
            if eq:
                out.append(value)
            elif i + 1 < len(args):
                out.append(args[i + 1])
    return out


def _server(name: str, args: list[str], entry: Entry) -> Entry:
    entry.framework = name
    for value in _option(args, _CONFIG_OPTS):
        if not value.startswith(("python:", "file:", "/dev/")):
            entry.configs.append(value)
    dirs = _option(args, _DIR_OPTS)
    if dirs:
        entry.cwd = dirs[-1]
    entry.paths += [p for v in _option(args, _PATH_OPTS) for p in v.split(",")]
    specs = [w for w in args if ":" in w and APP_SPEC_RE.match(w)]
    if not specs:
        specs = [w for w in _positionals(args) if APP_SPEC_RE.match(w)]
    if specs:
        entry.module = specs[-1].split(":")[0]
    else:
        entry.why_imprecise = f"{name}: the app module is not on the command line"
    return entry


def parse_entry(argv: list[str], env: dict[str, str]) -> Entry:
    argv = strip_runner(argv)
    entry = Entry()
    if not argv:
        entry.why_imprecise = "no command"
        return entry
    prog = posixpath.basename(argv[0])
    args = argv[1:]
    if prog in ("sh", "bash", "ash", "dash"):
        if args and not args[0].startswith("-") and args[0].endswith((".sh", ".bash")):
            entry.why_imprecise = f"entrypoint script {args[0]}"
        else:
            entry.why_imprecise = "a shell command"
        return entry
    if prog.endswith((".sh", ".bash")):
        entry.why_imprecise = f"entrypoint script {argv[0]}"
        return entry
    if _PY_RE.match(prog):
        i = 0
        while i < len(args) and args[i].startswith("-") and args[i] not in ("-m", "-c"):
            i += 2 if args[i] in _PY_VALUE_OPTS else 1
        rest = args[i:]
        if not rest:
            entry.why_imprecise = "an interactive interpreter"
            return entry
        if rest[0] == "-c":
            entry.why_imprecise = "python -c code"
            return entry
        if rest[0] == "-m" and len(rest) > 1:
            mod = rest[1]
            if mod in SERVERS or mod in ("flask", "streamlit", "celery", "fastapi"):
                return parse_entry([mod, *rest[2:]], env)
            entry.module = mod
            return entry
        script = rest[0]
        entry.script = script
        if posixpath.basename(script) == "manage.py":
            entry.framework = "django"
            entry.django = True
        return entry
    if prog in SERVERS:
        return _server(SERVERS[prog], args, entry)
    if prog == "flask":
        entry.framework = "flask"
        app = (_option(args, {"--app", "-A"}) or [env.get("FLASK_APP", "")])[-1]
        if app:
            spec = app.split(":")[0]
            if spec.endswith(".py") or "/" in spec:
                entry.script = spec
            else:
                entry.module = spec
        else:
            entry.script = "app.py"     # flask's default lookup (then wsgi.py)
        return entry
    if prog == "streamlit" and args[:1] == ["run"] and len(args) > 1:
        entry.framework = "streamlit"
        entry.script = args[1]
        return entry
    if prog == "fastapi" and args[:1] in (["run"], ["dev"]):
        entry.framework = "fastapi"
        paths = _positionals(args[1:], {"--host", "--port", "--app", "--entrypoint", "--root-path", "--workers"})
        entry.script = paths[0] if paths else "main.py"
        return entry
    if prog == "celery":
        entry.framework = "celery"
        apps = _option(args, {"-A", "--app"})
        if apps:
            entry.module = apps[-1].split(":")[0]
        else:
            entry.why_imprecise = "celery without -A"
        return entry
    if prog == "django-admin":
        entry.framework = "django"
        entry.django = True
        return entry
    entry.why_imprecise = f"{prog} is an installed command, not a file to follow"
    return entry
