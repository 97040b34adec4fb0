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

from msbrewrite.verify.clock import same_apart_from_times
from msbrewrite.verify.crawl import MAX_DEPTH, MAX_PAGES
from msbrewrite.verify.engine import EngineError
from msbrewrite.verify.files import MAX_LISTED
from msbrewrite.verify.oracle import Difference, Probe
from msbrewrite.verify.package_manager import runs_package_manager, strip_text
from msbrewrite.verify.probe import ServerRun
from msbrewrite.verify.size import human_size

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


def command_ports(config: dict) -> list[int]:
    """Ports the image's command names or its PORT variable sets, for servers that EXPOSE nothing:
    `gunicorn -b 0.0.0.0:8000`, `uvicorn --port 8000`, `runserver 0.0.0.0:80`, `--server.port=8080`."""
    from msbrewrite.verify.ports import command_port_hints
    return [port for port, _ in command_port_hints(config)]


def named_ports(explicit: int | None, config: dict, server_mode: bool = False) -> dict[int, str]:
    """Ports something names, in the order they are tried, with how each was found: --port, EXPOSE,
    the command's words or PORT; 8080 as a last guess when --mode server was asked for."""
    from msbrewrite.verify.ports import command_port_hints
    named: dict[int, str] = {}
    if explicit:
        named[explicit] = "--port"
    for port in exposed_ports(config):
        named.setdefault(port, "EXPOSE")
    for port, how in command_port_hints(config):
        named.setdefault(port, how)
    if not named and server_mode:
        named[8080] = "default (--mode server, nothing named a port)"
    return named


def port_note(before: ServerRun | None, after: ServerRun) -> str:
    """How the probed ports were found, for the smoke line."""
    if after.port is None:
        return ""
    if before is not None and before.port == after.port and after.port_found_by in ("the original's port",
                                                                                    before.port_found_by):
        return f"; port {after.port} found by {before.port_found_by}"
    note = f"; port {after.port} found by {after.port_found_by}"
    if before is not None and before.port is not None:
        note += f" (the original's {before.port} by {before.port_found_by})"
    return note


def authoritative(explicit: int | None, config: dict) -> bool:
    """--port or EXPOSE name the port for sure; the command's words and PORT are read, so a port the
    app is seen listening on is tried after them."""
    return bool(explicit or exposed_ports(config))


def candidate_ports(explicit: int | None, exposed: list[int]) -> list[int]:
    ports = ([explicit] if explicit else []) + exposed
    return list(dict.fromkeys(ports))


def slug(text: str) -> str:
    """A docker repository name component from a directory name."""
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return s[:40] or "app"


@dataclass
class CliRun:
    exit_code: int | None        # None: still running at the timeout
    stdout: str = ""
    stderr: str = ""
    listeners: list = field(default_factory=list)   # [address, port] while still running


@dataclass
class Smoke:
    mode: str                    # server | cli | script
    passed: bool
    detail: str
    original: dict = field(default_factory=dict)
    converted: dict = field(default_factory=dict)
    inconclusive: str | None = None    # the original fails the same check: nothing to blame


def judge_server(original: ServerRun | None, converted: ServerRun) -> Smoke:
    """The converted app must stay up, answer on a port (HTTP status below 500, or a TCP connect
    when it does not speak HTTP), answer each requested path like the original did, and pass
    --smoke-cmd. When the original fails the same check the result is inconclusive, not a failure."""
    def fail(why: str, inconclusive: str | None = None) -> Smoke:
        return Smoke("server", False, why, _as_dict(original), _as_dict(converted), inconclusive)

    if original is not None and (not original.started or original.port is None):
        why = ("the original image did not start" if not original.started else
               f"the original container exited (code {original.exit_code}) before answering" if not original.stayed_up
               else "the original container answered on no port within the timeout")
        return fail(why, why)
    if not converted.started:
        return fail("the converted image did not start")
    if converted.port is None:
        if not converted.stayed_up:
            return fail(f"the converted container exited (code {converted.exit_code}) before answering")
        return fail("the converted container answered on no port within the timeout")
    for path, code in converted.statuses.items():
        before = original.statuses.get(path) if original else None
        original_failed = original is not None and (before is None or before >= 500)
        if original_failed and (code >= 400 or not code):
            why = f"GET {path} fails in the original too ({before or 'no answer'})"
            return fail(why, why)
        if code >= 500:
            return fail(f"GET {path} on :{converted.port} answered {code}")
        if code and before and before < 500 and before != code:
            return fail(f"GET {path} answered {code}, the original answered {before}")
    if converted.command_rc not in (None, 0):
        if original is not None and original.command_rc not in (None, 0):
            why = f"--smoke-cmd fails on the original too (exit {original.command_rc})"
            return fail(why, why)
        return fail(f"--smoke-cmd exited with {converted.command_rc}")
    if not converted.stayed_up:
        if original is not None and not original.stayed_up:
            why = f"the original container exited too (code {original.exit_code}) after answering"
            return fail(why, why)
        return fail(f"the converted container exited (code {converted.exit_code}) after answering")
    answers = ", ".join(f"{p} {c if c else 'tcp'}" for p, c in converted.statuses.items())
    return Smoke("server", True, f"up on :{converted.port} ({answers})", _as_dict(original), _as_dict(converted))


