"""Node servers: the user's install and build, then production dependencies only, run by node.

The runtime is `node:<major>-slim`, or distroless nodejs when the app starts with a plain
`node script.js` and needs no shell or system package. `npm start` / `yarn start` are
resolved to the script's own command: npm is absent from distroless and does not forward
SIGTERM to the app.
"""
from __future__ import annotations

import posixpath
import re

from msbrewrite.rules import runtime
from msbrewrite.model.analysis import StageFacts, command_argv, is_root_user
from msbrewrite.model.dockerfile import parse_key_values
from msbrewrite.model.options import Options
from msbrewrite.model.plan import BuildPlan, Detection, Evidence, Refusal
from msbrewrite.model.quoting import env_line, sh
from msbrewrite.model.shell import Command, drop_exec, shell_form_to_argv, split_words
from msbrewrite.languages.common import carry_runtime_tools, runtime_libraries, start_words
from msbrewrite.languages.node.files import NodeFiles
from msbrewrite.languages.node.imports import node_args, package_of, packages_loaded
from msbrewrite.model.package_json import (Package, lockfile_manager, next_output, parse_tag, read_package, resolve_script,
                       run_target, tsconfig_out_dir)
from msbrewrite.languages.node.detect import MANAGERS, NAME, _install, _package

COREPACK_HOME = "/opt/corepack"
BUILD_ENV = {"CI", "HUSKY", "PUPPETEER_SKIP_DOWNLOAD", "PUPPETEER_SKIP_CHROMIUM_DOWNLOAD", "PNPM_HOME",
             "YARN_VERSION", "NPM_VERSION"}
BUILD_ENV_PREFIXES = ("NPM_CONFIG_", "YARN_", "COREPACK_")
DISTROLESS_MAJORS = {18, 20, 22, 24}
# tools that watch or compile sources: a command running them wants devDependencies
DEV_TOOLS = {"ts-node", "ts-node-dev", "tsx", "nodemon", "babel-node", "webpack", "webpack-dev-server", "vite",
             "concurrently", "tsc-watch", "ts-node/register", "tsx/cjs", "@babel/register"}
# bin name -> package, where they differ
BIN_PACKAGES = {"pm2-runtime": "pm2", "remix-serve": "@remix-run/serve", "nest": "@nestjs/cli",
                "babel-node": "@babel/node", "tsc": "typescript"}
# the JS file behind a package's bin, where node cannot run node_modules/.bin/<bin> (pnpm writes shell shims)
BIN_FILES = {"next": "next/dist/bin/next", "pm2-runtime": "pm2/bin/pm2-runtime", "pm2": "pm2/bin/pm2",
             "nuxt": "nuxt/bin/nuxt.mjs", "remix-serve": "@remix-run/serve/dist/cli.js",
             "ts-node": "ts-node/dist/bin.js", "prisma": "prisma/build/index.js"}
# process wrappers that run the real command after them
WRAPPERS = {"tini", "dumb-init", "docker-entrypoint.sh"}
# system packages an app uses at run time (when the builder installs them)
RUNTIME_PACKAGES = {"tini", "dumb-init", "ffmpeg", "imagemagick", "graphicsmagick", "ghostscript", "chromium",
                    "poppler-utils", "openssl", "tzdata", "fonts-liberation", "libvips", "vips"}

# distribution packages of what node images already ship (node, npm, yarn classic, corepack)
NODE_OWN_PACKAGES = {"nodejs", "nodejs-current", "npm", "yarn", "yarnpkg", "corepack"}


