"""The package manager of a Node server: what the runtime keeps of it.

Decides whether the build uses Yarn Plug'n'Play, whether the install already leaves
devDependencies out, the prune step that drops them after the build (npm, pnpm, yarn classic
or berry), and how a start command that still runs pnpm, bun or a corepack-managed yarn gets
it in the runtime (the global package the build installed, or corepack with its cache).
"""
from __future__ import annotations

import posixpath
import re

from msbrewrite.model.analysis import is_root_user
from msbrewrite.model.plan import Refusal
from msbrewrite.model.quoting import sh
from msbrewrite.model.shell import Command, split_words
from msbrewrite.languages.node.detect import MANAGERS

COREPACK_HOME = "/opt/corepack"


class NodePackageManager:
    """Package-manager decisions for NodePlanner (which holds facts, plan, pkg, pkg_root, installs...)."""

    def pnp(self) -> bool:
        """Yarn 2+ Plug'n'Play: no node_modules, node needs .pnp.cjs to resolve packages."""
        if self.manager != "yarn":
            return False
        yarnrc = self.facts.context.read(posixpath.join(self.pkg_root, ".yarnrc.yml"))
        if yarnrc is not None:
            return not re.search(r"nodeLinker:\s*['\"]?(node-modules|pnpm)", yarnrc)
        pm = self.pkg.package_manager
        return bool(pm and pm[0] == "yarn" and (pm[1] or 1) >= 2)

    def prod_only_install(self) -> bool:
        """Whether every install into the app's node_modules leaves devDependencies out: a later
        `npm i --save-dev x` or `yarn add x` installs the whole tree, devDependencies included."""
        installs = [c for c in self.installs if c.cwd == self.install_dir]
        return bool(installs) and all(_prod_only(c) for c in installs)

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

    def carry_package_manager(self) -> None:
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
            if self.global_tool(prog):
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


def _prod_only(c: Command) -> bool:
    """An install command that leaves devDependencies out (a flag, or NODE_ENV=production)."""
    if re.search(r"--only[= ]prod(uction)?|--production(?!=false)|--omit[= ]dev|--prod\b|(^|\s)-P(\s|$)",
                 " ".join(c.argv[1:])):
        return True
    return c.env.get("NODE_ENV") == "production" or c.env.get("NPM_CONFIG_PRODUCTION") == "true"
