"""Python's dependency layer: requirements files, a PEP 621 project, Poetry, uv and Pipenv.

Two shapes. When the install RUN installs only locked or listed dependencies (`pip install -r`,
`pipenv install --deploy`, `poetry install --no-root`), it moves above the source copy. When it
also installs the project itself (`poetry install`, `uv sync`, `pip install .`), a dependency-only
form of it goes above the copy (`--no-root`, `--no-install-project`, the static requirement
strings) and the user's install stays after the copy, where it now only adds the project.
"""
from __future__ import annotations

import posixpath
import re

from msbrewrite.model.analysis import CopyStep
from msbrewrite.languages.python.installs import BOOTSTRAP, TOOLS
from msbrewrite.languages.python.deps import install_args, install_packages, norm
from msbrewrite.model.shell import Command, resolve
from msbrewrite.optimize.cache_mounts import Mounts, tool_of
from msbrewrite.optimize.deps_common import Skip, check_between, emit, locate, move_install, read_toml, usable
from msbrewrite.optimize.edits import SEP, Builder, RunStep, command_spans, shell_form, words
from msbrewrite.optimize.manifests import present_before

_MANIFESTS = {"requirements.txt", "constraints.txt", "pyproject.toml", "poetry.lock", "poetry.toml", "uv.lock",
              "uv.toml", ".python-version", "Pipfile", "Pipfile.lock"}
_PIP_VALUE_FLAGS = {"-r", "--requirement", "-c", "--constraint", "-i", "--index-url", "--extra-index-url",
                    "-f", "--find-links", "--trusted-host", "-t", "--target", "--prefix", "--root", "--platform",
                    "--python-version", "--implementation", "--abi", "--progress-bar", "--src"}
# options of `poetry install` a dependency-only install keeps (with a value / without one)
_POETRY_VALUE = {"--only", "--with", "--without", "-E", "--extras", "-C", "--directory", "-P", "--project"}
_POETRY_FLAGS = {"--no-dev", "--all-extras", "--all-groups", "--sync", "--no-root", "--compile", "-n",
                 "--no-interaction", "--no-ansi", "--ansi", "-q", "--quiet", "-v", "-vv", "-vvv", "--verbose"}
_UV_VALUE = {"--extra", "--group", "--only-group", "--no-group", "--python", "-p", "--index-url", "--extra-index-url",
             "--index", "--default-index", "--no-binary-package", "--no-build-package"}
_UV_FLAGS = {"--frozen", "--locked", "--no-dev", "--dev", "--only-dev", "--all-extras", "--all-groups", "--no-default-groups",
             "--no-install-project", "--inexact", "--exact", "--compile-bytecode", "--no-cache", "-q", "--quiet",
             "-v", "--verbose", "--no-editable", "--no-progress", "--offline", "--no-binary", "--no-build"}
_PIPENV_FLAGS = {"--system", "--deploy", "--ignore-pipfile", "--dev", "-d", "--verbose", "-v", "--quiet", "-q",
                 "--clear"}


def python_layer(builder: Builder, mounts: Mounts) -> None:
    found = locate(builder, _installs_dependencies, _MANIFESTS)
    if found is None:
        return
    run, cmd = found[2], found[3]
    if any(_pip_install(c) and _requirement_files(c)[0] for c in run.step.commands):
        _requirements(builder, found)
    elif _pip_install(cmd):
        _pep621(builder, found)
    elif cmd.program == "poetry":
        _poetry(builder, found)
    elif cmd.program == "uv":
        _uv(builder, found)
    else:
        _pipenv(builder, found)


def _installs_dependencies(c: Command) -> bool:
    sub = c.argv[1] if len(c.argv) > 1 else ""
    if _pip_install(c):
        return bool(_requirement_files(c)[0]) or _local_project(c) is not None
    return ((c.program == "poetry" and sub in ("install", "sync")) or (c.program == "uv" and sub == "sync")
            or (c.program == "pipenv" and sub in ("install", "sync")))


def _pip_install(c: Command) -> bool:
    return tool_of(c) == "pip"


# -- shared ----------------------------------------------------------------------------------

def _setup_only(c: Command) -> bool:
    """A command that installs or configures a packaging tool and reads no source."""
    sub = c.argv[1] if len(c.argv) > 1 else ""
    if _pip_install(c):
        args = install_args(c)
        pkgs = install_packages(args)
        return bool(pkgs) and set(pkgs) <= TOOLS | BOOTSTRAP and not _requirement_files(c)[0] \
            and _local_project(c) is None
    return ((c.program in ("poetry", "pip", "pip3") and sub == "config") or (c.program == "poetry" and sub == "self")
            or (c.program == "pipx" and sub == "install") or c.program in ("set", "export", "true"))


