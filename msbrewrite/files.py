"""Reading Dockerfiles safely and writing results atomically."""
from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

from .plan import Refusal

MAX_BYTES = 4 * 1024 * 1024   # no real Dockerfile comes near this


def read_dockerfile(path: str) -> str:
    """Text of a Dockerfile ('-' reads stdin); Refusal(code=2) with a one-line reason otherwise."""
    if path == "-":
        data = sys.stdin.buffer.read(MAX_BYTES + 1)
        name = "<stdin>"
    else:
        p = Path(path)
        name = path
        if p.is_dir():
            raise Refusal(f"{path}: is a directory, not a Dockerfile", code=2, reason="is-directory")
        try:
            with open(p, "rb") as fh:
                data = fh.read(MAX_BYTES + 1)
        except FileNotFoundError:
            raise Refusal(f"{path}: no such file", code=2, reason="missing") from None
        except OSError as exc:
            raise Refusal(f"{path}: cannot read ({exc.strerror or exc})", code=2, reason="unreadable") from None
    if len(data) > MAX_BYTES:
        raise Refusal(f"{name}: larger than {MAX_BYTES // (1024 * 1024)} MB: not a Dockerfile", code=2,
                      reason="too-large")
    if b"\x00" in data:
        raise Refusal(f"{name}: binary file (NUL bytes): not a Dockerfile", code=2, reason="binary")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Refusal(f"{name}: not UTF-8 (byte {exc.start})", code=2, reason="not-utf8") from None


def write_atomic(path: str | os.PathLike, text: str) -> None:
    """Write via a temp file in the same directory and rename: readers see old or new, never half.

    Ctrl-C during the write is held until the rename is done (a few milliseconds), so an
    interrupted run leaves neither a torn file nor a stray temp file.
    """
    path = Path(path)
    mode = None
    try:
        mode = path.stat().st_mode & 0o777
    except OSError:
        pass
    import tempfile     # only writers pay for it
    with _interrupt_held():
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".msb-tmp", dir=path.parent or ".")
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            if mode is not None:
                os.chmod(tmp, mode)
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise


@contextlib.contextmanager
def _interrupt_held():
    """SIGINT raised after the block instead of inside it (main thread only: others cannot set handlers)."""
    import signal
    import threading
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: received.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if received and previous is signal.default_int_handler:
            raise KeyboardInterrupt
        if received and callable(previous):
            previous(signal.SIGINT, None)
        elif received and previous == signal.SIG_DFL:
            os.kill(os.getpid(), signal.SIGINT)
