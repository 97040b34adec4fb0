#!/usr/bin/env python3
"""Fidelity sweep over the real source trees in ../shared/realworld (MSB_REALWORLD).

    python benchmarks/realworld.py [--only NAME]... [--jobs N] [--json OUT] [--no-build]
                                   [--msb-python PY] [--msb-path DIR]

For every row of the tree collection's MANIFEST.tsv: run `msb convert --context <context> --json`
and record converted / refused (with the reason code). For the rows that can be built here (their
dependencies come from npm/PyPI or nowhere, no other download, no COPY source missing, and the lab
has a stand-in for every base), build the original and the converted Dockerfile on the lab engine
with `msb verify --converted` and compare what the two images do: the same HTTP status on `/` and
on routes found in the app's sources, the page's scripts and stylesheets served, the same exit
code and output for a program without a port. A row is `same`, `different` (with a first guess
at the cause from the logs and the probe: read the app to confirm) or `inconclusive` (the original
itself does not work here, e.g. it needs a database). The build copies drop digests and say
Alpine's BusyBox `adduser`/`addgroup` and `apk add` of run-time libraries in Debian's words,
because the lab's `*-alpine` tags are Debian images.

`--msb-python`/`--msb-path` choose the msb that runs (default: this interpreter and this checkout),
so the sweep can measure another checkout: `--msb-path /work/main`. Not a test: it prints a table
and writes JSON (default /tmp/msb-realworld/realworld.json). Needs the lab engine for the builds
(DOCKER_HOST, default unix:///tmp/dockerd.sock; MSB_DOCKER picks the client).
"""
from __future__ import annotations

import argparse
import collections
import concurrent.futures
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("MSB_SHARED", ROOT.parent / "shared"))
REALWORLD = Path(os.environ.get("MSB_REALWORLD", SHARED / "realworld"))
LAB = Path(os.environ.get("MSB_LAB", SHARED / "lab"))
LAB_SOCKET = "/tmp/dockerd.sock"
ENTRY = "from msbrewrite.cli.entry import main; main()"

# the dependency classes whose builds reach only npm, PyPI and Debian (see the collection's README)
BUILDABLE_CLASSES = ("npm/PyPI only", "no external deps")
# note items that describe the tree without stopping a build here; any other item blocks it
HARMLESS_NOTES = (
    re.compile(r"package\.json: \d+ dep"), re.compile(r"^deps in "), re.compile(r"has no lab stand-in$"),
    re.compile(r"^no go\.mod"), re.compile(r"^Cargo\.toml: no crate deps"), re.compile(r"node_modules is committed"),
    re.compile(r"compose"),
)
FROM_RE = re.compile(r"^(\s*FROM\s+(?:--\S+\s+)*)(\S+?)@sha256:[0-9a-fA-F]+", re.IGNORECASE | re.MULTILINE)


# --------------------------------------------------------------------------- the collection

@dataclass
class Row:
    kind: str
    name: str
    repo: str
    dockerfile: str
    context: str
    notes: list[str]

    @property
    def tree(self) -> Path:
        return REALWORLD / self.kind / self.name

    @property
    def dockerfile_path(self) -> Path:
        return self.tree / self.dockerfile

    @property
    def context_path(self) -> Path:
        return self.tree / self.context


def read_manifest(root: Path = None) -> list[Row]:
    root = root or REALWORLD
    rows = []
    with open(root / "MANIFEST.tsv", encoding="utf-8") as fh:
        header = fh.readline().rstrip("\n").split("\t")
        for line in fh:
            if not line.strip():
                continue
            cells = dict(zip(header, line.rstrip("\n").split("\t")))
            rows.append(Row(cells["kind"], cells["name"], cells["repo"], cells["dockerfile"], cells["context"],
                            [n.strip() for n in cells.get("notes", "").split("; ") if n.strip()]))
    return rows


def build_blocker(row: Row) -> str | None:
    """Why this row cannot be built on the lab engine, from its notes (None: it can)."""
    if not row.notes or not row.notes[0].startswith(BUILDABLE_CLASSES):
        return row.notes[0] if row.notes else "no notes"
    for note in row.notes[1:]:
        if not any(p.search(note) for p in HARMLESS_NOTES):
            return note
    return None


def strip_digests(text: str) -> str:
    """FROM name@sha256:... -> FROM name: the lab aliases tags, never digests."""
    return FROM_RE.sub(lambda m: m.group(1) + m.group(2), text)


_BUSYBOX_USER = re.compile(r"\b(addgroup|adduser)((?:[ \t]+(?!&&|\|\||;|\\)[^ \t\n;&|]+)+)")
_BUSYBOX_VALUE_FLAGS = {"addgroup": set("g"), "adduser": set("hgsGuk")}


