"""Python's dependency layer: requirements files, a PEP 621 project, Poetry, uv and Pipenv.

Two shapes. When the install RUN installs only locked or listed dependencies (`pip install -r`,
`pipenv install --deploy`, `poetry install --no-root`), it moves above the source copy. When it
also installs the project itself (`poetry install`, `uv sync`, `pip install .`), a dependency-only
form of it goes above the copy (`--no-root`, `--no-install-project`, the static requirement
strings) and the user's install stays after the copy, where it now only adds the project.

This module decides which install the layer is made from and hands it on: pip's requirements
files and PEP 621 projects to deps_python_pip, Poetry, uv and Pipenv to deps_python_managers
(both read commands with deps_python_commands and manifests with deps_python_manifests).
"""
from __future__ import annotations

from msbrewrite.model.shell import Command
from msbrewrite.optimize.cache_mounts import Mounts
from msbrewrite.optimize.deps_common import locate
from msbrewrite.optimize.deps_python_commands import local_project, pip_install, requirement_files
from msbrewrite.optimize.deps_python_managers import pipenv_layer, poetry_layer, uv_layer
from msbrewrite.optimize.deps_python_pip import pep621_layer, requirements_layer
from msbrewrite.optimize.edits import Builder

_MANIFESTS = {"requirements.txt", "constraints.txt", "pyproject.toml", "poetry.lock", "poetry.toml", "uv.lock",
              "uv.toml", ".python-version", "Pipfile", "Pipfile.lock"}


def python_layer(builder: Builder, mounts: Mounts) -> None:
    found = locate(builder, _installs_dependencies, _MANIFESTS)
    if found is None:
        return
    run, cmd = found[2], found[3]
    if any(pip_install(c) and requirement_files(c)[0] for c in run.step.commands):
        requirements_layer(builder, found)
    elif pip_install(cmd):
        pep621_layer(builder, found)
    elif cmd.program == "poetry":
        poetry_layer(builder, found)
    elif cmd.program == "uv":
        uv_layer(builder, found)
    else:
        pipenv_layer(builder, found)


def _installs_dependencies(c: Command) -> bool:
    sub = c.argv[1] if len(c.argv) > 1 else ""
    if pip_install(c):
        return bool(requirement_files(c)[0]) or local_project(c) is not None
    return ((c.program == "poetry" and sub in ("install", "sync")) or (c.program == "uv" and sub == "sync")
            or (c.program == "pipenv" and sub in ("install", "sync")))