CANNOT_RUN = (125, 126, 127)     # docker or the shell could not start the command


def judge_cli(original: CliRun | None, converted: CliRun, timeout: float,
              managers: tuple[bool, bool] = (False, False)) -> Smoke:
    """A CLI must exit with the original's code and print the same standard output (the times it
    prints of its own run aside). `managers`:
    whether the original's and the converted command run through npm/yarn/pnpm, whose own banner
    is then no part of the output compared."""
    def result(ok: bool, why: str) -> Smoke:
        return Smoke("cli", ok, why, _as_dict(original), _as_dict(converted))

    if original is not None and original.exit_code in CANNOT_RUN:
        why = f"the original cannot run its command (exit {original.exit_code}: {first_line(original.stderr)})"
        return Smoke("cli", False, why, _as_dict(original), _as_dict(converted), why)
    if original is None:
        if converted.exit_code == 0:
            return result(True, "exit 0 (no original to compare with)")
        return result(False, f"exit {converted.exit_code} (no original to compare with)")
    if original.exit_code is None and converted.exit_code is None:
        listening = _ports_of(original.listeners) or _ports_of(converted.listeners)
        if listening:
            why = (f"still running and listening on {listening}, but not probed as a server: "
                   "pass --port PORT (or leave --mode at auto)")
            return Smoke("cli", False, why, _as_dict(original), _as_dict(converted), why)
        return result(True, f"both still running after {timeout:g}s, listening on no TCP port")
    if converted.exit_code != original.exit_code:
        got = "still running" if converted.exit_code is None else f"exit {converted.exit_code}"
        want = "still running" if original.exit_code is None else f"exit {original.exit_code}"
        hint = first_line(converted.stderr) or first_line(converted.stdout)
        return result(False, f"{got}, the original gave {want}" + (f": {hint}" if hint else ""))
    before, after = (strip_text(run.stdout) if pm else run.stdout for run, pm in zip((original, converted), managers))
    if not same_apart_from_times(before, after):
        return result(False, "standard output differs from the original's: " + first_difference(before, after))
    return result(True, f"exit {converted.exit_code}, same output as the original")


def _ports_of(sockets: list) -> str:
    return ", ".join(f":{p}" for p in sorted({int(p) for _, p in sockets}))


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
        if not same_apart_from_times(x, y):
            return f"line {i + 1}: {x[:100]!r} became {y[:100]!r}"
    return "trailing whitespace"


