import json
import os
import re
import select
import signal
import subprocess
import sys
import time

import pytest

from bulkapps import MULTI_STAGE, UNKNOWN, git, go_app, msb
from msbrewrite.bulk import runner as bulk
from msbrewrite.bulk.contexts import context_for
from msbrewrite.core.convert import convert
from msbrewrite.bulk.discover import discover
from msbrewrite.model.options import Options

# a guard against a hung test only, never a deadline a passing run depends on
HANG = 300

FLAGS = {"runtime": "auto", "language": None, "user": None, "explicit": {}}


def _tree(root, apps=6):
    for i in range(apps):
        go_app(root / f"svc{i}", name=f"svc{i}")
    go_app(root / "done", text=MULTI_STAGE)
    (root / "misc").mkdir()
    (root / "misc" / "Dockerfile").write_text(UNKNOWN)
    (root / "misc" / "Dockerfile.bin").write_bytes(b"FROM x\x00\n")
    return root


PARALLEL_RUN = """
import json, sys
from msbrewrite.bulk import runner as bulk
from msbrewrite.bulk.contexts import context_for
from msbrewrite.bulk.discover import discover
items = bulk.run(discover([sys.argv[1]]), json.loads(sys.argv[2]), jobs=3)
assert "dockerfile" not in sys.modules     # the parent never loaded the Go parser: the workers forked
print(json.dumps([vars(i) for i in items]))
"""


def test_parallel_run_equals_serial_run(tmp_path):
    found = discover([_tree(tmp_path)])
    serial = bulk.run(found, FLAGS, jobs=1)
    # a fresh process: this one has loaded the Go parser, so its own runs are serial
    proc = subprocess.run([sys.executable, "-c", PARALLEL_RUN, str(tmp_path), json.dumps(FLAGS)],
                          capture_output=True, text=True, timeout=HANG)
    assert proc.returncode == 0, proc.stderr
    assert [vars(i) for i in serial] == json.loads(proc.stdout)
    c = bulk.counts(serial)
    assert (c["converted"], c["unchanged"], c["refused"], c["failed"]) == (6, 1, 2, 0)
    assert c["refused_by_reason"] == {"unknown-language": 1, "binary": 1}


def test_a_process_that_loaded_the_go_parser_runs_serially(tmp_path):
    """Forked workers hang in a Go runtime inherited from the parent: such a run must not fork."""
    convert("FROM golang:1.22\nRUN go build -o /app .\nCMD [\"/app\"]\n")
    assert bulk.GO_PARSER in sys.modules
    import multiprocessing
    found = discover([_tree(tmp_path)])
    children = []
    items = bulk.run(found, FLAGS, jobs=3, on_item=lambda item: children.extend(multiprocessing.active_children()))
    assert children == []
    assert bulk.counts(items)["converted"] == 6


DYING_WORKER = """
import json, os, sys
from msbrewrite.bulk import runner as bulk
from msbrewrite.bulk.contexts import context_for
from msbrewrite.bulk.discover import discover
real = bulk.process
def process(found, flags):
    if found.path.parent.name == "svc3":
        os._exit(1)                 # a worker killed mid-file, as the OOM killer would
    return real(found, flags)
bulk.process = process
items = bulk.run(discover([sys.argv[1]]), {}, jobs=2)
print(json.dumps([[i.path, i.status, i.reason_code] for i in items]))
"""


def test_a_dead_worker_fails_the_pending_files_instead_of_hanging(tmp_path):
    _tree(tmp_path)
    proc = subprocess.run([sys.executable, "-c", DYING_WORKER, str(tmp_path)], capture_output=True, text=True,
                          timeout=HANG)
    assert proc.returncode == 0, proc.stderr
    items = json.loads(proc.stdout)
    assert len(items) == 9
    dead = [i for i in items if i[2] == "worker-died"]
    assert any(path.endswith("svc3/Dockerfile") for path, _, _ in dead)
    assert all(status == "failed" for _, status, _ in dead)


