"""`msb verify`: build the original and the converted Dockerfile on a real engine, compare sizes,
and check that the converted image still runs the app.

The first half of this module is pure (log reading, judging smoke results, report text and JSON)
so it can be unit-tested; the second half drives the `docker` CLI through one small class.
"""
from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import time
import uuid
from dataclasses import asdict, dataclass, field
from typing import Callable

# --------------------------------------------------------------------------- pure helpers

# Probe images looked for locally when the smoke check needs curl next to a distroless app.
# The first is the e2e lab's probe (Debian slim + curl); the others are the usual public choices.
PROBE_CANDIDATES = ("msb-e2e/probe:1", "curlimages/curl:latest", "curlimages/curl")

_STEP_RE = re.compile(r"^#(\d+) (\[.+?\] .*)$")
_ERROR_RE = re.compile(r"^#(\d+) ERROR: (.*)$")


def failing_step(log: str) -> str | None:
    """The build step that failed, as BuildKit's plain progress names it ('[builder 4/6] RUN ...')."""
    steps: dict[str, str] = {}
    failed = None
    for line in log.splitlines():
        m = _STEP_RE.match(line)
        if m:
            steps.setdefault(m.group(1), m.group(2))
        m = _ERROR_RE.match(line)
        if m:
            failed = m.group(1)
    if failed and failed in steps:
        return steps[failed]
    # a Dockerfile the frontend rejects has no numbered step: keep the engine's own message
    for line in reversed(log.splitlines()):
        if line.startswith(("error:", "ERROR:")) or "failed to solve" in line:
            return line.strip()[:300]
    return None


def log_tail(log: str, lines: int = 15) -> list[str]:
    return [line for line in log.rstrip("\n").splitlines()[-lines:]]


def human_size(size: int | None) -> str:
    if size is None:
        return "-"
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} B"


def size_ratio(original: int | None, converted: int | None) -> float | None:
    if not original or converted is None:
        return None
    return round(converted / original, 4)


def exposed_ports(config: dict) -> list[int]:
    """TCP ports from an image's .Config.ExposedPorts, in a stable order."""
    ports = []
    for key in sorted((config or {}).get("ExposedPorts") or {}):
        number, _, proto = key.partition("/")
        if proto in ("", "tcp") and number.isdigit():
            ports.append(int(number))
    return ports


def candidate_ports(explicit: int | None, exposed: list[int]) -> list[int]:
    ports = ([explicit] if explicit else []) + exposed
    return list(dict.fromkeys(ports))


def slug(text: str) -> str:
    """A docker repository name component from a directory name."""
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return s[:40] or "app"


# Runs inside the probe container, in the app's network namespace: waits for the first port that
# accepts a connection, then reports each path's HTTP status ("000" with a connect time above
# zero means the port answers but does not speak HTTP).
PROBE_SCRIPT = r'''
timeout=$1; ports=$2; shift 2
deadline=$(( $(date +%s) + timeout )); port=""
while [ -z "$port" ]; do
    for p in $ports; do
        out=$(curl -s -o /dev/null --connect-timeout 2 --max-time 5 -w '%{http_code} %{time_connect}' "http://127.0.0.1:$p/")
        code=${out%% *}; tc=${out#* }
        if [ "$code" != 000 ] || awk -v t="$tc" 'BEGIN { exit !(t + 0 > 0) }'; then port=$p; break; fi
    done
    [ -n "$port" ] && break
    [ "$(date +%s)" -lt "$deadline" ] || { echo "NOPORT"; exit 1; }
    sleep 0.5
done
echo "PORT $port"
for path in "$@"; do
    code=$(curl -s -o /dev/null --max-time 10 -w '%{http_code}' "http://127.0.0.1:$port$path")
    echo "HTTP $code $path"
done
if [ -n "${SMOKE_CMD:-}" ]; then
    PORT=$port sh -c "$SMOKE_CMD" > /tmp/cmd.out 2>&1; rc=$?
    tail -n 20 /tmp/cmd.out | sed 's/^/CMDOUT /'
    echo "CMD $rc"
fi
'''


