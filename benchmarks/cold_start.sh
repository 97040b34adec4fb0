#!/usr/bin/env bash
# Cold start: one whole `msb convert` process against one `hadolint` process on the same file.
#
#   benchmarks/cold_start.sh [DOCKERFILE]     (default: fixtures/convert/go-basic/Dockerfile)
#
# Uses hyperfine when installed (apt-get install hyperfine), else a Python timing loop.
# Also prints CPU time (user+sys), which a busy shared machine disturbs far less than wall time.
# Goal: msb's wall time <= 3.0x hadolint's. Not a test: it prints numbers.
set -euo pipefail
cd "$(dirname "$0")/.."
SOURCE="${1:-fixtures/convert/go-basic/Dockerfile}"
. benchmarks/tools.sh
# the file alone in a folder of its own, as in a user's repository (its context is that folder):
# inside this checkout the configuration search would read msb's own pyproject.toml
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cp "$SOURCE" "$WORK/Dockerfile"
FILE="$WORK/Dockerfile"
RUNS="${RUNS:-20}"

echo "file: $SOURCE (copied alone into $WORK)"
echo "msb: $MSB   hadolint: $HADOLINT   runs: $RUNS"
if command -v hyperfine >/dev/null; then
    hyperfine --warmup 3 --runs "$RUNS" -N --ignore-failure \
        "$HADOLINT --no-fail $FILE" \
        "$MSB convert $FILE -q" \
        "$PY -c pass"
fi

"$PY" - "$RUNS" "$HADOLINT --no-fail $FILE" "$MSB convert $FILE -q" "$PY -c pass" <<'PYEOF'
import resource, shlex, statistics, subprocess, sys, time
runs, commands = int(sys.argv[1]), sys.argv[2:]
rows = {}
for cmd in commands:
    wall, cpu = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(shlex.split(cmd), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wall.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    rows[cmd] = (min(wall), statistics.median(wall), min(cpu), statistics.median(cpu))
    print(f"{cmd.split()[0].rsplit('/', 1)[-1]:>10} {cmd.split()[1]:<8} wall min {min(wall)*1e3:7.1f} ms  "
          f"median {statistics.median(wall)*1e3:7.1f} ms | cpu min {min(cpu)*1e3:7.1f} ms  "
          f"median {statistics.median(cpu)*1e3:7.1f} ms")
h, m = rows[commands[0]], rows[commands[1]]
print(f"msb / hadolint: wall (median) {m[1] / h[1]:.1f}x, cpu (median) {m[3] / max(h[3], 1e-6):.1f}x  (goal <= 3.0x)")
PYEOF

# Where the time goes: the floor each layer of imports sets before msb does any work. `msb
# convert` with plain arguments needs a few standard modules, BuildKit's parser (the `dockerfile`
# package, which validates every output) and its own modules. Not on that path: jinja2 (the
# templates are compiled to Python ahead of time, templates/compiled.py), typer (the fast start
# path in msbrewrite/cli/entry.py), dataclasses (msbrewrite/support/records.py) and dockerfile-parse
# (the validator only where BuildKit's parser cannot load); their rows show what each would add.
if [ "${FLOOR:-1}" = 1 ] && command -v hyperfine >/dev/null; then
    echo
    echo "floor: interpreter, then each layer of imports the convert path needs"
    STD="import re, json, shlex, fnmatch, posixpath, pathlib, enum"
    hyperfine --warmup 3 --runs "$RUNS" -N --style basic \
        "$PY -c pass" \
        "$PY -c '$STD'" \
        "$PY -c '$STD, dockerfile'" \
        "$PY -c '$STD, dockerfile, msbrewrite.core.convert'" \
        "$PY -c '$STD, dockerfile, msbrewrite.core.convert, dataclasses, typing'" \
        "$PY -c '$STD, dockerfile, msbrewrite.core.convert, dockerfile_parse'" \
        "$PY -c '$STD, dockerfile, msbrewrite.core.convert, jinja2'" \
        "$PY -c '$STD, dockerfile, msbrewrite.core.convert, typer'" \
        2>/dev/null | grep -E '^Benchmark|Time \(mean' | sed 's/^Benchmark [0-9]*: //'
fi