def _interruptible() -> None:
    """The child starts with Ctrl-C's default action, as from a terminal. A test run started in the
    background of a non-interactive shell (or under nohup) inherits SIGINT ignored, and Python
    keeps it ignored: the SIGINT these tests send would then do nothing at all."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


STUCK_WORKER = """
import os, sys, time
from msbrewrite.bulk import runner as bulk
from msbrewrite.bulk.contexts import context_for
from msbrewrite.bulk.discover import discover
real = bulk.process
def process(found, flags):
    if found.path.parent.name == "svc3":
        print("stuck", flush=True)
        time.sleep(3600)            # a worker that never finishes its file
    return real(found, flags)
bulk.process = process
try:
    bulk.run(discover([sys.argv[1]]), {}, jobs=2)
except KeyboardInterrupt:
    sys.exit(130)
"""


def test_ctrl_c_does_not_wait_for_a_stuck_worker(tmp_path):
    _tree(tmp_path)
    proc = subprocess.Popen([sys.executable, "-c", STUCK_WORKER, str(tmp_path)], stdout=subprocess.PIPE, text=True,
                            preexec_fn=_interruptible)
    assert proc.stdout.readline().strip() == "stuck"
    os.kill(proc.pid, signal.SIGINT)
    # a guard against a hang only: the run ends at once, however busy the machine
    assert proc.wait(timeout=HANG) == 130


HALF_SENT = """
import struct, sys, time
import concurrent.futures.process as pool
from msbrewrite.bulk import runner as bulk
from msbrewrite.bulk.contexts import context_for
from msbrewrite.bulk.discover import discover
real = pool._sendback_result
def send(result_queue, work_id, result=None, exception=None, exit_pid=None):
    if result and any(item.path.endswith("svc3/Dockerfile") for _, item in result):
        # the start of a long message, then nothing: what a worker killed mid-send leaves
        result_queue._writer._send(struct.pack("!i", 1 << 20) + b"partial")
        print("half sent", flush=True)
        time.sleep(3600)
    real(result_queue, work_id, result, exception, exit_pid)
pool._sendback_result = send
try:
    bulk.run(discover([sys.argv[1]]), {}, jobs=2)
except KeyboardInterrupt:
    sys.exit(130)