@dataclass
class ServerRun:
    """What one image did as a server."""
    started: bool = True
    port: int | None = None
    statuses: dict[str, int] = field(default_factory=dict)   # path -> HTTP status (0: not HTTP)
    command_rc: int | None = None                             # --smoke-cmd exit status
    command_output: list[str] = field(default_factory=list)
    stayed_up: bool = True
    exit_code: int | None = None
    logs: list[str] = field(default_factory=list)


def parse_probe_output(text: str, run: ServerRun) -> ServerRun:
    for line in text.splitlines():
        head, _, rest = line.partition(" ")
        if head == "PORT" and rest.isdigit():
            run.port = int(rest)
        elif head == "HTTP":
            code, _, path = rest.partition(" ")
            run.statuses[path] = int(code) if code.isdigit() else 0
        elif head == "CMDOUT":
            run.command_output.append(rest)
        elif head == "CMD" and rest.lstrip("-").isdigit():
            run.command_rc = int(rest)
    return run


@dataclass
class CliRun:
    exit_code: int | None        # None: still running at the timeout
    stdout: str = ""
    stderr: str = ""


@dataclass
class Smoke:
    mode: str                    # server | cli | script
    passed: bool
    detail: str
    original: dict = field(default_factory=dict)
    converted: dict = field(default_factory=dict)


def judge_server(original: ServerRun | None, converted: ServerRun) -> Smoke:
    """The converted app must stay up, answer on a port (HTTP status below 500, or a TCP connect
    when it does not speak HTTP), answer each path like the original did, and pass --smoke-cmd."""
    def fail(why: str) -> Smoke:
        return Smoke("server", False, why, _as_dict(original), _as_dict(converted))

    if not converted.started:
        return fail("the converted image did not start")
    if converted.port is None:
        if not converted.stayed_up:
            return fail(f"the converted container exited (code {converted.exit_code}) before answering")
        return fail("the converted container answered on no port within the timeout")
    for path, code in converted.statuses.items():
        if code >= 500:
            return fail(f"GET {path} on :{converted.port} answered {code}")
        before = original.statuses.get(path) if original else None
        if code and before and before < 500 and before != code:
            return fail(f"GET {path} answered {code}, the original answered {before}")
    if converted.command_rc not in (None, 0):
        return fail(f"--smoke-cmd exited with {converted.command_rc}")
    if not converted.stayed_up:
        return fail(f"the converted container exited (code {converted.exit_code}) after answering")
    answers = ", ".join(f"{p} {c if c else 'tcp'}" for p, c in converted.statuses.items())
    return Smoke("server", True, f"up on :{converted.port} ({answers})", _as_dict(original), _as_dict(converted))


def judge_cli(original: CliRun | None, converted: CliRun, timeout: float) -> Smoke:
    """A CLI must exit with the original's code and print the same standard output."""
    def result(ok: bool, why: str) -> Smoke:
        return Smoke("cli", ok, why, _as_dict(original), _as_dict(converted))

    if original is None:
        if converted.exit_code == 0:
            return result(True, "exit 0 (no original to compare with)")
        return result(False, f"exit {converted.exit_code} (no original to compare with)")
    if original.exit_code is None and converted.exit_code is None:
        return result(True, f"both still running after {timeout:g}s (a server without EXPOSE?)")
    if converted.exit_code != original.exit_code:
        got = "still running" if converted.exit_code is None else f"exit {converted.exit_code}"
        want = "still running" if original.exit_code is None else f"exit {original.exit_code}"
        hint = first_line(converted.stderr) or first_line(converted.stdout)
        return result(False, f"{got}, the original gave {want}" + (f": {hint}" if hint else ""))
    if converted.stdout != original.stdout:
        return result(False, "standard output differs from the original's: " + first_difference(
            original.stdout, converted.stdout))
    return result(True, f"exit {converted.exit_code}, same output as the original")


def first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:200]
    return ""


def first_difference(a: str, b: str) -> str:
    la, lb = a.splitlines(), b.splitlines()
    for i in range(max(len(la), len(lb))):
        x = la[i] if i < len(la) else "<end>"
        y = lb[i] if i < len(lb) else "<end>"
        if x != y:
            return f"line {i + 1}: {x[:100]!r} became {y[:100]!r}"
    return "trailing whitespace"


