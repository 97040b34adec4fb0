"""Reading frontend project files: package.json, vite/angular/next/vue/astro/svelte configs.

JavaScript configs are read with small regexes, not evaluated: a value computed at
build time (a variable, a function call) is simply not found, and the caller falls
back to the framework default.
"""
from __future__ import annotations

import json
import posixpath
import re

from msbrewrite.model.context import Context
from msbrewrite.support.records import field, record

# dependency -> framework, most specific first (a Next app also depends on react)
FRAMEWORK_DEPS = (
    ("next", "next"), ("gatsby", "gatsby"), ("@sveltejs/kit", "sveltekit"), ("astro", "astro"),
    ("nuxt", "nuxt"), ("@docusaurus/core", "docusaurus"), ("@angular/core", "angular"),
    ("react-scripts", "cra"), ("@vue/cli-service", "vue-cli"), ("@11ty/eleventy", "eleventy"),
    ("vite", "vite"), ("parcel", "parcel"),
)
# where each framework writes its static output, relative to the project
DEFAULT_OUT = {
    "vite": "dist", "cra": "build", "vue-cli": "dist", "next": "out", "gatsby": "public",
    "astro": "dist", "sveltekit": "build", "docusaurus": "build", "nuxt": ".output/public",
    "eleventy": "_site", "parcel": "dist",
}
# packages that make a Node project a server rather than a set of files
SERVER_DEPS = ("express", "fastify", "koa", "@nestjs/core", "@hapi/hapi", "hapi", "@remix-run/serve",
               "@sveltejs/adapter-node", "@astrojs/node", "restify", "socket.io", "apollo-server")
CONFIG_NAMES = ("js", "mjs", "cjs", "ts", "mts")


@record
class Project:
    """What the context says about the frontend project built in one directory."""
    root: str                                  # context-relative directory of package.json
    package: dict = field(default_factory=dict)

    @property
    def deps(self) -> dict:
        out: dict = {}
        for key in ("dependencies", "devDependencies"):
            value = self.package.get(key)
            if isinstance(value, dict):
                out.update(value)
        return out

    @property
    def scripts(self) -> dict[str, str]:
        value = self.package.get("scripts")
        return {k: v for k, v in value.items() if isinstance(v, str)} if isinstance(value, dict) else {}

    def framework(self) -> str | None:
        deps = self.deps
        for dep, name in FRAMEWORK_DEPS:
            if dep in deps:
                return name
        return None


def load_project(context: Context, root: str) -> Project | None:
    text = context.read(posixpath.join(root, "package.json"))
    if text is None:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return Project(root)
    return Project(root, data if isinstance(data, dict) else {})


def read_config(context: Context, root: str, stem: str) -> tuple[str, str] | None:
    """(name, text) of the first `<stem>.{js,mjs,cjs,ts,mts}` in root."""
    for ext in CONFIG_NAMES:
        name = posixpath.join(root, f"{stem}.{ext}")
        text = context.read(name)
        if text is not None:
            return name, _strip_comments(text)
    return None


def _strip_comments(text: str) -> str:
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return re.sub(r"(?m)^[ \t]*//.*$", "", text)


def js_string(text: str, key: str) -> str | None:
    """The literal string value of `key: '...'` in a JS/TS object, if written as a literal."""
    m = re.search(rf"""(?<![\w$.]){re.escape(key)}['"]?\s*:\s*(['"`])([^'"`$]*)\1""", text)
    return m.group(2) if m else None


def vite_out_dir(context: Context, root: str) -> tuple[str, str] | None:
    """(outDir relative to the project, where) from vite.config.*."""
    found = read_config(context, root, "vite.config")
    if not found:
        return None
    name, text = found
    out = js_string(text, "outDir")
    if out is None:
        return None
    base = js_string(text, "root") or ""
    return posixpath.normpath(posixpath.join(base, out)), name