def _as_dict(run) -> dict:
    if run is None:
        return {}
    data = asdict(run)
    for fetch in (data.get("fetches") or {}).values():
        fetch.pop("body", None)      # pages read for links: the hashes are enough in the report
    data.pop("diff", None)
    return data


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
    strict: bool = False         # suspicious missing files fail the verdict
    probes: list[Probe] = field(default_factory=list)
    differences: list[Difference] = field(default_factory=list)   # each one fails the verdict
    expected: list[Difference] = field(default_factory=list)      # a dev server's internals: never fail
    suspicious: list[Difference] = field(default_factory=list)    # missing files; fail only with --strict
    warnings: list[str] = field(default_factory=list)
    files: dict = field(default_factory=dict)      # app dirs, users, missing and write-permission details
    routes_skipped: list[dict] = field(default_factory=list)
    seconds: dict = field(default_factory=dict)    # time spent per phase

    @property
    def ratio(self) -> float | None:
        return size_ratio(self.original.size, self.converted.size)

    @property
    def inconclusive(self) -> str | None:
        return self.smoke.inconclusive if self.smoke else None

    @property
    def failures(self) -> list[Difference]:
        return self.differences + (self.suspicious if self.strict else [])

    @property
    def verdict(self) -> str:
        if self.error:
            return "NOT VERIFIED"
        if not self.converted.ok or self.failures:
            return "FAIL"
        if self.inconclusive:
            return "INCONCLUSIVE"
        if self.smoke is None or not self.smoke.passed:
            return "FAIL"
        return "PASS"

    @property
    def exit_code(self) -> int:
        return {"PASS": 0, "FAIL": 1, "INCONCLUSIVE": 1, "NOT VERIFIED": 2}[self.verdict]

    def to_dict(self) -> dict:
        data = asdict(self)
        data["size_ratio"] = self.ratio
        data["passed"] = self.exit_code == 0
        data["exit_code"] = self.exit_code
        data["verdict"] = self.verdict
        data["inconclusive"] = self.inconclusive
        return data


def render_json(report: Report) -> str:
    return json.dumps(report.to_dict(), indent=2)


def _answer(view: dict | None) -> str:
    if not view:
        return "-"
    if view.get("location"):       # a redirect: where it goes is what it says
        return f"{view['status']} -> {view['location']}"
    ctype = (view.get("content_type") or "").split(";")[0]
    return f"{view['status'] or 'no answer'} {ctype}".strip()


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(r)).rstrip() for r in rows]


def render_text(report: Report, max_probes: int = 12) -> str:
    lines = [f"verify {report.dockerfile} (context {report.context}; converted by {report.converted_from})", ""]
    rows = [["", "build", "size", "time"] + (["image"] if report.kept_images else [])]
    for b in (report.original, report.converted):
        rows.append([b.role, "ok" if b.ok else ("failed" if b.seconds else "-"), human_size(b.size),
                     f"{b.seconds:.1f}s" if b.seconds else "-"] + ([b.image or ""] if report.kept_images else []))
    lines += _table(rows)
    for b in (report.original, report.converted):
        if b.seconds and not b.ok:
            lines += ["", f"{b.role} build failed at: {b.failing_step or 'unknown step'}"]
            lines += [f"  | {line}" for line in b.log_tail]
    if report.ratio is not None:
        change = f"{100 * abs(1 - report.ratio):.1f}% {'smaller' if report.ratio <= 1 else 'LARGER'}"
        lines += ["", f"size ratio {report.ratio:.3f} (converted / original, {change})"]
    if report.probes:
        shown = [p for p in report.probes if p.found_by == "requested" or p.outcome != "same"]
        shown += [p for p in report.probes if p not in shown][:max(0, max_probes - len(shown))]
        rows = [["probe", "original", "converted", ""]]
        rows += [[p.path[:60], _answer(p.original), _answer(p.converted), "" if p.outcome == "same" else p.outcome]
                 for p in report.probes if p in shown]
        lines += [""] + _table(rows)
        rest = len(report.probes) - len(shown)
        if rest:
            lines.append(f"(and {rest} more probe{'s' if rest > 1 else ''} answered alike; --json lists them)")
    if report.smoke:
        state = "passed" if report.smoke.passed else ("INCONCLUSIVE" if report.smoke.inconclusive else "FAILED")
        lines += ["", f"smoke ({report.smoke.mode}): {state}: {report.smoke.detail}"]
        # the original's own log says why it is inconclusive; the converted one's why it failed
        run = report.smoke.original if report.smoke.inconclusive else report.smoke.converted
        tail = run.get("logs") or run.get("output") or []
        if report.smoke.inconclusive and tail:
            lines.append("  the original's log:")
        if not report.smoke.passed and tail:
            lines += [f"  | {line}" for line in tail[-15:]]
    if report.differences or report.suspicious:
        lines += ["", "differences:"]
        for d in report.differences + report.suspicious:
            tag = "" if d in report.differences else (" (suspicious)" if not report.strict else " (suspicious, --strict)")
            lines.append(f"  {d.kind}: {d.what}{tag}")
            lines += [f"    | {e}" for e in d.evidence[:3]]
    if report.expected:
        lines += ["", "expected differences (a dev server's internals, not in a production build):"]
        lines += [f"  {d.what}" for d in report.expected[:8]]
        if len(report.expected) > 8:
            lines.append(f"  (and {len(report.expected) - 8} more; --json lists them)")
    for w in report.warnings:
        lines.append(f"warning: {w}")
    if report.error:
        lines += ["", f"could not verify: {report.error}"]
    lines += [f"note: {note}" for note in report.notes]
    verdict = report.verdict
    if verdict == "INCONCLUSIVE":
        verdict += f" ({report.inconclusive})"
    lines += ["", f"verdict: {verdict}"]
    return "\n".join(lines) + "\n"


