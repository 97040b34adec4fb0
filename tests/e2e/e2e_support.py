"""End-to-end support: a real Docker engine (DOCKER_HOST or the lab's /tmp/dockerd.sock), the lab's
stand-in images, the `msb` command line and the size table printed at the end of the session.

Not a conftest.py on purpose: other test modules import names from the top-level conftest, and a
second module named `conftest` would shadow it."""
from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

# the lab and fixture locations come from tests/conftest.py, loaded by path: `import conftest`
# gives whichever conftest pytest loaded last
_spec = importlib.util.spec_from_file_location("msb_tests_root", Path(__file__).resolve().parent.parent / "conftest.py")
_root = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_root)
ROOT, FIXTURES, LAB = _root.ROOT, _root.FIXTURES, _root.LAB
APPS = FIXTURES / "apps"
LAB_SOCKET = "/tmp/dockerd.sock"
PROBE_IMAGE = "msb-e2e/probe:1"
SIZES: dict[str, dict] = {}          # app -> image sizes, printed at the end of the session


def msb(env: dict, *args: str, timeout: float = 1800) -> subprocess.CompletedProcess:
    """Run the real `msb` command line (as installed from this checkout)."""
    return subprocess.run([sys.executable, "-c", "from msbrewrite.cli.entry import main; main()", *args],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)


def verify_json(env: dict, *args: str) -> tuple[int, dict]:
    proc = msb(env, "verify", "--json", "--quiet", *args)
    try:
        data = json.loads(proc.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"msb verify printed no JSON (exit {proc.returncode}): {proc.stderr[-2000:]}")
    return proc.returncode, data



def _client() -> str:
    # the lab's engine is 20.10: its own client speaks its API; another one on PATH may not
    for candidate in (os.environ.get("MSB_DOCKER"), os.environ.get("E2E_DOCKER_BIN"), "/usr/bin/docker"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("docker") or "docker"


def _engine_env() -> tuple[dict | None, str]:
    if not LAB.is_dir():
        return None, f"no lab at {LAB} (set MSB_LAB): its smoke helpers and images are needed"
    host = os.environ.get("DOCKER_HOST") or (f"unix://{LAB_SOCKET}" if os.path.exists(LAB_SOCKET) else None)
    if not host:
        return None, f"no Docker engine: DOCKER_HOST unset and no {LAB_SOCKET} (run {LAB}/engine.sh)"
    # MSB_LAB: the apps' smoke.sh files source the lab's helpers from the same place
    env = dict(os.environ, DOCKER_HOST=host, MSB_DOCKER=_client(), DOCKER_BUILDKIT="1", MSB_LAB=str(LAB))
    env.setdefault("E2E_DOCKER_SOCK", host.removeprefix("unix://"))
    try:
        proc = subprocess.run([env["MSB_DOCKER"], "version", "--format", "{{.Server.Version}}"], env=env,
                              capture_output=True, text=True, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, f"no Docker engine answers on {host}: {exc}"
    if proc.returncode != 0:
        return None, f"no Docker engine answers on {host}: {proc.stderr.strip()[:200]}"
    probe = subprocess.run([env["MSB_DOCKER"], "image", "inspect", PROBE_IMAGE], env=env, capture_output=True)
    if probe.returncode != 0:
        return None, f"stand-in images missing ({PROBE_IMAGE}): run {LAB}/images.sh"
    return env, ""


@pytest.fixture(scope="session")
def engine_env(request) -> dict:
    """The environment for docker and msb: skips the test, with the reason, without an engine."""
    env, reason = _engine_env()
    if env is None:
        pytest.skip(reason)
    if not request.config.pluginmanager.has_plugin("msb-e2e-sizes"):
        request.config.pluginmanager.register(_SizeTable(), "msb-e2e-sizes")
    return env


class _SizeTable:
    """A plugin registered by the engine fixture: prints the size table at the end of the session."""

    def pytest_terminal_summary(self, terminalreporter):
        _print_sizes(terminalreporter)


def _print_sizes(terminalreporter):
    if not SIZES:
        return
    tr = terminalreporter
    tr.section("image sizes (MB): original, converted, converted with --optimize, expert")
    tr.write_line(f"{'app':16} {'original':>9} {'converted':>9} {'optimized':>9} {'expert':>8} {'conv/orig':>9} "
                  f"{'conv/expert':>11} {'opt/expert':>10}")
    for app, row in sorted(SIZES.items()):
        def mb(key):
            return f"{row[key] / 1e6:.1f}" if row.get(key) else "-"

        def ratio(a, b):
            return f"{row[a] / row[b]:.3f}" if row.get(a) and row.get(b) else "-"
        tr.write_line(f"{app:16} {mb('original'):>9} {mb('converted'):>9} {mb('optimized'):>9} {mb('expert'):>8} "
                      f"{ratio('converted', 'original'):>9} {ratio('converted', 'expert'):>11} "
                      f"{ratio('optimized', 'expert'):>10}")
    out = Path(os.environ.get("E2E_LOG_DIR", "/tmp/e2e-logs")) / "msb-e2e-sizes.json"
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(SIZES, indent=2))
        tr.write_line(f"(written to {out})")
    except OSError:
        pass
