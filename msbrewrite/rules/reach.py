"""What a runtime user msb introduces must reach and write.

A root original reads and writes anywhere; a new user (uid 10001, distroless's 65532) does not.
The rule: that user can read every file the original read and write every path it wrote, in the
image or mounted by a compose service that runs it. msb makes that so where the image decides it:
- /root (mode 700 in every base image) is opened for traversal (711) when the app lives under it;
- folders the app writes outside its own directory (a literal path in a write call of its code,
  a *_DIR/*_PATH/*_FILE variable it reads) and the mount points of compose volumes are created in
  the image, owned by the new user (a new named volume takes the owner of its mount point).
Where the host decides (a bind mount of a host folder) or the folder belongs to the system
(/var/log itself), the runtime keeps the original's user, root, and the report says why.
"""
from __future__ import annotations

import posixpath
import re

from msbrewrite.model.analysis import StageFacts, is_root_user, start_argv
from msbrewrite.model.plan import BuildPlan
from msbrewrite.model.quoting import sh_words
from msbrewrite.support import lazy_re
from msbrewrite.support.records import record

REACH_ROOT = "/tmp/msb-reach"
# folders every base image has and owns as root: msb cannot hand one of them to the app
SYSTEM_DIRS = {"/", "/var", "/var/log", "/var/lib", "/var/cache", "/var/spool", "/var/opt", "/var/local", "/etc",
               "/opt", "/srv", "/mnt", "/media", "/home", "/run", "/var/run", "/root", "/usr", "/usr/local",
               "/usr/share", "/usr/local/share", "/usr/local/bin", "/usr/local/lib", "/usr/bin", "/usr/sbin",
               "/usr/lib", "/bin", "/sbin", "/lib", "/lib64", "/boot"}
SYSTEM_TREES = ("/usr/bin/", "/usr/sbin/", "/usr/lib/", "/bin/", "/sbin/", "/lib/", "/lib64/", "/boot/")
# places anyone may write, or that are not files: nothing to do
OPEN_TREES = ("/tmp", "/var/tmp", "/dev", "/proc", "/sys")
# host files every account may read
WORLD_READABLE = ("/etc/localtime", "/etc/timezone", "/usr/share/zoneinfo", "/etc/hosts", "/etc/resolv.conf",
                  "/etc/ssl/certs", "/etc/ca-certificates", "/usr/share/ca-certificates", "/etc/machine-id",
                  "/proc", "/sys", "/dev")

# a call that writes a file or makes a folder (Go, Rust, Node, Python, Java) and takes the path
# first; the relative-path rule below reads the same calls
_WRITE_FUNCS = (r"os\.(?:Create|OpenFile|WriteFile|Mkdir|MkdirAll)|ioutil\.WriteFile|File::create|create_dir(?:_all)?|"
                r"(?:writeFile|appendFile|mkdir|createWriteStream)(?:Sync)?|makedirs|"
                r"(?:Rotating|TimedRotating|Watched)?FileHandler|sqlite3\.connect|FileWriter|FileOutputStream|"
                # an object that saves itself to a path: an upload (Werkzeug), an image, a workbook, a model
                r"(?<=\.)save")
# any write: those calls, the ones whose path is not first, or a log file setting
_WRITE_CALL = lazy_re.compile(
    r"\b(?:" + _WRITE_FUNCS + r"|OpenOptions|Files\.(?:write\w*|createDirector\w*|newBufferedWriter|newOutputStream)|"
    r"Filename\s*:|basicConfig\([^)]*filename\s*=)|\bopen\([^)]*,\s*[\"'][wax]")
_MAKES_DIR = lazy_re.compile(r"Mkdir|mkdir|makedirs|create_dir|createDirector")
# a folder-making call that accepts a folder already there; any other fails when msb pre-makes it
_TOLERATES_EXISTING = lazy_re.compile(r"exist_ok\s*=\s*True|recursive\s*:\s*true|MkdirAll|create_dir_all|"
                                      r"createDirectories|mkdirs|mkdir\(\s*\)|-p\b")
