"""The files side of `msb verify`'s oracle, read from each image's exported file system (`docker
create` + `docker export`, which needs no shell in the image): the files under the app directory
the converted image lacks, classed as expected or suspicious, and the paths the original's run-time
user could write and the converted image's user cannot. Pure but for reading the tar stream."""
from __future__ import annotations

import functools
import posixpath
import re
import tarfile
from typing import IO

from msbrewrite.support import lazy_re
from msbrewrite.support.records import field, record

SYSTEM_DIRS = ("/bin", "/sbin", "/usr", "/lib", "/lib64", "/etc", "/proc", "/sys", "/dev", "/opt/java", "/var/lib",
               "/usr/local/bin", "/usr/local/lib")
MAX_LISTED = 200          # per class in the JSON report


@record(frozen=True)
class Entry:
    kind: str              # file | dir | link
    size: int
    mode: int
    uid: int
    gid: int


@record
class Tree:
    """An image's file system as its exported tar lists it, plus its account files."""
    entries: dict[str, Entry] = field(default_factory=dict)
    passwd: str = ""
    group: str = ""


def read_tree(stream: IO[bytes]) -> Tree:
    tree = Tree()
    with tarfile.open(fileobj=stream, mode="r|") as tar:
        for info in tar:
            path = "/" + info.name.lstrip("./").rstrip("/") if info.name not in (".", "./") else "/"
            kind = "dir" if info.isdir() else ("link" if info.issym() or info.islnk() else "file")
            tree.entries[path] = Entry(kind, info.size, info.mode, info.uid, info.gid)
            if path in ("/etc/passwd", "/etc/group") and info.isfile() and info.size < 1_000_000:
                data = tar.extractfile(info)
                text = data.read().decode("utf-8", "replace") if data else ""
                if path == "/etc/passwd":
                    tree.passwd = text
                else:
                    tree.group = text
    return tree


def under(path: str, dirs: list[str]) -> bool:
    return any(path == d or path.startswith(d.rstrip("/") + "/") for d in dirs)


def app_dirs(config: dict, tree: Tree | None = None) -> list[str]:
    """The app's directories: WORKDIR and the directories of the absolute paths the entrypoint and
    command name (a directory itself, or a file's directory, as the image has them), system and
    `bin` directories excepted."""
    dirs = []
    workdir = (config.get("WorkingDir") or "").rstrip("/")
    if workdir and not _system(workdir):
        dirs.append(workdir)
    for arg in (config.get("Entrypoint") or []) + (config.get("Cmd") or []):
        for token in re.findall(r"(?<![\w.])/[\w.@+-]+(?:/[\w.@+-]+)+", arg or ""):
            entry = tree.entries.get(token) if tree is not None else None
            if tree is None:
                d = posixpath.dirname(token) if "." in posixpath.basename(token) else token
            elif entry is None:
                continue
            else:
                d = token if entry.kind == "dir" else posixpath.dirname(token)
            if d and d != "/" and not _system(d) and posixpath.basename(d) not in ("bin", "sbin") \
                    and not under(d, dirs):
                dirs.append(d)
    return dirs


APP_UNDER_SYSTEM = ("/usr/src", "/usr/local/src", "/usr/app", "/usr/local/app", "/usr/share/nginx/html")


def _system(path: str) -> bool:
    if any(path == a or path.startswith(a + "/") for a in APP_UNDER_SYSTEM):
        return False
    return path in ("", "/", "/tmp", "/root", "/home", "/var", "/opt", "/srv") or \
        any(path == s or path.startswith(s + "/") for s in SYSTEM_DIRS)


# --------------------------------------------------------------------------- missing files

