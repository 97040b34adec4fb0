"""The dependency layer of Poetry, uv and Pipenv: the manifest and lock first, the project after the copy.

`poetry install --no-root`, `uv sync --no-install-project` and a Pipenv install of the lock move
above the source copy with pyproject.toml and the lock (Pipfile and Pipfile.lock). A Poetry or uv
install that also installs the project gets its dependency-only form above the copy, with the
user's options, and stays after it. Local path dependencies and workspaces need the sources: skipped.
"""
from __future__ import annotations

import posixpath
import re

from msbrewrite.model.shell import Command
from msbrewrite.optimize.deps_common import Skip, emit, move_install
from msbrewrite.optimize.deps_python_commands import check_options, dependency_line, setup_only, with_option
from msbrewrite.optimize.deps_python_manifests import (optional_files, present_or_named, pyproject, readme_files,
                                                       toml_table)
from msbrewrite.optimize.edits import SEP, Builder

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


def poetry_layer(builder: Builder, found) -> None:
    source, step, run, cmd = found
    facts = builder.facts
    workdir = cmd.cwd
    argv = cmd.argv[2:]
    check_options(argv, _POETRY_VALUE, _POETRY_FLAGS | {"--only-root"}, "poetry install")
    if "--only-root" in argv:
        raise Skip("`poetry install --only-root` installs only the project")
    if any(w.split("=", 1)[0] in ("-C", "--directory", "-P", "--project") for w in argv):
        raise Skip("the Poetry command names another project directory")
    for name in ("pyproject.toml", "poetry.lock"):
        if not present_or_named(builder, source, workdir, name, implied=name == "pyproject.toml"):
            raise Skip(f"no {name} in the context" if facts.context else
                       f"without the build context, {name} is unknown (the original does not copy it by name)")
    files = [facts.context_path(posixpath.join(workdir, n)) for n in ("pyproject.toml", "poetry.lock")]
    if facts.context:
        data = pyproject(builder, workdir)
        _no_local_poetry_paths(data)
        files += optional_files(builder, workdir, ("poetry.toml",)) + readme_files(builder, data, workdir)
    lock_only = "--no-root" in argv
    if lock_only:
        moved = move_install(builder, source, run, lambda c: setup_only(c) or (
            c.program == "poetry" and len(c.argv) > 1 and c.argv[1] in ("install", "sync") and "--no-root" in c.argv))
        emit(builder, source, files, moved, f"line {run.ins.lineno}'s poetry install --no-root")
        return
    line = dependency_line(builder, source, run, cmd, r"poetry" + SEP + r"(?:install|sync)",
                            lambda s: with_option(s, "--no-root"))
    emit(builder, source, files, [line], f"`poetry {cmd.argv[1]} --no-root` with line {run.ins.lineno}'s options; "
         f"line {run.ins.lineno}'s own install still installs the project after the copy")


def _no_local_poetry_paths(data: dict) -> None:
    poetry = toml_table(data, "tool", "poetry")
    tables = [toml_table(poetry, "dependencies"), toml_table(poetry, "dev-dependencies")]
    tables += [toml_table(group, "dependencies") for group in toml_table(poetry, "group").values() if isinstance(group, dict)]
    for table in tables:
        for name, spec in table.items():
            if isinstance(spec, dict) and "path" in spec:
                raise Skip(f"the dependency {name} is a local path, which needs the sources")
    for r in toml_table(data, "project").get("dependencies") or []:
        if isinstance(r, str) and re.search(r"@\s*(file:|\.|/)", r):
            raise Skip(f"the requirement {r!r} is a local path, which needs the sources")


