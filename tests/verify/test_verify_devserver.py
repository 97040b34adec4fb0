"""A dev server replaced by a production build: which commands run one, which paths only a dev
server answers, and how the two images are judged as a browser sees them."""
from __future__ import annotations

import json

from msbrewrite.verify.crawl import Fetch
from msbrewrite.verify.devserver import (browser_paths, dev_server, dev_switch, devswitch_probes, is_dev_path,
                                         page_assets, read_scripts, resolve_command)
from msbrewrite.verify.probe import ServerRun

SCRIPTS = {"dev": "vite --host", "start": "react-scripts start", "serve": "npm run dev", "build": "vite build",
           "preview": "vite preview --port 4173", "web": "next dev -p 3000"}


def test_scripts_are_resolved_from_package_json(tmp_path):
    (tmp_path / "package.json").write_text(json.dumps({"scripts": SCRIPTS}))
    assert read_scripts(str(tmp_path)) == SCRIPTS and read_scripts(str(tmp_path / "none")) == {}
    assert resolve_command(["npm", "run", "serve"], SCRIPTS) == ["vite", "--host"]
    assert resolve_command(["yarn", "dev"], SCRIPTS) == ["vite", "--host"]
    assert resolve_command(["npm", "start"], SCRIPTS) == ["react-scripts", "start"]
    assert resolve_command(["node", "server.js"], SCRIPTS) == ["node", "server.js"]


def test_which_commands_run_a_dev_server():
    assert dev_server(["npm", "run", "dev"], SCRIPTS) == "Vite"
    assert dev_server(["npm", "run", "preview"], SCRIPTS) == "vite preview"
    assert dev_server(["npx", "vite", "build"], {}) is None
    assert dev_server(["ng", "serve", "--host", "0.0.0.0"], {}) == "Angular CLI (ng serve)"
    assert dev_server(["npm", "start"], SCRIPTS) == "Create React App (react-scripts start)"
    assert dev_server(["npx", "parcel", "index.html"], {}) == "Parcel"
    assert dev_server(["parcel", "build", "index.html"], {}) is None
    assert dev_server(["npx", "webpack", "serve"], {}) == "webpack-dev-server"
    assert dev_server(["./node_modules/.bin/webpack-dev-server"], {}) == "webpack-dev-server"
    assert dev_server(["sh", "-c", "npm", "run", "web"], SCRIPTS) == "Next dev"
    assert dev_server(["next", "start"], {}) is None and dev_server(["nginx", "-g", "daemon off;"], {}) is None


def test_a_switch_is_a_dev_server_replaced_by_something_else():
    assert dev_switch(["npm", "run", "dev"], ["nginx", "-g", "daemon off;"], SCRIPTS) == "Vite"
    assert dev_switch(["npm", "run", "dev"], ["npm", "run", "dev"], SCRIPTS) is None
    assert dev_switch(["node", "server.js"], ["node", "server.js"], SCRIPTS) is None


def test_dev_only_paths():
    for path in ("/@vite/client", "/@fs/app/node_modules/x.js", "/src/main.tsx", "/src/App.tsx?t=1",
                 "/node_modules/.vite/deps/react.js", "/__webpack_dev_server__/live.bundle.js", "/sockjs-node/info",
                 "/_next/webpack-hmr", "/main.1a2b.hot-update.js", "/@react-refresh", "/ws"):
        assert is_dev_path(path), path
    for path in ("/", "/about", "/assets/index-3a4b.js", "/favicon.svg", "/static/js/main.js", "/srcset.png",
                 "/wsdl", "/_next/static/chunks/main.js"):
        assert not is_dev_path(path), path


def test_page_assets_are_the_scripts_and_stylesheets_a_browser_loads():
    html = ('<link rel="icon" href="/favicon.svg"><link rel=stylesheet href="/assets/a.css">'
            '<link rel="modulepreload" href="/assets/vendor.js"><script type="module" src="assets/a.js"></script>'
            '<script>inline()</script><script src="https://cdn.example.com/x.js"></script><a href="/about">')
    assert page_assets("/", html) == [("style", "/assets/a.css"), ("script", "/assets/vendor.js"),
                                      ("script", "/assets/a.js")]


DEV_PAGE = ('<script type="module" src="/@vite/client"></script><link rel="stylesheet" href="/src/style.css">'
            '<script type="module" src="/src/main.js"></script>')
PROD_PAGE = '<link rel="stylesheet" href="/assets/index-1.css"><script type="module" src="/assets/index-2.js"></script>'


def run(fetches: dict[str, Fetch], found_by: dict[str, str] | None = None) -> ServerRun:
    return ServerRun(port=80, fetches=fetches, found_by=found_by or {p: "seed" for p in fetches})


