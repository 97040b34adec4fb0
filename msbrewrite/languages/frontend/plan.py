"""Frontend and static sites: built with Node in the builder, served by nginx.

The runtime receives only the build output (Vite dist/, CRA build/, Angular
dist/<app>/browser, Next export out/, ...) and an nginx config with an SPA fallback,
gzip and cache headers. The config is written by a `printf` step appended to the
builder (no heredocs: Docker Engine 20.10 must build it) and copied across.
"""
from __future__ import annotations

import posixpath
import re

from msbrewrite.rules import runtime
from msbrewrite.model.analysis import StageFacts, command_argv, is_root_user
from msbrewrite.model.bases import describe, with_digest, with_mirror
from msbrewrite.model.options import Options
from msbrewrite.model.plan import MOVED, REMOVED, REWRITTEN, BuildPlan, Detection, Refusal
from msbrewrite.model.quoting import sh, sh_glob
from msbrewrite.languages.templates import environment
from msbrewrite.rules.runtime_user import PRIVILEGED_PORT
from msbrewrite.languages.frontend import config as cfg
from msbrewrite.languages.frontend.site import SOURCE_ONLY, WEB_SERVER_IMAGES, Site, SiteReader
from msbrewrite.languages.frontend.detect import NAME, read_site

UNPRIVILEGED = "nginxinc/nginx-unprivileged:stable-alpine"
ROOT_NGINX = "nginx:stable-alpine"
DEBIAN_NGINX = "nginx:stable"
HTML = "/usr/share/nginx/html"
CONF_DEST = "/etc/nginx/conf.d/default.conf"
CONF_TMP = "/tmp/nginx-default.conf"
COLLECT_DIR = "/tmp/site"
UNPRIVILEGED_PORT = 8080
PUBLIC_ENV = re.compile(r"^(VITE_|REACT_APP_|NEXT_PUBLIC_|VUE_APP_|NG_APP_|PUBLIC_|GATSBY_|NUXT_PUBLIC_)")
# content-hashed build files, per framework: safe to cache for a year
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
# candidate output folders when nothing names the folder (checked in this order)
COLLECT_CANDIDATES = ("dist/index.html", "build/index.html", "out/index.html", "dist/*/browser/index.html",
                      "dist/*/index.html", "www/index.html", "_site/index.html")
NGINX_CONF_NAMES = ("nginx.conf", "default.conf", "nginx/nginx.conf", "nginx/default.conf", "conf/nginx.conf",
                    "config/nginx.conf", ".nginx/nginx.conf", "nginx/conf.d/default.conf")


def is_static_frontend(facts: StageFacts) -> tuple[bool, str]:
    """True when the image only serves files a Node build produced (the Node module steps aside)."""
    site = read_site(facts)
    return site.static, site.reason


def node_decision(facts: StageFacts) -> str | None:
    """For the Node module's report: why a stage that builds frontend assets stays a Node conversion."""
    site = read_site(facts)
    if site.static or site.build is None:
        return None
    return (f"frontend build at line {site.build_line} kept with the Node server, not served by nginx: "
            f"{site.reason}")


