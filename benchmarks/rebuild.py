#!/usr/bin/env python3
"""Warm rebuild after a one-line source change, original vs converted, and the size table.

    python benchmarks/rebuild.py [APP ...]   (default: every app in fixtures/apps)
        --optimize        convert with --optimize (cache mounts, dependency layer, smaller artifacts)
        --keep-images     keep the msb-bench/<app>:{original,converted,expert} images

Run it with the project installed (pip install -e .). For each sample app, in a scratch copy of
its directory: build the original, the converted and the expert Dockerfile once (warming the
build cache), then for each file change one line of the app's main source file and time the
rebuild: the median of --repeat rebuilds, each after another change. The expert's rebuild is the
floor a hand-written multi-stage build reaches. Needs a Docker engine (DOCKER_HOST; MSB_DOCKER
picks the client). Not a test: it prints numbers.
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from msbrewrite import Options, convert  # noqa: E402
from msbrewrite.verify.engine import Docker, EngineError  # noqa: E402
from msbrewrite.verify.settings import Settings  # noqa: E402
from msbrewrite.verify.size import human_size  # noqa: E402

APPS = ROOT / "fixtures" / "apps"
# the file whose one line changes, per app (the file a developer edits most)
SOURCES = {
    "go-web": "main.go",
    "go-cli": "cmd/wordcount/main.go",
    "go-quotes": "main.go",
    "rust-cli": "src/main.rs",
    "node-express": "server.js",
    "node-ts": "src/server.ts",
    "node-sibling": "server/index.js",
    "python-flask": "app.py",
    "python-notes": "app.py",
    "java-maven": "src/main/java/com/example/inventory/App.java",
    "frontend-vite": "src/main.js",
}
COMMENT = {".py": "# ", ".sh": "# "}


def build(docker: Docker, dockerfile: Path, tag: str, context: Path) -> tuple[bool, float, str]:
    ok, log, seconds = docker.build(str(dockerfile), tag, Settings(context=str(context)), lambda _line: None)
    return ok, seconds, log


def bench(docker: Docker, app: str, keep: bool, optimize: bool = False, repeat: int = 3) -> dict:
    row: dict = {"app": app}
    with tempfile.TemporaryDirectory(prefix=f"msb-bench-{app}-") as tmp:
        work = Path(tmp) / app
        shutil.copytree(APPS / app, work)
        result = convert((work / "Dockerfile").read_text(), work, Options(optimize=optimize))
        if result.status != "converted":
            row["error"] = f"not converted: {result.reason}"
            return row
        converted = Path(tmp) / "Dockerfile.converted"
        converted.write_text(result.text)
        files = {"original": work / "Dockerfile", "converted": converted, "expert": work / "expert.Dockerfile"}
        tags = {kind: f"msb-bench/{app}:{kind}" for kind in files}
        try:
            for kind, path in files.items():
                ok, seconds, log = build(docker, path, tags[kind], work)
                if not ok:
                    row["error"] = f"{kind} build failed: " + log.strip().splitlines()[-1][:160]
                    return row
                row[kind] = docker.image_config(tags[kind])[0]
            source = work / SOURCES[app]
            prefix = COMMENT.get(source.suffix, "// ")
            pristine = source.read_text()
            for kind in ("original", "converted", "expert"):
                times = []
                for n in range(repeat):
                    # a different one-line change each time: the converted builder stage is the
                    # original stage, so with the same change it would reuse the original's layers
                    source.write_text(pristine + f"{prefix}changed before {kind} rebuild {n} at {time.time()}\n")
                    ok, seconds, _ = build(docker, files[kind], tags[kind], work)
                    if not ok:
                        break
                    times.append(seconds)
                row[f"rebuild_{kind}"] = statistics.median(times) if len(times) == repeat else None
        finally:
            if not keep:
                docker.remove_images(*tags.values())
    return row


def table(rows: list[dict]) -> str:
    head = f"{'app':14} {'original':>9} {'converted':>9} {'expert':>8} {'conv/orig':>9} {'conv/exp':>8} " \
           f"{'rebuild orig':>12} {'rebuild conv':>12} {'rebuild exp':>11} {'conv/orig':>9} {'conv/exp':>8}"
    lines = [head, "-" * len(head)]
    for r in rows:
        if "error" in r:
            lines.append(f"{r['app']:14} {r['error']}")
            continue
        lines.append(f"{r['app']:14} {human_size(r['original']):>9} {human_size(r['converted']):>9} "
                     f"{human_size(r['expert']):>8} {r['converted'] / r['original']:>9.3f} "
                     f"{r['converted'] / r['expert']:>8.3f} {_secs(r.get('rebuild_original')):>12} "
                     f"{_secs(r.get('rebuild_converted')):>12} {_secs(r.get('rebuild_expert')):>11} "
                     f"{_ratio(r, 'original'):>9} {_ratio(r, 'expert'):>8}")
    return "\n".join(lines)


def _ratio(row: dict, against: str) -> str:
    a, b = row.get("rebuild_converted"), row.get(f"rebuild_{against}")
    return f"{a / b:.2f}" if a and b else "-"


def _secs(value) -> str:
    return f"{value:.2f}s" if value is not None else "failed"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("apps", nargs="*", help="apps under fixtures/apps (default: all)")
    parser.add_argument("--keep-images", action="store_true")
    parser.add_argument("--optimize", action="store_true", help="convert with --optimize")
    parser.add_argument("--repeat", type=int, default=3, help="rebuilds per file; the median is shown (default 3)")
    args = parser.parse_args()
    apps = args.apps or sorted(p.name for p in APPS.iterdir() if (p / "Dockerfile").is_file())
    unknown = [a for a in apps if a not in SOURCES or not (APPS / a).is_dir()]
    if unknown:
        print(f"rebuild.py: unknown app(s): {', '.join(unknown)}", file=sys.stderr)
        return 2
    docker = Docker()
    try:
        docker.require_engine()
    except EngineError as exc:
        print(f"rebuild.py: {exc}", file=sys.stderr)
        return 2
    rows = []
    for app in apps:
        print(f"rebuild.py: {app} ...", file=sys.stderr)
        rows.append(bench(docker, app, args.keep_images, args.optimize, max(1, args.repeat)))
    if args.optimize:
        print("converted with --optimize")
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