def _dependency_line(builder: Builder, source: CopyStep, run: RunStep, cmd: Command, pattern: str, rewrite) -> str:
    """The install RUN cut after the install `cmd` (written as `pattern`), which `rewrite` turns into
    its dependency-only form; the tool set-up before it in the same RUN comes along."""
    if not shell_form(run.ins):
        raise Skip(f"line {run.ins.lineno} is an exec-form RUN")
    before = run.step.commands[:run.step.commands.index(cmd)]
    odd = next((c for c in before if not _setup_only(c)), None)
    if odd is not None:
        raise Skip(f"line {run.ins.lineno} runs `{' '.join(odd.argv[:2])}` before the install (it may need the sources)")
    check_between(builder, source, run)
    text = builder.text(run.ins)
    spans = command_spans(text, pattern)
    if not spans:
        raise Skip(f"the install on line {run.ins.lineno} cannot be repeated")
    # the same tool may run before the install (`pip install poetry && pip install .`): skip those
    same = sum(1 for c in before if (_pip_install(c) and _pip_install(cmd))
               or (c.program == cmd.program and c.argv[1:2] == cmd.argv[1:2]))
    if same >= len(spans):
        raise Skip(f"the install on line {run.ins.lineno} cannot be repeated")
    start, end = spans[same]
    return text[:start] + rewrite(text[start:end].rstrip())


def _with_option(segment: str, option: str) -> str:
    return f"{segment} {option}"


def _check_options(argv: list[str], values: set[str], flags: set[str], tool: str) -> None:
    i = 0
    while i < len(argv):
        w = argv[i]
        name = w.split("=", 1)[0]
        if name in values:
            i += 1 if "=" in w else 2
            continue
        if w in flags:
            i += 1
            continue
        raise Skip(f"`{tool} {w}` is an option msb does not know to keep for a dependency-only install")


def _present_or_named(builder: Builder, source, workdir: str, name: str, implied: bool = False) -> bool:
    """The manifest exists in the context, or (without one) the original names it: an earlier COPY
    puts it there, or the command cannot run without it (`implied`: pyproject.toml for Poetry and uv)."""
    facts = builder.facts
    if facts.context:
        return usable(builder, facts.context_path(posixpath.join(workdir, name)))
    return implied or present_before(facts, source.ins.index, posixpath.join(workdir, name)) is not None


def _pyproject(builder: Builder, workdir: str) -> dict:
    return read_toml(builder, workdir, "pyproject.toml", "the install runs")[1]


def _table(data: dict, *keys: str) -> dict:
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data if isinstance(data, dict) else {}


def _readme(builder: Builder, data: dict, workdir: str) -> list[str]:
    """The readme the project names, copied with the manifests (some tools read it to load the project)."""
    readme = _table(data, "tool", "poetry").get("readme") or _table(data, "project").get("readme")
    if isinstance(readme, dict):
        readme = readme.get("file")
    if not isinstance(readme, str) or "/" in readme:
        return []
    rel = builder.facts.context_path(posixpath.join(workdir, readme))
    return [rel] if usable(builder, rel) else []


def _optional(builder: Builder, workdir: str, names: tuple[str, ...]) -> list[str]:
    facts = builder.facts
    if not facts.context:
        return []
    rels = [facts.context_path(posixpath.join(workdir, n)) for n in names]
    return [r for r in rels if usable(builder, r)]


# -- requirements files ----------------------------------------------------------------------

def _requirement_files(c: Command) -> tuple[list[str], list[str]]:
    """(requirement and constraint files, reasons the install needs the sources)."""
    argv = c.argv[c.argv.index("install") + 1:]
    files, needs, i = [], [], 0
    while i < len(argv):
        w = argv[i]
        name, eq, value = w.partition("=")
        if w in _PIP_VALUE_FLAGS or (eq and name in _PIP_VALUE_FLAGS):
            if not eq:
                i += 1
                value = argv[i] if i < len(argv) else ""
            if name in ("-r", "--requirement", "-c", "--constraint"):
                files.append(value)
            elif name in ("-f", "--find-links") and not value.startswith(("http://", "https://")):
                needs.append(f"--find-links {value}")
        elif re.match(r"-[rc]\S", w):
            files.append(w[2:])
        elif w in ("-e", "--editable") or w.startswith("--editable="):
            needs.append("an editable install")
        elif not w.startswith("-") and (w.startswith((".", "/")) or "/" in w or w.startswith("file:")):
            needs.append(f"pip install {w}")
        i += 1
    return files, needs


