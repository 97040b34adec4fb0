"""The HTTP side of `msb verify`'s oracle: a bounded same-origin crawl of what the first responses
link to, and the comparison of one probe (status, content type, a static file's body hash) between
the original and the converted image. Pure: the fetching happens in msbrewrite.verify.probe."""
from __future__ import annotations

import json
import re
from urllib.parse import urldefrag, urljoin, urlsplit

from msbrewrite.support.records import field, record
from msbrewrite.verify.routes import unsafe
from msbrewrite.support import lazy_re

MAX_PAGES = 30          # crawled paths beyond the seeds
MAX_DEPTH = 2           # link hops from a seed
MAX_BODY = 300_000      # bodies larger than this are hashed but not read for links

_ORIGIN = "http://app.invalid"
_ATTR = lazy_re.compile(r"""\b(?:href|src)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+))""", re.I)
_CSS_URL = lazy_re.compile(r"""url\(\s*['"]?([^'")\s]+)['"]?\s*\)""")
# a GET a script makes to a literal path of its own origin: fetch("/api/items"), axios.get('/api/stars'),
# $.getJSON("/data.json") (a path built with `${...}` or +, or with a query, is not read)
_SCRIPT_GET = lazy_re.compile(r"""(?:\bfetch|\baxios(?:\.get)?|\$\.get(?:JSON)?|\bhttp\.get)\(\s*(["'`])(/[\w.~/-]*)\1""")
MAX_SCRIPT_GETS = 10    # per script
STATIC_EXTENSIONS = frozenset({
    ".js", ".mjs", ".css", ".map", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".ico", ".webp", ".avif",
    ".woff", ".woff2", ".ttf", ".otf", ".eot", ".txt", ".webmanifest", ".wasm", ".pdf", ".xml",
    ".mp3", ".mp4", ".webm", ".csv",
})
_STATIC_TYPES = ("text/css", "javascript", "image/", "font/", "application/wasm", "application/manifest+json")


def same_origin_path(base: str, link: str) -> str | None:
    """The path (and query) `link` names when it stays on the app's origin, else None."""
    link = link.strip()
    if not link or link.startswith(("#", "data:", "mailto:", "javascript:", "tel:", "blob:")):
        return None
    url, _ = urldefrag(urljoin(_ORIGIN + base, link))
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != _ORIGIN:
        return None
    path = parts.path or "/"
    return path + (f"?{parts.query}" if parts.query else "")


# the start of a page, as a browser sniffs an answer that names no type
_LOOKS_LIKE_HTML = lazy_re.compile(r"\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|title|a\s)", re.I | re.S)


def is_manifest(path: str) -> bool:
    return path.split("?")[0].endswith(("manifest.json", ".webmanifest"))


def wants_body(path: str, content_type: str) -> bool:
    """Bodies the crawler reads links from."""
    ct = content_type.lower()
    return "html" in ct or "text/css" in ct or "javascript" in ct or is_manifest(path)


def extract_links(path: str, content_type: str, body: str) -> list[str]:
    """Same-origin paths an HTML page, a stylesheet, a script or a web manifest links to, in order, once.
    An answer without a content type is read as HTML when its body starts like a page, as a browser
    reads it."""
    ct = content_type.lower() or ("text/html" if _LOOKS_LIKE_HTML.match(body or "") else "")
    raw: list[str] = []
    if is_manifest(path):
        try:
            data = json.loads(body)
        except ValueError:
            data = {}
        if isinstance(data, dict):
            raw += [i.get("src", "") for i in data.get("icons") or [] if isinstance(i, dict)]
            if isinstance(data.get("start_url"), str):
                raw.append(data["start_url"])
    elif "html" in ct:
        raw += [next(g for g in m.groups() if g is not None) for m in _ATTR.finditer(body)]
        raw += [m.group(2) for m in _SCRIPT_GET.finditer(body)][:MAX_SCRIPT_GETS]     # inline scripts
    elif "text/css" in ct:
        raw += _CSS_URL.findall(body)
    elif "javascript" in ct:
        # what the page's code asks its own server for: an API a proxy or a backend answers
        raw += [m.group(2) for m in _SCRIPT_GET.finditer(body)][:MAX_SCRIPT_GETS]
    out = []
    for link in raw:
        p = same_origin_path(path, link)
        if p and p not in out:
            out.append(p)
    return out


_FORM = lazy_re.compile(r"<form\b([^>]*)>(.*?)</form>", re.I | re.S)
_CSRF_FIELD = lazy_re.compile(r"""name\s*=\s*["']?(csrfmiddlewaretoken|authenticity_token|_csrf|csrf_token|_token|"""
                              r"""__RequestVerificationToken)""", re.I)


def write_forms(path: str, html: str) -> list[tuple[str, bool]]:
    """(action path, has a CSRF token field) of the forms on a page that POST, PUT or DELETE."""
    out = []
    for attrs, inner in _FORM.findall(html or ""):
        method = re.search(r"""method\s*=\s*["']?(\w+)""", attrs, re.I)
        if not method or method.group(1).lower() == "get":
            continue
        action = re.search(r"""action\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+))""", attrs, re.I)
        # no action, or an empty one (`action=""`), posts to the page itself
        written = next((g for g in action.groups() if g is not None), "") if action else ""
        target = same_origin_path(path, written or path)
        if target and (target, bool(_CSRF_FIELD.search(inner))) not in out:
            out.append((target, bool(_CSRF_FIELD.search(inner))))
    return out


