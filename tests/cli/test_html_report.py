"""`--report report.html`: the page's content, its escaping of untrusted names and text, the
command wiring, and the page in a real browser (headless Chromium, skipped where absent)."""
import html
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser

import pytest

from bulkapps import go_app, msb
from msbrewrite.cli import html_report
from msbrewrite.verify import results as verify_results
from msbrewrite.bulk.runner import Item

HOSTILE = '<script>alert("x")</script>&"\'\x1b[31m'


def _items():
    converted = Item("/w/svc/Dockerfile", status="converted", language="go",
                     runtime_base="gcr.io/distroless/static-debian12:nonroot",
                     leaves_out=["Go toolchain of golang:1.22"], warnings=["watch <this>"],
                     old='FROM golang:1.22\nRUN go build -o /app .\nCMD ["/app"]\n',
                     new='FROM golang:1.22 AS builder\nRUN go build -o /app .\n\n# runtime\n'
                         'FROM gcr.io/distroless/static-debian12:nonroot\nCOPY --from=builder /app /app\n'
                         'CMD ["/app"]\n')
    return [converted,
            Item(f"/w/{HOSTILE}/Dockerfile", status="refused", reason=f"bad {HOSTILE}", reason_code="unknown-language"),
            Item("/w/web/Dockerfile", status="refused", reason="x", reason_code="unknown-language"),
            Item("/w/api/Dockerfile", status="refused", reason="y", reason_code="artifact-not-found"),
            Item("/w/old/Dockerfile", status="unchanged", reason_code="multi-stage"),
            Item("/w/gone/Dockerfile", status="failed", reason="cannot read", reason_code="unreadable")]


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.attrs = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += attrs


def _page(**kw) -> str:
    return html_report.render(_items(), version="1.2.3", base="/w", **kw)


def test_hostile_names_and_text_are_escaped():
    page = _page(command=f"msb migrate {HOSTILE}")
    parsed = _Tags()
    parsed.feed(page)
    assert parsed.tags.count("script") == 1          # ours, in the head; none from the input
    assert 'alert("x")' not in page and "alert(&quot;x&quot;)" in page
    assert "&lt;script&gt;" in page and "\x1b" not in page and "\\x1b[31m" in page
    assert "watch &lt;this&gt;" in page
    # no attribute carries input text unescaped: every quote in values was escaped
    assert all('"' not in (value or "") for _, value in parsed.attrs if value and "alert" in value)


def test_totals_and_refusals_by_reason():
    page = _page()
    counts = dict(re.findall(r'id="total-(\w+)" data-count="(\d+)"', page))
    assert counts == {"files": "6", "converted": "1", "unchanged": "1", "refused": "3", "failed": "1"}
    assert "<code>unknown-language</code>: 2" in page and "<code>artifact-not-found</code>: 1" in page
    assert "name the language" in page          # what to do about it


def test_diff_is_coloured_and_collapsible():
    page = _page()
    assert '<details class="diff">' in page
    assert re.search(r'<span class="line add">\+<span class="kw">FROM</span> golang:1\.22 '
                     r'<span class="kw">AS</span> <span class="stage">builder</span></span>', page)
    assert '<span class="line del">-<span class="kw">FROM</span> golang:1.22</span>' in page
    assert '<span class="line add">+<span class="cm"># runtime</span></span>' in page


def test_self_contained():
    page = _page()
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", page)
    assert "@import" not in page and "default-src 'none'" in page


def test_verify_results_are_matched_and_shown(tmp_path):
    report = {"dockerfile": "svc/Dockerfile", "verdict": "PASS", "size_ratio": 0.05,
              "original": {"size": 900_000_000}, "converted": {"size": 45_000_000}}
    (tmp_path / "svc.json").write_text(json.dumps(report))
    (tmp_path / "other.json").write_text('{"not": "verify"}')
    (tmp_path / "broken.json").write_text("{")
    reports, notes = verify_results.load(tmp_path)
    assert len(reports) == 1 and len(notes) == 2
    matched = verify_results.match([i.path for i in _items()], reports, cwd="/elsewhere")
    assert list(matched) == ["/w/svc/Dockerfile"]
    page = html_report.render(_items(), verify=matched, base="/w")
    assert "900.0 MB → 45.0 MB (5% of the original)" in page
    assert '<span class="verdict PASS">PASS</span>' in page and "not verified" in page


def _tree(tmp_path):
    (tmp_path / ".git").mkdir()
    go_app(tmp_path / "svc", "svc")
    (tmp_path / "odd").mkdir()
    (tmp_path / "odd" / "Dockerfile").write_text("FROM debian:bookworm\nRUN echo hi > /x\nCMD [\"cat\", \"/x\"]\n")
    return tmp_path


def test_migrate_and_check_write_the_page(tmp_path):
    root = _tree(tmp_path)
    out = tmp_path / "out" / "report.html"
    out.parent.mkdir()
    proc = msb("migrate", root, "--report", out, "-q", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    page = out.read_text()
    assert 'id="total-converted" data-count="1"' in page and 'id="total-refused" data-count="1"' in page
    assert (root / "svc" / "Dockerfile").read_text().startswith("# build")    # a dry run stays a dry run
    checked = tmp_path / "check.html"
    proc = msb("check", root, "--report", checked, cwd=tmp_path)
    assert proc.returncode == 1 and "msb check report" in checked.read_text()


def test_report_never_goes_over_an_input_and_needs_a_file(tmp_path):
    root = _tree(tmp_path)
    dockerfile = root / "svc" / "Dockerfile"
    before = dockerfile.read_text()
    proc = msb("migrate", root, "--report", dockerfile, cwd=tmp_path)
    assert proc.returncode == 2 and "input" in proc.stderr and dockerfile.read_text() == before
    assert msb("migrate", root, "--report", root, cwd=tmp_path).returncode == 2
    proc = msb("migrate", root, "--verify-results", tmp_path, cwd=tmp_path)
    assert proc.returncode == 2 and "--report" in proc.stderr


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def test_page_in_a_real_browser(tmp_path):
    browser = _chromium()
    if not browser:
        pytest.skip("no headless Chromium on PATH (Debian: apt-get install chromium); the page is not rendered")
    page = tmp_path / "report.html"
    page.write_text(_page())
    flags = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1280,1400"]
    shot = tmp_path / "report.png"     # kept under pytest's tmp dir as the test's artifact
    subprocess.run([*flags, f"--screenshot={shot}", page.as_uri()], capture_output=True, timeout=600)
    dom = subprocess.run([*flags, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=600)
    assert dom.returncode == 0, dom.stderr[-2000:]
    counts = {k: int(v) for k, v in re.findall(r'id="total-(\w+)" data-count="(\d+)"><b>(?:\d+)', dom.stdout)}
    shown = dict(re.findall(r'id="total-(\w+)" data-count="\d+"><b>(\d+)</b>', dom.stdout))
    assert counts == {"files": 6, "converted": 1, "unchanged": 1, "refused": 3, "failed": 1}
    assert shown == {k: str(v) for k, v in counts.items()}
    # the browser parsed the hostile name as text: no element came from it
    assert dom.stdout.count("<script") == 1 and html.escape('<script>alert("x")', quote=False) in dom.stdout
    assert shot.is_file() and shot.stat().st_size > 0 and shot.read_bytes()[:4] == b"\x89PNG"
