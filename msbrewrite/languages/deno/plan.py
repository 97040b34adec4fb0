"""Deno: the user's `deno cache`/`deno install` in the builder, then the deno binary, its DENO_DIR
and the app on distroless cc, or the user's own `deno compile` binary alone.

The official image's ENTRYPOINT (`/tini -- docker-entrypoint.sh`) puts `deno` in front of a CMD
that starts with a subcommand; the runtime says the same with `/tini -- /usr/bin/deno`. The
command's words, permission flags included, are kept exactly as written.
"""
from __future__ import annotations

from msbrewrite.rules import app_files, runtime
from msbrewrite.model.analysis import StageFacts
from msbrewrite.model.bases import DISTROLESS_CC
from msbrewrite.model.options import Options
from msbrewrite.model.plan import BuildPlan, Detection, Refusal
from msbrewrite.model.quoting import env_value
from msbrewrite.model.shell import option_value, resolve, plain_start_argv
from msbrewrite.languages.scripting import program, start_argv
from msbrewrite.languages.deno.detect import NAME, SUBCOMMANDS, is_deno_image

DENO_BIN = "/usr/bin/deno"      # where the official Debian image keeps the binary
TINI = "/tini"
DEFAULT_DENO_DIR = "/deno-dir"


class DenoPlanner:
    def __init__(self, facts: StageFacts, options: Options):
        self.facts = facts
        self.options = options
        self.plan = BuildPlan(NAME, "deno.Dockerfile.j2", DISTROLESS_CC)
        self.deno_dir = facts.env.get("DENO_DIR") or DEFAULT_DENO_DIR

    def compiled_binary(self, argv: list[str]) -> str | None:
        """The output of the build's own `deno compile`, when the start command runs it."""
        for c in self.facts.find("deno", "compile"):
            out = option_value(c.argv, "-o", "--output")
            if not out or "$" in out:
                continue
            path = resolve(out, c.cwd)
            if argv and resolve(argv[0], self.facts.workdir) == path:
                return path
        return None

    def needs_shell(self, argv: list[str]) -> bool:
        for ins in (self.facts.entrypoint, self.facts.cmd):
            if ins is not None and not ins.is_json and plain_start_argv(ins.args) is None:
                return True
        return not argv or program(argv) in ("sh", "bash") or argv[0].endswith((".sh", ".bash"))

    def build(self) -> BuildPlan:
        facts, plan = self.facts, self.plan
        runtime.start(facts, plan, {"DENO_INSTALL_ROOT"})
        argv = start_argv(facts)
        if not argv:
            raise Refusal("no CMD or ENTRYPOINT: the image only runs the base image's welcome command, so there "
                          "is no app to start", reason="no-entrypoint")
        if facts.image_tag.startswith("bin"):
            raise Refusal(f"{facts.image} holds only the deno binary, for COPY --from: it has no shell for the "
                          "build's RUN steps and no entrypoint to start the app", reason="deno-binary-image")
        binary = self.compiled_binary(argv)
        if binary:
            self.plan_binary(binary)
        elif not is_deno_image(facts):
            raise Refusal(f"Deno comes from {facts.image}, not a denoland/deno image: where its binary lives is "
                          "unknown (build FROM denoland/deno:<version>)", reason="deno-not-from-image")
        elif self.needs_shell(argv) or "alpine" in facts.image_tag or \
                (facts.entrypoint is None and program(argv) != "deno" and argv[0] not in SUBCOMMANDS):
            self.plan_same_image()
        else:
            self.plan_distroless()
        app_files.stage(facts, plan, NAME)
        runtime.finish(facts, plan, self.options, shell_base=self.same_image())
        owner = plan.user if plan.user and plan.user.split(":")[0] not in ("0", "root") else None
        for art in plan.artifacts:
            if art.source == self.deno_dir and owner:
                art.chown = owner if ":" in owner else f"{owner}:{owner}"
        return plan

    def same_image(self) -> str:
        return self.facts.image

    def copy_deno_dir(self) -> None:
        self.plan.copy(self.deno_dir, self.deno_dir, "DENO_DIR: the modules the build cached, so nothing is "
                                                     "downloaded at start")

    def plan_binary(self, binary: str) -> None:
        plan = self.plan
        plan.runtime_base = DISTROLESS_CC
        plan.copy(binary, binary, "the binary `deno compile` made (permission flags compiled in)")
        plan.extra["compiled"] = True
        plan.decisions.append(f"the build compiles the app with `deno compile`: {binary} runs on distroless cc "
                              "without deno or DENO_DIR")
        runtime.entry(self.facts, plan, lambda argv: None)

    def plan_same_image(self) -> None:
        facts, plan = self.facts, self.plan
        plan.runtime_base = self.same_image()
        plan.base_has_cmd = facts.cmd is None
        plan.decisions.append(f"runtime {facts.image}: the start command needs a shell or the image's own "
                              "entrypoint script, which a distroless runtime does not have")
        self.copy_deno_dir()
        runtime.entry(facts, plan, lambda argv: None)

    def plan_distroless(self) -> None:
        facts, plan = self.facts, self.plan
        plan.runtime_base = DISTROLESS_CC
        plan.copy(DENO_BIN, DENO_BIN, "the deno binary of the builder image")
        self.copy_deno_dir()
        if "DENO_DIR" not in facts.env:
            plan.runtime_env.append(f"ENV DENO_DIR={env_value(self.deno_dir)}")
        image_entry = facts.entrypoint is None

        def rewrite(argv: list[str]) -> list[str] | None:
            if program(argv) != "deno":
                return None
            return argv[1:] if image_entry else [DENO_BIN, *argv[1:]]

        runtime.entry(facts, plan, rewrite)
        if image_entry:
            plan.copy(TINI, TINI, "tini, the image's init: signals reach deno as in the original")
            plan.entrypoint = [TINI, "--", DENO_BIN]
            plan.decisions.append("the image's entrypoint put `deno` before the CMD: the runtime's ENTRYPOINT "
                                  f"is {TINI} -- {DENO_BIN}, the CMD keeps its words and permission flags")
        plan.decisions.append(f"runtime distroless cc with the builder's deno binary and {self.deno_dir}: no shell, "
                              "no package manager")


def plan(facts: StageFacts, detection: Detection, options: Options) -> BuildPlan:
    return DenoPlanner(facts, options).build()

