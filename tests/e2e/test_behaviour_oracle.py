"""`msb verify` as a behaviour oracle, on a real engine: an invented app (tests/e2e/data/quotes-app,
Python's standard library only, so it builds in seconds) and hand-broken conversions of it, each
of which answers `/` like the original (what the old verify checked) yet breaks the app another
way; an original that does not start; the sample apps' own conversions, verified as a batch."""
from __future__ import annotations

from pathlib import Path

import pytest

from e2e_support import APPS, engine_env, msb, verify_json  # noqa: F401 (engine_env is a fixture)

pytestmark = pytest.mark.e2e

QUOTES = Path(__file__).resolve().parent / "data" / "quotes-app"

# broken conversion -> (kind, text) each expected among the differences; "files" ones are listed as
# suspicious (they fail only with --strict)
BROKEN = {
    "data": [("http", "GET /api/quote: status 500, the original answered 200"),
             ("log", "file missing"), ("files", "/app/data/quotes.json: missing")],
    "static": [("http", "GET /static/app.js: status 404, the original answered 200"),
               ("http", "GET /static/style.css: status 404")],
    "logs": [("log", "permission denied"), ("write", "/app/logs (dir): the original wrote here during the run")],
    "sqlite": [("log", "database not writable"), ("write", "/app/db (dir): the original wrote here during the run")],
    # nothing writes there during the probes: the folder is a difference by its name
    "uploads": [("write", "/app/uploads (dir): a state file or folder by nature")],
    "config": [("listener", "port 8000 listens on 127.0.0.1 only"), ("log", "listening on localhost only"),
               ("files", "/app/config.ini: missing")],
}


def _found(report: dict) -> list[tuple[str, str]]:
    return [(d["kind"], d["what"]) for d in report["differences"] + report["suspicious"]]


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_conversion_is_a_difference(engine_env, case):
    code, report = verify_json(engine_env, str(QUOTES / "Dockerfile"),
                               "--converted", str(QUOTES / f"broken-{case}.Dockerfile"))
    assert report["original"]["ok"] and report["converted"]["ok"], report.get("error")
    # the old check, `/` answers like the original's and the server stays up, still passes ...
    assert report["smoke"]["passed"], report["smoke"]["detail"]
    # ... and the oracle finds what the conversion broke
    found = _found(report)
    for kind, text in BROKEN[case]:
        assert any(k == kind and text in what for k, what in found), f"no {kind} difference {text!r} in {found}"
    assert report["verdict"] == "FAIL" and code == 1
    assert all(d["kind"] != "files" for d in report["differences"]), "missing files only fail with --strict"


def test_correct_conversion_passes_with_every_probe_alike(engine_env):
    code, report = verify_json(engine_env, str(QUOTES / "Dockerfile"), "--converted", str(QUOTES / "converted.Dockerfile"))
    assert code == 0 and report["verdict"] == "PASS", _found(report)
    probes = {p["path"]: p for p in report["probes"]}
    assert set(probes) == {"/", "/api/quote", "/static/style.css", "/static/app.js"}
    assert all(p["outcome"] == "same" for p in probes.values())
    assert probes["/api/quote"]["found_by"].startswith("route (plain, server.py:")
    assert probes["/static/app.js"]["found_by"] == "link from /"
    assert probes["/static/app.js"]["converted"]["sha256"] == probes["/static/app.js"]["original"]["sha256"]
    assert report["files"]["app_dirs"] == ["/app"] and report["files"]["users"]["converted"] == "1000"
    assert "A /app/db/quotes.sqlite" in report["files"]["written_by_original"]


def test_strict_fails_on_a_suspicious_missing_file(engine_env):
    code, report = verify_json(engine_env, str(QUOTES / "Dockerfile"), "--converted",
                               str(QUOTES / "broken-static.Dockerfile"), "--strict", "--no-discover")
    # no crawl: the static files are never asked for, only the file listing sees them gone
    assert [p["path"] for p in report["probes"]] == ["/"]
    assert report["differences"] == [] and report["strict"] is True
    assert [s["what"] for s in report["suspicious"]] == ["/app/static: missing (2 files, 56 bytes)"]
    assert report["verdict"] == "FAIL" and code == 1


