"""`.dockerignore` and `.gitignore` rules, read as data: no program runs to answer them.

Both files use globs over slash-separated paths with `*`, `?`, `[...]`, `**` and `!` exceptions
(the last matching line wins), but they anchor differently:
- `.dockerignore` (the Docker CLI's rules): every pattern is relative to the context root, a
  leading `/` and `./` change nothing, and a pattern that matches a directory excludes what is
  under it.
- `.gitignore`: a pattern without a slash (a trailing one aside) matches a name at any depth
  below its file; a trailing `/` matches directories only; a file under an excluded directory
  cannot be brought back.
Discovery used to ask `git check-ignore`, which runs programs a repository's configuration names
(`core.fsmonitor`): a scanned tree could run code on the machine that scans it.
"""
from __future__ import annotations

import os
import posixpath
import re
from functools import lru_cache
from pathlib import Path


def _segment(glob: str) -> str:
    """Regular expression for one path segment of a glob (`*` and `?` never cross a slash)."""
    out, i = [], 0
    while i < len(glob):
        ch = glob[i]
        if ch == "\\" and i + 1 < len(glob):
            out.append(re.escape(glob[i + 1]))
            i += 2
            continue
        if ch == "*":
            while i + 1 < len(glob) and glob[i + 1] == "*":
                i += 1          # `a**b` inside a segment is `a*b`
            out.append("[^/]*")
        elif ch == "?":
            out.append("[^/]")
        elif ch == "[":
            end = glob.find("]", i + 2 if glob[i + 1:i + 2] in ("!", "^", "]") else i + 1)
            if end < 0:
                out.append(re.escape(ch))
            else:
                body = glob[i + 1:end]
                if body[:1] in ("!", "^"):
                    body = "^" + body[1:]
                out.append("[" + body.replace("\\", "\\\\").replace("[", "\\[") + "]")
                i = end
        else:
            out.append(re.escape(ch))
        i += 1
    return "".join(out)


@lru_cache(maxsize=4096)
def glob_regex(glob: str) -> re.Pattern:
    """A whole-path glob: `**` as a segment matches any number of directories, zero included."""
    parts = glob.split("/")
    out = []
    for n, part in enumerate(parts):
        last = n == len(parts) - 1
        if part == "**":
            out.append(".*" if last else "(?:[^/]+/)*")
        else:
            out.append(_segment(part) + ("" if last else "/"))
    return re.compile("".join(out) + r"\Z", re.S)


class DockerIgnore:
    """The rules of one `.dockerignore`, relative to the context root."""

    def __init__(self, text: str | None):
        self.rules: list[tuple[re.Pattern, bool]] = []
        for line in (text or "").splitlines():
            pattern = line.strip()
            if not pattern or pattern.startswith("#"):
                continue
            keep = pattern.startswith("!")
            pattern = pattern[1:].strip() if keep else pattern
            pattern = posixpath.normpath(pattern.replace(os.sep, "/")).lstrip("/")
            if pattern in ("", "."):
                continue
            self.rules.append((glob_regex(pattern), keep))

    def __bool__(self) -> bool:
        return bool(self.rules)

    def ignored(self, rel: str) -> bool:
        """Whether the context never sends `rel` (a path relative to the context root)."""
        if not self.rules:
            return False
        parts = [p for p in rel.strip("/").split("/") if p not in ("", ".")]
        prefixes = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
        ignored = False
        for regex, keep in self.rules:
            # a pattern that matches a parent directory excludes everything below it
            if any(regex.match(p) for p in prefixes):
                ignored = not keep
        return ignored


class GitIgnore:
    """The rules that decide whether git ignores a path inside one work tree.

    Sources, lowest precedence first: the user's global excludes file, `.git/info/exclude`,
    then every `.gitignore` from the top of the tree down to the path's own directory.
    """

    def __init__(self, top: Path, global_excludes: Path | None = None):
        self.top = top
        self._dirs: dict[str, list[tuple[re.Pattern, bool, bool]]] = {}
        base: list[tuple[re.Pattern, bool, bool]] = []
        for source in (global_excludes, top / ".git" / "info" / "exclude"):
            if source is not None:
                base += _git_rules(_read_small(source), "")
        self._base = base

    def _rules_for(self, rel_dir: str) -> list[tuple[re.Pattern, bool, bool]]:
        """Rules of the `.gitignore` in `rel_dir` ("" for the top)."""
        if rel_dir not in self._dirs:
            self._dirs[rel_dir] = _git_rules(_read_small(self.top / rel_dir / ".gitignore"), rel_dir)
        return self._dirs[rel_dir]

    def _match(self, rel: str, is_dir: bool) -> bool | None:
        verdict = None
        parts = rel.split("/")[:-1]
        dirs = ["/".join(parts[:i]) for i in range(len(parts) + 1)]     # "", "a", "a/b" for a/b/c
        for rules in [self._base] + [self._rules_for(d) for d in dirs]:
            for regex, keep, dir_only in rules:
                if dir_only and not is_dir:
                    continue
                if regex.match(rel):
                    verdict = not keep
        return verdict

    def ignored(self, rel: str) -> bool:
        """Whether git ignores the file `rel` (relative to the top of the work tree)."""
        parts = rel.split("/")
        for i in range(1, len(parts)):
            if self._match("/".join(parts[:i]), True):
                return True     # nothing under an excluded directory can be brought back
        return bool(self._match(rel, False))


def _git_rules(text: str, rel_dir: str) -> list[tuple[re.Pattern, bool, bool]]:
    rules = []
    prefix = rel_dir + "/" if rel_dir else ""
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        line = re.sub(r"(?<!\\)[ \t]+$", "", line)      # trailing blanks, unless escaped
        keep = line.startswith("!")
        if keep:
            line = line[1:]
        elif line.startswith(("\\!", "\\#")):
            line = line[1:]
        dir_only = line.endswith("/")
        line = line.rstrip("/")
        if not line:
            continue
        if "/" in line:
            glob = prefix + line.lstrip("/")        # anchored to the .gitignore's directory
        else:
            glob = prefix + "**/" + line            # a name at any depth below it
        rules.append((glob_regex(glob), keep, dir_only))
    return rules


def _read_small(path: Path, limit: int = 1024 * 1024) -> str:
    try:
        if not path.is_file():
            return ""
        with open(path, "rb") as fh:
            return fh.read(limit).decode("utf-8", errors="replace")
    except OSError:
        return ""


def user_global_excludes() -> Path | None:
    """The user's own global excludes file at git's default place (`~/.config/git/ignore`)."""
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    path = Path(base, "git", "ignore")
    return path if path.is_file() else None