def debian_user_commands(text: str) -> str:
    """Alpine's BusyBox `addgroup -S` / `adduser -S -D ...` as Debian's groupadd/useradd.

    The lab's `*-alpine` tags are Debian images, where those flags do not exist; the user and group
    they make are the same either way, and they are what this sweep wants to test (who owns and
    can write the app's files), not BusyBox."""
    def one(m: re.Match) -> str:
        command, words = m.group(1), m.group(2).split()
        if any(w.startswith("--") for w in words):
            return m.group(0)   # Debian's own adduser
        flags, positional, i = {}, [], 0
        while i < len(words):
            w = words[i]
            if w.startswith("-") and len(w) > 1:
                for j, ch in enumerate(w[1:]):
                    if ch in _BUSYBOX_VALUE_FLAGS[command]:
                        rest = w[j + 2:]
                        flags[ch] = rest if rest else (words[i + 1] if i + 1 < len(words) else "")
                        i += 0 if rest else 1
                        break
                    flags[ch] = True
            else:
                positional.append(w)
            i += 1
        if not positional:
            return m.group(0)
        system = " -r" if flags.get("S") else ""
        if command == "addgroup":
            if len(positional) == 2:
                return f"usermod -a -G {positional[1]} {positional[0]}"
            gid = f" -g {flags['g']}" if isinstance(flags.get("g"), str) else ""
            return f"groupadd{system}{gid} {positional[0]}"
        name = positional[0]
        group = flags.get("G") if isinstance(flags.get("G"), str) else (positional[1] if len(positional) > 1 else None)
        parts = ["useradd" + system]
        if isinstance(flags.get("u"), str):
            parts.append(f"-u {flags['u']}")
        parts.append(f"-g {group}" if group else f"$(getent group {name} >/dev/null && echo '-g {name}' || echo -U)")
        home = flags.get("h") if isinstance(flags.get("h"), str) else f"/home/{name}"
        parts.append(f"-d {home} -M" if flags.get("H") else f"-d {home} -m")
        if isinstance(flags.get("s"), str):
            parts.append(f"-s {flags['s']}")
        return " ".join(parts + [name])

    return _BUSYBOX_USER.sub(one, text)


# Alpine package -> Debian package, for the few run-time libraries msb installs on Alpine bases
ALPINE_TO_DEBIAN = {"openssl": "openssl", "libpq": "libpq5", "ca-certificates": "ca-certificates", "git": "git",
                    "tzdata": "tzdata", "curl": "curl", "bash": "bash", "tini": "tini", "libstdc++": "libstdc++6",
                    "libgcc": "libgcc-s1", "sqlite-libs": "libsqlite3-0", "libffi": "libffi8", "dumb-init": "dumb-init"}
_APK_ADD = re.compile(r"\bapk add((?:[ \t]+--?[a-z-]+)*)((?:[ \t]+[a-z0-9][a-z0-9+._-]*)+)[ \t]*$", re.M)


def debian_packages(text: str) -> str:
    """`apk add` of known run-time libraries as `apt-get install`: the `*-alpine` aliases are
    Debian, and no Alpine repository answers here. Other apk lines stay (and fail)."""
    def one(m: re.Match) -> str:
        if "--virtual" in m.group(1):
            return m.group(0)
        names = m.group(2).split()
        if not all(n in ALPINE_TO_DEBIAN for n in names):
            return m.group(0)
        debs = " ".join(ALPINE_TO_DEBIAN[n] for n in names)
        return ("apt-get update && apt-get install -y --no-install-recommends " + debs +
                " && rm -rf /var/lib/apt/lists/*")
    return _APK_ADD.sub(one, text)


def for_the_lab(text: str) -> str:
    """The build copy of a Dockerfile: no digests, BusyBox user commands and Alpine run-time
    packages in Debian's words (the lab's `*-alpine` tags are Debian images)."""
    return debian_packages(debian_user_commands(strip_digests(text)))


def from_images(text: str) -> list[str]:
    """Images (not earlier stages, not scratch, no unexpanded ARG) the file's FROM lines name."""
    stages, images = set(), []
    for line in text.splitlines():
        words = line.split()
        if not words or words[0].upper() != "FROM":
            continue
        words = [w for w in words[1:] if not w.startswith("--")]
        if not words:
            continue
        ref = words[0]
        if len(words) >= 3 and words[1].upper() == "AS":
            stages.add(words[2].lower())
        if ref.lower() in stages or ref == "scratch" or "$" in ref:
            continue
        images.append(ref)
    return images


# --------------------------------------------------------------------------- routes in the app

_JS_ROUTE = re.compile(r"""\.(?:get|all)\(\s*['"`](/[^'"`\s]*)['"`]""")
_PY_ROUTE = re.compile(r"""@\w+(?:\.\w+)*\.(?:route|get|api_route)\(\s*['"](/[^'"\s]*)['"]""")
_DJANGO_ROUTE = re.compile(r"""\b(?:path|re_path)\(\s*r?['"]\^?([^'"$<(]*)\$?['"]""")
_SKIP_DIRS = {"node_modules", ".git", "dist", "build", "venv", ".venv", "__pycache__", "test", "tests", "coverage"}


