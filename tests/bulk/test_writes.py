"""Where msb writes: symlinks are written through, devices and FIFOs directly, a rewritten file keeps
its mode, owner and group, hard links are never split, and new files get the umask's mode."""
from __future__ import annotations

import os
import stat
import threading

import pytest

from bulkapps import go_app, msb
from msbrewrite.bulk.files import WriteRefused, read_dockerfile, write_atomic
from msbrewrite.model.plan import Refusal

GO = "FROM golang:1.22\nRUN go build -o /s .\nCMD [\"/s\"]\n"


def test_in_place_through_a_symlink_writes_the_target_and_keeps_the_link(tmp_path):
    real = tmp_path / "real.Dockerfile"
    real.write_text(GO)
    link = tmp_path / "Dockerfile"
    link.symlink_to("real.Dockerfile")
    proc = msb("convert", link, "-i", "--no-context", "-q")
    assert proc.returncode == 0, proc.stderr
    assert link.is_symlink() and os.readlink(link) == "real.Dockerfile"
    assert "AS builder" in real.read_text()


def test_output_to_a_symlink_writes_its_target(tmp_path):
    (tmp_path / "in").write_text(GO)
    target = tmp_path / "target"
    target.write_text("old\n")
    (tmp_path / "out").symlink_to(target)
    proc = msb("convert", tmp_path / "in", "--no-context", "-q", "-o", tmp_path / "out")
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "out").is_symlink()
    assert "AS builder" in target.read_text()


def test_migrate_in_place_follows_the_same_rule(tmp_path):
    go_app(tmp_path / "app", dockerfile="real.Dockerfile")
    (tmp_path / "app" / "Dockerfile").symlink_to("real.Dockerfile")
    proc = msb("migrate", tmp_path / "app" / "Dockerfile", "-i", "-q")
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "app" / "Dockerfile").is_symlink()
    assert "AS builder" in (tmp_path / "app" / "real.Dockerfile").read_text()


@pytest.mark.skipif(os.geteuid() != 0, reason="creating a device node needs root")
def test_a_device_is_written_not_replaced(tmp_path):
    dev = tmp_path / "null"
    os.mknod(dev, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    (tmp_path / "in").write_text(GO)
    proc = msb("convert", tmp_path / "in", "--no-context", "-q", "-o", dev)
    assert proc.returncode == 0, proc.stderr
    assert stat.S_ISCHR(os.stat(dev).st_mode)


def test_a_fifo_is_written_directly(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(open(fifo).read()), daemon=True)
    reader.start()
    write_atomic(fifo, "hello\n")
    reader.join(10)
    assert got == ["hello\n"]
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_in_place_keeps_mode_owner_and_group(tmp_path):
    path = tmp_path / "Dockerfile"
    path.write_text(GO)
    os.chmod(path, 0o640)
    if os.geteuid() == 0:
        os.chown(path, 1234, 567)
    before = os.stat(path)
    proc = msb("convert", path, "-i", "--no-context", "-q")
    assert proc.returncode == 0, proc.stderr
    after = os.stat(path)
    assert "AS builder" in path.read_text()
    assert (stat.S_IMODE(after.st_mode), after.st_uid, after.st_gid) == \
        (stat.S_IMODE(before.st_mode), before.st_uid, before.st_gid)


def test_hard_links_are_not_split(tmp_path):
    path = tmp_path / "Dockerfile"
    path.write_text(GO)
    os.link(path, tmp_path / "other")
    proc = msb("convert", path, "-i", "--no-context", "-q")
    assert proc.returncode == 2
    assert "hard links" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert os.stat(path).st_nlink == 2 and path.read_text() == GO
    with pytest.raises(WriteRefused):
        write_atomic(tmp_path / "other", "x")


def test_new_files_get_the_umask_mode(tmp_path):
    old = os.umask(0o027)
    try:
        write_atomic(tmp_path / "new", "x\n")
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp_path / "new").st_mode) == 0o640


@pytest.mark.parametrize("command", ["convert", "detect"])
def test_a_fifo_is_refused_not_read(tmp_path, command):
    fifo = tmp_path / "Dockerfile"
    os.mkfifo(fifo)
    proc = msb(command, fifo)      # would block forever on open() before the fix
    assert proc.returncode == 2
    assert "not a regular file" in proc.stderr
    with pytest.raises(Refusal):
        read_dockerfile(str(fifo))


def test_check_report_and_migrate_patch_follow_the_same_rules(tmp_path):
    go_app(tmp_path / "app", name="app")
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "real.sarif").write_text("old\n")
    (tmp_path / "report.sarif").symlink_to(tmp_path / "reports" / "real.sarif")
    proc = msb("check", tmp_path / "app", "--format", "sarif", "-o", tmp_path / "report.sarif", "--jobs", "1")
    assert proc.returncode == 1, proc.stderr
    assert (tmp_path / "report.sarif").is_symlink()
    assert '"MSB001"' in (tmp_path / "reports" / "real.sarif").read_text()
    fifo = tmp_path / "patch.fifo"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(open(fifo).read()), daemon=True)
    reader.start()
    proc = msb("migrate", tmp_path / "app", "--patch", fifo, "-q", "--jobs", "1")
    reader.join(30)
    assert proc.returncode == 0, proc.stderr
    assert got and got[0].startswith("diff --git ") and stat.S_ISFIFO(os.stat(fifo).st_mode)
