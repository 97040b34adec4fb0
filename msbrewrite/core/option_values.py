"""Option values that reach generated lines: checked once, before anything is written.

`mirror`, `user`, `extra-paths` and digest keys come from the command line or a configuration
file and end up in FROM, USER and COPY lines. A newline in one of them would add instructions to
the output; `../../etc/shadow` would copy a file from outside the app. Such values are usage
errors (exit 2), never quoted into the output.
"""
from __future__ import annotations

import posixpath

from msbrewrite.model.quoting import has_control
from msbrewrite.support import lazy_re

_USER_RE = lazy_re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*(?::[A-Za-z0-9_][A-Za-z0-9_.-]*)?")
# Docker's image reference grammar: a registry host (letters of any case, an optional numeric port)
# is told apart from a repository path by a dot, a port or the name localhost; paths are lower case
_DOMAIN_PART = r"(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])"
_REGISTRY_RE = lazy_re.compile(rf"{_DOMAIN_PART}(?:\.{_DOMAIN_PART})*(?::[0-9]+)?")
_PATH_PART_RE = lazy_re.compile(r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*")
_IMAGE_RE = lazy_re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/@-]*")


def user_problem(value: str) -> str | None:
    if not _USER_RE.fullmatch(value):
        return "must be a user name or uid, optionally :group (letters, digits, '_', '.', '-')"
    return None


def mirror_problem(value: str) -> str | None:
    """Why `value` + "/node:20" would not be an image reference Docker accepts, if it would not."""
    parts = value[:-1].split("/") if value.endswith("/") else value.split("/")
    first, path = parts[0], parts[1:]
    if "." in first or ":" in first or first == "localhost":
        if not _REGISTRY_RE.fullmatch(first):
            return (f"{first!r} is not a registry host[:port] (a port is digits): "
                    "write a prefix such as registry.example.com/hub")
    else:
        path = parts
    bad = next((p for p in path if not _PATH_PART_RE.fullmatch(p)), None)
    if bad is not None:
        return (f"{bad!r} is not a repository path part (lower-case letters, digits and . _ - between them): "
                "write a prefix such as registry.example.com/hub")
    return None


def extra_path_problem(value: str) -> str | None:
    if not value or has_control(value):
        return "must be a non-empty path without control characters"
    if value.startswith("/") or ".." in posixpath.normpath(value).split("/"):
        return f"{value!r} leaves the working directory: extra paths are relative to WORKDIR, without '..'"
    if any(ch in value for ch in "$*?[\\") or value.startswith("~"):
        # COPY would expand these: ${HOME} becomes an absolute path, a glob reaches past the check
        return (f"{value!r}: extra paths are plain relative paths, without variables ($), globs (* ? [), "
                "backslashes or ~")
    return None


def image_problem(value: str) -> str | None:
    if not _IMAGE_RE.fullmatch(value):
        return f"{value!r} is not an image name"
    return None


# how each parameter is spelled on the command line
_SPELLING = {"path": "PATH", "paths": "PATHS", "roots": "ROOTS", "context": "--context", "output": "--output",
             "language": "--language", "dockerignore": "--dockerignore", "patch": "--patch", "include": "--include",
             "exclude": "--exclude", "user": "--user", "runtime": "--runtime", "fmt": "--format"}


def empty_value_problem(values: dict) -> str | None:
    """The first empty value among command-line parameters (name -> value or list of values)."""
    for name, value in values.items():
        for one in value if isinstance(value, (list, tuple)) else [value]:
            if one == "":
                spelled = _SPELLING.get(name, name)
                if spelled.isupper():
                    return f"empty {spelled} argument: name a file or directory ('-' for standard input where allowed)"
                return f"{spelled}: empty value (leave the option out to get its default)"
    return None


def problems(options) -> list[str]:
    """One message per bad value of an Options, naming the option."""
    out = []
    if options.user is not None and (why := user_problem(options.user)):
        out.append(f"user {options.user!r}: {why}")
    if options.mirror is not None and (why := mirror_problem(options.mirror)):
        out.append(f"mirror {options.mirror!r}: {why}")
    for path in options.extra_paths:
        if why := extra_path_problem(path):
            out.append(f"extra-paths: {why}")
    for image in options.digests:
        if why := image_problem(image):
            out.append(f"digests: {why}")
    return out
