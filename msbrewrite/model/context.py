"""Read-only access to the build context (the directory `docker build` would send).

Absent context is a normal case: every method answers as if the file did not exist.
Reads are bounded so a huge or odd context cannot slow a conversion down.
"""
from __future__ import annotations

import fnmatch
import os
from pathlib import Path

from msbrewrite.support.ignorefiles import DockerIgnore
from msbrewrite.support.walk import walk

MAX_READ = 2 * 1024 * 1024
MAX_WALK = 20000
SKIP_DIRS = {".git", "node_modules", "target", "vendor", "__pycache__", ".venv", "venv", "dist", "build", ".next"}


class Context:
    def __init__(self, root: str | os.PathLike | None):
        self.root = Path(root).resolve() if root else None
        self._files: list[str] | None = None
        self._ignore: DockerIgnore | None = None
        self.truncated = False      # the walk stopped at MAX_WALK files: what lies beyond was not seen

    def __bool__(self) -> bool:
        return self.root is not None and _answer(self.root.is_dir)

    def _path(self, rel: str) -> Path | None:
        if not self:
            return None
        rel = rel.lstrip("/")
        path = (self.root / rel).resolve()
        if path != self.root and self.root not in path.parents:
            return None     # never read outside the context
        return path

    def exists(self, rel: str) -> bool:
        p = self._path(rel)
        return bool(p and _answer(p.exists))

    def is_dir(self, rel: str) -> bool:
        p = self._path(rel)
        return bool(p and _answer(p.is_dir))

    def read(self, rel: str, limit: int = MAX_READ) -> str | None:
        p = self._path(rel)
        if not p or not _answer(p.is_file):    # a FIFO or device is never opened: it could block
            return None
        try:
            with open(p, "rb") as fh:
                data = fh.read(min(limit, MAX_READ))
        except OSError:
            return None
        return data.decode("utf-8", errors="replace")

    def files(self) -> list[str]:
        """Relative paths of the context's files (bounded walk, build dirs skipped)."""
        if self._files is None:
            out: list[str] = []
            if self:
                for dirpath, dirnames, filenames in walk(self.root):
                    dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
                    rel_dir = os.path.relpath(dirpath, self.root)
                    for name in sorted(filenames):
                        out.append(name if rel_dir == "." else f"{rel_dir}/{name}")
                    if len(out) > MAX_WALK:
                        self.truncated = True
                        del out[MAX_WALK:]
                        break
            self._files = out
        return self._files

    def ignored(self, rel: str) -> bool:
        """Whether the context's .dockerignore keeps `rel` out of what `docker build` sends."""
        if self._ignore is None:
            self._ignore = DockerIgnore(self.read(".dockerignore"))
        return self._ignore.ignored(rel)

    def glob(self, pattern: str) -> list[str]:
        return [f for f in self.files() if fnmatch.fnmatch(f, pattern)]

    def listdir(self, rel: str = "") -> list[str]:
        p = self._path(rel or ".")
        if not p or not _answer(p.is_dir):
            return []
        try:
            return sorted(os.listdir(p))
        except OSError:
            return []


def _answer(check) -> bool:
    """A file test that says False instead of raising when a directory cannot be searched."""
    try:
        return check()
    except OSError:
        return False