def _as_dict(run) -> dict:
    return asdict(run) if run is not None else {}


@dataclass
class Build:
    role: str                    # original | converted
    dockerfile: str
    ok: bool = False
    image: str | None = None
    size: int | None = None
    seconds: float = 0.0
    failing_step: str | None = None
    log_tail: list[str] = field(default_factory=list)


@dataclass
class Report:
    dockerfile: str
    context: str
    converted_from: str          # "msb convert" or the path given with --converted
    original: Build
    converted: Build
    smoke: Smoke | None = None
    error: str | None = None     # verify could not run
    kept_images: bool = False
    notes: list[str] = field(default_factory=list)   # how the engine was used (e.g. the classic builder)

    @property
    def ratio(self) -> float | None:
        return size_ratio(self.original.size, self.converted.size)

    @property
    def exit_code(self) -> int:
        if self.error:
            return 2
        if not self.converted.ok or self.smoke is None or not self.smoke.passed:
            return 1
        return 0

    def to_dict(self) -> dict:
        data = asdict(self)
        data["size_ratio"] = self.ratio
        data["passed"] = self.exit_code == 0
        data["exit_code"] = self.exit_code
        return data


def render_json(report: Report) -> str:
    return json.dumps(report.to_dict(), indent=2)


def render_text(report: Report) -> str:
    lines = [f"verify {report.dockerfile} (context {report.context}; converted by {report.converted_from})", ""]
    rows = [["", "build", "size", "time"] + (["image"] if report.kept_images else [])]
    for b in (report.original, report.converted):
        rows.append([b.role, "ok" if b.ok else ("failed" if b.seconds else "-"), human_size(b.size),
                     f"{b.seconds:.1f}s" if b.seconds else "-"] + ([b.image or ""] if report.kept_images else []))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        lines.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(r)).rstrip())
    for b in (report.original, report.converted):
        if b.seconds and not b.ok:
            lines += ["", f"{b.role} build failed at: {b.failing_step or 'unknown step'}"]
            lines += [f"  | {line}" for line in b.log_tail]
    if report.ratio is not None:
        lines += ["", f"size ratio {report.ratio:.3f} (converted / original, {100 * (1 - report.ratio):.1f}% smaller)"]
    if report.smoke:
        lines += ["", f"smoke ({report.smoke.mode}): {'passed' if report.smoke.passed else 'FAILED'}: {report.smoke.detail}"]
        tail = report.smoke.converted.get("logs") or report.smoke.converted.get("output") or []
        if not report.smoke.passed and tail:
            lines += [f"  | {line}" for line in tail[-15:]]
    if report.error:
        lines += ["", f"could not verify: {report.error}"]
    lines += [f"note: {note}" for note in report.notes]
    verdict = {0: "PASS", 1: "FAIL", 2: "NOT VERIFIED"}[report.exit_code]
    lines += ["", f"verdict: {verdict}"]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- the docker driver

class EngineError(Exception):
    """The engine or the client cannot be used: verify cannot run (exit 2)."""


@dataclass
class Settings:
    context: str
    mode: str = "auto"                      # auto | server | cli
    port: int | None = None
    paths: list[str] = field(default_factory=lambda: ["/"])
    smoke_cmd: str | None = None            # CLI: the arguments; server: a probe command
    smoke_script: str | None = None         # an executable run as `SCRIPT IMAGE`, exit 0 = works
    run_args: list[str] = field(default_factory=list)
    timeout: float = 60.0
    keep_images: bool = False
    no_cache: bool = False
    probe_image: str | None = None
    network: str = "host"                   # build network (the engine may have no bridge)


Progress = Callable[[str], None]