def page(body: str) -> Fetch:
    return Fetch(200, "text/html", len(body), "h" + str(len(body)), body)


def original() -> ServerRun:
    return run({"/": page(DEV_PAGE), "/@vite/client": Fetch(200, "text/javascript", 10, "c"),
                "/src/style.css": Fetch(200, "text/css", 10, "s"), "/src/main.js": Fetch(200, "text/javascript", 9, "m"),
                "/favicon.svg": Fetch(200, "image/svg+xml", 5, "f"), "/about": page(DEV_PAGE)})


def test_the_converted_image_is_first_asked_for_what_a_browser_would_ask():
    assert browser_paths(original()) == ["/", "/favicon.svg", "/about"]


def test_a_correct_production_build_passes_with_the_dev_paths_expected():
    after = run({"/": page(PROD_PAGE), "/favicon.svg": Fetch(200, "image/svg+xml", 5, "f"), "/about": page(PROD_PAGE),
                 "/assets/index-1.css": Fetch(200, "text/css", 3, "x"),
                 "/assets/index-2.js": Fetch(200, "application/javascript; charset=utf-8", 3, "y")})
    probes, diffs, expected = devswitch_probes(original(), after, "Vite")
    assert diffs == []
    assert [d.what for d in expected] == [f"GET {p}: served by the Vite dev server only"
                                          for p in ("/@vite/client", "/src/style.css", "/src/main.js")]
    assert {p.path: p.outcome for p in probes}["/assets/index-2.js"] == "same"


def test_a_bundle_that_does_not_load_is_a_difference():
    html = Fetch(200, "text/html", 40, "i")
    after = run({"/": page(PROD_PAGE), "/favicon.svg": Fetch(404, "text/html", 5, "n"), "/about": page(PROD_PAGE),
                 "/assets/index-1.css": Fetch(404, "text/html", 3, "x"), "/assets/index-2.js": html})
    _, diffs, _ = devswitch_probes(original(), after, "Vite")
    assert [(d.kind, d.what) for d in diffs] == [
        ("http", "GET /favicon.svg: status 404, the original answered 200"),
        ("bundle", "GET /assets/index-1.css: status 404; / loads it as a stylesheet"),
        ("bundle", "GET /assets/index-2.js: content type text/html, a browser needs JavaScript; / loads it as a script")]


def test_a_route_the_production_build_lost_is_a_difference():
    after = run({"/": page(PROD_PAGE), "/favicon.svg": Fetch(200, "image/svg+xml", 5, "f"),
                 "/about": Fetch(404, "text/html", 9, "n"),
                 "/assets/index-1.css": Fetch(200, "text/css", 3, "x"), "/assets/index-2.js": Fetch(200, "text/javascript", 3, "y")})
    _, diffs, _ = devswitch_probes(original(), after, "Vite")
    assert [d.what for d in diffs] == ["GET /about: status 404, the original answered 200"]


STALE = '<link rel="stylesheet" href="/assets/gone.css">'


def _stale_original():
    """A dev server's page that names a stylesheet no build produces: 404 there."""
    return run({"/": page(DEV_PAGE + STALE), "/@vite/client": Fetch(200, "text/javascript", 10, "c"),
                "/src/style.css": Fetch(200, "text/css", 10, "s"), "/src/main.js": Fetch(200, "text/javascript", 9, "m"),
                "/assets/gone.css": Fetch(404, "text/html", 9, "n")})


def test_an_asset_that_did_not_load_in_the_original_either_is_not_a_difference():
    # a committed page names a stylesheet no build produces: the dev server and the production
    # build both answer 404, which is the app's own state, not the conversion's doing
    before = _stale_original()
    after = run({"/": page(PROD_PAGE + STALE), "/assets/gone.css": Fetch(404, "text/html", 9, "n"),
                 "/assets/index-1.css": Fetch(200, "text/css", 3, "x"), "/assets/index-2.js": Fetch(200, "text/javascript", 3, "y")})
    probes, diffs, _ = devswitch_probes(before, after, "vite preview")
    assert diffs == []
    assert {p.path: p.outcome for p in probes}["/assets/gone.css"] == "original fails"
    # the converted image loses one the original served: still a difference
    after.fetches["/assets/index-1.css"] = Fetch(404, "text/html", 9, "n")
    before.fetches["/assets/index-1.css"] = Fetch(200, "text/css", 3, "x")
    _, diffs, _ = devswitch_probes(before, after, "vite preview")
    assert [d.what for d in diffs] == ["GET /assets/index-1.css: status 404; / loads it as a stylesheet"]
