"""Artifacts on a real engine: a Rust workspace that builds two binaries, and a prebuilt jar copied
with a glob onto a file name. Each converted file must build and run what the original built; the
old conversions failed the build (a collect step that wanted exactly one binary, and a staging
step that ran `tar -C` on the jar)."""
from __future__ import annotations

import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

from e2e_support import engine_env  # noqa: F401 (a fixture)
from msbrewrite import convert

pytestmark = pytest.mark.e2e

DATA = Path(__file__).resolve().parent / "data"
RUST_WORKSPACE = DATA / "rust-workspace"
GLOB_JAR = DATA / "glob-jar"


def docker(env: dict, *args: str, timeout: float = 1200) -> subprocess.CompletedProcess:
    return subprocess.run([env["MSB_DOCKER"], *args], env=env, capture_output=True, text=True, timeout=timeout)


def has_images(env: dict, *images: str) -> str | None:
    """The first image the engine lacks (the lab builds its stand-ins offline), None when all are there."""
    return next((i for i in images if docker(env, "image", "inspect", i).returncode != 0), None)


@pytest.fixture
def built(engine_env, tmp_path):
    """build(dockerfile_text, context) -> image tag; the images are removed at the end."""
    tags = []

    def build(text: str, context: Path) -> str:
        tag = f"msb-e2e/artifacts-{uuid.uuid4().hex[:10]}"
        dockerfile = tmp_path / f"{tag.rsplit('/', 1)[1]}.Dockerfile"
        dockerfile.write_text(text)
        proc = docker(engine_env, "build", "--network=host", "-q", "-t", tag, "-f", str(dockerfile), str(context))
        assert proc.returncode == 0, f"the converted file does not build:\n{text}\n{proc.stderr[-3000:]}"
        tags.append(tag)
        return tag

    yield build
    for tag in tags:
        docker(engine_env, "image", "rm", "-f", tag)


def run(env: dict, image: str, *args: str) -> str:
    proc = docker(env, "run", "--rm", "--network=none", *args, image, timeout=600)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.mark.parametrize("with_context", [False, True], ids=["no-context", "context"])
def test_a_rust_workspace_with_two_binaries_builds_and_carries_both(engine_env, built, with_context):
    missing = has_images(engine_env, "rust:1-bookworm", "gcr.io/distroless/cc-debian12:nonroot")
    if missing:
        pytest.skip(f"stand-in image {missing} not on the engine yet (run the lab's images.sh)")
    result = convert((RUST_WORKSPACE / "Dockerfile").read_text(), RUST_WORKSPACE if with_context else None)
    assert result.status == "converted", result.reason
    image = built(result.text, RUST_WORKSPACE)
    # both binaries are there; the ENTRYPOINT runs the first (api), as the report says
    assert run(engine_env, image, "--entrypoint", "/usr/local/bin/worker") == "worker ready (fleet)\n"
    assert run(engine_env, image, "--entrypoint", "/usr/local/bin/api") == "api ready (fleet)\n"
    assert run(engine_env, image) == "api ready (fleet)\n"


@pytest.mark.parametrize("with_context", [False, True], ids=["no-context", "context"])
def test_a_glob_jar_copied_onto_a_file_name_builds_and_runs(engine_env, built, tmp_path, with_context):
    missing = has_images(engine_env, "eclipse-temurin:17-jdk", "gcr.io/distroless/java17-debian12:nonroot")
    if missing:
        pytest.skip(f"stand-in image {missing} not on the engine yet (run the lab's images.sh)")
    # the app's CI builds the SNAPSHOT jar; here a helper image does, and the test copies it out
    jar_image = built((GLOB_JAR / "jar.Dockerfile").read_text(), GLOB_JAR)
    context = tmp_path / "context"
    (context / "build").mkdir(parents=True)
    name = f"msb-e2e-jar-{uuid.uuid4().hex[:8]}"
    assert docker(engine_env, "create", "--name", name, jar_image).returncode == 0
    try:
        proc = docker(engine_env, "cp", f"{name}:/src/build/libs", str(context / "build"))
        assert proc.returncode == 0, proc.stderr
    finally:
        docker(engine_env, "rm", "-f", name)
    shutil.copy(GLOB_JAR / "Dockerfile", context / "Dockerfile")

    result = convert((GLOB_JAR / "Dockerfile").read_text(), context if with_context else None)
    assert result.status == "converted", result.reason
    image = built(result.text, context)
    assert run(engine_env, image) == "billing ready\n"


def test_a_jar_collect_step_that_matches_nothing_does_not_fail_the_build(engine_env, built, tmp_path):
    """Only a -sources.jar under build/libs: the original builds (its `java -jar build/libs/*.jar` fails
    at start). The converted build must build too and say in its log that no runnable jar matched; the
    old collect step ended with `test -f /out/app.jar` and failed the build."""
    missing = has_images(engine_env, "eclipse-temurin:17-jdk", "gcr.io/distroless/java17-debian12:nonroot")
    if missing:
        pytest.skip(f"stand-in image {missing} not on the engine yet (run the lab's images.sh)")
    context = tmp_path / "context"
    (context / "build/libs").mkdir(parents=True)
    (context / "build/libs/billing-0.3.0-sources.jar").write_text("not runnable\n")
    text = ("FROM eclipse-temurin:17-jdk\nWORKDIR /opt/billing\nCOPY build/libs/ build/libs/\n"
            "CMD java -jar build/libs/*.jar\n")
    result = convert(text, None)
    assert result.status == "converted", result.reason
    assert any("no jar matches" in w for w in result.warnings)
    dockerfile = tmp_path / "Dockerfile.msb"
    dockerfile.write_text(result.text)
    tag = f"msb-e2e/artifacts-{uuid.uuid4().hex[:10]}"
    proc = docker(engine_env, "build", "--network=host", "--progress=plain", "-t", tag, "-f", str(dockerfile),
                  str(context))
    try:
        assert proc.returncode == 0, f"the converted file does not build:\n{result.text}\n{proc.stderr[-3000:]}"
        assert "msb: no runnable jar matches /opt/billing/build/libs/*.jar" in proc.stderr
    finally:
        docker(engine_env, "image", "rm", "-f", tag)
