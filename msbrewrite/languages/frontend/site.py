"""What a frontend Dockerfile builds and how the original served it.

Reads the stage (build commands, the CMD, global tool installs, copies into a web
root) and, when present, the context's package.json and framework configs. The
result, a `Site`, says whether the image is a set of static files and where they are.
"""
from __future__ import annotations

import posixpath
import re
from urllib.parse import urlsplit

from msbrewrite.model.analysis import StageFacts, command_argv
from msbrewrite.model.plan import Evidence
from msbrewrite.model.shell import Command, option_value, shell_script, split_words
from msbrewrite.languages.frontend import config as cfg
from msbrewrite.languages.frontend.commands import global_installs, local_installs, script_call, tool_argv
from msbrewrite.languages.frontend.static_servers import (STATIC_SERVERS, has_spa_fallback, lists_directories,
                                                          port_arg, served_dir)
from msbrewrite.support import lazy_re
from msbrewrite.support.records import field, record

# build tools run directly -> framework
BUILD_TOOLS = {
    ("ng", "build"): "angular", ("vite", "build"): "vite", ("react-scripts", "build"): "cra",
    ("vue-cli-service", "build"): "vue-cli", ("next", "build"): "next", ("next", "export"): "next",
    ("gatsby", "build"): "gatsby", ("astro", "build"): "astro", ("nuxt", "generate"): "nuxt",
    ("nuxi", "generate"): "nuxt", ("docusaurus", "build"): "docusaurus", ("parcel", "build"): "parcel",
}
# dev servers (never meant for production) -> framework
DEV_SERVERS = {
    ("ng", "serve"): "angular", ("react-scripts", "start"): "cra", ("vue-cli-service", "serve"): "vue-cli",
    ("vite", ""): "vite", ("vite", "dev"): "vite", ("vite", "serve"): "vite",
}
# globally installed tools -> framework
GLOBAL_TOOLS = {"@angular/cli": "angular", "@vue/cli": "vue-cli", "@vue/cli-service": "vue-cli",
                "react-scripts": "cra", "gatsby-cli": "gatsby", "vite": "vite"}
ENV_PREFIXES = (("REACT_APP_", "cra"), ("VUE_APP_", "vue-cli"), ("VITE_", "vite"), ("GATSBY_", "gatsby"))
# default listening port of each way of serving
TOOL_PORTS = {"gatsby": 9000, "docusaurus": 3000, "serve": 3000, "http-server": 8080, "sirv": 8080, "vite-preview": 4173, "vite": 5173,
              "angular": 4200, "cra": 3000, "vue-cli": 8080}
# static servers whose port without a flag is known: $PORT, else their default (vite preview reads its config)
FIXED_PORT_SERVERS = ("serve", "http-server")
# the script a framework's `npm start` / `npm run dev` runs
DEV_SCRIPTS = {"cra": ("start",), "angular": ("start",), "vue-cli": ("serve",), "vite": ("dev", "start")}
# Node server programs: the image is an application server, not a set of files
SERVER_PROGRAMS = ("node", "nodemon", "pm2", "pm2-runtime", "ts-node", "tsx", "forever", "bun", "deno")
SERVER_SUBCOMMANDS = {("next", "start"), ("nuxt", "start"), ("nuxt", "preview"), ("remix-serve", ""),
                      ("astro", "preview")}
WEB_ROOTS = ("/usr/share/nginx/html", "/var/www", "/srv", "/usr/local/apache2/htdocs", "/usr/share/caddy")
WEB_SERVER_IMAGES = ("nginx", "caddy", "httpd", "nginx-unprivileged", "openresty")
SOURCE_ONLY = lazy_re.compile(r"(^|/)(package(-lock)?\.json|package\*\.json|yarn\.lock|pnpm-lock\.yaml|"
                              r"npm-shrinkwrap\.json|\.npmrc|\.yarnrc(\.yml)?)$")


@record
class Site:
    static: bool = False
    reason: str = ""                       # why it is (or is not) a static site
    framework: str | None = None
    evidence: list[Evidence] = field(default_factory=list)
    build: Command | None = None           # the command that builds the site
    build_script: str | None = None        # its npm script text, when known
    build_line: int | None = None
    served: str | None = None              # builder dir the original CMD served
    served_why: str = ""
    dev_server: str | None = None          # CMD runs a dev server (needs a production build)
    static_server: bool = False            # CMD runs a static file server (serve, http-server, vite preview)
    no_fallback: str | None = None         # that server answers 404 for a missing path (no SPA fallback): which
    lists_dirs: bool = False               # that server lists a folder without index.html (http-server, serve)
    static_kind: str | None = None          # which static server: serve, http-server, sirv, vite-preview, ...
    default_ext: str | None = None          # the extension it tries for a path without one (http-server: html)
    serves_files: bool = False             # CMD or installs point at a static file server
    node_server: bool = False              # CMD or package.json show an application server
    port: int | None = None                # where the original listened: its CMD flag, else the tool default
    listen: int | None = None              # the port named on the CMD itself (beats EXPOSE)
    web_server: str | None = None          # nginx/caddy/httpd already in the original image
    web_roots: list[str] = field(default_factory=list)
    web_configs: list[str] = field(default_factory=list)
    project: cfg.Project | None = None
    project_dir: str | None = None          # builder dir holding package.json
    runner: str = "npm"                     # npm | yarn | pnpm

    def add(self, signal: str, where: str, weight: float) -> None:
        self.evidence.append(Evidence(signal, where, weight))

    @property
    def score(self) -> float:
        return sum(e.weight for e in self.evidence)


