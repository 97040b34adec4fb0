"""The pure parts of `msb verify`'s oracle: the crawler and its bounds, the probe comparison, the
log-signature table, listening sockets, the probe output parser and the HTTP probe table."""
from __future__ import annotations

import pytest

from msbrewrite.verify.crawl import Crawl, Fetch, compare, extract_links, is_static, same_origin_path
from msbrewrite.verify.logs import SIGNATURES, listeners, log_differences, loopback_only, match, new_lines, normalise
from msbrewrite.verify.oracle import http_probes, listener_difference, log_diffs
from msbrewrite.verify.probe import ServerRun, parse_fetches

PAGE = """<!doctype html><html><head>
<link rel="stylesheet" href="/static/style.css"><link rel="manifest" href="manifest.json">
<script type="module" src='./assets/index-3f2a.js'></script></head>
<body><a href="/about#team">About</a> <a href="https://example.com/x">out</a> <a href=/docs>docs</a>
<a href="mailto:a@b.c">mail</a> <img src="data:image/png;base64,AAAA"> <a href="//cdn.example.com/lib.js">cdn</a>
<a href="/about">again</a> <a href="../up?q=1">up</a></body></html>"""


def test_links_of_a_page_stay_on_the_origin():
    assert extract_links("/app/", "text/html; charset=utf-8", PAGE) == [
        "/static/style.css", "/app/manifest.json", "/app/assets/index-3f2a.js", "/about", "/docs", "/up?q=1"]


def test_links_of_a_manifest_and_a_stylesheet():
    manifest = '{"start_url": "/?source=pwa", "icons": [{"src": "icons/192.png"}, {"src": "https://x.io/i.png"}]}'
    assert extract_links("/manifest.json", "application/json", manifest) == ["/icons/192.png", "/?source=pwa"]
    css = "body { background: url('/img/bg.png') } @font-face { src: url(fonts/a.woff2) }"
    assert extract_links("/static/site.css", "text/css", css) == ["/img/bg.png", "/static/fonts/a.woff2"]
    assert extract_links("/manifest.json", "application/json", "not json") == []
    assert extract_links("/x", "application/json", '{"href": "/y"}') == []


def test_the_literal_paths_a_script_gets_from_its_own_server():
    script = ('fetch("/api/items").then(r=>r.json());axios.get(\'/api/stars\');$.getJSON("/data/list.json");'
              'fetch(`/api/users/${id}`);fetch("https://other.example/api");axios.post("/api/save",d);'
              'fetch("/api/items")')
    assert extract_links("/assets/index-3f2a.js", "application/javascript", script) == [
        "/api/items", "/api/stars", "/data/list.json"]
    assert extract_links("/app.js", "text/plain", script) == []


def test_same_origin_path():
    assert same_origin_path("/", "http://app.invalid/x") == "/x"
    assert same_origin_path("/", "http://127.0.0.1:8080/x") is None     # another origin as far as links go
    assert same_origin_path("/a/b", "c") == "/a/c"
    assert same_origin_path("/", "#top") is None and same_origin_path("/", "javascript:void(0)") is None


def test_static_files():
    assert is_static("/assets/app.js", "") and is_static("/x", "image/png") and is_static("/f", "text/css")
    assert is_static("/logo.svg?v=2", "text/html")
    assert not is_static("/api/items", "application/json") and not is_static("/", "text/html")


def _fetch(status=200, ctype="text/html", body=None, sha="a", size=10):
    return Fetch(status, ctype, size, sha, body)


def test_crawl_is_breadth_first_and_bounded_in_depth():
    crawl = Crawl(["/"], max_pages=30, max_depth=2)
    assert crawl.next_batch() == ["/"]
    crawl.feed("/", _fetch(body='<a href="/a">a</a><a href="/b">b</a><a href="/logout">bye</a>'))
    crawl.advance()
    assert crawl.next_batch() == ["/a", "/b"]
    crawl.feed("/a", _fetch(body='<a href="/c">c</a><a href="/">home</a>'))
    crawl.feed("/b", _fetch(status=404, body='<a href="/never">x</a>'))    # error pages are not followed
    crawl.advance()
    assert crawl.next_batch() == ["/c"]
    crawl.feed("/c", _fetch(body='<a href="/d">too deep</a>'))
    crawl.advance()
    assert crawl.next_batch() == [] and crawl.dropped == 1
    assert crawl.origin == {"/": "seed", "/a": "link from /", "/b": "link from /", "/c": "link from /a"}