def angular_out_dir(context: Context, root: str) -> tuple[str, str] | None:
    """Output folder of the default application in angular.json.

    The `application` builder (Angular 17+) writes the browser files to `<outputPath>/browser`;
    the older `browser` builder writes them to outputPath itself.
    """
    found = _angular_build(context, root)
    if found is None:
        return None
    name, chosen, build = found
    builder = str(build.get("builder", ""))
    out = (build.get("options") or {}).get("outputPath")
    modern = builder.endswith(":application")
    if isinstance(out, dict):
        base = str(out.get("base", f"dist/{chosen}"))
        browser = out.get("browser", "browser")
        return posixpath.normpath(posixpath.join(base, str(browser))) if browser else base, name
    if not isinstance(out, str) or not out:
        out = f"dist/{chosen}"
    if modern:
        return posixpath.normpath(posixpath.join(out, "browser")), name
    return posixpath.normpath(out), name


def angular_vite_dev_server(context: Context, root: str) -> bool:
    """Whether `ng serve` runs the Vite-based dev server: the `application` and `browser-esbuild`
    builders (Angular 17+), not webpack's `browser`."""
    found = _angular_build(context, root)
    builder = str(found[2].get("builder", "")) if found else ""
    return builder.endswith((":application", ":browser-esbuild"))


def _angular_build(context: Context, root: str) -> tuple[str, str, dict] | None:
    """(angular.json path, project name, its build target) of the default application."""
    name = posixpath.join(root, "angular.json")
    text = context.read(name)
    if text is None:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    projects = data.get("projects") if isinstance(data, dict) else None
    if not isinstance(projects, dict) or not projects:
        return None
    chosen = data.get("defaultProject")
    if chosen not in projects:
        apps = [k for k, v in projects.items() if isinstance(v, dict) and v.get("projectType") == "application"]
        chosen = apps[0] if apps else next(iter(projects))
    project = projects[chosen] if isinstance(projects[chosen], dict) else {}
    build = (project.get("architect") or project.get("targets") or {}).get("build") or {}
    return name, chosen, build if isinstance(build, dict) else {}


def next_export(context: Context, root: str) -> tuple[bool, str | None, str | None]:
    """(static export?, output dir, config file) from next.config.*."""
    found = read_config(context, root, "next.config")
    if not found:
        return False, None, None
    name, text = found
    static = js_string(text, "output") == "export"
    dist = js_string(text, "distDir")
    return static, dist, name


def simple_out_dir(context: Context, root: str, stem: str, key: str) -> tuple[str, str] | None:
    """A literal `key: '...'` from `<stem>.*` (vue.config outputDir, astro.config outDir...)."""
    found = read_config(context, root, stem)
    if not found:
        return None
    name, text = found
    value = js_string(text, key)
    return (posixpath.normpath(value), name) if value else None


def astro_is_server(context: Context, root: str) -> bool:
    found = read_config(context, root, "astro.config")
    return bool(found and js_string(found[1], "output") in ("server", "hybrid"))


def svelte_adapter(context: Context, root: str) -> tuple[str | None, str | None]:
    """(adapter package, static `pages` dir) from svelte.config.*."""
    found = read_config(context, root, "svelte.config")
    if not found:
        return None, None
    text = found[1]
    m = re.search(r"""from\s+['"](@sveltejs/adapter-[\w-]+)['"]""", text) or \
        re.search(r"""require\(\s*['"](@sveltejs/adapter-[\w-]+)['"]""", text)
    return (m.group(1) if m else None), js_string(text, "pages")


def dotenv_value(context: Context, root: str, key: str) -> str | None:
    for name in (".env.production", ".env"):
        text = context.read(posixpath.join(root, name)) or ""
        m = re.search(rf"(?m)^[ \t]*{re.escape(key)}\s*=\s*['\"]?([^'\"\s#]+)", text)
        if m:
            return m.group(1)
    return None