def find_routes(context: Path, limit: int = 5) -> list[str]:
    """GET routes without parameters that the app's sources declare (Express/Koa/Nest-style
    `.get('/x')`, Flask/FastAPI decorators, Django `path('x/')`): the paths verify compares."""
    found: list[str] = []
    for path in sorted(context.rglob("*")):
        if len(found) >= 4 * limit:
            break
        if any(part in _SKIP_DIRS for part in path.relative_to(context).parts[:-1]) or not path.is_file():
            continue
        if path.suffix in (".js", ".mjs", ".cjs", ".ts"):
            patterns = [_JS_ROUTE]
        elif path.suffix == ".py":
            patterns = [_PY_ROUTE] + ([_DJANGO_ROUTE] if path.name == "urls.py" else [])
        else:
            continue
        try:
            text = path.read_text(encoding="utf-8", errors="replace")[:200_000]
        except OSError:
            continue
        for pattern in patterns:
            for match in pattern.finditer(text):
                route = match.group(1)
                if pattern is _DJANGO_ROUTE:
                    if not route or "admin" in route:
                        continue
                    route = "/" + route
                if any(c in route for c in ":*<{[?\\$"):
                    continue
                found.append(route)
    routes = [r for r in dict.fromkeys(found) if r != "/"]
    return ["/"] + sorted(routes, key=lambda r: (r.count("/"), len(r)))[:limit]


_EXPOSE = re.compile(r"^\s*EXPOSE\b", re.I | re.M)
_PORT_FLAGS = {"--port", "-p", "--bind", "-b", "--server.port", "--listen"}
_ENV_PORT = re.compile(r"^\s*ENV\s+PORT[= ](\d{2,5})\s*$", re.I | re.M)


def server_port(original: str, converted: str) -> int | None:
    """None: a program to run and compare (no port anywhere). 0: a server on the ports its image
    EXPOSEs. N: a server whose start command (or ENV PORT) names port N but that exposes none."""
    if _EXPOSE.search(original) or _EXPOSE.search(converted):
        return 0
    start = [ln for ln in original.splitlines() if ln.strip().upper().startswith(("CMD", "ENTRYPOINT"))]
    for ln in reversed(start):
        words = re.findall(r"[^\s\"',\[\]]+", ln)
        for i, word in enumerate(words):
            flag, _, value = word.partition("=")
            if flag in _PORT_FLAGS:
                value = value or (words[i + 1] if i + 1 < len(words) else "")
            elif not re.fullmatch(r"(?:\d+\.\d+\.\d+\.\d+|0|localhost)?:\d{2,5}", word):
                continue
            digits = value.rpartition(":")[2] if flag in _PORT_FLAGS else word.rpartition(":")[2]
            if digits.isdigit():
                return int(digits)
    m = _ENV_PORT.search(original)
    return int(m.group(1)) if m else None


# A check run next to each server (in the probe, $PORT set): every same-site script and stylesheet
# the page at / references must answer 200, so a frontend whose assets were not copied fails.
ASSET_CHECK = (
    'page=$(curl -sL --max-time 10 "http://127.0.0.1:$PORT/"); bad=0; n=0; '
    'for ref in $(printf "%s" "$page" | grep -oE "(src|href)=\\"/[^\\"#?]+\\.(js|css)" | cut -d\\" -f2 | sort -u); do '
    'code=$(curl -s -o /dev/null --max-time 10 -w "%{http_code}" "http://127.0.0.1:$PORT$ref"); '
    '[ "$code" = 200 ] || { echo "asset $ref: $code"; bad=1; }; n=$((n+1)); done; echo "assets checked: $n"; exit $bad'
)


# --------------------------------------------------------------------------- causes

CAUSES = (
    ("non-root user cannot write", re.compile(r"EACCES|Permission denied|PermissionError|permission denied|"
                                              r"unable to open database file|Read-only file system", re.I)),
    ("file not copied", re.compile(r"Cannot find module|MODULE_NOT_FOUND|ModuleNotFoundError|No module named|"
                                   r"ENOENT|FileNotFoundError|No such file or directory|TemplateNotFound|"
                                   r"Could not import|ImportError|ERR_MODULE_NOT_FOUND", re.I)),
    ("program missing in runtime", re.compile(r"executable file not found|command not found|not found in \$PATH|"
                                              r"exec: .*: not found|: not found$", re.I | re.M)),
    ("shared library missing", re.compile(r"error while loading shared libraries|cannot open shared object", re.I)),
    ("wrong runtime version", re.compile(r"SyntaxError|Unsupported engine|requires a different Python|"
                                         r"UnsupportedClassVersionError", re.I)),
)


def guess_cause(lines: list[str]) -> str | None:
    text = "\n".join(lines)
    for cause, pattern in CAUSES:
        if pattern.search(text):
            return cause
    return None


