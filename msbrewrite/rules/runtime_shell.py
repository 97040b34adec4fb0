"""Whether the runtime keeps a shell, and which one: the SHELL a shell-form command ran under (and
its program installed), a HEALTHCHECK that needs a shell or a probe tool, a compose command that
needs one, and an app that starts a shell at run time.
"""
from __future__ import annotations

import posixpath

from msbrewrite.model.analysis import StageFacts
from msbrewrite.model.bases import describe
from msbrewrite.model.options import Options
from msbrewrite.model.plan import KEPT_AND_COPIED, BuildPlan
from msbrewrite.rules.healthcheck_probe import health_argv, health_tool_missing


def carry_shell_instruction(facts: StageFacts, plan: BuildPlan) -> None:
    """A shell-form command the runtime runs keeps the SHELL it ran under (`source`, `[[ ]]` and
    pipefail mean nothing to sh): the SHELL in effect at the CMD/ENTRYPOINT, else the image's last."""
    users = [ins for ins, value in ((facts.entrypoint, plan.entrypoint), (facts.cmd, plan.cmd))
             if ins is not None and isinstance(value, str)]
    checks = [i for i in facts.stage.instructions if i.keyword == "HEALTHCHECK"]
    found = health_argv(checks[-1]) if checks else None
    if found is not None and found[1]:
        users.append(None)      # a health probe runs under the image's last SHELL
    shells = [i for i in facts.stage.instructions if i.keyword == "SHELL" and i.json_args]
    for user in users:
        before = [i for i in shells if user is None or i.index < user.index]
        if before:
            ins = before[-1]
            plan.runtime_shell = ins.raw.rstrip("\r\n")
            plan.needs_shell = True
            plan.fate(ins, KEPT_AND_COPIED, "the runtime's shell-form command runs under this shell")
            plan.decisions.append(f"line {ins.lineno}: SHELL {' '.join(ins.json_args)} carried to the runtime: "
                                  "its shell-form command was written for it")
            return


# shells a package of the same name installs, on apt and apk bases alike
_SHELL_PACKAGES = {"bash", "zsh", "dash", "mksh"}


def install_carried_shell(plan: BuildPlan, base) -> None:
    """The carried SHELL's program must exist in the runtime: installed when the base lacks it."""
    if not plan.runtime_shell:
        return
    from msbrewrite.model.dockerfile import parse
    argv = parse(plan.runtime_shell + "\n").instructions[0].json_args or []
    program = posixpath.basename(argv[0]) if argv else "sh"
    if program == "sh" or program in base.tools:
        return
    if base.package_manager and program in _SHELL_PACKAGES:
        plan.runtime_packages.append(program)
        plan.decisions.append(f"{program} installed in the runtime: the carried SHELL runs it")
    else:
        plan.warnings.append(f"SHELL runs {argv[0]}, which {plan.runtime_base} may not have: "
                             "the runtime's shell-form command needs it")


def app_starts_a_shell(facts: StageFacts, plan: BuildPlan, options: Options) -> None:
    """`exec.Command("sh", "-c", ...)`, `os.system`, `child_process.exec`: the app runs a shell, so the
    runtime has one (on distroless the call fails, often silently)."""
    if describe(plan.runtime_base).shell:
        return
    from msbrewrite.rules.runtime_programs import starts_a_shell
    where = starts_a_shell(facts, plan.language)
    if not where:
        return
    _keep_a_shell(plan, options, f"the app starts a shell at run time ({where})")


def compose_overrides(facts: StageFacts, plan: BuildPlan, options: Options) -> None:
    from msbrewrite.rules import compose_usage
    for o in compose_usage.overrides(facts):
        tool = compose_usage.runs_build_tool(o)
        if tool:
            fix = "build that service with `target: builder`" if o.dev else \
                "run what the build made instead (see CMD), or build it with `target: builder`"
            plan.warnings.append(f"{o.shown} runs {tool}, absent from the runtime image: {fix}")
        elif compose_usage.needs_shell(o) and not o.dev and not describe(plan.runtime_base).shell:
            _keep_a_shell(plan, options, f"{o.shown} needs a shell")


def _keep_a_shell(plan: BuildPlan, options: Options, why: str) -> None:
    """A runtime on msb's own choice of base keeps a shell; one the user chose gets a warning."""
    if options.flavour(plan.language) == "auto":
        if not plan.needs_shell:
            plan.decisions.append(f"{why}: the runtime keeps one")
        plan.needs_shell = True
    else:
        plan.warnings.append(f"{why}, absent from {plan.runtime_base}")


def healthcheck_wants_shell(facts: StageFacts, plan: BuildPlan, options: Options) -> None:
    """A HEALTHCHECK that needs a shell or curl/wget keeps a base that can run it: without it the
    container never turns healthy (Compose's `service_healthy` waits forever, Swarm restarts it).
    Only when the runtime flavour was not chosen by the user, who may probe from the orchestrator."""
    checks = [i for i in facts.stage.instructions if i.keyword == "HEALTHCHECK"]
    base = describe(plan.runtime_base)
    if not checks or options.flavour(plan.language) != "auto" or (base.shell and base.package_manager):
        return
    found = health_argv(checks[-1])
    if found is None:
        return
    argv, shell = found
    need = "a shell" if shell and not base.shell else health_tool_missing(argv, plan, base)
    if not need:
        return
    if not plan.needs_shell:
        plan.needs_shell = True
        plan.decisions.append(f"line {checks[-1].lineno}: the HEALTHCHECK needs {need}, absent from "
                              f"{plan.runtime_base}: the runtime keeps a base that has it")