"""


def test_ctrl_c_does_not_wait_for_a_result_a_worker_half_sent(tmp_path):
    """The pool's thread blocks reading the rest of a message no worker will finish: Ctrl-C must
    not wait for it (the interpreter's exit joins that thread)."""
    _tree(tmp_path)
    proc = subprocess.Popen([sys.executable, "-c", HALF_SENT, str(tmp_path)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, preexec_fn=_interruptible)
    assert proc.stdout.readline().strip() == "half sent"
    os.kill(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=HANG)
    assert proc.returncode == 130, err
    assert "Traceback" not in err


def test_summary_table_groups_refusals_by_reason(tmp_path):
    items = bulk.run(discover([_tree(tmp_path, apps=2)]), FLAGS, jobs=2)
    table = bulk.summary(items, 1.0, "")
    lines = [line.split() for line in table.splitlines()[1:]]
    assert ["converted", "2"] in lines and ["already", "multi-stage", "(unchanged)", "1"] in lines
    assert ["refused", "2"] in lines and ["unknown-language", "1"] in lines and ["binary", "1"] in lines
    assert ["failed", "0"] in lines


def test_context_is_the_nearest_directory_holding_what_the_file_copies(tmp_path):
    go_app(tmp_path, name="api")
    docker = tmp_path / "deploy" / "docker"
    docker.mkdir(parents=True)
    moved = docker / "Dockerfile"
    moved.write_text((tmp_path / "Dockerfile").read_text())
    assert context_for(moved.resolve(), tmp_path.resolve(), moved.read_text()) == tmp_path.resolve()
    # copies nothing by name: the nearest directory with an app manifest
    only_dot = docker / "Dockerfile.dot"
    only_dot.write_text("FROM golang:1.22\nCOPY . .\nRUN go build -o /app .\nCMD [\"/app\"]\n")
    assert context_for(only_dot.resolve(), tmp_path.resolve(), only_dot.read_text()) == tmp_path.resolve()
    lone = tmp_path / "other" / "Dockerfile"
    lone.parent.mkdir()
    lone.write_text(UNKNOWN)
    assert context_for(lone.resolve(), (tmp_path / "other").resolve(), UNKNOWN) == lone.parent.resolve()


def test_patch_applies_with_git_apply(tmp_path):
    repo = _tree(tmp_path / "repo", apps=3)
    # one file without a final newline, one with CRLF line ends
    last = repo / "svc1" / "Dockerfile"
    last.write_text(last.read_text().rstrip("\n"))
    crlf = repo / "svc2" / "Dockerfile"
    crlf.write_bytes(crlf.read_bytes().replace(b"\n", b"\r\n"))
    go_app(repo / 'odd "name" dir', name="odd")     # git C-quotes this path in a patch
    git("init", "-q", cwd=repo)
    git("add", "-A", cwd=repo)
    git("commit", "-qm", "start", cwd=repo)
    before = {p: p.read_bytes() for p in repo.rglob("*") if p.is_file() and ".git" not in p.parts}
    run = msb("migrate", ".", "--patch", "../changes.diff", "-q", cwd=repo)
    assert run.returncode == 0, run.stderr
    assert {p: p.read_bytes() for p in before} == before       # a patch run writes nothing else
    diff = (tmp_path / "changes.diff").read_text()
    assert diff.count("diff --git ") == 4
    git("apply", "--check", "../changes.diff", cwd=repo)
    git("apply", "../changes.diff", cwd=repo)
    for path in ("svc0/Dockerfile", "svc1/Dockerfile", "svc2/Dockerfile", 'odd "name" dir/Dockerfile'):
        old = before[repo / path].decode()
        expected = convert(old, repo / path.split("/")[0], Options()).text
        assert (repo / path).read_bytes().decode() == expected
    assert (repo / "done" / "Dockerfile").read_text() == MULTI_STAGE


def test_in_place_then_rerun_changes_nothing(tmp_path):
    root = _tree(tmp_path, apps=3)
    first = msb("migrate", root, "--in-place", "--json", "-q")
    assert first.returncode == 0, first.stderr
    report = json.loads(first.stdout)
    assert report["summary"]["converted"] == 3
    snapshot = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    second = msb("migrate", root, "--in-place", "--json", "-q")
    assert json.loads(second.stdout)["summary"]["converted"] == 0
    assert json.loads(second.stdout)["summary"]["unchanged"] == 4
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == snapshot


def test_dry_run_writes_nothing_and_plain_progress_lines(tmp_path):
    root = _tree(tmp_path, apps=2)
    snapshot = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    run = msb("migrate", root, "-j", "2")
    assert run.returncode == 0
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == snapshot
    assert run.stderr.count("msb: [") == 5          # one plain line per file when not on a terminal
    assert "dry run" in run.stderr


def test_bad_usage_exits_2(tmp_path):
    assert msb("migrate", tmp_path / "missing").returncode == 2
    assert msb("migrate", tmp_path, "--in-place", "--patch", "x.diff").returncode == 2
    assert msb("migrate", tmp_path, "--jobs", "0").returncode == 2


HELD_MIGRATE = """
import os, sys, time
from msbrewrite.bulk import runner as bulk
from msbrewrite.bulk.contexts import context_for
real = bulk.process
held = sys.argv.pop(1)
def process(found, flags):
    if found.path.parent.name == held:
        # this worker's chunk never finishes: the run cannot end before the interrupt. One write:
        # under PYTHONUNBUFFERED, print() writes the word and the newline apart, and the parent's
        # progress line can land between them
        os.write(2, b"held\\n")
        time.sleep(3600)
    return real(found, flags)
bulk.process = process
from msbrewrite.cli.entry import main
main()
"""


class _Stderr:
    """A process's stderr read line by line in a thread, so that a run that stops printing fails
    the test after HANG seconds, with what it printed, instead of hanging the suite."""

    def __init__(self, proc: subprocess.Popen):
        import queue
        import threading
        self.proc, self.lines, self.seen, self.ended = proc, queue.Queue(), [], False
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stderr:
            self.lines.put(line)
        self.lines.put(None)

    def _next(self) -> str | None:
        import queue
        if self.ended:
            return None
        try:
            line = self.lines.get(timeout=HANG)
            self.ended = line is None
            return line
        except queue.Empty:
            self.proc.kill()
            pytest.fail(f"the run printed nothing for {HANG}s; so far:\n{''.join(self.seen)[-3000:]}")

    def until(self, done) -> None:
        while not done(self.seen):
            line = self._next()
            if line is None:
                return
            self.seen.append(line)

    def rest(self) -> str:
        """Everything it printed, once it has ended."""
        while (line := self._next()) is not None:
            self.seen.append(line)
        return "".join(self.seen)


def test_interrupted_in_place_run_leaves_every_file_old_or_new(tmp_path):
    root = tmp_path / "tree"
    count = 600
    old = {}
    for i in range(count):
        path = go_app(root / f"a{i // 50}" / f"svc{i}", name=f"svc{i}")
        old[path] = path.read_text()
    sample = next(iter(old))
    assert convert(old[sample], sample.parent, Options()).text.count("FROM ") == 2
    # one worker holds the chunk with svc300; the interrupt comes once another file is written
    proc = subprocess.Popen([sys.executable, "-c", HELD_MIGRATE, "svc300", "migrate", str(root), "--in-place",
                             "-j", "2"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            preexec_fn=_interruptible)
    stderr = _Stderr(proc)
    stderr.until(lambda seen: "held\n" in seen
                 and any(s.startswith("msb: [") and ": converted" in s for s in seen))
    os.kill(proc.pid, signal.SIGINT)
    err = stderr.rest()
    proc.wait(timeout=HANG)
    assert proc.returncode == 130, (proc.returncode, err)
    assert "Traceback" not in err

    def state(path):
        now = path.read_text()
        if now == old[path]:
            return "old"
        return "new" if now == convert(old[path], path.parent, Options()).text else "torn"

    states = [state(p) for p in old]
    assert "torn" not in states
    assert 0 < states.count("new") < count    # really interrupted mid-run
    said = re.search(r"msb: interrupted: (\d+) file\(s\) already rewritten", err)
    assert said and int(said.group(1)) == states.count("new"), err
    assert not [p for p in root.rglob("*") if p.name.endswith(".msb-tmp")]


def test_progress_bar_on_a_terminal(tmp_path):
    import pty
    root = _tree(tmp_path, apps=2)
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-c", "from msbrewrite.cli.entry import main; main()", "migrate", str(root)],
                            stdout=subprocess.PIPE, stderr=slave, text=True)
    os.close(slave)
    chunks = []
    deadline = time.monotonic() + HANG      # a guard against a hang only
    while time.monotonic() < deadline:      # drain the terminal until msb closes it, so it never blocks
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                data = os.read(master, 65536)
            except OSError:     # the child closed its end
                break
            if not data:
                break
            chunks.append(data)
        elif proc.poll() is not None:
            break
    proc.wait(timeout=HANG)
    os.close(master)
    shown = b"".join(chunks).decode(errors="replace")
    assert proc.returncode == 0
    assert "5/5" in shown and "msb: [" not in shown          # the bar, not the plain lines
    assert "already multi-stage (unchanged)" in shown


def test_in_place_leaves_alone_a_file_edited_during_the_run(tmp_path):
    path = go_app(tmp_path)
    [item] = bulk.run(discover([tmp_path]), FLAGS, jobs=1)
    assert item.status == "converted"
    edited = path.read_text() + "# edited meanwhile\n"
    path.write_text(edited)
    bulk.write_in_place([item])
    assert (item.status, item.reason_code) == ("failed", "changed")
    assert path.read_text() == edited