_CHECKS_EXISTS = lazy_re.compile(r"(?i)exists|isdir|is_dir|Stat\(")
_PATH_LITERAL = lazy_re.compile(r"[\"'`](/[\w.@+-]+(?:/[\w.@+-]*)*)[\"'`]")
# a relative path as the first argument of a write call (or a log file setting): it lands in the
# process's working directory
_REL = r"[\"'`]((?:\./)?[\w@+-][\w.@+-]*(?:/[\w.@+-]+)*/?)[\"'`]"
_RELATIVE_WRITE = lazy_re.compile(
    r"\b(?:" + _WRITE_FUNCS + r")\(\s*(?:filename\s*=\s*)?" + _REL
    + r"|\bopen\(\s*" + _REL + r"\s*,\s*[\"'][wax]|(?:Filename\s*:|filename\s*=)\s*" + _REL)
# a literal joined with more: `filepath.Join("/data", name)`, `"/data/" + name`, `Path("/data") / name`
_JOINED = lazy_re.compile(r"(?:[Jj]oin|resolve|Path)\(\s*$")
_WRITE_VAR = lazy_re.compile(r"(?i)^(?:\w+_)?(?:LOG|LOGS|DATA|STORAGE|UPLOAD|UPLOADS|CACHE|STATE|DB|DATABASE|SQLITE|MEDIA|"
                             r"OUTPUT|BACKUP|DOWNLOAD|SESSION|WORK)_?(?:DIR|PATH|FOLDER|ROOT|FILE|LOCATION|HOME)$")
# any other folder-named variable (STORE_DIR, BASE_DIR, NOTES_ROOT) counts where a source file
# that reads it also makes folders or writes files
_DIR_VAR = lazy_re.compile(r"(?i)^\w*_?(?:DIR|FOLDER|ROOT|PATH)$")
_TEST_FILE = lazy_re.compile(r"(^|/)(tests?|__tests__|testdata|spec|src/test)/|_test\.go$|(^|/)test_[^/]*\.py$|"
                             r"_test\.py$|\.(test|spec)\.[cm]?[jt]s$")
MAX_FILES = 3000


@record(frozen=True)
class Place:
    path: str       # a folder the app writes in (or a mount point)
    why: str        # what says so, for the report
    mount: bool = False     # a volume's mount point: it must exist in the image


@record
class Reach:
    create: list[Place]     # folders to create owned by the new user
    blocked: list[str]      # why only root can do what the original did


def assess(facts: StageFacts, plan: BuildPlan) -> Reach:
    """What the new user would need (read once per conversion: choose_user and finish both ask)."""
    if "reach" not in facts.memo:
        facts.memo["reach"] = _assess(facts, plan)
    return facts.memo["reach"]


def root_needed(facts: StageFacts, plan: BuildPlan) -> str | None:
    """Why the runtime must keep root to do what the original did, or None."""
    blocked = assess(facts, plan).blocked
    return "; ".join(blocked[:3]) if blocked else None


def _assess(facts: StageFacts, plan: BuildPlan) -> Reach:
    create: dict[str, Place] = {}
    blocked: list[str] = []
    for place in _written_by_code(facts, plan) + _written_by_env(facts, plan) + _written_by_flags(facts):
        _sort(place, create, blocked)
    mounted = _mounted_workdir(facts, plan)
    if mounted:
        blocked.append(mounted)
    from msbrewrite.rules.compose_usage import mounts
    for m in mounts(facts):
        if m.kind == "volume":
            _sort(Place(m.target, f"{m.shown}: a new volume takes its owner from the image's folder", True),
                  create, blocked)
        elif m.kind == "bind":
            why = _unreadable_bind(facts, m)
            if why:
                blocked.append(why)
    return Reach(list(create.values()), list(dict.fromkeys(blocked)))


# a data or config file named by the start command (`json-server db.json`, `app config.yaml`)
_DATA_FILE = lazy_re.compile(r"[\w-][\w.-]*\.(?:json|db|sqlite3?|ya?ml|toml|ini|conf|cfg|csv|txt|xml|env)")