class Docker:
    """The `docker` CLI. MSB_DOCKER picks the client binary; DOCKER_HOST the engine."""

    def __init__(self, binary: str | None = None):
        self.binary = binary or os.environ.get("MSB_DOCKER") or "docker"
        self.env = dict(os.environ, DOCKER_BUILDKIT="1", BUILDKIT_PROGRESS="plain")
        self.builder_note: str | None = None

    def run(self, *args: str, timeout: float | None = 120, check: bool = False) -> subprocess.CompletedProcess:
        try:
            proc = subprocess.run([self.binary, *args], capture_output=True, text=True, env=self.env,
                                  timeout=timeout, errors="replace")
        except FileNotFoundError:
            raise EngineError(f"docker client {self.binary!r} not found: install it or set MSB_DOCKER") from None
        if check and proc.returncode != 0:
            raise EngineError(f"docker {args[0]} failed: {first_line(proc.stderr) or proc.returncode}")
        return proc

    def require_engine(self) -> str:
        where = os.environ.get("DOCKER_HOST") or "the default socket"
        try:
            proc = self.run("version", "--format", "{{.Server.Version}}", timeout=20)
        except subprocess.TimeoutExpired:
            raise EngineError(f"no Docker engine answers on {where} (timed out): start one or set DOCKER_HOST") from None
        if proc.returncode != 0 or not proc.stdout.strip():
            raise EngineError(f"no Docker engine answers on {where}: start one or set DOCKER_HOST "
                              f"({first_line(proc.stderr) or 'no answer'})")
        self._choose_builder()
        return proc.stdout.strip()

    def _choose_builder(self) -> None:
        """Docker 23 and later clients build through the buildx plugin when BuildKit is on, and
        stop with "buildx component is missing" without it: such a client gets the classic builder
        (msb's output needs no BuildKit feature). Older clients carry BuildKit themselves."""
        if self.run("buildx", "version", timeout=20).returncode == 0:
            return
        version = self.run("version", "--format", "{{.Client.Version}}", timeout=20).stdout.strip()
        major = version.split(".")[0]
        if major.isdigit() and int(major) >= 23:
            self.env["DOCKER_BUILDKIT"] = "0"
            self.builder_note = (f"docker client {version} has no buildx plugin: the classic builder builds both "
                                 "files (a Dockerfile that needs BuildKit, such as RUN --mount, fails to build)")

    def build(self, dockerfile: str, tag: str, settings: Settings, on_line: Progress) -> tuple[bool, str, float]:
        args = [self.binary, "build", f"--network={settings.network}", "-f", dockerfile, "-t", tag]
        if settings.no_cache:
            args.append("--no-cache")
        start = time.monotonic()
        lines: list[str] = []
        try:
            proc = subprocess.Popen(args + [settings.context], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                    text=True, env=self.env, errors="replace")
        except FileNotFoundError:
            raise EngineError(f"docker client {self.binary!r} not found: install it or set MSB_DOCKER") from None
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line.rstrip("\n"))
            if len(lines) > 5000:
                del lines[:1000]
            on_line(lines[-1])
        ok = proc.wait() == 0
        return ok, "\n".join(lines), time.monotonic() - start

    def image_config(self, image: str) -> tuple[int, dict]:
        proc = self.run("image", "inspect", image, check=True)
        data = json.loads(proc.stdout)[0]
        return int(data.get("Size") or 0), data.get("Config") or {}

    def has_image(self, image: str) -> bool:
        return self.run("image", "inspect", image).returncode == 0

    def remove_containers(self, label: str) -> None:
        ids = self.run("ps", "-aq", "--filter", f"label={label}").stdout.split()
        if ids:
            self.run("rm", "-f", *ids)

    def remove_images(self, *images: str) -> None:
        present = [i for i in images if i]
        if present:
            self.run("rmi", "-f", *present)


