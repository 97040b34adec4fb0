#!/usr/bin/env bash
# Bulk rate: files per second of `msb migrate --patch` over the whole corpus against hadolint
# over the same files, and the peak RSS of the msb run (/usr/bin/time -v).
#
#   benchmarks/bulk.sh [CORPUS]     (default: $MSB_CORPUS or ../shared/corpus)
#
# hadolint is timed twice: one process per file (how editors and pre-commit call it) and one
# process for all files. Goals: msb >= 10x hadolint's per-file rate; peak RSS < 200 MB.
# Not a test: it prints numbers.
set -euo pipefail
cd "$(dirname "$0")/.."
CORPUS="${1:-${MSB_CORPUS:-../shared/corpus}}"
. benchmarks/tools.sh
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

mapfile -t FILES < <(find "$CORPUS" -type f -name '*Dockerfile*' | sort)
N=${#FILES[@]}
echo "corpus: $CORPUS ($N Dockerfiles)"

now() { "$PY" -c 'import time; print(time.perf_counter())'; }
rate() { "$PY" -c "import sys; n, t = int(sys.argv[1]), float(sys.argv[2]); print(f'{n} files in {t:.2f} s = {n / t:.1f} files/s')" "$@"; }

start=$(now)
/usr/bin/time -v -o "$WORK/time.txt" "$MSB" migrate "$CORPUS" --include '*Dockerfile*' --no-context \
    --patch "$WORK/corpus.patch" --quiet > "$WORK/summary.txt" 2>&1 || true
end=$(now)
elapsed=$("$PY" -c "print($end - $start)")
echo "msb migrate --patch:          $(rate "$N" "$elapsed")"
echo "  peak RSS (max of the processes /usr/bin/time saw): $(awk -F': ' '/Maximum resident/ {printf "%.0f MB", $2/1024}' "$WORK/time.txt")"
echo "  summary:"; sed 's/^/    /' "$WORK/summary.txt" | tail -n 25

start=$(now)
for f in "${FILES[@]}"; do "$HADOLINT" --no-fail "$f" > /dev/null 2>&1 || true; done
end=$(now)
per_file=$("$PY" -c "print($end - $start)")
echo "hadolint, one process a file: $(rate "$N" "$per_file")"

start=$(now)
"$HADOLINT" --no-fail "${FILES[@]}" > /dev/null 2>&1 || true
end=$(now)
one=$("$PY" -c "print($end - $start)")
echo "hadolint, one process:        $(rate "$N" "$one")"
"$PY" -c "import sys; m, a, b = map(float, sys.argv[1:]); print(f'msb rate / hadolint rate: {a / m:.1f}x per-file, {b / m:.1f}x single process (goal >= 10x)')" "$elapsed" "$per_file" "$one"