# --------------------------------------------------------------------------- plan
class NodePlanner(NodeFiles):
    def __init__(self, facts: StageFacts, options: Options):
        self.facts = facts
        self.options = options
        self.tag = parse_tag(facts.image_tag) if facts.image_name == "node" else parse_tag("")
        self.plan = BuildPlan(NAME, "node.Dockerfile.j2", "")
        self.appdir = facts.workdir
        local = [(c, kind) for c in facts.commands() if (kind := _install(c)) and not kind[1]]
        self.installs = [c for c, _ in local]
        self.global_installs = [c for c in facts.commands() if (k := _install(c)) and k[1]]
        # the install in the app's own directory is the app's; others (`cd web && npm ci`) serve sub-builds
        self.install_dir = next((c.cwd for c in self.installs if c.cwd == facts.workdir),
                                self.installs[0].cwd if self.installs else None)
        self.modules_dir = posixpath.join(self.install_dir, "node_modules") if self.install_dir else None
        self.pkg = _package(facts, self.install_dir or self.appdir)
        self.pkg_root = facts.context_path(posixpath.join(self.install_dir or self.appdir, "package.json"))
        self.pkg_root = posixpath.dirname(self.pkg_root) if self.pkg_root else ""
        self.manager = self._manager()
        self.builds = self._builds()
        self.keep_dev: str | None = None         # why devDependencies stay
        self.dev_entry = False                   # the CMD runs a development server
        self.entry_node: list[str] | None = None  # the resolved `node ...` command
        self.entry_core: list[str] | None = None  # the command it replaces
        self.entry_env: dict[str, str] = {}
        self.runtime_tools: list[str] = []       # global npm packages the CMD needs
        self.standalone = False                  # next.config output: 'standalone' and next build runs
        self.next_start = False                  # the start command is `next start`

    # ---------------------------------------------------------------- project facts
    def _manager(self) -> str:
        if self.installs:
            return self.installs[0].program
        pm = self.pkg.package_manager
        if pm:
            return pm[0]
        return lockfile_manager(self.facts.context, self.pkg_root) or "npm"

    def _builds(self) -> list[list[str]]:
        """The build commands, each resolved through package.json scripts where possible."""
        out = []
        for c in self.facts.commands():
            target = run_target(c.argv)
            if target and target[0] not in ("start", "test"):
                script = resolve_script(self.pkg, target[0], target[1])
                if not isinstance(script, str):
                    out.append(script.argv)
                elif target[0] not in self.pkg.scripts and c.program in ("yarn", "pnpm"):
                    out.append([target[0], *target[1]])     # `yarn tsc` runs the tsc bin
                else:
                    out.append(["<script>", target[0]])     # a script we cannot read
            elif c.program == "npx" and len(c.argv) > 1:
                out.append([w for w in c.argv[1:] if not w.startswith("-")] or c.argv[1:])
            elif c.program in ("tsc", "nest", "next", "nuxt", "remix", "vite", "webpack") and \
                    len(c.argv) > 1 and c.argv[1] in ("build", "-p", "--project") or c.argv[:1] == ["tsc"]:
                out.append(c.argv)
        # prisma generate/migrate write into node_modules or a database, not into the app
        return [b for b in out if b and posixpath.basename(b[0]) != "prisma"]

    def pnp(self) -> bool:
        """Yarn 2+ Plug'n'Play: no node_modules, node needs .pnp.cjs to resolve packages."""
        if self.manager != "yarn":
            return False
        yarnrc = self.facts.context.read(posixpath.join(self.pkg_root, ".yarnrc.yml"))
        if yarnrc is not None:
            return not re.search(r"nodeLinker:\s*['\"]?(node-modules|pnpm)", yarnrc)
        pm = self.pkg.package_manager
        return bool(pm and pm[0] == "yarn" and (pm[1] or 1) >= 2)

    def build_ran(self) -> bool:
        return bool(self.builds)

    def build_outputs(self) -> tuple[set[str], bool]:
        """Directories (relative to the app) the build writes, and whether all are known."""
        outs: set[str] = set()
        known = True
        for argv in self.builds:
            tool = posixpath.basename(argv[0])
            sub = argv[1] if len(argv) > 1 else ""
            if tool == "tsc":
                out_dir, _ = tsconfig_out_dir(self.facts.context, self.pkg_root)
                if out_dir:
                    outs.add(out_dir)
                else:
                    known = False
            elif tool == "nest" and sub == "build":
                out_dir, _ = tsconfig_out_dir(self.facts.context, self.pkg_root)
                outs.add(out_dir or "dist")
            elif tool == "next" and sub == "build":
                outs.add(".next")
            elif tool == "nuxt" and sub == "build":
                outs.add(".output")
            elif tool in ("remix",) and sub == "build":
                outs.add("build")
            elif tool == "vite" and sub == "build" and self.pkg.has("@sveltejs/kit"):
                outs.update({"build", ".svelte-kit"})
            elif tool in ("prisma",):
                continue    # writes into node_modules
            else:
                known = False
        return outs, known

    def prod_only_install(self) -> bool:
        for c in self.installs:
            words = c.argv[1:]
            joined = " ".join(words)
            if re.search(r"--only[= ]prod(uction)?|--production(?!=false)|--omit[= ]dev|--prod\b|(^|\s)-P(\s|$)",
                         joined):
                return True
            env = {**c.env}
            if env.get("NODE_ENV") == "production" or env.get("NPM_CONFIG_PRODUCTION") == "true":
                return True
        return False

    # ---------------------------------------------------------------- entry
    def _nm_bin(self, tool: str) -> str | None:
        """Path node can run for a package bin: the known JS file, else the .bin symlink (npm, yarn)."""
        modules = self.modules_dir or posixpath.join(self.appdir, "node_modules")
        if tool in BIN_FILES:
            bin_path = posixpath.join(modules, BIN_FILES[tool])
        elif self.manager in ("npm", "yarn"):
            bin_path = posixpath.join(modules, ".bin", tool)
        else:
            return None
        rel = posixpath.relpath(bin_path, self.appdir)
        return rel if not rel.startswith("..") else bin_path

    def core(self, argv: list[str]) -> tuple[list[str], list[str]]:
        """Split process wrappers (tini --, dumb-init) from the command they run."""
        i = 0
        while i < len(argv) and posixpath.basename(argv[i]) in WRAPPERS:
            i += 1
            while i < len(argv) and argv[i].startswith("-"):
                i += 1
        return argv[:i], argv[i:]

    def to_node(self, argv: list[str], why: list[str]) -> list[str] | None:
        """A start command as `node ...`, or None (with the reason appended to `why`)."""
        prog = posixpath.basename(argv[0])
        if prog == "node":
            return argv
        if prog == "npx":
            rest = [w for w in argv[1:] if w not in ("--yes", "-y", "--no-install")]
            return self.to_node(rest, why) if rest and not rest[0].startswith("-") else None
        sub = argv[1] if len(argv) > 1 else ""
        if prog == "nest" and sub == "start":
            if any(w.startswith("-") for w in argv[2:]):
                why.append(f"`{' '.join(argv)}` watches or debugs")
                return None
            main = self._nest_main()
            self.plan.decisions.append(f"`nest start` runs the compiled {main} with node")
            return ["node", main]
        if prog == "next" and sub == "start" and self.standalone:
            port = next((argv[i + 1] for i, w in enumerate(argv) if w in ("-p", "--port") and i + 1 < len(argv)),
                        None)
            if port:
                self.entry_env.setdefault("PORT", port)
            self.next_start = True
            return ["node", "server.js"]
        package = BIN_PACKAGES.get(prog, prog)
        if self.pkg.has(package):
            script = self._nm_bin(prog)
            if script is None:
                why.append(f"{self.manager} writes shell shims for bins, and the file behind {prog} is unknown")
                return None
            if self.pkg.is_dev_only(package):
                self.keep_dev = f"the start command runs {prog}, a devDependency"
            if any(package in (w.rsplit("@", 1)[0] if w.count("@") > w.startswith("@") else w)
                   for c in self.global_installs for w in c.argv[2:]):
                self.plan.warnings.append(f"the original ran the globally installed {prog}; the runtime runs the "
                                          f"project's own {package} from node_modules (its version may differ)")
            return ["node", script, *argv[1:]]
        why.append(f"{prog} is not a dependency in package.json" if self.pkg.found else
                   f"{prog} cannot be checked without package.json")
        return None

    def _nest_main(self) -> str:
        """Where `nest build` writes main.js: the project's own `start:prod` says so when it runs node
        on a file; else tsc's layout: without a rootDir, TypeScript files beside src/ (an ormconfig.ts)
        make the common root the project, so the output is dist/src/main.js."""
        prod = self.pkg.scripts.get("start:prod", "")
        m = re.fullmatch(r"\s*node\s+([\w./-]+?)(\.js)?\s*", prod)
        if m:
            return m.group(1)
        context, root = self.facts.context, self.pkg_root
        out_dir, root_dir = tsconfig_out_dir(context, root)
        out_dir = out_dir or "dist"
        if root_dir and root_dir not in (".", "src"):
            return posixpath.join(out_dir, posixpath.relpath("src/main", root_dir))
        if root_dir is None and context:
            prefix = root.rstrip("/") + "/" if root else ""
            outside = [f for f in context.files() if f.startswith(prefix) and f.endswith(".ts")
                       and not f.endswith((".d.ts", ".spec.ts", ".test.ts"))
                       and not f[len(prefix):].startswith(("src/", "test/", "tests/", "e2e/"))]
            if outside:
                self.plan.decisions.append(f"{outside[0]} sits beside src/ and tsconfig sets no rootDir: tsc "
                                           f"writes src/ to {out_dir}/src")
                return f"{out_dir}/src/main"
        return f"{out_dir}/main"

    def resolve_entry(self) -> None:
        facts = self.facts
        wrappers, ecore = self.core(_start_argv(facts.entrypoint))
        cmd = _start_argv(facts.cmd)
        ins = facts.entrypoint if ecore else facts.cmd
        if ins is not None and not ins.is_json and shell_form_to_argv(drop_exec(ins.args)[0]) is None:
            self.keep_dev = "the start command is a shell line (it may run npm/npx tools)"
            self._dev_check(command_argv(ins) or [])
            return
        if ecore and posixpath.basename(ecore[0]) == "node":
            self.entry_node = ecore + cmd       # ENTRYPOINT ["node"] + CMD ["server.js"]
            self._dev_check(self.entry_node)
            return
        if ecore and cmd:
            self.keep_dev = f"ENTRYPOINT {ecore[0]} with CMD arguments is kept as written"
            self._dev_check(ecore + cmd)
            return
        core = ecore or cmd
        if not core:
            return
        why: list[str] = []
        target = run_target(core)
        if target:
            if not self.pkg.found:
                self.keep_dev = f"`{' '.join(core)}` cannot be resolved without package.json (pass the build context)"
                self._dev_check([target[0]])
                return
            if target[0] == "start" and "start" not in self.pkg.scripts and \
                    facts.context.exists(posixpath.join(self.pkg_root, "server.js")):
                script_argv, env = ["node", "server.js", *target[1]], {}    # npm's default start
            else:
                script = resolve_script(self.pkg, target[0], target[1])
                if isinstance(script, str):
                    self.keep_dev = f"`{' '.join(core)}` kept: {script}"
                    self._dev_check([target[0]])
                    return
                script_argv, env = script.argv, script.env
            self._dev_check(script_argv)
            if self.dev_entry:
                self.plan.decisions.append(f"`{' '.join(core)}` runs a development server: kept as written")
                return
            node = self.to_node(script_argv, why)
            if node is None:
                self.keep_dev = self.keep_dev or f"`{' '.join(core)}` kept: " + "; ".join(why)
                return
            if self.pnp() and node[:1] == ["node"]:
                if self.pkg.data.get("type") == "module":
                    self.keep_dev = f"`{' '.join(core)}` kept: an ES module app under Yarn Plug'n'Play needs yarn's loader"
                    return
                # what `yarn start` does under Plug'n'Play: preload the resolver
                node = ["node", "--require", posixpath.join(self.install_dir or self.appdir, ".pnp.cjs"), *node[1:]]
            self.entry_env.update(env)
            self.plan.decisions.append(f"`{' '.join(core)}` resolved to `{' '.join(node)}` "
                                       f"({posixpath.basename(core[0])} would not forward SIGTERM to the app)")
        else:
            self._dev_check(core)
            node = self.to_node(core, why) if not self.dev_entry else None
            if node is None:
                if not self._global_tool(core[0]):
                    self.keep_dev = self.keep_dev or f"`{' '.join(core)}` kept: " + "; ".join(why)
                self._dev_check(core)
                return
        self.entry_core, self.entry_node = core, node
        self._dev_check(node)

    def _dev_imports(self) -> None:
        """The server loads a package listed only under devDependencies: the original had it
        installed, so the runtime keeps devDependencies (pruning would stop the app)."""
        facts = self.facts
        if self.keep_dev or not self.entry_node or not facts.context or not self.pkg.found:
            return
        flags, script = node_args(self.entry_node[1:])
        loaded = {name: f"`node -r {flag}`" for flag in flags if (name := package_of(flag))}
        rel = facts.context_path(posixpath.join(facts.workdir, script)) if script else None
        if rel is not None:
            for name, where in packages_loaded(facts.context, rel).items():
                loaded.setdefault(name, where)
        dev = sorted((name, where) for name, where in loaded.items() if self.pkg.is_dev_only(name))
        if dev:
            names = ", ".join(n for n, _ in dev[:3]) + (f" and {len(dev) - 3} more" if len(dev) > 3 else "")
            self.keep_dev = (f"{dev[0][1]} loads {names}, listed only under devDependencies (move "
                             f"{'it' if len(dev) == 1 else 'them'} to dependencies and the runtime can drop the rest)")

    def _dev_check(self, argv: list[str]) -> None:
        words = {posixpath.basename(w) for w in argv} | set(argv)
        if words & DEV_TOOLS or any(re.search(r"(^|:)(dev|watch|debug)\b", w) for w in argv[:1]) or \
                any(w in ("--watch", "-w", "dev") for w in argv[1:3]):
            self.dev_entry = True
            self.keep_dev = self.keep_dev or "the start command runs a development tool"

    def _global_tool(self, prog: str) -> bool:
        """A CMD tool installed with `npm install -g` in the builder: install it in the runtime too."""
        prog = posixpath.basename(prog)
        package = BIN_PACKAGES.get(prog, prog)
        for c in self.global_installs:
            specs = [w for w in c.argv[2:] if not w.startswith("-") and w != "global"]
            for spec in specs:
                name = spec.rsplit("@", 1)[0] if spec.count("@") > (1 if spec.startswith("@") else 0) else spec
                if name == package:
                    self.runtime_tools.append(spec)
                    self.plan.decisions.append(f"{prog} comes from the global package {spec}: installed in the "
                                               "runtime too")
                    return True
        return False

    def rewrite(self, argv: list[str]) -> list[str] | None:
        """Replace the resolved start command (npm start, nest start...) by its node command."""
        wrappers, core = self.core(argv)
        if self.entry_core is None or core != self.entry_core or core == self.entry_node:
            return None
        return wrappers + self.entry_node

    # ---------------------------------------------------------------- prune
    def prune(self) -> None:
        plan = self.plan
        if self.standalone or not self.installs:
            return
        if self.prod_only_install():
            plan.decisions.append("the install already leaves devDependencies out: no prune step")
            plan.extra["production_only"] = True
            return
        if any(c.program in MANAGERS and c.argv[1:2] == ["prune"] or
               c.program == "yarn" and "--production" in c.argv for c in self.facts.commands()):
            plan.decisions.append("the build already prunes devDependencies: no prune step")
            plan.extra["production_only"] = True
            return
        if self.keep_dev:
            plan.warnings.append(f"devDependencies kept in the runtime: {self.keep_dev}")
            return
        command = self.prune_command()
        if command is None:
            return
        where = f"cd {sh(self.install_dir)} && " if self.install_dir != self.facts.workdir else ""
        plan.builder_append.append("# production dependencies only, after the build\n" f"RUN {where}{command}")
        plan.extra["production_only"] = True
        plan.decisions.append(f"`{command}` after the build: the runtime gets production dependencies only")

    def prune_command(self) -> str | None:
        manager = self.manager
        if manager == "npm":
            major = self.tag.major
            # npm 7 (Node 15+) knows --omit=dev; npm 6 only --production
            return "npm prune --production" if major is not None and major < 15 else "npm prune --omit=dev"
        if manager == "pnpm":
            return "pnpm prune --prod"
        if manager == "yarn":
            pm = self.pkg.package_manager
            berry = (pm and pm[0] == "yarn" and (pm[1] or 1) >= 2) or \
                self.facts.context.exists(posixpath.join(self.pkg_root, ".yarnrc.yml"))
            if berry:
                if pm and (pm[1] or 0) >= 4:
                    return "yarn workspaces focus --all --production"
                self.plan.warnings.append("devDependencies kept: Yarn 2/3 needs the workspace-tools plugin "
                                          "to install production dependencies only")
                return None
            flags = ""
            lock = any("--frozen-lockfile" in c.argv or "--immutable" in c.argv for c in self.installs) or \
                self.facts.context.exists(posixpath.join(self.pkg_root, "yarn.lock")) or \
                "yarn.lock" in self.facts.copied_names()
            if lock:
                flags += " --frozen-lockfile"
            if any("--ignore-scripts" in c.argv for c in self.installs):
                flags += " --ignore-scripts"
            return f"yarn install --production{flags}"
        self.plan.warnings.append(f"devDependencies kept: no prune step known for {manager}")
        return None

    # ---------------------------------------------------------------- base
    def needs_shell(self) -> bool:
        """The start command as the runtime runs it (after the rewrite) needs a shell."""
        plan = self.plan
        if isinstance(plan.entrypoint, str) or isinstance(plan.cmd, str):
            return True
        argv = (plan.entrypoint or []) + (plan.cmd or [])
        return any(w.endswith((".sh", ".bash")) for w in argv[:2]) or (argv[:1] in (["sh"], ["bash"]))

    def _uses_prisma(self) -> bool:
        """Prisma's engines need OpenSSL, which slim images lack (the full builder image has it)."""
        if self.pkg.has("@prisma/client") or self.pkg.has("prisma"):
            return True
        words = [w for c in self.facts.commands() for w in c.argv] + start_words(self.facts, self.plan)
        return "prisma" in words or any(w.startswith("prisma:") for w in words)

    def version_arg(self) -> str | None:
        """`${NODE_VERSION}` when the builder's tag comes from a global ARG: the runtime follows it."""
        ref = self.facts.stage.image.split("@")[0]
        m = re.fullmatch(r"(?:[\w.-]+(?::\d+)?/)*node:(\$\{?(\w+)\}?)([\w.-]*)", ref)
        if not m or not any(k == m.group(2) for i in self.facts.dockerfile.global_args
                            for k, _ in parse_key_values(i.args)):
            return None
        return m.group(1)

    def slim_base(self) -> str:
        """node:<major>[-<debian>]-slim; node:slim follows node:latest when the tag names no major."""
        arg = self.version_arg() or self.tag.exact
        parts = [arg] if arg else [str(p) for p in (self.tag.major,) if p]
        parts += [self.tag.debian] if self.tag.debian else []
        return "node:" + "-".join(parts + ["slim"])

    def choose_base(self) -> None:
        facts, plan, tag = self.facts, self.plan, self.tag
        flavour = self.options.flavour(NAME)
        family = "alpine" if facts.is_alpine else "debian"
        libs = runtime_libraries(facts.packages, family)
        wanted = {p.split("=")[0] for p in facts.packages} & RUNTIME_PACKAGES
        entry_words = {posixpath.basename(w) for w in start_words(facts, plan)}
        wanted |= {p.split("=")[0] for p in facts.packages} & entry_words
        # node, npm and yarn come with every node runtime image: a distribution's copy is never carried
        own = {p.split("=")[0] for p in facts.packages} & NODE_OWN_PACKAGES
        if own:
            wanted -= own
            plan.decisions.append(f"{', '.join(sorted(own))} not installed in the runtime: the node image has "
                                  "its own node, npm and yarn")
        if self._uses_prisma():
            wanted.add("openssl")
            plan.decisions.append("Prisma's query engine looks for OpenSSL: openssl installed in the runtime")
        plan.runtime_packages += sorted(set(libs) | wanted)
        # other programs the app runs (its sources or scripts say so), fonts; the rest is reported
        carry_runtime_tools(facts, plan, self.options, (".js", ".cjs", ".mjs", ".ts"), skip=set(libs) | wanted | own,
                            libraries=True)
        major = tag.major
        if facts.is_alpine:
            if flavour not in ("auto", "alpine"):
                plan.warnings.append(f"--runtime {flavour} ignored: native modules built on Alpine (musl) do not "
                                     "load on glibc images")
            version = self.version_arg() or tag.exact or major
            plan.runtime_base = f"node:{version}-{tag.alpine}" if version else f"node:{tag.alpine}"
            plan.decisions.append("Alpine builder: native modules are built for musl, so an Alpine runtime")
            return
        slim = self.slim_base()
        blockers = []
        if flavour in ("slim", "alpine", "scratch"):
            if flavour != "slim":
                plan.warnings.append(f"--runtime {flavour} is not offered for Node on a glibc builder: "
                                     f"{slim} instead")
            blockers.append(f"--runtime {flavour}")
        if self.version_arg():
            blockers.append(f"the Node version comes from ARG {self.version_arg()}, which a distroless name "
                            "cannot follow")
        elif tag.exact:
            blockers.append(f"the builder pins Node {tag.exact}, which a distroless name cannot pin")
        elif major not in DISTROLESS_MAJORS:
            blockers.append(f"no distroless image for Node {major or facts.image_tag}")
        if tag.debian == "trixie":
            blockers.append("the builder is Debian 13; distroless nodejs is Debian 12")
        if self.needs_shell():
            blockers.append("the start command needs a shell")
        if self.entry_node is None:
            blockers.append("the start command is not a plain `node` command")
        if self.runtime_tools:
            blockers.append("the CMD uses a globally installed npm package")
        if plan.runtime_packages:
            blockers.append("system packages are needed at run time (" + ", ".join(plan.runtime_packages) + ")")
        if any(i.keyword == "HEALTHCHECK" and not re.match(r"(?i)\s*NONE", i.args) for i in facts.stage.instructions):
            blockers.append("the HEALTHCHECK needs a shell or tools")
        if self.core(command_argv(facts.entrypoint) or [])[0]:
            blockers.append("the ENTRYPOINT wraps the app in a process manager")
        if blockers:
            plan.runtime_base = slim
            plan.decisions.append(f"runtime {slim}: " + "; ".join(blockers))
        else:
            plan.runtime_base = f"gcr.io/distroless/nodejs{major}-debian12"
            plan.decisions.append(f"runtime distroless Node {major}: the app starts with plain node and needs no "
                                  "shell")

    # ---------------------------------------------------------------- all together
    def build(self) -> BuildPlan:
        facts, plan = self.facts, self.plan
        build_env = BUILD_ENV | {k for k in facts.env if k.upper().startswith(BUILD_ENV_PREFIXES)}
        runtime.start(facts, plan, build_env)
        if not (command_argv(facts.cmd) or command_argv(facts.entrypoint)):
            raise Refusal("no CMD or ENTRYPOINT: the image only runs the base image's `node` prompt, so there is "
                          "no app to start", reason="no-entrypoint")
        if facts.image_name != "node":
            raise Refusal(f"Node comes from {facts.image}, not a node image: its version is unknown, so no "
                          "matching runtime can be chosen (build FROM node:<major>)", reason="node-version-unknown")
        self.standalone = next_output(facts.context, self.pkg_root) == "standalone" and \
            any(posixpath.basename(b[0]) == "next" and b[1:2] == ["build"] for b in self.builds)
        self.resolve_entry()
        self._dev_imports()
        if self.standalone and not self.next_start:
            self.standalone = False     # the CMD runs something else: keep the usual layout
        # the start command is rewritten first: the base and the programs the runtime installs are
        # decided on what it runs (`yarn start` that became `node server.js` needs no yarn)
        runtime.entry(facts, plan, self.rewrite)
        self.choose_base()
        self.plan_copies()
        self.prune()
        lead = command_argv(facts.entrypoint) or command_argv(facts.cmd) or []
        while lead and posixpath.basename(lead[0]) in ("tini", "dumb-init"):
            lead = lead[1:]
            while lead and lead[0].startswith("-"):
                lead = lead[1:]
        if lead[:1] == ["docker-entrypoint.sh"] and "docker-entrypoint.sh" not in facts.copied_names():
            plan.decisions.append("docker-entrypoint.sh is the node image's own script: the slim runtime has it")
        else:
            runtime.entry_script(facts, plan, lead)
        self._carry_package_manager()
        if plan.runtime_base.startswith("gcr.io/distroless/"):
            self._distroless_entry()
        self._env()
        for spec in self.runtime_tools:
            plan.runtime_setup.append(f"RUN npm install -g {sh(spec)} && npm cache clean --force")
        runtime.finish(facts, plan, self.options, shell_base=self.slim_base())
        self._chown()
        return plan

    def _carry_package_manager(self) -> None:
        """A start command that still runs pnpm, bun or a corepack-managed yarn needs it in the runtime:
        node images ship npm and yarn classic only. Carry what the build used (the same global
        package, or corepack with the builder's cache, so nothing is downloaded at start), or refuse."""
        plan = self.plan
        for value in (plan.entrypoint, plan.cmd):
            argv = value if isinstance(value, list) else split_words(value or "")
            _, core = self.core(argv)
            prog = posixpath.basename(core[0]) if core else ""
            corepack = self._corepack_enabled()
            if prog not in ("pnpm", "bun") and not (prog == "yarn" and corepack):
                continue
            if self._global_tool(prog):
                return
            if corepack and prog != "bun":
                home = self.facts.env.get("COREPACK_HOME") or posixpath.join(
                    "/root" if not self.facts.user or is_root_user(self.facts.user)
                    else f"/home/{self.facts.user.split(':')[0]}", ".cache/node/corepack")
                plan.copy(home, COREPACK_HOME, "corepack's package managers, as the build fetched them")
                plan.runtime_env.append(f"ENV COREPACK_HOME={COREPACK_HOME}")
                plan.runtime_setup.append("RUN corepack enable")
                plan.decisions.append(f"{prog} comes from corepack: enabled in the runtime, with the builder's "
                                      f"cache ({home}) so it starts without a download")
                return
            raise Refusal(f"the start command runs {prog}, which the build neither installs globally nor enables "
                          "with corepack: the runtime would not have it", reason="start-program-missing")

    def _corepack_enabled(self) -> bool:
        return any(c.program == "corepack" and c.argv[1:2] in (["enable"], ["prepare"]) for c in self.facts.commands())

    def _distroless_entry(self) -> None:
        """The distroless ENTRYPOINT is node itself: CMD holds the script, ENTRYPOINT spells the path."""
        plan = self.plan
        is_node = lambda argv: isinstance(argv, list) and argv and posixpath.basename(argv[0]) == "node"  # noqa: E731
        if is_node(plan.entrypoint):
            plan.entrypoint = ["/nodejs/bin/node", *plan.entrypoint[1:]]
        elif plan.entrypoint is None and is_node(plan.cmd):
            plan.cmd = plan.cmd[1:]
            plan.decisions.append("CMD drops `node`: the distroless ENTRYPOINT is /nodejs/bin/node")

    def _env(self) -> None:
        facts, plan = self.facts, self.plan
        for ins in facts.stage.instructions:
            # PATH entries for node_modules/.bin matter to commands run in the container
            if ins.keyword == "ENV" and re.search(r"\bPATH\b.*node_modules/\.bin", ins.args) and \
                    ins.raw.rstrip("\r\n") not in plan.runtime_env:
                plan.runtime_env.append(ins.raw.rstrip("\r\n"))
        for key, value in self.entry_env.items():
            if key not in facts.env:
                plan.runtime_env.append(env_line([(key, value)]))
                plan.decisions.append(f"ENV {key}={value} from the start script")
        if "NODE_ENV" not in facts.env and "NODE_ENV" not in self.entry_env and not self.dev_entry:
            plan.runtime_env.append("ENV NODE_ENV=production")
            plan.warnings.append("the runtime sets NODE_ENV=production, which the original did not: libraries such "
                                 "as express (and apps that read it) run in production mode; set NODE_ENV in the "
                                 "Dockerfile to keep another value")


def _start_argv(ins) -> list[str]:
    """The words of a start command as the runtime runs it: `CMD exec npm start` is `npm start`
    (runtime.entry drops the shell's `exec` the same way, so the rewrite finds it)."""
    if ins is not None and not ins.is_json:
        argv = shell_form_to_argv(drop_exec(ins.args)[0])
        if argv is not None:
            return argv
    return command_argv(ins) or []


def plan(facts: StageFacts, detection: Detection, options: Options) -> BuildPlan:
    return NodePlanner(facts, options).build()