def _mounted_workdir(facts: StageFacts, plan: BuildPlan) -> str | None:
    """Why the app's working directory is a host folder mounted at run time: the image puts nothing
    there (no COPY/ADD into it) and the start command names a file in it that no line of the build
    makes (`WORKDIR /data` + `json-server db.json`). The host decides who may write there, so the
    runtime keeps the original's user."""
    wd = posixpath.normpath(plan.workdir or facts.workdir or "/")
    if wd == "/" or wd in SYSTEM_DIRS:
        return None
    inside = wd.rstrip("/") + "/"
    if any(not cp.from_stage and (posixpath.normpath(cp.dest) + "/").startswith(inside) for cp in facts.copies):
        return None
    argv = start_argv(facts)
    runs = " ".join(step.ins.args for step in facts.steps if step.ins.keyword == "RUN")
    for word in argv[1:]:
        if _DATA_FILE.fullmatch(word) and word not in runs:
            return (f"the app's working directory {wd} gets {word} from a mount at run time (no line of the build "
                    "puts it in the image), and the host decides who may write there")
    return None


def _sort(place: Place, create: dict[str, Place], blocked: list[str]) -> None:
    path = posixpath.normpath(place.path)
    if any(path == t or path.startswith(t + "/") for t in OPEN_TREES):
        return
    if path in SYSTEM_DIRS or path.startswith(SYSTEM_TREES):
        blocked.append(f"the app writes in {path} ({place.why}), a folder of the base image that only root may write")
        return
    create.setdefault(path, Place(path, place.why, place.mount))


def _written_by_code(facts: StageFacts, plan: BuildPlan) -> list[Place]:
    """Folders named by a path in a write call of the app's own code: an absolute literal, or a
    relative one resolved against the runtime's working directory (`/` without a WORKDIR)."""
    from msbrewrite.rules.runtime_programs import SOURCE_SUFFIXES
    suffixes = SOURCE_SUFFIXES.get(plan.language)
    if not suffixes or not facts.context:
        return []
    cwd = plan.workdir or "/"
    out = []
    for rel in facts.context.files()[:MAX_FILES]:
        if not rel.endswith(suffixes) or _TEST_FILE.search(rel):
            continue
        lines = (facts.context.read(rel) or "").splitlines()
        for n, line in enumerate(lines, 1):
            if line.lstrip().startswith(("//", "#", "*", "/*")) or not _WRITE_CALL.search(line):
                continue
            before = lines[n - 2] if n > 1 else ""
            for m in _PATH_LITERAL.finditer(line):
                out.append(Place(_folder_of(line, m.group(1), m.start(), m.end(), before), f"{rel}:{n}"))
            for m in _RELATIVE_WRITE.finditer(line):
                i = next(g for g in (1, 2, 3) if m.group(g))
                path = posixpath.normpath(posixpath.join(cwd, m.group(i)))
                out.append(Place(_folder_of(line, path + "/" * m.group(i).endswith("/"), m.start(i) - 1,
                                            m.end(i) + 1, before, m.group(i)), f"{rel}:{n}"))
    return out


def _folder_of(line: str, path: str, start: int, end: int, before: str, literal: str = "") -> str:
    """The folder a path literal in a write call names: itself for a mkdir, a trailing `/` or a join,
    else its parent (the file's folder). A mkdir that fails on a folder already there (unless the
    line before checks for it) names the parent: the app makes the folder itself, in there."""
    after = line[end:].lstrip()
    if _MAKES_DIR.search(line[:start]):
        guarded = _CHECKS_EXISTS.search(before) and (literal or path) in before
        if _TOLERATES_EXISTING.search(line) or guarded:
            return path.rstrip("/") or "/"
        return posixpath.dirname(path.rstrip("/")) or "/"
    if path.endswith("/") or _JOINED.search(line[:start]) or after.startswith(("+", "/")):
        return path.rstrip("/") or "/"
    return posixpath.dirname(path)


