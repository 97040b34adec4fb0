"""Python install commands and dependency lists: what a build installs, read without running it.

`pip install ...`, `python -m pip install`, poetry/pipenv/uv/pdm installs and `setup.py install`
are recognised as installers; requirement names come from the command line, requirements
files, pyproject.toml (PEP 621 and poetry) and Pipfile.
"""
from __future__ import annotations

import re

from msbrewrite.model.analysis import StageFacts
from msbrewrite.model.shell import Command, resolve
from msbrewrite.languages.common import load_toml
from msbrewrite.support import lazy_re

_REQ_RE = lazy_re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?")
_INSTALL_VALUE_OPTS = {"-r", "--requirement", "-c", "--constraint", "-e", "--editable", "-t", "--target",
                       "--prefix", "--root", "-i", "--index-url", "--extra-index-url", "-f", "--find-links",
                       "--trusted-host", "--cache-dir", "--src", "--python", "--platform", "--python-version",
                       "--implementation", "--abi", "--progress-bar", "--timeout", "--retries", "--proxy",
                       "--upgrade-strategy", "--global-option", "--config-settings", "-C", "--only-binary",
                       "--no-binary", "--log", "--report"}


def norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def is_pip_install(c: Command) -> bool:
    argv = c.argv
    if re.fullmatch(r"pip3?(\.\d+)?", c.program) and argv[1:2] == ["install"]:
        return True
    return bool(re.fullmatch(r"python3?(\.\d+)?", c.program) and argv[1:4] == ["-m", "pip", "install"])


def install_args(c: Command) -> list[str]:
    argv = c.argv
    start = 2 if argv[1:2] == ["install"] else 4
    return argv[start:]


def install_packages(args: list[str]) -> list[str]:
    """Requirement names a pip command line installs directly (no -r files)."""
    out, skip = [], False
    for word in args:
        if skip:
            skip = False
            continue
        if word.startswith("-"):
            skip = "=" not in word and word in _INSTALL_VALUE_OPTS
            continue
        spec = word.strip("'\"")
        m = _REQ_RE.match(spec)
        if m and not word.startswith((".", "/")) and "://" not in word:
            out += with_source_twin(norm(m.group(1)), spec[m.end():])
    return out


# `-binary` distributions that also publish a source release: a pin from before the image's Python
# has no wheel for it, so pip builds that release from source, linked to the system library the
# source twin needs (psycopg2-binary==2.9.4 on Python 3.11 links libpq.so.5)
_SOURCE_TWINS = {"psycopg2-binary": "psycopg2"}
_PIN_RE = lazy_re.compile(r"==|~=|<")


def with_source_twin(name: str, spec: str) -> list[str]:
    """[name], plus its source twin when `spec` pins a release (`==2.9.4`, `<2.9`, `~=2.8.0`)."""
    twin = _SOURCE_TWINS.get(name)
    return [name, twin] if twin and _PIN_RE.search(spec) else [name]


def is_installer(c: Command) -> bool:
    argv = c.argv
    sub = argv[1] if len(argv) > 1 else ""
    return (is_pip_install(c)
            or (c.program == "poetry" and sub in ("install", "sync"))
            or (c.program == "pipenv" and sub in ("install", "sync"))
            or (c.program == "uv" and (sub == "sync" or argv[1:3] in (["pip", "install"], ["pip", "sync"])))
            or (c.program == "pdm" and sub in ("install", "sync"))
            or (re.fullmatch(r"python3?(\.\d+)?", c.program) is not None and "setup.py" in argv[1:2]
                and any(w in ("install", "develop") for w in argv[2:])))


def requirement_names(text: str | None) -> set[str]:
    out = set()
    for line in (text or "").splitlines():
        line = line.split("#")[0].strip()
        if not line or line.startswith("-"):
            continue
        m = _REQ_RE.match(line)
        if m and not (m.group(2) and "binary" in m.group(2)):
            out.update(with_source_twin(norm(m.group(1)), line[m.end():]))
    return out


def pyproject_names(text: str | None) -> set[str]:
    data = load_toml(text)
    out: set[str] = set()
    deps = _table(_table(data, "project"), "dependencies")
    for dep in deps if isinstance(deps, list) else []:
        if isinstance(dep, str):
            out |= requirement_names(dep)
    poetry = _table(_table(data, "tool"), "poetry")
    for key in _table(poetry, "dependencies") or {}:
        out.add(norm(key))
    return out - {"python"}


def _table(data, key: str):
    """data[key] when data is a table; {} otherwise (`tool = 5` is valid TOML, not a table)."""
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, (dict, list)) else {}


def pipfile_names(text: str | None) -> set[str]:
    return {norm(k) for k in _table(load_toml(text), "packages") if isinstance(k, str)}


def dependency_names(facts: StageFacts) -> set[str]:
    """Distribution names the build installs (requirements files, pyproject, Pipfile, pip args)."""
    ctx = facts.context
    names: set[str] = set()
    for c in facts.commands():
        if is_pip_install(c):
            args = install_args(c)
            names |= set(install_packages(args))
            for i, word in enumerate(args):
                if word in ("-r", "--requirement") and i + 1 < len(args):
                    rel = facts.context_path(resolve(args[i + 1], c.cwd))
                    names |= requirement_names(ctx.read(rel) if rel else ctx.read(args[i + 1]))
    for f in ctx.glob("requirements*.txt") + ctx.glob("requirements/*.txt"):
        names |= requirement_names(ctx.read(f))
    names |= pyproject_names(ctx.read("pyproject.toml"))
    names |= pipfile_names(ctx.read("Pipfile"))
    return names
