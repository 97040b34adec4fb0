"""Every sample app converted with --optimize builds on the lab engine (cache mounts without a
`# syntax=` line on Docker 20.10) and passes the app's own smoke test."""
from __future__ import annotations

import pytest

from e2e_support import APPS, SIZES, engine_env, msb, verify_json  # noqa: F401 (engine_env is a fixture)
from test_apps import LIMITS, _explain

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("name", sorted(LIMITS))
def test_optimized_app_builds_and_runs(engine_env, name, tmp_path):
    d = APPS / name
    converted = tmp_path / "Dockerfile.optimized"
    proc = msb(engine_env, "convert", str(d / "Dockerfile"), "--optimize", "-q", "-o", str(converted))
    assert proc.returncode == 0, proc.stderr
    text = converted.read_text()
    assert "--mount=type=cache" in text and "# syntax" not in text
    code, report = verify_json(engine_env, str(d / "Dockerfile"), "--converted", str(converted),
                               "--smoke-script", str(d / "smoke.sh"))
    assert code == 0, _explain(report)
    SIZES.setdefault(name, {})["optimized"] = report["converted"]["size"]
    assert report["size_ratio"] < LIMITS[name]
