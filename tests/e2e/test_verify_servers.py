"""`msb verify` finds a server by what it listens on, on a real engine: an invented app
(tests/e2e/data/visits-app) whose command names its port only as a positional ADDR:PORT, or not at
all, that EXPOSEs nothing, and whose broken conversion leaves a folder it writes unwritable."""
from __future__ import annotations

from pathlib import Path

from e2e_support import engine_env, verify_json  # noqa: F401 (engine_env is a fixture)
import pytest

pytestmark = pytest.mark.e2e

VISITS = Path(__file__).resolve().parent / "data" / "visits-app"


def _differences(report: dict) -> list[tuple[str, str]]:
    return [(d["kind"], d["what"]) for d in report["differences"]]


@pytest.mark.parametrize("original, converted, found_by", [
    ("Dockerfile", "broken-write.Dockerfile", "command (runserver 0.0.0.0:8000)"),
    ("listen.Dockerfile", "listen-broken-write.Dockerfile", "listening socket (nothing named a port)"),
])
def test_server_without_expose_is_probed_and_its_failed_write_fails(engine_env, original, converted, found_by):
    code, report = verify_json(engine_env, str(VISITS / original), "--converted", str(VISITS / converted))
    smoke = report["smoke"]
    # probed as a server (not "both still running"), on the port it listens on, said how
    assert smoke["mode"] == "server" and smoke["converted"]["port"] == 8000, smoke["detail"]
    assert smoke["original"]["port_found_by"] == found_by
    assert f"port 8000 found by {found_by}" in smoke["detail"]
    assert smoke["converted"]["fetches"]["/"]["status"] == 200
    # the page still answers; the write it makes on the way is refused, and that fails the verdict
    assert ("write", "/app/render (dir): the app writes here during the run, the converted user 1000 "
                     "cannot write it") in _differences(report)
    assert any(k == "log" and "permission denied" in w for k, w in _differences(report))
    assert report["verdict"] == "FAIL" and code == 1


def test_server_found_by_its_listening_socket_passes_when_converted_right(engine_env):
    code, report = verify_json(engine_env, str(VISITS / "listen.Dockerfile"),
                               "--converted", str(VISITS / "listen-converted.Dockerfile"))
    assert report["verdict"] == "PASS" and code == 0, (_differences(report), report["smoke"]["detail"])
    assert [p["path"] for p in report["probes"]] == ["/", "/style.css"]
    assert report["smoke"]["original"]["listeners"] == [["0.0.0.0", 8000]]


def test_a_stale_expose_gives_way_to_the_port_the_app_listens_on(engine_env):
    """EXPOSE 3000, app on 8000 (seen on real apps): the port that listens is probed, not given up on."""
    code, report = verify_json(engine_env, str(VISITS / "expose-stale.Dockerfile"),
                               "--converted", str(VISITS / "expose-stale-converted.Dockerfile"))
    smoke = report["smoke"]
    assert smoke["converted"]["port"] == 8000, smoke["detail"]
    assert smoke["original"]["port_found_by"] == "listening socket (port 3000 named by EXPOSE answered nothing)"
    assert smoke["converted"]["fetches"]["/"]["status"] == 200
    assert report["verdict"] == "PASS" and code == 0, (_differences(report), smoke["detail"])


PRINTS = Path(__file__).resolve().parent / "data" / "py-prints-misses"


def test_a_python_server_that_prints_is_compared_with_both_logs_unbuffered(engine_env):
    """An invented service print()s "item plums does not exist" for a miss. The converted runtime sets
    PYTHONUNBUFFERED=1, so the line reached its log; the original's stdout buffer never did before the
    server was stopped, and verify failed the conversion on a `file missing` signature only the
    converted log had. The original now runs with the same setting, and verify says so."""
    code, report = verify_json(engine_env, str(PRINTS / "Dockerfile"), "--path", "/apples", "--path", "/plums",
                               "--no-discover")
    assert report["smoke"]["original"]["statuses"] == {"/apples": 200, "/plums": 404}
    assert code == 0 and report["verdict"] == "PASS", _differences(report)
    assert any("PYTHONUNBUFFERED=1" in n for n in report["notes"])


START_IDS = Path(__file__).resolve().parent / "data" / "py-start-ids"


def test_a_page_made_when_the_app_starts_is_not_a_difference_but_a_changed_page_is(engine_env):
    """json-server 1.0 gives records without an id a random one at each start: the original answered
    /records alike twice, the converted image (another start) otherwise, and verify failed a
    conversion that changed nothing. The original is now started once more for such pages."""
    code, report = verify_json(engine_env, str(START_IDS / "Dockerfile"))
    assert report["verdict"] == "PASS" and code == 0, _differences(report)
    assert any("answered differently after a restart" in n and "/records" in n for n in report["notes"])
    # a real change of a page that stays the same across starts still fails
    code, report = verify_json(engine_env, str(START_IDS / "Dockerfile"),
                               "--converted", str(START_IDS / "mode-changed.Dockerfile"))
    whats = [w for k, w in _differences(report) if k == "http"]
    assert any(w.startswith("GET /: body differs") for w in whats) and not any("/records" in w for w in whats), whats
    assert report["verdict"] == "FAIL" and code == 1
