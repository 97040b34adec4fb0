"""Bulk speed in one run: `msb migrate` against hadolint on the same files, and a monorepo whose
Dockerfiles share one large build context.

    python benchmarks/bulk.py [--corpus DIR] [--files 1000] [--before GITREF] [--no-per-file]

1. The corpus (default: $MSB_CORPUS or ../shared/corpus) is copied until it holds at least
   --files Dockerfiles. `msb migrate --patch` runs over the copy as a user runs it (build contexts
   on, default --jobs); hadolint runs over the same files as one process (`hadolint FILES...`, what
   pre-commit and CI scripts run) and once per file (what an editor runs). Printed: files/s, wall
   and CPU seconds, msb's peak RSS, and the ratios (goal: msb >= 3x hadolint's one-process rate).
2. The monorepo case: --services Dockerfiles (default 20) under services/, each built from the
   repository root, a context of --context-files files (default 10,000). Printed: seconds of
   `msb migrate --patch` over it.
With --before GITREF (a commit of this repository, e.g. main), both cases also run that version
(extracted with git archive into a temporary folder) in the same run, and the script says whether
its patches are byte-identical to this version's.

Not a test: it prints numbers. On a shared machine, compare ratios from one run, not seconds
across runs; CPU seconds move less with other load than wall seconds.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent

SERVICE = """\
FROM golang:1.22
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN go build -o /bin/{name} ./services/{name}
EXPOSE 8080
CMD ["/bin/{name}"]
"""


def timed(cmd: list[str], env: dict | None = None, cwd: Path | None = None) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + sys of the process and the workers it waited for) and
    peak RSS in MB (the largest of those processes)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=cwd)
    _, _, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = 0     # reaped here: Popen must not wait for it again
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def corpus_copy(corpus: Path, at_least: int, into: Path) -> list[str]:
    files: list[str] = []
    k = 0
    while len(files) < at_least:
        k += 1
        shutil.copytree(corpus, into / f"copy{k}")
        files = sorted(str(p) for p in into.rglob("*Dockerfile*") if p.is_file())
        if k == 1 and not files:
            sys.exit(f"no Dockerfiles under {corpus}")
    return files


def monorepo(root: Path, services: int, context_files: int) -> None:
    def write(rel: str, text: str) -> None:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    write("go.mod", "module example.com/mono\n\ngo 1.22\n")
    write("go.sum", "")
    write(".dockerignore", "docs/\n**/*.md\n")
    write("config/app.yaml", "port: 8080\n")
    for i in range(context_files - 4 - 2 * services):
        pkg = f"pkg/p{i // 100}"
        if i % 3:
            write(f"{pkg}/f{i % 100}.go", f"package p{i // 100}\n\nfunc F{i % 100}() int {{ return {i} }}\n")
        else:
            write(f"{pkg}/data{i % 100}.json", '{"k": %d}\n' % i)
    for s in range(services):
        write(f"services/svc{s}/main.go", 'package main\n\nimport "os"\n\nfunc main() { os.ReadFile("config/app.yaml") }\n')
        write(f"services/svc{s}/Dockerfile", SERVICE.format(name=f"svc{s}"))


def msb_command(python: str) -> list[str]:
    # run from the work folder (see timed's callers): `python -c` puts the working directory
    # first on sys.path, and this repository's msbrewrite would shadow the --before version
    return [python, "-c", "from msbrewrite.cli.entry import main; main()"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", default=os.environ.get("MSB_CORPUS", str(HERE.parent / "shared" / "corpus")))
    parser.add_argument("--files", type=int, default=1000, help="copy the corpus until it holds this many")
    parser.add_argument("--services", type=int, default=20)
    parser.add_argument("--context-files", type=int, default=10000)
    parser.add_argument("--before", help="a git ref of this repository to time in the same run")
    parser.add_argument("--no-per-file", action="store_true", help="skip hadolint once per file (slow)")
    parser.add_argument("--hadolint", default=os.environ.get("HADOLINT") or shutil.which("hadolint")
                        or str(Path(sys.executable).parent / "hadolint"))
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="msb-bulk-"))
    try:
        versions = {"this": (msb_command(sys.executable), dict(os.environ, PYTHONPATH=str(HERE)))}
        if args.before:
            old = work / "before"
            old.mkdir()
            archive = subprocess.run(["git", "-C", str(HERE), "archive", args.before, "msbrewrite", "templates"],
                                     capture_output=True, check=True).stdout
            subprocess.run(["tar", "-x", "-C", str(old)], input=archive, check=True)
            versions[args.before] = (msb_command(sys.executable), dict(os.environ, PYTHONPATH=str(old)))
        return run(args, work, versions)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run(args, work: Path, versions: dict) -> int:
    files = corpus_copy(Path(args.corpus), args.files, work / "corpus")
    n = len(files)
    print(f"corpus: {args.corpus} copied to {n} Dockerfiles; hadolint: {args.hadolint}", flush=True)
    rates = {}
    for name, (cmd, env) in versions.items():
        patch = work / f"corpus-{len(rates)}.patch"
        wall, cpu, rss = timed(cmd + ["migrate", str(work / "corpus"), "--include", "*Dockerfile*", "--patch",
                                      str(patch), "--quiet"], env, work)
        rates[name] = n / wall
        print(f"msb migrate ({name:>6}):           {n / wall:7.1f} files/s  wall {wall:6.2f} s  cpu {cpu:6.2f} s  "
              f"peak RSS {rss:.0f} MB", flush=True)
    wall, cpu, _ = timed([args.hadolint, "--no-fail", *files])
    one = n / wall
    print(f"hadolint, one process:          {one:7.1f} files/s  wall {wall:6.2f} s  cpu {cpu:6.2f} s", flush=True)
    per_file = None
    if not args.no_per_file:
        start = time.perf_counter()
        cpu = 0.0
        for f in files:
            _, c, _ = timed([args.hadolint, "--no-fail", f])
            cpu += c
        wall = time.perf_counter() - start
        per_file = n / wall
        print(f"hadolint, one process a file:   {per_file:7.1f} files/s  wall {wall:6.2f} s  cpu {cpu:6.2f} s",
              flush=True)
    for name, rate in rates.items():
        line = f"ratio msb ({name}) / hadolint: {rate / one:.2f}x one process (goal >= 3x)"
        if per_file:
            line += f", {rate / per_file:.2f}x one process a file"
        print(line)
    patches = [(work / f"corpus-{i}.patch").read_bytes() for i in range(len(rates))]
    if len(patches) > 1:
        print(f"corpus patches identical across versions: {'yes' if len(set(patches)) == 1 else 'NO'}")

    repo = work / "monorepo"
    monorepo(repo, args.services, args.context_files)
    count = sum(1 for _ in repo.rglob("*") if _.is_file())
    print(f"monorepo: {args.services} Dockerfiles sharing one context of {count} files", flush=True)
    outputs = []
    for name, (cmd, env) in versions.items():
        patch = work / f"mono-{len(outputs)}.patch"
        wall, cpu, rss = timed(cmd + ["migrate", str(repo), "--patch", str(patch), "--quiet"], env, work)
        outputs.append(patch.read_bytes())
        print(f"msb migrate ({name:>6}): wall {wall:6.2f} s  cpu {cpu:6.2f} s  peak RSS {rss:.0f} MB", flush=True)
    if len(outputs) > 1:
        print(f"monorepo patches identical across versions: {'yes' if len(set(outputs)) == 1 else 'NO'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