_EXPECTED = (
    # (reason, pattern on the path relative to the app directory)
    ("version control", lazy_re.compile(r"(^|/)\.(git|hg|svn)(/|$)|(^|/)\.git(ignore|attributes|modules)$")),
    ("build file", lazy_re.compile(r"(^|/)(Dockerfile[^/]*|[^/]*\.[Dd]ockerfile|dockerfile|Containerfile|\.dockerignore|Makefile|Jenkinsfile|"
                                   r"docker-compose[^/]*\.ya?ml|compose\.ya?ml)$")),
    ("cache", lazy_re.compile(r"(^|/)(__pycache__|\.cache|\.npm|\.yarn|\.pnpm-store|\.pytest_cache|\.mypy_cache|"
                              r"\.ruff_cache|\.gradle|\.m2|\.tox|\.nox)(/|$)|\.py[co]$")),
    ("test", lazy_re.compile(r"(^|/)(tests?|__tests__|spec|testdata|e2e|cypress)(/|$)|_test\.go$|"
                             r"(^|/)[^/]*(smoke|test)[^/]*\.sh$|"
                             r"\.(test|spec)\.[jt]sx?$|(^|/)test_[^/]*\.py$|(^|/)[^/]*_test\.py$|(^|/)conftest\.py$")),
    ("dependency manifest", lazy_re.compile(r"(^|/)(requirements[^/]*\.txt|constraints\.txt|Pipfile(\.lock)?|poetry\.lock|"
                                            r"uv\.lock|package-lock\.json|npm-shrinkwrap\.json|yarn\.lock|pnpm-lock\.yaml|"
                                            r"bun\.lockb|\.npmrc|\.yarnrc[^/]*|\.nvmrc|\.python-version)$")),
    ("documentation", lazy_re.compile(r"(^|/)(README|LICEN[CS]E|CHANGELOG|CONTRIBUTING|AUTHORS|NOTICE)[^/]*$|"
                                      r"(^|/)docs?/")),
    ("compiled-language source", lazy_re.compile(
        r"\.(go|rs|java|kt|kts|scala|c|cc|cpp|h|hpp|cs|fs|swift|zig|tsx?|jsx|vue|svelte|scss|sass|less)$|"
        r"(^|/)(go\.(mod|sum|work)|Cargo\.(toml|lock)|pom\.xml|build\.gradle[^/]*|settings\.gradle[^/]*|"
        r"gradlew(\.bat)?|mvnw(\.cmd)?|tsconfig[^/]*\.json|vite\.config\.[^/]*|webpack\.config\.[^/]*|"
        r"babel\.config\.[^/]*|\.babelrc|rollup\.config\.[^/]*|tailwind\.config\.[^/]*|postcss\.config\.[^/]*|"
        r"\.eslintrc[^/]*|\.prettierrc[^/]*|[^/]*\.csproj|[^/]*\.sln)$|(^|/)(\.mvn|gradle|src)/")),
    # what msb's copy rules drop as a Node project's development tooling (rules.app_files.NODE_TOOLING)
    ("development tooling", lazy_re.compile(r"(^|/)(\.husky|\.nyc_output|coverage)/|"
                                            r"(^|/)(\.eslintignore|\.prettierignore|\.mocharc[^/]*|"
                                            r"(eslint|prettier|jest|vitest)\.config\.[^/]*)$")),
    ("build output or dependency tree", lazy_re.compile(r"(^|/)(target|node_modules|\.venv|venv|obj)/")),
    # what msb's copy rules drop as editor and CI files: expected, not suspicious
    ("editor or CI file", lazy_re.compile(r"(^|/)(\.idea|\.vscode|\.github|\.gitlab|\.circleci)(/|$)|"
                                          r"(^|/)(\.editorconfig|\.DS_Store|\.travis\.yml|\.gitlab-ci\.yml|"
                                          r"\.drone\.yml|azure-pipelines\.yml|\.pre-commit-config\.yaml)$")),
)


@record(frozen=True)
class Missing:
    path: str
    size: int
    kind: str          # expected | suspicious
    reason: str
    app_dir: str = "/"


def classify(path: str, app_dir: str, moved_to: str | None = None) -> tuple[str, str]:
    if moved_to:
        return "expected", f"moved to {moved_to}"
    rel = path[len(app_dir.rstrip("/")) + 1:] if path.startswith(app_dir.rstrip("/") + "/") else path.lstrip("/")
    for reason, rx in _EXPECTED:
        if rx.search(rel):
            return "expected", reason
    rule = _copy_rules().first(rel)
    if rule is not None:
        return "expected", rule.kind        # msb's copy rules leave it out on purpose
    return "suspicious", "not a build input, test, cache or VCS file"


