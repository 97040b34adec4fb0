"""Dockerfiles built from one context (a monorepo's root) share it in a bulk run: one walk and
one `.dockerignore` reading per context, and for each file the same result as converting it alone."""
import importlib.util
import json
import os
import subprocess
import sys

from conftest import ROOT
from msbrewrite.bulk import runner as bulk
from msbrewrite.bulk.discover import discover
from msbrewrite.model import context as context_module
from msbrewrite.model.context import Context, Contexts
from msbrewrite.support.walk import walk

# a guard against a hung test only, never a deadline a passing run depends on
HANG = 300

FLAGS = {"runtime": "auto", "language": None, "user": None, "explicit": {}}

# the service the benchmark times (benchmarks/bulk.py), loaded by path: benchmarks is no package
_spec = importlib.util.spec_from_file_location("msb_bulk_bench", ROOT / "benchmarks" / "bulk.py")
_bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_bench)
SERVICE = _bench.SERVICE

MAIN = 'package main\n\nimport "os"\n\nfunc main() {{ os.ReadFile("config/{name}.yaml") }}\n'


def _write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def _monorepo(root, services=4):
    """Services built from the repository root (`docker build -f services/x/Dockerfile .`), and
    one service with a context of its own."""
    _write(root / "go.mod", "module example.com/shop\n\ngo 1.22\n")
    _write(root / "go.sum", "")
    _write(root / ".dockerignore", "docs/\n**/*.md\n")
    _write(root / "docs" / "guide.md", "# guide\n")
    _write(root / "internal" / "money" / "money.go", "package money\n\nfunc Cents(x int) int { return x * 100 }\n")
    _write(root / "deploy" / "id_rsa", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk=\n"
                                       "-----END OPENSSH PRIVATE KEY-----\n")
    for i in range(services):
        name = f"svc{i}"
        _write(root / "config" / f"{name}.yaml", "port: 8080\n")
        _write(root / "services" / name / "main.go", MAIN.format(name=name))
        _write(root / "services" / name / "Dockerfile", SERVICE.format(name=name))
    solo = root / "tools" / "solo"
    _write(solo / "go.mod", "module example.com/solo\n\ngo 1.22\n")
    _write(solo / "main.go", 'package main\n\nfunc main() {}\n')
    _write(solo / "Dockerfile", 'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /solo .\nCMD ["/solo"]\n')
    return root


def _counting_walk(seen):
    def counted(top, onerror=None):
        seen.append(os.fspath(top))
        return walk(top, onerror)
    return counted


def test_each_context_is_walked_once_however_many_files_share_it(tmp_path):
    root = _monorepo(tmp_path / "repo").resolve()
    walked = []
    items = bulk.run(discover([root]), FLAGS, jobs=1, contexts=Contexts(walker=_counting_walk(walked)))
    assert [i.status for i in items] == ["converted"] * 5
    assert {i.context for i in items} == {str(root), str(root / "tools" / "solo")}
    assert sorted(walked) == sorted([str(root), str(root / "tools" / "solo")])


def test_the_dockerignore_is_read_once_per_context(tmp_path, monkeypatch):
    root = _monorepo(tmp_path / "repo")
    made = []

    class Counted(context_module.DockerIgnore):
        def __init__(self, text):
            made.append(text)
            super().__init__(text)

    monkeypatch.setattr(context_module, "DockerIgnore", Counted)
    bulk.run(discover([root]), FLAGS, jobs=1)
    assert made.count("docs/\n**/*.md\n") == 1


def test_a_shared_context_gives_each_file_the_result_it_gets_alone(tmp_path):
    found = discover([_monorepo(tmp_path / "repo")])
    shared = bulk.run(found, FLAGS, jobs=1)
    alone = [bulk.process(f, FLAGS, contexts=Contexts()) for f in found]
    assert shared == alone
    # the shared context still says what it says alone: the key is left out, the docs are ignored
    assert any("id_rsa" in w for i in shared for w in i.warnings + i.leaves_out)


