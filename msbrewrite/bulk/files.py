"""Reading Dockerfiles safely and writing results atomically."""
from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
from pathlib import Path

from msbrewrite.model.plan import Refusal

MAX_BYTES = 4 * 1024 * 1024   # no real Dockerfile comes near this


def read_dockerfile(path: str) -> str:
    """Text of a Dockerfile ('-' reads stdin); Refusal(code=2) with a one-line reason otherwise."""
    if path == "-":
        if sys.stdin is None:
            raise Refusal("<stdin>: standard input is closed", code=2, reason="unreadable")
        try:
            data = sys.stdin.buffer.read(MAX_BYTES + 1)
        except (OSError, ValueError) as exc:    # ValueError: a closed stream
            raise Refusal(f"<stdin>: cannot read ({getattr(exc, 'strerror', None) or exc})", code=2,
                          reason="unreadable") from None
        name = "<stdin>"
    else:
        p = Path(path)
        name = path
        try:
            info = p.stat()
        except FileNotFoundError:
            raise Refusal(f"{path}: no such file", code=2, reason="missing") from None
        except OSError as exc:
            raise Refusal(f"{path}: cannot read ({exc.strerror or exc})", code=2, reason="unreadable") from None
        if stat.S_ISDIR(info.st_mode):
            raise Refusal(f"{path}: is a directory, not a Dockerfile", code=2, reason="is-directory")
        if not stat.S_ISREG(info.st_mode):
            # a FIFO or a device would block or never end: only regular files are Dockerfiles
            raise Refusal(f"{path}: not a regular file ({_kind(info.st_mode)})", code=2, reason="not-regular")
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


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a file"


class WriteRefused(OSError):
    """A destination msb will not replace; strerror says why."""


def write_atomic(path: str | os.PathLike, text: str) -> None:
    """Write `text` to `path` so that readers see the old or the new content, never half.

    The rules, the same for `-o`, `--in-place`, `check -o` and `migrate --patch`/`-i`:
    - a symlink is written through: its target gets the new content, the link stays;
    - a device, FIFO or `/dev/stdout` is written directly (it cannot be renamed over);
    - a regular file is replaced by a temp file in its directory and a rename; the new file
      keeps the old one's mode, owner and group (when they cannot be kept, nothing is written);
    - a file with several hard links is refused: a rename would split it from its other names;
    - a new file gets the mode the umask gives (0644 under umask 022), as `>` would.

    Ctrl-C during the write is held until the rename is done (a few milliseconds), so an
    interrupted run leaves neither a torn file nor a stray temp file.
    """
    path = Path(path)
    try:
        info = os.stat(path)      # follows symlinks: the file that is really written
    except FileNotFoundError:
        info = None
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise IsADirectoryError(errno.EISDIR, "is a directory", str(path))
    if info is not None and not stat.S_ISREG(info.st_mode):
        with open(path, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        return
    if info is not None and info.st_nlink > 1:
        raise WriteRefused(errno.EMLINK, f"has {info.st_nlink} hard links, which a rename would split; "
                                         "nothing written: write elsewhere with -o and copy it over")
    target = Path(os.path.realpath(path))
    import tempfile     # only writers pay for it
    with _interrupt_held():
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".msb-tmp", dir=target.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
                fh.flush()
                if info is not None:
                    _keep_owner(fh.fileno(), info)
                    os.fchmod(fh.fileno(), stat.S_IMODE(info.st_mode))
                    _keep_xattrs(target, fh.fileno())
                else:
                    os.fchmod(fh.fileno(), 0o666 & ~_umask())
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise


# set by the system from its own policy when a file is created: copying it may be refused and is not needed
_SYSTEM_SET_XATTRS = frozenset({"security.selinux"})


def _keep_xattrs(source: Path, fd: int) -> None:
    """Copy the old file's extended attributes (tags, ACLs, quarantine flags) onto the new one
    before the rename, as an editor's save keeps them; one that cannot be copied stops the write."""
    try:
        names = os.listxattr(source)
    except (OSError, AttributeError):     # no extended attributes on this file system or platform
        return
    for name in names:
        try:
            os.setxattr(fd, name, os.getxattr(source, name))
        except OSError as exc:
            if name in _SYSTEM_SET_XATTRS:
                continue
            raise WriteRefused(errno.EPERM, f"has the extended attribute {name}, which cannot be kept on a new "
                                            f"file ({exc.strerror or exc}); nothing written") from None


def check_writable(path: str | os.PathLike) -> None:
    """Raise OSError (with strerror) when write_atomic would refuse `path`; checked before anything is written."""
    path = Path(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        info = None
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise IsADirectoryError(errno.EISDIR, "is a directory", str(path))
    if info is not None and stat.S_ISREG(info.st_mode) and info.st_nlink > 1:
        raise WriteRefused(errno.EMLINK, f"has {info.st_nlink} hard links, which a rename would split; "
                                         "nothing written: write elsewhere with -o and copy it over")
    parent = Path(os.path.realpath(path)).parent
    if not parent.is_dir():
        raise FileNotFoundError(errno.ENOENT, f"no such directory {parent}", str(path))
    if info is None or stat.S_ISREG(info.st_mode):
        if not os.access(parent, os.W_OK | os.X_OK):
            raise PermissionError(errno.EACCES, f"cannot create a file in {parent}", str(path))


def same_file(a, b) -> bool:
    """Whether two names reach one file (through symlinks, or as hard links of it)."""
    try:
        return os.path.samefile(a, b)
    except OSError:     # one does not exist (yet): compare the paths they resolve to
        return os.path.realpath(a) == os.path.realpath(b)


class Changed(OSError):
    """The file no longer holds what msb read: someone edited it during the run."""


def replace_if_unchanged(path: str | os.PathLike, old: str, new: str) -> None:
    """Rewrite `path` with `new` only while it still holds `old` (the text msb converted);
    Changed otherwise, and the edit made meanwhile is kept."""
    with open(path, encoding="utf-8", newline="") as fh:
        current = fh.read()
    if current != old:
        raise Changed(errno.EAGAIN, "file changed during the run: not written")
    write_atomic(path, new)


def _keep_owner(fd: int, info: os.stat_result) -> None:
    if (info.st_uid, info.st_gid) == (os.geteuid(), os.fstat(fd).st_gid):
        return
    try:
        os.fchown(fd, info.st_uid, info.st_gid)
    except PermissionError:
        raise WriteRefused(errno.EPERM, f"owned by uid {info.st_uid} gid {info.st_gid}, which this user cannot "
                                        "give to a new file; nothing written") from None


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


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