def render_summary(results: list[tuple[object, "Report | str"]]) -> str:
    """One row per Dockerfile of a multi-file verify: verdict, sizes, differences, first reason."""
    rows = [["dockerfile", "verdict", "original", "converted", "diffs", "why"]]
    for path, r in results:
        if not isinstance(r, Report):
            rows.append([str(path), "SKIPPED", "-", "-", "-", str(r)[:80]])
            continue
        why = (r.error or (r.failures[0].what if r.failures else "") or r.inconclusive or
               (r.smoke.detail if r.smoke and not r.smoke.passed else "") or
               ("converted build failed" if not r.converted.ok else ""))
        rows.append([str(path), r.verdict, human_size(r.original.size), human_size(r.converted.size),
                     str(len(r.failures)), why[:80]])
    counts: dict[str, int] = {}
    for row in rows[1:]:
        counts[row[1]] = counts.get(row[1], 0) + 1
    lines = ["summary:"] + ["  " + line for line in _table(rows)]
    lines.append("  " + ", ".join(f"{n} {v}" for v, n in sorted(counts.items())))
    return "\n".join(lines) + "\n"


def summary_exit_code(results: list["Report | str"]) -> int:
    """1 when any file fails or is inconclusive, else 2 when any could not be verified (or none
    was), else 0."""
    reports = [r for r in results if isinstance(r, Report)]
    codes = {r.exit_code for r in reports}
    if 1 in codes:
        return 1
    if 2 in codes or not reports:
        return 2
    return 0


# --------------------------------------------------------------------------- the docker driver



