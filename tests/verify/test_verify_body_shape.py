"""A generated page is compared by its shape: the hash of its body without digits and without the
container's host name. Only where the original gave the same shape twice (a page that does not
change between two requests), and only beyond its numbers: times, counters and ids may differ."""
from __future__ import annotations

import shutil
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from msbrewrite.verify.crawl import Fetch, compare
from msbrewrite.verify.probe import FETCH_SCRIPT, parse_fetches


def _page(shape: str, stable: bool = True) -> Fetch:
    return Fetch(200, "text/plain", 20, shape + "-sum", shape=shape, stable=stable)


def test_a_page_the_original_answered_alike_twice_must_keep_its_shape():
    assert compare("/", _page("dev"), _page("prod")) == (
        "body differs from the original's beyond its numbers (20 bytes, the original's 20, which answered alike "
        "when asked twice)")
    assert compare("/", _page("dev"), _page("dev")) is None


def test_a_page_that_changes_between_two_requests_is_not_compared():
    assert compare("/", _page("dev", stable=False), _page("prod")) is None
    # an error the original gave is not compared by its body, nor is an answer without a shape
    assert compare("/", Fetch(404, "text/plain", shape="a", stable=True), Fetch(404, "text/plain", shape="b")) is None
    assert compare("/", _page("dev"), Fetch(200, "text/plain")) is None


def test_the_shape_line_is_parsed():
    got = parse_fetches("R 200 12 abc /\nT text/plain\nS 5eed\n")
    assert got["/"].shape == "5eed" and got["/"].sha256 == "abc"


class _Board(BaseHTTPRequestHandler):
    visits = 0
    name = ""       # the container's host name, as an app that prints it would

    def do_GET(self):
        _Board.visits += 1
        body = {"/count": f"visit {_Board.visits} at 12:0{_Board.visits}", "/host": f"served by {_Board.name}\n",
                "/mode": "mode development\n"}.get(self.path, "")
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.mark.skipif(not all(shutil.which(t) for t in ("curl", "sha256sum", "sed")), reason="needs curl and coreutils")
def test_the_fetch_script_leaves_digits_and_the_host_name_out_of_the_shape():
    server = HTTPServer(("127.0.0.1", 0), _Board)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def fetch(host: str) -> dict[str, Fetch]:
        _Board.name = host
        out = subprocess.run(["sh", "-c", FETCH_SCRIPT, "fetch", str(server.server_port), "1000", host,
                              "/count", "/host", "/mode"], capture_output=True, text=True, check=True).stdout
        return parse_fetches(out)
    try:
        original, again, converted = fetch("c0ffee42d00d"), fetch("c0ffee42d00d"), fetch("beefcafe1234")
    finally:
        server.shutdown()
    # a counter and a clock change the bytes, not the shape
    assert original["/count"].sha256 != again["/count"].sha256 and original["/count"].shape == again["/count"].shape
    # each container prints its own name: the bytes differ, the shape does not
    assert original["/host"].sha256 != converted["/host"].sha256
    assert original["/host"].shape == converted["/host"].shape
    assert original["/mode"].shape == converted["/mode"].shape != original["/host"].shape


def test_pages_of_a_replaced_server_program_are_not_compared_by_shape():
    from msbrewrite.verify.server_smoke import _web_server
    # http-server's folder listing and nginx's autoindex say the same in other words
    assert compare("/downloads/", _page("listing"), _page("autoindex"), shapes=False) is None
    nginx = {"Entrypoint": ["/docker-entrypoint.sh"], "Cmd": ["nginx", "-g", "daemon off;"]}
    assert _web_server(nginx) == "nginx"
    assert _web_server({"Cmd": ["http-server", "dist", "-p", "8080"]}) is None
    assert _web_server({"Cmd": ["/usr/sbin/nginx", "-g", "daemon off;"]}) == "nginx"


class _Untyped(BaseHTTPRequestHandler):
    """A hand-written server that sends its pages without a Content-Type, as some small apps do."""

    def do_GET(self):
        body = {"/": "<!DOCTYPE html><a href='/about'>about</a><img src=/logo.png>",
                "/notes.txt": "see <a href='/secret'> in the text"}.get(self.path, "").encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.mark.skipif(not all(shutil.which(t) for t in ("curl", "sha256sum", "sed", "base64")),
                    reason="needs curl and coreutils")