def is_static(path: str, content_type: str) -> bool:
    """A file served as is, whose bytes must not change in a conversion (so its hash is compared)."""
    ext = path.split("?")[0].rsplit("/", 1)[-1]
    ext = ext[ext.rfind("."):].lower() if "." in ext else ""
    ct = content_type.lower()
    if ext in STATIC_EXTENSIONS:
        return True
    return any(t in ct for t in _STATIC_TYPES)


@record
class Fetch:
    """One GET as the probe container saw it."""
    status: int                  # 0: no HTTP answer
    content_type: str = ""
    size: int = 0
    sha256: str = ""
    body: str | None = None      # only for pages the crawler reads
    location: str = ""           # a redirect's target, as redirect_target() normalises it
    shape: str = ""              # the body's hash without digits and the container's host name
    # the same, also without the content hashes of build file names, when the body was read
    loose_shape: str = ""
    stable: bool = False         # the original gave the same shape when asked again


@record
class Crawl:
    """Which paths to fetch next: the seeds, then breadth-first the links the answers carry, at
    most MAX_DEPTH hops and MAX_PAGES paths beyond the seeds."""
    seeds: list[str]
    max_pages: int = MAX_PAGES
    max_depth: int = MAX_DEPTH
    origin: dict[str, str] = field(default_factory=dict)     # path -> how it was found
    depth: int = 0
    pending: list[str] = field(default_factory=list)
    crawled: int = 0
    dropped: int = 0             # links over the bounds

    def __post_init__(self):
        for s in self.seeds:
            if s not in self.origin:
                self.origin[s] = "seed"
                self.pending.append(s)

    def next_batch(self) -> list[str]:
        batch, self.pending = self.pending, []
        return batch

    def feed(self, path: str, fetch: Fetch) -> None:
        """Queue the links of one answer (for the next depth)."""
        if fetch.body is None or not (200 <= fetch.status < 300):
            return
        hop = self.depth + 1
        for link in extract_links(path, fetch.content_type, fetch.body):
            if link in self.origin or unsafe(link):
                continue
            if hop > self.max_depth or self.crawled >= self.max_pages:
                self.dropped += 1
                continue
            self.origin[link] = f"link from {path}"
            self.pending.append(link)
            self.crawled += 1

    def advance(self) -> None:
        self.depth += 1


def compare(path: str, before: Fetch | None, after: Fetch, shapes: bool = True) -> str | None:
    """How the converted answer differs from the original's, or None. Only called when the original
    answered without a server error (a route failing in both is not the conversion's fault)."""
    if before is None:
        return None
    if before.status != after.status:
        return f"status {after.status or 'no answer'}, the original answered {before.status}"
    if 300 <= before.status < 400:
        # a client follows the Location; a redirect's body and its type are never read
        if before.location != after.location:
            return f"redirects to {after.location or 'nowhere'}, the original to {before.location or 'nowhere'}"
        return None
    if _media(before.content_type) != _media(after.content_type):
        return f"content type {after.content_type or 'none'!s}, the original sent {before.content_type or 'none'}"
    if 200 <= before.status < 300 and is_static(path, before.content_type) and before.sha256 != after.sha256:
        return f"body differs from the original's ({after.size} bytes, the original's {before.size})"
    if shapes and shape_changed(before, after):
        # a generated page: its numbers (times, counters) may change, its words may not
        return (f"body differs from the original's beyond its numbers ({after.size} bytes, the original's "
                f"{before.size}, which answered alike when asked twice)")
    return None


def shape_changed(before: Fetch, after: Fetch) -> bool:
    """A page the original answered alike twice (2xx) whose converted body differs beyond its numbers."""
    if not (200 <= before.status < 300 and before.stable and after.shape):
        return False
    if before.loose_shape and after.loose_shape:
        # two builds name their chunks by other hashes (index-BYw4zvdk.js): the page links them alike
        return before.loose_shape != after.loose_shape
    return before.shape != after.shape


def redirect_target(url: str, port: int | None) -> str:
    """A redirect's target as a client resolves it, with the probed origin itself reduced to the
    path (the two images may be probed on different ports): `http://127.0.0.1:8080/a` -> `/a`.
    Another host, scheme or port stays whole: that is where the client would go."""
    url = url.strip()
    if not url:
        return ""
    parts = urlsplit(url)
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    try:
        given = parts.port
    except ValueError:
        return url
    default = {"http": 80, "https": 443}.get(scheme)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    if scheme == "http" and host in ("127.0.0.1", "localhost") and port is not None and (given or default) == port:
        return path
    netloc = host + (f":{given}" if given and given != default else "")
    return f"{scheme}://{netloc}{path}"


# media types that name the same thing (servers differ in which one they send)
_SAME_MEDIA = {
    "application/javascript": "javascript", "text/javascript": "javascript", "application/x-javascript": "javascript",
    "application/ecmascript": "javascript", "text/ecmascript": "javascript",
    "application/xml": "xml", "text/xml": "xml",
    "image/x-icon": "icon", "image/vnd.microsoft.icon": "icon",
    "application/manifest+json": "json", "application/json": "json",
    "font/woff": "woff", "application/font-woff": "woff", "application/x-font-woff": "woff",
    "font/woff2": "woff2", "application/font-woff2": "woff2",
    "font/ttf": "ttf", "application/x-font-ttf": "ttf", "font/otf": "otf", "application/x-font-otf": "otf",
}


def _media(content_type: str) -> str:
    media = content_type.split(";")[0].strip().lower()
    return _SAME_MEDIA.get(media, media)
