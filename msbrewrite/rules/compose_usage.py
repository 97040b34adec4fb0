"""Compose files in the build context that run this image with a command of their own.

`docker compose up` does not run the Dockerfile's CMD when a service sets `command:` or
`entrypoint:`: it runs that (`sh -c "migrate && gunicorn ..."`, `./wait-for-it.sh db:5432 -- app`,
`cargo run`). The converted image must run those too, so msb reads the services built from this
directory and keeps a shell when one needs it, and says which ones the runtime image cannot run.
msb writes only the Dockerfile: a compose file is never changed.
"""
from __future__ import annotations

import posixpath
import re
import shlex

from msbrewrite.model.analysis import StageFacts
from msbrewrite.support import lazy_re
from msbrewrite.support.records import record

# the files `docker compose` reads by default, then the usual per-environment ones
COMPOSE_FILE = lazy_re.compile(r"(docker-)?compose(\.[\w-]+)?\.ya?ml")
# files for development or tests: they usually mount the sources and want the builder stage
DEV_FILE = lazy_re.compile(r"(dev|development|local|test|tests|ci|override|debug)", re.I)
SHELLS = {"sh", "bash", "ash", "dash", "zsh"}
# programs that compile or serve sources: never in a runtime stage
BUILD_TOOLS = {"cargo", "rustc", "go", "mvn", "mvnw", "gradle", "gradlew", "nodemon", "ts-node", "tsc",
               "webpack", "vite", "ng", "react-scripts", "vue-cli-service", "air", "reflex", "watchexec"}
# package managers: a runtime that has them (node slim) still lacks the dev dependencies they run
MANAGERS = {"npm", "yarn", "pnpm", "npx", "pip", "poetry", "pipenv", "uv"}


@record
class Override:
    file: str           # context-relative compose file
    service: str
    key: str            # command | entrypoint
    argv: list[str]
    dev: bool           # a development or test file

    @property
    def shown(self) -> str:
        return f"{self.file} service {self.service} ({self.key}: {shlex.join(self.argv)[:80]})"


@record
class Mount:
    file: str
    service: str
    kind: str           # bind | volume
    source: str         # host path (bind) or volume name ("" for an anonymous volume)
    target: str
    read_only: bool

    @property
    def shown(self) -> str:
        where = f"{self.source}:{self.target}" if self.source else self.target
        by = f"service {self.service}" if self.service else "`docker run`"
        return f"{self.file} {by} (volume {where}{':ro' if self.read_only else ''})"


def overrides(facts: StageFacts) -> list[Override]:
    """The command/entrypoint overrides of the services built from the context root with its Dockerfile
    (read once per conversion: the runtime base and the programs to carry both ask)."""
    if "compose_overrides" not in facts.memo:
        facts.memo["compose_overrides"] = _read_overrides(facts)
    return list(facts.memo["compose_overrides"])


def _read_overrides(facts: StageFacts) -> list[Override]:
    found = []
    for name, service, spec in _services(facts):
        for key in ("entrypoint", "command"):
            argv = _argv(spec.get(key))
            if argv:
                found.append(Override(name, service, key, argv, bool(DEV_FILE.search(name))))
    return found


def _services(facts: StageFacts) -> list[tuple[str, str, dict]]:
    if "compose_services" not in facts.memo:
        facts.memo["compose_services"] = services_in(facts.context)
    return facts.memo["compose_services"]


def services_in(ctx) -> list[tuple[str, str, dict]]:
    """(file, service, spec) of the services built from the context with its Dockerfile: by a compose
    file in the context (`build: .`), or in a folder above it inside the same repository (`build:
    ./api` at the repository's root); such a file is named by its path from the context (`../compose.yml`)."""
    found = []
    for up, folder in [("", ctx)] + _repository_folders(ctx):
        for name in folder.listdir("") if folder else []:
            if not COMPOSE_FILE.fullmatch(name):
                continue
            data = _load(folder.read(name))
            services = data.get("services") if isinstance(data, dict) else None
            if not isinstance(services, dict):
                continue
            for service, spec in services.items():
                if isinstance(spec, dict) and _builds_here(spec.get("build"), up):
                    shown = "../" * len(up.split("/")) + name if up else name
                    found.append((shown, str(service), spec))
    return found