def test_a_page_sent_without_a_content_type_is_read_for_links_as_a_browser_would():
    from msbrewrite.verify.crawl import Crawl
    server = HTTPServer(("127.0.0.1", 0), _Untyped)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        out = subprocess.run(["sh", "-c", FETCH_SCRIPT, "fetch", str(server.server_port), "1000", "c0ffee",
                              "/", "/notes.txt"], capture_output=True, text=True, check=True).stdout
    finally:
        server.shutdown()
    got = parse_fetches(out)
    assert got["/"].content_type == "" and got["/"].body.startswith("<!DOCTYPE html>")
    crawl = Crawl(seeds=["/", "/notes.txt"])
    crawl.next_batch()
    crawl.feed("/", got["/"])
    crawl.feed("/notes.txt", got["/notes.txt"])     # text that is not a page links nowhere
    assert crawl.next_batch() == ["/about", "/logo.png"]


def test_a_json_answer_keeps_its_shape_whatever_order_its_keys_come_in():
    from msbrewrite.verify.probe import json_shape
    one = json_shape('{"team": "owls", "score": 3, "members": [{"name": "ada", "id": 7}]}', "c0ffee")
    other = json_shape('{"members":[{"id":9,"name":"ada"}],"score":4,"team":"owls"}', "c0ffee")
    assert one == other
    # a word that changed still shows, and so does the order of a list
    assert json_shape('{"team": "hawks", "score": 3, "members": [{"name": "ada", "id": 7}]}') != one
    assert json_shape('[1, "a", "b"]') != json_shape('[1, "b", "a"]')
    assert json_shape("not json") is None


def test_the_shape_of_a_json_answer_is_read_from_its_body():
    body = '{"host": "served by c0ffee", "b": 1, "a": 2}'
    import base64
    out = (f"R 200 {len(body)} abc /api\nT application/json\nS shell-shape\nB\n"
           f"{base64.b64encode(body.encode()).decode()}\nE\n")
    got = parse_fetches(out, host="c0ffee")
    from msbrewrite.verify.probe import json_shape
    assert got["/api"].shape == json_shape('{"a": 5, "b": 6, "host": "served by beefcafe"}', "beefcafe")


def _read_page(body: str, host: str) -> Fetch:
    import base64
    out = (f"R 200 {len(body)} {hash(body)} /\nT text/html\nS shell-{hash(body)}\nB\n"
           f"{base64.b64encode(body.encode()).decode()}\nE\n")
    page = parse_fetches(out, host=host)["/"]
    page.stable = True
    return page


def test_a_page_linking_another_builds_hashed_files_keeps_its_shape():
    # two builds of the same SvelteKit or Vite app name their chunks by other hashes: the page is the same
    page = ('<script type="module" src="/assets/index-{}.js"></script><link href="/_app/start.{}.css">'
            '<script>__sveltekit_{} = {{}}</script><p>served by {}</p>')
    before = _read_page(page.format("BYw4zvdk", "2a622a63", "155z6s4", "c0ffee"), "c0ffee")
    after = _read_page(page.format("DiwrgTda", "70409c69", "1qakusw", "beefcafe"), "beefcafe")
    assert before.shape != after.shape and compare("/", before, after) is None
    # words still count
    other = _read_page(page.format("DiwrgTda", "70409c69", "1qakusw", "beefcafe").replace("served", "built"),
                       "beefcafe")
    assert compare("/", before, other).startswith("body differs from the original's beyond its numbers")


@pytest.mark.parametrize("name, unhashed", [
    ("index-BYw4zvdk.js", "index-#.js"), ("start.2a622a63.js", "start.#.js"), ("main-ZFHRQVBH.js", "main-#.js"),
    ("main.DiwrgTda.css", "main.#.css"),
    # words are not hashes
    ("Dashboard.jsx", "Dashboard.jsx"), ("date-formatter.js", "date-formatter.js"), ("logo.png", "logo.png"),
])
def test_content_hashes_in_file_names(name, unhashed):
    from msbrewrite.verify.build_hashes import without_hashes
    assert without_hashes(name) == unhashed