class Verifier:
    """One verify run: two builds, two smoke runs, cleanup."""

    def __init__(self, docker: Docker, settings: Settings, progress: Progress, build_line: Progress):
        self.docker = docker
        self.s = settings
        self.progress = progress
        self.build_line = build_line
        self.run_id = uuid.uuid4().hex[:10]
        self.label = f"msb.verify={self.run_id}"
        self.repo = f"msb-verify/{slug(os.path.basename(os.path.abspath(settings.context)))}"

    def run(self, dockerfile: str, converted_file: str, converted_from: str) -> Report:
        report = Report(dockerfile, self.s.context, converted_from,
                        Build("original", dockerfile), Build("converted", converted_from))
        report.kept_images = self.s.keep_images
        try:
            self.docker.require_engine()
            if self.docker.builder_note:
                report.notes.append(self.docker.builder_note)
            self._build(report.original, dockerfile)
            self._build(report.converted, converted_file)
            if not report.original.ok:
                step = report.original.failing_step
                report.error = ("the original Dockerfile does not build, so there is nothing to compare with"
                                + (f" ({step})" if step else ""))
            elif report.converted.ok:
                report.smoke = self._smoke(report.original.image, report.converted.image)
        except EngineError as exc:
            report.error = str(exc)
        except subprocess.TimeoutExpired as exc:
            report.error = f"docker did not answer within {exc.timeout:g}s ({' '.join(map(str, exc.cmd[1:3]))})"
        finally:
            self.cleanup(report)
        return report

    def cleanup(self, report: Report) -> None:
        try:
            self.docker.remove_containers(self.label)
            if not self.s.keep_images:
                self.docker.remove_images(report.original.image if report.original.ok else None,
                                          report.converted.image if report.converted.ok else None)
        except (EngineError, subprocess.TimeoutExpired):
            pass   # the engine went away: nothing left to clean

    def _build(self, b: Build, dockerfile: str) -> None:
        tag = f"{self.repo}:{b.role}-{self.run_id}"
        self.progress(f"building the {b.role} image ({b.dockerfile})")
        ok, log, seconds = self.docker.build(dockerfile, tag, self.s, self.build_line)
        b.seconds = round(seconds, 1)
        if not ok:
            b.failing_step = failing_step(log)
            b.log_tail = log_tail(log)
            self.progress(f"{b.role} build failed after {b.seconds:.1f}s")
            return
        b.ok, b.image = True, tag
        b.size, _ = self.docker.image_config(tag)
        self.progress(f"{b.role} built in {b.seconds:.1f}s: {human_size(b.size)}")

    # ---- smoke

    def _smoke(self, original: str | None, converted: str) -> Smoke:
        if self.s.smoke_script:
            return self._smoke_script(original, converted)
        _, config = self.docker.image_config(converted)
        _, original_config = self.docker.image_config(original) if original else (0, {})
        mode = self.s.mode
        if mode == "auto":
            mode = "server" if (self.s.port or exposed_ports(config) or exposed_ports(original_config)) else "cli"
        if mode == "server":
            probe = self._probe_image()
            before = self._serve(original, original_config, probe, "original") if original else None
            after = self._serve(converted, config, probe, "converted")
            return judge_server(before, after)
        before = self._cli(original, "original") if original else None
        after = self._cli(converted, "converted")
        return judge_cli(before, after, self.s.timeout)

    def _probe_image(self) -> str:
        wanted = self.s.probe_image or os.environ.get("MSB_PROBE_IMAGE")
        if wanted:
            if not self.docker.has_image(wanted):
                raise EngineError(f"probe image {wanted} is not present: pull or build it first")
            return wanted
        for image in PROBE_CANDIDATES:
            if self.docker.has_image(image):
                return image
        self.progress("pulling curlimages/curl for the HTTP probe")
        if self.docker.run("pull", "curlimages/curl:latest", timeout=300).returncode == 0:
            return "curlimages/curl:latest"
        raise EngineError("no probe image with curl (tried " + ", ".join(PROBE_CANDIDATES) +
                          "): pass --probe-image IMAGE")

    def _serve(self, image: str, config: dict, probe: str, role: str) -> ServerRun:
        """Start IMAGE without network access and probe it from a helper in its network namespace,
        so distroless images without a shell or curl work and ports never clash."""
        self.progress(f"smoke: starting the {role} image as a server")
        run = ServerRun()
        started = self.docker.run("run", "-d", "--network=none", "--label", self.label, *self.s.run_args, image)
        if started.returncode != 0:
            run.started = False
            run.logs = log_tail(started.stderr)
            return run
        cid = started.stdout.strip()
        ports = candidate_ports(self.s.port, exposed_ports(config)) or [8080]
        probe_name = f"msb-verify-probe-{self.run_id}-{role}"
        args = [self.docker.binary, "run", "--rm", "--name", probe_name, "--label", self.label,
                "--network", f"container:{cid}", "--entrypoint", "sh"]
        if self.s.smoke_cmd:
            args += ["-e", f"SMOKE_CMD={self.s.smoke_cmd}"]
        args += [probe, "-c", PROBE_SCRIPT, "probe", str(int(self.s.timeout)), " ".join(map(str, ports)), *self.s.paths]
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                env=self.docker.env, errors="replace")
        deadline = time.monotonic() + self.s.timeout + 30
        while proc.poll() is None:
            # stop waiting as soon as the app dies: its port will never answer
            if not self._running(cid) or time.monotonic() > deadline:
                self.docker.run("rm", "-f", probe_name)
                break
            time.sleep(1)
        out = proc.communicate()[0]
        parse_probe_output(out, run)
        if run.port is not None:
            time.sleep(1)   # a server must stay up, not just answer once
        run.stayed_up = self._running(cid)
        if not run.stayed_up:
            code = self.docker.run("inspect", "-f", "{{.State.ExitCode}}", cid).stdout.strip()
            run.exit_code = int(code) if code.lstrip("-").isdigit() else None
        run.logs = log_tail(self._logs(cid), 30)
        self.docker.run("rm", "-f", cid)
        return run

    def _running(self, cid: str) -> bool:
        return self.docker.run("inspect", "-f", "{{.State.Running}}", cid).stdout.strip() == "true"

    def _logs(self, cid: str) -> str:
        proc = self.docker.run("logs", "--tail", "30", cid)
        return proc.stdout + proc.stderr

    def _cli(self, image: str, role: str) -> CliRun:
        self.progress(f"smoke: running the {role} image")
        name = f"msb-verify-{self.run_id}-{role}"
        args = shlex.split(self.s.smoke_cmd) if self.s.smoke_cmd else []
        try:
            proc = self.docker.run("run", "--name", name, "--network=none", "--label", self.label,
                                   *self.s.run_args, image, *args, timeout=self.s.timeout)
        except subprocess.TimeoutExpired as exc:
            self.docker.run("rm", "-f", name)
            return CliRun(None, _text(exc.stdout), _text(exc.stderr))
        self.docker.run("rm", "-f", name)
        if proc.returncode == 125:   # docker itself could not start the container
            raise EngineError(f"cannot start {image}: {first_line(proc.stderr)}")
        return CliRun(proc.returncode, proc.stdout, proc.stderr)

    def _smoke_script(self, original: str | None, converted: str) -> Smoke:
        results = {}
        for role, image in (("original", original), ("converted", converted)):
            if not image:
                continue
            self.progress(f"smoke: {self.s.smoke_script} on the {role} image")
            env = dict(self.docker.env, E2E_SMOKE_LABEL=self.label, MSB_VERIFY_LABEL=self.label)
            try:
                cmd = [self.s.smoke_script] if os.access(self.s.smoke_script, os.X_OK) else ["bash", self.s.smoke_script]
                proc = subprocess.run([*cmd, image], capture_output=True, text=True, env=env,
                                      timeout=self.s.timeout * 4, errors="replace")
                results[role] = {"exit_code": proc.returncode, "output": log_tail(proc.stdout + proc.stderr, 30)}
            except subprocess.TimeoutExpired:
                results[role] = {"exit_code": None, "output": ["timed out"]}
            except OSError as exc:
                raise EngineError(f"cannot run smoke script {self.s.smoke_script}: {exc.strerror or exc}") from None
        got = results["converted"]["exit_code"]
        detail = f"{os.path.basename(self.s.smoke_script)} exited {got}"
        if "original" in results:
            detail += f" (original: {results['original']['exit_code']})"
        return Smoke("script", got == 0, detail, results.get("original", {}), results["converted"])


def _text(data) -> str:
    if data is None:
        return ""
    return data.decode("utf-8", "replace") if isinstance(data, bytes) else data
