# Sourced by the benchmark scripts: finds python, msb and hadolint (PYTHON, MSB, HADOLINT override).
PY="${PYTHON:-$(command -v python3)}"
MSB="${MSB:-$(dirname "$PY")/msb}"
[ -x "$MSB" ] || MSB="$(command -v msb || true)"
[ -n "$MSB" ] || { echo "$(basename "$0"): msb not found: activate the venv or set PYTHON=/path/to/venv/bin/python" >&2; exit 2; }
HADOLINT="${HADOLINT:-$(command -v hadolint || echo "$(dirname "$PY")/hadolint")}"