def public_base(context: Context, root: str, framework: str | None, build_argv: list[str],
                package: dict) -> tuple[str, str] | None:
    """(URL path the built site expects to be served under, where it is set), when not `/`.

    vite `base`, CRA `homepage`, vue-cli `publicPath`, angular `--base-href`/`baseHref`,
    next `basePath`: the built pages reference their files under that path."""
    found = None
    for i, word in enumerate(build_argv):
        if word in ("--base", "--base-href") and i + 1 < len(build_argv):
            found = build_argv[i + 1], "the build command"
        elif word.startswith(("--base=", "--base-href=")):
            found = word.split("=", 1)[1], "the build command"
    if found is None and framework in ("vite", None):
        cfg = read_config(context, root, "vite.config")
        value = js_string(cfg[1], "base") if cfg else None
        found = (value, cfg[0]) if value else None
    if found is None and framework == "cra" and isinstance(package.get("homepage"), str):
        found = package["homepage"], "package.json homepage"
    if found is None and framework == "vue-cli":
        cfg = read_config(context, root, "vue.config")
        value = js_string(cfg[1], "publicPath") if cfg else None
        found = (value, cfg[0]) if value else None
    if found is None and framework == "next":
        cfg = read_config(context, root, "next.config")
        value = js_string(cfg[1], "basePath") if cfg else None
        found = (value, cfg[0]) if value else None
    if found is None and framework == "angular":
        text = context.read(posixpath.join(root, "angular.json")) or ""
        m = re.search(r'"baseHref"\s*:\s*"([^"]*)"', text)
        found = (m.group(1), "angular.json") if m else None
    if not found:
        return None
    value, where = found
    path = re.sub(r"^[a-z]+://[^/]+", "", value.strip())     # CRA homepage may be a full URL
    if not path.startswith("/") or path.strip("/") == "" or re.search(r"[^\w./-]", path):
        return None     # relative (`./`), root, or not a plain path: served as is
    return "/" + path.strip("/") + "/", where


def locked_version(context: Context, root: str, package: str) -> tuple[int, ...] | None:
    """The version of `package` package-lock.json pins, or None (no npm lockfile, not listed)."""
    text = context.read(posixpath.join(root, "package-lock.json"))
    try:
        data = json.loads(text) if text else None
    except ValueError:
        return None
    entry = data.get("packages", {}).get(f"node_modules/{package}") if isinstance(data, dict) else None
    if not isinstance(entry, dict):
        entry = data.get("dependencies", {}).get(package) if isinstance(data, dict) else None
    m = re.match(r"(\d+)\.(\d+)\.(\d+)", entry.get("version", "") if isinstance(entry, dict) else "")
    return tuple(int(g) for g in m.groups()) if m else None


def vite_checks_hosts(version: tuple[int, ...]) -> bool:
    """Whether this vite checks the Host header (the fix shipped in 4.5.6, 5.4.12 and 6.0.9)."""
    return (4, 5, 6) <= version < (5,) or (5, 4, 12) <= version < (6,) or version >= (6, 0, 9)


def vite_allowed_hosts(text: str, server: str = "preview") -> list[str] | bool | None:
    """The hosts a vite config allows beyond localhost and IP addresses for `preview` or the dev
    `server`: a list ([] when it names none), True for `allowedHosts: true`, None when the value is
    not a literal this can read."""
    found = re.findall(r"allowedHosts\s*:\s*(true\b|\[[^\]]*\]|[^,}\s]+)", text)
    if not found:
        return []
    # preview's own setting comes after server's in most configs; preview falls back to server's
    value = found[-1] if server == "preview" else found[0]
    if value == "true":
        return True
    if not value.startswith("["):
        return None
    if not re.fullmatch(r"""\[\s*(?:(['"])[^'"]*\1\s*(?:,\s*)?)*\]""", value):
        return None
    names = re.findall(r"""['"]([^'"]*)['"]""", value)
    # vite compares names as strings: compose service names (`flower_pages`) are common
    if any(not re.fullmatch(r"\.?[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*", n) for n in names):
        return None
    return names


def package_major(context: Context, root: str, package: dict, name: str) -> int | None:
    """The major version of `name` the project gets: the lockfile's, else the one its package.json
    range starts from (`^4.4.5` -> 4), else None."""
    locked = locked_version(context, root, name)
    if locked:
        return locked[0]
    for key in ("dependencies", "devDependencies"):
        deps = package.get(key) if isinstance(package, dict) else None
        spec = deps.get(name) if isinstance(deps, dict) else None
        m = re.match(r"\s*[\^~>=v]*\s*(\d+)", spec) if isinstance(spec, str) else None
        if m:
            return int(m.group(1))
    return None
