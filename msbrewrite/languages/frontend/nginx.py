"""The nginx runtime of a static site: its image, port, config and user.

Decides the nginx image (unprivileged, or the root image when the original ran as root, on a
privileged port, or with its own full nginx.conf), the port it listens on, the config (the
project's own, else one with an SPA fallback, gzip and cache headers for the framework's
hashed assets, under the site's base path) and the EXPOSE, USER and HEALTHCHECK that follow.
"""
from __future__ import annotations

import posixpath
import re

from msbrewrite.rules import runtime
from msbrewrite.model.analysis import is_root_user
from msbrewrite.model.bases import describe
from msbrewrite.model.plan import MOVED, REMOVED, REWRITTEN
from msbrewrite.languages.templates import render_template
from msbrewrite.rules.runtime_user import PRIVILEGED_PORT
from msbrewrite.languages.frontend import config as cfg
from msbrewrite.languages.frontend.detect import NAME

UNPRIVILEGED = "nginxinc/nginx-unprivileged:stable-alpine"
ROOT_NGINX = "nginx:stable-alpine"
DEBIAN_NGINX = "nginx:stable"
HTML = "/usr/share/nginx/html"
CONF_DEST = "/etc/nginx/conf.d/default.conf"
CONF_TMP = "/tmp/nginx-default.conf"
UNPRIVILEGED_PORT = 8080
# content-hashed build files, per framework: safe to cache for a year
# dev servers built on webpack-dev-server: the Accept headers their history fallback takes for a
# page (any path, dots too): Angular's and Vue CLI's only HTML ones, Create React App's also */*
WEBPACK_DEV = {"angular": "text/html|application/xhtml\\+xml", "vue-cli": "text/html|application/xhtml\\+xml",
               "cra": "text/html|\\*/\\*"}
# Vue CLI before 5 left connect-history-api-fallback's default Accept list: */* as well
VUE_CLI_4_ACCEPT = "text/html|\\*/\\*"
# vite 5 on: HTML, */* or no Accept header at all
VITE_ACCEPT = "text/html|\\*/\\*|^$"
# Angular's Vite-based dev server (17+): HTML, text/*, */* or no Accept header, and never for a path
# that names an asset by its file type (a missing .png or .js stays a 404; .html gets the shell)
ANGULAR_VITE_ACCEPT = "text/html|text/\\*|\\*/\\*|^$"
ASSET_SUFFIX = ("\\.(js|mjs|cjs|css|map|json|txt|xml|csv|pdf|png|jpe?g|gif|svg|ico|webp|avif|bmp|"
                "woff2?|ttf|otf|eot|mp4|webm|ogg|mp3|wav|zip|gz|wasm|webmanifest)$")
IMMUTABLE = {
    "vite": ["^~ /assets/"], "docusaurus": ["^~ /assets/"], "cra": ["^~ /static/"],
    "sveltekit": ["^~ /_app/immutable/"], "astro": ["^~ /_astro/"], "next": ["^~ /_next/static/"],
    "nuxt": ["^~ /_nuxt/"], "gatsby": ["^~ /static/"],
    "vue-cli": ['~ "^/(js|css|img|fonts|media)/.+\\.[0-9a-f]{8}\\."'],
    "angular": ['~ "^/[^/]+[.-]([0-9a-f]{16,20}|[0-9A-Z]{8})\\.(js|css)$"'],
}
HEX_HASHED = '~ "[.-][0-9a-f]{8,}\\.(js|mjs|css)$"'
# frameworks that prerender one HTML file per page (/about -> about.html)
PAGE_FRAMEWORKS = {"next", "gatsby", "astro", "sveltekit", "docusaurus", "nuxt", "eleventy"}
NGINX_CONF_NAMES = ("nginx.conf", "default.conf", "nginx/nginx.conf", "nginx/default.conf", "conf/nginx.conf",
                    "config/nginx.conf", ".nginx/nginx.conf", "nginx/conf.d/default.conf")


