"""Python: dependencies in a virtualenv at /opt/venv, the app source, a slim interpreter base.

The builder keeps the user's steps; a virtualenv created right after FROM (and put on
PATH) makes their own `pip install` land in /opt/venv, and poetry, pipenv and uv are
pointed at it (VIRTUAL_ENV, UV_PROJECT_ENVIRONMENT). The runtime is the same Python
(`python:<version>-slim`, or the distribution image the builder used), with the venv
copied whole and the app directory copied minus build-only files (app_files): imports
name the code an app runs, not the data files and folders it opens by name.

The planner is put together from one class per concern: the runtime base (base.py), the
virtualenv (venv.py), the user's install commands (installs.py), the app source (source.py), the
start command (start.py) and the runtime's system packages (system_packages.py); this module
assembles them in order.
"""
from __future__ import annotations

from msbrewrite.support import records

from msbrewrite.rules import runtime
from msbrewrite.model.analysis import StageFacts, command_argv, is_root_user
from msbrewrite.model.dockerfile import parse_key_values
from msbrewrite.model.options import Options
from msbrewrite.model.plan import BuildPlan, Detection
from msbrewrite.languages.python.base import RuntimeBase
from msbrewrite.languages.python.deps import is_installer
from msbrewrite.languages.python.detect import NAME
from msbrewrite.languages.python.installs import Installs
from msbrewrite.languages.python.source import AppSource
from msbrewrite.languages.python.start import StartCommand, pip_at_start
from msbrewrite.languages.python.system_packages import SystemPackages
from msbrewrite.languages.python.venv import VENV, Virtualenv

BUILD_ENV_PREFIXES = ("PIP_", "POETRY_", "PIPENV_", "UV_", "PDM_", "HATCH_")
BUILD_ENV = {"VIRTUAL_ENV", "PYTHONUSERBASE"}


class PythonPlanner(RuntimeBase, Virtualenv, Installs, AppSource, StartCommand, SystemPackages):
    def __init__(self, facts: StageFacts, detection: Detection, options: Options):
        self.facts = facts
        self.detection = detection
        self.options = options
        self.plan = BuildPlan(NAME, "python.Dockerfile.j2", "python:3-slim")
        self.venv: str | None = None        # virtualenv the runtime copies
        self.distro = False                  # Python from the distribution's packages
        self.installs = [c for c in facts.commands() if is_installer(c)]
        self.app_root: str | None = None
        self.staged: list[str] = []
        self.venv_owner: str | None = None   # a non-root build user the venv was handed to
        self.venv_made = False               # the virtualenv is msb's own (the original had none)

    def build(self) -> BuildPlan:
        facts, plan, options = self.facts, self.plan, self.options
        build_env = set(BUILD_ENV) | {k for k in facts.env if k.startswith(BUILD_ENV_PREFIXES)}
        for ins in facts.stage.instructions:
            if ins.keyword == "ENV":
                build_env |= {k for k, _ in parse_key_values(ins.args) if k.startswith(BUILD_ENV_PREFIXES)}
        runtime.start(facts, plan, build_env)
        plan.extra["venv"] = None
        plan.runtime_base = self.runtime_base()
        self.setup_venv()
        self.rewrite_installs()
        plan.extra["venv"] = self.venv
        if self.venv:
            plan.copy(self.venv, self.venv, "the virtualenv with the app's dependencies")
        elif self.distro and self.installs:
            for path in ("/usr/local/lib", "/usr/local/bin"):
                plan.copy(path, path, "packages pip installed into the system Python")
        self.install_targets()
        if self.venv == VENV:
            site = f"{VENV}/lib/python3*/site-packages"
            if self.venv_made:
                # msb made this virtualenv: nothing the original ran can source its activate script, and
                # VIRTUAL_ENV and PATH in the runtime activate it already
                scripts, which = f"{VENV}/bin/[Aa]ctivate*", "every activation script (ENV activates it)"
            else:
                # PowerShell, csh and fish: no container shell sources them
                scripts = f"{VENV}/bin/Activate.ps1 {VENV}/bin/activate.csh {VENV}/bin/activate.fish"
                which = "the activation scripts of shells the image has not (PowerShell, csh, fish)"
            started_pip = pip_at_start(facts, plan)
            if started_pip is None:
                plan.builder_append.append("# pip only installs: the runtime's virtualenv goes without it\n"
                                           f"RUN rm -rf {VENV}/bin/pip {VENV}/bin/pip3* {site}/pip "
                                           f"{site}/pip-*.dist-info {scripts}")
                plan.decisions.append("pip removed from the virtualenv at the end of the build (not needed at run "
                                      f"time), with {which}")
            else:
                self.keep_pip(started_pip, scripts, which)
        self.copy_source()
        self.venv_inside_source()
        self.drop_build_tools()
        user = facts.user
        if (plan.builder_append and user and not is_root_user(user) and self._user_at_end()
                and (self.venv_owner != user or any(a.source == self.app_root for a in plan.artifacts))):
            # the clean-up msb appends touches files the build's own user does not own
            plan.builder_append[0] = ("# the clean-up below runs as root: the files belong to root\n"
                                      "USER root\n" + plan.builder_append[0])
            plan.builder_append[-1] += f"\nUSER {user}"
        self.runtime_packages()
        self.runtime_env()
        argv = command_argv(facts.entrypoint) or command_argv(facts.cmd)
        self.entry_script(argv)
        self.entry_commands()
        if plan.cmd is None and plan.entrypoint is None:
            plan.base_has_cmd = True
            plan.decisions.append("no CMD: the base image's default (python3) stays, as in the original")
        self.choose_flavour()
        if self.app_root == "/" and options.user is None and facts.user is None:
            # only root can create files in /: a non-root user could not write next to the app there
            options = records.replace(options, user="root")
            plan.decisions.append("runtime runs as root: the app lives in /, where only root can write (set a "
                                  "WORKDIR to run it as a non-root user)")
        runtime.finish(facts, plan, options, shell_base=plan.runtime_base)
        self.owner_of_data()
        self.warn_preinstalled()
        return plan

    def keep_pip(self, started_pip: tuple[str, bool], scripts: str, which: str) -> None:
        """The start runs pip: the virtualenv keeps it, and when it installs, a runtime user msb
        introduces owns the virtualenv, as the root original could write its site-packages."""
        where, installs = started_pip
        plan = self.plan
        plan.builder_append.append(f"# the start runs pip ({where}): the runtime's virtualenv keeps it\n"
                                   f"RUN rm -rf {scripts}")
        plan.decisions.append(f"pip stays in the virtualenv: the start runs it ({where}); {which} removed")
        if installs:
            plan.extra.setdefault("written_at_start", {})[VENV] = f"the start installs into it ({where})"

    def _user_at_end(self) -> bool:
        """The builder still runs as the original USER at its end (not moved to the runtime)."""
        ins = self.facts.user_ins
        return ins is not None and ins.index not in self.plan.builder_drop


def plan(facts: StageFacts, detection: Detection, options: Options) -> BuildPlan:
    return PythonPlanner(facts, detection, options).build()
