"""`msb verify` compares a redirect as a client uses it: its status and where it goes. Its body and
content type differ between servers (nginx sends a small page, a dev server nothing) and are no
behaviour difference; another target still is."""
from __future__ import annotations

from msbrewrite.verify import crawl as verify_crawl
from msbrewrite.verify.report import render_text
from msbrewrite.verify.crawl import Fetch, compare
from msbrewrite.verify.oracle import Probe, http_probes
from msbrewrite.verify.probe import ServerRun, parse_fetches


def redirect_target(url, port):
    return verify_crawl.redirect_target(url, port)


def _redirect(ctype="", location="/login", size=0, sha="e3b0", status=302):
    f = Fetch(status, ctype, size, sha)
    f.location = location
    return f


def test_a_redirect_is_compared_on_status_and_location_only():
    # nginx sends a small HTML page with its 302, the original's dev server nothing
    assert compare("/", _redirect(), _redirect("text/html", size=145, sha="307f")) is None
    assert compare("/old", _redirect("text/plain; charset=utf-8", location="/new", status=301),
                   _redirect("text/html", location="/new", status=301)) is None


def test_a_redirect_elsewhere_or_with_another_status_still_differs():
    assert compare("/", _redirect(location="/login"), _redirect(location="/signin")) == \
        "redirects to /signin, the original to /login"
    assert compare("/", _redirect(), _redirect(location="")) == "redirects to nowhere, the original to /login"
    assert compare("/", _redirect(status=302), _redirect(status=301)) == "status 301, the original answered 302"
    # not a redirect: the content type is still compared
    assert compare("/api", Fetch(200, "application/json"), Fetch(200, "text/html")) is not None


def test_redirect_targets_are_normalised_to_what_a_client_follows():
    assert redirect_target("http://127.0.0.1:8080/a?x=1", 8080) == "/a?x=1"
    assert redirect_target("http://localhost:8080", 8080) == "/"
    assert redirect_target("HTTP://Example.COM:80/x", 8080) == "http://example.com/x"
    assert redirect_target("https://example.com:443/", 8080) == "https://example.com/"
    # another port on the same host, or https to it, is another place
    assert redirect_target("http://127.0.0.1:3000/a", 8080) == "http://127.0.0.1:3000/a"
    assert redirect_target("https://127.0.0.1:8080/a", 8080) == "https://127.0.0.1:8080/a"
    assert redirect_target("", 8080) == ""


def test_probe_output_carries_the_redirect_target():
    out = "R 302 0 e3b0 /\nT \nL http://127.0.0.1:7100/pages/franco/\nR 200 5 ab /x\nT text/plain\n"
    got = parse_fetches(out, 7100)
    assert got["/"].location == "/pages/franco/" and got["/x"].location == ""


def test_probe_table_of_redirects():
    before = ServerRun(port=7100, found_by={"/": "requested", "/go": "requested"},
                       fetches={"/": _redirect(location="/pages/"), "/go": _redirect(location="/a")})
    after = ServerRun(port=7100, fetches={"/": _redirect("text/html", location="/pages/", size=145),
                                          "/go": _redirect("text/html", location="/b")})
    probes, diffs = http_probes(before, after)
    assert [(p.path, p.outcome) for p in probes] == [("/", "same"), ("/go", "differs")]
    assert [d.what for d in diffs] == ["GET /go: redirects to /b, the original to /a"]
    assert probes[0].converted["location"] == "/pages/"


def test_text_report_shows_where_a_redirect_goes():
    from test_verify import _report     # the same folder: found as a sibling module
    report = _report()
    report.probes = [Probe("/", "requested", {"status": 302, "content_type": "", "location": "/home"},
                           {"status": 302, "content_type": "text/html", "location": "/home"}, "same")]
    assert "302 -> /home" in render_text(report)
