"""The start command of a Node server, as the runtime runs it.

Decides whether the CMD/ENTRYPOINT can run as a plain `node ...` command: `npm start` /
`yarn start` resolved to the script's own command (npm is absent from distroless and does not
forward SIGTERM to the app), `nest start` to the compiled main.js, package bins to the JS file
behind them. Also decides whether the start command keeps devDependencies in the runtime (a
development tool, a package listed only under devDependencies) and which globally installed
npm packages it needs.
"""
from __future__ import annotations

import posixpath
import re

from msbrewrite.model.analysis import command_argv
from msbrewrite.model.quoting import sh
from msbrewrite.model.shell import drop_exec, plain_start_argv, shell_script, split_commands
from msbrewrite.languages.node.imports import node_args, package_of, packages_loaded
from msbrewrite.model.package_json import resolve_script, run_target, tsconfig_out_dir

# tools that watch or compile sources: a command running them wants devDependencies
DEV_TOOLS = {"ts-node", "ts-node-dev", "tsx", "nodemon", "babel-node", "webpack", "webpack-dev-server", "vite",
             "concurrently", "tsc-watch", "ts-node/register", "tsx/cjs", "@babel/register"}
# bin name -> package, where they differ (a package's `bin` names every command it installs)
BIN_PACKAGES = {"pm2-runtime": "pm2", "pm2-docker": "pm2", "pm2-dev": "pm2", "remix-serve": "@remix-run/serve",
                "nest": "@nestjs/cli", "babel-node": "@babel/node", "tsc": "typescript", "tsserver": "typescript",
                "ng": "@angular/cli", "vue-cli-service": "@vue/cli-service", "hs": "http-server",
                "sequelize": "sequelize-cli", "eleventy": "@11ty/eleventy", "gatsby": "gatsby-cli",
                "firebase": "firebase-tools", "strapi": "@strapi/strapi"}
# the JS file behind a package's bin, where node cannot run node_modules/.bin/<bin> (pnpm writes shell shims)
BIN_FILES = {"next": "next/dist/bin/next", "pm2-runtime": "pm2/bin/pm2-runtime", "pm2": "pm2/bin/pm2",
             "pm2-docker": "pm2/bin/pm2-docker",
             "nuxt": "nuxt/bin/nuxt.mjs", "remix-serve": "@remix-run/serve/dist/cli.js",
             "ts-node": "ts-node/dist/bin.js", "prisma": "prisma/build/index.js"}
# programs a start command runs that never come from a global npm package
NOT_GLOBAL = {"node", "npm", "npx", "yarn", "corepack", "sh", "bash", "ash", "dash", "env", "exec", "tini", "dumb-init",
              "nginx", "python", "python3", "java", "cd", "echo", "sleep", "cat", "test", "[", "true", "set"}
# process wrappers that run the real command after them
WRAPPERS = {"tini", "dumb-init", "docker-entrypoint.sh"}
# preloaded when node replaces npm/yarn as PID 1: a signal without a handler ends it as it ends any
# other process (the kernel gives PID 1 no default action), and an app's own handler stays in charge
PID1_SIGNALS = "/usr/local/lib/msb/pid1-signals.cjs"
_PID1_LINES = (
    "// node is PID 1 here, where SIGTERM and SIGINT have no default action: end the process as the",
    "// kernel ends any other one, unless the app handles the signal itself",
    "const codes = { SIGTERM: TERM, SIGINT: 130, SIGHUP: 129 };",
    "const names = Object.fromEntries(Object.entries(require(\"os\").constants.signals).map(([k, v]) => [v, k]));",
    "const kill = process.kill.bind(process);",
    "// a library that raises the signal again to die by it (signal-exit, under execa) dies here too",
    "process.kill = (pid, signal = \"SIGTERM\") => {",
    "  const name = names[signal] || signal;",
    "  if (pid === process.pid && codes[name] && process.listenerCount(name) === 0) process.exit(codes[name]);",
    "  return kill(pid, signal);",
    "};",
    "for (const signal of [\"SIGTERM\", \"SIGINT\"]) {",
    "  const own = () => {",
    "    if (process.listenerCount(signal) === 1) process.exit(codes[signal]);",
    "    process.removeListener(signal, own);    // the handlers of the app decide, as without this file",
    "  };",
    "  process.on(signal, own);",
    "}",
)


def _manager_term_status(manager: str, node_major: int | None) -> int:
    """The exit status the package manager gave when `docker stop` ended the app it ran: npm 6 (the
    npm of Node 14 and older) 0; npm 7 on, npx, yarn and pnpm 1 (they report the child's signal as
    a failure)."""
    if manager in ("npm", "npx") and node_major is not None and node_major <= 14:
        return 0
    return 1