# how many folders above the context a compose file may sit (a monorepo's services/api)
_MAX_UP = 3


def _repository_folders(ctx) -> list[tuple[str, object]]:
    """(path from the folder to the context, Context) of each folder above the context up to the root
    of its git repository; none when the context is not inside one within _MAX_UP folders (the
    folders above a checkout belong to someone else)."""
    from msbrewrite.model.context import Context
    root = getattr(ctx, "root", None) if ctx else None
    if root is None or (root / ".git").exists():
        return []
    parents = list(root.parents)[:_MAX_UP]
    top = next((i for i, p in enumerate(parents) if (p / ".git").exists()), None)
    if top is None:
        return []
    return [(posixpath.join(*root.parts[len(p.parts):]), Context(p)) for p in parents[:top + 1]]


def mounts(facts: StageFacts) -> list[Mount]:
    """The volumes of the services that run this image as its own user: not in a development file
    (they mount the sources and want the builder) and with no `user:` of their own; and those of
    the `docker run` commands the project's README gives."""
    if "compose_mounts" in facts.memo:
        return list(facts.memo["compose_mounts"])
    out = []
    for name, service, spec in _services(facts):
        if DEV_FILE.search(name) or spec.get("user") is not None or not isinstance(spec.get("volumes"), list):
            continue
        for item in spec["volumes"]:
            m = _mount(name, service, item)
            if m:
                out.append(m)
    out += _run_doc_mounts(facts)
    facts.memo["compose_mounts"] = out
    return list(out)


# `docker run ... -v SRC:DST` (or --volume, --mount type=bind,source=...,target=...) where the project
# says how to run it: a README, or a top-level script or Makefile (deploy.sh, run.sh, `make run`)
_RUN_DOCS = lazy_re.compile(r"(?i)readme(\.(md|markdown|rst|txt))?|[\w.-]+\.(sh|bash)|makefile|[\w.-]+\.mk")
_MAKEFILE = lazy_re.compile(r"(?i)makefile|[\w.-]+\.mk")
_RUN_LINE = lazy_re.compile(r"\bdocker\s+run\b[^\n]*")


def _run_doc_mounts(facts: StageFacts) -> list[Mount]:
    """Volumes of the `docker run` commands a top-level README, script or Makefile gives (how the
    project says to run this image), continuation lines joined."""
    ctx = facts.context
    out = []
    for name in ctx.listdir("") if ctx else []:
        if not _RUN_DOCS.fullmatch(name):
            continue
        text = re.sub(r"\\\s*\n\s*", " ", ctx.read(name) or "")
        if _MAKEFILE.fullmatch(name):
            text = text.replace("$$", "$")      # make's escape for the shell's $
        for line in _RUN_LINE.findall(text):
            try:
                words = shlex.split(line.replace("`", " "), comments=False)
            except ValueError:
                continue
            for i, word in enumerate(words):
                value = None
                if word in ("-v", "--volume") and i + 1 < len(words):
                    value = words[i + 1]
                elif word.startswith("--volume="):
                    value = word.split("=", 1)[1]
                elif word == "--mount" and i + 1 < len(words):
                    fields = dict(f.split("=", 1) for f in words[i + 1].split(",") if "=" in f)
                    src, dst = fields.get("source") or fields.get("src"), fields.get("target") or fields.get("dst")
                    value = f"{src}:{dst}" if src and dst else None
                m = _mount(name, "", value) if value else None
                if m and m not in out:
                    out.append(m)
    return out


