"""Running one image as a server for `msb verify`: the app starts without network access, a helper
container with curl joins its network namespace (so distroless apps without a shell work and ports
never clash) and stays there while verify asks it, in a few `docker exec` rounds, to wait for the
port, fetch batches of paths, and read the listening sockets."""
from __future__ import annotations

import hashlib
import json
import re
import subprocess
import time
from base64 import b64decode

from msbrewrite.support.records import field, record
from msbrewrite.verify.crawl import Crawl, Fetch, redirect_target
from msbrewrite.verify.ports import listener_ports

# Waits for the first port that answers on the readiness path (a status, or a TCP connect when the
# port speaks no HTTP), never asking for `/` unless that is the path.
WAIT_SCRIPT = r'''
timeout=$1; ports=$2; path=$3
deadline=$(( $(date +%s) + timeout ))
while :; do
    for p in $ports; do
        out=$(curl -s -o /dev/null --connect-timeout 2 --max-time 5 -w '%{http_code} %{time_connect}' "http://127.0.0.1:$p$path")
        code=${out%% *}; tc=${out#* }
        if [ "$code" != 000 ] || awk -v t="$tc" 'BEGIN { exit !(t + 0 > 0) }'; then echo "PORT $p"; exit 0; fi
    done
    [ "$(date +%s)" -lt "$deadline" ] || { echo "NOPORT"; exit 1; }
    sleep 0.5
done
'''

# One line per path: status, size, sha256, content type, a redirect's target, the body's shape
# (its hash without digits and without the app container's host name, which differ between two
# runs of the same app: times, counters, ids); then the body (base64) of the pages, stylesheets
# and scripts the crawler reads links from, of JSON answers (their shape is taken after sorting
# their keys, below) and of answers without a content type.
FETCH_SCRIPT = r'''
port=$1; max=$2; host=$3; shift 3
for path in "$@"; do
    curl -s -o /tmp/body --max-time 10 -w '%{http_code}\n%{redirect_url}\n%{content_type}\n' \
        "http://127.0.0.1:$port$path" > /tmp/meta
    { read -r code; read -r location; read -r ctype; } < /tmp/meta
    [ -f /tmp/body ] || : > /tmp/body
    size=$(wc -c < /tmp/body | tr -d ' '); sum=$(sha256sum /tmp/body | cut -c1-64)
    shape=$(sed "s/$host//g" /tmp/body | tr -d '0-9' | sha256sum | cut -c1-64)
    echo "R $code $size $sum $path"
    echo "T $ctype"
    echo "S $shape"
    [ -n "$location" ] && echo "L $location"
    send=""
    case "$ctype$path" in
        *html*|*text/css*|*javascript*|*json*|*.webmanifest*) send=1 ;;
    esac
    # an answer without a type: a browser sniffs the body, and so does the crawler
    [ -z "$ctype" ] && send=1
    if [ -n "$send" ] && [ "$size" -le "$max" ]; then echo "B"; base64 /tmp/body; echo "E"; fi
    rm -f /tmp/body /tmp/meta
done
'''


def json_shape(body: str, host: str = "") -> str | None:
    """The shape of a JSON answer: the hash of its canonical form (keys sorted, no spacing) without
    digits and without the container's host name, so the order a server writes keys in (which may
    change between two starts) is not a difference. None when the body is not JSON."""
    try:
        data = json.loads(body)
    except ValueError:
        return None
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    if host:
        text = text.replace(host, "")
    return hashlib.sha256(re.sub(r"[0-9]", "", text).encode()).hexdigest()


def parse_fetches(text: str, port: int | None = None, host: str = "") -> dict[str, Fetch]:
    out: dict[str, Fetch] = {}
    current: Fetch | None = None
    body: list[str] | None = None
    for line in text.splitlines():
        if body is not None:
            if line == "E":
                if current is not None:
                    current.body = b64decode("".join(body)).decode("utf-8", "replace")
                body = None
            else:
                body.append(line.strip())
            continue
        head, _, rest = line.partition(" ")
        if head == "R":
            fields = rest.split(" ", 3)
            if len(fields) == 4:
                code, size, digest, path = fields
                current = Fetch(int(code) if code.isdigit() else 0, "", int(size) if size.isdigit() else 0, digest)
                out[path] = current
        elif head == "T" and current is not None:
            current.content_type = rest.strip()
        elif head == "L" and current is not None:
            current.location = redirect_target(rest, port)
        elif head == "S" and current is not None:
            current.shape = rest.strip()
        elif line == "B":
            body = []
    for f in out.values():
        if f.body is not None and "json" in f.content_type.lower():
            f.shape = json_shape(f.body, host) or f.shape
        elif f.body is not None:
            f.loose_shape = loose_shape(f.body, host)
    return out


def loose_shape(body: str, host: str = "") -> str:
    """A read body's shape (digits and the container's host name left out, as the probe's own) that
    also leaves out the content hashes in the build's file names it links."""
    from msbrewrite.verify.build_hashes import without_hashes
    text = without_hashes(body.replace(host, "") if host else body)
    return hashlib.sha256(re.sub(r"[0-9]", "", text).encode()).hexdigest()