class SiteReader:
    def __init__(self, facts: StageFacts):
        self.facts = facts
        self.site = Site()

    # ------------------------------------------------------------------ context
    def project(self, cwd: str) -> cfg.Project | None:
        facts = self.facts
        rel = facts.context_path(posixpath.join(cwd, "package.json"))
        if rel is not None and facts.context.exists(rel):
            return cfg.load_project(facts.context, posixpath.dirname(rel))
        return None

    def script_argv(self, name: str) -> list[str] | None:
        """argv of the first command of an npm script, from package.json."""
        project = self.site.project
        if not project or name not in project.scripts:
            return None
        text = project.scripts[name]
        for part in re.split(r"&&|;|\|\|", text):
            words = [w for w in split_words(part) if not re.match(r"^[A-Z_][A-Z0-9_]*=", w)]
            if words and words[0] in ("cross-env", "env"):
                words = [w for w in words[1:] if "=" not in w]
            argv = tool_argv(words)
            if argv and argv[0] not in ("tsc", "rimraf", "rm", "echo", "npm", "yarn", "pnpm", "vue-tsc",
                                       "svelte-kit", "eslint", "cp", "mkdir"):
                return argv
        return None

    # ------------------------------------------------------------------ stage
    def read(self) -> Site:
        facts, site = self.facts, self.site
        self._web_server()
        self._installs()
        self._build()
        cwd = site.build.cwd if site.build else facts.workdir
        site.project_dir = cwd
        site.project = self.project(cwd) or (self.project(facts.workdir) if site.build else None)
        if site.project:
            self._from_project()
        self._cmd()
        self._decide()
        return site

    def _web_server(self) -> None:
        facts, site = self.facts, self.site
        name = facts.image_name
        if name in WEB_SERVER_IMAGES:
            site.web_server = "nginx" if "nginx" in name or name == "openresty" else name
        elif "nginx" in facts.packages:
            site.web_server = "nginx"
        if not site.web_server:
            return
        for step in facts.steps:
            for c in step.commands:
                if c.program in ("cp", "mv") and len(c.argv) >= 3:
                    dest = posixpath.normpath(posixpath.join(c.cwd, c.argv[-1]))
                    if any(dest == r or dest.startswith(r + "/") for r in WEB_ROOTS):
                        self._root(dest, f"Dockerfile:{step.ins.lineno}")
        for cp in facts.copies:
            dest = posixpath.normpath(cp.dest)
            if any(dest == r or dest.startswith(r + "/") for r in WEB_ROOTS):
                self._root(dest, f"Dockerfile:{cp.ins.lineno}")
            elif dest.startswith(("/etc/nginx", "/etc/caddy", "/usr/local/apache2/conf")):
                for src in cp.sources:
                    path = posixpath.join(dest, posixpath.basename(src)) if cp.dest.endswith("/") or \
                        dest in ("/etc/nginx", "/etc/caddy", "/etc/nginx/conf.d") else dest
                    if path not in site.web_configs:
                        site.web_configs.append(path)

    def _root(self, dest: str, where: str) -> None:
        if dest not in self.site.web_roots:
            self.site.web_roots.append(dest)
            self.site.add(f"site copied into the web root {dest}", where, 3)

    def _installs(self) -> None:
        site = self.site
        for step in self.facts.steps:
            for c in step.commands:
                for pkg in global_installs(c) + local_installs(c):
                    if pkg in GLOBAL_TOOLS:
                        site.framework = site.framework or GLOBAL_TOOLS[pkg]
                        site.add(f"installs {pkg}", f"Dockerfile:{step.ins.lineno}", 1)
                    elif pkg in STATIC_SERVERS:
                        site.serves_files = True
                        site.add(f"installs the static file server {pkg}", f"Dockerfile:{step.ins.lineno}", 1.5)
                if c.program in ("yarn", "pnpm"):
                    site.runner = c.program
        # framework-specific prefixes of build-time variables name the framework (weaker than tools)
        for name in sorted(set(self.facts.env) | set(self.facts.arg_instructions)):
            for prefix, framework in ENV_PREFIXES:
                if name.startswith(prefix) and not site.framework:
                    site.framework = framework
                    site.add(f"{prefix}* build variable", "Dockerfile", 0.5)

    def _build(self) -> None:
        site = self.site
        for step in self.facts.steps:
            for c in step.commands:
                argv = tool_argv(c.argv)
                key = (argv[0], argv[1] if len(argv) > 1 else "") if argv else ("", "")
                call = script_call(c.argv)
                if key in BUILD_TOOLS:
                    # `vite build` also builds SvelteKit/Astro apps: a framework known already wins
                    if key != ("vite", "build") or not site.framework:
                        site.framework = BUILD_TOOLS[key]
                    site.build, site.build_line = Command(argv, c.env, c.cwd), step.ins.lineno
                    site.add(f"{' '.join(argv[:2])}", f"Dockerfile:{step.ins.lineno}", 2)
                elif call and re.match(r"^(build|generate|export)([:-]\w+)*$", call[1]):
                    site.build, site.build_line = c, step.ins.lineno
                    site.build_script = call[1]
                    site.add(f"{call[0]} run {call[1]}", f"Dockerfile:{step.ins.lineno}", 1.5)

    def _from_project(self) -> None:
        site = self.site
        project = site.project
        framework = project.framework()
        if framework:
            site.framework = framework
            site.add(f"package.json depends on {framework}", "context:" + posixpath.join(project.root, "package.json"), 1.5)
        if site.build_script:
            argv = self.script_argv(site.build_script)
            if argv:
                key = (argv[0], argv[1] if len(argv) > 1 else "")
                if key in BUILD_TOOLS and not framework:
                    site.framework = BUILD_TOOLS[key]     # the dependencies name the more specific framework
                site.build = Command(argv, site.build.env, site.build.cwd)

    def _cmd(self) -> None:
        facts, site = self.facts, self.site
        ins = facts.entrypoint or facts.cmd
        argv = command_argv(facts.entrypoint) or []
        argv = argv + (command_argv(facts.cmd) or []) if argv[:1] in (["docker-entrypoint.sh"], []) else argv
        if argv[:1] == ["docker-entrypoint.sh"]:
            argv = argv[1:]
        if not argv or ins is None:
            return
        kept = _needs_its_server(shell_script(argv) if ins.is_json else ins.args, argv)
        if kept:
            site.reason, site.node_server = kept, True
            return
        where = f"Dockerfile:{ins.lineno}"
        call = script_call(argv)
        resolved = tool_argv(argv)
        script = None
        if call:
            script = call[1]
            from_pkg = self.script_argv(script)
            if from_pkg:
                resolved = from_pkg + call[2]
        prog = resolved[0] if resolved else ""
        sub = resolved[1] if len(resolved) > 1 and not resolved[1].startswith("-") else ""
        served = served_dir(resolved)
        if served:
            d, port, server = served
            site.static_server = site.serves_files = True
            site.static_kind = server
            if server == "http-server":
                ext = option_value(resolved, "-e", "--ext") or "html"
                site.default_ext = ext.lstrip(".") if re.fullmatch(r"\.?\w+", ext) else None
            if not has_spa_fallback(server, resolved):
                site.no_fallback = " ".join(resolved[:1])
                site.lists_dirs = lists_directories(server, resolved)
            if port is None and server in FIXED_PORT_SERVERS:
                # no port flag: these listen on $PORT, else their default, whatever EXPOSE documents
                env_port = facts.env.get("PORT", "")
                port = int(env_port) if env_port.isdigit() else TOOL_PORTS[server]
            site.listen = port
            site.port = port or TOOL_PORTS.get(server)
            if d:
                site.served = posixpath.normpath(posixpath.join(facts.workdir, d))
                site.served_why = f"the directory `{' '.join(resolved[:1])}` served"
            elif server == "vite-preview":
                site.framework = site.framework or "vite"
            elif server in ("gatsby", "docusaurus"):
                site.framework = server
            site.add(f"CMD serves static files ({' '.join(resolved[:2])})", where, 2)
            return
        if prog in ("nginx", "caddy", "httpd", "apache2ctl", "httpd-foreground") and site.web_server:
            site.add(f"CMD runs {prog}", where, 1)
            return
        if (prog, sub) in DEV_SERVERS:
            site.framework = site.framework or DEV_SERVERS[(prog, sub)]
            site.dev_server = " ".join(argv)
            site.listen = port_arg(resolved, "--port", "-p")
            site.port = site.listen or TOOL_PORTS.get(site.framework or "")
            site.add(f"CMD runs the {prog} dev server", where, 2)
            return
        if prog in SERVER_PROGRAMS or (prog, sub) in SERVER_SUBCOMMANDS or \
                (prog == "next" and sub in ("start", "dev")):
            site.reason = f"CMD runs {' '.join(resolved[:2])}: a Node server"
            site.node_server = True
            return
        if call and not site.project:
            # no package.json to read: judge the script by its conventional name
            fw = site.framework
            if script in DEV_SCRIPTS.get(fw or "", ()):
                site.dev_server = " ".join(argv)
                site.listen = port_arg(argv, "--port", "-p")
                site.port = site.listen or TOOL_PORTS.get(fw)
                site.add(f"CMD `{' '.join(argv[:3])}` runs the {fw} dev server", where, 2)
            elif script in ("serve", "preview"):
                site.serves_files = True
                site.port = site.listen = port_arg(argv, "--port", "-p")
                site.add(f"CMD `{' '.join(argv[:3])}` serves the build (script not readable without the context)",
                         where, 1)
            elif script in ("start", "dev") or not site.evidence:
                site.reason = f"CMD `{' '.join(argv)}` runs a script that may be a Node server"
        elif call and site.project and script not in site.project.scripts:
            site.reason = f"CMD runs the npm script {script!r}, which package.json does not define"

    def _decide(self) -> None:
        facts, site = self.facts, self.site
        project = site.project
        if project and not site.reason:
            deps = project.deps
            server_deps = [d for d in cfg.SERVER_DEPS if d in deps]
            start = project.scripts.get("start", "")
            if server_deps and not site.static_server and not site.web_server and \
                    (re.search(r"\bnode\b|nodemon|ts-node", start) or not site.dev_server):
                site.reason = f"package.json depends on {server_deps[0]}: a Node server that also builds assets"
                site.node_server = True
            if site.framework == "next":
                static, _, _ = cfg.next_export(facts.context, project.root)
                if not static and not (site.build and site.build.argv[:2] == ["next", "export"]) \
                        and "next export" not in " ".join(project.scripts.values()) and not site.served:
                    site.reason = "Next.js without `output: 'export'`: it needs the Next server"
            if site.framework == "astro" and cfg.astro_is_server(facts.context, project.root):
                site.reason = "Astro with `output: 'server'`: it needs the Node server"
            if site.framework == "sveltekit":
                adapter, _ = cfg.svelte_adapter(facts.context, project.root)
                if adapter != "@sveltejs/adapter-static" and not site.served:
                    site.reason = f"SvelteKit with {adapter or 'no static adapter'}: it needs a server"
            if site.framework == "nuxt" and not (site.build and "generate" in site.build.argv):
                site.reason = "Nuxt built with `nuxt build`: it needs the Nitro server"
            if site.reason:
                site.node_server = True
        if site.reason:
            site.static = False
            return
        has_build = site.build is not None
        if site.web_server and site.web_roots:
            site.static, site.reason = True, f"the site is served by {site.web_server} from {site.web_roots[0]}"
        elif site.serves_files and (has_build or site.served):
            site.static, site.reason = True, "a build served as static files"
        elif site.dev_server and site.framework:
            site.static = True
            site.reason = f"CMD runs the {site.framework} dev server; production serves the built files"
        elif has_build and site.framework in cfg.DEFAULT_OUT and site.framework not in ("next", "nuxt") \
                and facts.cmd is None and facts.entrypoint is None:
            # nothing runs in the image: its product is the build output
            site.static, site.reason = True, f"{site.framework} build"
        else:
            site.static = False
            site.reason = site.reason or "no static site build or static file server found"


_BACKGROUND = lazy_re.compile(r"(?<![&|>])&(?![&>])")
_SELF_HOSTS = {"localhost", "127.0.0.1", "0.0.0.0", "::1"}     # as urlsplit reads them


def _needs_its_server(line: str | None, argv: list[str]) -> str | None:
    """Why nginx cannot stand in for the start command: it also starts another process in the
    background (`node api.js & http-server dist`), or http-server passes the paths it has no file
    for to a backend (`--proxy http://api:9000`; a proxy to itself is the usual SPA fallback).
    `line`: the shell line the command runs (shell form, or `sh -c`), else None; `argv` its words."""
    if line and _BACKGROUND.search(line):
        return f"the start command also runs other processes in the background ({line[:60]})"
    words = split_words(line) if line else argv
    if "http-server" not in {posixpath.basename(w) for w in words}:
        return None
    target = option_value(words, "-P", "--proxy")
    if not target:
        return None
    parts = urlsplit(target if "://" in target else "http://" + target)
    port = port_arg(words, "-p", "--port") or 8080
    if parts.hostname in _SELF_HOSTS and (parts.port or 80) == port:
        return None
    return (f"http-server passes the paths it has no file for to {target}: nginx would answer them with "
            "index.html, so the original server stays")