def _written_by_env(facts: StageFacts, plan: BuildPlan) -> list[Place]:
    """Absolute paths in the runtime's variables named for writing (DATA_DIR, LOG_FILE, UPLOAD_FOLDER)
    that the app reads (its sources name them; every one without the context)."""
    from msbrewrite.model.dockerfile import parse_key_values
    out = []
    for line in plan.runtime_env + plan.start_env:
        for key, value in parse_key_values(line.split(None, 1)[1] if " " in line else ""):
            if not value.startswith("/") or "$" in value or value.startswith(("/etc", "/usr", "/proc", "/sys")):
                continue
            if _WRITE_VAR.match(key):
                if facts.context and not _named_in_sources(facts, key, plan.language):
                    continue
            elif not (facts.context and key != "PATH" and _DIR_VAR.match(key)
                      and _named_in_sources(facts, key, plan.language, writing=True)):
                continue
            file_like = key.upper().endswith("FILE") or "." in posixpath.basename(value)
            out.append(Place(posixpath.dirname(value) if file_like else value, f"ENV {key}"))
    return out


# a start-command option that names where the app keeps its data: `--data=/data`, `--db /srv/app.db`,
# `-log-file /var/log/app/app.log`, `--state-dir /var/lib/app`
_WRITE_FLAG = lazy_re.compile(r"(?i)^--?(?:[a-z]+[-_])?(?:data|db|database|storage|store|state|cache|logs?|uploads?|"
                              r"output|media|backups?|downloads?|sessions?|sqlite|work)(?:[-_]?(?:dir|directory|path|"
                              r"folder|root|file|location|home))?$")


def _written_by_flags(facts: StageFacts) -> list[Place]:
    """Absolute paths the start command passes in options named for data (`CMD ["/usr/bin/links",
    "--data=/data"]`): the app keeps its data there, so the folder is made for the new user (a
    file's folder, for a path with an extension or a *-file option)."""
    argv = start_argv(facts)
    out = []
    for i, word in enumerate(argv[1:], 1):
        name, eq, value = word.partition("=")
        if not eq:
            value = argv[i + 1] if i + 1 < len(argv) else ""
        if not _WRITE_FLAG.match(name) or not value.startswith("/") or "$" in value or \
                value.startswith(("/etc", "/usr", "/proc", "/sys", "/dev")):
            continue
        file_like = name.lower().endswith("file") or "." in posixpath.basename(value)
        out.append(Place(posixpath.dirname(value) if file_like else value.rstrip("/") or "/",
                         f"the start command's {name}"))
    return out


def _named_in_sources(facts: StageFacts, key: str, language: str, writing: bool = False) -> bool:
    """Whether a source file names `key` (and, with `writing`, also writes a file or makes a folder)."""
    from msbrewrite.rules.runtime_programs import SOURCE_SUFFIXES
    # a write needs code; a mere mention may sit in a script or a config file
    suffixes = SOURCE_SUFFIXES.get(language, ()) + (
        () if writing else (".sh", ".yml", ".yaml", ".toml", ".json", ".ini", ".conf", ".cfg"))
    pattern = re.compile(rf"(?<![\w]){re.escape(key)}(?![\w])")
    for rel in facts.context.files()[:MAX_FILES]:
        if not rel.endswith(suffixes) or _TEST_FILE.search(rel):
            continue
        text = facts.context.read(rel) or ""
        if pattern.search(text) and (not writing or _WRITE_CALL.search(text)):
            return True
    return False


def _unreadable_bind(facts: StageFacts, m) -> str | None:
    """Why a bind mount may be out of the new user's reach (the host decides its owner), or None."""
    source = m.source
    if source.startswith("/"):
        if any(source == p or source.startswith(p + "/") for p in WORLD_READABLE):
            return None
        if source.endswith("docker.sock"):
            return f"{m.shown} mounts the Docker socket, which only root and the host's docker group may use"
        return f"{m.shown} mounts the host's {source}, whose owner and mode only the host knows"
    if source.startswith("~"):
        return f"{m.shown} mounts {source} from a host account's home, readable by that account"
    rel = posixpath.normpath(source)
    if m.read_only or (not rel.startswith("..") and facts.context and facts.context.exists(rel)
                       and not facts.context.is_dir(rel)):
        return None     # a checkout's files and read-only folders are readable by every account
    return (f"{m.shown} mounts the host folder {source}, which the app may write: it belongs to a host account "
            "(to root when Docker creates it)")