class FrontendPlanner:
    def __init__(self, facts: StageFacts, options: Options):
        self.facts = facts
        self.options = options
        self.site = read_site(facts)
        self.plan = BuildPlan(NAME, "frontend.Dockerfile.j2", UNPRIVILEGED)

    # ------------------------------------------------------------ checks
    def check(self) -> None:
        facts, site = self.facts, self.site
        if not site.static and self.options.language != NAME:
            raise Refusal(f"not a static site: {site.reason}", reason="not-static")
        if site.node_server:
            raise Refusal(f"not a static site: {site.reason}; convert it as Node", reason="node-server")
        uses_node = any(c.program in ("npm", "yarn", "pnpm", "npx", "node", "ng") for c in facts.commands())
        has_node = facts.image_name in ("node", "nodejs") or {"nodejs", "npm"} & set(facts.packages) or \
            any(c.program in ("curl", "wget") and "nodesource" in " ".join(c.argv) for c in facts.commands())
        if site.web_server and facts.image_name in WEB_SERVER_IMAGES and not uses_node and site.build is None:
            raise Refusal(f"nothing is built: {facts.image} only receives files, so it already is the runtime "
                          "image", reason="nothing-to-build")
        if uses_node and not has_node and site.web_server:
            raise Refusal(f"the base image {facts.image} has no Node.js, so its npm steps cannot run; "
                          "build the site in a node stage first", reason="no-node-in-base")
        if site.build is None and site.served is None and not site.web_roots and not self._sources_copied():
            raise Refusal("the image never builds the app and copies no sources into it (a dev setup that "
                          "mounts them at run time): nothing to serve", reason="no-sources")

    def _sources_copied(self) -> bool:
        for cp in self.facts.copies:
            if cp.from_stage:
                continue
            if any(not SOURCE_ONLY.search(s) for s in cp.sources):
                return True
        return False

    # ------------------------------------------------------------ output folder
    def output_dir(self) -> str | None:
        """Builder path of the static files, None when only the build itself can tell."""
        facts, site, plan = self.facts, self.site, self.plan
        if site.served:
            plan.decisions.append(f"output folder {site.served}: the folder the original CMD served")
            return site.served
        cwd = site.project_dir or facts.workdir
        root = site.project.root if site.project else None
        fw = site.framework
        argv = site.build.argv if site.build else []
        named = None
        if argv[:2] == ["ng", "build"]:
            named = _option(argv, "--output-path")
        elif argv[:2] == ["vite", "build"]:
            named = _option(argv, "--outDir")
        elif argv[:2] == ["next", "export"]:
            named = _option(argv, "-o", "--outdir")
        elif argv[:1] in (["gatsby"], ["astro"], ["docusaurus"]):
            named = _option(argv, "--out-dir", "--outDir")
        if named:
            if fw == "angular" and self._angular_modern():
                named = posixpath.join(named, "browser")
            plan.decisions.append(f"output folder {named}: named on the build command")
            return posixpath.normpath(posixpath.join(cwd, named))
        found = self._configured(fw, root) if root is not None else None
        if found:
            out, where = found
            plan.decisions.append(f"output folder {out}: from {where}")
            return posixpath.normpath(posixpath.join(cwd, out))
        if fw == "cra":
            value = facts.env.get("BUILD_PATH") or (cfg.dotenv_value(facts.context, root, "BUILD_PATH")
                                                     if root is not None else None)
            if value:
                plan.decisions.append(f"output folder {value}: BUILD_PATH")
                return posixpath.normpath(posixpath.join(cwd, value))
        if fw in cfg.DEFAULT_OUT and fw != "angular":
            out = cfg.DEFAULT_OUT[fw]
            plan.decisions.append(f"output folder {out}: the {fw} default")
            return posixpath.normpath(posixpath.join(cwd, out))
        return None

    def _angular_modern(self) -> bool:
        root = self.site.project.root if self.site.project else None
        if root is None:
            return False
        text = self.facts.context.read(posixpath.join(root, "angular.json")) or ""
        return ":application\"" in text

    def _configured(self, fw: str | None, root: str) -> tuple[str, str] | None:
        ctx = self.facts.context
        if fw == "vite" or fw is None:
            return cfg.vite_out_dir(ctx, root)
        if fw == "angular":
            return cfg.angular_out_dir(ctx, root)
        if fw == "next":
            _, dist, where = cfg.next_export(ctx, root)
            return (dist, where) if dist else None
        if fw == "vue-cli":
            return cfg.simple_out_dir(ctx, root, "vue.config", "outputDir")
        if fw == "astro":
            return cfg.simple_out_dir(ctx, root, "astro.config", "outDir")
        if fw == "sveltekit":
            _, pages = cfg.svelte_adapter(ctx, root)
            return (pages, "svelte.config (adapter-static pages)") if pages else None
        return None

    def collect(self) -> str:
        """Copy the first folder holding an index.html to a known place (the name is not in the Dockerfile)."""
        cwd = self.site.project_dir or self.facts.workdir
        candidates = " ".join(sh_glob(posixpath.join(cwd, c)) for c in COLLECT_CANDIDATES)
        esc = self.facts.dockerfile.escape
        # the step cannot fail the build: with no index.html, the build log says so
        missing = sh(f"msb: no index.html found in the build output under {cwd}: the site is empty")
        self.plan.builder_append.append(
            "# collect the static site the build produced (its folder is not named in the Dockerfile)\n"
            f"RUN mkdir -p {COLLECT_DIR}; for f in {candidates}; do {esc}\n"
            f"      if [ -f \"$f\" ]; then cp -a \"$(dirname \"$f\")/.\" {COLLECT_DIR}/ && break; fi; {esc}\n"
            f"    done; [ -f {COLLECT_DIR}/index.html ] || echo {missing} >&2")
        self.plan.decisions.append("output folder unknown without the build context: a collect step copies the "
                                   f"first of {', '.join(c.rsplit('/', 1)[0] for c in COLLECT_CANDIDATES)} "
                                   f"holding an index.html to {COLLECT_DIR}")
        self.plan.warnings.append("the output folder is not known before the build: when no candidate holds an "
                                  "index.html, the build log says `msb: no index.html found` and the site is empty "
                                  "(convert with --context to name the folder)")
        return COLLECT_DIR

    # ------------------------------------------------------------ nginx
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
        return environment().get_template("nginx-spa.conf.j2").render(
            port=port, root=HTML, immutable=immutable, pages=fw in PAGE_FRAMEWORKS,
            base=base, spa=spa).strip("\n") + "\n"

    def write_config_step(self, text: str) -> None:
        esc = self.facts.dockerfile.escape
        lines = ["    " + _sh_quote(line) + f" {esc}" for line in text.splitlines()]
        self.plan.builder_append.append(
            "# nginx config for the runtime stage: SPA fallback, gzip, cache headers\n"
            "# hadolint ignore=SC2016\n"      # $uri is nginx's variable, not the shell's
            f"RUN printf '%s\\n' {esc}\n" + "\n".join(lines) + f"\n    > {CONF_TMP}")

    # ------------------------------------------------------------ plan
    def build(self) -> BuildPlan:
        self.check()
        facts, site, plan, options = self.facts, self.site, self.plan, self.options
        runtime.start(facts, plan, build_only_env=set(facts.env) | set(facts.args))
        self._public_env()
        if site.web_server and site.web_roots:
            self._own_server()
        else:
            self._nginx()
        plan.runtime_base = with_digest(with_mirror(plan.runtime_base, options.mirror), options.digests)
        return plan

    def _public_env(self) -> None:
        names = sorted({k for k in list(self.facts.env) + list(self.facts.arg_instructions) if PUBLIC_ENV.match(k)})
        if names:
            self.plan.warnings.append(
                f"{', '.join(names)} {'stays' if len(names) == 1 else 'stay'} in the builder: baked into the "
                "files at build time; "
                "changing them needs a rebuild (`docker build --build-arg ...`), not `docker run -e`")

    def _entry_removed(self, why: str) -> None:
        for ins in (self.facts.entrypoint, self.facts.cmd):
            if ins is not None:
                self.plan.fate(ins, REMOVED, why)

    # checks a project's build script may run before the framework's build; the dev server ran none
    _CHECKS = re.compile(r"^(tsc|vue-tsc|svelte-check|eslint|next lint|ng lint|npm run (lint|typecheck|type-check)"
                         r"|yarn (lint|typecheck)|pnpm (run )?(lint|typecheck))\b")
    _FRAMEWORK_BUILDS = re.compile(r"^(vite build|ng build|react-scripts build|vue-cli-service build|"
                                   r"next build|gatsby build|astro build|nuxt (build|generate)|svelte-kit build)\b")

    def _framework_build(self, run: str) -> str | None:
        """`tsc && vite build` as the build script: the dev server never type-checked, so a build that
        does may fail where the original ran; the framework's own build is what the site needs."""
        project = self.site.project
        script = (project.scripts.get("build") if project else None) or ""
        parts = [p.strip() for p in script.split("&&")]
        if len(parts) < 2 or not self._FRAMEWORK_BUILDS.match(parts[-1]) or \
                not all(self._CHECKS.match(p) for p in parts[:-1]):
            return None
        self.plan.decisions.append(f"the build script `{script}` checks before `{parts[-1]}`; the dev server the "
                                   f"original ran never did, so the builder runs `{parts[-1]}` alone")
        runner = {"yarn": "yarn", "pnpm": "pnpm exec"}.get(self.site.runner, "npx --no-install")
        return f"{runner} {parts[-1]}"

    def _nginx(self) -> None:
        site, plan = self.site, self.plan
        if site.dev_server and site.build is None:
            run = {"yarn": "yarn build", "pnpm": "pnpm run build"}.get(site.runner, "npm run build")
            own = self._framework_build(run)
            if own:
                run = own
            plan.builder_append.append(f"# production build (the original CMD ran the {site.framework} dev server)\n"
                                       f"RUN {run}")
            plan.decisions.append(f"CMD `{site.dev_server}` ran a dev server: `{run}` added to the builder and "
                                  "the runtime serves the production build")
            plan.warnings.append(f"`{run}` was added to the builder: the original image never ran a production build")
        out = self.output_dir() or self.collect()
        own = self.own_config()
        port, base = self.port_and_base(own)
        plan.runtime_base = base
        html = HTML
        if own:
            builder_path, dest, text = own
            m = re.search(r"(?m)^[ \t]*root\s+(/[^;\s]+)\s*;", text)
            html = m.group(1).rstrip("/") if m else HTML
            plan.copy(builder_path, dest, "the project's own nginx config")
            plan.decisions.append(f"nginx config: the context's {posixpath.basename(builder_path)}, which the "
                                  "original copied (used as is)")
        else:
            self.write_config_step(self.nginx_config(port))
            plan.copy(CONF_TMP, CONF_DEST, "nginx config: SPA fallback, gzip, cache headers")
        prefix = self.public_base() if not own else None
        plan.copy(out, html + prefix if prefix else html, "the static build output" +
                  (f", under the base path {prefix} its pages link to" if prefix else ""))
        plan.base_has_cmd = True
        self._entry_removed("the nginx base image runs nginx; the Node server is not needed")
        if site.dev_server:
            plan.decisions.append(f"{site.framework} dev server replaced by nginx serving the production build")
        self._expose(port)
        self._user(base)
        self._healthcheck(port)
        plan.decisions.append(f"static site ({site.framework or 'framework unknown'}): {site.reason}")

    def _own_server(self) -> None:
        """The original already serves with nginx/caddy/httpd: same server, without Node and sources."""
        facts, site, plan = self.facts, self.site, self.plan
        if facts.image_name in ("nginx", "caddy", "httpd", "nginx-unprivileged", "openresty"):
            base = facts.stage.image
            plan.decisions.append(f"runtime {base}: the web server image the original built on, without the "
                                  "build tools and sources")
        else:
            base = DEBIAN_NGINX if not facts.is_alpine else ROOT_NGINX
            plan.decisions.append(f"runtime {base}: the original installed nginx into {facts.image}; the official "
                                  "image has the same layout")
        plan.runtime_base = base
        installed = base != facts.stage.image
        sites = [p for p in site.web_configs if "/sites-" in p]
        for path in site.web_configs:
            dest = path
            if installed and path in sites:
                # the official image reads conf.d/*.conf, not Debian's sites-enabled/
                name = posixpath.basename(path)
                dest = CONF_DEST if len(sites) == 1 else f"/etc/nginx/conf.d/{name.removesuffix('.conf')}.conf"
                plan.decisions.append(f"{path} -> {dest}: the official nginx image reads conf.d, not sites-enabled")
            plan.copy(path, dest, f"{site.web_server} config the original copied")
        for root in site.web_roots:
            dest = root
            if installed and not site.web_configs and root.startswith("/var/www/html"):
                # Debian's default site serves /var/www/html; the official image's serves /usr/share/nginx/html
                dest = HTML + root[len("/var/www/html"):]
                plan.decisions.append(f"{root} -> {dest}: the document root of the official image's default site")
            plan.copy(root, dest, "the site, where the original's server reads it")
        for ins, attr in ((facts.entrypoint, "entrypoint"), (facts.cmd, "cmd")):
            if ins is None:
                continue
            argv = command_argv(ins) or []
            if argv and posixpath.basename(argv[0]) in ("nginx", "caddy", "httpd-foreground", "httpd"):
                setattr(plan, attr, list(ins.json_args) if ins.is_json else ins.args.strip())
                plan.fate(ins, MOVED, f"runs {site.web_server}")
            else:
                plan.fate(ins, REMOVED, f"the {site.web_server} image runs the server")
        plan.base_has_cmd = True
        if facts.user_ins is not None and plan.fates.get(facts.user_ins.index, None) and \
                plan.fates[facts.user_ins.index].fate == MOVED:
            plan.user = facts.user
        runtime._healthcheck(facts, plan, describe(base))
        plan.decisions.append(f"static site served by {site.web_server}: {site.reason}")

    def _expose(self, port: int) -> None:
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

    def _user(self, base: str) -> None:
        facts, plan, want = self.facts, self.plan, self.options.user
        if facts.user_ins is not None and plan.fates[facts.user_ins.index].fate == MOVED:
            plan.fate(facts.user_ins, REMOVED, "the nginx image runs as its own user")
        if want and want not in ("root", "nonroot"):
            if base.startswith("nginxinc/") and re.fullmatch(r"\d+(:\d+)?", want):
                plan.user = want
            else:
                plan.warnings.append(f"--user {want} ignored: nginx runs as its own user (uid 101)")

    def _healthcheck(self, port: int) -> None:
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


def _option(argv: list[str], *names: str) -> str | None:
    from msbrewrite.model.shell import option_value
    return option_value(argv, *names)


def _sh_quote(line: str) -> str:
    return "'" + line.replace("'", "'\"'\"'") + "'"


def plan(facts: StageFacts, detection: Detection, options: Options) -> BuildPlan:
    return FrontendPlanner(facts, options).build()