def test_crawl_is_bounded_in_count():
    crawl = Crawl(["/", "/api"], max_pages=3, max_depth=5)
    crawl.next_batch()
    crawl.feed("/", _fetch(body="".join(f'<a href="/p{i}">' for i in range(10))))
    crawl.advance()
    assert crawl.next_batch() == ["/p0", "/p1", "/p2"] and crawl.dropped == 7
    crawl.feed("/p0", _fetch(ctype="application/json", body=None))          # bodies not read: no links
    assert crawl.next_batch() == []


def test_compare_status_type_and_static_hash():
    ok = _fetch(ctype="application/javascript", sha="1")
    assert compare("/app.js", ok, _fetch(ctype="application/javascript", sha="1")) is None
    assert compare("/app.js", ok, _fetch(404, "text/plain")) == "status 404, the original answered 200"
    assert compare("/app.js", ok, _fetch(ctype="application/javascript", sha="2", size=3)) == \
        "body differs from the original's (3 bytes, the original's 10)"
    assert compare("/app.js", ok, _fetch(ctype="text/html")).startswith("content type text/html")
    # a dynamic page may change from one request to the next: its body is not compared
    assert compare("/", _fetch(sha="1"), _fetch(sha="2")) is None
    assert compare("/", _fetch(ctype="text/html; charset=utf-8"), _fetch(ctype="text/html")) is None
    # two names of one media type are the same type
    assert compare("/a.js", _fetch(ctype="text/javascript"), _fetch(ctype="application/javascript")) is None
    assert compare("/a.js", _fetch(ctype="text/javascript"), _fetch(ctype="text/plain")) is not None


@pytest.mark.parametrize("line, name", [
    ("PermissionError: [Errno 13] Permission denied: '/app/logs/app.log'", "permission denied"),
    ("Error: EACCES: permission denied, open '/app/data/db.json'", "permission denied"),
    ("FileNotFoundError: [Errno 2] No such file or directory: 'data/quotes.json'", "file missing"),
    ("/app/server: error while loading shared libraries: libssl.so.3: cannot open shared object file", "shared library missing"),
    ("/app/server: /lib/x86_64-linux-gnu/libc.so.6: version `GLIBC_2.34' not found", "glibc too old"),
    ("Exception in thread \"main\" java.lang.UnsupportedClassVersionError: App has been compiled", "Java class version"),
    ("ModuleNotFoundError: No module named 'yaml'", "Python module missing"),
    ("Error: Cannot find module 'express'", "Node module missing"),
    ("exec /app/server: exec format error", "exec format error"),
    ("Listening on http://127.0.0.1:8000", "listening on localhost only"),
    ("Rocket has launched from http://127.0.0.1:8000", "listening on localhost only"),
    ("server started, bound to localhost:3000", "listening on localhost only"),
    ("x509: certificate signed by unknown authority", "certificates missing"),
    ("database: unable to open database file", "database not writable"),
])
def test_signature_table(line, name):
    assert match(line).name == name


def test_ordinary_lines_match_no_signature():
    for line in ("Listening on http://0.0.0.0:8000", "GET /api/quote 200 3ms", "Started server process [7]",
                 "Serving on 0.0.0.0:8080 (press CTRL+C)"):
        assert match(line) is None, line
    assert all(rx.pattern for _, rx, _ in SIGNATURES)


