"""Frontend and static sites: built with Node in the builder, served by nginx.

The runtime receives only the build output (Vite dist/, CRA build/, Angular
dist/<app>/browser, Next export out/, ...) and an nginx config with an SPA fallback,
gzip and cache headers. The config is written by a `printf` step appended to the
builder (no heredocs: Docker Engine 20.10 must build it) and copied across.

This module decides whether the stage can be converted as a static site and puts the runtime
together (an nginx serving the build, or the web server the original already ran); where the
build output is comes from `output`, the nginx image, port and config from `nginx`.
"""
from __future__ import annotations

import posixpath
import re

from msbrewrite.rules import runtime
from msbrewrite.model.analysis import StageFacts, command_argv
from msbrewrite.model.bases import describe, with_digest, with_mirror
from msbrewrite.model.options import Options
from msbrewrite.model.plan import MOVED, REMOVED, BuildPlan, Detection, Refusal
from msbrewrite.languages.frontend.nginx import (CONF_DEST, CONF_TMP, DEBIAN_NGINX, HTML, ROOT_NGINX, UNPRIVILEGED,
                                                 NginxServer)
from msbrewrite.languages.frontend.output import OutputFolder
from msbrewrite.languages.frontend.site import SOURCE_ONLY, WEB_SERVER_IMAGES
from msbrewrite.languages.frontend.detect import NAME, read_site
from msbrewrite.support import lazy_re

PUBLIC_ENV = lazy_re.compile(r"^(VITE_|REACT_APP_|NEXT_PUBLIC_|VUE_APP_|NG_APP_|PUBLIC_|GATSBY_|NUXT_PUBLIC_)")


class FrontendPlanner(OutputFolder, NginxServer):
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
    _CHECKS = lazy_re.compile(r"^(tsc|vue-tsc|svelte-check|eslint|next lint|ng lint|npm run (lint|typecheck|type-check)"
                              r"|yarn (lint|typecheck)|pnpm (run )?(lint|typecheck))\b")
    _FRAMEWORK_BUILDS = lazy_re.compile(r"^(vite build|ng build|react-scripts build|vue-cli-service build|"
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
            args = self._dev_env_args()
            plan.builder_append.append(f"# production build (the original CMD ran the {site.framework} dev server)\n"
                                       + "".join(f"ARG {name}\n" for name in args) + f"RUN {run}")
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
        self.expose(port)
        self.user(base)
        self.healthcheck(port)
        self._compose_commands()
        plan.decisions.append(f"static site ({site.framework or 'framework unknown'}): {site.reason}")

    def _dev_env_args(self) -> list[str]:
        """The public variables the sources read (VITE_*, REACT_APP_*...), which the dev server took from
        the container's environment: the build fixes them, so each becomes an ARG of the build (not
        already an ARG or ENV) and the report says how to set them now."""
        from msbrewrite.languages.frontend.build_env import declared, env_read_at_start, shown
        site, facts = self.site, self.facts
        names = env_read_at_start(facts.context, site.project.root) if site.project else []
        if not names:
            return []
        words = [i.args for i in facts.stage.instructions if i.keyword in ("ARG", "ENV")]
        args = [n for n in names if not declared(words, n)]
        self.plan.warnings.append(
            f"the {site.framework} dev server read {shown(names)} from the container's environment when it started; "
            "the production build writes them into the bundle when the image is built, so `docker run -e` no "
            "longer changes them: pass them with `docker build --build-arg NAME=value`"
            + (" (the builder declares them as ARG)" if args else ""))
        return args

    def _compose_commands(self) -> None:
        """A compose service built from here that runs a command of its own (`npm start`) runs it on
        nginx, which has no Node: say so, and how to keep that service working."""
        from msbrewrite.rules.compose_usage import overrides, programs
        for o in overrides(self.facts):
            missing = [p for p in programs(o) if p not in ("nginx", "/docker-entrypoint.sh", "docker-entrypoint.sh")]
            if missing:
                self.plan.warnings.append(f"{o.shown} runs {missing[0]}, which the nginx runtime does not have: "
                                          "build that service with `target: builder` (it has Node and the sources)")

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


def plan(facts: StageFacts, detection: Detection, options: Options) -> BuildPlan:
    return FrontendPlanner(facts, options).build()
