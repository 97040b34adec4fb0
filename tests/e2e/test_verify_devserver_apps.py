"""`msb verify` on a dev server replaced by a production build, on a real engine: an invented app
(tests/e2e/data/vite-app) whose original runs `npm run dev` (a stand-in for Vite's command line in
plain Node, tools/vite, installed from a file: dependency so no registry is needed) and whose
conversions serve `vite build`'s output with nginx, once right and once without its bundle."""
from __future__ import annotations

import shlex
import subprocess
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
                               "--path", "/", "--path", "/albums", "--path", "/albums/", "--path", "/albums/summer.txt",
                               "--path", "/index.html", "--path", "/albums/index", "--path", "/missing-0badc0de.js")
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
    # /onboarding is onboarding.html (http-server tries `.html`), /downloads a 302 to /downloads/
    code, report = verify_json(engine_env, str(app / "Dockerfile"), "--no-discover", "--path", "/",
                               "--path", "/downloads/", "--path", "/downloads/checklist.txt", "--path", "/onboarding",
                               "--path", "/downloads")
    assert report["original"]["ok"] and report["converted"]["ok"], report["converted"].get("log_tail")
    found = [(d["kind"], d["what"]) for d in report.get("differences", [])]
    assert code == 0 and report["verdict"] == "PASS", (found, report["smoke"]["detail"])
    assert report["smoke"]["converted"]["statuses"]["/downloads/"] == 200
    assert report["smoke"]["converted"]["statuses"]["/onboarding"] == 200
    assert report["smoke"]["converted"]["statuses"]["/downloads"] == 302


def _answers(env: dict, image: str, port: int, requests: list[tuple[str, str, str]]) -> list[int]:
    """The status each (path, Host, Accept) request gets from `image`, asked from a probe container
    in its network namespace once the server answers (curl retries a refused connection)."""
    from e2e_support import PROBE_IMAGE, _client
    docker = _client()
    cid = subprocess.run([docker, "run", "-d", "--network", "none", image], env=env, capture_output=True,
                         text=True, check=True).stdout.strip()
    try:
        script = "; ".join(
            f"curl -s -o /dev/null --retry 60 --retry-delay 1 --retry-connrefused -H {shlex.quote('Host: ' + host)} "
            f"-H {shlex.quote('Accept: ' + accept)} -w '%{{http_code}}\\n' http://127.0.0.1:{port}{path}"
            for path, host, accept in requests)
        out = subprocess.run([docker, "run", "--rm", "--network", f"container:{cid}", "--entrypoint", "sh",
                              PROBE_IMAGE, "-c", script], env=env, capture_output=True, text=True, timeout=300)
        return [int(line) for line in out.stdout.split()]
    finally:
        subprocess.run([docker, "rm", "-f", cid], env=env, capture_output=True)


@pytest.mark.parametrize("app, as_json, nope_js", [("vite-preview-hosts", 404, 200), ("vite4-preview-hosts", 200, 404)])
def test_vite_preview_replaced_by_nginx_answers_like_vite(engine_env, app, as_json, nope_js):
    """`vite preview` sends the app shell for a missing path (vite 5: to a client that accepts HTML,
    a missing script too; vite 4: to any client, never for a last segment with a dot), and a 403 to
    a Host it does not allow. The previous nginx answered every Host, and the shell for
    every missing path outside /assets/."""
    from e2e_support import _client
    app = Path(__file__).resolve().parent / "data" / app
    code, report = verify_json(engine_env, str(app / "Dockerfile"), "--no-discover", "--keep-images", "--port", "4173",
                               "--path", "/", "--path", "/deep/route", "--path", "/assets/missing.js",
                               "--path", "/nope.js")
    images = [report["original"].get("image"), report["converted"].get("image")]
    try:
        assert report["original"]["ok"] and report["converted"]["ok"], report["converted"].get("log_tail")
        found = [(d["kind"], d["what"]) for d in report.get("differences", [])]
        assert code == 0 and report["verdict"] == "PASS", found
        requests = [("/", "harbour.example.test", "*/*"), ("/", "tides.harbour.example.test", "text/html"),
                    ("/", "elsewhere.example.com", "*/*"), ("/deep/route", "localhost", "application/json"),
                    ("/deep/route", "10.1.2.3", "text/html"), ("/nope.js", "localhost", "*/*")]
        original = _answers(engine_env, images[0], 4173, requests)
        assert original == [200, 200, 403, as_json, 200, nope_js]
        assert _answers(engine_env, images[1], 4173, requests) == original
    finally:
        subprocess.run([_client(), "rmi", "-f", *filter(None, images)], env=engine_env, capture_output=True)
