"""Static route readers for `msb verify`: the parameter-free GET routes an app declares in its
sources, read with regular expressions (no import, no build), so verify can probe more than `/`.

One reader per family of frameworks; each returns (pattern, framework, file, line) and the common
part turns a pattern into a probe path: a `:id`/`{id}`/`<id>` parameter gets the sample value `1`
(said so), a wildcard or regular-expression route is skipped (with the reason).
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from msbrewrite.support.records import field, record
from msbrewrite.support.walk import walk
from msbrewrite.support import lazy_re

SAMPLE_VALUE = "1"
SKIP_DIRS = frozenset({".git", ".hg", ".svn", "node_modules", "vendor", ".venv", "venv", "__pycache__", "target",
                       "dist", "build", ".next", ".gradle", ".idea", "site-packages", "tests", "test", "__tests__"})
MAX_FILES = 3000
MAX_BYTES = 400_000
JS_SUFFIXES = (".js", ".mjs", ".cjs", ".ts")    # read together: a router's mount path is in another file


@record(frozen=True)
class Route:
    path: str               # the probe path
    pattern: str            # as declared
    framework: str
    file: str               # relative to the context
    line: int
    sample: bool = False    # a parameter was filled with SAMPLE_VALUE


@record
class RouteScan:
    routes: list[Route] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)    # {pattern, file, line, reason}
    writes: list[str] = field(default_factory=list)      # `POST /notes (app.js:12)`: routes verify never sends


@record(frozen=True)
class Declared:
    pattern: str
    framework: str
    line: int


# --------------------------------------------------------------------------- pattern -> path

_PARAM_RES = (
    lazy_re.compile(r"<(?:(?:int|string|str|slug|uuid|path|float):)?(\w+)(\.\.)?>"),   # Flask/Django/Rocket
    lazy_re.compile(r"\{(\w+)(?::[^{}]*)?\}"),                                            # FastAPI/Spring/actix/axum/chi/Go 1.22
    lazy_re.compile(r"(?<=/):(\w+)\??"),                                                 # Express/gin/echo/fiber/axum<0.8
)
_WILDCARD = lazy_re.compile(r"\*|\.\.\.|\.\.>")


# a GET that may change or stop the app: never probed, whether read from the sources or linked
_UNSAFE = lazy_re.compile(r"(^|[/_.-])(log-?out|sign-?out|shutdown|exit|quit|kill|restart|reboot|reset|delete|remove|"
                          r"drop|destroy|purge|clear|flush|stop|unsubscribe)([/_.?-]|$)", re.I)


def unsafe(path: str) -> bool:
    return bool(_UNSAFE.search(path))


def probe_path(pattern: str) -> tuple[str | None, bool, str]:
    """(path, sample filled, reason it is skipped)."""
    p = pattern.strip()
    if not p.startswith("/"):
        p = "/" + p
    if unsafe(p):
        return None, False, "may change the app's state"
    if _WILDCARD.search(p):
        return None, False, "wildcard route"
    if "(?P<" in p or "(?<" in p:
        return None, False, "regular-expression route"
    sample = False
    for rx in _PARAM_RES:
        p, n = rx.subn(SAMPLE_VALUE, p)
        sample = sample or n > 0
    if any(c in p for c in "()[]^$|+?\\"):
        return None, False, "regular-expression route"
    if re.search(r"[<>{}]|/:", p):
        return None, False, "parameter not understood"
    p = re.sub(r"/{2,}", "/", p)
    return p, sample, ""


def join(prefix: str, path: str) -> str:
    if not prefix:
        return path if path.startswith("/") else "/" + path
    rest = path.lstrip("/")
    if not rest:      # the prefix itself, with its own trailing slash (Django's "blog/")
        return "/" + prefix.lstrip("/")
    return "/" + (prefix.strip("/") + "/" if prefix.strip("/") else "") + rest


# --------------------------------------------------------------------------- readers

def _line(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


# a quoted string: (quote, text); the closing quote is not a back-reference, since group numbers
# shift inside the larger patterns
_STR = r"""(?:[rbuf]?)(['"`])([^'"`\n]*)['"`]"""

# Python: Flask/FastAPI decorators; a Blueprint/APIRouter prefix declared in the same file
_PY_DECOR = lazy_re.compile(r"^[ \t]*@(\w+)\.(route|get|api_route)\(\s*" + _STR + r"([^)\n]*)", re.M)
_PY_PREFIX = lazy_re.compile(r"(\w+)\s*=\s*(?:Blueprint|APIRouter)\((?:[^)]*?)(?:url_prefix|prefix)\s*=\s*" + _STR)
_DJANGO_PATH = lazy_re.compile(r"\b(path|re_path|url)\(\s*" + _STR + r"\s*,\s*(include\(\s*" + _STR + r")?")


def read_python(text: str, rel: str) -> list[Declared]:
    prefixes = {m.group(1): m.group(3) for m in _PY_PREFIX.finditer(text)}
    found = []
    for m in _PY_DECOR.finditer(text):
        obj, verb, pattern, rest = m.group(1), m.group(2), m.group(4), m.group(5)
        if verb != "get":
            methods = re.search(r"methods\s*=\s*[\[(]([^\])]*)", rest)
            if methods and "GET" not in methods.group(1).upper():
                continue
        framework = "fastapi" if verb == "get" and ("fastapi" in text.lower()) else "flask"
        found.append(Declared(join(prefixes.get(obj, ""), pattern), framework, _line(text, m.start())))
    return found


def read_django(files: dict[str, str]) -> list[tuple[str, Declared]]:
    """URL patterns of every urls.py, under the prefixes of the `include()` chain that reaches them."""
    includes: dict[str, tuple[str, str]] = {}        # "blog/urls.py" -> (prefix, including file)
    entries: list[tuple[str, Declared]] = []
    for rel, text in files.items():
        for m in _DJANGO_PATH.finditer(text):
            kind, pattern = m.group(1), m.group(3)
            if kind != "path":
                pattern = pattern.lstrip("^").rstrip("$")
            if m.group(4):
                includes[m.group(6).replace(".", "/") + ".py"] = (pattern, rel)
                continue
            entries.append((rel, Declared(pattern, "django", _line(text, m.start()))))

    def prefix_of(rel: str, depth: int = 0) -> str:
        key = next((t for t in includes if rel == t or rel.endswith("/" + t)), None)
        if key is None or depth > 5:
            return ""
        prefix, parent = includes[key]
        return join(prefix_of(parent, depth + 1), prefix)

    return [(rel, Declared(join(prefix_of(rel), d.pattern), "django", d.line)) for rel, d in entries]


# JavaScript/TypeScript: Express/Koa router/Fastify `x.get('/p')`, Fastify route objects, Nest
_JS_GET = lazy_re.compile(r"\b(\w+)\.get\(\s*" + _STR)
_JS_ROUTE_OBJ = lazy_re.compile(r"method\s*:\s*['\"]GET['\"][^}]*?\burl\s*:\s*" + _STR + r"|\burl\s*:\s*" + _STR +
                                r"[^}]*?method\s*:\s*['\"]GET['\"]", re.S)
_JS_KOA_PREFIX = lazy_re.compile(r"(\w+)\s*=\s*new\s+\w*Router\(\s*\{[^}]*prefix\s*:\s*" + _STR)
_JS_USE = lazy_re.compile(r"\b\w+\.use\(\s*" + _STR + r"\s*,\s*(?:require\(\s*" + _STR + r"\s*\)|(\w+))")
_JS_REQUIRE = lazy_re.compile(r"(?:const|let|var|import)\s+(\w+)\s*(?:=\s*require\(\s*|from\s+)" + _STR)
_NEST_CONTROLLER = lazy_re.compile(r"@Controller\(\s*(?:" + _STR + r")?")
_NEST_GET = lazy_re.compile(r"@Get\(\s*(?:" + _STR + r")?\s*\)")
_NEST_GLOBAL = lazy_re.compile(r"setGlobalPrefix\(\s*" + _STR)
_JS_NOT_ROUTERS = frozenset({"map", "headers", "params", "query", "searchParams", "cache", "store", "config",
                             "process", "env", "req", "request", "res", "response", "localStorage", "axios", "http",
                             "https", "fetch", "client", "superagent", "supertest", "got", "ky", "api"})


def read_js(text: str) -> list[Declared]:
    found = []
    if "@Controller" in text:
        controllers = list(_NEST_CONTROLLER.finditer(text))
        for m in _NEST_GET.finditer(text):
            owner = [c for c in controllers if c.start() < m.start()]
            base = owner[-1].group(2) or "" if owner else ""
            found.append(Declared(join(base, m.group(2) or ""), "nest", _line(text, m.start())))
        return found
    prefixes = {m.group(1): m.group(3) for m in _JS_KOA_PREFIX.finditer(text)}
    for m in _JS_GET.finditer(text):
        obj = m.group(1)
        if obj in _JS_NOT_ROUTERS or not m.group(3).startswith("/"):
            continue
        framework = "koa" if obj in prefixes or "koa" in text else ("fastify" if "fastify" in text else "express")
        found.append(Declared(join(prefixes.get(obj, ""), m.group(3)), framework, _line(text, m.start())))
    for m in _JS_ROUTE_OBJ.finditer(text):
        found.append(Declared(m.group(2) or m.group(4), "fastify", _line(text, m.start())))
    return found


def js_mounts(text: str, rel: str) -> dict[str, str]:
    """`app.use('/api', require('./routes/x'))` or `app.use('/api', x)`: module file -> prefix."""
    required = {m.group(1): m.group(3) for m in _JS_REQUIRE.finditer(text)}
    mounts = {}
    for m in _JS_USE.finditer(text):
        target = m.group(4) or required.get(m.group(5) or "")
        if target and target.startswith("."):
            mounts[os.path.normpath(os.path.join(os.path.dirname(rel), target))] = m.group(2)
    return mounts


# Go: net/http (Go 1.22 "GET /p" patterns too), gin/echo `GET`, chi/fiber `Get`, groups by variable
_GO_HANDLE = lazy_re.compile(r"\.(?:HandleFunc|Handle)\(\s*\"((?:GET\s+)?/[^\"]*)\"")
_GO_VERB = lazy_re.compile(r"\b(\w+)\.(?:GET|Get)\(\s*\"(/[^\"]*)\"")
_GO_GROUP = lazy_re.compile(r"\b(\w+)\s*:?=\s*(\w+)\.(?:Group|Route)\(\s*\"(/[^\"]*)\"")


def read_go(text: str) -> list[Declared]:
    groups = {m.group(1): (m.group(2), m.group(3)) for m in _GO_GROUP.finditer(text)}

    def prefix(var: str, depth: int = 0) -> str:
        if var not in groups or depth > 5:
            return ""
        parent, p = groups[var]
        return join(prefix(parent, depth + 1), p)

    framework = next((f for f, mark in (("gin", "gin-gonic"), ("echo", "labstack/echo"), ("chi", "go-chi"),
                                         ("fiber", "gofiber")) if mark in text), "net/http")
    found = []
    for m in _GO_HANDLE.finditer(text):
        pattern = m.group(1)
        if " " in pattern:
            pattern = pattern.split(None, 1)[1]
        found.append(Declared(pattern, "net/http", _line(text, m.start())))
    for m in _GO_VERB.finditer(text):
        found.append(Declared(join(prefix(m.group(1)), m.group(2)), framework, _line(text, m.start())))
    return found


# Rust: actix/rocket attributes, actix/axum `.route("/p", get(...))` / `web::get()`
_RS_ATTR = lazy_re.compile(r"#\[get\(\s*\"(/[^\"]*)\"")
_RS_ROUTE = lazy_re.compile(r"\.route\(\s*\"(/[^\"]*)\"\s*,\s*(?:web::)?get\(")
_RS_MOUNT = lazy_re.compile(r"\.mount\(\s*\"(/[^\"]*)\"")


def read_rust(text: str) -> list[Declared]:
    framework = "rocket" if "rocket" in text else ("axum" if "axum" in text else "actix")
    found = [Declared(m.group(1), "actix" if "actix" in text else framework, _line(text, m.start()))
             for m in _RS_ATTR.finditer(text)]
    found += [Declared(m.group(1), "axum" if "axum" in text else "actix", _line(text, m.start()))
              for m in _RS_ROUTE.finditer(text)]
    return found


# Spring (Java/Kotlin): a class-level @RequestMapping prefix, @GetMapping / @RequestMapping(GET) methods
_SPRING_CLASS = lazy_re.compile(r"@RequestMapping\(\s*(?:(?:value|path)\s*=\s*)?\{?\s*\"([^\"]*)\"[^)]*\)\s*"
                                r"(?:@\w+(?:\([^)]*\))?\s*)*(?:public\s+|open\s+|internal\s+)?(?:final\s+)?class\b")
_SPRING_GET = lazy_re.compile(r"@GetMapping(?:\(\s*(?:(?:value|path)\s*=\s*)?[{\[]?\s*((?:\"[^\"]*\"\s*,?\s*)*)[^)]*\))?")
_SPRING_REQ = lazy_re.compile(r"@RequestMapping\(([^)]*RequestMethod\.GET[^)]*)\)")


def read_spring(text: str) -> list[Declared]:
    m = _SPRING_CLASS.search(text)
    base = m.group(1) if m else ""
    found = []
    for g in _SPRING_GET.finditer(text):
        paths = re.findall(r"\"([^\"]*)\"", g.group(1) or "") or [""]
        for p in paths:
            found.append(Declared(join(base, p), "spring", _line(text, g.start())))
    for r in _SPRING_REQ.finditer(text):
        for p in re.findall(r"\"([^\"]*)\"", r.group(1)) or [""]:
            found.append(Declared(join(base, p), "spring", _line(text, r.start())))
    return found


# Servers without a framework: the JDK's HttpServer contexts, and a request path compared with a
# literal (Python's http.server `self.path == "/x"`, Node's `url.pathname === "/x"`)
_JDK_CONTEXT = lazy_re.compile(r"\.createContext\(\s*\"(/[^\"]*)\"")
_PATH_COMPARE = lazy_re.compile(r"\b(?:self\.path|pathname|req\.url|request\.path|url\.path|r\.URL\.Path)\s*"
                                r"(?:===?|in\s*\(?)\s*" + _STR)


def read_plain(text: str) -> list[Declared]:
    found = [Declared(m.group(1), "jdk-httpserver", _line(text, m.start())) for m in _JDK_CONTEXT.finditer(text)]
    found += [Declared(m.group(2), "plain", _line(text, m.start())) for m in _PATH_COMPARE.finditer(text)
              if m.group(2).startswith("/")]
    return found


# Routes that write (POST, PUT, PATCH, DELETE): verify only reads, so it names them as not exercised.
# Express/Koa/Fastify/Flask 2/FastAPI `x.post("/p")`, gin/echo/chi `r.POST("/p")`, Go 1.22
# `HandleFunc("POST /p")`, Flask `route("/p", methods=["POST"])`, Nest `@Post()`, Spring
# `@PostMapping`, actix/rocket `#[post("/p")]`, axum/actix `.route("/p", post(...))`
_WRITE_VERB = r"(post|put|patch|delete|POST|PUT|PATCH|DELETE|Post|Put|Patch|Delete)"
_WRITE_CALL_ROUTE = lazy_re.compile(r"\b(\w+)\." + _WRITE_VERB + r"\(\s*" + _STR)
_WRITE_HANDLE = lazy_re.compile(r"\.(?:HandleFunc|Handle)\(\s*\"(POST|PUT|PATCH|DELETE)\s+(/[^\"]*)\"")
_WRITE_METHODS = lazy_re.compile(r"methods\s*=\s*[\[(]([^\])]*)")
_WRITE_ANNOTATION = lazy_re.compile(r"@" + _WRITE_VERB + r"(?:Mapping)?\(\s*(?:(?:value|path)\s*=\s*)?\{?\s*(?:" + _STR + r")?")
_WRITE_RUST = lazy_re.compile(r"#\[" + _WRITE_VERB + r"\(\s*\"(/[^\"]*)\"|\.route\(\s*\"(/[^\"]*)\"\s*,\s*(?:web::)?"
                              + _WRITE_VERB + r"\(")


def read_writes(text: str) -> list[tuple[str, str, int]]:
    """(METHOD, pattern as declared, line) of the routes a source file declares for writes."""
    found = []
    for m in _WRITE_CALL_ROUTE.finditer(text):
        if m.group(1) not in _JS_NOT_ROUTERS and m.group(4).startswith("/"):
            found.append((m.group(2).upper(), m.group(4), _line(text, m.start())))
    for m in _WRITE_HANDLE.finditer(text):
        found.append((m.group(1), m.group(2), _line(text, m.start())))
    for m in _PY_DECOR.finditer(text):
        methods = _WRITE_METHODS.search(m.group(5)) if m.group(2) in ("route", "api_route") else None
        for verb in re.findall(r"POST|PUT|PATCH|DELETE", methods.group(1).upper()) if methods else []:
            found.append((verb, m.group(4), _line(text, m.start())))
    controllers = list(_NEST_CONTROLLER.finditer(text))
    spring = _SPRING_CLASS.search(text)
    for m in _WRITE_ANNOTATION.finditer(text):
        # under the path of its Nest controller or Spring class
        owner = [c.group(2) or "" for c in controllers if c.start() < m.start()]
        base = owner[-1] if owner else (spring.group(1) if spring else "")
        found.append((m.group(1).upper(), join(base, m.group(3) or ""), _line(text, m.start())))
    for m in _WRITE_RUST.finditer(text):
        verb, pattern = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        found.append((verb.upper(), pattern, _line(text, m.start())))
    return sorted(set(found), key=lambda w: w[2])


# --------------------------------------------------------------------------- the scan

def _source_files(root: Path):
    count = 0
    for dirpath, dirnames, filenames in walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith("."))
        for name in sorted(filenames):
            ext = os.path.splitext(name)[1]
            if ext not in (".py", ".js", ".mjs", ".cjs", ".ts", ".go", ".rs", ".java", ".kt"):
                continue
            if name.endswith((".d.ts", ".test.js", ".spec.ts", ".test.ts", ".spec.js", "_test.go")):
                continue
            path = Path(dirpath) / name
            try:
                if path.stat().st_size > MAX_BYTES:
                    continue
                text = path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            count += 1
            if count > MAX_FILES:
                return
            yield path.relative_to(root).as_posix(), ext, text


def discover_routes(context: str | Path, limit: int = 40) -> RouteScan:
    """Parameter-free GET routes (and one sample probe per parameterised one) declared in the
    context's sources, each path once, at most `limit`."""
    root = Path(context)
    declared: list[tuple[str, Declared]] = []
    django: dict[str, str] = {}
    js_files: list[tuple[str, str]] = []
    writes: list[str] = []
    for rel, ext, text in _source_files(root):
        declared += [(rel, d) for d in read_plain(text)]
        if ext not in JS_SUFFIXES:
            writes += [_write_line(verb, pattern, rel, line) for verb, pattern, line in read_writes(text)]
        if ext == ".py":
            if rel.endswith("urls.py") and "urlpatterns" in text:
                django[rel] = text
            else:
                declared += [(rel, d) for d in read_python(text, rel)]
        elif ext in JS_SUFFIXES:
            js_files.append((rel, text))
        elif ext == ".go":
            declared += [(rel, d) for d in read_go(text)]
        elif ext == ".rs":
            declared += [(rel, d) for d in read_rust(text)]
        else:
            declared += [(rel, d) for d in read_spring(text)]
    declared += read_django(django)
    js_declared, js_writes = _js_routes(js_files)
    declared += js_declared
    writes += js_writes
    _apply_rocket_mount(root, declared)

    scan, seen = RouteScan(writes=writes), set()
    for rel, d in declared:
        path, sample, reason = probe_path(d.pattern)
        if path is None:
            scan.skipped.append({"pattern": d.pattern, "file": rel, "line": d.line, "reason": reason})
            continue
        if path in seen:
            continue
        seen.add(path)
        if len(scan.routes) >= limit:
            scan.skipped.append({"pattern": d.pattern, "file": rel, "line": d.line, "reason": f"over the limit of {limit}"})
            continue
        scan.routes.append(Route(path, d.pattern, d.framework, rel, d.line, sample))
    return scan


def _js_routes(files: list[tuple[str, str]]) -> tuple[list[tuple[str, Declared]], list[str]]:
    """The GET routes and the written ones of the JavaScript files, under the prefix each file's
    router is mounted at."""
    mounts: dict[str, str] = {}
    global_prefix = ""
    for rel, text in files:
        mounts.update(js_mounts(text, rel))
        g = _NEST_GLOBAL.search(text)
        if g:
            global_prefix = g.group(2)
    out, writes = [], []
    for rel, text in files:
        stem = os.path.splitext(rel)[0]
        prefix = mounts.get(stem) or mounts.get(rel) or mounts.get(os.path.join(stem, "index")) or ""
        for d in read_js(text):
            base = global_prefix if d.framework == "nest" else prefix
            out.append((rel, Declared(join(base, d.pattern) if base else d.pattern, d.framework, d.line)))
        base = global_prefix if "@Controller" in text else prefix
        writes += [_write_line(verb, join(base, pattern) if base else pattern, rel, line)
                   for verb, pattern, line in read_writes(text)]
    return out, writes


def _write_line(verb: str, pattern: str, rel: str, line: int) -> str:
    return f"{verb} {pattern} ({rel}:{line})"


def _apply_rocket_mount(root: Path, declared: list[tuple[str, Declared]]) -> None:
    """Rocket routes are declared relative to `.mount("/base", routes![...])`: with one mount base
    other than `/`, every rocket route moves under it (several bases: left as declared)."""
    rocket = [(rel, d) for rel, d in declared if d.framework == "rocket"]
    if not rocket:
        return
    bases = set()
    for rel in {rel for rel, _ in rocket}:
        try:
            bases |= set(_RS_MOUNT.findall((root / rel).read_text(encoding="utf-8", errors="replace")))
        except OSError:
            pass
    if len(bases) != 1 or bases == {"/"}:
        return
    base = bases.pop()
    for i, (rel, d) in enumerate(declared):
        if d.framework == "rocket":
            declared[i] = (rel, Declared(join(base, d.pattern), "rocket", d.line))
