import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
SHARED = Path(os.environ.get("MSB_SHARED", ROOT.parent / "shared"))
CORPUS = Path(os.environ.get("MSB_CORPUS", SHARED / "corpus"))
LAB = Path(os.environ.get("MSB_LAB", SHARED / "lab"))

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def make_context(root, files: dict[str, str]):
    """Write `files` (relative path -> text) under `root` and return it: a build context for a test."""
    for name, body in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body)
    return root


NOBODY = 65534


@pytest.fixture(scope="session")
def nobody_msb(tmp_path_factory):
    """The command (and environment) that runs msb as uid 65534, for tests that need a user who
    cannot read everything. That user cannot read the checkout when it sits in a private directory
    (/root, `mktemp -d`), nor an interpreter under /root: it gets a world-readable copy of msb and
    its dependencies, built once per session, run by an interpreter it can reach. As a non-root
    user the tests' own interpreter already is such a user."""
    if os.geteuid() != 0:
        yield [sys.executable, "-c", MAIN], dict(os.environ)
        return
    if not shutil.which("setpriv"):
        pytest.skip("setpriv is needed to drop root")
    drop = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
    base = tempfile.mkdtemp(prefix="msb-nobody-", dir="/tmp")
    try:
        os.chmod(base, 0o755)
        lib = os.path.join(base, "lib")
        _readable_install(lib, os.path.join(base, "wheel"))
        env = {**os.environ, "PYTHONPATH": lib, "PYTHONNOUSERSITE": "1", "PYTHONDONTWRITEBYTECODE": "1"}
        tried = []
        for python in _interpreters():
            probe = subprocess.run([*drop, python, "-c", PROBE], cwd=base, env=env, capture_output=True, text=True,
                                   timeout=300)
            if probe.returncode == 0 and probe.stdout.strip() == "%d.%d" % sys.version_info[:2]:
                yield [*drop, python, "-c", MAIN], env
                return
            tried.append(f"{python}: {(probe.stderr.strip().splitlines() or [probe.stdout.strip()])[-1]}")
        pytest.skip(f"no Python {sys.version_info[0]}.{sys.version_info[1]} that uid {NOBODY} can run msb with "
                    f"({'; '.join(tried) or 'none found'})")
    finally:
        shutil.rmtree(base, ignore_errors=True)


MAIN = "from msbrewrite.cli.entry import main; main()"
# the user must reach the interpreter, the project, its dependencies and the Go parser's library
PROBE = "import sys, msbrewrite.cli.entry, dockerfile; print('%d.%d' % sys.version_info[:2])"


def _interpreters():
    """Interpreters of this Python version, the tests' own base first (the same build as the
    copied compiled dependencies)."""
    name = "python%d.%d" % sys.version_info[:2]
    found = []
    for path in (getattr(sys, "_base_executable", None), sys.executable, f"/usr/bin/{name}",
                 f"/usr/local/bin/{name}", shutil.which(name)):
        if path and os.path.exists(path) and os.path.realpath(path) not in found:
            found.append(os.path.realpath(path))
    return found


def _readable_install(lib: str, wheels: str) -> None:
    """msb from a wheel of this checkout, and the installed files of its dependencies, under `lib`
    (world-readable): the other user never reads the checkout or the tests' environment."""
    import zipfile
    from importlib import metadata

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                            "--wheel-dir", wheels, str(ROOT)], capture_output=True, text=True, timeout=600)
    if built.returncode != 0:
        pytest.fail(f"cannot build a wheel of msb:\n{built.stderr}")
    [wheel] = [n for n in os.listdir(wheels) if n.endswith(".whl")]
    with zipfile.ZipFile(os.path.join(wheels, wheel)) as archive:
        archive.extractall(lib)
    todo, done = [r for r in metadata.requires("msbrewrite") or []], {"msbrewrite"}
    while todo:
        req = Requirement(todo.pop())
        if req.marker and not req.marker.evaluate({"extra": ""}):
            continue
        name = canonicalize_name(req.name)
        if name in done:
            continue
        done.add(name)
        dist = metadata.distribution(req.name)
        for file in dist.files or []:
            if file.parts[0] == ".." or "__pycache__" in file.parts:
                continue        # scripts outside site-packages, caches
            source = dist.locate_file(file)
            if os.path.isfile(source):
                target = os.path.join(lib, str(file))
                os.makedirs(os.path.dirname(target), exist_ok=True)
                shutil.copyfile(source, target)
        todo.extend(dist.requires or [])
    for dirpath, dirnames, filenames in os.walk(lib):
        os.chmod(dirpath, 0o755)
        for f in filenames:
            os.chmod(os.path.join(dirpath, f), 0o644)