def _requirements(builder: Builder, found) -> None:
    source, step, run, cmd = found
    facts = builder.facts
    found_files: dict[str, str] = {}      # context path -> builder path
    for c in run.step.commands:
        if not _pip_install(c):
            continue
        reqs, needs = _requirement_files(c)
        if needs:
            raise Skip(f"the install needs the sources ({needs[0]})")
        for req in reqs:
            found_files.update(_requirement_tree(builder, posixpath.normpath(posixpath.join(c.cwd, req))))
    folders = {rel: posixpath.relpath(posixpath.dirname(path), cmd.cwd) for rel, path in found_files.items()}
    if any(f.startswith("..") for f in folders.values()):
        raise Skip("a requirements file lies outside the install's directory")
    folders = {rel: "" if f == "." else f for rel, f in folders.items()}
    moved = move_install(builder, source, run, _pip_install)
    note = "" if facts.context else " (without the context, the requirements files are assumed to name no local path)"
    emit(builder, source, list(found_files), moved, f"line {run.ins.lineno}'s pip install{note}", folders)


def _requirement_tree(builder: Builder, builder_path: str, depth: int = 0) -> dict[str, str]:
    """Context path -> builder path of a requirements file and the files it includes."""
    facts = builder.facts
    rel = facts.context_path(builder_path)
    if rel is None:
        raise Skip(f"{posixpath.basename(builder_path)} does not come from the context")
    if not facts.context:
        return {rel: builder_path}
    if not usable(builder, rel):
        raise Skip(f"{rel} is not in the context")
    out = {rel: builder_path}
    for line in (facts.context.read(rel) or "").splitlines():
        line = line.split(" #", 1)[0].strip()
        m = re.match(r"(-r|--requirement|-c|--constraint)[=\s]*(\S+)", line)
        if m and depth < 5:
            out.update(_requirement_tree(builder, posixpath.normpath(
                posixpath.join(posixpath.dirname(builder_path), m.group(2))), depth + 1))
        elif re.match(r"(-e|--editable)\b", line) or line.startswith((".", "/", "file:")) or " @ file:" in line:
            raise Skip(f"{rel} installs a local path, which needs the sources")
    return out


# -- pip install . of a PEP 621 project ------------------------------------------------------

_LOCAL_RE = re.compile(r"(\.{1,2}(?:/[^\s\[]*)?|/[^\s\[]*)(\[[\w,.\s-]*\])?")


def _local_project(c: Command) -> tuple[str, str, list[str]] | None:
    """(the word, the project's builder path, its extras) of a `pip install DIR[extras]`."""
    argv = install_args(c)
    skip = False
    for w in argv:
        if skip:
            skip = False
            continue
        if w in _PIP_VALUE_FLAGS or w in ("-e", "--editable"):
            skip = w not in ("-e", "--editable")
            continue
        if w.startswith("-"):
            continue
        m = _LOCAL_RE.fullmatch(w)
        if m:
            extras = [e.strip() for e in (m.group(2) or "[]")[1:-1].split(",") if e.strip()]
            return w, resolve(m.group(1), c.cwd), extras
    return None


def _quoted(requirement: str) -> str:
    """One shell word: `"flask>=3"` (a bare `>` would redirect)."""
    if not re.search(r'["$`\\!]', requirement):
        return f'"{requirement}"'
    return "'" + requirement.replace("'", "'\"'\"'") + "'"


