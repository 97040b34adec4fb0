"""`msb verify` on an invented Node app (tests/e2e/data/npm-redirect-app) whose original command is
`npm start` / `npm run report` and whose conversion runs `node` directly with NODE_ENV=production:
npm's banner and a redirect whose body and content type changed are no behaviour difference; a
redirect to another place or other output still is."""
from __future__ import annotations

from pathlib import Path

from e2e_support import engine_env, verify_json  # noqa: F401 (engine_env is a fixture)
import pytest

pytestmark = pytest.mark.e2e

APP = Path(__file__).resolve().parent / "data" / "npm-redirect-app"


def _differences(report: dict) -> list[tuple[str, str]]:
    return [(d["kind"], d["what"]) for d in report["differences"]]


def test_npm_start_and_a_redirect_whose_body_changed_pass(engine_env):
    code, report = verify_json(engine_env, str(APP / "Dockerfile"), "--converted", str(APP / "converted.Dockerfile"))
    assert report["verdict"] == "PASS" and code == 0, (_differences(report), report["smoke"]["detail"])
    probes = {p["path"]: p for p in report["probes"]}
    before, after = probes["/"]["original"], probes["/"]["converted"]
    # the redirect really did change its body and type: only where it goes is compared
    assert (before["status"], after["status"]) == (302, 302)
    assert before["content_type"].startswith("text/html") and after["content_type"] == ""
    assert before["location"] == after["location"] == "/home"


def test_a_redirect_to_another_place_fails(engine_env):
    code, report = verify_json(engine_env, str(APP / "Dockerfile"),
                               "--converted", str(APP / "broken-redirect.Dockerfile"))
    assert ("http", "GET /: redirects to /start, the original to /home") in _differences(report)
    assert report["verdict"] == "FAIL" and code == 1


def test_npm_run_banner_is_not_output_but_other_output_is(engine_env):
    code, report = verify_json(engine_env, str(APP / "cli.Dockerfile"),
                               "--converted", str(APP / "cli-converted.Dockerfile"))
    smoke = report["smoke"]
    assert smoke["mode"] == "cli" and "> npm-redirect-app@1.0.0 report" in smoke["original"]["stdout"]
    assert report["verdict"] == "PASS" and code == 0, (_differences(report), smoke["detail"])

    code, report = verify_json(engine_env, str(APP / "cli.Dockerfile"), "--converted", str(APP / "cli-broken.Dockerfile"))
    assert report["smoke"]["detail"] == ("standard output differs from the original's: "
                                         "line 2: 'total: 42' became 'total: 41'")
    assert report["verdict"] == "FAIL" and code == 1
