"""Helpers shared by the end-to-end tests and their conftest."""
from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

# the lab and fixture locations come from tests/conftest.py (loaded by path: both files are "conftest")
_spec = importlib.util.spec_from_file_location("msb_tests_root", Path(__file__).resolve().parent.parent / "conftest.py")
_root = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_root)
ROOT, FIXTURES, LAB = _root.ROOT, _root.FIXTURES, _root.LAB
APPS = FIXTURES / "apps"

SIZES: dict[str, dict] = {}          # app -> image sizes, printed at the end of the session


def msb(env: dict, *args: str, timeout: float = 1800) -> subprocess.CompletedProcess:
    """Run the real `msb` command line (as installed from this checkout)."""
    return subprocess.run([sys.executable, "-c", "from msbrewrite.cli import main; main()", *args],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)


def verify_json(env: dict, *args: str) -> tuple[int, dict]:
    proc = msb(env, "verify", "--json", "--quiet", *args)
    try:
        data = json.loads(proc.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"msb verify printed no JSON (exit {proc.returncode}): {proc.stderr[-2000:]}")
    return proc.returncode, data