def test_original_that_does_not_start_is_inconclusive(engine_env):
    code, report = verify_json(engine_env, str(QUOTES / "nostart.Dockerfile"),
                               "--converted", str(QUOTES / "converted.Dockerfile"))
    assert report["verdict"] == "INCONCLUSIVE" and code == 1
    assert "the original container exited (code 2)" in report["inconclusive"]
    assert report["differences"] == []


def test_readiness_uses_the_requested_path(engine_env):
    """With --path the app is never asked for `/` unless that is a requested path or a route."""
    code, report = verify_json(engine_env, str(QUOTES / "Dockerfile"), "--converted", str(QUOTES / "converted.Dockerfile"),
                               "--path", "/api/quote", "--no-discover")
    assert code == 0, _found(report)
    assert [p["path"] for p in report["probes"]] == ["/api/quote"]
    assert report["smoke"]["converted"]["statuses"] == {"/api/quote": 200}
    assert not any('"GET / ' in line for line in report["smoke"]["converted"]["logs"])


def test_sample_apps_pass_as_one_batch(engine_env):
    """The sample apps' conversions by msb pass the whole oracle (routes, crawl, logs, files,
    write permissions), verified one after the other with one summary table at the end."""
    names = [d.name for d in sorted(APPS.iterdir()) if (d / "Dockerfile").is_file()]
    proc = msb(engine_env, "verify", "--quiet", *[str(APPS / n / "Dockerfile") for n in names])
    summary = proc.stdout[proc.stdout.rindex("summary:"):]
    for n in names:
        row = next(line for line in summary.splitlines() if f"/{n}/Dockerfile " in line)
        assert " PASS " in row, proc.stdout[-6000:]
    assert proc.returncode == 0


@pytest.mark.parametrize("case, text", [
    ("dropped", "the converted image has no HEALTHCHECK"),
    ("tool", "HEALTHCHECK `curl -fsS http://127.0.0.1:8000/api/quote || exit 1` exits 1 in the converted image"),
])
def test_healthcheck_dropped_or_failing_is_a_difference(engine_env, case, text):
    """An orchestrator restarts a container whose HEALTHCHECK fails: verify runs it in both images."""
    code, report = verify_json(engine_env, str(QUOTES / "healthcheck.Dockerfile"),
                               "--converted", str(QUOTES / f"broken-health-{case}.Dockerfile"), "--no-discover")
    assert report["smoke"]["passed"], report["smoke"]["detail"]
    assert any(k == "health" and text in what for k, what in _found(report)), _found(report)
    assert report["verdict"] == "FAIL" and code == 1


def test_healthcheck_that_passes_in_both_images_is_no_difference(engine_env):
    code, report = verify_json(engine_env, str(QUOTES / "healthcheck.Dockerfile"),
                               "--converted", str(QUOTES / "healthcheck-converted.Dockerfile"), "--no-discover")
    assert code == 0 and report["verdict"] == "PASS", _found(report)
    assert report["smoke"]["original"]["health_rc"] == 0 and report["smoke"]["converted"]["health_rc"] == 0


def test_go_healthcheck_keeps_working_after_conversion(engine_env):
    """A Go service whose HEALTHCHECK runs wget: msb keeps a base with wget instead of dropping the
    check on distroless, and verify sees the check pass in both images."""
    app = Path(__file__).resolve().parent / "data" / "go-health"
    code, report = verify_json(engine_env, str(app / "Dockerfile"), "--no-discover")
    assert code == 0 and report["verdict"] == "PASS", _found(report)
    assert report["smoke"]["original"]["health_rc"] == 0 and report["smoke"]["converted"]["health_rc"] == 0


def test_node_server_loading_a_dev_dependency_still_starts(engine_env):
    """The original installed devDependencies too; a server that requires one must keep them."""
    app = Path(__file__).resolve().parent / "data" / "node-devdep"
    code, report = verify_json(engine_env, str(app / "Dockerfile"), "--no-discover")
    assert code == 0 and report["verdict"] == "PASS", (_found(report), report["smoke"]["detail"])


def test_go_service_running_an_installed_program_keeps_it(engine_env):
    """The Go build installs jq and the server runs it: the runtime must have jq too."""
    app = Path(__file__).resolve().parent / "data" / "go-tool"
    code, report = verify_json(engine_env, str(app / "Dockerfile"), "--no-discover")
    assert code == 0 and report["verdict"] == "PASS", (_found(report), report["smoke"]["detail"])