@record
class ServerRun:
    """What one image did as a server."""
    started: bool = True
    port: int | None = None
    statuses: dict[str, int] = field(default_factory=dict)   # requested path -> HTTP status (0: not HTTP)
    fetches: dict[str, Fetch] = field(default_factory=dict)  # every probed path
    found_by: dict[str, str] = field(default_factory=dict)   # path -> requested | route ... | link from ...
    listeners: list[list] = field(default_factory=list)      # [address, port] LISTEN sockets
    command_rc: int | None = None                             # --smoke-cmd exit status
    command_output: list[str] = field(default_factory=list)
    stayed_up: bool = True
    exit_code: int | None = None
    logs: list[str] = field(default_factory=list)
    diff: str = ""                                            # `docker diff` after the probes
    crawl_dropped: int = 0
    health_rc: int | None = None                              # the image's HEALTHCHECK, run once (None: not run)
    health_output: list[str] = field(default_factory=list)
    seconds: float = 0.0
    port_found_by: str = ""                                   # EXPOSE | command (...) | listening socket ...
    named_silent: list[int] = field(default_factory=list)    # named ports that answered nothing (then: a listener)


class ServerProbe:
    """One server run: start, wait, probe, collect, remove. `docker` is msbrewrite.verify.engine.Docker."""

    def __init__(self, docker, label: str, name: str, probe_image: str, run_args: list[str], timeout: float,
                 progress):
        self.docker = docker
        self.label = label
        self.name = name
        self.probe_image = probe_image
        self.run_args = run_args
        self.timeout = timeout
        self.progress = progress

    def run(self, image: str, ports: list[int], ready_path: str, plan, smoke_cmd: str | None = None,
            keep_diff: bool = False, health: list[str] | None = None, discover: bool = False,
            fallback: bool = False, recheck: bool = False) -> ServerRun:
        """`plan(run, fetch)` drives the probes: it calls `fetch(paths)` for each batch. With
        `discover`, a port the app is seen listening on is probed too (none named: the only way).
        With `recheck`, the pages it answered are asked again: a page whose shape stays the same
        must keep it in the converted image (see Fetch.stable)."""
        start = time.monotonic()
        run = ServerRun()
        started = self.docker.run("run", "-d", "--network=none", "--label", self.label, *self.run_args, image)
        if started.returncode != 0:
            run.started = False
            run.logs = started.stderr.strip().splitlines()[-15:]
            return run
        cid = started.stdout.strip()
        helper = f"{self.name}-probe"
        try:
            up = self.docker.run("run", "-d", "--name", helper, "--label", self.label, "--network", f"container:{cid}",
                                 "--entrypoint", "sh", self.probe_image, "-c", "sleep 100000")
            if up.returncode != 0 and self._running(cid):
                from msbrewrite.verify.engine import EngineError
                raise EngineError(f"cannot start the probe helper ({self.probe_image}): "
                                  f"{up.stderr.strip().splitlines()[-1] if up.stderr.strip() else up.returncode}")
            if up.returncode == 0:      # else the app exited before the helper could join it
                run.port = self._wait(cid, helper, ports, ready_path, discover, run)
                if run.port is None and fallback and not discover and self._running(cid):
                    # EXPOSE named a port nothing answered on: probe what the app is seen listening on
                    run.port = self._wait(cid, helper, [], ready_path, True, run, grace=15)
                    run.named_silent = list(ports)
            if run.port is not None:
                # the container's host name, as a word sed may take: left out of every body's shape
                host = self.docker.run("inspect", "-f", "{{.Config.Hostname}}", cid).stdout.strip()
                host = re.sub(r"[^\w.-]", "", host) or cid[:12]

                def fetch(paths: list[str], keep: bool = True) -> dict[str, Fetch]:
                    if not paths:
                        return {}
                    proc = self.docker.run("exec", helper, "sh", "-c", FETCH_SCRIPT, "fetch", str(run.port),
                                           "300000", host, *paths,
                                           timeout=30 + 12 * len(paths))
                    got = parse_fetches(proc.stdout, run.port, host)
                    if keep:
                        run.fetches.update(got)
                    return got
                plan(run, fetch)
                if recheck:
                    again = fetch([p for p, f in run.fetches.items() if 200 <= f.status < 300], keep=False)
                    for path, f in again.items():
                        run.fetches[path].stable = f.shape == run.fetches[path].shape
                run.listeners = sorted([a, p] for a, p in self._sockets(helper))
                if smoke_cmd:
                    proc = self.docker.run("exec", "-e", f"PORT={run.port}", helper, "sh", "-c", smoke_cmd + " 2>&1",
                                           timeout=self.timeout + 30)
                    run.command_rc = proc.returncode
                    run.command_output = proc.stdout.splitlines()[-20:]
                time.sleep(1)   # a server must stay up, not just answer once
                if health_argv(health) and self._running(cid):
                    self._health(cid, health_argv(health), run)
            run.stayed_up = self._running(cid)
            if not run.stayed_up:
                code = self.docker.run("inspect", "-f", "{{.State.ExitCode}}", cid).stdout.strip()
                run.exit_code = int(code) if code.lstrip("-").isdigit() else None
            logs = self.docker.run("logs", "--tail", "400", cid)
            run.logs = (logs.stdout + logs.stderr).splitlines()
            if keep_diff:
                run.diff = self.docker.run("diff", cid).stdout
        finally:
            self.docker.run("rm", "-f", helper, cid)
        run.seconds = round(time.monotonic() - start, 1)
        return run

    def _wait(self, cid: str, helper: str, ports: list[int], path: str, discover: bool, run: ServerRun,
              grace: float | None = None) -> int | None:
        """The first port that answers: the named ones, and with `discover` the ones the app is seen
        listening on (the wait restarts with them whenever a new one appears). Stops as soon as the
        app exits: its port will never answer."""
        deadline = time.monotonic() + (self.timeout if grace is None else grace)
        trying = list(ports)
        proc = self._start_wait(helper, trying, path, deadline) if trying else None
        while True:
            if proc is not None and proc.poll() is not None:
                port = _waited_port(proc.communicate()[0])
                if port is not None or time.monotonic() > deadline:
                    return port
                proc = None          # the discovered port closed again: look afresh
            late = time.monotonic() > (deadline if proc is None else deadline + 30)
            if late or not self._running(cid):
                break
            if discover:
                sockets = self._sockets(helper)
                run.listeners = sorted([a, p] for a, p in sockets)
                found = listener_ports(sockets, exclude=trying)
                if found:
                    trying += found
                    if proc is not None:
                        proc.kill()
                        proc.communicate()
                    proc = self._start_wait(helper, trying, path, deadline)
            if proc is None and not discover:
                return None
            time.sleep(0.5)
        if proc is not None:
            proc.kill()
            return _waited_port(proc.communicate()[0])
        return None

    def _start_wait(self, helper: str, ports: list[int], path: str, deadline: float) -> subprocess.Popen:
        left = max(1, int(deadline - time.monotonic()))
        args = [self.docker.binary, "exec", helper, "sh", "-c", WAIT_SCRIPT, "wait", str(left),
                " ".join(map(str, ports)), path]
        return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                env=self.docker.env, errors="replace")

    def _sockets(self, helper: str) -> set[tuple[str, int]]:
        """The app's listening TCP sockets, read in its network namespace by the helper."""
        from msbrewrite.verify.logs import listeners
        tcp = self.docker.run("exec", helper, "sh", "-c", "cat /proc/net/tcp /proc/net/tcp6 2>/dev/null")
        return listeners(tcp.stdout)

    def _health(self, cid: str, argv: list[str], run: ServerRun) -> None:
        """Run the HEALTHCHECK's test once in the app's container, as the engine would."""
        try:
            proc = self.docker.run("exec", cid, *argv, timeout=60)
        except subprocess.TimeoutExpired:
            run.health_rc, run.health_output = -1, ["timed out after 60s"]
            return
        run.health_rc = proc.returncode
        run.health_output = (proc.stdout + proc.stderr).strip().splitlines()[-5:]

    def _running(self, cid: str) -> bool:
        return self.docker.run("inspect", "-f", "{{.State.Running}}", cid).stdout.strip() == "true"