def test_only_lines_new_in_the_converted_log_count():
    before = ["2024-05-01T10:00:00Z starting pid 12", "GET /missing 404 Not Found 1.2ms", "listening on 0.0.0.0:8000"]
    after = ["2024-05-02T11:30:07Z starting pid 7", "GET /missing 404 Not Found 0.8ms", "listening on 127.0.0.1:8000",
             "PermissionError: [Errno 13] Permission denied: 'logs/app.log'"]
    assert new_lines(before, after) == after[2:]
    found = log_differences(before, after)
    assert [s.name for s in found] == ["listening on localhost only", "permission denied"]
    assert found[1].line == after[3]
    assert log_diffs(before, after)[0].kind == "log"
    assert normalise("10.0.3.7 - [01/May/2024:10:00:00 +0000] took 12ms") == "IP - T took Nms"


PROC_NET_TCP = """\
  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F40 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 1 1
   1: 00000000:0BB8 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 2 1
   2: 0100007F:1F40 0100007F:A2C4 01 00000000:00000000 00:00000000 00000000  1000        0 3 1
  sl  local_address                         remote_address                        st
   0: 00000000000000000000000000000000:1F90 00000000000000000000000000000000:0000 0A 0
   1: 00000000000000000000000001000000:1F41 00000000000000000000000000000000:0000 0A 0
"""


def test_listening_sockets():
    found = listeners(PROC_NET_TCP)
    assert found == {("127.0.0.1", 8000), ("0.0.0.0", 3000), ("::", 8080), ("::1", 8001)}
    assert loopback_only(found, 8000) and loopback_only(found, 8001)
    assert not loopback_only(found, 3000) and not loopback_only(found, 8080) and not loopback_only(found, 9)


def _run(port=8000, listening=(), fetches=None, found_by=None, logs=()):
    return ServerRun(port=port, listeners=[list(x) for x in listening], fetches=fetches or {},
                     found_by=found_by or {}, logs=list(logs))


def test_listener_difference():
    before = _run(listening=[("0.0.0.0", 8000)])
    after = _run(listening=[("127.0.0.1", 8000)])
    diff = listener_difference(before, after)
    assert diff[0].kind == "listener" and "127.0.0.1 only" in diff[0].what
    assert diff[0].evidence == ["original: 0.0.0.0:8000"]
    assert listener_difference(after, after) == []          # the original did the same
    assert listener_difference(before, before) == []


def test_http_probe_table():
    found_by = {"/": "requested", "/api/quote": "route (flask, app.py:9)", "/static/app.js": "link from /",
                "/broken": "route (flask, app.py:20)"}
    before = _run(found_by=found_by, fetches={
        "/": _fetch(), "/api/quote": _fetch(ctype="application/json"),
        "/static/app.js": _fetch(ctype="text/javascript", sha="s"), "/broken": _fetch(500)})
    after = _run(found_by=found_by, fetches={
        "/": _fetch(), "/api/quote": _fetch(500, "text/html"),
        "/static/app.js": _fetch(404, "text/html"), "/broken": _fetch(500)})
    probes, diffs = http_probes(before, after)
    assert [(p.path, p.outcome) for p in probes] == [
        ("/", "same"), ("/api/quote", "differs"), ("/static/app.js", "differs"), ("/broken", "original fails")]
    assert [d.what for d in diffs] == ["GET /api/quote: status 500, the original answered 200",
                                       "GET /static/app.js: status 404, the original answered 200"]
    assert diffs[0].evidence == ["found by: route (flask, app.py:9)"]


def test_fetch_output_is_parsed():
    out = ("R 200 12 abc123 /\nT text/html; charset=utf-8\nB\nPGEgaHJlZj0iL3giPg==\nE\n"
           "R 404 9 def456 /missing.js\nT \nR 000 0 e3b0 /dead\nT \n")
    got = parse_fetches(out)
    assert got["/"].status == 200 and got["/"].content_type == "text/html; charset=utf-8"
    assert got["/"].body == '<a href="/x">' and got["/"].sha256 == "abc123"
    assert got["/missing.js"].status == 404 and got["/missing.js"].content_type == "" and got["/missing.js"].body is None
    assert got["/dead"].status == 0