@functools.lru_cache(maxsize=1)
def _copy_rules():
    """The rules by which msb's staged copy leaves a file out in every language (VCS, CI, editor and
    Docker files, caches, credentials, Node tooling): the list above names them in verify's words,
    this one keeps the two from drifting. A language's own rules (`./build` for Java) stay out: for
    another language a missing folder of that name is a loss."""
    from msbrewrite.rules import app_files
    from msbrewrite.rules.app_matching import matcher
    return matcher(list(app_files.COMMON) + list(app_files.SHOWN_JUNK) + list(app_files.NODE_TOOLING))


def missing_files(original: Tree, converted: Tree, dirs: list[str]) -> list[Missing]:
    """Regular files and links under `dirs` in the original image that the converted one lacks.
    A file whose name and size turn up elsewhere in the converted image was moved, not lost."""
    by_name: dict[tuple[str, int], str] = {}
    for path, e in converted.entries.items():
        if e.kind == "file":
            by_name.setdefault((posixpath.basename(path), e.size), path)
    out = []
    go_vendor = _go_vendor_dirs(original)
    rebuilt = _rebuilt_names(original, converted)
    for path, e in sorted(original.entries.items()):
        if e.kind == "dir" or not under(path, dirs) or path in converted.entries:
            continue
        app_dir = next(d for d in dirs if under(path, [d]))
        if under(path, go_vendor):
            out.append(Missing(path, e.size, "expected", "Go vendored modules (compiled into the binary)", app_dir))
            continue
        if path in rebuilt:
            out.append(Missing(path, e.size, "expected", f"built again as {rebuilt[path]} (the build names the file "
                               "by its content hash)", app_dir))
            continue
        moved = by_name.get((posixpath.basename(path), e.size)) if e.kind == "file" else None
        if app_dir not in converted.entries:
            # the whole directory is gone: the app runs from elsewhere (a static build behind a web
            # server, a binary in /usr/local/bin); what it still needs shows in the probes and logs
            out.append(Missing(path, e.size, "expected", f"{app_dir} is not in the converted image", app_dir))
            continue
        kind, reason = classify(path, app_dir, moved)
        out.append(Missing(path, e.size, kind, reason, app_dir))
    return out


def _rebuilt_names(original: Tree, converted: Tree) -> dict[str, str]:
    """Original files whose name holds a build's content hash, paired one to one with a converted
    file that differs only by that hash (`start.2a622a63.js` -> `start.70409c69.js`)."""
    from msbrewrite.verify.build_hashes import hashed_name
    theirs: dict[str, list[str]] = {}
    for path, e in sorted(converted.entries.items()):
        key = hashed_name(path) if e.kind == "file" and path not in original.entries else None
        if key:
            theirs.setdefault(key, []).append(path)
    out = {}
    for path, e in sorted(original.entries.items()):
        key = hashed_name(path) if e.kind == "file" and path not in converted.entries else None
        if key and theirs.get(key):
            out[path] = theirs[key].pop(0)
    return out


def _go_vendor_dirs(tree: Tree) -> list[str]:
    """`vendor` folders of Go modules (a go.mod beside them, or their own modules.txt): Go compiles them
    into the binary, so their licences, assembly and build files are never read at run time. A PHP or
    Ruby vendor folder has neither and stays a loss when it goes."""
    found = {posixpath.dirname(p) for p in tree.entries if p.endswith("/vendor/modules.txt")}
    found |= {p for p, e in tree.entries.items() if p.endswith("/vendor") and e.kind == "dir"
              and posixpath.join(posixpath.dirname(p), "go.mod") in tree.entries}
    return sorted(found)


def summarise_missing(missing: list[Missing], kind: str) -> list[dict]:
    """Missing files of one kind, those in a folder under the app directory grouped as that
    folder (a dependency tree is thousands of files), the others one by one."""
    groups: dict[tuple[str, str], list[Missing]] = {}
    for m in missing:
        if m.kind != kind:
            continue
        rel = m.path[len(m.app_dir.rstrip("/")) + 1:]
        key = m.app_dir.rstrip("/") + "/" + rel.split("/")[0] if "/" in rel else m.path
        groups.setdefault((key, m.reason), []).append(m)
    return [{"path": k if len(v) > 1 else v[0].path, "reason": r, "files": len(v), "size": sum(m.size for m in v)}
            for (k, r), v in sorted(groups.items())]