class NodeStart:
    """Start-command resolution for NodePlanner (which holds facts, plan, pkg, appdir, manager...)."""

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
        if "/" in argv[0] and not argv[0].startswith("@") and "node_modules/.bin/" not in argv[0] and \
                not argv[0].startswith(("/usr/local/bin/", "/usr/bin/", "/bin/")):
            # `bin/hubot`: the app's own start script (it may install, or pass flags), not a package's bin
            why.append(f"it runs {argv[0]}, a file of the app")
            return None
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
        if prog in ("sh", "bash", "ash", "dash") or prog.endswith(".sh"):
            why.append("it runs a shell script, whose commands may run tools from devDependencies")
        else:
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
        line = _shell_line(ins)
        if line is not None:
            self.keep_dev = "the start command is a shell line (it may run npm/npx tools)"
            self._dev_check(command_argv(ins) or [])
            for c in split_commands(line):
                if c.argv:
                    self.global_tool(c.argv[0])     # `http-server dist & node api.js`: each global CLI it runs
            return
        if ecore and posixpath.basename(ecore[0]) == "node":
            self.entry_node = ecore + cmd       # ENTRYPOINT ["node"] + CMD ["server.js"]
            self._dev_check(self.entry_node)
            return
        if ecore and cmd:
            self.keep_dev = f"ENTRYPOINT {ecore[0]} with CMD arguments is kept as written"
            self._dev_check(ecore + cmd)
            # the container runs ENTRYPOINT + CMD: a global CLI in front needs the runtime to have it
            self.global_tool(ecore[0])
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
            manager = posixpath.basename(core[0])
            self.plan.decisions.append(f"`{' '.join(core)}` resolved to `{' '.join(node)}` (the runtime needs no "
                                       f"{manager}, and node gets the container's signals itself)")
            node = self._as_pid1(node, manager)
        else:
            self._dev_check(core)
            node = self.to_node(core, why) if not self.dev_entry else None
            if node is None:
                if not self.global_tool(core[0]):
                    self.keep_dev = self.keep_dev or f"`{' '.join(core)}` kept: " + "; ".join(why)
                self._dev_check(core)
                return
            if posixpath.basename(core[0]) == "npx":
                node = self._as_pid1(node, "npx")
        self.entry_core, self.entry_node = core, node
        self._dev_check(node)

    def _as_pid1(self, node: list[str], manager: str) -> list[str]:
        """Under the package manager (or npx), node was a child that SIGTERM ended; as PID 1 it would
        ignore it: the preload ends it as the kernel ends any other process."""
        if node[:1] != ["node"]:
            return node
        self.pid1_term = _manager_term_status(manager, self.tag.major)
        self.plan.decisions.append(
            f"node runs as PID 1, where SIGTERM and SIGINT have no default action: {PID1_SIGNALS} ends it "
            f"on them, as they ended it under {manager} (SIGTERM with {manager}'s exit status, "
            f"{self.pid1_term}), unless the app handles the signal itself")
        return ["node", "--require", PID1_SIGNALS, *node[1:]]

    def carry_pid1_signals(self) -> None:
        """The preload the start command names (PID1_SIGNALS), written in the builder and copied."""
        plan = self.plan
        words = [w for argv in (plan.cmd, plan.entrypoint) if isinstance(argv, list) for w in argv]
        if PID1_SIGNALS not in words:
            return
        # SIGTERM ends node with the status the package manager gave (decided in _as_pid1)
        lines = " \\\n".join(f"    {sh(line.replace('SIGTERM: TERM', f'SIGTERM: {self.pid1_term}'))}"
                               for line in _PID1_LINES)
        plan.builder_append.append("# node as PID 1 ends on SIGTERM/SIGINT as it did under the package manager\n"
                                   f"RUN mkdir -p /tmp/msb-node && printf '%s\\n' \\\n{lines} \\\n"
                                   "    > /tmp/msb-node/pid1-signals.cjs")
        plan.copy("/tmp/msb-node/pid1-signals.cjs", PID1_SIGNALS, "ends node as PID 1 on SIGTERM/SIGINT")

    def dev_imports(self) -> None:
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

    def global_tool(self, prog: str) -> bool:
        """A CMD tool installed with `npm install -g` in the builder: install it in the runtime too."""
        prog = posixpath.basename(prog)
        package = BIN_PACKAGES.get(prog, prog)
        specs = [w for c in self.global_installs for w in c.argv[2:] if not w.startswith("-") and w != "global"]
        for spec in specs:
            name = spec.rsplit("@", 1)[0] if spec.count("@") > (1 if spec.startswith("@") else 0) else spec
            base = posixpath.basename(name)
            # a package's commands usually carry its name: pm2-docker, typeorm-ts-node-esm; a CLI
            # package drops its suffix or its scope: docsify-cli gives docsify, @11ty/eleventy eleventy
            if name == package or prog.startswith(base + "-") or prog in (base, base.removesuffix("-cli")):
                return self._carry_global(prog, spec, "")
        # one global package and a command nothing else provides: the command is that package's
        others = {p.split("=")[0] for p in self.facts.packages}
        if len(specs) == 1 and prog not in NOT_GLOBAL and prog not in others:
            return self._carry_global(prog, specs[0], " (the only package the build installed globally)")
        return False

    def _carry_global(self, prog: str, spec: str, how: str) -> bool:
        self.runtime_tools.append(spec)
        self.plan.decisions.append(f"{prog} comes from the global package {spec}{how}: installed in the runtime too")
        return True

    def rewrite(self, argv: list[str]) -> list[str] | None:
        """Replace the resolved start command (npm start, nest start...) by its node command."""
        wrappers, core = self.core(argv)
        if self.entry_core is None or core != self.entry_core or core == self.entry_node:
            return None
        return wrappers + self.entry_node


def _shell_line(ins) -> str | None:
    """The shell line a start command runs: a shell-form line that needs its shell, or the script
    of an exec-form `sh -c "..."`."""
    if ins is None:
        return None
    if not ins.is_json:
        text = drop_exec(ins.args)[0]
        return text if plain_start_argv(text) is None else None
    return shell_script(list(ins.json_args))


def _start_argv(ins) -> list[str]:
    """The words of a start command as the runtime runs it: `CMD exec npm start` is `npm start`
    (runtime.entry drops the shell's `exec` the same way, so the rewrite finds it)."""
    if ins is not None and not ins.is_json:
        argv = plain_start_argv(drop_exec(ins.args)[0])
        if argv is not None:
            return argv
    return command_argv(ins) or []
