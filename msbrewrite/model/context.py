"""Read-only access to the build context (the directory `docker build` would send).

Absent context is a normal case: every method answers as if the file did not exist.
Reads are bounded so a huge or odd context cannot slow a conversion down.

A Context remembers what it answered (the walk, the `.dockerignore` reading, each path, each
read up to a byte budget): the context does not change while msb reads it, so asking twice costs
nothing, and one Context can serve every Dockerfile built from that directory (`Contexts`, which
`msb migrate` and `msb check` share across a run). Memory only: the answers are the same as
reading afresh.
"""
from __future__ import annotations

import fnmatch
import os
from pathlib import Path
from collections.abc import Callable

from msbrewrite.support.ignorefiles import DockerIgnore
from msbrewrite.support.walk import walk

MAX_READ = 2 * 1024 * 1024
MAX_WALK = 20000
SKIP_DIRS = {".git", "node_modules", "target", "vendor", "__pycache__", ".venv", "venv", "dist", "build", ".next"}
# of those, the folders that are never the app's own files (VCS, dependencies, caches): the others
# (`static/dist`, `public/vendor`) may hold committed assets, so the walk remembers where they are
_NEVER_ASSETS = {".git", "node_modules", "__pycache__", ".venv", "venv"}
CACHE_BYTES = 16 * 1024 * 1024     # text kept from reads, per Contexts (or per lone Context); beyond it reads repeat
KEEP_CONTEXTS = 8                  # contexts a Contexts holds at once (the least recently used one goes)


class _Budget:
    """Bytes of read text that may still be kept, shared by the contexts of one Contexts."""

    def __init__(self, limit: int) -> None:
        self.left = limit


class Context:
    def __init__(self, root: str | os.PathLike | None, walker: Callable = walk, budget: _Budget | None = None):
        self.root = Path(root).resolve() if root else None
        self._walker = walker
        self._budget = budget or _Budget(CACHE_BYTES)
        self._files: list[str] | None = None
        self._ignore: DockerIgnore | None = None
        self.truncated = False      # the walk stopped at MAX_WALK files: what lies beyond was not seen
        self._skipped: list[str] = []   # folders the walk did not enter that may hold assets (`static/dist`)
        self._present: bool | None = None
        self._paths: dict[str, Path | None] = {}
        self._tests: dict[tuple[str, str], bool] = {}
        self._reads: dict[tuple[str, int], str | None] = {}
        self._ignored: dict[str, bool] = {}
        self._listed: dict[str, list[str]] = {}
        self._sizes: dict[str, int | None] = {}
        self._kept = 0      # bytes of read text this context holds

    def __bool__(self) -> bool:
        if self._present is None:
            self._present = self.root is not None and _answer(self.root.is_dir)
        return self._present

    def _path(self, rel: str) -> Path | None:
        try:
            return self._paths[rel]
        except KeyError:
            pass
        path = None
        if self:
            path = (self.root / rel.lstrip("/")).resolve()
            if path != self.root and self.root not in path.parents:
                path = None     # never read outside the context
        self._paths[rel] = path
        return path

    def _test(self, kind: str, rel: str) -> bool:
        key = (kind, rel)
        try:
            return self._tests[key]
        except KeyError:
            pass
        p = self._path(rel)
        answer = bool(p and _answer(getattr(p, kind)))
        self._tests[key] = answer
        return answer

    def exists(self, rel: str) -> bool:
        return self._test("exists", rel)

    def is_dir(self, rel: str) -> bool:
        return self._test("is_dir", rel)

    def read(self, rel: str, limit: int = MAX_READ) -> str | None:
        limit = min(limit, MAX_READ)
        key = (rel, limit)
        try:
            return self._reads[key]
        except KeyError:
            pass
        text = self._read(rel, limit)
        cost = len(text) if text else 0
        if cost <= self._budget.left:
            self._budget.left -= cost
            self._kept += cost
            self._reads[key] = text
        return text

    def index(self) -> "Context":
        """Walk the context and read its `.dockerignore` now (before workers fork, say)."""
        self.files()
        self._rules()
        return self

    def release(self) -> None:
        """Give the bytes this context keeps back to its budget (it is about to be dropped)."""
        self._budget.left += self._kept
        self._kept = 0
        self._reads.clear()

    def _read(self, rel: str, limit: int) -> str | None:
        if not self._test("is_file", rel):    # a FIFO or device is never opened: it could block
            return None
        try:
            with open(self._path(rel), "rb") as fh:
                data = fh.read(limit)
        except OSError:
            return None
        return decode_text(data)

    def size(self, rel: str) -> int | None:
        """Bytes of the file at `rel` (joined to the root, symlinks followed), None if unreadable."""
        try:
            return self._sizes[rel]
        except KeyError:
            pass
        try:
            size = os.path.getsize(os.path.join(self.root, rel)) if self.root else None
        except OSError:
            size = None
        self._sizes[rel] = size
        return size

    def files(self) -> list[str]:
        """Relative paths of the context's files (bounded walk, build dirs skipped). Do not modify."""
        if self._files is None:
            out: list[str] = []
            if self:
                for dirpath, dirnames, filenames in self._walker(self.root):
                    rel_dir = os.path.relpath(dirpath, self.root)
                    self._skipped += [d if rel_dir == "." else f"{rel_dir}/{d}" for d in sorted(dirnames)
                                      if d in SKIP_DIRS and d not in _NEVER_ASSETS]
                    dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
                    for name in sorted(filenames):
                        out.append(name if rel_dir == "." else f"{rel_dir}/{name}")
                    if len(out) > MAX_WALK:
                        self.truncated = True
                        del out[MAX_WALK:]
                        break
            self._files = out
        return self._files

    def skipped_dirs(self) -> list[str]:
        """Relative paths of the folders the walk did not enter though they may hold the app's
        assets (`dist`, `build`, `vendor`, `target`, `.next`, at any depth). Do not modify."""
        self.files()
        return self._skipped

    def ignored(self, rel: str) -> bool:
        """Whether the context's .dockerignore keeps `rel` out of what `docker build` sends."""
        try:
            return self._ignored[rel]
        except KeyError:
            pass
        answer = self._ignored[rel] = self._rules().ignored(rel)
        return answer

    def _rules(self) -> DockerIgnore:
        if self._ignore is None:
            self._ignore = DockerIgnore(self.read(".dockerignore"))
        return self._ignore

    def glob(self, pattern: str) -> list[str]:
        return [f for f in self.files() if fnmatch.fnmatch(f, pattern)]

    def listdir(self, rel: str = "") -> list[str]:
        rel = rel or "."
        if rel not in self._listed:
            p = self._path(rel)
            names: list[str] = []
            if p and _answer(p.is_dir):
                try:
                    names = sorted(os.listdir(p))
                except OSError:
                    pass
            self._listed[rel] = names
        return list(self._listed[rel])


