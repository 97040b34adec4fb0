"""Every sample app: the converted image builds, passes the app's smoke test and is much smaller
than the original; our hand-written expert Dockerfile is built beside it for the size table."""
from __future__ import annotations

import re

import pytest

from e2e_support import APPS, SIZES, engine_env, verify_json  # noqa: F401 (engine_env is a fixture)

pytestmark = pytest.mark.e2e

# converted size / original size must stay below these (per language, with margin)
LIMITS = {
    "go-web": 0.05,
    "go-cli": 0.05,
    "go-quotes": 0.05,          # data/, a config with an unknown name, a log dir created at start
    "python-notes": 0.6,        # log at import and SQLite next to the code: the new user owns /app
    "node-sibling": 0.6,        # the final WORKDIR is a subfolder; ../utils must come along
    "rust-cli": 0.05,
    "node-express": 0.6,
    "node-ts": 0.6,
    "python-flask": 0.6,
    "java-maven": 0.6,
    "frontend-vite": 0.15,
}


def _app(name: str):
    d = APPS / name
    assert (d / "Dockerfile").is_file() and (d / "smoke.sh").is_file(), f"sample app {d} is incomplete"
    return d


def _explain(report: dict) -> str:
    for role in ("original", "converted"):
        b = report[role]
        if not b["ok"]:
            return f"{role} build failed at {b['failing_step']}:\n" + "\n".join(b["log_tail"])
    if report.get("error"):
        return report["error"]
    smoke = report.get("smoke") or {}
    return f"smoke: {smoke.get('detail')}\n" + "\n".join((smoke.get("converted") or {}).get("output", []))


@pytest.mark.parametrize("name", sorted(LIMITS))
def test_converted_app_runs_and_shrinks(engine_env, name):
    d = _app(name)
    code, report = verify_json(engine_env, str(d / "Dockerfile"), "--smoke-script", str(d / "smoke.sh"))
    row = SIZES.setdefault(name, {})
    row.update(original=report["original"]["size"], converted=report["converted"]["size"],
               original_build_s=report["original"]["seconds"], converted_build_s=report["converted"]["seconds"])
    assert report["original"]["ok"], "the sample app itself must build: " + _explain(report)
    assert code == 0, _explain(report)
    assert report["smoke"]["passed"]
    assert report["smoke"]["original"]["exit_code"] == 0, "the original image must pass its own smoke test"
    assert report["size_ratio"] < LIMITS[name], f"{name}: converted/original = {report['size_ratio']}"


@pytest.mark.parametrize("name", sorted(LIMITS))
def test_expert_dockerfile_runs(engine_env, name):
    """Our hand-written multi-stage file: the yardstick for the converted size."""
    d = _app(name)
    expert = d / "expert.Dockerfile"
    code, report = verify_json(engine_env, str(d / "Dockerfile"), "--converted", str(expert),
                               "--smoke-script", str(d / "smoke.sh"))
    assert code == 0, _explain(report)
    SIZES.setdefault(name, {})["expert"] = report["converted"]["size"]
    assert report["size_ratio"] < LIMITS[name]


def test_broken_conversion_is_a_smoke_failure(engine_env, tmp_path):
    """A converted file that lost a needed COPY (the app directory, with the templates the server
    parses at start-up) must fail verify's own generic smoke check with exit 1, not pass because
    the image still builds."""
    from msbrewrite import convert

    d = _app("go-web")
    result = convert((d / "Dockerfile").read_text(), d)
    assert result.status == "converted"
    lines = result.text.splitlines(keepends=True)
    needed = [line for line in lines if re.match(r"COPY --from=builder (--chown=\S+ )?/tmp/msb-runtime/", line)]
    assert len(needed) == 1, "the conversion should copy the app directory (templates/, static/) once"
    broken = tmp_path / "Dockerfile.broken"
    broken.write_text("".join(line for line in lines if line not in needed))

    code, report = verify_json(engine_env, str(d / "Dockerfile"), "--converted", str(broken))
    assert report["converted"]["ok"], "the broken file still builds: only the smoke check can catch it"
    assert report["smoke"]["mode"] == "server"
    assert report["smoke"]["passed"] is False
    assert "exited" in report["smoke"]["detail"]
    assert code == 1

    # the intact conversion passes the same generic check (so the failure above is the missing COPY)
    code, report = verify_json(engine_env, str(d / "Dockerfile"))
    assert code == 0, _explain(report)
    assert report["smoke"]["detail"].startswith("up on :8080")


def test_server_probe_command_and_paths(engine_env):
    """--path and --smoke-cmd run next to a distroless server (no shell or curl inside it)."""
    d = _app("go-web")
    code, report = verify_json(engine_env, str(d / "Dockerfile"), "--path", "/api/books", "--path", "/static/style.css",
                               "--smoke-cmd", "curl -fsS http://127.0.0.1:$PORT/ | grep -q 'Dune by Frank Herbert'")
    assert code == 0, _explain(report)
    assert report["smoke"]["converted"]["statuses"] == {"/api/books": 200, "/static/style.css": 200}
    assert report["smoke"]["converted"]["command_rc"] == 0

    # a probe command that fails on the original too proves nothing about the conversion
    code, report = verify_json(engine_env, str(d / "Dockerfile"), "--smoke-cmd", "curl -fsS http://127.0.0.1:$PORT/nope")
    assert code == 1 and report["verdict"] == "INCONCLUSIVE"
    assert report["smoke"]["detail"] == "--smoke-cmd fails on the original too (exit 22); port 8080 found by EXPOSE"


def test_cli_smoke_compares_output_with_the_original(engine_env):
    d = _app("go-cli")
    code, report = verify_json(engine_env, str(d / "Dockerfile"), "--smoke-cmd", "-lines")
    assert code == 0, _explain(report)
    assert report["smoke"]["mode"] == "cli"
    assert report["smoke"]["converted"]["stdout"] == "lines=0\n"


def test_no_engine_is_exit_2(engine_env):
    env = dict(engine_env, DOCKER_HOST="unix:///nonexistent/docker.sock")
    d = _app("go-cli")
    from e2e_support import msb
    proc = msb(env, "verify", str(d / "Dockerfile"))
    assert proc.returncode == 2
    assert "no Docker engine answers" in proc.stderr
    assert "Traceback" not in proc.stderr
