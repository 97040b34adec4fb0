"""Time of one conversion as a context file or the context itself grows (sizes x1, x2, x4, x8).

    python benchmarks/context_growth.py [CASE...] [--base N]

`msb check` runs on untrusted pull requests: what a context holds must cost at most linear time.
Each line prints the seconds per size, the ratio between neighbours (linear: about 2; the issue's
bar is 2.3) and this process's peak RSS so far (the bar: under 200 MB). Cases: a crafted tsconfig.json, main.go and vite.config.js with long blank runs, a long
blank line in gradle.properties, COPY lines into distinct folders, a context of many files.
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from msbrewrite import Options, convert  # noqa: E402


def _write(root: str, name: str, text: str) -> None:
    path = Path(root, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def tsconfig(n):
    d = tempfile.mkdtemp()
    _write(d, "tsconfig.json", '{"compilerOptions": {' * n)
    _write(d, "package.json", '{"name":"x","scripts":{"build":"tsc"},"dependencies":{"express":"4"}}')
    return 'FROM node:18\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\nCMD ["node","dist/index.js"]\n', d


def go_blank_lines(n):
    d = tempfile.mkdtemp()
    _write(d, "go.mod", "module x\n")
    _write(d, "main.go", "package main\n" + "\n" * n + "func main(){}\n" + " " * n + "\n")
    return 'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\nCMD ["/app"]\n', d


def vite_blank_lines(n):
    d = tempfile.mkdtemp()
    _write(d, "package.json", '{"name":"x","scripts":{"build":"vite build"},"devDependencies":{"vite":"5"}}')
    _write(d, "vite.config.js", "export default {\n" + "\n" * n + " " * n + "build: {outDir: 'out'}}\n")
    return "FROM node:18\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\nCMD [\"npx\",\"vite\",\"preview\"]\n", d


def gradle_blank_line(n):
    d = tempfile.mkdtemp()
    _write(d, "build.gradle", "plugins { id 'java' }\n")
    _write(d, "gradle.properties", " " * n + "\n" + "\t" * n + "=\n")
    return 'FROM gradle:jdk17\nWORKDIR /app\nCOPY . .\nRUN gradle build\nCMD ["java","-jar","build/libs/app.jar"]\n', d


def copies_into_folders(n):
    n = n // 20
    return ("FROM golang:1.22\nWORKDIR /src\n" + "".join(f"COPY f{i} /app/d{i}/\n" for i in range(n))
            + 'RUN go build -o /app/server .\nCMD ["/app/server"]\n', None)


def context_files(n):
    d = tempfile.mkdtemp()
    _write(d, "go.mod", "module x\n")
    _write(d, "main.go", "package main\nfunc main(){}\n")
    for i in range(max(1, n // 1000)):
        os.makedirs(f"{d}/d{i}")
        for j in range(100):
            open(f"{d}/d{i}/f{j}.txt", "w").close()
    return 'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\nCMD ["/app"]\n', d


CASES = {f.__name__: f for f in (tsconfig, go_blank_lines, vite_blank_lines, gradle_blank_line, copies_into_folders,
                                 context_files)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("cases", nargs="*", default=sorted(CASES))
    parser.add_argument("--base", type=int, default=20000, help="size of the first step (default 20000)")
    args = parser.parse_args()
    convert("FROM scratch\n", None)     # imports out of the timing
    for name in args.cases:
        times = []
        for k in (1, 2, 4, 8):
            text, ctx = CASES[name](args.base * k)
            start = time.perf_counter()
            convert(text, ctx, Options())
            times.append(time.perf_counter() - start)
        ratios = " ".join(f"{b / a:.2f}" if a > 0.005 else "-" for a, b in zip(times, times[1:]))
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        print(f"{name:22} " + " ".join(f"{t:7.3f}s" for t in times) + f"   ratios {ratios}   peak {peak} MB",
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