@dataclass
class Settings:
    context: str
    mode: str = "auto"                      # auto | server | cli
    port: int | None = None
    paths: list[str] = field(default_factory=list)     # requested paths; none: `/`
    smoke_cmd: str | None = None            # CLI: the arguments; server: a probe command
    smoke_script: str | None = None         # an executable run as `SCRIPT IMAGE`, exit 0 = works
    run_args: list[str] = field(default_factory=list)
    timeout: float = 60.0
    keep_images: bool = False
    no_cache: bool = False
    probe_image: str | None = None
    network: str = "host"                   # build network (the engine may have no bridge)
    strict: bool = False                    # suspicious missing files fail the verdict
    discover: bool = True                   # probe the routes read from the sources, crawl the links
    route_limit: int = 40
    crawl_pages: int = MAX_PAGES
    crawl_depth: int = MAX_DEPTH
    file_checks: bool = True                # compare the images' files and write permissions


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
        self._written = ""
        self._converted_logs: list[str] = []
        self._configs: tuple[dict, dict] = ({}, {})     # both images' config (their commands)
        self.repo = f"msb-verify/{slug(os.path.basename(os.path.abspath(settings.context)))}"

    def run(self, dockerfile: str, converted_file: str, converted_from: str) -> Report:
        report = Report(dockerfile, self.s.context, converted_from,
                        Build("original", dockerfile), Build("converted", converted_from))
        report.kept_images = self.s.keep_images
        report.strict = self.s.strict
        try:
            self.docker.require_engine()
            if self.docker.builder_note:
                report.notes.append(self.docker.builder_note)
            self._build(report.original, dockerfile)
            if report.original.ok:      # without a baseline the converted build proves nothing
                self._build(report.converted, converted_file)
            if not report.original.ok:
                step = report.original.failing_step
                report.error = ("the original Dockerfile does not build, so there is nothing to compare with"
                                + (f" ({step})" if step else ""))
            elif report.converted.ok:
                from msbrewrite.verify.size import size_difference, size_warning
                report.differences += size_difference(report.original.size, report.converted.size)
                report.warnings += size_warning(report.original.size, report.converted.size)
                start = time.monotonic()
                report.smoke = self._smoke(report, report.original.image, report.converted.image)
                report.seconds["run"] = round(time.monotonic() - start, 1)
                if self.s.file_checks:
                    start = time.monotonic()
                    self._files(report)
                    report.seconds["files"] = round(time.monotonic() - start, 1)
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

    def _smoke(self, report: Report, original: str | None, converted: str) -> Smoke:
        self._written = ""       # what the original container wrote (`docker diff`)
        self._converted_logs: list[str] = []     # what the converted app printed (failed writes)
        if self.s.smoke_script:
            return self._smoke_script(original, converted)
        _, config = self.docker.image_config(converted)
        _, original_config = self.docker.image_config(original) if original else (0, {})
        self._configs = (original_config, config)
        report.warnings += env_warnings(original_config, config)
        if self.s.mode == "cli":
            return self._cli_runs(report, original, converted)
        # auto: a server is what answers on a port it names, or what is seen listening
        return self._server(report, original, original_config, converted, config)

    def _server(self, report: Report, original: str | None, original_config: dict, converted: str,
                config: dict) -> Smoke:
        from msbrewrite.verify.oracle import answered_alike, health_diffs, http_probes, listener_difference, log_diffs
        from msbrewrite.verify.devserver import browser_paths, devswitch_probes
        from msbrewrite.verify.ports import port_found_by
        from msbrewrite.verify.probe import ServerProbe, crawl_plan, fixed_plan
        from msbrewrite.verify.routes import discover_routes

        requested = list(self.s.paths) or ["/"]
        found_by = {p: "requested" for p in requested}
        seeds = list(requested)
        if self.s.discover:
            scan = discover_routes(self.s.context, self.s.route_limit)
            report.routes_skipped = scan.skipped
            for r in scan.routes:
                if r.path not in found_by:
                    found_by[r.path] = f"route ({r.framework}, {r.file}:{r.line}" + (", sample value)" if r.sample else ")")
                    seeds.append(r.path)
        pages, depth = (self.s.crawl_pages, self.s.crawl_depth) if self.s.discover else (0, 0)
        probe = self._probe_image()
        # readiness on the first requested path: `/` itself may crash an app that was given --path
        ready = requested[0]

        def server(role: str) -> ServerProbe:
            return ServerProbe(self.docker, self.label, f"msb-verify-{self.run_id}-{role}", probe,
                               self.s.run_args, self.s.timeout, self.progress)

        before, idle = None, False
        if original:
            self.progress("starting the original image and probing the port it answers on")
            named_before = named_ports(self.s.port, original_config, self.s.mode == "server")
            before = server("original").run(original, list(named_before), ready, crawl_plan(seeds, found_by, pages, depth),
                                            self.s.smoke_cmd, keep_diff=True, health=_health_test(original_config),
                                            discover=not authoritative(self.s.port, original_config),
                                            fallback=not self.s.port)
            before.port_found_by = port_found_by(before.port, named_before, before.named_silent)
            self._written = before.diff
            idle = before.port is None and before.started and not named_before
            if idle and (not before.stayed_up or self.s.smoke_cmd):
                # exited without listening (or --smoke-cmd's arguments to run): a command-line program
                self.progress("the original listened on no port: running both images as command-line programs")
                return self._cli_runs(report, original, converted)
        switch = self._dev_switch(original_config, config)
        if before is not None and before.port is not None and switch:
            # a browser's view: the original's pages and files, then what the converted pages load
            plan = crawl_plan(browser_paths(before), before.found_by, pages, depth)
        elif before is not None and before.port is not None:
            plan = fixed_plan(list(before.found_by), before.found_by)     # the same paths as the original
        else:
            plan = crawl_plan(seeds, found_by, pages, depth)
        self.progress("starting the converted image and probing it")
        named = named_ports(self.s.port, config, self.s.mode == "server")
        if before is not None and before.port is not None:
            named = {before.port: "the original's port", **named}
        after = server("converted").run(converted, list(named), ready, plan, self.s.smoke_cmd,
                                        health=_health_test(config) if before is None or before.health_rc == 0 else None,
                                        discover=not authoritative(self.s.port, config),
                                        fallback=not self.s.port)
        after.port_found_by = port_found_by(after.port, named, after.named_silent)
        self._converted_logs = after.logs
        if before is not None and idle:
            return self._idle(report, before, after)
        for run in (before, after):
            if run is not None:
                run.statuses = {p: run.fetches[p].status for p in requested if p in run.fetches}
        smoke = judge_server(before, after)
        smoke.detail += port_note(before, after)
        if switch and before is not None and before.port is not None:
            report.probes, http, report.expected = devswitch_probes(before, after, switch)
            report.notes.append(f"the original ran {switch}, the converted image a production build: compared as a "
                                "browser sees them (same routes, scripts and stylesheets load, same static files)")
        else:
            report.probes, http = http_probes(before, after)
        if before is not None and before.port is None:
            return smoke            # no baseline: nothing the converted image does can be compared
        logs = log_diffs(before.logs if before else None, after.logs, self._managers(), answered_alike(before, after))
        report.differences += http + listener_difference(before, after) + logs + \
            health_diffs(_health_test(original_config), _health_test(config), before, after)
        unexercised = _write_forms(before or after)
        if unexercised:
            report.notes.append(f"writes not exercised (verify only reads): {', '.join(unexercised[:5])}" +
                                (f" and {len(unexercised) - 5} more" if len(unexercised) > 5 else ""))
        if after.crawl_dropped or (before and before.crawl_dropped):
            report.notes.append(f"the crawl stopped at {pages} pages / depth {depth}: "
                                f"{max(after.crawl_dropped, before.crawl_dropped if before else 0)} links not probed")
        return smoke

    def _dev_switch(self, original_config: dict, config: dict) -> str | None:
        """The dev server the original ran, when the converted image runs a production build instead."""
        from msbrewrite.verify.devserver import dev_switch, read_scripts
        from msbrewrite.verify.ports import command_words
        return dev_switch(command_words(original_config), command_words(config), read_scripts(self.s.context))

    def _idle(self, report: Report, before: ServerRun, after: ServerRun) -> Smoke:
        """The original kept running and listened on nothing: a worker, judged like a command-line
        program that is still running (a PASS only when the converted one listens on nothing too)."""
        from msbrewrite.verify.oracle import log_diffs
        report.differences += log_diffs(before.logs, after.logs, self._managers())
        if after.listeners:
            return Smoke("cli", False, f"the converted image listens on {_ports_of(after.listeners)}, the original "
                                       "on no port", _as_dict(before), _as_dict(after))
        return judge_cli(CliRun(None, "\n".join(before.logs), listeners=before.listeners),
                         CliRun(None if after.stayed_up else after.exit_code, "\n".join(after.logs),
                                listeners=after.listeners), self.s.timeout)

    def _listening(self, container: str) -> list[list]:
        """The TCP sockets a still-running container listens on, read by a helper in its network
        namespace (a locally present probe image only: never a pull for this)."""
        from msbrewrite.verify.logs import listeners
        image = self.s.probe_image or os.environ.get("MSB_PROBE_IMAGE") or \
            next((i for i in PROBE_CANDIDATES if self.docker.has_image(i)), None)
        if not image:
            return []
        proc = self.docker.run("run", "--rm", "--label", self.label, "--network", f"container:{container}",
                               "--entrypoint", "sh", image, "-c", "cat /proc/net/tcp /proc/net/tcp6 2>/dev/null")
        return sorted([a, p] for a, p in listeners(proc.stdout))

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

    def _cli_runs(self, report: Report, original: str | None, converted: str) -> Smoke:
        """The image's own command, then --smoke-cmd's arguments when given, in both images."""
        from msbrewrite.verify.oracle import log_diffs

        runs = [("the image's command", [], min(self.s.timeout, 20) if self.s.smoke_cmd else self.s.timeout)]
        if self.s.smoke_cmd:
            runs.append(("--smoke-cmd", shlex.split(self.s.smoke_cmd), self.s.timeout))
        smoke = None
        for i, (what, args, timeout) in enumerate(runs):
            before = self._cli(original, "original", args, timeout, keep_diff=i == 0) if original else None
            after = self._cli(converted, "converted", args, timeout)
            self._converted_logs += (after.stdout + after.stderr).splitlines()
            managers = self._managers(args)
            judged = judge_cli(before, after, timeout, managers)
            if before is None or before.exit_code not in CANNOT_RUN:
                report.differences += log_diffs(
                    (before.stdout + before.stderr).splitlines() if before else None,
                    (after.stdout + after.stderr).splitlines(), managers)
            if what == runs[-1][0]:
                smoke = judged                  # the headline: --smoke-cmd's run, else the command's
            elif not judged.passed and not judged.inconclusive:
                report.differences.append(Difference("cli", f"{what}: {judged.detail}"))
        return smoke

    def _managers(self, args: list[str] | None = None) -> tuple[bool, bool]:
        """Whether each image's command (with these arguments in place of CMD) runs through a
        package manager, whose own lines are then not compared."""
        return tuple(runs_package_manager({**config, "Cmd": args} if args else config)
                     for config in self._configs)

    def _cli(self, image: str, role: str, args: list[str], timeout: float, keep_diff: bool = False) -> CliRun:
        self.progress(f"running the {role} image" + (f" with {shlex.join(args)}" if args else ""))
        name = f"msb-verify-{self.run_id}-{role}"
        try:
            proc = self.docker.run("run", "--name", name, "--network=none", "--label", self.label,
                                   *self.s.run_args, image, *args, timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            if keep_diff:
                self._written = self.docker.run("diff", name).stdout
            sockets = self._listening(name)
            self.docker.run("rm", "-f", name)
            return CliRun(None, _text(exc.stdout), _text(exc.stderr), listeners=sockets)
        if keep_diff:
            self._written = self.docker.run("diff", name).stdout
        self.docker.run("rm", "-f", name)
        # 125: docker could not start the container (a USER the image lacks, ...): compared like any
        # exit code, so the original doing the same is inconclusive and the converted alone a failure
        return CliRun(proc.returncode, proc.stdout, proc.stderr)

    # ---- files

    def _files(self, report: Report) -> None:
        """Both images' files from `docker export`: what the converted one lacks under the app's
        directories, and what its user can no longer write there."""
        from msbrewrite.verify.files import (app_dirs, exercised_writes, lost_writes, missing_files, resolve_user,
                                   summarise_missing, written_paths)
        from msbrewrite.verify.oracle import exercised_write_diffs, file_diffs, write_diffs

        self.progress("listing both images' files")
        _, before_cfg = self.docker.image_config(report.original.image)
        _, after_cfg = self.docker.image_config(report.converted.image)
        from concurrent.futures import ThreadPoolExecutor
        with ThreadPoolExecutor(2) as pool:      # the engine writes the two tars at once
            trees = pool.map(self._tree, (report.original.image, report.converted.image))
            before, after = list(trees)
        dirs = app_dirs(before_cfg, before)
        for d in app_dirs(after_cfg, after):
            if d not in dirs:
                dirs.append(d)
        volumes = sorted(set(before_cfg.get("Volumes") or {}) | set(after_cfg.get("Volumes") or {}))
        missing = missing_files(before, after, dirs)
        report.suspicious += file_diffs(missing)
        who_before = resolve_user(before_cfg.get("User") or "", before)
        who_after = resolve_user(after_cfg.get("User") or "", after)
        info = {"app_dirs": dirs, "volumes": volumes,
                "users": {"original": before_cfg.get("User") or "root", "converted": after_cfg.get("User") or "root"},
                "missing": {"suspicious": summarise_missing(missing, "suspicious"),
                            "expected": summarise_missing(missing, "expected")}}
        if who_before and who_after:
            written = written_paths(self._written, dirs + volumes)
            lost, maybe = lost_writes(before, after, who_before, who_after, dirs + volumes, written)
            report.differences += write_diffs(lost, info["users"]["converted"])
            # a warning the run proves: the converted app tried to write there and was refused
            hit, maybe = exercised_writes(maybe, self._written, self._converted_logs, after_cfg.get("WorkingDir") or "/")
            report.differences += exercised_write_diffs(hit, info["users"]["converted"])
            info["written_by_original"] = [f"{c} {p}" for c, p in written][:MAX_LISTED]
            info["write_warnings"] = [asdict(w) for w in maybe][:MAX_LISTED]
            if maybe:
                where = ", ".join(w.path for w in maybe[:3]) + (", ..." if len(maybe) > 3 else "")
                report.warnings.append(f"{len(maybe)} path{'s' if len(maybe) > 1 else ''} the original's user could "
                                       f"write and {info['users']['converted']} cannot ({where}); the app did not "
                                       "write them during the run")
        else:
            report.notes.append("write permissions not compared: a USER the image's /etc/passwd does not define")
        expected = sum(g["files"] for g in info["missing"]["expected"])
        if expected:
            report.notes.append(f"{expected} file{'s' if expected > 1 else ''} under {', '.join(dirs)} not in the "
                                "converted image, as expected (build inputs, tests, caches, VCS; --json lists them)")
        report.files = info

    def _tree(self, image: str):
        from msbrewrite.verify.files import read_tree
        created = self.docker.run("create", "--label", self.label, image, "/msb-verify-never-started")
        if created.returncode != 0:
            raise EngineError(f"cannot create a container of {image}: {first_line(created.stderr)}")
        cid = created.stdout.strip()
        try:
            proc = subprocess.Popen([self.docker.binary, "export", cid], stdout=subprocess.PIPE,
                                    stderr=subprocess.DEVNULL, env=self.docker.env)
            try:
                return read_tree(proc.stdout)
            finally:
                proc.stdout.close()
                proc.wait()
        finally:
            self.docker.run("rm", "-f", cid)

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
        inconclusive = None
        if "original" in results:
            detail += f" (original: {results['original']['exit_code']})"
            if results["original"]["exit_code"] != 0 and got != 0:
                inconclusive = f"{os.path.basename(self.s.smoke_script)} fails on the original too"
        return Smoke("script", got == 0, detail, results.get("original", {}), results["converted"], inconclusive)


# set by base images or by builds for themselves: their absence says nothing about the app
_BASE_ENV = re.compile(r"(PATH|HOME|HOSTNAME|TERM|LANG|LC_\w+|GPG_KEY|\w+_VERSION|\w+_SHA256|\w*JAVA_HOME|JAVA_\w+|"
                       r"GO\w*|CARGO_\w+|RUSTUP_\w+|NPM_\w+|npm_\w+|YARN_\w+|PIP_\w+|PYTHON\w*|MAVEN_\w+|"
                       r"GRADLE_\w+|DEBIAN_FRONTEND|NODE_OPTIONS|PNPM_HOME|VIRTUAL_ENV|SSL_CERT_\w+)")


def env_warnings(original: dict, converted: dict) -> list[str]:
    """ENV the original image sets that the converted one lacks or changes (the app may read it)."""
    def env(config: dict) -> dict[str, str]:
        pairs = (e.partition("=") for e in config.get("Env") or [] if isinstance(e, str))
        return {k: v for k, _, v in pairs}
    before, after = env(original or {}), env(converted or {})
    missing = sorted(k for k in before if k not in after and not _BASE_ENV.fullmatch(k))
    changed = sorted(k for k in before if k in after and before[k] != after[k] and not _BASE_ENV.fullmatch(k))
    out = []
    if missing:
        out.append("ENV not set in the converted image: " + ", ".join(missing[:8]) +
                   (f" and {len(missing) - 8} more" if len(missing) > 8 else ""))
    if changed:
        out.append("ENV set differently in the converted image: " + ", ".join(
            f"{k} ({before[k][:30]!r} -> {after[k][:30]!r})" for k in changed[:5]))
    return out


def _write_forms(run: ServerRun) -> list[str]:
    """The forms on the crawled pages that write, as `POST /path (form on /page)`."""
    from msbrewrite.verify.crawl import write_forms
    out = []
    for path, f in run.fetches.items():
        if f.body is not None and "html" in f.content_type.lower():
            for action, csrf in write_forms(path, f.body):
                line = f"POST {action} (form on {path}{', CSRF token' if csrf else ''})"
                if line not in out:
                    out.append(line)
    return out


def _health_test(config: dict) -> list[str] | None:
    hc = config.get("Healthcheck") if isinstance(config, dict) else None
    test = hc.get("Test") if isinstance(hc, dict) else None
    return test if isinstance(test, list) and all(isinstance(w, str) for w in test) else None


def _text(data) -> str:
    if data is None:
        return ""
    return data.decode("utf-8", "replace") if isinstance(data, bytes) else data
