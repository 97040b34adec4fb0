"""Python install commands and dependency lists: what a build installs, read without running it.

`pip install ...`, `python -m pip install`, poetry/pipenv/uv/pdm installs and `setup.py install`
are recognised as installers; requirement names come from the command line, requirements
files, pyproject.toml (PEP 621 and poetry) and Pipfile.
"""
from __future__ import annotations

import posixpath
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


def install_packages(args: list[str], python: tuple[int, int] | None = None, alpine: bool = False) -> list[str]:
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
            out += with_source_twin(norm(m.group(1)), spec[m.end():], python, alpine)
    return out


# `-binary` distributions that also publish a source release: a pin whose release has no wheel for
# the image's Python makes pip build that release from source, linked to the system library the
# source twin needs (psycopg2-binary==2.9.4 on Python 3.11 links libpq.so.5); a wheel bundles it
_SOURCE_TWINS = {"psycopg2-binary": "psycopg2"}
# psycopg2-binary releases (each row up to the next) -> the oldest and newest CPython 3.x minor
# with a Linux x86_64 wheel, and the first release with musllinux (Alpine) wheels (read from PyPI)
_WHEELS = {"psycopg2-binary": ((((2, 7), 3, 6), ((2, 7, 5), 4, 7), ((2, 8, 4), 4, 8), ((2, 8, 5), 5, 8),
                               ((2, 8, 6), 5, 9), ((2, 9), 6, 9), ((2, 9, 1), 6, 10), ((2, 9, 5), 6, 11),
                               ((2, 9, 6), 7, 11), ((2, 9, 9), 7, 12), ((2, 9, 10), 8, 13), ((2, 9, 11), 9, 14),
                               ((2, 9, 13), 10, 15)), (2, 9, 3))}
_PIN_RE = lazy_re.compile(r"==|~=|<")
_EXACT_RE = lazy_re.compile(r"^\s*===?\s*(\d+(?:\.\d+)*)\s*(?:[;#,]|$)")


def with_source_twin(name: str, spec: str, python: tuple[int, int] | None = None, alpine: bool = False) -> list[str]:
    """[name], plus its source twin when `spec` pins a release (`==2.9.4`, `<2.9`, `~=2.8.0`) that
    may have no wheel for `python` (the image's CPython, when its tag says)."""
    twin = _SOURCE_TWINS.get(name)
    if not twin or not _PIN_RE.search(spec):
        return [name]
    exact = _EXACT_RE.match(spec)
    if exact and python and has_wheel(name, tuple(int(p) for p in exact.group(1).split(".")), python, alpine):
        return [name]
    return [name, twin]


def has_wheel(name: str, release: tuple[int, ...], python: tuple[int, int], alpine: bool) -> bool:
    """Whether `name`'s `release` published a Linux x86_64 wheel for CPython `python`."""
    rows, musl_since = _WHEELS[name]
    if python[0] != 3 or release < rows[0][0] or (alpine and release < musl_since):
        return False
    oldest, newest = next((lo, hi) for first, lo, hi in reversed(rows) if release >= first)
    return oldest <= python[1] <= newest


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


def requirement_names(text: str | None, python: tuple[int, int] | None = None, alpine: bool = False) -> set[str]:
    out = set()
    for line in (text or "").splitlines():
        line = line.split("#")[0].strip()
        if not line or line.startswith("-"):
            continue
        m = _REQ_RE.match(line)
        if m and not (m.group(2) and "binary" in m.group(2)):
            out.update(with_source_twin(norm(m.group(1)), line[m.end():], python, alpine))
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


def _with_included(ctx, rel: str, depth: int = 0) -> list[str]:
    """A requirements file's text and the texts of the files it includes (`-r base.txt`), in order."""
    text = ctx.read(rel)
    if text is None or depth > 5:
        return []
    out = [text]
    for m in re.finditer(r"(?m)^[ \t]*(?:-r|--requirement)[ \t=]+(\S+)", text):
        out += _with_included(ctx, posixpath.normpath(posixpath.join(posixpath.dirname(rel), m.group(1))), depth + 1)
    return out


def image_python(facts: StageFacts) -> tuple[int, int] | None:
    """The CPython minor version a python:* image's tag names (`3.11-slim` -> (3, 11)), or None."""
    m = re.match(r"(\d+)\.(\d+)", facts.image_tag or "") if facts.image_name == "python" else None
    return (int(m.group(1)), int(m.group(2))) if m else None


def dependency_names(facts: StageFacts) -> set[str]:
    """Distribution names the build installs (requirements files, pyproject, Pipfile, pip args)."""
    ctx = facts.context
    names: set[str] = set()
    python, alpine = image_python(facts), facts.is_alpine
    named = False       # the build names what pip installs: packages, or requirements files
    for c in facts.commands():
        if is_pip_install(c):
            args = install_args(c)
            direct = install_packages(args, python, alpine)
            names |= set(direct)
            named |= bool(direct)
            for i, word in enumerate(args):
                if word in ("-r", "--requirement") and i + 1 < len(args):
                    named = True
                    rel = facts.context_path(resolve(args[i + 1], c.cwd))
                    for text in _with_included(ctx, rel if rel is not None else args[i + 1]):
                        names |= requirement_names(text, python, alpine)
    if not named:
        # `pip install .`, a tool's lockfile or no install seen: the requirements files say what the app uses
        for f in ctx.glob("requirements*.txt") + ctx.glob("requirements/*.txt"):
            names |= requirement_names(ctx.read(f), python, alpine)
    names |= pyproject_names(ctx.read("pyproject.toml"))
    names |= pipfile_names(ctx.read("Pipfile"))
    return names