# --------------------------------------------------------------------------- write permissions

@record(frozen=True)
class Account:
    spec: str
    uid: int
    gids: frozenset[int]


def resolve_user(spec: str, tree: Tree) -> Account | None:
    """The uid and groups of a USER value (`name`, `uid`, `name:group`, `uid:gid`; empty: root)
    as the image's /etc/passwd and /etc/group define them. None: a name the image does not know."""
    spec = (spec or "").strip()
    if not spec:
        return Account("root", 0, frozenset({0}))
    user, _, group = spec.partition(":")
    users = {}
    for line in tree.passwd.splitlines():
        f = line.split(":")
        if len(f) >= 4 and f[2].isdigit() and f[3].isdigit():
            users[f[0]] = (int(f[2]), int(f[3]))
    groups: dict[str, tuple[int, set[str]]] = {}
    for line in tree.group.splitlines():
        f = line.split(":")
        if len(f) >= 3 and f[2].isdigit():
            groups[f[0]] = (int(f[2]), set(filter(None, (f[3] if len(f) > 3 else "").split(","))))
    if user.isdigit():
        uid = int(user)
        name = next((n for n, (u, _) in users.items() if u == uid), None)
        primary = users[name][1] if name else uid
    elif user in users:
        name, (uid, primary) = user, users[user]
    else:
        return None
    if group:
        if group.isdigit():
            primary = int(group)
        elif group in groups:
            primary = groups[group][0]
        else:
            return None
    gids = {primary} | {gid for gname, (gid, members) in groups.items() if name and name in members}
    return Account(spec, uid, frozenset(gids))


def can_write(entry: Entry, who: Account) -> bool:
    if who.uid == 0:
        return True
    if entry.uid == who.uid:
        return bool(entry.mode & 0o200)
    if entry.gid in who.gids:
        return bool(entry.mode & 0o020)
    return bool(entry.mode & 0o002)


_STATE_FILE = lazy_re.compile(r"\.(sqlite3?|db|db-journal|db-wal|log|pid|lock)$", re.I)
_STATE_DIR = lazy_re.compile(r"^(data|uploads?|cache|logs?|tmp|storage|sessions?|media|state|db)$", re.I)
_DEPENDENCIES = lazy_re.compile(r"/(node_modules|site-packages|dist-packages|\.venv|venv|vendor)/")
# a package manager's lock file or its own error log: written by installs in the build, never by the app
_PACKAGE_MANAGER_FILE = lazy_re.compile(r"^(yarn|poetry|Cargo|Gemfile|composer|Pipfile|uv|flake|bun|deno|mix|Podfile|"
                                        r"conan|gradle|pubspec)\.lock$|^(npm|yarn|pnpm|lerna)-(debug|error)\.log(\.\d+)?$")


def is_state_path(path: str, kind: str) -> bool:
    """Written by nature: databases, logs, pid/lock files and the folders named for such things
    (outside dependency trees, whose folder names say nothing about the app)."""
    if _DEPENDENCIES.search(path):
        return False
    name = posixpath.basename(path)
    if kind == "dir":
        return bool(_STATE_DIR.match(name))
    return bool(_STATE_FILE.search(name)) and not _PACKAGE_MANAGER_FILE.match(name)


@record(frozen=True)
class LostWrite:
    path: str
    kind: str            # file | dir
    why: str             # written by the original | state file | (warning) could write
    original: str        # owner and mode, e.g. "0:0 755"
    converted: str


def _owner(e: Entry) -> str:
    return f"{e.uid}:{e.gid} {e.mode & 0o7777:o}"


def written_paths(docker_diff: str, dirs: list[str]) -> list[tuple[str, str]]:
    """(A or C, path) the original container added or changed under `dirs`, from `docker diff`."""
    out = []
    for line in docker_diff.splitlines():
        change, _, path = line.strip().partition(" ")
        if change in ("A", "C") and under(path, dirs) and "__pycache__" not in path and not path.endswith(".pyc"):
            out.append((change, path))
    return out