def uv_layer(builder: Builder, found) -> None:
    source, step, run, cmd = found
    facts = builder.facts
    workdir = cmd.cwd
    argv = cmd.argv[2:]
    if any(w.split("=", 1)[0] in ("--package", "--all-packages", "--project", "--directory") for w in argv):
        raise Skip("the uv command names a workspace member or another project directory")
    check_options(argv, _UV_VALUE, _UV_FLAGS, "uv sync")
    locked = "--frozen" in argv or "--locked" in argv
    if not present_or_named(builder, source, workdir, "pyproject.toml", implied=True):
        raise Skip("no pyproject.toml in the context")
    if facts.context and not present_or_named(builder, source, workdir, "uv.lock"):
        raise Skip("no uv.lock in the context: a dependency-only sync would resolve the versions again")
    if not facts.context and not locked and not present_or_named(builder, source, workdir, "uv.lock"):
        raise Skip("without the build context, uv.lock is unknown (the sync names neither --frozen nor --locked)")
    files = [facts.context_path(posixpath.join(workdir, n)) for n in ("pyproject.toml", "uv.lock")]
    if facts.context:
        data = pyproject(builder, workdir)
        if toml_table(data, "tool", "uv", "workspace"):
            raise Skip("a uv workspace needs every member's pyproject.toml")
        for name, spec in toml_table(data, "tool", "uv", "sources").items():
            if isinstance(spec, dict) and ("path" in spec or spec.get("workspace")):
                raise Skip(f"the dependency {name} is a local path, which needs the sources")
        files += optional_files(builder, workdir, (".python-version", "uv.toml"))
    if "--no-install-project" in argv:
        moved = move_install(builder, source, run, lambda c: setup_only(c) or (
            c.program == "uv" and c.argv[1:2] == ["sync"] and "--no-install-project" in c.argv))
        emit(builder, source, files, moved, f"line {run.ins.lineno}'s uv sync --no-install-project")
        return

    def rewrite(segment: str) -> str:
        return with_option(segment, "--no-install-project" if locked else "--frozen --no-install-project")

    line = dependency_line(builder, source, run, cmd, r"uv" + SEP + "sync", rewrite)
    emit(builder, source, files, [line], f"`uv sync{'' if locked else ' --frozen'} --no-install-project` with line "
         f"{run.ins.lineno}'s options; line {run.ins.lineno}'s own sync still installs the project after the copy")


def _pipenv_lock_install(c: Command) -> bool:
    """`pipenv install --system --deploy`, `pipenv sync`: only what Pipfile.lock pins."""
    if c.program != "pipenv" or len(c.argv) < 2 or c.argv[1] not in ("install", "sync"):
        return False
    args = c.argv[2:]
    return all(w in _PIPENV_FLAGS for w in args) and (c.argv[1] == "sync" or "--deploy" in args
                                                      or "--ignore-pipfile" in args)


def pipenv_layer(builder: Builder, found) -> None:
    source, step, run, cmd = found
    facts = builder.facts
    workdir = cmd.cwd
    if not _pipenv_lock_install(cmd):
        raise Skip("the pipenv install may resolve or add packages (only `pipenv sync` or `pipenv install "
                   "--deploy`/`--ignore-pipfile` install just the lock)")
    if facts.context:
        for name in ("Pipfile", "Pipfile.lock"):
            if not present_or_named(builder, source, workdir, name):
                raise Skip(f"no {name} in the context")
        pipfile = facts.context.read(facts.context_path(posixpath.join(workdir, "Pipfile"))) or ""
        if re.search(r"\b(path|editable)\s*=", pipfile):
            raise Skip("the Pipfile installs a local path, which needs the sources")
    elif not (cmd.argv[1] == "sync" or "--ignore-pipfile" in cmd.argv
              or present_or_named(builder, source, workdir, "Pipfile.lock")):
        # Pipfile is implied by any pipenv install; the lock only by the commands that read it alone
        raise Skip("without the build context, Pipfile.lock is unknown")
    files = [facts.context_path(posixpath.join(workdir, n)) for n in ("Pipfile", "Pipfile.lock")]
    moved = move_install(builder, source, run, lambda c: setup_only(c) or _pipenv_lock_install(c))
    emit(builder, source, files, moved, f"line {run.ins.lineno}'s pipenv install of the lock")
