"""Finding Dockerfiles under a set of roots.

Names: `Dockerfile`, `Dockerfile.*`, `*.Dockerfile`, `*.dockerfile`, `Containerfile`
(case-insensitive, as the docker CLI also accepts `dockerfile`). Templates and companion files
such as `Dockerfile.j2` or `Dockerfile.dockerignore` are not Dockerfiles. The walk skips VCS and
dependency directories, drops candidates a repository's ignore files exclude (read as data: no git runs), and never
follows a symlink out of its root.
"""
from __future__ import annotations

import fnmatch
import os
from pathlib import Path

from msbrewrite.model.dockerfile_names import is_dockerfile_name
from msbrewrite.support.ignorefiles import GitIgnore, user_global_excludes
from msbrewrite.support.patterns import PatternSet
from msbrewrite.support.records import record
from msbrewrite.support.walk import walk

SKIP_DIRS = frozenset({".git", ".hg", ".svn", "node_modules", "vendor", ".venv", ".tox", "__pycache__"})


@record(frozen=True)
class Found:
    path: Path      # absolute, symlinks resolved
    root: Path      # the root it was found under (for an explicit file: the working directory)
    error: str | None = None    # set when the walk could not read this directory or file


def _matches(rel: str, patterns) -> bool:
    name = rel.rsplit("/", 1)[-1]
    return any(fnmatch.fnmatchcase(rel, p) or fnmatch.fnmatchcase(name, p) for p in patterns)


def discover(roots, include=(), exclude=(), excluded=None) -> list[Found]:
    """Dockerfiles under `roots` (dirs or files), sorted, each once.

    An explicitly named file is always taken, whatever its name. `include` globs, when given,
    replace the naming rules (matching the path relative to its root or the bare name); `exclude`
    patterns (a PatternSet, or strings read as .gitignore lines, see patterns.py) drop files and
    prune directories. `excluded(path)`, when given, drops files and
    prunes directories too, explicit files included (the configuration's `exclude`).
    A directory or file the walk cannot read comes back as a Found with `error` set.
    """
    found: dict[Path, Found] = {}
    excluded = excluded or (lambda path: False)
    if not isinstance(exclude, PatternSet):
        exclude = PatternSet.of(exclude, "--exclude")
    for raw in roots:
        root_arg = Path(raw)
        if os.path.isfile(root_arg):
            path = root_arg.resolve()
            if excluded(path):
                continue
            # an explicit file's context may sit above it (docker/Dockerfile built from the repo root):
            # let it reach up to the working directory
            cwd = Path.cwd().resolve()
            found.setdefault(path, Found(path, cwd if cwd in path.parents else path.parent))
            continue
        if not os.path.isdir(root_arg):
            if os.path.exists(root_arg):
                raise FileNotFoundError(f"{raw}: not a regular file or directory")
            raise FileNotFoundError(f"{raw}: no such file or directory")
        root = root_arg.resolve()
        candidates = []
        unreadable: list[tuple[Path, str]] = []

        def walk_error(exc: OSError) -> None:
            unreadable.append((Path(exc.filename or root), exc.strerror or str(exc)))

        for dirpath, dirnames, filenames in walk(root, onerror=walk_error):   # never enters symlinked dirs
            rel_dir = os.path.relpath(dirpath, root).replace(os.sep, "/")
            rel_dir = "" if rel_dir == "." else rel_dir + "/"
            # both pattern sources are asked (`|`, not `or`): each pattern learns that it matched
            dirnames[:] = sorted(d for d in dirnames
                                 if d not in SKIP_DIRS and not (exclude.matches(rel_dir + d, True)
                                                                | excluded(Path(dirpath, d))))
            if filenames and not os.access(dirpath, os.X_OK):
                # readable but not searchable: the names are listed, the files cannot be opened
                unreadable.append((Path(dirpath), "permission denied (directory not searchable)"))
                continue
            for name in filenames:
                rel = rel_dir + name
                if include:
                    if not _matches(rel, include):
                        continue
                elif not is_dockerfile_name(name):
                    continue
                flagged = exclude.matches(rel)
                full = Path(dirpath, name)
                try:
                    real = full.resolve()
                    if real != full and root not in real.parents:
                        continue    # a symlink pointing out of the root
                    if real.is_file() and not (excluded(real) | flagged):
                        candidates.append(real)
                except OSError as exc:
                    unreadable.append((full, exc.strerror or str(exc)))
        for path in _drop_git_ignored(candidates):
            found.setdefault(path, Found(path, root))
        for path, why in unreadable:
            found.setdefault(path, Found(path, root, f"unreadable: {why}"))
    return sorted(found.values(), key=lambda f: str(f.path))


def _repo_of(directory: Path, cache: dict[Path, Path | None]) -> Path | None:
    """Top of the git work tree holding `directory` (a `.git` dir or file marks it), or None."""
    seen = []
    d = directory
    while True:
        if d in cache:
            top = cache[d]
            break
        seen.append(d)
        if os.path.exists(d / ".git"):
            top = d
            break
        if d.parent == d:
            top = None
            break
        d = d.parent
    for s in seen:
        cache[s] = top
    return top


def _drop_git_ignored(paths: list[Path]) -> list[Path]:
    by_repo: dict[Path, list[Path]] = {}
    loose = []
    cache: dict[Path, Path | None] = {}
    for p in paths:
        top = _repo_of(p.parent, cache)
        (by_repo.setdefault(top, []) if top else loose).append(p)
    keep = list(loose)
    for top, files in by_repo.items():
        ignored = git_ignored(top, files)
        keep += [f for f in files if f not in ignored]
    return keep


def git_ignored(top: Path, files: list[Path]) -> set[Path]:
    """The subset of `files` that the work tree at `top` ignores, from its ignore files.

    Read as data, never by running git: git would run programs the scanned repository's own
    configuration names (`core.fsmonitor`, hooks), and `msb check` runs on untrusted trees.
    """
    rules = GitIgnore(top, user_global_excludes())
    out = set()
    for f in files:
        rel = os.path.relpath(f, top).replace(os.sep, "/")
        if not rel.startswith("../") and rules.ignored(rel):
            out.add(f)
    return out