def lost_writes(original: Tree, converted: Tree, before: Account, after: Account, dirs: list[str],
                written: list[tuple[str, str]]) -> tuple[list[LostWrite], list[LostWrite]]:
    """(differences, warnings): paths under `dirs` that `before` could write in the original image
    and `after` cannot in the converted one. A path the original wrote during the run, or a state
    file by nature, is a difference; the rest are warnings."""
    written_set = set()
    for change, path in written:
        old = original.entries.get(path)
        if change == "C" and old is not None and old.kind == "dir":
            continue        # a directory is "changed" whenever something below it is
        # an added file that is not in the converted image needs its parent directory writable
        target = path
        while target not in converted.entries and target != "/":
            target = posixpath.dirname(target)
        written_set.add(target)
    diffs, warns = [], []
    for path, e in sorted(converted.entries.items()):
        if not under(path, dirs) or e.kind == "link":
            continue
        old = original.entries.get(path)
        if old is None or not can_write(old, before) or can_write(e, after):
            continue
        if path in written_set:
            diffs.append(LostWrite(path, e.kind, "the original wrote here during the run", _owner(old), _owner(e)))
        elif is_state_path(path, e.kind):
            diffs.append(LostWrite(path, e.kind, "a state file or folder by nature", _owner(old), _owner(e)))
        else:
            warns.append(LostWrite(path, e.kind, "the original's user could write it", _owner(old), _owner(e)))
    return diffs, warns


# --------------------------------------------------------------------------- writes seen in the run

# a failed write as programs log it (Python, Node, Go, Java, SQLite, the shell)
WRITE_ERROR = lazy_re.compile(r"EACCES|EPERM|EROFS|PermissionError|Permission denied|permission denied|"
                              r"read-only file system|Read-only file system|AccessDeniedException|"
                              r"Operation not permitted|attempt to write a readonly database")
_PATH_IN_LINE = lazy_re.compile(r"""['"]([^'"\s]+)['"]|(?<![\w.:/])(/[\w.@+-]+(?:/[\w.@+-]*)*)""")


def failed_write_paths(lines: list[str], workdir: str = "/") -> list[tuple[str, str]]:
    """(absolute path, line) for each log line reporting a failed write that names a path; a
    relative path is taken from the working directory, as the app opened it."""
    out = []
    for line in lines:
        if not WRITE_ERROR.search(line):
            continue
        for m in _PATH_IN_LINE.finditer(line):
            path = m.group(1) or m.group(2)
            if not path or "://" in path or not re.search(r"[\w]", path):
                continue
            if not path.startswith("/"):
                if "/" not in path and "." not in path:
                    continue     # a word in quotes, not a file name
                path = posixpath.join(workdir or "/", path)
            out.append((posixpath.normpath(path), line.strip()[:300]))
    return out


def changed_dirs_only(docker_diff: str) -> set[str]:
    """Directories `docker diff` lists as changed with nothing listed below them: the app created
    and removed files there (a temporary file, a lock), a write the file listing cannot show."""
    changed, paths = set(), []
    for line in docker_diff.splitlines():
        change, _, path = line.strip().partition(" ")
        if change in ("A", "C", "D"):
            paths.append(path)
            if change == "C":
                changed.add(path)
    return {d for d in changed if not any(p.startswith(d.rstrip("/") + "/") for p in paths)}


def exercised_writes(warnings: list[LostWrite], docker_diff: str, log_lines: list[str],
                     workdir: str = "/") -> tuple[list[tuple[LostWrite, str]], list[LostWrite]]:
    """Which of the paths the original's user could write and the converted one's cannot the app
    did write during the run: a failed write naming a path under one in either log, or a folder
    the original changed without a trace below it. (exercised with the evidence, the rest)."""
    failed = failed_write_paths(log_lines, workdir)
    touched = changed_dirs_only(docker_diff)
    evidence: dict[str, str] = {}
    for path, line in failed:
        # the deepest such path is the one that refused the write
        owners = [w.path for w in warnings if path == w.path or path.startswith(w.path.rstrip("/") + "/")]
        if owners:
            evidence.setdefault(max(owners, key=len), line)
    hit, rest = [], []
    for w in warnings:
        line = evidence.get(w.path)
        if line is None and w.kind == "dir" and w.path in touched:
            line = f"docker diff: C {w.path} (files created and removed there by the original)"
        if line is None:
            rest.append(w)
        else:
            hit.append((w, line))
    return hit, rest