class NginxServer:
    """nginx decisions for FrontendPlanner (which holds facts, site, plan, options)."""

    def own_config(self) -> tuple[str, str, str] | None:
        """(builder path, runtime path, text) of an nginx config from the context the original copied."""
        facts = self.facts
        if not facts.context:
            return None
        cwd = self.site.project_dir or facts.workdir
        for name in NGINX_CONF_NAMES:
            path = posixpath.join(cwd, name)
            rel = facts.context_path(path)
            if rel is None or not facts.context.exists(rel) or facts.context.is_dir(rel):
                continue
            text = facts.context.read(rel) or ""
            if "server" not in text:
                continue
            full = re.search(r"(?m)^[ \t]*(http|events)\s*\{", text) is not None
            return path, "/etc/nginx/nginx.conf" if full else CONF_DEST, text
        return None

    def port_and_base(self, own: tuple[str, str, str] | None) -> tuple[int, str]:
        facts, site, plan, options = self.facts, self.site, self.plan, self.options
        exposed = runtime._exposed_ports(facts)
        # the port the server really listened on keeps `docker run -p` mappings working
        original = site.listen or (exposed[0] if exposed else site.port)
        if own:
            m = re.search(r"(?m)^[ \t]*listen\s+(?:[\w.\[\]:]*:)?(\d+)", own[2])
            original = int(m.group(1)) if m else 80
        want = options.user
        root_user = is_root_user(facts.user)
        privileged = original is not None and original < PRIVILEGED_PORT
        full_config = bool(own and own[1].endswith("nginx.conf"))
        slim = options.flavour(NAME) == "slim"
        if options.flavour(NAME) in ("distroless", "scratch"):
            plan.warnings.append(f"--runtime {options.flavour(NAME)} does not apply: static files need a web "
                                 "server, so the runtime is nginx")
        if want == "root" or (want is None and (root_user or (privileged and facts.user is None) or full_config)):
            port = original or 80
            why = ("you asked for root" if want == "root" else
                   "the original ran as root" if root_user else
                   "the context's nginx.conf replaces the main config (user, pid) of the root image"
                   if full_config else f"the original listened on port {port} and set no USER")
            plan.decisions.append(f"runtime {ROOT_NGINX if not slim else DEBIAN_NGINX} on port {port} "
                                  f"(nginx master as root, workers as nginx): {why}")
            return port, ROOT_NGINX if not slim else DEBIAN_NGINX
        port = original if original and not privileged else UNPRIVILEGED_PORT
        if original and privileged:
            plan.decisions.append(f"port {original} moved to {port}: the unprivileged nginx cannot bind below 1024")
        elif original:
            plan.decisions.append(f"nginx listens on {port}, the port the original served on")
        plan.decisions.append("runtime nginx-unprivileged: runs as uid 101, no root needed")
        base = UNPRIVILEGED if not slim else "nginxinc/nginx-unprivileged:stable"
        return port, base

    def public_base(self) -> str | None:
        """The URL path the build expects to be served under (vite `base`...), once per conversion."""
        if "public_base" not in self.plan.extra:
            site = self.site
            root = site.project.root if site.project else None
            found = cfg.public_base(self.facts.context, root, site.framework, site.build.argv if site.build else [],
                                    site.project.package if site.project else {}) if root is not None else None
            self.plan.extra["public_base"] = found[0] if found else None
            if found:
                self.plan.decisions.append(f"the site is built for the base path {found[0]} ({found[1]}): nginx "
                                           f"serves it there and redirects / to it")
        return self.plan.extra["public_base"]

    def nginx_config(self, port: int) -> str:
        fw = self.site.framework
        base = self.public_base() or "/"
        # hashed asset folders live under the base path too
        immutable = [loc.replace("^~ /", "^~ " + base, 1) for loc in IMMUTABLE.get(fw or "", [HEX_HASHED])]
        spa = self.site.no_fallback is None
        if not spa:
            self.plan.decisions.append(f"no SPA fallback in nginx: the original's {self.site.no_fallback} answered "
                                       "404 for a missing path, and so does the runtime")
        kind = self.site.static_kind
        clean_urls = kind == "serve"
        listing = not spa and self.site.lists_dirs
        if listing:
            self.plan.decisions.append(f"nginx lists a folder without index.html, as the original's "
                                       f"{self.site.no_fallback} did")
        # the servers whose answers nginx follows beyond the fallback: serve's clean URLs (and its
        # shell for every missing path), vite preview's shell for clients that accept HTML
        shell = None if not spa else "all"
        if spa and kind == "vite-preview":
            # vite 5 on sends the shell to any client that accepts HTML; vite 4 (sirv's single
            # mode) to any client, but never for a path whose last segment has a dot
            shell = "nodot" if (self.vite_major() or 5) < 5 else "html"
        named_shell = spa and kind in ("serve", "vite-preview")
        webpack_dev = spa and not named_shell and self.site.dev_server and self.site.framework in WEBPACK_DEV
        vite_dev = spa and not named_shell and bool(self.site.dev_server) and fw == "vite" and \
            (self.vite_major() or 5) >= 5
        accept = VITE_ACCEPT
        if vite_dev:
            # vite's dev server (5 on) sends the shell to a client that accepts HTML, */* or sends no
            # Accept header, whatever the path; an API call asking for JSON gets a 404
            shell, named_shell = "html", True
            self.plan.decisions.append(f"nginx answers a missing path with the app shell when the client's Accept "
                                       f"header matches {accept!r}, as vite's dev server did")
        elif webpack_dev and self.site.framework == "angular" and self.angular_vite():
            # Angular 17+'s dev server runs on Vite: the shell for a page a client may accept, not for
            # an asset named by its file type
            shell, named_shell, accept = "html-page", True, ANGULAR_VITE_ACCEPT
        elif webpack_dev:
            # webpack's dev server sends the shell to a client that accepts a page: a missing image
            # or script fetched by a page stays a 404 (for Angular and Vue CLI)
            shell, named_shell, accept = "html", True, WEBPACK_DEV[self.site.framework]
            if self.site.framework == "vue-cli" and (self.package_major("@vue/cli-service") or 4) < 5:
                accept = VUE_CLI_4_ACCEPT
        if clean_urls:
            self.plan.decisions.append("nginx follows serve's clean URLs: /page.html redirects to /page, which "
                                       "serves page.html")
        if webpack_dev:
            self.plan.decisions.append(f"nginx answers a missing path with the app shell when the client's Accept "
                                       f"header matches {accept!r}, as the {self.site.framework} dev server's history "
                                       "fallback did" + (", unless the path names an asset by its file type"
                                                         if shell == "html-page" else ""))
        elif named_shell and not vite_dev:
            self.plan.decisions.append(
                "nginx answers a missing path with the app shell, as " + {
                    "all": "serve -s did, a missing build file too",
                    "html": "vite preview did when the client accepts HTML, a missing build file too",
                    "nodot": "vite 4's preview did, unless the last part of the path has a dot"}[shell])
        hosts = self.vite_hosts("preview") if kind == "vite-preview" else self.vite_hosts("server") if vite_dev else None
        return render_template("nginx-spa.conf.j2",
            port=port, root=HTML, immutable=immutable, pages=fw in PAGE_FRAMEWORKS,
            base=base, spa=spa, listing=listing, clean_urls=clean_urls, shell=shell, named_shell=named_shell,
            assets_shell=named_shell, hosts=hosts, ext=self.site.default_ext, accept=accept,
            vite_favicon=shell == "html" and (vite_dev or kind == "vite-preview"),
            asset_suffix=ASSET_SUFFIX).strip("\n") + "\n"

    def angular_vite(self) -> bool:
        site = self.site
        if site.project is None or not self.facts.context:
            return False
        return cfg.angular_vite_dev_server(self.facts.context, site.project.root)

    def vite_major(self) -> int | None:
        return self.package_major("vite")

    def package_major(self, name: str) -> int | None:
        """The major version of a package the project uses (its lock file first), when the context says."""
        site = self.site
        if site.project is None or not self.facts.context:
            return None
        return cfg.package_major(self.facts.context, site.project.root, site.project.package, name)

    def vite_hosts(self, server: str) -> str | None:
        """The Host check of vite's `preview` or dev `server` as an nginx regex (localhost, IP addresses
        and the config's allowedHosts), or None where it makes none: an older vite, `allowedHosts: true`,
        a value that is not a literal list (then the report says so), or no context to read."""
        site, facts = self.site, self.facts
        root = site.project.root if site.project else None
        if root is None or not facts.context:
            return None
        version = cfg.locked_version(facts.context, root, "vite")
        if version and not cfg.vite_checks_hosts(version):
            return None
        found = cfg.read_config(facts.context, root, "vite.config")
        listed = cfg.vite_allowed_hosts(found[1] if found else "", server)
        who = "vite preview" if server == "preview" else "vite's dev server"
        if listed is None:
            self.plan.decisions.append("vite's allowedHosts is not a literal list: nginx answers every Host, where "
                                       f"{who} answered only the hosts it allows")
            return None
        if listed is True:
            return None
        names = ["localhost", ".+\\.localhost", "[0-9.]+", "\\[[0-9a-f:.]+\\]"] + [
            ("(.+\\.)?" if h.startswith(".") else "") + re.escape(h.lstrip(".")).replace("\\-", "-")
            for h in listed]
        self.plan.decisions.append(f"nginx answers 403 to a Host {who} did not allow (it allows localhost, IP "
                                   "addresses" + "".join(f", {h}" for h in listed) + ")")
        return "^(" + "|".join(names) + ")$"

    def write_config_step(self, text: str) -> None:
        esc = self.facts.dockerfile.escape
        lines = ["    " + _sh_quote(line) + f" {esc}" for line in text.splitlines()]
        self.plan.builder_append.append(
            "# nginx config for the runtime stage: SPA fallback, gzip, cache headers\n"
            "# hadolint ignore=SC2016\n"      # $uri is nginx's variable, not the shell's
            f"RUN printf '%s\\n' {esc}\n" + "\n".join(lines) + f"\n    > {CONF_TMP}")

    def expose(self, port: int) -> None:
        plan = self.plan
        meta, placed = [], False
        for entry in plan.runtime_meta:
            lines = entry.split("\n")
            first = next((k for k, line in enumerate(lines) if not line.lstrip().startswith("#")), len(lines))
            if not re.match(r"(?i)\s*EXPOSE\b", "\n".join(lines[first:])):
                meta.append(entry)
                continue
            # one EXPOSE of the new port; the comments above the old ones stay
            kept = lines[:first] + ([] if placed else [f"EXPOSE {port}"])
            placed = True
            if kept:
                meta.append("\n".join(kept))
        plan.runtime_meta[:] = meta + ([] if placed else [f"EXPOSE {port}"])
        for ins in self.facts.stage.instructions:
            if ins.keyword == "EXPOSE":
                if ins.args.split() == [str(port)]:
                    plan.fate(ins, MOVED, "nginx listens on the same port")
                else:
                    plan.fate(ins, REWRITTEN, f"nginx listens on {port}")

    def user(self, base: str) -> None:
        facts, plan, want = self.facts, self.plan, self.options.user
        if facts.user_ins is not None and plan.fates[facts.user_ins.index].fate == MOVED:
            plan.fate(facts.user_ins, REMOVED, "the nginx image runs as its own user")
        if want and want not in ("root", "nonroot"):
            if base.startswith("nginxinc/") and re.fullmatch(r"\d+(:\d+)?", want):
                plan.user = want
            else:
                plan.warnings.append(f"--user {want} ignored: nginx runs as its own user (uid 101)")

    def healthcheck(self, port: int) -> None:
        facts, plan = self.facts, self.plan
        checks = [i for i in facts.stage.instructions if i.keyword == "HEALTHCHECK"]
        runtime._healthcheck(facts, plan, describe(plan.runtime_base))
        if not checks or not plan.healthcheck:
            return
        site = self.site
        old = [site.listen] if site.listen else runtime._exposed_ports(facts)[:1] or ([site.port] if site.port else [])
        if old and old[0] != port:
            new = re.sub(rf"(?<=:){old[0]}\b", str(port), plan.healthcheck)
            if new != plan.healthcheck:
                plan.healthcheck = new
                plan.fate(checks[-1], REWRITTEN, f"probes nginx on port {port}")


def _sh_quote(line: str) -> str:
    return "'" + line.replace("'", "'\"'\"'") + "'"
