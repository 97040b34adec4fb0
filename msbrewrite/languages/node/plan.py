"""Node servers: the user's install and build, then production dependencies only, run by node.

The runtime is `node:<major>-slim`, or distroless nodejs when the app starts with a plain
`node script.js` and needs no shell or system package. `npm start` / `yarn start` are
resolved to the script's own command: npm is absent from distroless and does not forward
SIGTERM to the app.

This module decides what the project is (its installs, package.json, build commands and their
outputs), the order of the steps and the runtime's environment; the planner takes the rest from
its pieces: the start command (`start`), the runtime base (`base`), the package manager and the
prune step (`package_manager`) and the files the runtime gets (`files`).
"""
from __future__ import annotations

import posixpath
import re

from msbrewrite.rules import runtime
from msbrewrite.model.analysis import StageFacts, command_argv, start_line_env
from msbrewrite.model.options import Options
from msbrewrite.model.plan import BuildPlan, Detection, Refusal
from msbrewrite.model.quoting import env_line, sh
from msbrewrite.languages.node.base import NodeBase
from msbrewrite.languages.node.files import NodeFiles
from msbrewrite.languages.node.package_manager import NodePackageManager
from msbrewrite.languages.node.start import NodeStart
from msbrewrite.model.package_json import (lockfile_manager, next_output, parse_tag, read_package, resolve_script,
                                          run_target,
                                          tsconfig_out_dir)
from msbrewrite.languages.node.detect import NAME, _install, _package, in_image

BUILD_ENV = {"CI", "HUSKY", "PUPPETEER_SKIP_DOWNLOAD", "PUPPETEER_SKIP_CHROMIUM_DOWNLOAD", "PNPM_HOME",
             "YARN_VERSION", "NPM_VERSION"}
BUILD_ENV_PREFIXES = ("NPM_CONFIG_", "YARN_", "COREPACK_")
_BUILD_TOOLS = ("tsc", "nest", "next", "nuxt", "remix", "vite", "webpack")


# --------------------------------------------------------------------------- plan
class NodePlanner(NodeFiles, NodeStart, NodePackageManager, NodeBase):
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
        if self.pkg.found and not self.installs and \
                not in_image(facts, posixpath.join(self.install_dir or self.appdir, "package.json")):
            # the context has a project the image never received (a global CLI runs there): not the app's
            self.pkg = read_package(None)
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
        self.pid1_term = 143                     # the PID 1 preload's SIGTERM status (the manager's)
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
            elif c.program in _BUILD_TOOLS and \
                    len(c.argv) > 1 and c.argv[1] in ("build", "-p", "--project") or c.argv[:1] == ["tsc"]:
                out.append(c.argv)
        out += self._lifecycle_builds()
        # prisma generate/migrate write into node_modules or a database, not into the app
        return [b for b in out if b and posixpath.basename(b[0]) != "prisma"]

    def _lifecycle_builds(self) -> list[list[str]]:
        """Builds an install runs through package.json's lifecycle scripts (`"postinstall": "npm run
        tsc"`): what they write is build output too. Only a known build tool counts: a hook that runs
        anything else (husky, patch-package, node-gyp) writes into node_modules or nowhere."""
        if not self.installs or all("--ignore-scripts" in c.argv for c in self.installs):
            return []
        out = []
        for hook in ("preinstall", "install", "postinstall", "prepare"):
            script = resolve_script(self.pkg, hook) if hook in self.pkg.scripts else None
            if script is None or isinstance(script, str):
                continue
            tool, sub = posixpath.basename(script.argv[0]), script.argv[1:2]
            if tool == "tsc" or sub in (["build"], ["-p"], ["--project"]) and tool in _BUILD_TOOLS:
                out.append(script.argv)
        return out

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
        self.dev_imports()
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
        self.carry_package_manager()
        self.carry_pid1_signals()
        if plan.runtime_base.startswith("gcr.io/distroless/"):
            self.distroless_entry()
        self._env()
        for spec in self.runtime_tools:
            plan.runtime_setup.append(f"RUN npm install -g {sh(spec)} && npm cache clean --force")
        runtime.finish(facts, plan, self.options, shell_base=self.slim_base())
        self._chown()
        return plan

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
        if "NODE_ENV" not in facts.env and "NODE_ENV" not in self.entry_env and not self.dev_entry \
                and "NODE_ENV" not in start_line_env(facts):
            # the original ran without it: express and others then show error details and skip caches,
            # and apps that read it choose their settings by it; the converted image behaves the same
            plan.decisions.append("NODE_ENV stays unset, as in the original (devDependencies are pruned without "
                                  "it); ENV NODE_ENV=production would switch express and other libraries to "
                                  "production mode, which changes error pages and caching")


def plan(facts: StageFacts, detection: Detection, options: Options) -> BuildPlan:
    return NodePlanner(facts, options).build()
