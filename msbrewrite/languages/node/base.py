"""The runtime base image of a Node server.

Decides between `node:<major>-slim` (or the Alpine image an Alpine builder needs) and
distroless nodejs, which only fits an app that starts with a plain `node script.js` and needs
no shell, system package or process manager; and the system packages the runtime installs
(tini, ffmpeg, OpenSSL for Prisma, ...; never a distribution's own node, npm or yarn).
"""
from __future__ import annotations

import posixpath
import re

from msbrewrite.model.analysis import command_argv
from msbrewrite.model.dockerfile import parse_key_values
from msbrewrite.languages.common import carry_runtime_tools, runtime_libraries, start_words
from msbrewrite.languages.node.detect import NAME

DISTROLESS_MAJORS = {18, 20, 22, 24}
# system packages an app uses at run time (when the builder installs them)
RUNTIME_PACKAGES = {"tini", "dumb-init", "ffmpeg", "imagemagick", "graphicsmagick", "ghostscript", "chromium",
                    "poppler-utils", "openssl", "tzdata", "fonts-liberation", "libvips", "vips"}

# distribution packages of what node images already ship (node, npm, yarn classic, corepack)
NODE_OWN_PACKAGES = {"nodejs", "nodejs-current", "npm", "yarn", "yarnpkg", "corepack"}


# pm2's commands: a process manager that restarts the app and ends its old process tree with `ps`
PM2 = {"pm2", "pm2-runtime", "pm2-docker"}

class NodeBase:
    """Runtime-base decisions for NodePlanner (which holds facts, plan, options, tag, entry_node...)."""

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
        default = self.facts.from_args.get(m.group(2), "")
        if default and not re.fullmatch(r"v?\d+(\.\d+)*|[a-z]+", default):
            return None     # `20-alpine`: the value holds the variant, a suffix cannot follow it
        return m.group(1)

    def variant_arg(self) -> str | None:
        """`node:${NODE_IMAGE_TAG}` whose default already names a small variant (`20-alpine`, `20-slim`):
        the runtime is the same reference, so `--build-arg` still moves both stages."""
        ref = self.facts.stage.image.split("@")[0]
        m = re.fullmatch(r"((?:[\w.-]+(?::\d+)?/)*node:\$\{?(\w+)\}?)", ref)
        default = self.facts.from_args.get(m.group(2), "") if m else ""
        return m.group(1) if m and re.search(r"-(alpine[\d.]*|slim)$", default) else None

    def slim_base(self) -> str:
        """node:<major>[-<debian>]-slim; node:slim follows node:latest when the tag names no major."""
        arg = self.version_arg() or self.tag.exact or self.lts_word()
        parts = [arg] if arg else [str(p) for p in (self.tag.major,) if p]
        parts += [self.tag.debian] if self.tag.debian else []
        return "node:" + "-".join(parts + ["slim"])

    def lts_word(self) -> str | None:
        """`lts` stays a word in the runtime's tag: the builder pulls whatever release it names that
        day (node:lts-alpine3.9 was Node 10; node:24-alpine3.9 never existed)."""
        return "lts" if self.tag.lts else None

    def choose_base(self) -> None:
        self._choose_base()
        image = self.facts.stage.image
        if "$" in image and not self.version_arg() and not self.variant_arg() and "$" not in self.plan.runtime_base:
            self.plan.warnings.append(f"the runtime is {self.plan.runtime_base}, chosen for the build argument's "
                                      f"default ({self.facts.image_name}:{self.facts.image_tag}): a --build-arg "
                                      "naming another version moves only the builder")

    def _choose_base(self) -> None:
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
        if entry_words & PM2 and not facts.is_alpine and "slim" not in (facts.image_tag or ""):
            # pm2 ends the app's process tree with `ps` before each restart: the full node image has
            # it, a slim one not (the restart then fails and pm2 stops)
            wanted.add("procps")
            plan.decisions.append("pm2 runs `ps` to restart the app, as the original's full node image had it: "
                                  "procps installed in the runtime")
        if self._uses_prisma():
            wanted.add("openssl")
            plan.decisions.append("Prisma's query engine looks for OpenSSL: openssl installed in the runtime")
        plan.runtime_packages += sorted(set(libs) | wanted)
        # other programs the app runs (its sources or scripts say so), fonts; the rest is reported
        carry_runtime_tools(facts, plan, self.options, (".js", ".cjs", ".mjs", ".ts"), skip=set(libs) | wanted | own,
                            libraries=True)
        major = tag.major
        same = self.variant_arg()
        if same:
            plan.runtime_base = same
            plan.decisions.append(f"runtime {same}: the build argument's default, {facts.image_tag}, is already "
                                  "the small image, and the runtime follows the argument")
            return
        if facts.is_alpine:
            if flavour not in ("auto", "alpine"):
                plan.warnings.append(f"--runtime {flavour} ignored: native modules built on Alpine (musl) do not "
                                     "load on glibc images")
            version = self.version_arg() or tag.exact or self.lts_word() or major
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
        elif tag.lts:
            blockers.append("node:lts moves to each new LTS release, which a distroless name cannot follow")
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

    def distroless_entry(self) -> None:
        """The distroless ENTRYPOINT is node itself: CMD holds the script, ENTRYPOINT spells the path."""
        plan = self.plan
        is_node = lambda argv: isinstance(argv, list) and argv and posixpath.basename(argv[0]) == "node"  # noqa: E731
        if is_node(plan.entrypoint):
            plan.entrypoint = ["/nodejs/bin/node", *plan.entrypoint[1:]]
        elif plan.entrypoint is None and is_node(plan.cmd):
            plan.cmd = plan.cmd[1:]
            plan.decisions.append("CMD drops `node`: the distroless ENTRYPOINT is /nodejs/bin/node")
