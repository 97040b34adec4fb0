"""Time and peak memory of one conversion as a Dockerfile grows to the 10,000-line limit.

    python benchmarks/large_inputs.py [--sizes 2500,5000,9990]

Each case runs in a fresh interpreter (so peak RSS is that conversion's own). Linear means the
seconds and the memory above the start-up floor roughly double when the line count doubles.
`msb check` runs on untrusted pull requests: none of these may grow quadratically.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CASES = {
    "env": lambda n: "FROM golang:1.22\n" + "".join(f"ENV V{i}=value{i}\n" for i in range(n))
                     + 'RUN go build -o /s .\nCMD ["/s"]\n',
    "go-build-o": lambda n: "FROM golang:1.22\n" + "".join(f"RUN go build -o /out/b{i} ./cmd/b{i}\n" for i in range(n))
                            + 'CMD ["/out/b1"]\n',
    "env-and-run": lambda n: "FROM golang:1.22\n" + "".join(f"ENV V{i}=v{i}\nRUN go build -o /out/b{i} ./cmd/b{i}\n"
                                                             for i in range(n // 2)) + 'CMD ["/out/b1"]\n',
    # each ENV/LABEL line uses a build argument: the runtime must know whether an ENV set it first
    "env-label-arg": lambda n: "FROM golang:1.22\nARG V=1\n" + "".join(f"LABEL l{i}=$V\nENV E{i}=$V\n"
                                                                     for i in range(n // 2))
                               + 'RUN go build -o /s .\nCMD ["/s"]\n',
    # every COPY names its own folder: each is an app directory, matched against the others
    "copy-into-folders": lambda n: "FROM golang:1.22\nWORKDIR /src\n" + "".join(
        f"COPY f{i} /app/d{i}/\n" for i in range(n)) + 'RUN go build -o /app/server .\nCMD ["/app/server"]\n',
    "cargo-build": lambda n: "FROM rust:1.80\nWORKDIR /src\n" + "".join(
        f"RUN cargo build --release --bin b{i}\n" for i in range(n)) + 'CMD ["/src/target/release/b1"]\n',
}

CHILD = """
import resource, sys, time
from msbrewrite.core.convert import convert
text = open(sys.argv[1]).read()
start = time.perf_counter()
result = convert(text, None)
print(f"{time.perf_counter() - start:.2f} {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} {result.status}")
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2500,5000,9990")
    sizes = [int(s) for s in parser.parse_args().sizes.split(",")]
    print(f"{'case':<12} {'lines':>6} {'seconds':>8} {'peak MB':>8}  status")
    with tempfile.TemporaryDirectory() as tmp:
        for name, make in CASES.items():
            for n in sizes:
                path = Path(tmp, f"{name}-{n}")
                path.write_text(make(n))
                t0 = time.perf_counter()
                out = subprocess.run([sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True,
                                     timeout=1800)
                if out.returncode:
                    print(f"{name:<12} {n:>6}  failed after {time.perf_counter() - t0:.1f}s: {out.stderr.strip()[-200:]}")
                    continue
                seconds, peak, status = out.stdout.split()
                print(f"{name:<12} {n:>6} {seconds:>8} {peak:>8}  {status}", flush=True)


if __name__ == "__main__":
    main()