def _pep621(builder: Builder, found) -> None:
    source, step, run, cmd = found
    facts = builder.facts
    if not facts.context:
        raise Skip("without the build context, the project's dependencies are unknown (pip install of the project)")
    word, path, extras = _local_project(cmd)
    if any(_local_project(c) for c in run.step.commands if c is not cmd and _pip_install(c)):
        raise Skip(f"line {run.ins.lineno} installs more than one local project")
    if "--no-deps" in cmd.argv:
        raise Skip("the install of the project uses --no-deps")
    data = _pyproject(builder, path)
    project = _table(data, "project")
    if not project:
        raise Skip("pyproject.toml has no [project] table (its dependencies are not declared statically)")
    dynamic = project.get("dynamic") if isinstance(project.get("dynamic"), list) else []
    if "dependencies" in dynamic or (extras and "optional-dependencies" in dynamic):
        raise Skip("the project's dependencies are dynamic (computed by the build backend)")
    reqs = list(project.get("dependencies") or [])
    optional = _table(project, "optional-dependencies")
    for extra in extras:
        if extra not in optional:
            raise Skip(f"the extra {extra!r} is not declared in [project.optional-dependencies]")
        reqs += list(optional[extra] or [])
    if not all(isinstance(r, str) for r in reqs):
        raise Skip("[project].dependencies is not a list of requirement strings")
    own = norm(str(project.get("name", "")))
    for r in reqs:
        m = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", r)
        if m is None or norm(m.group(1)) == own:
            raise Skip(f"the requirement {r!r} is not a plain requirement on another project")
        if re.search(r"@\s*(file:|\.|/)", r):
            raise Skip(f"the requirement {r!r} is a local path, which needs the sources")
    reqs = list(dict.fromkeys(r.strip() for r in reqs))
    if not reqs:
        raise Skip("the project declares no dependencies: nothing to install first")

    def rewrite(segment: str) -> str:
        parts = re.split(r"((?:[ \t]|\\\r?\n)+)", segment)
        out, dropped = [], False
        for part in parts:
            if part == word and not dropped:
                out.append(" ".join(_quoted(r) for r in reqs))
                dropped = True
            else:
                out.append(part)
        text = "".join(out)
        return re.sub(SEP + r"(?:-e|--editable)(?=" + SEP + ")", "", text)

    if word not in words(builder.text(run.ins)):
        raise Skip(f"the project argument {word!r} is written differently on line {run.ins.lineno}")
    pattern = r"(?:pip3?(?:\.\d+)?|python3?(?:\.\d+)?" + SEP + "-m" + SEP + "pip)" + SEP + "install"
    line = _dependency_line(builder, source, run, cmd, pattern, rewrite)
    emit(builder, source, [], [line], f"the {len(reqs)} requirement(s) of [project].dependencies"
         f"{' and its extras ' + ', '.join(extras) if extras else ''} installed; line {run.ins.lineno}'s "
         f"`pip install {word}` still installs the project after the copy, and any dependency added to "
         "pyproject.toml since this conversion", copied="the requirement list written into the RUN line")


# -- Poetry ----------------------------------------------------------------------------------

def _poetry(builder: Builder, found) -> None:
    source, step, run, cmd = found
    facts = builder.facts
    workdir = cmd.cwd
    argv = cmd.argv[2:]
    _check_options(argv, _POETRY_VALUE, _POETRY_FLAGS | {"--only-root"}, "poetry install")
    if "--only-root" in argv:
        raise Skip("`poetry install --only-root` installs only the project")
    if any(w.split("=", 1)[0] in ("-C", "--directory", "-P", "--project") for w in argv):
        raise Skip("the Poetry command names another project directory")
    for name in ("pyproject.toml", "poetry.lock"):
        if not _present_or_named(builder, source, workdir, name, implied=name == "pyproject.toml"):
            raise Skip(f"no {name} in the context" if facts.context else
                       f"without the build context, {name} is unknown (the original does not copy it by name)")
    files = [facts.context_path(posixpath.join(workdir, n)) for n in ("pyproject.toml", "poetry.lock")]
    if facts.context:
        data = _pyproject(builder, workdir)
        _no_local_poetry_paths(data)
        files += _optional(builder, workdir, ("poetry.toml",)) + _readme(builder, data, workdir)
    lock_only = "--no-root" in argv
    if lock_only:
        moved = move_install(builder, source, run, lambda c: _setup_only(c) or (
            c.program == "poetry" and len(c.argv) > 1 and c.argv[1] in ("install", "sync") and "--no-root" in c.argv))
        emit(builder, source, files, moved, f"line {run.ins.lineno}'s poetry install --no-root")
        return
    line = _dependency_line(builder, source, run, cmd, r"poetry" + SEP + r"(?:install|sync)",
                            lambda s: _with_option(s, "--no-root"))
    emit(builder, source, files, [line], f"`poetry {cmd.argv[1]} --no-root` with line {run.ins.lineno}'s options; "
         f"line {run.ins.lineno}'s own install still installs the project after the copy")


def _no_local_poetry_paths(data: dict) -> None:
    poetry = _table(data, "tool", "poetry")
    tables = [_table(poetry, "dependencies"), _table(poetry, "dev-dependencies")]
    tables += [_table(group, "dependencies") for group in _table(poetry, "group").values() if isinstance(group, dict)]
    for table in tables:
        for name, spec in table.items():
            if isinstance(spec, dict) and "path" in spec:
                raise Skip(f"the dependency {name} is a local path, which needs the sources")
    for r in _table(data, "project").get("dependencies") or []:
        if isinstance(r, str) and re.search(r"@\s*(file:|\.|/)", r):
            raise Skip(f"the requirement {r!r} is a local path, which needs the sources")


