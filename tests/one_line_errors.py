"""Running msb as a user does and checking that an error is one line on stderr: shared by the tests
of several folders (a helper module at the top of tests/, where every test module can import it)."""
from __future__ import annotations

import os
import subprocess
import sys

TIMEOUT = 300


def msb(*args, stdin: bytes | None = None, cwd=None):
    cmd = [sys.executable, "-c", "from msbrewrite.cli.entry import main; main()", *map(str, args)]
    return subprocess.run(cmd, input=stdin, capture_output=True, timeout=TIMEOUT, cwd=cwd,
                          env={**os.environ, "COLUMNS": "200"})


def assert_one_line_error(proc, code: int, *words: str):
    err = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == code, err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("msb: "), err
    for word in words:
        assert word in lines[0], err
    assert proc.stdout == b""