def _waited_port(out: str) -> int | None:
    for line in out.splitlines():
        head, _, rest = line.partition(" ")
        if head == "PORT" and rest.isdigit():
            return int(rest)
    return None


def health_argv(test: list[str] | None) -> list[str] | None:
    """The command a HEALTHCHECK's Test runs (image config form), or None for none/NONE."""
    if not test or test[0] == "NONE":
        return None
    if test[0] == "CMD-SHELL":
        return ["/bin/sh", "-c", " ".join(test[1:])]
    if test[0] == "CMD":
        return list(test[1:]) or None
    return None


def crawl_plan(seeds: list[str], found_by: dict[str, str], max_pages: int, max_depth: int):
    """A plan that fetches the seeds, then the links their answers carry, breadth first."""
    def plan(run: ServerRun, fetch) -> None:
        crawl = Crawl(seeds, max_pages=max_pages, max_depth=max_depth)
        while True:
            batch = crawl.next_batch()
            if not batch:
                break
            for path, got in fetch(batch).items():
                crawl.feed(path, got)
            crawl.advance()
        run.found_by = {p: found_by.get(p) or how for p, how in crawl.origin.items()}
        run.crawl_dropped = crawl.dropped
    return plan


def fixed_plan(paths: list[str], found_by: dict[str, str]):
    """A plan that fetches exactly these paths (the converted image gets the original's list)."""
    def plan(run: ServerRun, fetch) -> None:
        fetch(paths)
        run.found_by = dict(found_by)
    return plan
