"""`--report report.html` for `migrate` and `check`: one self-contained page for reviewers.

Pure: bulk items (and optional `msb verify --json` results) in, HTML text out. No network: the
CSS and the small script are inline. File names and Dockerfile text are untrusted input, so
every value goes through `_e()` (HTML escaping, control characters shown as escapes).
"""
from __future__ import annotations

import difflib
import html
import posixpath
import re
from collections import defaultdict

from msbrewrite.support.printable import printable_lines
from msbrewrite.support import lazy_re

# what a reviewer can do about a refusal, by reason code
HINTS = {
    "unknown-language": "name the language: msb convert FILE --language go|rust|node|python|java|frontend",
    "multi-stage": "nothing to do: the file is already multi-stage",
    "artifact-not-found": "make the build write its output to a literal path, or add it with extra-paths",
    "no-entrypoint": "add the CMD or ENTRYPOINT the image runs with",
    "entrypoint-uses-build-tool": "start the built program instead of the build tool (go run, mvn, npm run dev)",
    "served-folder-not-built": "serve the folder the build writes (the refusal names it), then convert",
    "unresolved-variable": "set the variable with ARG or ENV, or write the path",
    "windows": "Windows images are out of scope: convert by hand",
    "scratch": "nothing is built: keep the file",
    "nothing-to-build": "nothing is built: the image already is the runtime, keep the file",
    "parse-error": "fix the syntax: docker build rejects the file as well",
    "validation-failed": "please report it: msb refused its own output",
}
_KEYWORDS = ("FROM|RUN|CMD|LABEL|MAINTAINER|EXPOSE|ENV|ADD|COPY|ENTRYPOINT|VOLUME|USER|WORKDIR|ARG|ONBUILD|"
             "STOPSIGNAL|HEALTHCHECK|SHELL")
_INSTRUCTION = lazy_re.compile(rf"^(\s*)({_KEYWORDS})\b", re.IGNORECASE)
_STAGE_NAME = lazy_re.compile(r"(\s)(AS)(\s+)(\S+)\s*$", re.IGNORECASE)

CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:78rem;padding:0 1rem;
color:#1d2330;background:#fff}
h1{font-size:1.6rem;margin:0 0 .2rem}h2{margin-top:2rem;border-bottom:1px solid #dde;padding-bottom:.2rem}
h3{margin:1.4rem 0 .4rem;font-family:ui-monospace,monospace;font-size:1rem}
.meta{color:#667}.totals{display:flex;flex-wrap:wrap;gap:.8rem;margin:1rem 0}
.card{border:1px solid #dde;border-radius:8px;padding:.6rem 1rem;min-width:9rem}
.card b{display:block;font-size:1.8rem}.card.converted b{color:#17803d}.card.refused b{color:#a15c00}
.card.failed b{color:#b3261e}.card ul{margin:.3rem 0 0;padding-left:1.1rem;color:#556;font-size:.9rem}
table{border-collapse:collapse;width:100%;margin:.3rem 0 1rem}
th,td{border:1px solid #e3e5ee;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#f4f5fa}td ul{margin:0;padding-left:1.1rem}
.status{font-weight:600}.status.converted{color:#17803d}.status.refused{color:#a15c00}
.status.failed{color:#b3261e}.status.unchanged{color:#556}
.verdict.PASS{color:#17803d}.verdict.FAIL{color:#b3261e}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12.5px}
details{border:1px solid #dde;border-radius:6px;margin:.4rem 0}summary{cursor:pointer;padding:.4rem .6rem}
pre.diff{margin:0;padding:.5rem 0;overflow-x:auto;background:#fbfbfd}
pre.diff span.line{display:block;padding:0 .8rem;white-space:pre}
.add{background:#e6f6ea}.del{background:#fde8e8}.hunk{color:#6a4fb3;background:#f2eefc}.file{color:#667}
.kw{color:#0b57d0;font-weight:600}.cm{color:#6b7280;font-style:italic}.stage{color:#a15c00}
button{margin:.2rem .4rem .2rem 0}
"""
SCRIPT = """
function msbToggle(open){document.querySelectorAll('details.diff').forEach(function(d){d.open=open;});}
"""


def _e(value) -> str:
    """Untrusted text as HTML: escaped, quotes included, control characters as visible escapes."""
    return html.escape(printable_lines(str(value)), quote=True)


def render(items, *, title: str = "msb migration report", version: str = "", command: str = "",
           verify: dict | None = None, notes: list[str] | None = None, base: str | None = None) -> str:
    """The page. `items`: bulk.Item objects; `verify`: item path -> one `msb verify --json` report;
    `base`: the folder paths are shown relative to (items whose path is outside it keep theirs)."""
    verify = verify or {}
    rows = [_row(item, base, verify.get(item.path)) for item in items]
    out = ["<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n",
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n",
           # no network: a stray URL in the input must not load anything either
           "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
           "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n",
           f"<title>{_e(title)}</title>\n<style>{CSS}</style>\n<script>{SCRIPT}</script>\n</head>\n<body>\n",
           f"<h1>{_e(title)}</h1>\n<p class=\"meta\">msb {_e(version)}"
           + (f" &middot; <code>{_e(command)}</code>" if command else "") + "</p>\n"]
    out.append(_totals(items))
    for note in notes or []:
        out.append(f"<p class=\"meta\">{_e(note)}</p>\n")
    out.append(_tables(rows, bool(verify)))
    out.append(_diffs(rows))
    out.append(_refusals(rows))
    out.append("</body>\n</html>\n")
    return "".join(out)


def totals(items) -> dict:
    from msbrewrite.bulk.runner import counts
    return counts(items)


def _totals(items) -> str:
    c = totals(items)

    def card(cls: str, label: str, n: int, breakdown: dict | None = None) -> str:
        extra = ""
        if breakdown:
            extra = "<ul>" + "".join(f"<li><code>{_e(k)}</code>: {int(v)}</li>" for k, v in breakdown.items()) + "</ul>"
        return (f"<div class=\"card {cls}\" id=\"total-{cls}\" data-count=\"{int(n)}\">"
                f"<b>{int(n)}</b>{_e(label)}{extra}</div>")

    return ("<h2>Totals</h2>\n<div class=\"totals\">"
            + card("files", "Dockerfiles", c["files"])
            + card("converted", "converted", c["converted"])
            + card("unchanged", "already multi-stage", c["unchanged"])
            + card("refused", "refused", c["refused"], c["refused_by_reason"])
            + card("failed", "failed", c["failed"], c["failed_by_reason"])
            + "</div>\n")


def _row(item, base: str | None, report: dict | None) -> dict:
    name = _display(item.path, base)
    return {"item": item, "name": name, "folder": posixpath.dirname(name) or ".", "verify": report}


def _display(path: str, base: str | None) -> str:
    if base:
        prefix = base.rstrip("/") + "/"
        if path.startswith(prefix):
            return path[len(prefix):]
    return path


def _tables(rows: list[dict], with_verify: bool) -> str:
    by_folder: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_folder[row["folder"]].append(row)
    head = ["file", "status", "language", "runtime base", "estimated savings (what leaves the image)", "warnings"]
    if with_verify:
        head += ["measured size before → after", "verdict"]
    out = ["<h2>Files by folder</h2>\n"]
    for folder in sorted(by_folder):
        out.append(f"<h3>{_e(folder)}</h3>\n<table>\n<tr>" + "".join(f"<th>{_e(h)}</th>" for h in head) + "</tr>\n")
        for row in by_folder[folder]:
            item = row["item"]
            cells = [f"<code>{_e(posixpath.basename(row['name']))}</code>",
                     f"<span class=\"status {_e(item.status)}\">{_e(_status_label(item))}</span>",
                     _e(item.language or ""), f"<code>{_e(item.runtime_base or '')}</code>",
                     _list(item.leaves_out) if item.status == "converted" else "",
                     _list(item.warnings)]
            if with_verify:
                cells += _measured(row["verify"])
            out.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>\n")
        out.append("</table>\n")
    return "".join(out)


def _status_label(item) -> str:
    if item.status == "unchanged":
        return "already multi-stage"
    if item.status in ("refused", "failed") and item.reason_code:
        return f"{item.status} ({item.reason_code})"
    if item.status == "converted" and item.no_gain:
        return "converted (no size gain expected)"
    return item.status


def _list(values) -> str:
    return "<ul>" + "".join(f"<li>{_e(v)}</li>" for v in values) + "</ul>" if values else ""


def _size(n) -> str:
    if not isinstance(n, (int, float)) or isinstance(n, bool) or n <= 0:
        return "?"
    return f"{n / 1e6:.1f} MB"


def _measured(report: dict | None) -> list[str]:
    if not report:
        return ["not verified", ""]
    before = (report.get("original") or {}).get("size")
    after = (report.get("converted") or {}).get("size")
    ratio = report.get("size_ratio")
    share = f" ({ratio * 100:.0f}% of the original)" if isinstance(ratio, (int, float)) and not isinstance(ratio, bool) else ""
    verdict = str(report.get("verdict") or "?")
    return [f"{_e(_size(before))} → {_e(_size(after))}{_e(share)}",
            f"<span class=\"verdict {_e(verdict.replace(' ', '-'))}\">{_e(verdict)}</span>"]


def _diffs(rows: list[dict]) -> str:
    converted = [r for r in rows if r["item"].status == "converted" and r["item"].old is not None]
    if not converted:
        return ""
    out = ["<h2>Changes</h2>\n<p><button type=\"button\" onclick=\"msbToggle(true)\">expand all</button>"
           "<button type=\"button\" onclick=\"msbToggle(false)\">collapse all</button></p>\n"]
    for row in converted:
        item = row["item"]
        out.append(f"<details class=\"diff\"><summary><code>{_e(row['name'])}</code> &rarr; "
                   f"<code>{_e(item.runtime_base or '')}</code></summary>\n")
        out.append("<pre class=\"diff\">" + diff_html(item.old, item.new, row["name"]) + "</pre>\n</details>\n")
    return "".join(out)


def diff_html(before: str, after: str, name: str) -> str:
    """A unified diff as coloured lines: one span per line, classed add/del/hunk/ctx, with the
    Dockerfile keyword and comments of each line marked."""
    lines = difflib.unified_diff(before.splitlines(), after.splitlines(), f"a/{name}", f"b/{name}", lineterm="")
    out = []
    for line in lines:
        if line.startswith(("--- ", "+++ ")):
            out.append(f"<span class=\"line file\">{_e(line)}</span>")
        elif line.startswith("@@"):
            out.append(f"<span class=\"line hunk\">{_e(line)}</span>")
        else:
            cls = {"+": "add", "-": "del"}.get(line[:1], "ctx")
            out.append(f"<span class=\"line {cls}\">{_e(line[:1])}{_dockerfile_line(line[1:])}</span>")
    return "".join(out)


def _dockerfile_line(text: str) -> str:
    if text.lstrip().startswith("#"):
        return f"<span class=\"cm\">{_e(text)}</span>"
    m = _INSTRUCTION.match(text)
    if not m:
        return _e(text)
    rest = text[m.end():]
    tail = ""
    if m.group(2).upper() == "FROM":
        stage = _STAGE_NAME.search(rest)
        if stage:
            tail = (f"{_e(stage.group(1))}<span class=\"kw\">{_e(stage.group(2))}</span>{_e(stage.group(3))}"
                    f"<span class=\"stage\">{_e(stage.group(4))}</span>")
            rest = rest[:stage.start()]
    return f"{_e(m.group(1))}<span class=\"kw\">{_e(m.group(2))}</span>{_e(rest)}{tail}"


def _refusals(rows: list[dict]) -> str:
    stopped = [r for r in rows if r["item"].status in ("refused", "failed")]
    if not stopped:
        return ""
    out = ["<h2>Refused and failed</h2>\n<table>\n<tr><th>file</th><th>reason</th><th>what to do</th></tr>\n"]
    for row in stopped:
        item = row["item"]
        hint = HINTS.get(item.reason_code or "", "read the reason; convert by hand, or run msb convert FILE "
                         "--diff for the full report" if item.status == "refused"
                         else "fix the cause and run again (msb convert FILE shows the details)")
        out.append(f"<tr><td><code>{_e(row['name'])}</code></td><td><span class=\"status {_e(item.status)}\">"
                   f"{_e(item.reason_code or item.status)}</span>: {_e(item.reason or '')}</td>"
                   f"<td>{_e(hint)}</td></tr>\n")
    out.append("</table>\n")
    return "".join(out)