# -- uv --------------------------------------------------------------------------------------

def _uv(builder: Builder, found) -> None:
    source, step, run, cmd = found
    facts = builder.facts
    workdir = cmd.cwd
    argv = cmd.argv[2:]
    if any(w.split("=", 1)[0] in ("--package", "--all-packages", "--project", "--directory") for w in argv):
        raise Skip("the uv command names a workspace member or another project directory")
    _check_options(argv, _UV_VALUE, _UV_FLAGS, "uv sync")
    locked = "--frozen" in argv or "--locked" in argv
    if not _present_or_named(builder, source, workdir, "pyproject.toml", implied=True):
        raise Skip("no pyproject.toml in the context")
    if facts.context and not _present_or_named(builder, source, workdir, "uv.lock"):
        raise Skip("no uv.lock in the context: a dependency-only sync would resolve the versions again")
    if not facts.context and not locked and not _present_or_named(builder, source, workdir, "uv.lock"):
        raise Skip("without the build context, uv.lock is unknown (the sync names neither --frozen nor --locked)")
    files = [facts.context_path(posixpath.join(workdir, n)) for n in ("pyproject.toml", "uv.lock")]
    if facts.context:
        data = _pyproject(builder, workdir)
        if _table(data, "tool", "uv", "workspace"):
            raise Skip("a uv workspace needs every member's pyproject.toml")
        for name, spec in _table(data, "tool", "uv", "sources").items():
            if isinstance(spec, dict) and ("path" in spec or spec.get("workspace")):
                raise Skip(f"the dependency {name} is a local path, which needs the sources")
        files += _optional(builder, workdir, (".python-version", "uv.toml"))
    if "--no-install-project" in argv:
        moved = move_install(builder, source, run, lambda c: _setup_only(c) or (
            c.program == "uv" and c.argv[1:2] == ["sync"] and "--no-install-project" in c.argv))
        emit(builder, source, files, moved, f"line {run.ins.lineno}'s uv sync --no-install-project")
        return

    def rewrite(segment: str) -> str:
        return _with_option(segment, "--no-install-project" if locked else "--frozen --no-install-project")

    line = _dependency_line(builder, source, run, cmd, r"uv" + SEP + "sync", rewrite)
    emit(builder, source, files, [line], f"`uv sync{'' if locked else ' --frozen'} --no-install-project` with line "
         f"{run.ins.lineno}'s options; line {run.ins.lineno}'s own sync still installs the project after the copy")


# -- Pipenv ----------------------------------------------------------------------------------

def _pipenv_lock_install(c: Command) -> bool:
    """`pipenv install --system --deploy`, `pipenv sync`: only what Pipfile.lock pins."""
    if c.program != "pipenv" or len(c.argv) < 2 or c.argv[1] not in ("install", "sync"):
        return False
    args = c.argv[2:]
    return all(w in _PIPENV_FLAGS for w in args) and (c.argv[1] == "sync" or "--deploy" in args
                                                      or "--ignore-pipfile" in args)


def _pipenv(builder: Builder, found) -> None:
    source, step, run, cmd = found
    facts = builder.facts
    workdir = cmd.cwd
    if not _pipenv_lock_install(cmd):
        raise Skip("the pipenv install may resolve or add packages (only `pipenv sync` or `pipenv install "
                   "--deploy`/`--ignore-pipfile` install just the lock)")
    if facts.context:
        for name in ("Pipfile", "Pipfile.lock"):
            if not _present_or_named(builder, source, workdir, name):
                raise Skip(f"no {name} in the context")
        pipfile = facts.context.read(facts.context_path(posixpath.join(workdir, "Pipfile"))) or ""
        if re.search(r"\b(path|editable)\s*=", pipfile):
            raise Skip("the Pipfile installs a local path, which needs the sources")
    elif not (cmd.argv[1] == "sync" or "--ignore-pipfile" in cmd.argv
              or _present_or_named(builder, source, workdir, "Pipfile.lock")):
        # Pipfile is implied by any pipenv install; the lock only by the commands that read it alone
        raise Skip("without the build context, Pipfile.lock is unknown")
    files = [facts.context_path(posixpath.join(workdir, n)) for n in ("Pipfile", "Pipfile.lock")]
    moved = move_install(builder, source, run, lambda c: _setup_only(c) or _pipenv_lock_install(c))
    emit(builder, source, files, moved, f"line {run.ins.lineno}'s pipenv install of the lock")