# --------------------------------------------------------------------------- running msb

@dataclass
class Msb:
    python: str = sys.executable
    path: str | None = None        # prepended to PYTHONPATH: the checkout whose msbrewrite runs

    def env(self, base: dict | None = None) -> dict:
        env = dict(base if base is not None else os.environ)
        if self.path:
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [self.path, env.get("PYTHONPATH")]))
        return env

    def run(self, args: list[str], env: dict | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
        # cwd is a neutral directory: `python -c` puts the working directory first on sys.path
        return subprocess.run([self.python, "-c", ENTRY, *args], capture_output=True, text=True,
                              env=self.env(env), cwd=tempfile.gettempdir(), timeout=timeout, errors="replace")

    def location(self) -> str:
        """Where the msbrewrite that runs lives, and its commit when it is a git checkout."""
        proc = subprocess.run([self.python, "-c", "import msbrewrite, os; print(os.path.dirname(msbrewrite.__file__))"],
                              capture_output=True, text=True, env=self.env(), cwd=tempfile.gettempdir())
        where = proc.stdout.strip() or proc.stderr.strip()
        commit = subprocess.run(["git", "-C", where, "log", "-1", "--format=%h %cI"], capture_output=True, text=True)
        return f"{where} (commit {commit.stdout.strip()})" if commit.returncode == 0 else where


@dataclass
class Outcome:
    kind: str
    name: str
    status: str = ""                # converted | refused | unchanged | crashed
    exit_code: int | None = None
    reason_code: str | None = None
    reason: str | None = None
    runtime_base: str | None = None
    warnings: list[str] = field(default_factory=list)
    buildable: bool = False
    blocker: str | None = None      # why the tree is not built here
    paths: list[str] = field(default_factory=list)
    original_build: str | None = None    # ok | failed | -
    converted_build: str | None = None
    behaves: str | None = None            # same | different | n/a
    detail: str | None = None             # verify's smoke detail or the failing step
    cause: str | None = None              # a first guess from the logs
    original_log: list[str] = field(default_factory=list)
    converted_log: list[str] = field(default_factory=list)
    sizes: dict = field(default_factory=dict)
    seconds: float = 0.0
    workdir_writable: list[str] = field(default_factory=list)   # [original, converted]: yes | no | ?


def convert_row(msb: Msb, row: Row, out_dir: Path) -> tuple[Outcome, str | None]:
    outcome = Outcome(row.kind, row.name)
    proc = msb.run(["convert", str(row.dockerfile_path), "--context", str(row.context_path), "--json", "--quiet"])
    outcome.exit_code = proc.returncode
    try:
        data = json.loads(proc.stdout)
    except json.JSONDecodeError:
        outcome.status, outcome.reason_code = "crashed", "internal"
        outcome.reason = (proc.stderr.strip().splitlines() or ["no output"])[-1][:300]
        return outcome, None
    outcome.status = data.get("status") or "crashed"
    outcome.reason_code, outcome.reason = data.get("reason_code"), data.get("reason")
    outcome.runtime_base = data.get("runtime_base")
    outcome.warnings = list(data.get("warnings") or [])
    text = data.get("text") if outcome.status == "converted" else None
    if text is not None:
        (out_dir / f"{row.name}.converted.Dockerfile").write_text(text, encoding="utf-8")
    return outcome, text


# --------------------------------------------------------------------------- building

def engine_env() -> tuple[dict | None, str]:
    host = os.environ.get("DOCKER_HOST") or (f"unix://{LAB_SOCKET}" if os.path.exists(LAB_SOCKET) else None)
    if not host:
        return None, f"no Docker engine: DOCKER_HOST unset and no {LAB_SOCKET}"
    client = os.environ.get("MSB_DOCKER") or ("/usr/bin/docker" if os.access("/usr/bin/docker", os.X_OK)
                                              else shutil.which("docker") or "docker")
    env = dict(os.environ, DOCKER_HOST=host, MSB_DOCKER=client, DOCKER_BUILDKIT="1")
    try:
        proc = subprocess.run([client, "version", "--format", "{{.Server.Version}}"], env=env,
                              capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, f"no Docker engine answers on {host}: {exc}"
    if proc.returncode != 0:
        return None, f"no Docker engine answers on {host}: {proc.stderr.strip()[:200]}"
    if subprocess.run([client, "image", "inspect", "msb-e2e/probe:1"], env=env, capture_output=True).returncode:
        return None, f"the lab's probe image msb-e2e/probe:1 is missing: run {LAB}/images.sh"
    return env, ""


_ALIAS_LOCK = threading.Lock()


def provide_bases(env: dict, files: list[Path]) -> str | None:
    """Tag lab stand-ins under the public names the files use; the first image still missing."""
    with _ALIAS_LOCK:
        subprocess.run([str(LAB / "aliases.sh"), "--from", *map(str, files)], env=env, capture_output=True,
                       text=True, timeout=600)
        for f in files:
            for image in from_images(f.read_text(encoding="utf-8")):
                if subprocess.run([env["MSB_DOCKER"], "image", "inspect", image], env=env,
                                  capture_output=True).returncode:
                    return image
    return None


def build_and_compare(msb: Msb, env: dict, row: Row, converted_text: str, outcome: Outcome, work: Path,
                      timeout: float) -> None:
    original = work / f"{row.name}.original.Dockerfile"
    converted = work / f"{row.name}.converted.build.Dockerfile"
    original.write_text(for_the_lab(row.dockerfile_path.read_text(encoding="utf-8")), encoding="utf-8")
    converted.write_text(for_the_lab(converted_text), encoding="utf-8")
    missing = provide_bases(env, [original, converted])
    if missing:
        outcome.buildable, outcome.blocker = False, f"no lab stand-in for {missing}"
        return
    port = server_port(original.read_text(encoding="utf-8"), converted_text)
    if port is not None:
        outcome.paths = find_routes(row.context_path)
    start = time.monotonic()
    report = verify(msb, env, row, original, converted, port, outcome.paths, timeout)
    smoke = (report or {}).get("smoke") or {}
    if smoke.get("mode") == "server" and (smoke.get("original") or {}).get("port") is None \
            and (smoke.get("original") or {}).get("stayed_up"):
        # the original runs but answers on none of its EXPOSEd ports: ask it on the one it logged
        logged = logged_port(smoke["original"].get("logs") or [])
        if logged:
            remove_images(env, report)
            report = verify(msb, env, row, original, converted, logged, outcome.paths, timeout)
    outcome.seconds = round(time.monotonic() - start, 1)
    if report is None:
        outcome.original_build = outcome.converted_build = "-"
        outcome.behaves, outcome.detail = "n/a", "verify printed no JSON"
        return
    try:
        judge(report, outcome)
        if outcome.sizes.get("converted") and outcome.runtime_base:
            # the floor: no conversion onto this base can be smaller than the base itself
            outcome.sizes["runtime_base"] = image_size(env, outcome.runtime_base.split("@")[0])
        images = [(report.get(role) or {}).get("image") for role in ("original", "converted")]
        # only where the app still lives in the same WORKDIR (a site moved to nginx writes nothing there)
        if all(images) and len({workdir(env, image) for image in images}) == 1:
            outcome.workdir_writable = [workdir_writable(env, image) for image in images]
    finally:
        (work / f"{row.name}.verify.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
        remove_images(env, report)


def verify(msb: Msb, env: dict, row: Row, original: Path, converted: Path, port: int | None, paths: list[str],
           timeout: float) -> dict | None:
    """`msb verify --json` on the two build copies; its report, images kept (None: no report)."""
    args = ["verify", str(original), "--converted", str(converted), "--context", str(row.context_path),
            "--json", "--quiet", "--timeout", str(timeout), "--keep-images"]
    if port is not None:
        # a server: compare / and the app's own routes, and check the page's assets
        args += ["--mode", "server", "--smoke-cmd", ASSET_CHECK] + (["--port", str(port)] if port else [])
        for p in paths:
            args += ["--path", p]
    else:
        args += ["--mode", "cli"]
    proc = msb.run(args, env=env, timeout=3600)
    try:
        return json.loads(proc.stdout)
    except json.JSONDecodeError:
        return None


def remove_images(env: dict, report: dict | None) -> None:
    images = [((report or {}).get(role) or {}).get("image") for role in ("original", "converted")]
    if any(images):
        subprocess.run([env["MSB_DOCKER"], "rmi", "-f", *filter(None, images)], env=env, capture_output=True)


_LOGGED_PORT = re.compile(r"(?:listen|running|started|serving|server|port|http://)[^\n]{0,60}?[: ](\d{2,5})\b", re.I)


def logged_port(lines: list[str]) -> int | None:
    """The port a server says it listens on ("App listening on 8080", "Running on http://0.0.0.0:5000")."""
    for line in lines:
        m = _LOGGED_PORT.search(line)
        if m and 1 <= int(m.group(1)) <= 65535:
            return int(m.group(1))
    return None


def workdir(env: dict, image: str) -> str:
    proc = subprocess.run([env["MSB_DOCKER"], "image", "inspect", "-f", "{{.Config.WorkingDir}}", image], env=env,
                          capture_output=True, text=True)
    return proc.stdout.strip() or "/"


WRITE_CHECK = 'touch .msb-write-check 2>/dev/null && echo yes || echo no'


def workdir_writable(env: dict, image: str) -> str:
    """Can the image's user write its WORKDIR? (yes, no, or ? without a shell.) Apps write logs,
    SQLite files and uploads there; the original ran as root and could."""
    try:
        proc = subprocess.run([env["MSB_DOCKER"], "run", "--rm", "--network=none", "--label", "msb-realworld=1",
                               "--entrypoint", "sh", image, "-c", WRITE_CHECK],
                              env=env, capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        return "?"
    answer = proc.stdout.strip()
    return answer if answer in ("yes", "no") else "?"


def image_size(env: dict, image: str) -> int | None:
    proc = subprocess.run([env["MSB_DOCKER"], "image", "inspect", "-f", "{{.Size}}", image],
                          env=env, capture_output=True, text=True, timeout=60)
    return int(proc.stdout) if proc.returncode == 0 and proc.stdout.strip().isdigit() else None


def size_lines(outcomes: list[Outcome]) -> list[str]:
    """Median converted/original, the median floor (runtime base/original) and every larger image."""
    pairs = [o for o in outcomes if o.sizes.get("original") and o.sizes.get("converted")]
    if not pairs:
        return []
    ratios = sorted(o.sizes["converted"] / o.sizes["original"] for o in pairs)
    floors = sorted(o.sizes["runtime_base"] / o.sizes["original"] for o in pairs if o.sizes.get("runtime_base"))
    lines = [f"sizes: median converted/original {statistics.median(ratios):.3f} over {len(pairs)} pairs"
             + (f"; median floor (runtime base/original) {statistics.median(floors):.3f}" if floors else "")]
    larger = [o for o in pairs if o.sizes["converted"] > o.sizes["original"]]
    for o in larger:
        grown = o.sizes["converted"] - o.sizes["original"]
        lines.append(f"larger than the original: {o.name} +{grown / 1024:.1f} KiB")
    return lines


def judge(report: dict, outcome: Outcome) -> None:
    """Fill the build and behaviour columns from `msb verify --json`."""
    orig, conv, smoke = report.get("original") or {}, report.get("converted") or {}, report.get("smoke")
    outcome.original_build = "ok" if orig.get("ok") else ("failed" if orig.get("seconds") else "-")
    outcome.converted_build = "ok" if conv.get("ok") else ("failed" if conv.get("seconds") else "-")
    outcome.sizes = {"original": orig.get("size"), "converted": conv.get("size")}
    if not orig.get("ok"):
        outcome.behaves = "n/a"
        outcome.detail = f"original does not build: {orig.get('failing_step') or report.get('error')}"
        outcome.original_log = orig.get("log_tail") or []
        return
    if not conv.get("ok"):
        outcome.behaves = "different"
        outcome.detail = f"converted does not build: {conv.get('failing_step')}"
        outcome.converted_log = conv.get("log_tail") or []
        outcome.cause = "output does not build"
        return
    if not smoke:
        outcome.behaves, outcome.detail = "n/a", report.get("error") or "no smoke result"
        return
    before, after = smoke.get("original") or {}, smoke.get("converted") or {}
    outcome.original_log = list(before.get("logs") or before.get("output") or [])[-30:]
    outcome.converted_log = list(after.get("logs") or after.get("output") or [])[-30:]
    same, why = compare(smoke.get("mode"), before, after)
    if not original_worked(smoke.get("mode"), before):
        # nothing to compare with: the original itself needs what the lab lacks (a database, a token)
        outcome.behaves = "inconclusive"
        outcome.detail = (f"the original does not work here either; {'same' if same else 'different'} "
                          f"failure: {why}")
        return
    outcome.behaves = "same" if same else "different"
    outcome.detail = why
    if not same:
        outcome.cause = guess_cause(outcome.converted_log) or smoke_cause(why) or "unknown (read the logs)"


def smoke_cause(why: str) -> str | None:
    """A first guess from what the probe saw, when the logs say nothing."""
    if why.startswith("page assets"):
        return "page assets not served"
    m = re.match(r"GET (\S+): original (\d+), converted (\S+)", why)
    if m and m.group(2).startswith("3"):
        return "a redirect of the original is gone (base path or routing changed)"
    if m and m.group(3) == "404":
        return "a route answers 404 (file not copied or served from another root)"
    return None


def compare(mode: str | None, before: dict, after: dict) -> tuple[bool, str]:
    """Does the converted image do what the original did? (verify judges the converted image on
    its own; here a 500 that the original also gives, or an exit both make, is the same behaviour.)"""
    if mode == "server":
        if before.get("port") is not None and after.get("port") is None:
            state = "exited" if not after.get("stayed_up") else "answered on no port"
            return False, f"original answered on :{before['port']}, the converted {state} (exit {after.get('exit_code')})"
        silent = []
        for path, code in (before.get("statuses") or {}).items():
            got = (after.get("statuses") or {}).get(path)
            if code == 0 and got and got < 500:
                silent.append(path)   # the original accepted the connection but sent no HTTP in time
                continue
            if got != code:
                return False, f"GET {path}: original {code}, converted {got}"
        if before.get("stayed_up") and not after.get("stayed_up"):
            return False, f"the converted container exited (code {after.get('exit_code')}) after answering"
        if before.get("command_rc") == 0 and after.get("command_rc") not in (0, None):
            return False, "page assets: " + "; ".join(after.get("command_output") or [])[:200]
        if before.get("port") is None and after.get("port") is None:
            return True, f"neither answered (exit {before.get('exit_code')} / {after.get('exit_code')})"
        answers = ", ".join(f"{p} {c}" for p, c in (after.get("statuses") or {}).items())
        note = f" (the original sent no HTTP answer on {', '.join(silent)} in time)" if silent else ""
        return True, f"on :{after.get('port')} {answers}{note}"
    if mode == "cli":
        if before.get("exit_code") is None and after.get("exit_code") is None:
            return True, "both still running at the timeout (a server or bot without a port)"
        if before.get("exit_code") != after.get("exit_code"):
            return False, f"exit {after.get('exit_code')}, the original exited {before.get('exit_code')}"
        if program_output(before.get("stdout")) != program_output(after.get("stdout")):
            return False, "standard output differs"
        return True, f"exit {after.get('exit_code')}, same output"
    return bool(after.get("exit_code") == 0), f"script exit {after.get('exit_code')}"


_RUNNER_LINES = re.compile(r"^(?:> .*|\$ .*|yarn run v[\d.]+|Done in [\d.]+s\.|npm (?:notice|WARN) .*|\s*)$")


def program_output(text: str | None) -> list[str]:
    """Standard output without the lines npm or yarn print around a script (`> app@1.0 start`,
    `$ node x.js`, `Done in 0.1s.`): running the script's command directly drops them."""
    return [ln for ln in (text or "").splitlines() if not _RUNNER_LINES.match(ln)]


def original_worked(mode: str | None, before: dict) -> bool:
    if mode == "server":
        return before.get("port") is not None and any(c < 500 for c in (before.get("statuses") or {}).values())
    return before.get("exit_code") in (0, None)


# --------------------------------------------------------------------------- the sweep

def sweep(rows: list[Row], msb: Msb, out_dir: Path, jobs: int, build: bool, timeout: float,
          progress=print) -> list[Outcome]:
    out_dir.mkdir(parents=True, exist_ok=True)
    env, why_not = engine_env() if build else (None, "--no-build")
    if build and env is None:
        progress(f"no builds: {why_not}")
    lock = threading.Lock()

    def one(row: Row) -> Outcome:
        outcome, text = convert_row(msb, row, out_dir)
        outcome.blocker = build_blocker(row)
        outcome.buildable = outcome.blocker is None
        if outcome.buildable and text is not None and env is not None:
            try:
                build_and_compare(msb, env, row, text, outcome, out_dir, timeout)
            except Exception as exc:   # noqa: BLE001 - one tree's trouble must not stop the sweep
                outcome.behaves, outcome.detail = "n/a", f"sweep error: {type(exc).__name__}: {exc}"
        with lock:
            progress(line(outcome))
        return outcome

    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        # buildable rows first: they take the time
        ordered = sorted(rows, key=lambda r: build_blocker(r) is not None)
        results = list(pool.map(one, ordered))
    order = {r.name: i for i, r in enumerate(rows)}
    return sorted(results, key=lambda o: order[o.name])


def line(o: Outcome) -> str:
    conv = o.status if o.status != "refused" else f"refused:{o.reason_code}"
    built = f"{o.original_build or '-'}/{o.converted_build or '-'}" if o.original_build else "-"
    detail = o.detail or (f"not built: {o.blocker}" if o.blocker and o.status == "converted" else "")
    if o.workdir_writable == ["yes", "no"]:
        detail += " [WORKDIR no longer writable]"
    return (f"{o.kind:8} {o.name[:58]:58} {conv:32} {built:10} {o.behaves or '-':9} "
            f"{(o.cause or '') + (': ' if o.cause else '')}{detail}")[:260]


def summary(outcomes: list[Outcome]) -> list[str]:
    lines = []
    status = collections.Counter(o.status for o in outcomes)
    lines.append("conversions: " + ", ".join(f"{k} {v}" for k, v in status.most_common()) + f" (of {len(outcomes)})")
    reasons = collections.Counter(o.reason_code for o in outcomes if o.status in ("refused", "crashed"))
    if reasons:
        lines.append("refused by reason: " + ", ".join(f"{k} {v}" for k, v in reasons.most_common()))
    built = [o for o in outcomes if o.original_build]
    if built:
        orig_ok = sum(o.original_build == "ok" for o in built)
        conv_ok = sum(o.converted_build == "ok" for o in built if o.original_build == "ok")
        same = sum(o.behaves == "same" for o in built)
        diff = sum(o.behaves == "different" for o in built)
        unsure = sum(o.behaves == "inconclusive" for o in built)
        lines.append(f"built: {len(built)}; original builds {orig_ok}; converted builds {conv_ok} of {orig_ok}; "
                     f"behaves like the original {same} of {same + diff} comparable "
                     f"({unsure} more where the original itself does not work here)")
        causes = collections.Counter(o.cause for o in built if o.behaves == "different")
        if causes:
            lines.append("differences by cause: " + ", ".join(f"{k} {v}" for k, v in causes.most_common()))
        lines += size_lines(built)
        lost = [o.name for o in built if o.workdir_writable == ["yes", "no"]]
        if lost:
            lines.append(f"WORKDIR writable in the original but not in the converted image: {len(lost)} "
                         f"({', '.join(n.split('__')[0] for n in lost)})")
    return lines


def markdown(outcomes: list[Outcome]) -> str:
    """The table for notes and reports: one row per tree."""
    def mb(n):
        return f"{n / 1e6:.0f}" if n else "-"
    rows = ["| kind | tree | convert | build orig/conv | behaves | size MB orig→conv | cause / detail |",
            "|---|---|---|---|---|---|---|"]
    for o in outcomes:
        conv = o.status if o.status != "refused" else f"refused: {o.reason_code}"
        built = f"{o.original_build}/{o.converted_build}" if o.original_build else "not built"
        detail = o.detail or (o.blocker or "")
        if o.workdir_writable == ["yes", "no"]:
            detail += " [WORKDIR no longer writable]"
        cause = f"**{o.cause}**: " if o.cause else ""
        size = f"{mb(o.sizes.get('original'))}→{mb(o.sizes.get('converted'))}" if o.sizes.get("original") else "-"
        rows.append(f"| {o.kind} | {o.name.replace('__Dockerfile', '').replace('|', '/')} | {conv} | {built} | "
                    f"{o.behaves or '-'} | {size} | {cause}{detail.replace('|', '/')[:220]} |")
    return "\n".join(rows + ["", *summary(outcomes)]) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", action="append", default=[], help="rows whose name contains this (repeatable)")
    parser.add_argument("--kind", action="append", default=[], help="only this kind (repeatable)")
    parser.add_argument("--jobs", type=int, default=2, help="trees handled at once (default 2)")
    parser.add_argument("--json", dest="json_out", default="/tmp/msb-realworld/realworld.json", help="JSON output file")
    parser.add_argument("--out-dir", default=None, help="converted files and verify reports (default: beside --json)")
    parser.add_argument("--msb-python", default=sys.executable, help="interpreter that runs msb")
    parser.add_argument("--msb-path", default=None, help="checkout put first on PYTHONPATH (e.g. /work/main)")
    parser.add_argument("--no-build", action="store_true", help="convert only")
    parser.add_argument("--markdown", default=None, help="also write the table as Markdown here")
    parser.add_argument("--from-json", default=None, help="print the table of an earlier run's JSON, run nothing")
    parser.add_argument("--timeout", type=float, default=40, help="seconds verify waits for each app")
    parser.add_argument("--realworld", default=None, help="the tree collection (default MSB_REALWORLD or ../shared/realworld)")
    args = parser.parse_args(argv)

    if args.from_json:
        data = json.loads(Path(args.from_json).read_text(encoding="utf-8"))
        fields = set(Outcome.__dataclass_fields__)
        outcomes = [Outcome(**{k: v for k, v in row.items() if k in fields}) for row in data["rows"]]
        print("\n".join(line(o) for o in outcomes) + "\n\n" + "\n".join(summary(outcomes)))
        if args.markdown:
            Path(args.markdown).write_text(markdown(outcomes), encoding="utf-8")
        return 0
    global REALWORLD
    if args.realworld:
        REALWORLD = Path(args.realworld)
    if not (REALWORLD / "MANIFEST.tsv").is_file():
        print(f"realworld: no MANIFEST.tsv under {REALWORLD} (set MSB_REALWORLD or --realworld)", file=sys.stderr)
        return 2
    rows = [r for r in read_manifest(REALWORLD)
            if (not args.only or any(o in r.name for o in args.only)) and (not args.kind or r.kind in args.kind)]
    if not rows:
        print("realworld: no row matches --only/--kind", file=sys.stderr)
        return 2
    msb = Msb(args.msb_python, args.msb_path)
    json_out = Path(args.json_out)
    out_dir = Path(args.out_dir) if args.out_dir else json_out.parent
    print(f"msb from {msb.location()}; {len(rows)} trees from {REALWORLD}", flush=True)
    started = time.monotonic()
    outcomes = sweep(rows, msb, out_dir, args.jobs, not args.no_build, args.timeout,
                     progress=lambda text: print(text, flush=True))
    print()
    print("\n".join(line(o) for o in outcomes))
    print()
    print("\n".join(summary(outcomes)))
    print(f"({time.monotonic() - started:.0f}s)")
    json_out.parent.mkdir(parents=True, exist_ok=True)
    json_out.write_text(json.dumps({"msb": msb.location(), "summary": summary(outcomes),
                                    "rows": [asdict(o) for o in outcomes]}, indent=2), encoding="utf-8")
    print(f"written to {json_out}")
    if args.markdown:
        Path(args.markdown).write_text(markdown(outcomes), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
