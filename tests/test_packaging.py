"""The wheel ships the templates and data, and works from another directory."""
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "fixtures" / "convert" / "go-basic"


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    dist = tmp_path_factory.mktemp("dist")
    target = tmp_path_factory.mktemp("site")
    # built from a copy of what git tracks: a build/ folder left by an earlier build of this
    # checkout would otherwise put modules that moved or vanished since into the wheel
    source = tmp_path_factory.mktemp("source")
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for rel in filter(None, tracked.decode().split("\0")):
        if (ROOT / rel).is_file():
            (source / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / rel, source / rel)
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                            "-q", "-w", str(dist), str(source)], capture_output=True, text=True)
    if build.returncode != 0:
        pytest.skip(f"cannot build a wheel here: {build.stderr.strip().splitlines()[-1:]}")
    wheel = next(dist.glob("msbrewrite-*.whl"))
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(wheel)],
                   check=True)
    return wheel, target


def test_wheel_contains_templates_and_data(installed):
    wheel, _ = installed
    names = zipfile.ZipFile(wheel).namelist()
    assert "msbrewrite/templates/_runtime.Dockerfile.j2" in names
    assert "msbrewrite/templates/go.Dockerfile.j2" in names
    assert "msbrewrite/data/native_libs.toml" in names


def test_installed_copy_converts_from_another_directory(installed, tmp_path):
    _, target = installed
    env = {"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"}
    where = subprocess.run([sys.executable, "-c", "import msbrewrite.languages.templates as t; print(t.templates_dir())"],
                           cwd=tmp_path, env=env, capture_output=True, text=True, check=True)
    assert where.stdout.strip().startswith(str(target)), where.stdout
    out = subprocess.run([sys.executable, "-m", "msbrewrite", "convert", str(FIXTURE / "Dockerfile"),
                          "--context", str(FIXTURE / "context")], cwd=tmp_path, env=env,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "FROM gcr.io/distroless/static-debian12:nonroot" in out.stdout
    assert "COPY --from=builder /usr/local/bin/hello /usr/local/bin/hello" in out.stdout


def test_wheel_ships_every_subpackage_and_optimize_runs_installed(installed, tmp_path):
    wheel, target = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    for init in (ROOT / "msbrewrite").rglob("__init__.py"):     # nested packages too (languages/go)
        rel = init.relative_to(ROOT).as_posix()
        assert rel in names, f"{init.parent.relative_to(ROOT)} is not packaged (pyproject's packages list)"
    env = {"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-m", "msbrewrite", "convert", "--optimize", str(FIXTURE / "Dockerfile"),
                          "--context", str(FIXTURE / "context")], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "RUN --mount=type=cache,target=/go/pkg/mod" in out.stdout
