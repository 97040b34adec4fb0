"""`msb verify` on a dev server replaced by a production build, on a real engine: an invented app
(tests/e2e/data/vite-app) whose original runs `npm run dev` (a stand-in for Vite's command line in
plain Node, tools/vite, installed from a file: dependency so no registry is needed) and whose
conversions serve `vite build`'s output with nginx, once right and once without its bundle."""
from __future__ import annotations

from pathlib import Path

from e2e_support import engine_env, verify_json  # noqa: F401 (engine_env is a fixture)
import pytest

pytestmark = pytest.mark.e2e

VITE = Path(__file__).resolve().parent / "data" / "vite-app"
DEV_ONLY = ["/@vite/client", "/src/style.css", "/src/main.js"]


def _outcomes(report: dict) -> dict[str, str]:
    return {p["path"]: p["outcome"] for p in report["probes"]}


def test_dev_server_converted_to_a_production_build_passes(engine_env):
    code, report = verify_json(engine_env, str(VITE / "Dockerfile"), "--converted", str(VITE / "converted.Dockerfile"))
    assert report["verdict"] == "PASS" and code == 0, ([d["what"] for d in report["differences"]], report["smoke"])
    outcomes = _outcomes(report)
    # the dev server's internals are expected differences, not failures
    assert [d["what"].split(":")[0] for d in report["expected"]] == [f"GET {p}" for p in DEV_ONLY]
    assert all(outcomes[p] == "expected (dev server only)" for p in DEV_ONLY)
    # the same routes and static files answer; the bundle the page loads was fetched and loads
    assert outcomes["/"] == outcomes["/about"] == outcomes["/favicon.svg"] == "same"
    bundle = [p for p in outcomes if p.startswith("/assets/")]
    assert len(bundle) == 2 and all(outcomes[p] == "same" for p in bundle)
    assert any("the original ran Vite" in n for n in report["notes"])


def test_production_build_whose_bundle_does_not_load_fails(engine_env):
    code, report = verify_json(engine_env, str(VITE / "Dockerfile"), "--converted", str(VITE / "broken-bundle.Dockerfile"))
    found = [(d["kind"], d["what"]) for d in report["differences"]]
    assert report["verdict"] == "FAIL" and code == 1
    assert any(k == "bundle" and w.startswith("GET /assets/index-") and
               "content type text/html, a browser needs JavaScript; / loads it as a script" in w for k, w in found), found
    assert any(k == "bundle" and "a browser needs CSS" in w for k, w in found), found
    # only the bundle is blamed: the dev server's internals are still expected differences
    assert all(k == "bundle" for k, _ in found), found
    assert len(report["expected"]) == 3


def test_a_stylesheet_the_original_did_not_serve_either_is_not_blamed_on_the_build(engine_env):
    # the page names /assets/retired.css, which no build makes: the dev server answers 404 and the
    # production build's SPA fallback sends index.html; neither loads it, so it is no difference
    code, report = verify_json(engine_env, str(VITE / "stale-link.Dockerfile"),
                               "--converted", str(VITE / "stale-link.converted.Dockerfile"))
    assert report["verdict"] == "PASS" and code == 0, ([d["what"] for d in report["differences"]], report["smoke"])
    assert _outcomes(report)["/assets/retired.css"] == "original fails"


STATIC = Path(__file__).resolve().parent / "data" / "static-default-port"


def test_a_static_server_without_a_port_flag_keeps_its_port(engine_env):
    # http-server with no -p listens on 8080 although EXPOSE says 80: the converted nginx must answer
    # on 8080 too (it listened on 80, and `docker run -p 8080:8080` reached nothing)
    code, report = verify_json(engine_env, str(STATIC / "Dockerfile"), "--port", "8080")
    assert report["original"]["ok"] and report["converted"]["ok"], report.get("error")
    assert report["verdict"] == "PASS" and code == 0, ([d["what"] for d in report["differences"]], report["smoke"])
    assert _outcomes(report)["/style.css"] == "same"
    # the same port in both: the old conversion's nginx answered on EXPOSE's 80 instead
    assert report["smoke"]["original"]["port"] == report["smoke"]["converted"]["port"] == 8080


def test_a_client_route_named_like_a_build_folder_still_gets_the_app_shell(engine_env):
    """`serve -s dist` answers /albums (a client route, and also a folder of the build) with the app
    shell. The converted nginx tried the folder first: 301 to /albums/, then 403 (no index there)."""
    app = Path(__file__).resolve().parent / "data" / "spa-folder-route"
    code, report = verify_json(engine_env, str(app / "Dockerfile"), "--no-discover",
                               "--path", "/", "--path", "/albums", "--path", "/albums/", "--path", "/albums/summer.txt")
    assert report["original"]["ok"] and report["converted"]["ok"], report["converted"].get("log_tail")
    found = [(d["kind"], d["what"]) for d in report.get("differences", [])]
    statuses = report["smoke"]["converted"]["statuses"]
    assert code == 0 and report["verdict"] == "PASS", (found, statuses)
    assert statuses["/albums"] == statuses["/albums/"] == statuses["/albums/summer.txt"] == 200


def test_a_static_server_that_passes_paths_to_a_backend_keeps_it(engine_env):
    """`http-server dist --proxy http://127.0.0.1:9000` next to `node api.js`: the original answers
    /api/items from the backend. nginx in its place answered index.html with 200 for it, and the
    backend was gone; the runtime now keeps Node, the backend and http-server."""
    app = Path(__file__).resolve().parent / "data" / "static-with-api"
    # /api/items is found by the crawl (the page's script fetches it). The port is named: the
    # backend also listens, on 127.0.0.1:9000, and either one may answer first
    code, report = verify_json(engine_env, str(app / "Dockerfile"), "--port", "8080")
    assert report["original"]["ok"] and report["converted"]["ok"], report["converted"].get("log_tail")
    found = [(d["kind"], d["what"]) for d in report.get("differences", [])]
    assert code == 0 and report["verdict"] == "PASS", (found, report["smoke"]["detail"])
    fetched = report["smoke"]["converted"]["fetches"]["/api/items"]
    assert "json" in fetched["content_type"], fetched


def test_a_folder_the_original_server_listed_is_listed_by_nginx(engine_env):
    # http-server lists a folder without index.html; nginx answered it with 403 until autoindex
    app = Path(__file__).resolve().parent / "data" / "static-listing"
    code, report = verify_json(engine_env, str(app / "Dockerfile"), "--no-discover", "--path", "/",
                               "--path", "/downloads/", "--path", "/downloads/checklist.txt")
    assert report["original"]["ok"] and report["converted"]["ok"], report["converted"].get("log_tail")
    found = [(d["kind"], d["what"]) for d in report.get("differences", [])]
    assert code == 0 and report["verdict"] == "PASS", (found, report["smoke"]["detail"])
    assert report["smoke"]["converted"]["statuses"]["/downloads/"] == 200
