"""The user's install commands, rewritten so that they fill the virtualenv and nothing else.

`pip install --user` and `uv pip install --system` lose the flag, a pip named by its
/usr/local/bin path points into the virtualenv, and packaging tools (poetry, pipenv, uv, ...)
installed alone stay with the image's pip, out of the runtime virtualenv. Trees that pip fills
with --target, --prefix or --root lie outside the virtualenv and are copied on their own.
"""
from __future__ import annotations

import posixpath
import re

from msbrewrite.model.plan import REWRITTEN
from msbrewrite.model.shell import Command, resolve
from msbrewrite.languages.python.deps import install_args, install_packages, is_pip_install
from msbrewrite.languages.python.venv import VENV

# installers that are build tools, not app dependencies: they stay out of the runtime venv
TOOLS = {"poetry", "pipenv", "uv", "pip-tools", "poetry-plugin-export", "pdm", "hatch", "virtualenv", "pipx"}
BOOTSTRAP = {"pip", "setuptools", "wheel"}
# pip's general options written before the subcommand (`pip --no-cache-dir install`)
_GENERAL = r"(?:\s+-[\w-]+(?:[= ][^\s-][^\s]*)?)*?"


class Installs:
    """PythonPlanner's edits of the install commands (uses self.facts, self.plan, self.venv, self.distro,
    self.installs)."""

    def rewrite_installs(self) -> None:
        """Edits that make the user's install commands fill the virtualenv and nothing else."""
        if self.venv != VENV:
            return
        facts, plan = self.facts, self.plan
        for step in facts.steps:
            if step.ins.keyword != "RUN":
                continue
            raw = plan.builder_replace.get(step.ins.index, step.ins.raw)
            new = raw
            notes = []
            for c in step.commands:
                if is_pip_install(c):
                    args = install_args(c)
                    pkgs = install_packages(args)
                    if "--user" in args:
                        new = re.sub(rf"(pip3?(?:\.\d+)?{_GENERAL}\s+install\b(?:[^\n&;|]|\\\n)*?\s)--user\b[ \t]*",
                                     r"\1", new)
                        notes.append("--user dropped (a --user install is refused inside a virtualenv)")
                    if pkgs and set(pkgs) <= TOOLS | BOOTSTRAP and set(pkgs) & TOOLS and not self.distro:
                        new, n = self._system_pip(new, c)
                        if n:
                            notes.append(f"{', '.join(sorted(set(pkgs) & TOOLS))} installed with the image's pip "
                                         "(a build tool, kept out of the runtime virtualenv)")
                    elif pkgs and not set(pkgs) <= BOOTSTRAP and c.argv[0].startswith("/usr/local/bin/"):
                        new = new.replace(c.argv[0], f"{VENV}/bin/{posixpath.basename(c.argv[0])}", 1)
                        notes.append(f"{c.argv[0]} now points into the virtualenv")
                if c.program == "uv" and c.argv[1:3] == ["pip", "install"] and "--system" in c.argv:
                    new = re.sub(r"(uv\s+pip\s+install\b(?:[^\n&;|]|\\\n)*?\s)--system\b[ \t]*", r"\1", new)
                    notes.append("uv pip --system dropped (uv installs into VIRTUAL_ENV)")
            if new != raw:
                plan.builder_replace[step.ins.index] = new
                plan.fate(step.ins, REWRITTEN, "; ".join(dict.fromkeys(notes)))
                for note in dict.fromkeys(notes):
                    plan.decisions.append(f"line {step.ins.lineno}: {note}")

    def _system_pip(self, text: str, c: Command) -> tuple[str, int]:
        prog = c.argv[0]
        if re.fullmatch(r"python3?(\.\d+)?", prog):
            pattern = rf"(?<![\w/.-]){re.escape(prog)}(\s+-m\s+pip{_GENERAL}\s+install\b)"
            return re.subn(pattern, rf"/usr/local/bin/{prog}\1", text, count=1)
        if "/" in prog:
            return text, 0
        pattern = rf"(?<![\w/.-]){re.escape(prog)}({_GENERAL}\s+install\b)"
        return re.subn(pattern, rf"/usr/local/bin/{prog}\1", text, count=1)

    def install_targets(self) -> None:
        """pip --target/--prefix trees live outside the venv: copy them too."""
        for c in self.installs:
            if not is_pip_install(c):
                continue
            args = install_args(c)
            for i, word in enumerate(args):
                key, eq, value = word.partition("=")
                if key in ("-t", "--target", "--prefix", "--root"):
                    value = value if eq else (args[i + 1] if i + 1 < len(args) else "")
                    if value and "$" not in value:
                        path = resolve(value, c.cwd)
                        if path not in self.plan.produced:
                            self.plan.copy(path, path, f"packages pip installs with {key}")
