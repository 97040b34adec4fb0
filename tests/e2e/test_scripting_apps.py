"""PHP, Ruby, Bun and Deno sample apps: original and converted build on the lab's stand-ins, both
pass the app's smoke test, and the converted image is no larger than the original."""
from __future__ import annotations

import pytest

from e2e_support import APPS, engine_env, verify_json  # noqa: F401 (engine_env is a fixture)

pytestmark = pytest.mark.e2e

# converted / original: PHP keeps its image (only git, unzip and composer go), Ruby drops the full image
LIMITS = {"php-recipes": 1.0, "ruby-guestbook": 0.4, "bun-shortener": 0.8, "deno-notes": 0.8}


@pytest.mark.parametrize("name", sorted(LIMITS))
def test_converted_app_runs(engine_env, name):
    d = APPS / name
    code, report = verify_json(engine_env, str(d / "Dockerfile"), "--smoke-script", str(d / "smoke.sh"))
    assert report["original"]["ok"], f"the sample app itself must build: {report['original'].get('log_tail')}"
    assert report["converted"]["ok"], "\n".join(report["converted"].get("log_tail") or [])
    assert code == 0, report.get("smoke")
    assert report["smoke"]["passed"] and report["smoke"]["original"]["exit_code"] == 0
    assert report["size_ratio"] < LIMITS[name], f"{name}: converted/original = {report['size_ratio']}"