PARALLEL_RUN = """
import json, os, sys
from msbrewrite.bulk import runner as bulk
from msbrewrite.bulk.discover import discover
from msbrewrite.model.context import Contexts
from msbrewrite.support.walk import walk
log = sys.argv[2]
def counted(top, onerror=None):
    with open(log, "a") as fh:
        fh.write(f"{os.getpid()} {top}\\n")
    return walk(top, onerror)
real = bulk.process
def process(found, flags, contexts=None):
    # a worker that starts once has the pipeline already (inherited), and is reused across files
    with open(log + ".calls", "a") as fh:
        fh.write(f"{os.getpid()} {'msbrewrite.languages.go.plan' in sys.modules}\\n")
    return real(found, flags, contexts)
bulk.process = process
items = bulk.run(discover([sys.argv[1]]), {}, jobs=2, contexts=Contexts(walker=counted))
assert "dockerfile" not in sys.modules     # the parent never loaded the Go parser: the workers forked
print(json.dumps([[i.path, i.status] for i in items]))
"""


def test_parallel_workers_inherit_the_shared_context_and_start_once(tmp_path):
    root = _monorepo(tmp_path / "repo", services=12).resolve()
    log = tmp_path / "walks.log"
    proc = subprocess.run([sys.executable, "-c", PARALLEL_RUN, str(root), str(log)], capture_output=True, text=True,
                          timeout=HANG)
    assert proc.returncode == 0, proc.stderr
    assert [status for _, status in json.loads(proc.stdout)] == ["converted"] * 13
    walks = [line.split(" ", 1) for line in log.read_text().splitlines()]
    assert sorted(top for _, top in walks) == sorted([str(root), str(root / "tools" / "solo")])
    calls = [line.split() for line in (tmp_path / "walks.log.calls").read_text().splitlines()]
    assert len(calls) == 13 and all(warm == "True" for _, warm in calls)
    workers = {pid for pid, _ in calls}
    assert len(workers) <= 2
    # the root was walked in the parent, before the fork; no worker walked it again
    assert [pid for pid, top in walks if top == str(root)][0] not in workers


def test_contexts_keep_a_bounded_number_and_drop_the_least_recently_used(tmp_path):
    dirs = [tmp_path / name for name in "abc"]
    for d in dirs:
        _write(d / "f.txt", "x" * 10)
    walked = []
    contexts = Contexts(walker=_counting_walk(walked), keep=2)
    for d in [dirs[0], dirs[1], dirs[0], dirs[2], dirs[0]]:
        contexts.get(d).files()
    assert dirs[0] in contexts and dirs[2] in contexts and dirs[1] not in contexts
    assert walked == [str(dirs[0].resolve()), str(dirs[1].resolve()), str(dirs[2].resolve())]


def test_a_context_answers_what_a_fresh_one_answers_every_time(tmp_path):
    root = _monorepo(tmp_path / "repo")
    (root / "link").symlink_to(tmp_path)                # out of the context: never read through
    os.mkfifo(root / "pipe")                            # never opened: it could block
    (root / "big.txt").write_text("y" * 300)
    questions = [("exists", "go.mod"), ("exists", "nope"), ("exists", "../repo/go.mod"), ("exists", "link/x"),
                 ("is_dir", "services"), ("is_dir", "go.mod"), ("read", "go.mod"), ("read", "/go.mod"),
                 ("read", "pipe"), ("read", "link/repo/go.mod"), ("read", "services"), ("listdir", ""),
                 ("listdir", "services"), ("listdir", "nope"), ("ignored", "docs/guide.md"),
                 ("ignored", "internal/money/money.go"), ("size", "go.mod"), ("size", "nope"), ("files",),
                 ("glob", "services/*/Dockerfile")]
    # a budget smaller than big.txt: what is not kept is read again, with the same answer
    contexts = Contexts(cache_bytes=100)
    for _ in range(2):
        shared = contexts.get(root)
        for q in questions + [("read", "big.txt"), ("read", "big.txt", 10)]:
            fresh = getattr(Context(root), q[0])(*q[1:])
            assert getattr(shared, q[0])(*q[1:]) == fresh, q
    shared.listdir("").append("mine")       # a caller's list is its own
    assert "mine" not in shared.listdir("")
