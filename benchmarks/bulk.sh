#!/usr/bin/env bash
# Bulk rate: `msb migrate` over the corpus copied to >= 1,000 Dockerfiles against hadolint on the
# same files (one process, and one process a file), with the ratios, and a monorepo of 20
# Dockerfiles sharing one 10,000-file context. All in benchmarks/bulk.py; this finds the tools.
#
#   benchmarks/bulk.sh [--before main] [--corpus DIR] [--files N] [--no-per-file]
#
# Not a test: it prints numbers.
set -euo pipefail
cd "$(dirname "$0")/.."
. benchmarks/tools.sh
HADOLINT="$HADOLINT" exec "$PY" benchmarks/bulk.py "$@"