def make_reachable(facts: StageFacts, plan: BuildPlan, owner: str | None) -> None:
    """With a user msb introduced (`owner`): open /root when the app lives there, and create the
    folders the app writes, owned by that user."""
    if owner is None:
        return
    _open_root(facts, plan)
    _create_places(facts, plan, owner)


def _open_root(facts: StageFacts, plan: BuildPlan) -> None:
    """/root is 700 in every base image: an app under it stops with EACCES before it starts. Copying a
    711 /root entry over it lets the new user pass through without listing root's files."""
    paths = [plan.workdir or ""] + [a.dest for a in plan.artifacts] + [p.path for p in assess(facts, plan).create]
    if not any(p.startswith("/root/") for p in paths):
        return
    plan.builder_append.append("# /root is 700: the runtime user passes through it to reach the app (711 keeps "
                               f"root's files unlisted)\nRUN mkdir -p {REACH_ROOT}/root && chmod 711 {REACH_ROOT}/root")
    plan.copy(REACH_ROOT + "/", "/", "/root opened for the runtime user")
    plan.decisions.append("the app lives under /root (mode 700): /root becomes 711 in the runtime, so the runtime "
                          "user reaches it")


def volume_paths(facts: StageFacts) -> list[str]:
    """The absolute mount points the stage's VOLUME lines declare, in order, once."""
    from msbrewrite.model.shell import split_words
    paths = []
    for ins in facts.stage.instructions:
        if ins.keyword == "VOLUME":
            words = list(ins.json_args) if ins.json_args is not None else split_words(ins.args)
            # Docker mounts a relative VOLUME path from `/`, whatever the WORKDIR (`VOLUME app/data`
            # is /app/data)
            paths += [posixpath.normpath("/" + w.lstrip("/")) for w in words if w.strip("/") and "$" not in w]
    return list(dict.fromkeys(paths))


def _create_places(facts: StageFacts, plan: BuildPlan, owner: str) -> None:
    staged = [d.rstrip("/") for d in plan.extra.get("staged_app_dirs", [])]
    # a VOLUME's mount point is made by the VOLUME rule, which also warns about volumes root wrote
    taken = {a.dest.rstrip("/") for a in plan.artifacts} | set(volume_paths(facts))
    new = []
    for place in assess(facts, plan).create:
        path = place.path
        if path in taken or any(t.startswith(path + "/") for t in taken):
            continue
        if any(path.startswith(d + "/") or path == d for d in staged) and \
                (not place.mount or _exists_in_context(facts, path)):
            continue    # inside the app's folder, which the runtime user owns: it may make it itself
        new.append(place)
    if not new:
        return
    paths = [p.path for p in new]
    plan.builder_append.append("# folders the app writes, created so the runtime user owns them\n"
                               f"RUN mkdir -p {sh_words(paths)}")
    for place in new:
        plan.copy(place.path, place.path, "folder the app writes, owned by the runtime user", chown=owner)
    plan.decisions.append("the app writes in " + ", ".join(f"{p.path} ({p.why})" for p in new)
                          + f": created owned by {owner}, as a root original could write there")
    if facts.user is None or is_root_user(facts.user):
        warn_existing_volumes(plan, [p.path for p in new if p.mount], owner)


def warn_existing_volumes(plan: BuildPlan, paths: list[str], owner: str) -> None:
    """A new volume takes its owner from the image, but one the root original already wrote keeps
    root's files: the converted app cannot write them until they are handed over, once."""
    if not paths:
        return
    uid = owner.split(":")[0]
    shown = " ".join(paths[:3]) + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")
    plan.warnings.append(f"a volume at {shown} that the original (root) already wrote keeps files only root may "
                         f"write: hand them over once before the converted image uses it (`docker run --rm --user 0 "
                         f"-v VOLUME:{paths[0]} IMAGE chown -R {uid} {paths[0]}`), or keep root with --user root")


def _exists_in_context(facts: StageFacts, path: str) -> bool:
    rel = facts.context_path(path)
    return bool(rel is not None and facts.context and facts.context.is_dir(rel)
                and any(f.startswith(rel.rstrip("/") + "/") for f in facts.context.files()))