class Contexts:
    """One Context per directory, for every Dockerfile of a run that is built from it: the
    context is walked once and its `.dockerignore` read once, however many Dockerfiles share it.
    At most `keep` contexts are held (least recently used dropped), so a run over many distinct
    contexts stays bounded in memory. `walker` is the directory walk (a test may count its calls)."""

    def __init__(self, walker: Callable = walk, cache_bytes: int = CACHE_BYTES, keep: int = KEEP_CONTEXTS) -> None:
        self._walker = walker
        self._budget = _Budget(cache_bytes)
        self._keep = max(1, keep)
        self._by_root: dict[Path, Context] = {}     # insertion order = use order (oldest first)

    def get(self, root: str | os.PathLike) -> Context:
        key = Path(root).resolve()
        ctx = self._by_root.pop(key, None)
        if ctx is None:
            ctx = Context(key, self._walker, self._budget)
            while len(self._by_root) >= self._keep:
                self._by_root.pop(next(iter(self._by_root))).release()
        self._by_root[key] = ctx
        return ctx

    @property
    def capacity(self) -> int:
        return self._keep

    def __contains__(self, root) -> bool:
        return Path(root).resolve() in self._by_root


def _answer(check) -> bool:
    """A file test that says False instead of raising when a directory cannot be searched."""
    try:
        return check()
    except OSError:
        return False


_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


def decode_text(data: bytes) -> str:
    """A file's text as the tools that read it see it: UTF-8, or the encoding its byte-order mark
    names (`pip freeze > requirements.txt` in PowerShell writes UTF-16 with one, and pip reads it)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            if encoding.startswith("utf-16") and len(data) % 2:
                data = data[:-1]       # cut at the read limit in the middle of a character
            return data[len(bom):].decode(encoding.replace("-sig", ""), errors="replace")
    return data.decode("utf-8", errors="replace")