def _mount(file: str, service: str, item) -> Mount | None:
    """A volume in compose's short (`src:dst:ro`) or long (`{type, source, target}`) syntax."""
    if isinstance(item, dict):
        kind, source, target = item.get("type", "volume"), str(item.get("source") or ""), item.get("target")
        read_only = bool(item.get("read_only"))
    elif isinstance(item, str):
        parts = item.split(":")
        if len(parts) == 1:
            kind, source, target, read_only = "volume", "", parts[0], False
        else:
            source, target = parts[0], parts[1]
            read_only = len(parts) > 2 and "ro" in parts[2].split(",")
            # `$(pwd)/uploads`, `${PWD}/data`, `$HOME/x`: a host folder whichever the variable's value
            # `${DATABASE_FILE}:/db`: a variable alone names a host path as well (a volume has a name)
            kind = "bind" if source.startswith(("/", ".", "~")) or (source.startswith("$") and "/" in source) \
                or re.fullmatch(r"\$\{?\w+(:?-[^}]*)?\}?", source) else "volume"
    else:
        return None
    if kind not in ("bind", "volume") or not isinstance(target, str) or not target.startswith("/") or \
            "$" in target or ("$" in source and kind != "bind"):
        return None
    return Mount(file, service, kind, source, posixpath.normpath(target), read_only)


def _load(text: str | None):
    if not text:
        return None
    import yaml     # only when a compose file is there: most conversions never load it
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return None


def _builds_here(build, up: str = "") -> bool:
    """`build: .` or `{context: ., dockerfile: Dockerfile}` (the file msb converts by default); from a
    compose file `up` folders above the context, `build: ./api` where `up` is `api`."""
    here = posixpath.normpath(up or ".")
    if isinstance(build, str):
        return posixpath.normpath(build) == here
    if isinstance(build, dict):
        context = build.get("context", ".")
        dockerfile = build.get("dockerfile", "Dockerfile")
        return isinstance(context, str) and posixpath.normpath(context) == here and isinstance(dockerfile, str) \
            and posixpath.normpath(dockerfile) == "Dockerfile" and "target" not in build
    return False


def _argv(value) -> list[str]:
    # compose splits a string like a shell would, but runs it without one
    if isinstance(value, str):
        try:
            return shlex.split(value)
        except ValueError:
            return value.split()
    if isinstance(value, list) and all(isinstance(w, (str, int, float)) for w in value):
        return [str(w) for w in value]
    return []


def program(argv: list[str]) -> str:
    """The program an override starts (`env X=1 prog`, a shell's own name)."""
    words = list(argv)
    while words and (posixpath.basename(words[0]) == "env" or re.fullmatch(r"\w+=.*", words[0])):
        words = words[1:]
    return posixpath.basename(words[0]) if words else ""


def programs(o: Override) -> list[str]:
    """The programs an override runs: its own, or each command's in the string its shell runs."""
    from msbrewrite.model.shell import shell_script
    commands = _simple_commands(o.argv)
    if shell_script(o.argv) is not None:
        commands = commands[1:]
    return [p for p in map(program, commands) if p]


def needs_shell(o: Override) -> bool:
    first = program(o.argv)
    return first in SHELLS or first.endswith((".sh", ".bash"))


def runs_build_tool(o: Override) -> str | None:
    """The build tool or package manager run the override starts, itself or inside its shell string
    (`sh -c "pipenv run alembic upgrade head && pipenv run python bot.py"`)."""
    for argv in _simple_commands(o.argv):
        first = program(argv)
        if first in BUILD_TOOLS:
            return first
        if first in MANAGERS and len(argv) > 1 and argv[1] in ("run", "dev", "start", "serve", "exec", "test"):
            return first
    return None


def _simple_commands(argv: list[str]) -> list[list[str]]:
    """The override itself, then each command of the string a shell runs (`sh -c "a && b"`)."""
    from msbrewrite.model.shell import shell_script, split_commands
    out = [argv]
    script = shell_script(argv)
    if script is not None:
        out += [c.argv for c in split_commands(script) if c.argv]
    return out
