"""The dependency layers --optimize writes for Poetry, uv, a PEP 621 `pip install .` and Gradle
build on the lab engine, the image runs, and a rebuild after a one-line source change takes the
dependency step from the build cache.

The Python apps pin a few small PyPI packages (PyPI is reachable from the lab); the Gradle app has
no external dependency, because Maven Central is not reachable here."""
from __future__ import annotations

import shutil
import subprocess
import uuid

import pytest

from e2e_support import FIXTURES, engine_env, msb  # noqa: F401 (engine_env is a fixture)

pytestmark = pytest.mark.e2e
APPS = FIXTURES / "optimize-apps"
CASES = {   # app -> (the file a developer edits, what the image prints, the dependency step's text)
    "poetry": ("pets/__init__.py", "pets ok 1.16.0", "poetry install --only main --no-root"),
    "uv": ("src/notes/__init__.py", "notes ok 1.16.0", "uv sync --frozen --no-dev --no-install-project"),
    "pep621": ("board/__init__.py", "board ok 1.16.0", 'pip install "six==1.16.0"'),
    "gradle": ("src/main/java/app/Main.java", "gradle app ok", "gradle dependencies --no-daemon"),
}


def _build(env: dict, context, dockerfile, tag: str) -> str:
    proc = subprocess.run([env["MSB_DOCKER"], "build", "--network=host", "--progress=plain", "-f", str(dockerfile),
                           "-t", tag, str(context)], env=env, capture_output=True, text=True, timeout=1200)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stderr


@pytest.mark.parametrize("name", sorted(CASES))
def test_dependency_layer_builds_runs_and_is_cached_on_a_source_change(engine_env, name, tmp_path):
    env = engine_env
    source, prints, step = CASES[name]
    app = tmp_path / name
    shutil.copytree(APPS / name, app)
    out = tmp_path / "Dockerfile.optimized"
    proc = msb(env, "convert", str(app / "Dockerfile"), "--optimize", "-q", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    text = out.read_text()
    assert step in text and text.index(step) < text.index("COPY . .")
    tag = f"msb-e2e/deps-{name}:{uuid.uuid4().hex[:8]}"
    try:
        _build(env, app, out, tag)
        run = subprocess.run([env["MSB_DOCKER"], "run", "--rm", tag], env=env, capture_output=True, text=True,
                             timeout=600)
        assert prints in run.stdout, run.stdout + run.stderr
        comment = "//" if source.endswith(".java") else "#"
        with open(app / source, "a", encoding="utf-8") as fh:
            fh.write(f"{comment} one more line\n")
        log = _build(env, app, out, tag)
        # BuildKit prints the step as `#N [stage k/m] RUN ...`, then `#N CACHED` for a layer it reuses;
        # the lines of steps it runs side by side (the runtime stage's) may come in between
        lines = log.splitlines()
        at = next(i for i, line in enumerate(lines) if step in line and "] RUN" in line)
        number = lines[at].split()[0]
        assert any(line.split()[:2] == [number, "CACHED"] for line in lines[at:]), "\n".join(lines[at:at + 8])
    finally:
        subprocess.run([env["MSB_DOCKER"], "rmi", "-f", tag], env=env, capture_output=True)
