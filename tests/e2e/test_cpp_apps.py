"""C/C++ sample apps on the lab engine: original and converted build, both pass the app's smoke
test (`msb verify`), and the converted image is smaller. .NET has no SDK here: snapshots only."""
from __future__ import annotations

import pytest

from e2e_support import APPS, SIZES, engine_env, verify_json  # noqa: F401 (engine_env is a fixture)

pytestmark = pytest.mark.e2e

# converted size / original size must stay below these (gcc:12 is over 1 GB; slim with ASan is not)
LIMITS = {
    "c-wordfreq": 0.05,         # Makefile, libm, data/stopwords.txt read at run time: distroless cc
    "c-static-greet": 0.02,     # gcc -static: distroless static
    "cpp-checksum": 0.15,       # CMake install, ASan + UBSan: debian slim with libasan8 and libubsan1
}
RUNTIME = {"c-wordfreq": "distroless/cc-debian12", "c-static-greet": "distroless/static-debian12",
           "cpp-checksum": "debian:bookworm-slim"}


def _explain(report: dict) -> str:
    for role in ("original", "converted"):
        b = report.get(role) or {}
        if not b.get("ok"):
            return f"{role} build failed at {b.get('failing_step')}:\n" + "\n".join(b.get("log_tail") or [])
    smoke = report.get("smoke") or {}
    return report.get("error") or f"smoke: {smoke.get('detail')}\n" + \
        "\n".join((smoke.get("converted") or {}).get("output", []))


@pytest.mark.parametrize("name", sorted(LIMITS))
def test_cpp_app_converts_runs_and_shrinks(engine_env, name):
    d = APPS / name
    from msbrewrite import convert
    result = convert((d / "Dockerfile").read_text(), d)
    assert result.status == "converted" and result.language == "cpp", result.reason
    assert RUNTIME[name] in result.runtime_base
    code, report = verify_json(engine_env, str(d / "Dockerfile"), "--smoke-script", str(d / "smoke.sh"))
    SIZES.setdefault(name, {}).update(original=report["original"]["size"], converted=report["converted"]["size"])
    assert report["original"]["ok"], "the sample app itself must build: " + _explain(report)
    assert code == 0, _explain(report)
    assert report["smoke"]["passed"]
    assert report["smoke"]["original"]["exit_code"] == 0, "the original image must pass its own smoke test"
    assert report["size_ratio"] < LIMITS[name], f"{name}: converted/original = {report['size_ratio']}"


@pytest.mark.parametrize("name", sorted(LIMITS))
def test_cpp_expert_dockerfile_runs(engine_env, name):
    d = APPS / name
    code, report = verify_json(engine_env, str(d / "Dockerfile"), "--converted", str(d / "expert.Dockerfile"),
                               "--smoke-script", str(d / "smoke.sh"))
    assert code == 0, _explain(report)
    SIZES.setdefault(name, {})["expert"] = report["converted"]["size"]
