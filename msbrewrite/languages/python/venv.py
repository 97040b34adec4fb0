"""The virtualenv: which one the runtime copies, where it is created, who owns it, what leaves it.

A virtualenv the build already makes is copied whole. Otherwise, when dependencies are installed,
/opt/venv is created right after FROM (or before the first install on a distribution Python) and
put on PATH, handed to a non-root build user before its installs, and copied to the runtime with
VIRTUAL_ENV and PATH set there. On the original's own base, setuptools and wheel leave it at the
end of the build unless something uses them and the base lacks their version (build_tools).
"""
from __future__ import annotations

import re

from msbrewrite.model.analysis import is_root_user
from msbrewrite.model.quoting import MAX_GENERATED_LINE, env_value, sh
from msbrewrite.model.shell import resolve
from msbrewrite.model.bases import same_image
from msbrewrite.languages.python.deps import is_installer

VENV = "/opt/venv"


def _venv_path(venv: str) -> str:
    """`PATH` with the venv's bin first: the venv's path taken literally, `$PATH` still expanded."""
    bin_dir = f"{venv}/bin"
    return f'"{bin_dir}:$PATH"' if env_value(bin_dir) == bin_dir else f"{env_value(bin_dir)}:$PATH"


class Virtualenv:
    """PythonPlanner's virtualenv (uses self.facts, self.plan, self.installs, self.distro, self.app_root,
    self.staged; sets self.venv, self.venv_made and self.venv_owner)."""

    def user_venv(self) -> str | None:
        """A virtualenv the user already creates (python -m venv DIR, virtualenv DIR, uv venv)."""
        facts = self.facts
        for c in facts.commands():
            argv = c.argv
            if re.fullmatch(r"python3?(\.\d+)?", c.program) and argv[1:3] == ["-m", "venv"]:
                dirs = [w for w in argv[3:] if not w.startswith("-")]
                if dirs:
                    return resolve(dirs[-1], c.cwd)
            if c.program == "virtualenv":
                dirs = [w for w in argv[1:] if not w.startswith("-")]
                if dirs:
                    return resolve(dirs[-1], c.cwd)
            if c.program == "uv" and argv[1:2] == ["venv"]:
                dirs = [w for w in argv[2:] if not w.startswith("-")]
                return resolve(dirs[-1] if dirs else ".venv", c.cwd)
        if facts.env.get("UV_PROJECT_ENVIRONMENT"):
            return resolve(facts.env["UV_PROJECT_ENVIRONMENT"], facts.workdir)
        return None

    def setup_venv(self) -> None:
        facts, plan = self.facts, self.plan
        own = self.user_venv()
        if own:
            self.venv = own
            plan.decisions.append(f"the build already uses the virtualenv {own}: copied whole")
            return
        if not self.installs:
            plan.decisions.append("no dependencies are installed: no virtualenv")
            return
        python = "python3" if self.distro else "python"
        if self.distro and not any(re.search(r"venv|virtualenv", p) for p in facts.packages):
            plan.decisions.append("the distribution's python3 has no venv module installed: pip installs into "
                                  "/usr/local, which the runtime copies")
            return
        self.venv, self.venv_made = VENV, True
        env = [f"VIRTUAL_ENV={VENV}", f'PATH="{VENV}/bin:$PATH"']
        if facts.find("uv", "sync"):
            env.insert(1, f"UV_PROJECT_ENVIRONMENT={VENV}")
        lines = [f"RUN {python} -m venv {VENV}", "ENV " + " ".join(env)]
        lines = ["# dependencies go to a virtualenv, copied whole to the runtime stage"] + lines
        first = self._first_install_step()
        if self.distro:
            ins = first
            plan.builder_replace[ins.index] = "\n".join(lines) + "\n" + plan.builder_replace.get(ins.index, ins.raw)
        else:
            plan.builder_after_from.extend(lines)
        tools = [c.program for c in self.installs if c.program in ("poetry", "pipenv", "uv", "pdm")]
        how = f"; {', '.join(sorted(set(tools)))} install{'s' if len(set(tools)) == 1 else ''} into it " \
              "(VIRTUAL_ENV" + (", UV_PROJECT_ENVIRONMENT" if "uv" in tools else "") + ")" if tools else ""
        plan.decisions.append(f"dependencies installed into the virtualenv {VENV}{how}")
        self._venv_owner(first)

    def _first_install_step(self):
        for step in self.facts.steps:
            if any(is_installer(c) for c in step.commands):
                return step.ins
        return self.facts.stage.from_

    def _venv_owner(self, first) -> None:
        """A non-root USER before the installs must own the venv, or pip cannot write to it."""
        facts, plan = self.facts, self.plan
        user_ins = None
        for ins in facts.stage.instructions:
            if ins.index >= first.index:
                break
            if ins.keyword == "USER":
                user_ins = ins
        if user_ins is None:
            return
        user = user_ins.args.strip().split(":")[0]
        if is_root_user(user):
            return
        raw = plan.builder_replace.get(user_ins.index, user_ins.raw)
        plan.builder_replace[user_ins.index] = f"RUN chown -R {sh(user_ins.args.strip())} {VENV}\n" + raw
        self.venv_owner = user_ins.args.strip()
        plan.decisions.append(f"the virtualenv is handed to {user} before USER {user}, so its installs can write it")

    def drop_build_tools(self) -> None:
        """setuptools, pkg_resources and wheel leave msb's virtualenv unless the build shows a use
        (a step in the builder decides: only there is it known what was installed).

        Only where the runtime keeps the original's own base: there the virtualenv's copy of them is
        what would make the converted image larger than the original. On a smaller base the saving
        dwarfs their 9 MB, and the Dockerfile stays without a check step to review."""
        if self.venv != VENV or not same_image(self.plan.runtime_base, self.facts.image):
            return
        from msbrewrite.languages.python.build_tools import drop_step
        roots = [a.source for a in self.plan.artifacts if a.source != self.venv]
        step = drop_step(self.venv, roots, base_setuptools=not self.distro)
        if len(step.encode()) > MAX_GENERATED_LINE:
            self.plan.decisions.append("setuptools and wheel stay in the virtualenv: the app is copied in too "
                                       "many pieces for one check step")
            return
        self.plan.builder_append.append(step)
        self.plan.decisions.append("setuptools, pkg_resources and wheel removed from the virtualenv at the end of "
                                   "the build unless an installed package or the app imports them; when one "
                                   "does, the virtualenv sees the base image's copy if it is the same version")

    def venv_inside_source(self) -> None:
        """A venv under the app directory comes with the whole-directory copy: do not copy it twice."""
        plan, root = self.plan, self.app_root
        if not self.venv or not root or root == "/" or not self.venv.startswith(root.rstrip("/") + "/"):
            return
        if root in self.staged:
            plan.decisions.append(f"the virtualenv {self.venv} is copied on its own, apart from {root}")
            return
        if any(a.source == root for a in plan.artifacts):
            plan.artifacts = [a for a in plan.artifacts if a.source != self.venv]
            plan.decisions.append(f"the virtualenv {self.venv} comes with the copy of {root}")

    def runtime_env(self) -> None:
        facts, plan = self.facts, self.plan
        lines = []
        if self.venv:
            lines += [f"VIRTUAL_ENV={env_value(self.venv)}", "PATH=" + _venv_path(self.venv)]
        for key in ("PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED"):
            if key not in facts.env:
                lines.append(f"{key}=1")
        if lines:
            plan.runtime_env.insert(0, "ENV " + " \\\n    ".join(lines))
